#!/usr/bin/env bash
# Install and start a single-node Slurm on this machine, for the tests of the Slurm executor
# (tests/test_engine_slurm.py): munge, slurmctld and slurmd on localhost, one partition
# "xitt" with 2 CPUs and a pretend GPU as a generic resource (gres gpu:1, no device behind it).
#
# Idempotent: returns at once when that cluster already answers. Needs root (apt-get, daemons).
# It writes /etc/slurm/slurm.conf only when none exists or the one there is its own (the
# marker line below), so it never overwrites a real cluster's configuration.
set -euo pipefail

MARKER="# written by xitt .ci/slurm-up.sh"
CONF=/etc/slurm/slurm.conf
NODE=$(hostname -s)

answers() { timeout 10 sinfo --noheader --partition=xitt --format=%T 2>/dev/null | grep -qE 'idle|mix|alloc'; }

if command -v sinfo >/dev/null && answers; then
    echo "slurm-up: the single-node cluster already answers"; exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "slurm-up: needs root (installs slurm-wlm and munge, starts daemons)" >&2; exit 1
fi
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    echo "slurm-up: installing slurm-wlm and munge"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q slurm-wlm munge >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q slurm-wlm munge >/dev/null; }
fi

# munge: the key the package made, a daemon running as its own user
if [ ! -s /etc/munge/munge.key ]; then
    mungekey --create --force 2>/dev/null || dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
    chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key
fi
mkdir -p /run/munge /var/log/munge /var/lib/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge
if ! munge -n >/dev/null 2>&1; then
    runuser -u munge -- /usr/sbin/munged
    for _ in $(seq 50); do munge -n >/dev/null 2>&1 && break; sleep 0.1; done
fi

if [ -e "$CONF" ] && ! grep -qF "$MARKER" "$CONF"; then
    echo "slurm-up: $CONF exists and is not ours; not touching it" >&2; exit 1
fi
MEM=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
NEW=$(mktemp)
cat > "$NEW" <<CONF_END
$MARKER
ClusterName=xitt
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
# no cgroups in a container: plain process tracking, no task confinement, no accounting daemon
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# a cancelled job is killed 2 s after SIGTERM (default 30), and scheduling is prompt
KillWait=2
MinJobAge=600
SchedulerParameters=sched_min_interval=100000
ReturnToService=2
GresTypes=gpu
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=2 RealMemory=$MEM Gres=gpu:1 State=UNKNOWN
PartitionName=xitt Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
CONF_END
# the pretend GPU: /dev/null stands for its device file, nothing is detected
cat >> "$NEW" <<CONF_END
#GRES
$MARKER
AutoDetect=off
NodeName=$NODE Name=gpu File=/dev/null
CONF_END

# slurm.conf and gres.conf are kept together in $NEW (split at #GRES); a change restarts the daemons
if ! cmp -s "$NEW" /etc/slurm/.xitt-slurm-up; then
    sed '/^#GRES$/,$d' "$NEW" > "$CONF"
    sed '1,/^#GRES$/d' "$NEW" > /etc/slurm/gres.conf
    for daemon in slurmctld slurmd; do
        if [ -s /run/$daemon.pid ] && kill "$(cat /run/$daemon.pid)" 2>/dev/null; then
            for _ in $(seq 50); do kill -0 "$(cat /run/$daemon.pid)" 2>/dev/null || break; sleep 0.1; done
        fi
    done
    cp "$NEW" /etc/slurm/.xitt-slurm-up
fi
rm -f "$NEW"
pgrep -x slurmctld >/dev/null || setsid slurmctld
pgrep -x slurmd >/dev/null || setsid slurmd
for _ in $(seq 100); do answers && break; sleep 0.2; done
if ! answers; then
    scontrol update nodename="$NODE" state=resume 2>/dev/null || true
    for _ in $(seq 50); do answers && break; sleep 0.2; done
fi
if answers; then
    echo "slurm-up: partition xitt on $NODE: 2 CPUs, gres gpu:1 (pretend)"
else
    echo "slurm-up: the cluster did not come up; see /var/log/slurm/" >&2
    sinfo >&2 || true; tail -n 5 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
    exit 1
fi
