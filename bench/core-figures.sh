#!/usr/bin/env bash
# Scrape latency and added RSS of an app carrying procagent (loopback only, bounded).
# Usage: bench/core-figures.sh [RUNS]   (run after 'mvn -B -q package -DskipTests')
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
jar=target/procagent.jar
cls=target/test-classes
[ -f "$jar" ] && [ -d "$cls" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 2; }

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

port=19494
echo "== scrape latency, one keep-alive connection, default collectors"
java -javaagent:$jar=127.0.0.1:$port -cp $cls io.procagent.it.SleepApp 600000 >/dev/null 2>&1 &
app=$!
trap 'kill $app 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf -o /dev/null localhost:$port/metrics && break; sleep 0.2; done
java bench/ScrapeLatency.java http://127.0.0.1:$port/metrics 2000
kill $app; wait $app 2>/dev/null || true
trap - EXIT

echo "== added RSS after 5 s idle (interleaved, $runs runs each, median)"
without=(); with=()
for i in $(seq "$runs"); do
  java -cp $cls io.procagent.it.SleepApp 600000 >/dev/null 2>&1 & a=$!
  java -javaagent:$jar=127.0.0.1:$((port+i)) -cp $cls io.procagent.it.SleepApp 600000 >/dev/null 2>&1 & b=$!
  sleep 5
  curl -sf -o /dev/null localhost:$((port+i))/metrics || true
  sleep 1
  without+=("$(rss_kb $a)"); with+=("$(rss_kb $b)")
  kill $a $b; wait $a $b 2>/dev/null || true
done
w0=$(printf '%s\n' "${without[@]}" | median); w1=$(printf '%s\n' "${with[@]}" | median)
echo "RSS without agent: ${w0} kB, with agent: ${w1} kB, added: $(( (${w1%.*} - ${w0%.*}) / 1024 )) MB"
