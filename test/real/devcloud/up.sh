#!/usr/bin/env bash
# test/real/devcloud/up.sh - install, configure and start a small but real
# OpenStack (Debian 12 "Zed" packages) on 127.0.0.1 for oaktree's real-cloud
# tests: keystone, glance, placement, nova (fake virt driver), neutron (ML2,
# no agents), cinder (fake driver), on MariaDB + RabbitMQ. No systemd, no
# containers: every process runs from the state dir and is tracked by a pid file.
#
#   sudo bash test/real/devcloud/up.sh      # idempotent; a re-run on a running cloud is fast
#   OAKTREE_DEVCLOUD_STATE=/dir ...         # state dir (default /var/tmp/oaktree-devcloud)
#   OAKTREE_DEVCLOUD_SKIP_APT=1 ...         # never touch apt
#   OAKTREE_DEVCLOUD_DEBUG=1 ...            # debug logging in all services
#
# See README.md next to this file.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ "$(id -u)" = 0 ] || die "up.sh must run as root (it installs packages and runs the services)"
DEBUG=$([ "${OAKTREE_DEVCLOUD_DEBUG:-0}" = 1 ] && echo true || echo false)
DBURL="mysql+pymysql://devcloud:$PW@$IP:$DB_PORT"
MQURL="rabbit://devcloud:$PW@$IP:$MQ_PORT/"
KS_URL="http://$IP:$KEYSTONE_PORT/v3"

T_START=$(now)
TIMINGS=()
# phase NAME: start timing a phase; done_phase closes it
phase() { PHASE=$1; PHASE_T=$(now); echo; say "[$PHASE]"; }
done_phase() {
  local s; s=$(elapsed "$PHASE_T")
  TIMINGS+=("$(printf '%-28s %6ss' "$PHASE" "$s")"); say "[$PHASE] done in ${s}s"
}

mkdir -p "$ETC" "$LOG" "$RUN" "$DATA" "$BIN" "$LIB"
chmod 700 "$STATE"
# one up.sh at a time per state dir (services are started with fd 9 closed)
exec 9>"$RUN/up.lock"
flock -n 9 || { say "another up.sh is running on $STATE: waiting"; flock -w 900 9 || die "gave up waiting"; }

###############################################################################
# packages
###############################################################################
PACKAGES="mariadb-server mariadb-client rabbitmq-server uwsgi-core uwsgi-plugin-python3
 python3-pymysql python3-openstackclient python3-openstacksdk curl jq
 python3-keystone python3-glance python3-placement python3-nova python3-neutron python3-cinder"

install_packages() {
  local missing="" p
  for p in $PACKAGES; do
    [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)" = "ii " ] || missing="$missing $p"
  done
  if [ -z "$missing" ]; then say "all packages installed"; return 0; fi
  say "installing:$missing (log: $LOG/apt.log)"
  # Maintainer scripts must not start the distro's own daemons: we run our own
  # instances. policy-rc.d exit 101 = "action forbidden".
  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [ ! -e $policy ]; then printf '#!/bin/sh\nexit 101\n' >$policy; chmod 755 $policy; made_policy=1; fi
  export DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true
  local rc=0
  { apt-get update -q &&
    apt-get install -y -q --no-install-recommends \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold $PACKAGES
  } >>"$LOG/apt.log" 2>&1 || rc=$?
  [ $made_policy = 1 ] && rm -f $policy
  [ $rc = 0 ] || { tail -20 "$LOG/apt.log"; die "apt failed (see $LOG/apt.log)"; }
}

phase packages
if [ "${OAKTREE_DEVCLOUD_SKIP_APT:-0}" = 1 ]; then say "OAKTREE_DEVCLOUD_SKIP_APT=1: not touching apt"
else install_packages; fi
done_phase

###############################################################################
# process helpers
###############################################################################
# write FILE from stdin, only if the content changed (stable fingerprints)
put() {
  local tmp; tmp=$(mktemp -p "$RUN" .put.XXXXXX); cat >"$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else chmod 600 "$tmp"; mv -f "$tmp" "$1"; fi
}
# fingerprint of a command line plus the files it reads
fingerprint() { # "dirs..." cmd...
  local dirs=$1; shift
  { printf '%s\n' "$@"
    [ -z "$dirs" ] || find $dirs -type f -print0 2>/dev/null | sort -z | xargs -0 -r cat; } \
    | sha256sum | cut -c1-16
}
# start_service NAME "CONFIG DIRS" CMD...: run CMD in its own session with
# output to $LOG/NAME.log. Already running with the same fingerprint: nothing
# to do. Running with an older config: restart it.
start_service() {
  local name=$1 dirs=$2; shift 2
  local fp; fp=$(fingerprint "$dirs" "$@")
  if alive "$name"; then
    if [ "$(cat "$RUN/$name.fp" 2>/dev/null)" = "$fp" ]; then
      say "$name: running (pid $(cat "$(pidfile "$name")"))"; STARTED=0; return 0
    fi
    say "$name: config changed, restarting"; stop_service "$name"
  fi
  echo "==== $(date -Is) up.sh starts: $*" >>"$LOG/$name.log"
  setsid "$@" >>"$LOG/$name.log" 2>&1 </dev/null 9>&- &
  echo $! >"$(pidfile "$name")"; echo "$fp" >"$RUN/$name.fp"; STARTED=1
  say "$name: started (pid $!, log $LOG/$name.log)"
}
# uwsgi_service NAME PORT WSGI-FILE CONFIG-DIR PROCESSES THREADS [ENV=VAL...]
uwsgi_service() {
  local name=$1 port=$2 file=$3 dir=$4 procs=$5 threads=$6; shift 6
  local envs=() e; for e in "$@"; do envs+=(--env "$e"); done
  start_service "$name" "$dir $file" uwsgi-core --plugin python3 --http-socket "$IP:$port" \
    --master --processes "$procs" --threads "$threads" --enable-threads --lazy-apps --need-app \
    --die-on-term --hook-master-start "unix_signal:15 gracefully_kill_them_all" \
    --skip-atexit-teardown --worker-reload-mercy 5 --reload-mercy 8 --buffer-size 65535 \
    --add-header "Connection: close" --procname-prefix-spaced "oaktree-devcloud-$name" \
    --wsgi-file "$file" "${envs[@]}"
}
# wait_http NAME URL [TIMEOUT]: until the URL answers (any 2xx/3xx/401)
wait_http() {
  local name=$1 u=$2 to=${3:-120} t code; t=$(now)
  while :; do
    code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$u" || true)
    case $code in 2??|3??|401) say "$name answers on $u ($(elapsed "$t")s)"; return 0;; esac
    alive "$name" || { tail -30 "$LOG/$name.log"; die "$name died (log $LOG/$name.log)"; }
    [ "$(awk -v a="$t" -v b="$(now)" -v to="$to" 'BEGIN{print (b-a>to)}')" = 1 ] && break
    sleep 0.25
  done
  tail -30 "$LOG/$name.log"; die "$name does not answer on $u after ${to}s (log $LOG/$name.log)"
}
# BIN/NAME: run MODULE.main() with Debian's python (the python3-* packages ship
# the modules but not the daemons' scripts; those come with systemd units)
py_main() { # name module [extra sys.path dir]
  { printf '#!%s\nimport sys\n' "$PY"
    [ -n "${3:-}" ] && printf 'sys.path.insert(0, %s)\n' "'$3'"
    printf 'from %s import main\nsys.exit(main())\n' "$2"; } | put "$BIN/$1"
  chmod 755 "$BIN/$1"
}
py_wsgi() { # name python-source-defining-application
  printf '# wsgi entry point written by up.sh\n%s\n' "$2" | put "$BIN/$1.wsgi"
}

phase "entry points"
# our ML2 driver, registered as an entry point via a minimal dist-info dir
put "$LIB/oaktree_devcloud_ml2.py" <"$DEVCLOUD_DIR/oaktree_devcloud_ml2.py"
mkdir -p "$LIB/oaktree_devcloud_ml2-1.0.dist-info"
printf 'Metadata-Version: 2.1\nName: oaktree-devcloud-ml2\nVersion: 1.0\n' \
  | put "$LIB/oaktree_devcloud_ml2-1.0.dist-info/METADATA"
printf '[neutron.ml2.mechanism_drivers]\noaktree_bindall = oaktree_devcloud_ml2:BindAllDriver\n' \
  | put "$LIB/oaktree_devcloud_ml2-1.0.dist-info/entry_points.txt"
py_main nova-manage       nova.cmd.manage
py_main nova-conductor    nova.cmd.conductor
py_main nova-scheduler    nova.cmd.scheduler
py_main nova-compute      nova.cmd.compute
py_main glance-manage     glance.cmd.manage
py_main glance-api        glance.cmd.api
py_main placement-manage  placement.cmd.manage
py_main neutron-db-manage neutron.db.migration.cli
py_main neutron-server    neutron.cmd.eventlet.server "$LIB"
py_main cinder-manage     cinder.cmd.manage
py_main cinder-scheduler  cinder.cmd.scheduler
py_main cinder-volume     cinder.cmd.volume
py_wsgi keystone  'from keystone.server.wsgi import initialize_public_application
application = initialize_public_application()'
py_wsgi placement 'from placement.wsgi import init_application
application = init_application()'
py_wsgi nova-api  'from nova.api.openstack.compute.wsgi import init_application
application = init_application()'
py_wsgi cinder-api "import sys
sys.argv = [sys.argv[0], '--config-file', '$ETC/cinder/cinder.conf']
from cinder.wsgi.wsgi import initialize_application
application = initialize_application()"
done_phase

###############################################################################
# MariaDB: own datadir and socket, TCP on 127.0.0.1 only
###############################################################################
phase mariadb
if [ ! -d "$DATA/mysql/mysql" ]; then
  mkdir -p "$DATA/mysql"
  mariadb-install-db --no-defaults --user=root --datadir="$DATA/mysql" \
    --auth-root-authentication-method=socket --skip-test-db >"$LOG/mariadb-install.log" 2>&1 \
    || die "mariadb-install-db failed (see $LOG/mariadb-install.log)"
fi
start_service mariadb "" mariadbd --no-defaults --user=root --datadir="$DATA/mysql" \
  --socket="$RUN/mysqld.sock" --pid-file="$RUN/mariadbd.pid" --port="$DB_PORT" --bind-address=$IP \
  --skip-name-resolve --performance-schema=OFF --innodb-buffer-pool-size=64M \
  --innodb-flush-log-at-trx-commit=2 --max-connections=1000 \
  --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci
for _ in $(seq 1 120); do sql -e 'select 1' >/dev/null 2>&1 && break
  alive mariadb || { tail -20 "$LOG/mariadb.log"; die "mariadb died"; }; sleep 0.25; done
sql -e 'select 1' >/dev/null 2>&1 || { tail -20 "$LOG/mariadb.log"; die "mariadb does not answer"; }
{ for d in keystone glance placement nova_api nova nova_cell0 neutron cinder; do
    echo "CREATE DATABASE IF NOT EXISTS $d;"; done
  for h in 127.0.0.1 localhost; do
    echo "CREATE USER IF NOT EXISTS 'devcloud'@'$h' IDENTIFIED BY '$PW';"
    echo "ALTER USER 'devcloud'@'$h' IDENTIFIED BY '$PW';"
    echo "GRANT ALL PRIVILEGES ON *.* TO 'devcloud'@'$h';"; done
} | sql
done_phase

###############################################################################
# RabbitMQ: own node, epmd and distribution port on 127.0.0.1
###############################################################################
phase rabbitmq
mkdir -p "$DATA/rabbitmq" "$ETC/rabbitmq" "$LOG/rabbitmq"
put "$ETC/rabbitmq/rabbitmq.conf" <<EOF
listeners.tcp.default = $IP:$MQ_PORT
loopback_users = none
vm_memory_high_watermark.absolute = 512MiB
disk_free_limit.absolute = 50MB
log.file.level = warning
EOF
echo '[].' | put "$ETC/rabbitmq/enabled_plugins"
: | put "$ETC/rabbitmq/rabbitmq-env.conf"
export ERL_EPMD_ADDRESS=$IP ERL_EPMD_PORT=$EPMD_PORT
# The erlang port mapper: start our own (foreground, so it has a pid file)
# unless one already listens - then the node registers with that one.
if alive epmd || ! epmd -names >/dev/null 2>&1; then
  start_service epmd "" epmd -address $IP -port $EPMD_PORT
  for _ in $(seq 1 40); do epmd -names >/dev/null 2>&1 && break; sleep 0.1; done
fi
export RABBITMQ_CONF_ENV_FILE=$ETC/rabbitmq/rabbitmq-env.conf \
  RABBITMQ_CONFIG_FILE=$ETC/rabbitmq/rabbitmq \
  RABBITMQ_ENABLED_PLUGINS_FILE=$ETC/rabbitmq/enabled_plugins \
  RABBITMQ_MNESIA_BASE=$DATA/rabbitmq/mnesia RABBITMQ_LOG_BASE=$LOG/rabbitmq \
  RABBITMQ_PID_FILE=$RUN/rabbitmq-beam.pid RABBITMQ_NODENAME=$MQ_NODE \
  RABBITMQ_NODE_IP_ADDRESS=$IP RABBITMQ_NODE_PORT=$MQ_PORT RABBITMQ_DIST_PORT=$MQ_DIST_PORT \
  RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="+S 2:2 +A 8 -kernel inet_dist_use_interface {127,0,0,1}"
HOME=$DATA/rabbitmq start_service rabbitmq "$ETC/rabbitmq" /usr/lib/rabbitmq/bin/rabbitmq-server
# Each rabbitmqctl call boots an erlang VM (~0.7 s): on a re-run with the node
# already up and the user set up for this password, a TCP probe is enough.
MQ_USER_STAMP=$(echo "$PW" | sha256sum | cut -c1-16)
if [ $STARTED = 0 ] && [ "$(cat "$DATA/rabbitmq/user.stamp" 2>/dev/null)" = "$MQ_USER_STAMP" ] &&
   (exec 3<>"/dev/tcp/$IP/$MQ_PORT") 2>/dev/null; then
  say "rabbitmq: answers on $IP:$MQ_PORT, user devcloud set up"
else
  # await_startup fails at once until the node has registered with epmd: retry
  for _ in $(seq 1 240); do
    rmqctl -q -t 60 await_startup >/dev/null 2>&1 && break
    alive rabbitmq || { tail -20 "$LOG/rabbitmq.log"; die "rabbitmq died (log $LOG/rabbitmq.log)"; }
    sleep 0.5
  done
  rmqctl -q -t 5 await_startup || { tail -20 "$LOG/rabbitmq.log"; die "rabbitmq does not start"; }
  if rmqctl -q list_users 2>/dev/null | grep -q '^devcloud\b'; then
    rmqctl -q change_password devcloud "$PW" >/dev/null
  else
    rmqctl -q add_user devcloud "$PW" >/dev/null
  fi
  rmqctl -q set_permissions -p / devcloud '.*' '.*' '.*' >/dev/null
  echo "$MQ_USER_STAMP" >"$DATA/rabbitmq/user.stamp"
fi
done_phase

###############################################################################
# configuration files
###############################################################################
phase "config files"
source "$DEVCLOUD_DIR/config.sh"
write_configs
done_phase

###############################################################################
# database schemas: in parallel, skipped when nothing changed since last time
###############################################################################
KSM() { keystone-manage --config-file "$ETC/keystone/keystone.conf" "$@"; }
NOVA_MANAGE() { "$BIN/nova-manage" --config-file "$ETC/nova/nova.conf" "$@"; }
run_logged() { # name cmd... -> output to $LOG/db-NAME.log, tail on failure
  local name=$1; shift
  echo "==== $(date -Is) $*" >>"$LOG/db-$name.log"
  "$@" >>"$LOG/db-$name.log" 2>&1 || { warn "FAILED: $*"; tail -20 "$LOG/db-$name.log" >&2; return 1; }
}
db_keystone() {
  run_logged keystone KSM db_sync &&
  run_logged keystone KSM fernet_setup --keystone-user root --keystone-group root &&
  run_logged keystone KSM credential_setup --keystone-user root --keystone-group root &&
  run_logged keystone KSM bootstrap --bootstrap-password "$PW" --bootstrap-project-name admin \
    --bootstrap-username admin --bootstrap-role-name admin --bootstrap-region-id RegionOne \
    --bootstrap-admin-url "$KS_URL/" --bootstrap-internal-url "$KS_URL/" --bootstrap-public-url "$KS_URL/"
}
db_nova() {
  run_logged nova NOVA_MANAGE api_db sync &&
  run_logged nova NOVA_MANAGE cell_v2 map_cell0 --database_connection "$DBURL/nova_cell0" &&
  run_logged nova NOVA_MANAGE db sync || return 1
  local cells; cells=$(NOVA_MANAGE cell_v2 list_cells 2>/dev/null || true)
  grep -q ' cell1 ' <<<"$cells" || run_logged nova NOVA_MANAGE cell_v2 create_cell --name cell1
}
# the schemas depend on the package versions and the config
DB_STAMP=$( { dpkg-query -W $PACKAGES 2>/dev/null; cat "$ETC"/*/*.conf "$ETC"/neutron/*.ini; } | sha256sum | cut -c1-16)
DB_DONE=0
[ "$(cat "$DATA/db.stamp" 2>/dev/null)" = "$DB_STAMP" ] && DB_DONE=1

phase "keystone schema+bootstrap"
if [ $DB_DONE = 1 ]; then
  say "schemas up to date (stamp $DB_STAMP): skipping all db syncs"
else
  db_keystone & P_KS=$!
  run_logged glance "$BIN/glance-manage" --config-file "$ETC/glance/glance-api.conf" db_sync & P_GL=$!
  run_logged placement "$BIN/placement-manage" --config-file "$ETC/placement/placement.conf" db sync & P_PL=$!
  run_logged neutron "$BIN/neutron-db-manage" --config-file "$ETC/neutron/neutron.conf" \
    --config-file "$ETC/neutron/ml2_conf.ini" upgrade heads & P_NE=$!
  db_nova & P_NO=$!
  run_logged cinder "$BIN/cinder-manage" --config-file "$ETC/cinder/cinder.conf" db sync & P_CI=$!
  wait $P_KS || die "keystone db setup failed (log $LOG/db-keystone.log)"
fi
done_phase

###############################################################################
# keystone, then users and catalog
###############################################################################
phase "keystone up"
uwsgi_service keystone $KEYSTONE_PORT "$BIN/keystone.wsgi" "$ETC/keystone $DATA/keystone" 1 2 \
  OS_KEYSTONE_CONFIG_DIR="$ETC/keystone" OS_KEYSTONE_CONFIG_FILES=keystone.conf
wait_http keystone "$KS_URL"
done_phase

write_clouds_yaml() {
  local cloud user project
  { echo "# written by oaktree test/real/devcloud/up.sh - do not edit, it is rewritten"
    echo "clouds:"
    for cloud in devcloud-admin devcloud; do
      if [ $cloud = devcloud-admin ]; then user=admin project=admin; else user=demo project=demo; fi
      cat <<EOF
  $cloud:
    auth:
      auth_url: $KS_URL
      username: $user
      password: $PW
      project_name: $project
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    identity_api_version: 3
    interface: public
EOF
    done; } | put "$CLOUDS_YAML"
}
write_clouds_yaml
export OS_CLIENT_CONFIG_FILE=$CLOUDS_YAML DEVCLOUD_PASSWORD=$PW
export DEVCLOUD_URL_IMAGE=http://$IP:$GLANCE_PORT DEVCLOUD_URL_PLACEMENT=http://$IP:$PLACEMENT_PORT \
  DEVCLOUD_URL_COMPUTE=http://$IP:$NOVA_PORT/v2.1 DEVCLOUD_URL_NETWORK=http://$IP:$NEUTRON_PORT \
  DEVCLOUD_URL_VOLUME="http://$IP:$CINDER_PORT/v3/%(project_id)s"

phase "identity bootstrap"
$PY "$DEVCLOUD_DIR/bootstrap.py" identity || die "identity bootstrap failed"
done_phase

phase "db syncs (wall)"
if [ $DB_DONE = 0 ]; then
  wait $P_GL || die "glance db sync failed (log $LOG/db-glance.log)"
  wait $P_PL || die "placement db sync failed (log $LOG/db-placement.log)"
  wait $P_NE || die "neutron db sync failed (log $LOG/db-neutron.log)"
  wait $P_NO || die "nova db setup failed (log $LOG/db-nova.log)"
  wait $P_CI || die "cinder db sync failed (log $LOG/db-cinder.log)"
  echo "$DB_STAMP" >"$DATA/db.stamp"
fi
done_phase

###############################################################################
# the other services
###############################################################################
phase "services up"
uwsgi_service placement $PLACEMENT_PORT "$BIN/placement.wsgi" "$ETC/placement" 1 2 \
  OS_PLACEMENT_CONFIG_DIR="$ETC/placement"
start_service glance-api "$ETC/glance $BIN/glance-api" \
  "$BIN/glance-api" --config-file "$ETC/glance/glance-api.conf"
# nova-api: processes x 1 thread (see README: threads lose RPC replies)
uwsgi_service nova-api $NOVA_PORT "$BIN/nova-api.wsgi" "$ETC/nova" 2 1 \
  OS_NOVA_CONFIG_DIR="$ETC/nova" "OS_NOVA_CONFIG_FILES=api-paste.ini;nova.conf"
start_service neutron-server "$ETC/neutron $LIB $BIN/neutron-server" "$BIN/neutron-server" \
  --config-file "$ETC/neutron/neutron.conf" --config-file "$ETC/neutron/ml2_conf.ini"
for s in conductor scheduler; do
  start_service nova-$s "$ETC/nova" "$BIN/nova-$s" --config-file "$ETC/nova/nova.conf"
done
start_service nova-compute "$ETC/nova" "$BIN/nova-compute" --config-file "$ETC/nova/nova-compute.conf"
uwsgi_service cinder-api $CINDER_PORT "$BIN/cinder-api.wsgi" "$ETC/cinder" 1 2 \
  OS_CINDER_CONFIG_DIR="$ETC/cinder"
for s in scheduler volume; do
  start_service cinder-$s "$ETC/cinder" "$BIN/cinder-$s" --config-file "$ETC/cinder/cinder.conf"
done
wait_http placement "http://$IP:$PLACEMENT_PORT/" 180
wait_http glance-api "http://$IP:$GLANCE_PORT/" 180
wait_http nova-api "http://$IP:$NOVA_PORT/" 180
wait_http neutron-server "http://$IP:$NEUTRON_PORT/" 180
wait_http cinder-api "http://$IP:$CINDER_PORT/" 180
done_phase

phase "compute host mapped"
# nova-compute registers itself and its resource provider; then map the host
# into cell1 (the scheduler only considers mapped hosts)
t=$(now)
while :; do
  mapped=$(sql -N -e "SELECT COUNT(*) FROM nova_api.host_mappings WHERE host='$COMPUTE_HOST'")
  inv=$(sql -N -e "SELECT COUNT(*) FROM placement.inventories")
  [ "$mapped" -ge 1 ] && [ "$inv" -ge 1 ] && break
  if [ "$(sql -N -e "SELECT COUNT(*) FROM nova.compute_nodes WHERE host='$COMPUTE_HOST' AND deleted=0")" -ge 1 ]; then
    NOVA_MANAGE cell_v2 discover_hosts >>"$LOG/db-nova.log" 2>&1 || true
  fi
  alive nova-compute || { tail -30 "$LOG/nova-compute.log"; die "nova-compute died (log $LOG/nova-compute.log)"; }
  [ "$(awk -v a="$t" -v b="$(now)" 'BEGIN{print (b-a>180)}')" = 1 ] &&
    die "nova-compute did not register within 180 s (log $LOG/nova-compute.log)"
  sleep 0.5
done
done_phase

phase "services reporting"
# After a restart with kept state, nova and cinder show a service as down until its first heartbeat after the
# restart: wait for every service's heartbeat to be fresh, so that check.sh (and the tests) right after pass.
t=$(now)
while :; do
  # (nova-osapi_compute has a service record but never sends a heartbeat: only the services that do count.)
  stale=$(sql -N -e "SELECT (SELECT COUNT(*) FROM nova.services WHERE deleted=0 AND \`binary\` IN ('nova-compute','nova-conductor','nova-scheduler') AND (updated_at IS NULL OR updated_at < UTC_TIMESTAMP() - INTERVAL 50 SECOND)) + (SELECT COUNT(*) FROM cinder.services WHERE deleted=0 AND \`binary\` IN ('cinder-scheduler','cinder-volume') AND (updated_at IS NULL OR updated_at < UTC_TIMESTAMP() - INTERVAL 50 SECOND))")
  [ "$stale" = 0 ] && break
  [ "$(awk -v a="$t" -v b="$(now)" 'BEGIN{print (b-a>120)}')" = 1 ] &&
    die "$stale nova/cinder service(s) sent no heartbeat within 120 s (logs in $LOG)"
  sleep 1
done
done_phase

phase "flavors/image/networks"
$PY "$DEVCLOUD_DIR/bootstrap.py" resources || die "resource bootstrap failed"
done_phase

phase "swift (object-store)"
bash "$DEVCLOUD_DIR/swift.sh" || die "swift failed (see $STATE/swift/log)"
done_phase

###############################################################################
TOTAL=$(elapsed "$T_START")
{ echo "# up.sh phase timings, $(date -Is)"
  printf '%s\n' "${TIMINGS[@]}"
  printf '%-28s %6ss\n' TOTAL "$TOTAL"; } | tee "$STATE/timings.txt"
cat <<EOF

oaktree devcloud is up (total ${TOTAL}s).
  clouds.yaml : $CLOUDS_YAML   (clouds: devcloud-admin = admin, devcloud = demo member)
  logs        : $LOG/<service>.log
  state       : $STATE
  health      : bash $DEVCLOUD_DIR/check.sh      stop: bash $DEVCLOUD_DIR/down.sh
  use         : OS_CLIENT_CONFIG_FILE=$CLOUDS_YAML /usr/bin/openstack --os-cloud devcloud server list
EOF
