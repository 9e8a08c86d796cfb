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
reverse=$(echo $SERVICES epmd | tr ' ' '\n' | tac)
# services first (in reverse start order), then rabbitmq, epmd, mariadb last
order=$(echo "$reverse" | grep -vx -e rabbitmq -e mariadb -e epmd; echo rabbitmq epmd mariadb)
stopped=0
for s in $order; do
  if [ -f "$(pidfile "$s")" ]; then stop_service "$s"; stopped=$((stopped + 1)); fi
done
# anything else with a pid file (e.g. a service added later)
for f in "$RUN"/*.pid; do
  [ -e "$f" ] || continue
  n=$(basename "$f" .pid)
  case $n in mariadbd|rabbitmq-beam) continue;; esac   # written by the daemons themselves
  stop_service "$n"; stopped=$((stopped + 1))
done
rm -f "$RUN/mariadbd.pid" "$RUN/rabbitmq-beam.pid"
[ $stopped = 0 ] && echo "nothing to stop (no pid files in $RUN)"
echo "down.sh: done in $(elapsed "$t")s"

if [ "${1:-}" = --purge ]; then
  case $STATE in /|/var|/var/tmp|/tmp|"") echo "refusing to delete '$STATE'"; exit 1;; esac
  rm -rf "$STATE" && echo "deleted $STATE"
fi
