#!/usr/bin/env bash
# A throw-away single-node SLURM on localhost, for testing the SLURM profile (no systemd needed).
#
#   bash tools/slurm_local.sh start STATE_DIR   # writes STATE_DIR/{slurm.conf,cgroup.conf,env.sh},
#                                               # starts munged, slurmctld, slurmd; waits until
#                                               # `sinfo` shows the node idle
#   source STATE_DIR/env.sh                     # SLURM_CONF for sbatch/squeue/snakemake
#   bash tools/slurm_local.sh stop STATE_DIR    # stops exactly the daemons `start` started
#
# SLURM_LOCAL_GPUS=N declares N GPUs on the node (generic resource `gpu`, device /dev/null): jobs
# can request them (--gres=gpu:1) although there is no GPU, to test GPU profiles.
#
# Everything (munge key and socket, spool, state, logs, pid files) lives in STATE_DIR. One thing
# cannot: Snakemake's SLURM jobstep plugin drops SLURM_CONF from the environment of the `srun` it
# runs inside each job, so srun reads the compiled-in /etc/slurm/slurm.conf. `start` links that
# path to STATE_DIR/slurm.conf when it does not exist (and refuses when it does: a real cluster's
# configuration is never replaced; only a link that an earlier, killed `start` left, to a state
# whose slurmctld is gone, is); `stop` removes the link only if it still points there. Needs
# root (slurmd runs jobs as their submitter) and Debian's slurm-wlm and
# munge packages (`bash tools/setup.sh` installs them when root). No accounting database: query
# job states with squeue (`--slurm-status-command squeue`); MinJobAge keeps finished jobs visible.
set -euo pipefail

usage() { echo "usage: $0 start|stop|status STATE_DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
state=$(mkdir -p "$2" && cd "$2" && pwd)
conf=$state/slurm.conf
etc_conf=${SLURM_LOCAL_ETC_CONF:-/etc/slurm/slurm.conf}
daemons=(slurmd slurmctld munged)  # stop order

stop() {
    local name pid i
    for name in "${daemons[@]}"; do
        [ -s "$state/$name.pid" ] || continue
        pid=$(cat "$state/$name.pid")
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid"
            for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
            kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
        fi
        rm -f "$state/$name.pid"
    done
    if [ -L "$etc_conf" ] && [ "$(readlink "$etc_conf")" = "$conf" ]; then rm -f "$etc_conf"; fi
}

# True when $etc_conf is a link left by another `start` whose slurmctld is gone (a killed run):
# dangling, or to a slurm.conf this script wrote next to a slurmctld.pid of no live process.
stale_link() {
    local pid
    [ -L "$etc_conf" ] || return 1
    [ -e "$etc_conf" ] || return 0  # follows the link, relative or not
    head -n 1 "$etc_conf" | grep -q '^# Written by tools/slurm_local.sh' || return 1
    pid=$(cat "$(dirname "$(readlink -f "$etc_conf")")/slurmctld.pid" 2>/dev/null || true)
    ! { [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
}

fail() {
    echo "slurm_local: $1" >&2
    for log in munged slurmctld slurmd; do
        [ -f "$state/$log.log" ] && { echo "--- $state/$log.log" >&2; tail -n 20 "$state/$log.log" >&2; }
    done
    stop
    exit 1
}

start() {
    [ "$(id -u)" -eq 0 ] || { echo "slurm_local: needs root (slurmd)" >&2; exit 3; }
    local cmd
    for cmd in munged mungekey slurmctld slurmd sinfo sbatch; do
        command -v "$cmd" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin
        command -v "$cmd" >/dev/null 2>&1 || {
            echo "slurm_local: $cmd not found: apt-get install slurm-wlm munge" >&2; exit 3;
        }
    done
    stop  # a previous run in the same STATE_DIR
    local host cpus mem_mb gpus node_gres=""
    host=$(hostname -s)
    gpus=${SLURM_LOCAL_GPUS:-0}
    cpus=$(nproc)
    mem_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 9 / 10 ))
    mkdir -p "$state/munge" "$state/spool" "$state/ctld"
    chmod 700 "$state/munge"
    [ -s "$state/munge/munge.key" ] || mungekey --create --keyfile="$state/munge/munge.key" \
        >/dev/null 2>&1 || dd if=/dev/urandom of="$state/munge/munge.key" bs=1024 count=1 status=none
    chmod 600 "$state/munge/munge.key"
    rm -f "$state/gres.conf"
    if [ "$gpus" -gt 0 ]; then
        node_gres=" Gres=gpu:$gpus"
        for i in $(seq 0 $((gpus - 1))); do
            echo "NodeName=$host Name=gpu File=/dev/null  # fake GPU $i" >>"$state/gres.conf"
        done
    fi
    cat >"$conf" <<EOF
# Written by tools/slurm_local.sh: one node ($host), no accounting, no cgroups.
ClusterName=genosynth-local
SlurmctldHost=$host
AuthType=auth/munge
AuthInfo=socket=$state/munge/munge.socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
SlurmctldPort=${SLURM_LOCAL_CTLD_PORT:-16817}
SlurmdPort=${SLURM_LOCAL_SLURMD_PORT:-16818}
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
MpiDefault=none
ReturnToService=2
MinJobAge=600
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
$( [ "$gpus" -gt 0 ] && echo "GresTypes=gpu" )
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb${node_gres} State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
    cat >"$state/cgroup.conf" <<EOF
# Written by tools/slurm_local.sh: proctrack/linuxproc and task/none use no cgroups.
CgroupPlugin=autodetect
IgnoreSystemd=yes
EOF
    echo "export SLURM_CONF=$conf" >"$state/env.sh"
    if [ ! -L "$etc_conf" ] || [ "$(readlink "$etc_conf")" != "$conf" ]; then
        if stale_link; then
            echo "slurm_local: replacing $etc_conf, left by a stopped run ($(readlink "$etc_conf"))"
            rm -f "$etc_conf"
        fi
        if [ -e "$etc_conf" ] || [ -L "$etc_conf" ]; then
            echo "slurm_local: $etc_conf exists (a real SLURM?): not replacing it" >&2; exit 3
        fi
        mkdir -p "$(dirname "$etc_conf")"
        ln -s "$conf" "$etc_conf"
    fi
    export SLURM_CONF=$conf

    munged --key-file="$state/munge/munge.key" --socket="$state/munge/munge.socket" \
        --pid-file="$state/munged.pid" --log-file="$state/munged.log" \
        --seed-file="$state/munge/munged.seed" --force \
        || fail "munged did not start"
    slurmctld -f "$conf" || fail "slurmctld did not start"
    slurmd -f "$conf" || fail "slurmd did not start"
    local i
    for i in $(seq 60); do
        if [ "$(sinfo -h -N -o '%T' 2>/dev/null | head -n 1)" = "idle" ]; then
            echo "slurm_local: node $host idle ($cpus CPUs, $mem_mb MB); source $state/env.sh"
            return 0
        fi
        sleep 1
    done
    fail "node $host not idle after 60 s: $(sinfo -N 2>&1 | tail -n 1)"
}

case $action in
    start) start ;;
    stop) stop ;;
    status) SLURM_CONF=$conf sinfo -N ;;
    *) usage ;;
esac
