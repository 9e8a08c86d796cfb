#!/bin/sh
# Builds the Go example offline from Debian's packaged Go modules: stubs generated from proto/ into a temporary
# GOPATH (never committed), Debian's /usr/share/gocode for grpc and protobuf, GOPATH mode (GO111MODULE=off).
# Needs: golang-go golang-google-grpc-dev golang-google-protobuf-dev protoc-gen-go protoc-gen-go-grpc protobuf-compiler
# Usage: examples/go/build.sh OUTPUT_BINARY
set -eu
out=${1:?usage: build.sh OUTPUT_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
proto=$here/../../proto
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pkg=example.oaktree/oaktreev1
mkdir -p "$work/src/$pkg" "$work/src/example.oaktree/cmd"
files=$(cd "$proto" && ls oaktree/v1/*.proto)
# The protos name no go_package: map each file to one Go package here.
maps=""
for f in $files; do maps="$maps,M$f=$pkg"; done
maps=${maps#,}
(cd "$proto" && protoc -I . -I /usr/include \
  --go_out="$work/src" --go_opt="$maps" \
  --go-grpc_out="$work/src" --go-grpc_opt="$maps" \
  $files)
cp "$here/main.go" "$work/src/example.oaktree/cmd/main.go"
GOPATH="$work:/usr/share/gocode" GO111MODULE=off GOFLAGS= GOPROXY=off GOCACHE="$work/cache" \
  go build -o "$out" example.oaktree/cmd
