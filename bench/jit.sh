#!/usr/bin/env bash
# What the JIT spends on procagent's code while it is scraped once a second: the same app as
# bench/compare.sh (BenchApp, 100 sleep children) with procagent and a JFR recording of every
# compilation; WARMUP_S scrapes, then MEASURE_S more; prints the CPU of the JVM's threads per
# scrape over the measured part (schedstat) and the compilations (bench/JitReport.java).
# Loopback only; stops what it starts by PID. Usage: bench/jit.sh [WARMUP_S] [MEASURE_S] (60 30)
set -euo pipefail
cd "$(dirname "$0")/.."
warmup=${1:-60}; measure=${2:-30}; port=19642
[ -f target/procagent.jar ] || mvn -B -q package -DskipTests
[ -d target/test-classes/io ] || mvn -B -q test-compile
dir=$(mktemp -d)
trap 'kill $app 2>/dev/null || true; rm -rf "$dir"' EXIT
jfc="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")/lib/jfr/default.jfc"
sed '/<event name="jdk.Compilation">/,/<\/event>/ s/<setting name="threshold"[^>]*>[^<]*</<setting name="threshold">0 ms</' "$jfc" > "$dir/compile.jfc"
exec 3< <(sleep $((warmup + measure + 60)))
java ${JIT_OPTS:-} -XX:StartFlightRecording:settings="$dir/compile.jfc",filename="$dir/run.jfr",dumponexit=true \
  -javaagent:target/procagent.jar=127.0.0.1:$port -cp target/test-classes io.procagent.it.BenchApp plain 100 <&3 >/dev/null 2>&1 & app=$!
threads() { for t in /proc/"$app"/task/*; do printf '%s %s\n' "$(tr ' ' _ < "$t/comm")" "$(cut -d' ' -f1 "$t/schedstat")"; done 2>/dev/null | awk '{ s[$1] += $2 } END { for (n in s) print n, s[n] }' | sort; }
scrape() { for ((i = 0; i < $1; i++)); do curl -s -m 5 -o /dev/null -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port/metrics" || true; sleep 1; done; }
sleep 10
scrape "$warmup"
t0=$(threads); from=$(date +%s%3N)
scrape "$measure"
t1=$(threads)
echo "CPU per scrape over the last $measure scrapes, by thread (ms, schedstat; JFR's own threads included):"
join <(echo "$t0") <(echo "$t1") | awk -v n="$measure" '{ d = ($3 - $2) / 1e6 / n; t += d; if (d >= 0.05) printf "  %7.3f %s\n", d, $1 } END { printf "  %7.3f all\n", t }' | sort -rn
kill -INT $app; wait $app 2>/dev/null || true
java bench/JitReport.java "$dir/run.jfr" "$from"
