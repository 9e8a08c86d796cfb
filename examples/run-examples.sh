#!/bin/sh
# Runs the Python and Go examples against a fresh oaktree node on the built-in simulated clouds, and checks that
# each listed, created, waited for and deleted a server. Installs the Debian packages it needs when run as root
# (CI does); otherwise expects them installed. Exit 0 when both examples worked.
#   examples/run-examples.sh            (from anywhere; .ci/run calls it after npm ci)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# Python: the oaktree package (clients/python), built by pip with Debian's setuptools and protoc.
python_packages="python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc libprotobuf-dev python3-pip python3-setuptools python3-wheel"
# Go: Debian's packaged modules, built offline in GOPATH mode. golang-github-golang-protobuf-1-5-dev (not 1-3)
# is the one whose proto package understands the APIv2 messages protoc-gen-go 1.28 generates.
go_packages="golang-go golang-google-grpc-dev golang-google-protobuf-dev golang-github-golang-protobuf-1-5-dev protoc-gen-go protoc-gen-go-grpc"
if [ "$(id -u)" = 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $python_packages $go_packages >/dev/null
fi

work=$(mktemp -d)
node_pid=""
cleanup() {
  if [ -n "$node_pid" ]; then kill "$node_pid" 2>/dev/null || true; wait "$node_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A node on the built-in simulated clouds (sim-alpha: RegionOne, RegionTwo; sim-beta: RegionOne), on a free port.
node --import tsx src/cli/main.ts serve --simulate --listen 127.0.0.1:0 --log-level warn >"$work/node.out" 2>"$work/node.err" &
node_pid=$!
endpoint=""
for _ in $(seq 1 100); do
  endpoint=$(sed -n 's/.*serving on \([^ ]*\).*/\1/p' "$work/node.out")
  [ -n "$endpoint" ] && break
  kill -0 "$node_pid" 2>/dev/null || { cat "$work/node.err" >&2; echo "run-examples: the node did not start" >&2; exit 1; }
  sleep 0.2
done
[ -n "$endpoint" ] || { echo "run-examples: the node did not say where it listens" >&2; exit 1; }
echo "run-examples: node on $endpoint"

failed=0
expect() { # expect NAME FILE PATTERN...
  name=$1 file=$2
  shift 2
  for pattern in "$@"; do
    if ! grep -Eq "$pattern" "$file"; then
      echo "run-examples: $name: expected a line matching /$pattern/; it printed:" >&2
      cat "$file" >&2
      failed=1
      return
    fi
  done
  echo "run-examples: $name: ok"
}

cp -r clients/python "$work/python-src" && rm -rf "$work/python-src/build"
if OAKTREE_PROTO_DIR="$root/proto" PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore /usr/bin/python3 -m pip \
  install --quiet --no-build-isolation --no-deps --target "$work/site" "$work/python-src" >"$work/pip.out" 2>&1; then
  PYTHONPATH="$work/site" /usr/bin/python3 examples/python/oaktree_example.py --endpoint "$endpoint" --cloud sim-alpha \
    --region RegionTwo --name python-example >"$work/python.out" 2>&1 || true
  expect python "$work/python.out" '^  sim-alpha/RegionTwo  m1\.tiny ' '^python-example is ACTIVE at [0-9.]+$' \
    '^deleted python-example ' '^getting it again: NOT_FOUND$' '^booting a missing image: (NOT_FOUND|INVALID_ARGUMENT)$'
else
  echo "run-examples: python: installing the oaktree package failed:" >&2
  cat "$work/pip.out" >&2
  failed=1
fi

if examples/go/build.sh "$work/go-example" >"$work/go-build.out" 2>&1; then
  "$work/go-example" -endpoint "$endpoint" -cloud sim-beta -name go-example >"$work/go.out" 2>&1 || true
  expect go "$work/go.out" '^  sim-beta/RegionOne  m1\.tiny ' '^go-example is SERVER_STATUS_ACTIVE at [0-9.]+$' \
    '^deleted go-example ' '^getting it again: NotFound$'
else
  echo "run-examples: go: the build failed:" >&2
  cat "$work/go-build.out" >&2
  failed=1
fi
exit $failed
