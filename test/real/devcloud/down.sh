#!/usr/bin/env bash
# test/real/devcloud/down.sh - stop exactly the processes up.sh started, by the
# pid files in $STATE/run (each was started in its own session, so its process
# group is signalled). Nothing is looked up by name. State is kept unless --purge.
#
#   bash test/real/devcloud/down.sh           # stop everything, keep DBs/images/config
#   bash test/real/devcloud/down.sh --purge   # stop everything, then delete the state dir
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t=$(now)
# 0. swift first: its proxy validates tokens against keystone
bash "$DEVCLOUD_DIR/swift.sh" stop
# 1. the OpenStack services, all at once (each takes a few seconds to shut down
#    gracefully; one after the other that adds up to ~40 s)
stopped=0 pids=()
for s in $SERVICES; do
  case $s in mariadb|rabbitmq) continue;; esac
  [ -f "$(pidfile "$s")" ] || continue
  stop_service "$s" & pids+=($!); stopped=$((stopped + 1))
done
[ ${#pids[@]} = 0 ] || wait "${pids[@]}"
# 2. anything else with a pid file up.sh wrote (e.g. from a newer up.sh),
#    except the infrastructure and the pid files the daemons write themselves
for f in "$RUN"/*.pid; do
  [ -e "$f" ] || continue
  n=$(basename "$f" .pid)
  case $n in mariadb|rabbitmq|epmd|mariadbd|rabbitmq-beam) continue;; esac
  stop_service "$n"; stopped=$((stopped + 1))
done
# 3. the message queue and its port mapper, the database last
for s in rabbitmq epmd mariadb; do
  [ -f "$(pidfile "$s")" ] || continue
  stop_service "$s"; stopped=$((stopped + 1))
done
rm -f "$RUN/mariadbd.pid" "$RUN/rabbitmq-beam.pid"
[ $stopped = 0 ] && echo "nothing to stop (no pid files in $RUN)"
echo "down.sh: done in $(elapsed "$t")s"

if [ "${1:-}" = --purge ]; then
  case $STATE in /|/var|/var/tmp|/tmp|"") echo "refusing to delete '$STATE'"; exit 1;; esac
  rm -rf "$STATE" && echo "deleted $STATE"
fi
