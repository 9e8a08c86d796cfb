#!/usr/bin/env bash
# test/real/devcloud/smoke.sh - end-to-end check of the devcloud with curl + jq
# only, as the demo user (admin only where the API needs it): image upload and
# download, keypair, boot to ACTIVE, port binding, floating IP, volume create /
# attach / detach / delete, then deletes everything it made.
# Prints PASS/FAIL per step; exit status = number of failures.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KS_URL="http://$IP:$KEYSTONE_PORT/v3"
BOOT_TIMEOUT=${OAKTREE_DEVCLOUD_BOOT_TIMEOUT:-120}
FAILS=0 TAG=smoke-$$
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
NOVA="" CINDER=""
pass() { printf '  PASS  %-30s %s\n' "$1" "${2:-}"; }
fail() { printf '  FAIL  %-30s %s\n' "$1" "${2:-}"; FAILS=$((FAILS + 1)); }

# api METHOD URL [JSON] -> body on stdout, HTTP code via `code`.
# A microversion header goes only to the service it names: cinder answers 400
# to an "OpenStack-API-Version: compute ..." header.
api() {
  local m=$1 u=$2; shift 2
  local a=(-s -m 60 -X "$m" -H "X-Auth-Token: $TOKEN" -H 'Accept: application/json'
           -o "$WORK/body" -w '%{http_code}')
  case $u in
    "$NOVA"/*) a+=(-H 'OpenStack-API-Version: compute 2.79');;
    "$CINDER"/*) a+=(-H 'OpenStack-API-Version: volume 3.27');;
  esac
  [ $# -gt 0 ] && a+=(-H 'Content-Type: application/json' -d "$1")
  curl "${a[@]}" "$u" >"$WORK/code" || echo 000 >"$WORK/code"
  cat "$WORK/body" 2>/dev/null
}
code() { cat "$WORK/code"; }
# wait_for SECONDS CMD...: poll CMD every 0.25 s until it succeeds
wait_for() { local n=$(($1 * 4)); shift; while [ $n -gt 0 ]; do "$@" && return 0; sleep 0.25; n=$((n - 1)); done; return 1; }
login() { # user project -> TOKEN, CATALOG, PROJECT_ID
  local body
  body=$(jq -n --arg u "$1" --arg p "$2" --arg pw "$PW" '{auth:{identity:{methods:["password"],
    password:{user:{name:$u,domain:{name:"Default"},password:$pw}}},
    scope:{project:{name:$p,domain:{name:"Default"}}}}}')
  curl -s -m 30 -D "$WORK/hdr" -o "$WORK/tok.json" -H 'Content-Type: application/json' -d "$body" "$KS_URL/auth/tokens"
  TOKEN=$(awk 'tolower($1)=="x-subject-token:"{print $2}' "$WORK/hdr" | tr -d '\r')
  CATALOG=$(jq -c .token.catalog "$WORK/tok.json")
  PROJECT_ID=$(jq -r .token.project.id "$WORK/tok.json")
}
endpoint() { jq -r --arg t "$1" '.[]|select(.type==$t)|.endpoints[]|select(.interface=="public")|.url' <<<"$CATALOG" | head -1; }

echo "== devcloud smoke test $(date -Is)"
T0=$(now)
login admin admin; ADMIN_TOKEN=$TOKEN
t=$(now); login demo demo
[ -n "$TOKEN" ] || { fail "token (demo)" "keystone did not issue one"; exit 99; }
pass "token (demo)" "$(elapsed "$t")s, $(jq length <<<"$CATALOG") services"
NOVA=$(endpoint compute) GLANCE=$(endpoint image) NEUTRON=$(endpoint network)
CINDER=$(endpoint volumev3); CINDER=${CINDER//%(project_id)s/$PROJECT_ID}

# ---- flavors, images
out=$(api GET "$NOVA/flavors")
FLAVOR=$(jq -r '.flavors[]|select(.name=="m1.tiny")|.id' <<<"$out")
[ -n "$FLAVOR" ] && pass "flavor m1.tiny" "$FLAVOR" || fail "flavor m1.tiny" "HTTP $(code)"
head -c 65536 /dev/urandom >"$WORK/img"; MD5=$(md5sum <"$WORK/img" | cut -d' ' -f1)
t=$(now); IMG=$(api POST "$GLANCE/v2/images" "{\"name\":\"$TAG\",\"disk_format\":\"raw\",\"container_format\":\"bare\"}" | jq -r '.id // empty')
if [ -n "$IMG" ]; then
  up=$(curl -s -m 60 -o /dev/null -w '%{http_code}' -X PUT -H "X-Auth-Token: $TOKEN" \
    -H 'Content-Type: application/octet-stream' --data-binary @"$WORK/img" "$GLANCE/v2/images/$IMG/file")
  img=$(api GET "$GLANCE/v2/images/$IMG")
  [ "$up" = 204 ] && [ "$(jq -r .status <<<"$img")" = active ] && [ "$(jq -r .checksum <<<"$img")" = "$MD5" ] \
    && pass "image upload" "64 KiB, active, md5 ok ($(elapsed "$t")s)" || fail "image upload" "PUT $up, $(jq -r .status <<<"$img")"
  dl=$(curl -s -m 60 -H "X-Auth-Token: $TOKEN" "$GLANCE/v2/images/$IMG/file" | md5sum | cut -d' ' -f1)
  [ "$dl" = "$MD5" ] && pass "image download" "md5 ok" || fail "image download" "md5 $dl"
else fail "image create" "HTTP $(code)"; fi

# ---- keypair
api POST "$NOVA/os-keypairs" "{\"keypair\":{\"name\":\"$TAG\",\"public_key\":\"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFtBi3fv3jeNOrBLjg21dwkuS+xrzDvjtGy2C2eiVFDX $TAG\"}}" >/dev/null
[ "$(code)" = 201 ] || [ "$(code)" = 200 ] && pass "keypair create" || fail "keypair create" "HTTP $(code)"

# ---- server
NET=$(api GET "$NEUTRON/v2.0/networks?name=private" | jq -r '.networks[0].id // empty')
PUBNET=$(api GET "$NEUTRON/v2.0/networks?name=public" | jq -r '.networks[0].id // empty')
BOOT_IMG=$(api GET "$GLANCE/v2/images?name=cirros-fake" | jq -r '.images[0].id // empty')
t=$(now)
SRV=$(api POST "$NOVA/servers" "$(jq -n --arg f "$FLAVOR" --arg i "${BOOT_IMG:-$IMG}" --arg k "$TAG" --arg n "$NET" --arg name "$TAG" \
  '{server:{name:$name,flavorRef:$f,imageRef:$i,key_name:$k,networks:[{uuid:$n}]}}')" | jq -r '.server.id // empty')
st=""
server_settled() { st=$(api GET "$NOVA/servers/$SRV" | jq -r .server.status); [ "$st" = ACTIVE ] || [ "$st" = ERROR ]; }
if [ -n "$SRV" ]; then
  wait_for "$BOOT_TIMEOUT" server_settled
  if [ "$st" = ACTIVE ]; then
    pass "boot -> ACTIVE" "$(elapsed "$t")s, $(api GET "$NOVA/servers/$SRV" | jq -c '[.server.addresses[][]?.addr]')"
  else fail "boot -> ACTIVE" "status $st: $(api GET "$NOVA/servers/$SRV" | jq -c .server.fault)"; fi
else fail "boot" "HTTP $(code) $(cat "$WORK/body")"; fi

# ---- port binding (binding:* is admin-only) + floating IP
if [ "$st" = ACTIVE ]; then
  port=$(TOKEN=$ADMIN_TOKEN api GET "$NEUTRON/v2.0/ports?device_id=$SRV" | jq -c '.ports[0] // {}')
  PORT=$(jq -r '.id // empty' <<<"$port")
  info="vif_type=$(jq -r '."binding:vif_type"' <<<"$port") status=$(jq -r .status <<<"$port")"
  [ "$(jq -r '."binding:vif_type"' <<<"$port")" = ovs ] && [ "$(jq -r .status <<<"$port")" = ACTIVE ] \
    && pass "port bound" "$info" || fail "port bound" "$info"
  t=$(now)
  fip=$(api POST "$NEUTRON/v2.0/floatingips" "{\"floatingip\":{\"floating_network_id\":\"$PUBNET\",\"port_id\":\"$PORT\"}}")
  FIP=$(jq -r '.floatingip.id // empty' <<<"$fip"); FIPADDR=$(jq -r '.floatingip.floating_ip_address // empty' <<<"$fip")
  if [ -n "$FIP" ]; then
    pass "floating IP associate" "$FIPADDR ($(elapsed "$t")s)"
    fip_visible() { api GET "$NOVA/servers/$SRV" | jq -e --arg a "$FIPADDR" '[.server.addresses[][]|select(.addr==$a and ."OS-EXT-IPS:type"=="floating")]|length>0' >/dev/null; }
    t=$(now); wait_for 20 fip_visible && pass "floating IP in server" "$(elapsed "$t")s" || fail "floating IP in server" "not in addresses"
    api DELETE "$NEUTRON/v2.0/floatingips/$FIP" >/dev/null
    [ "$(code)" = 204 ] && pass "floating IP delete" || fail "floating IP delete" "HTTP $(code)"
  else fail "floating IP associate" "HTTP $(code) $fip"; fi
fi

# ---- volume
t=$(now); VOL=$(api POST "$CINDER/volumes" "{\"volume\":{\"size\":1,\"name\":\"$TAG\"}}" | jq -r '.volume.id // empty')
vs=""
vol_is() { vs=$(api GET "$CINDER/volumes/$VOL" | jq -r .volume.status); [ "$vs" = "$1" ] || [[ $vs == error* ]]; }
if [ -n "$VOL" ]; then
  wait_for 60 vol_is available; [ "$vs" = available ] && pass "volume create" "$(elapsed "$t")s" || fail "volume create" "status $vs"
  if [ "$vs" = available ] && [ "$st" = ACTIVE ]; then
    t=$(now); api POST "$NOVA/servers/$SRV/os-volume_attachments" "{\"volumeAttachment\":{\"volumeId\":\"$VOL\"}}" >/dev/null
    if [ "$(code)" = 200 ]; then
      wait_for 60 vol_is in-use; [ "$vs" = in-use ] && pass "volume attach" "$(elapsed "$t")s" || fail "volume attach" "status $vs"
      t=$(now); api DELETE "$NOVA/servers/$SRV/os-volume_attachments/$VOL" >/dev/null
      wait_for 60 vol_is available; [ "$vs" = available ] && pass "volume detach" "$(elapsed "$t")s" || fail "volume detach" "status $vs"
    else fail "volume attach" "HTTP $(code) $(cat "$WORK/body")"; fi
  fi
  api DELETE "$CINDER/volumes/$VOL" >/dev/null
  vol_gone() { api GET "$CINDER/volumes/$VOL" >/dev/null; [ "$(code)" = 404 ]; }
  wait_for 60 vol_gone && pass "volume delete" || fail "volume delete" "HTTP $(code)"
else fail "volume create" "HTTP $(code) $(cat "$WORK/body")"; fi

# ---- cleanup
if [ -n "$SRV" ]; then
  t=$(now); api DELETE "$NOVA/servers/$SRV" >/dev/null
  srv_gone() { api GET "$NOVA/servers/$SRV" >/dev/null; [ "$(code)" = 404 ]; }
  wait_for 60 srv_gone && pass "server delete" "$(elapsed "$t")s" || fail "server delete" "HTTP $(code)"
fi
api DELETE "$NOVA/os-keypairs/$TAG" >/dev/null
[ "$(code)" = 202 ] || [ "$(code)" = 204 ] && pass "keypair delete" || fail "keypair delete" "HTTP $(code)"
if [ -n "$IMG" ]; then api DELETE "$GLANCE/v2/images/$IMG" >/dev/null
  [ "$(code)" = 204 ] && pass "image delete" || fail "image delete" "HTTP $(code)"; fi

echo "== $(elapsed "$T0")s, $FAILS failure(s)"
exit $FAILS
