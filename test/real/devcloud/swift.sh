#!/usr/bin/env bash
# test/real/devcloud/swift.sh - OpenStack Swift (Debian 12 packages, 2.30) for the
# devcloud: proxy with Keystone auth on 127.0.0.1:8080, account/container/object
# servers on :6202/:6201/:6200, one replica, storage in a plain directory
# ($STATE/swift/srv). TempURL, SLO, bulk delete in the proxy pipeline.
# Idempotent, and it touches no other devcloud service: it only adds the swift
# user, the object-store service and its endpoints to Keystone.
#
#   sudo bash test/real/devcloud/swift.sh          # install/configure/start (re-run at will)
#   sudo bash test/real/devcloud/swift.sh stop     # stop the swift processes (data kept)
#   bash test/real/devcloud/swift.sh check         # health + one authenticated round trip
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SW=$STATE/swift
SW_ETC=$SW/etc SW_LOG=$SW/log SW_RUN=$SW/run SW_SRV=$SW/srv
PROXY_PORT=8080 OBJ_PORT=6200 CONT_PORT=6201 ACCT_PORT=6202
# root: the devcloud state dir is 0700, so the swift user could not read its configs there
SW_USER=root
SW_SERVERS="account-server container-server object-server proxy-server container-updater object-updater"
SW_EP="http://$IP:$PROXY_PORT/v1/AUTH_%(project_id)s"

sw_alive() { [ -s "$SW_RUN/$1.pid" ] && kill -0 "$(cat "$SW_RUN/$1.pid")" 2>/dev/null; }
sw_stop_one() {
  local pid
  sw_alive "$1" || { rm -f "$SW_RUN/$1.pid" "$SW_RUN/$1.sum"; return 0; }
  pid=$(cat "$SW_RUN/$1.pid")
  # the pid file holds a session leader started by this script: check before signalling its group
  grep -qa "swift-$1" "/proc/$pid/cmdline" 2>/dev/null || { warn "pid $pid is not swift-$1: left alone"; return 0; }
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$SW_RUN/$1.pid" "$SW_RUN/$1.sum"
}

if [ "${1:-}" = stop ]; then
  for n in $SW_SERVERS; do sw_stop_one "$n" & done; wait
  say "swift stopped (data kept in $SW)"; exit 0
fi

if [ "${1:-}" = check ]; then
  fails=0
  for p in $ACCT_PORT $CONT_PORT $OBJ_PORT $PROXY_PORT; do
    code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://$IP:$p/healthcheck" || echo 000)
    [ "$code" = 200 ] && printf '  ok    %-16s %s\n' "swift:$p" healthcheck \
      || { printf '  FAIL  %-16s %s\n' "swift:$p" "healthcheck -> $code (log $SW_LOG)" >&2; fails=$((fails + 1)); }
  done
  info=$(curl -s -m 5 "http://$IP:$PROXY_PORT/info" || true)
  for f in tempurl slo bulk_delete; do
    jq -e --arg f "$f" 'has($f)' <<<"$info" >/dev/null 2>&1 && printf '  ok    %-16s %s\n' swift-info "$f" \
      || { printf '  FAIL  %-16s %s\n' swift-info "/info lacks $f" >&2; fails=$((fails + 1)); }
  done
  exit $fails
fi

[ "$(id -u)" = 0 ] || die "swift.sh must run as root (it installs packages and runs the servers)"
umask 022
mkdir -p "$SW_ETC" "$SW_LOG" "$SW_RUN" "$SW_SRV/d1" "$SW/cache"
exec 8>"$SW_RUN/swift.lock"
flock -w 600 8 || die "another swift.sh holds $SW_RUN/swift.lock"

# 1. packages (maintainer scripts must not start the distro's daemons)
PKGS="swift swift-proxy swift-account swift-container swift-object python3-keystonemiddleware attr curl jq"
missing=""
for p in $PKGS; do [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)" = "ii " ] || missing="$missing $p"; done
if [ -n "$missing" ] && [ "${OAKTREE_DEVCLOUD_SKIP_APT:-0}" != 1 ]; then
  say "swift: installing$missing (log $SW_LOG/apt.log)"
  policy=/usr/sbin/policy-rc.d made=0
  [ -e $policy ] || { printf '#!/bin/sh\nexit 101\n' >$policy; chmod 755 $policy; made=1; }
  export DEBIAN_FRONTEND=noninteractive
  rc=0
  apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confold $missing >>"$SW_LOG/apt.log" 2>&1 ||
    { apt-get update -q >>"$SW_LOG/apt.log" 2>&1 &&
      apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confold $missing >>"$SW_LOG/apt.log" 2>&1; } || rc=$?
  [ $made = 1 ] && rm -f $policy
  [ $rc = 0 ] || die "apt failed (see $SW_LOG/apt.log)"
fi

# 2. storage: a plain directory as device d1; Swift keeps metadata in user xattrs
probe=$SW_SRV/d1/.xattr-probe
touch "$probe"
setfattr -n user.oaktree.probe -v 1 "$probe" 2>/dev/null || { rm -f "$probe"; die "no user xattrs under $SW_SRV"; }
rm -f "$probe"

# 3. swift.conf: the servers read the hash secrets from the hard-coded /etc/swift/swift.conf
[ -s "$SW_ETC/hash.secret" ] || (umask 077; echo "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n') $(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" >"$SW_ETC/hash.secret")
read -r HPREFIX HSUFFIX <"$SW_ETC/hash.secret"
cat >"$SW_ETC/swift.conf" <<EOF
# written by oaktree test/real/devcloud/swift.sh (also installed as /etc/swift/swift.conf)
[swift-hash]
swift_hash_path_prefix = $HPREFIX
swift_hash_path_suffix = $HSUFFIX
[storage-policy:0]
name = Policy-0
default = yes
[swift-constraints]
EOF
if ! cmp -s "$SW_ETC/swift.conf" /etc/swift/swift.conf; then
  [ -e /etc/swift/swift.conf.dpkg-orig ] || cp -p /etc/swift/swift.conf /etc/swift/swift.conf.dpkg-orig 2>/dev/null || true
  install -m 0644 "$SW_ETC/swift.conf" /etc/swift/swift.conf
fi

# 4. rings, built once (part power 8, 1 replica, one device)
for r in account:$ACCT_PORT container:$CONT_PORT object:$OBJ_PORT; do
  name=${r%%:*} port=${r##*:}
  [ -s "$SW_ETC/$name.ring.gz" ] && continue
  rm -f "$SW_ETC/$name.builder"
  swift-ring-builder "$SW_ETC/$name.builder" create 8 1 1 >/dev/null
  swift-ring-builder "$SW_ETC/$name.builder" add --region 1 --zone 1 --ip $IP --port "$port" --device d1 --weight 100 >/dev/null
  swift-ring-builder "$SW_ETC/$name.builder" rebalance >/dev/null || [ -s "$SW_ETC/$name.ring.gz" ] || die "ring $name"
done
chmod 0644 "$SW_ETC"/*.ring.gz

# 5. configs (no syslog here: servers run with -v and log to stderr)
server_conf() { # name port pipeline-extra
  cat <<EOF
[DEFAULT]
bind_ip = $IP
bind_port = $2
workers = 1
user = $SW_USER
swift_dir = $SW_ETC
devices = $SW_SRV
mount_check = false
disable_fallocate = true
[pipeline:main]
pipeline = healthcheck $1-server
[app:$1-server]
use = egg:swift#$1
[filter:healthcheck]
use = egg:swift#healthcheck
EOF
}
{ server_conf account $ACCT_PORT; } >"$SW_ETC/account-server.conf"
# the updaters move object counts/bytes into the container and account listings
{ server_conf container $CONT_PORT; printf '[container-updater]\ninterval = 5\n'; } >"$SW_ETC/container-server.conf"
{ server_conf object $OBJ_PORT; printf '[object-updater]\ninterval = 10\n'; } >"$SW_ETC/object-server.conf"
cat >"$SW_ETC/proxy-server.conf" <<EOF
[DEFAULT]
bind_ip = $IP
bind_port = $PROXY_PORT
workers = 1
user = $SW_USER
swift_dir = $SW_ETC
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging listing_formats bulk tempurl authtoken keystoneauth container-quotas copy slo dlo proxy-logging proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
www_authenticate_uri = http://$IP:$KEYSTONE_PORT
auth_url = http://$IP:$KEYSTONE_PORT
auth_type = password
project_domain_id = default
user_domain_id = default
project_name = service
username = swift
password = $PW
# TempURL and public-read requests carry no token
delay_auth_decision = true
service_token_roles_required = false
[filter:keystoneauth]
use = egg:swift#keystoneauth
operator_roles = admin, member, swiftoperator
reseller_admin_role = ResellerAdmin
# X-Container-Meta-Quota-Bytes/-Count, checked against the declared length and what the container holds
[filter:container-quotas]
use = egg:swift#container_quotas
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:bulk]
use = egg:swift#bulk
[filter:tempurl]
use = egg:swift#tempurl
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
EOF
# the proxy's config holds the service password
chmod 0600 "$SW_ETC/proxy-server.conf"

# 6. Keystone: user swift (admin in project service), service object-store, 3 endpoints
export OS_CLIENT_CONFIG_FILE=$CLOUDS_YAML
os() { openstack --os-cloud devcloud-admin "$@"; }
if [ "$(os endpoint list --service object-store -f value -c URL 2>/dev/null | grep -cxF "$SW_EP")" != 3 ]; then
  say "swift: registering in keystone"
  os user show swift >/dev/null 2>&1 || os user create --domain default --password "$PW" swift >/dev/null
  os role add --project service --user swift admin
  os service show object-store >/dev/null 2>&1 || os service create --name swift --description "Object Storage" object-store >/dev/null
  have=$(os endpoint list --service object-store -f value -c Interface -c URL)
  for i in public internal admin; do
    grep -qxF "$i $SW_EP" <<<"$have" || os endpoint create --region RegionOne object-store "$i" "$SW_EP" >/dev/null
  done
fi

# 7. start what is down or whose config changed (own session each: stop kills the group)
sw_start() { # name conf port|-
  local sum; sum=$(cat "$2" "$SW_ETC/swift.conf" "$SW_ETC"/*.ring.gz | md5sum | cut -c1-32)
  if sw_alive "$1" && [ "$(cat "$SW_RUN/$1.sum" 2>/dev/null)" = "$sum" ]; then say "swift $1: running"; return 0; fi
  sw_stop_one "$1"
  [ "$3" = - ] || ! ss -ltnH "sport = :$3" | grep -q . || die "port $3 is taken by something else"
  setsid "/usr/bin/swift-$1" "$2" -v >>"$SW_LOG/$1.log" 2>&1 </dev/null 8>&- 9>&- &
  echo $! >"$SW_RUN/$1.pid"; echo "$sum" >"$SW_RUN/$1.sum"
  say "swift $1: started (pid $!)"
}
sw_start account-server "$SW_ETC/account-server.conf" $ACCT_PORT
sw_start container-server "$SW_ETC/container-server.conf" $CONT_PORT
sw_start object-server "$SW_ETC/object-server.conf" $OBJ_PORT
sw_start proxy-server "$SW_ETC/proxy-server.conf" $PROXY_PORT
sw_start container-updater "$SW_ETC/container-server.conf" -
sw_start object-updater "$SW_ETC/object-server.conf" -
for p in $ACCT_PORT:account-server $CONT_PORT:container-server $OBJ_PORT:object-server $PROXY_PORT:proxy-server; do
  for _ in $(seq 150); do
    [ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://$IP:${p%%:*}/healthcheck")" = 200 ] && break
    sw_alive "${p#*:}" || { tail -20 "$SW_LOG/${p#*:}.log"; die "swift ${p#*:} died"; }
    sleep 0.2
  done
done
say "swift is up: http://$IP:$PROXY_PORT (object-store in the catalog, logs in $SW_LOG)"
