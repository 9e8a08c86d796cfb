# test/real/devcloud/lib.sh - settings and helpers shared by up.sh, down.sh,
# check.sh and smoke.sh. Sourced, never run.
#
# Environment (all optional):
#   OAKTREE_DEVCLOUD_STATE     state dir (default /var/tmp/oaktree-devcloud)
#   OAKTREE_DEVCLOUD_PASSWORD  one password for admin/demo/service users, DB, MQ
#   OAKTREE_DEVCLOUD_DEBUG=1   debug logging in every OpenStack service
#   OAKTREE_DEVCLOUD_DB_PORT / _MQ_PORT / _MQ_DIST_PORT   MariaDB / RabbitMQ ports

# Debian's own interpreter and tools only: a pyenv/venv python first on PATH
# would not see the python3-* OpenStack packages.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
unset PYTHONPATH PYTHONHOME PYTHONSTARTUP PYTHONUSERBASE VIRTUAL_ENV PYENV_VERSION \
  OS_CLOUD OS_AUTH_URL OS_USERNAME OS_PASSWORD OS_PROJECT_NAME OS_TOKEN 2>/dev/null || true
export LC_ALL=C.UTF-8 HOME=${HOME:-/root} PYTHONNOUSERSITE=1

DEVCLOUD_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE=${OAKTREE_DEVCLOUD_STATE:-/var/tmp/oaktree-devcloud}
PW=${OAKTREE_DEVCLOUD_PASSWORD:-devcloud}
PY=/usr/bin/python3
IP=127.0.0.1

# ports (all bound to 127.0.0.1)
DB_PORT=${OAKTREE_DEVCLOUD_DB_PORT:-3306}
MQ_PORT=${OAKTREE_DEVCLOUD_MQ_PORT:-5672}
MQ_DIST_PORT=${OAKTREE_DEVCLOUD_MQ_DIST_PORT:-25672}
EPMD_PORT=4369
KEYSTONE_PORT=5000
GLANCE_PORT=9292
PLACEMENT_PORT=8778
NOVA_PORT=8774
NEUTRON_PORT=9696
CINDER_PORT=8776

ETC=$STATE/etc LOG=$STATE/log RUN=$STATE/run DATA=$STATE/data BIN=$STATE/bin LIB=$STATE/lib
CLOUDS_YAML=$STATE/clouds.yaml
COMPUTE_HOST=devcloud-compute
MQ_NODE=oaktree-devcloud@localhost

# Every process up.sh starts, in start order. down.sh stops them in reverse.
SERVICES="mariadb rabbitmq keystone placement glance-api nova-api neutron-server
 nova-conductor nova-scheduler nova-compute cinder-api cinder-scheduler cinder-volume"

say() { echo ">>> $*"; }
warn() { echo "!!! $*" >&2; }
die() { echo "!!! $*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }

# pid file of a service; the pid is a session/process-group leader (setsid)
pidfile() { echo "$RUN/$1.pid"; }
alive() { local f; f=$(pidfile "$1"); [ -s "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; }

# rabbitmqctl for our node (its own HOME keeps the erlang cookie in the state dir)
rmqctl() {
  HOME=$DATA/rabbitmq ERL_EPMD_ADDRESS=$IP ERL_EPMD_PORT=$EPMD_PORT \
    /usr/lib/rabbitmq/bin/rabbitmqctl -n "$MQ_NODE" "$@"
}
# root client over the private socket
sql() { mariadb --socket="$RUN/mysqld.sock" -uroot "$@"; }

# stop_service NAME: stop the process group recorded in NAME's pid file
# (TERM, up to 30 s, then KILL). Prints what it did; never looks processes up by name.
stop_service() {
  local name=$1 f pid i t
  t=$(now); f=$(pidfile "$name")
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "$name: was not running (stale pid $pid)"; rm -f "$f" "$RUN/$name.fp"; return 0
  fi
  if [ "$(ps -o pgid= -p "$pid" | tr -d ' ')" = "$pid" ]; then
    kill -TERM -- "-$pid" 2>/dev/null
  else
    kill -TERM "$pid" 2>/dev/null
  fi
  for i in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$name: still running after 30 s, sending KILL"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
  fi
  kill -KILL -- "-$pid" 2>/dev/null || true   # forked workers left in the group
  rm -f "$f" "$RUN/$name.fp"
  echo "$name: stopped (pid $pid, $(elapsed "$t")s)"
}
