#!/usr/bin/env bash
# The test suite: installs what it needs, builds, and runs every test through ctest
# (GoogleTest unit tests, then the integration tests on a real registry under mpirun).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
# Open MPI refuses to run as root unless told that it is deliberate (CI runs as root).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
ctest --test-dir build --output-on-failure "$@"
