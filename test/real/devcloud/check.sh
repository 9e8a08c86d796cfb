#!/usr/bin/env bash
# test/real/devcloud/check.sh - fast health check of the devcloud (about a second):
# processes alive, token (admin + demo), catalog complete, every API answers an
# authenticated request, nova/cinder services report "up", a hypervisor exists.
# Exit 0 when healthy; otherwise prints "FAIL <service>: <why>" per problem and
# exits 1. Needs curl + jq; no root needed except to read the pid files.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KS_URL="http://$IP:$KEYSTONE_PORT/v3"
FAILS=0
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
t0=$(now)
ok() { printf '  ok    %-16s %s\n' "$1" "${2:-}"; }
fail() { printf '  FAIL  %-16s %s\n' "$1" "$2" >&2; FAILS=$((FAILS + 1)); }

# 1. processes (pid files written by up.sh)
if [ -e "$STATE" ] && ! [ -r "$RUN" ]; then
  ok processes "skipped: $RUN not readable (run as root to check the pid files)"
elif [ -d "$RUN" ]; then
  dead=""
  for s in $SERVICES; do alive "$s" || dead="$dead $s"; done
  if [ -z "$dead" ]; then ok processes "all $(echo $SERVICES | wc -w) running"
  else for s in $dead; do fail "$s" "process not running (pid file $(pidfile "$s"), log $LOG/$s.log)"; done; fi
else
  fail devcloud "no state dir $STATE: run up.sh first"
fi

# 2. tokens
token() { # user project -> token on stdout, body in $WORK/tok-USER.json
  local body
  body=$(jq -n --arg u "$1" --arg p "$2" --arg pw "$PW" '{auth:{identity:{methods:["password"],
    password:{user:{name:$u,domain:{name:"Default"},password:$pw}}},
    scope:{project:{name:$p,domain:{name:"Default"}}}}}')
  curl -s -m 10 -D "$WORK/hdr" -o "$WORK/tok-$1.json" -H 'Content-Type: application/json' \
    -d "$body" "$KS_URL/auth/tokens" || true
  awk 'tolower($1)=="x-subject-token:"{print $2}' "$WORK/hdr" 2>/dev/null | tr -d '\r'
}
ADMIN=$(token admin admin)
if [ -z "$ADMIN" ]; then
  fail keystone "no admin token from $KS_URL/auth/tokens (log $LOG/keystone.log)"
  echo "devcloud check: keystone is down, cannot check the rest" >&2; exit 1
fi
DEMO=$(token demo demo)
[ -n "$DEMO" ] && ok keystone "admin + demo tokens" || fail keystone "no token for demo/demo (run up.sh)"
PROJECT=$(jq -r .token.project.id "$WORK/tok-admin.json")

# 3. catalog + 4. one authenticated GET per API
CATALOG=$(jq -c .token.catalog "$WORK/tok-admin.json")
endpoint() { jq -r --arg t "$1" '.[]|select(.type==$t)|.endpoints[]|select(.interface=="public")|.url' <<<"$CATALOG" | head -1; }
get() { # url [extra header] -> http code
  curl -s -m 10 -o "$WORK/body" -w '%{http_code}' -H "X-Auth-Token: $ADMIN" ${2:+-H "$2"} "$1" || echo 000
}
check_api() { # service catalog-type path expected-code log-name [header]
  local svc=$1 type=$2 path=$3 want=$4 logname=$5 hdr=${6:-} base code
  base=$(endpoint "$type")
  [ -n "$base" ] || { fail "$svc" "no '$type' endpoint in the catalog"; return; }
  base=${base//%(project_id)s/$PROJECT}; base=${base%/}
  code=$(get "$base$path" "$hdr")
  if [ "$code" = "$want" ]; then ok "$svc" "$base$path -> $code"
  else fail "$svc" "GET $base$path -> HTTP $code, wanted $want (log $LOG/$logname.log)"; fi
}
check_api keystone  identity      /projects              200 keystone
check_api glance    image         /v2/images?limit=1     200 glance-api
check_api placement placement     /resource_providers    200 placement "OpenStack-API-Version: placement 1.20"
check_api nova      compute       /flavors               200 nova-api
check_api neutron   network       /v2.0/networks?limit=1 200 neutron-server
check_api cinder    volumev3      /volumes?limit=1       200 cinder-api
check_api cinder    block-storage /types                 200 cinder-api

check_api swift     object-store  "?format=json"         200 ../swift/log/proxy-server
bash "$DEVCLOUD_DIR/swift.sh" check || FAILS=$((FAILS + 1))

# 5. services behind the APIs report in
NOVA=$(endpoint compute); CINDER=$(endpoint volumev3); CINDER=${CINDER//%(project_id)s/$PROJECT}
if [ "$(get "$NOVA/os-services")" = 200 ]; then
  for b in nova-conductor nova-scheduler nova-compute; do
    st=$(jq -r --arg b "$b" '[.services[]|select(.binary==$b)|"\(.status)/\(.state)"]|first // "missing"' "$WORK/body")
    [ "$st" = enabled/up ] && ok "$b" "$st" || fail "$b" "service is $st (log $LOG/$b.log)"
  done
fi
if [ "$(get "$CINDER/os-services")" = 200 ]; then
  for b in cinder-scheduler cinder-volume; do
    st=$(jq -r --arg b "$b" '[.services[]|select(.binary==$b)|"\(.status)/\(.state)"]|first // "missing"' "$WORK/body")
    [ "$st" = enabled/up ] && ok "$b" "$st" || fail "$b" "service is $st (log $LOG/$b.log)"
  done
fi
if [ "$(get "$NOVA/os-hypervisors")" = 200 ] && [ "$(jq '.hypervisors|length' "$WORK/body")" -ge 1 ]; then
  ok hypervisor "$(jq -r '[.hypervisors[]|"\(.hypervisor_hostname) \(.state)"]|join(", ")' "$WORK/body")"
else fail nova-compute "no hypervisor registered (log $LOG/nova-compute.log)"; fi

if [ $FAILS = 0 ]; then echo "devcloud check: healthy ($(elapsed "$t0")s)"; exit 0; fi
echo "devcloud check: $FAILS problem(s), see FAIL lines above ($(elapsed "$t0")s)" >&2
exit 1
