"""A real one-node Slurm cluster for the tests: munged, slurmctld and slurmd of
Debian's slurm-wlm, configured in a temp dir, on free loopback ports.

With accounting=True it also keeps real accounting: a private MariaDB server
(mariadb-install-db'd datadir, its own unix socket, no TCP) behind a slurmdbd,
AccountingStorageType=accounting_storage/slurmdbd with
AccountingStorageEnforce=associations,qos, and sacctmgr's cluster, account
ACCOUNT with user root in it, and QoS QOS that root may use there (besides
"normal", its default). That costs 5 to 10 s more to start, so only the
tests that need a QoS ask for it.

Everything the daemons write (munge key and socket, database, state, spool,
logs, pid files) lives under the cluster's root directory, so nothing of the
host's own Slurm, munge or MariaDB (if any) is touched. The daemons run in the
foreground (`-D`, `-F`) as children of the test, and stop() ends them by their
own pids.

Usage (see test_slurm.py):

    cluster = SlurmCluster(tmp_path / "slurm")
    job = cluster.sbatch(["-n", "2", script, jobfile], cwd=...)
    cluster.wait(job)            # -> final state, e.g. "COMPLETED"
    cluster.stop()
"""
from __future__ import annotations

import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import time

# The daemons need a little more than the number of tasks the tests ask for:
# the array test runs its shard tasks two at a time next to the driver job.
NODE_CPUS = 4
# Terminal job states (squeue/scontrol spelling).
FINAL_STATES = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY",
                "BOOT_FAIL", "DEADLINE", "PREEMPTED"}
CLUSTER_NAME = "regcensus-test"
# With accounting: the account (besides Slurm's own "root") and QoS (besides
# "normal") that user root may use.
ACCOUNT = "census"
QOS = "census"
# A throwaway database: small InnoDB files, no syncing, no binary log. (slurmdbd
# logs that the buffer pool, log file size and lock wait timeout are below what
# it recommends for production.)
MARIADB_TUNING = ["--innodb-log-file-size=8M", "--innodb-buffer-pool-size=64M",
                  "--innodb-flush-log-at-trx-commit=0", "--innodb-doublewrite=0",
                  "--innodb-flush-method=nosync", "--skip-log-bin"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _free_port_range(width: int) -> tuple[int, int]:
    """A run of `width` ports that are free now (srun's ports must not collide with others)."""
    for _ in range(200):
        start = _free_port()
        if start + width >= 65535:
            continue
        socks = []
        try:
            for p in range(start, start + width):
                s = socket.socket()
                s.bind(("127.0.0.1", p))
                socks.append(s)
            return start, start + width - 1
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free port range")


def available(accounting: bool = False) -> str | None:
    """None if this host can run the cluster (with accounting), else why not (for pytest.skip)."""
    programs = ["munged", "mungekey", "slurmctld", "slurmd", "sbatch", "scontrol", "squeue"]
    if accounting:
        programs += ["mariadb-install-db", "mariadbd", "mariadb", "slurmdbd", "sacctmgr", "sacct"]
    for program in programs:
        if shutil.which(program) is None and not os.path.exists(f"/usr/sbin/{program}"):
            return (f"{program} not installed (scripts/install-deps.sh installs slurm-wlm, munge, "
                    "slurmdbd and mariadb-server)")
    if os.geteuid() != 0:
        return "the test cluster runs slurmd as root (SlurmUser=root)"
    return None


def _program(name: str) -> str:
    return shutil.which(name) or f"/usr/sbin/{name}"


class SlurmCluster:
    """munged + slurmctld + one slurmd ("node1", NodeAddr=127.0.0.1) under `root`;
    with accounting=True also mariadbd + slurmdbd (see the module's docstring)."""

    def __init__(self, root: pathlib.Path, cpus: int = NODE_CPUS, accounting: bool = False):
        self.root = pathlib.Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        # munged refuses directories others can write to; the temp dir is ours alone.
        os.chmod(self.root, 0o700)
        self.cpus = cpus
        self.processes: dict[str, subprocess.Popen] = {}
        self._logs = []
        self.conf = self.root / "slurm.conf"
        self.munge_socket = self.root / "munge" / "munge.socket"
        self.accounting = accounting
        self.db_socket = self.root / "mariadb" / "mariadb.sock"
        try:
            self._start_munge()
            self._write_config()
            if accounting:
                self._start_accounting()
            self._start("slurmctld", [_program("slurmctld"), "-D", "-f", str(self.conf)])
            self._wait_for(lambda: self._scontrol_ping(), "slurmctld answering scontrol ping")
            self._start("slurmd", [_program("slurmd"), "-D", "-f", str(self.conf), "-N", "node1"])
            self._wait_for(self._node_idle, "node1 idle")
        except BaseException:
            self.stop()
            raise

    # -- environment -------------------------------------------------------

    @property
    def env(self) -> dict[str, str]:
        """Environment for the Slurm client commands (and, through --export=ALL, jobs)."""
        env = dict(os.environ)
        env["SLURM_CONF"] = str(self.conf)
        # Open MPI refuses to start as root unless told that it is deliberate.
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
        return env

    # -- daemons -----------------------------------------------------------

    def _start(self, name: str, cmd: list[str], env: dict | None = None) -> None:
        log = open(self.root / f"{name}.out", "wb")
        self._logs.append(log)
        env = dict(os.environ, SLURM_CONF=str(self.conf), **(env or {}))
        self.processes[name] = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                                                start_new_session=True)

    def _start_munge(self) -> None:
        mdir = self.root / "munge"
        mdir.mkdir(mode=0o700, exist_ok=True)
        key = mdir / "munge.key"
        subprocess.run([_program("mungekey"), "--create", "--keyfile", str(key)], check=True,
                       capture_output=True)
        os.chmod(key, 0o600)
        self._start("munged", [_program("munged"), "--foreground", "--force",
                               f"--socket={self.munge_socket}", f"--key-file={key}",
                               f"--pid-file={mdir / 'munged.pid'}", f"--log-file={mdir / 'munged.log'}",
                               f"--seed-file={mdir / 'munged.seed'}"])
        self._wait_for(self.munge_socket.exists, "munged socket")

    def _write_config(self) -> None:
        for sub in ("state", "spool", "logs"):
            (self.root / sub).mkdir(exist_ok=True)
        ctld_port, slurmd_port = _free_port(), _free_port()
        srun_low, srun_high = _free_port_range(40)
        r = self.root
        if self.accounting:
            self.dbd_port = _free_port()
            accounting = f"""\
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort={self.dbd_port}
# The munge socket for talking to slurmdbd (AuthInfo's is not used for that).
AccountingStoragePass={self.munge_socket}
# Jobs need a known account, and a QoS their association may use.
AccountingStorageEnforce=associations,qos
"""
        else:
            accounting = "AccountingStorageType=accounting_storage/none\n"
        self.conf.write_text(f"""\
# Generated by tests/integration/slurm_cluster.py: one node on loopback.
ClusterName={CLUSTER_NAME}
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
SrunPortRange={srun_low}-{srun_high}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={self.munge_socket}
StateSaveLocation={r}/state
SlurmdSpoolDir={r}/spool
SlurmctldPidFile={r}/slurmctld.pid
SlurmdPidFile={r}/slurmd.pid
SlurmctldLogFile={r}/logs/slurmctld.log
SlurmdLogFile={r}/logs/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroup confinement on these hosts: Linux process tracking, no task plugin.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
{accounting.rstrip()}
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
# Quick turnaround for tests: finished jobs stay visible to scontrol for 10 minutes.
MinJobAge=600
SchedulerParameters=sched_interval=1
MessageTimeout=20
# The node may claim more CPUs than the host has (slots for tasks, not cores).
SlurmdParameters=config_overrides
NodeName=node1 NodeAddr=127.0.0.1 NodeHostname={socket.gethostname()} CPUs={self.cpus} RealMemory=65536 State=UNKNOWN
PartitionName=test Nodes=node1 Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
# A second partition on the same node: the tests check that the one given to a driver job reaches its children.
PartitionName=other Nodes=node1 Default=NO MaxTime=INFINITE State=UP OverSubscribe=NO
""")
        (r / "cgroup.conf").write_text("CgroupPlugin=cgroup/v1\n")

    def _start_accounting(self) -> None:
        """A private mariadbd, a slurmdbd on it, and sacctmgr's cluster, account, user and QoS
        (before slurmctld starts, so that it reads them when it registers)."""
        db = self.root / "mariadb"
        db.mkdir(mode=0o700, exist_ok=True)
        if len(str(self.db_socket)) > 100:
            raise RuntimeError(f"MariaDB socket path too long for a unix socket: {self.db_socket}")
        cmd = [_program("mariadb-install-db"), "--no-defaults", f"--datadir={db / 'data'}", "--user=root",
               "--auth-root-authentication-method=socket", "--skip-test-db", *MARIADB_TUNING]
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired as e:
            raise RuntimeError(f"mariadb-install-db did not finish in 120 s:\n{e.stdout}\n{e.stderr}") from None
        if r.returncode != 0:
            tail = "\n".join((r.stdout + r.stderr).splitlines()[-25:])
            raise RuntimeError(f"mariadb-install-db failed ({r.returncode}):\n{tail}")
        # As root (--user=root), on its own socket only (--skip-networking).
        self._start("mariadbd", [_program("mariadbd"), "--no-defaults", "--user=root", f"--datadir={db / 'data'}",
                                 f"--socket={self.db_socket}", f"--pid-file={db / 'mariadbd.pid'}",
                                 "--skip-networking", f"--log-error={self.root / 'logs' / 'mariadb.log'}",
                                 *MARIADB_TUNING])
        self._wait_for(self._db_answering, f"mariadbd answering on {self.db_socket}")

        # slurmdbd reads slurmdbd.conf from the directory of SLURM_CONF; it must be
        # the SlurmUser's (root) and private. It runs as root, which MariaDB's
        # root@localhost lets in over the socket (unix_socket authentication).
        dbd_conf = self.root / "slurmdbd.conf"
        dbd_conf.write_text(f"""\
# Generated by tests/integration/slurm_cluster.py: accounting in a private MariaDB.
AuthType=auth/munge
AuthInfo=socket={self.munge_socket}
DbdHost=localhost
DbdAddr=127.0.0.1
DbdPort={self.dbd_port}
SlurmUser=root
DebugLevel=info
LogFile={self.root / 'logs' / 'slurmdbd.log'}
PidFile={self.root / 'slurmdbd.pid'}
StorageType=accounting_storage/mysql
# localhost: the socket, which MYSQL_UNIX_PORT names.
StorageHost=localhost
StorageUser=root
StorageLoc=slurm_acct_db
""")
        os.chown(dbd_conf, 0, 0)
        os.chmod(dbd_conf, 0o600)
        self._start("slurmdbd", [_program("slurmdbd"), "-D"], env={"MYSQL_UNIX_PORT": str(self.db_socket)})
        self._wait_for(self._dbd_answering, "slurmdbd answering sacctmgr")
        for args in (["add", "cluster", CLUSTER_NAME],
                     ["add", "qos", QOS],
                     ["add", "account", ACCOUNT, f"Cluster={CLUSTER_NAME}", "Description=regcensus tests",
                      "Organization=regcensus"],
                     ["add", "user", "root", f"Account={ACCOUNT}", f"Cluster={CLUSTER_NAME}",
                      f"QOS=normal,{QOS}", "DefaultQOS=normal"]):
            self.command(["sacctmgr", "-i", *args], timeout=30)

    def _db_answering(self) -> bool:
        if not self.db_socket.exists():
            return False
        try:
            r = subprocess.run([_program("mariadb"), "--no-defaults", f"--socket={self.db_socket}", "-u", "root",
                                "-e", "SELECT 1"], capture_output=True, timeout=10)
        except subprocess.TimeoutExpired:
            return False
        return r.returncode == 0

    def _dbd_answering(self) -> bool:
        try:
            return self.command(["sacctmgr", "-n", "show", "cluster"], check=False, timeout=10).returncode == 0
        except subprocess.TimeoutExpired:
            return False

    def _wait_for(self, condition, what: str, timeout: float = 60.0) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            for name, proc in self.processes.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited ({proc.returncode}) waiting for {what}\n{self.logs()}")
            if condition():
                return
            time.sleep(0.3)
        raise RuntimeError(f"timed out waiting for {what}\n{self.logs()}")

    def _scontrol_ping(self) -> bool:
        r = self.command(["scontrol", "ping"], check=False)
        return r.returncode == 0 and "UP" in r.stdout

    def _node_idle(self) -> bool:
        r = self.command(["sinfo", "-h", "-N", "-o", "%T"], check=False)
        return r.returncode == 0 and r.stdout.strip().startswith("idle")

    def logs(self) -> str:
        """The tail of every daemon log, for failure messages."""
        out = []
        for path in sorted(self.root.glob("*.out")) + sorted((self.root / "logs").glob("*.log")):
            text = path.read_text(errors="replace").splitlines()[-25:]
            out.append(f"--- {path.name}\n" + "\n".join(text))
        return "\n".join(out)

    def stop(self) -> None:
        """SIGTERM each daemon by its own pid (slurmd first), SIGKILL what lingers."""
        for name in ("slurmd", "slurmctld", "slurmdbd", "mariadbd", "munged"):
            proc = self.processes.get(name)
            if proc is None or proc.poll() is not None:
                continue
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for log in self._logs:
            log.close()

    # -- clients -----------------------------------------------------------

    def command(self, cmd: list, check: bool = True, cwd=None, env: dict | None = None,
                timeout: float = 60) -> subprocess.CompletedProcess:
        full_env = self.env
        if env:
            full_env.update(env)
        r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=full_env, cwd=cwd,
                           timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError(f"{' '.join(map(str, cmd))} failed ({r.returncode}):\n"
                                 f"{r.stdout}\n{r.stderr}\n{self.logs()}")
        return r

    def sbatch(self, args: list, cwd=None, env: dict | None = None) -> str:
        """Submits a batch job; returns its job id."""
        r = self.command(["sbatch", "--parsable", *args], cwd=cwd, env=env)
        return r.stdout.strip().split(";")[0]

    def job_states(self, job_id: str) -> dict[str, str]:
        """{job id (array tasks as ID_TASK): state} for a job or a whole array."""
        r = self.command(["scontrol", "-o", "show", "job", job_id], check=False)
        states = {}
        for line in r.stdout.splitlines():
            fields = dict(re.findall(r"(\w+)=(\S*)", line))
            key = fields.get("JobId", "?")
            if fields.get("ArrayTaskId"):
                key = f"{fields.get('ArrayJobId')}_{fields['ArrayTaskId']}"
            states[key] = fields.get("JobState", "?")
        return states

    def wait(self, job_id: str, timeout: float = 240) -> dict[str, str]:
        """Waits until every task of the job is in a final state; returns the states."""
        deadline = time.time() + timeout
        states: dict[str, str] = {}
        while time.time() < deadline:
            states = self.job_states(job_id)
            if states and all(s in FINAL_STATES for s in states.values()):
                return states
            for name, proc in self.processes.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} died while job {job_id} ran\n{self.logs()}")
            time.sleep(0.5)
        raise AssertionError(f"job {job_id} not finished after {timeout}s: {states}\n"
                             f"{self.command(['squeue'], check=False).stdout}\n{self.logs()}")

    def accounted(self, job_ids: list[str], fields: list[str], timeout: float = 60) -> dict[str, dict[str, str]]:
        """With accounting: sacct's `fields` of each job (array tasks as ID_TASK), once slurmdbd
        has all of them (slurmctld sends it job records asynchronously)."""
        deadline = time.time() + timeout
        found: dict[str, dict[str, str]] = {}
        while time.time() < deadline:
            r = self.command(["sacct", "-X", "-n", "-P", "-j", ",".join(job_ids),
                              "--format=" + ",".join(["JobID", *fields])], check=False)
            found = {}
            for line in r.stdout.splitlines():
                job, *values = line.split("|")
                found[job] = dict(zip(fields, values))
            if r.returncode == 0 and all(j in found for j in job_ids):
                return found
            time.sleep(0.5)
        raise AssertionError(f"sacct has not all of {job_ids} after {timeout}s: {found}\n{self.logs()}")
