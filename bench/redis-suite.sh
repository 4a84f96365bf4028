#!/usr/bin/env bash
# Runs Redis's own Tcl test suite (tag 7.0.15) in external-server mode against a running server,
# unit by unit, and prints one line per unit: tests passed, failed, and how the unit ended.
#
# Usage: bench/redis-suite.sh [--cluster-mode] REDIS_SRC HOST PORT [unit ...]
#   REDIS_SRC   a checkout of the redis repository at 7.0.15 (its runtest, tests/ and utils/); needs tclsh 8.6
#   units       default: the units docs/compatibility.md records
# Every unit starts with FLUSHALL: point it only at a throwaway server.
# Environment: TIMEOUT (seconds without progress, default 120), WALL (hard limit per unit, default 600),
#   EXTRA_TAGS (more runtest tag filters), LOGDIR (default ./redis-suite-logs).
set -u

DEFAULT_UNITS="unit/type/string unit/type/incr unit/type/hash unit/expire unit/keyspace unit/scan unit/protocol unit/info-command unit/introspection-2 unit/other"
# Server internals an external server is not asked about (each tag is described in the suite's tests/README.md).
DENY_TAGS="-needs:debug -needs:repl -needs:save -needs:config-maxmemory -needs:config-resetstat -needs:reset -needs:pfdebug -needs:local-process -needs:latency"

MODEFLAG=""
if [ "${1:-}" = "--cluster-mode" ]; then MODEFLAG="--cluster-mode"; shift; fi
if [ $# -lt 3 ]; then
  echo "usage: $0 [--cluster-mode] REDIS_SRC HOST PORT [unit ...]" >&2; exit 2
fi
SRC=$(cd "$1" && pwd); HOST=$2; PORT=$3; shift 3
UNITS=${*:-$DEFAULT_UNITS}
TIMEOUT=${TIMEOUT:-120}
WALL=${WALL:-600}
LOGDIR=$(mkdir -p "${LOGDIR:-./redis-suite-logs}" && cd "${LOGDIR:-./redis-suite-logs}" && pwd)
cd "$SRC" || exit 2
[ -x ./runtest ] || { echo "$SRC has no runtest: not a redis checkout" >&2; exit 2; }

printf '%-22s %6s %6s %6s  %s\n' UNIT PASSED FAILED ABORTED STATUS
total_ok=0; total_err=0; total_exc=0
for unit in $UNITS; do
  log="$LOGDIR/${unit//\//_}.log"
  # Its own process group, so a unit that hangs is stopped with its test client.
  setsid ./runtest --host "$HOST" --port "$PORT" --singledb $MODEFLAG --durable --ignore-encoding \
    --clients 1 --timeout "$TIMEOUT" --tags "$DENY_TAGS ${EXTRA_TAGS:-}" --single "$unit" >"$log" 2>&1 </dev/null &
  pid=$!
  start=$(date +%s); status=""
  while kill -0 "$pid" 2>/dev/null; do
    if [ $(( $(date +%s) - start )) -ge "$WALL" ]; then
      kill -TERM -- "-$pid" 2>/dev/null; sleep 2; kill -KILL -- "-$pid" 2>/dev/null
      status="stopped after ${WALL}s"; break
    fi
    sleep 1
  done
  wait "$pid" 2>/dev/null
  clean=$(sed 's/\x1b\[[0-9;]*m//g' "$log")
  ok=$(grep -c '^\[ok\]:' <<<"$clean")
  err=$(grep -c '^\[err\]:' <<<"$clean")
  exc=$(grep -c '^\[exception\]:' <<<"$clean")
  grep -q '^\[[0-9]*/[0-9]* done\]' <<<"$clean" || status="${status:-did not finish}"
  printf '%-22s %6d %6d %6d  %s\n' "$unit" "$ok" "$err" "$exc" "${status:-done in $(( $(date +%s) - start ))s}"
  total_ok=$((total_ok + ok)); total_err=$((total_err + err)); total_exc=$((total_exc + exc))
done
printf '%-22s %6d %6d %6d\n' TOTAL "$total_ok" "$total_err" "$total_exc"
echo "logs: $LOGDIR"
