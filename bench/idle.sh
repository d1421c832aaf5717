#!/usr/bin/env bash
# procagent's background cost with nobody scraping: the same app (BenchApp, N sleep children)
# with and without the agent, side by side, CPU (utime+stime) over WINDOW s after SETTLE s.
# Loopback only; stops what it starts by PID.
# Then the agent JVM's threads by CPU over the same window (schedstat, ns), to show where it goes.
# Usage: bench/idle.sh [CHILDREN] [SETTLE_S] [WINDOW_S]   (defaults 100 60 60; after mvn package)
# AGENT_ARGS overrides the agent's arguments (default 127.0.0.1:19641), e.g. config=FILE.
set -euo pipefail
cd "$(dirname "$0")/.."
children=${1:-100}; settle=${2:-60}; window=${3:-60}
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
threads() { for t in /proc/"$1"/task/*; do printf '%s %s %s\n' "${t##*/}" "$(cut -d' ' -f1 "$t/schedstat")" "$(tr ' ' _ < "$t/comm")"; done 2>/dev/null | sort; }
exec 3< <(sleep $((settle + window + 30)))
java -cp target/test-classes io.procagent.it.BenchApp plain "$children" <&3 >/dev/null 2>&1 & a=$!
java -javaagent:target/procagent.jar="${AGENT_ARGS:-127.0.0.1:19641}" -cp target/test-classes io.procagent.it.BenchApp plain "$children" <&3 >/dev/null 2>&1 & b=$!
trap 'kill $a $b 2>/dev/null || true' EXIT
sleep "$settle"
a0=$(cpu $a); b0=$(cpu $b); s0=$(threads $a); t0=$(threads $b)
sleep "$window"
a1=$(cpu $a); b1=$(cpu $b); s1=$(threads $a); t1=$(threads $b)
procs=$(ls /proc | grep -c '^[0-9]')
awk -v a=$((a1 - a0)) -v b=$((b1 - b0)) -v w="$window" -v n="$children" -v p="$procs" 'BEGIN {
  printf "idle CPU over %ds (%d children, %d processes on the host): no agent %.2f ms/s, procagent %.2f ms/s, added %.2f ms/s\n",
    w, n, p, a * 10 / w, b * 10 / w, (b - a) * 10 / w }'
# the same in ns from schedstat (threads alive at both ends; idle JVMs keep theirs)
sum() { join <(echo "$1") <(echo "$2") | awk '{ d += $4 - $2 } END { print d }'; }
awk -v a="$(sum "$s0" "$s1")" -v b="$(sum "$t0" "$t1")" -v w="$window" 'BEGIN {
  printf "same by schedstat: no agent %.3f ms/s, procagent %.3f ms/s, added %.3f ms/s\n", a / 1e6 / w, b / 1e6 / w, (b - a) / 1e6 / w }'
# by thread name, summed over threads of one name (C2 compiler threads come and go)
bythread() { join <(echo "$1") <(echo "$2") | awk -v w="$window" '$4 > $2 { t[$3] += ($4 - $2) / 1e6 / w } END { for (n in t) printf "%s %.3f\n", n, t[n] }' | sort; }
echo "by thread over the window (ms/s): procagent's JVM, the JVM without agent, added"
join -a1 -a2 -e 0 -o 0,1.2,2.2 <(bythread "$t0" "$t1") <(bythread "$s0" "$s1") \
  | awk '{ printf "  %8.3f %8.3f %8.3f %s\n", $2, $3, $2 - $3, $1 }' | sort -k3 -rn | head -14
