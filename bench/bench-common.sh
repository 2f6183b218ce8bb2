# Sourced by the bench scripts that run the program: the build directory is
# the script's first argument (default: the repository's build/), $bin the
# program in it, and mpirun may run as root (CI and these machines are root).
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
bin=$build/regcensus
[[ -x $bin ]] || { echo "$(basename "$0"): build regcensus first ($bin is missing)" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
