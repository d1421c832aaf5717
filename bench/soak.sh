#!/usr/bin/env bash
# Soak: 64 concurrent connections hammer /metrics for 60 s (wrk, loopback only) while the host
# app does measurable work. Prints failed requests, the app's throughput before / during /
# after, and the JVM's threads and old-generation heap (after GC) before and after.
# Usage: bench/soak.sh [SECONDS]   (after mvn -B -q package -DskipTests && mvn -B -q test-compile)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
command -v wrk >/dev/null || apt-get install -y -q wrk >/dev/null
port=19595
log=$(mktemp)
java -javaagent:target/procagent.jar=127.0.0.1:$port -cp target/test-classes io.procagent.it.WorkApp $((secs + 70)) > "$log" 2>&1 &
app=$!
trap 'kill $app 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do curl -sf -o /dev/null 127.0.0.1:$port/metrics && break; sleep 0.2; done
probe() {
  curl -sf 127.0.0.1:$port/metrics | awk '/^jvm_threads_current /{t=$2} /^jvm_memory_pool_collection_used_bytes\{pool="G1 Old Gen"\}/{h=$2} END {printf "threads=%d old_gen_after_gc=%.1fMB", t, h/1048576}'
}
median_ops() { # lines of "ops N" between two line numbers of the app's log
  sed -n "$1,$2p" "$log" | awk '/^ops /{print $2}' | sort -n | awk '{a[NR]=$1} END {print (NR ? a[int((NR+1)/2)] : 0)}'
}
sleep 20
l0=$(wc -l < "$log"); before=$(probe)
sleep 15
l1=$(wc -l < "$log")
echo "== wrk: 64 connections, 4 threads, ${secs}s on /metrics"
wrk -t4 -c64 -d${secs}s --latency http://127.0.0.1:$port/metrics | grep -E 'Requests/sec|requests in|Non-2xx|Socket errors|50%|99%'
l2=$(wc -l < "$log")
sleep 20
l3=$(wc -l < "$log")
sleep 10 # idle HTTP workers end 4 s after their last request
after=$(probe)
l4=$(wc -l < "$log")
b=$(median_ops "$l0" "$l1"); d=$(median_ops "$l1" "$l2"); a=$(median_ops "$l3" "$l4")
echo "app throughput (median ops/s): before $b, during $d ($(awk -v b="$b" -v d="$d" 'BEGIN{printf "%+.1f%%", (d-b)*100/b}')), after $a"
echo "before: $before"
echo "after:  $after"
