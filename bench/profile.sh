#!/usr/bin/env bash
# Where the CPU of one scrape a second goes, by thread and by kind of code. async-profiler
# (tools.profiler:async-profiler, from Maven Central) is loaded with jcmd into the JVM of the
# table's app (BenchApp, 100 sleep children, procagent on 127.0.0.1:$port), scraped once a second
# over one keep-alive connection by `Compare.java threads`; it samples every thread's CPU during
# the measured scrapes. Prints, per procagent thread, its samples by kind of frame on top
# (interpreted, C1, C2 or inlined, kernel, the JVM's own code) and the methods most often
# running interpreted; the collapsed stacks stay in target/bench/profile.collapsed.
# Sampling every 100 us slows what it measures (by about 3x at 100 us); compare runs taken with
# the same interval. Loopback only; the app is stopped by its PID.
# Usage: bench/profile.sh [WARMUP_S] [MEASURE_S] [INTERVAL_NS]   (60 30 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
warmup=${1:-60}; measure=${2:-30}; interval=${3:-100000}; port=19651
[ -f target/procagent.jar ] || mvn -B -q package -DskipTests
[ -d target/test-classes/io ] || mvn -B -q test-compile
mkdir -p target/bench
case "$(uname -m)" in x86_64) arch=linux-x64 ;; aarch64) arch=linux-arm64 ;; *) echo "no async-profiler for $(uname -m)"; exit 1 ;; esac
lib=target/bench/$arch/libasyncProfiler.so
if [ ! -f "$lib" ]; then
  mvn -B -q dependency:copy -Dartifact=tools.profiler:async-profiler:4.2 -DoutputDirectory=target/bench
  (cd target/bench && unzip -q -o async-profiler-4.2.jar "$arch/*")
fi
lib=$(readlink -f "$lib")
out=$(readlink -f target/bench)/profile
rm -f "$out.collapsed"
java bench/Compare.java threads target/procagent.jar $port "$warmup" "$measure" > "$out.threads" 2>&1 & cmp=$!
trap 'kill $cmp 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q '^app pid' "$out.threads" 2>/dev/null && break; sleep 0.2; done
app=$(awk '/^app pid/ { print $3 }' "$out.threads")
trap 'kill $cmp 2>/dev/null || true; kill $app 2>/dev/null || true' EXIT
until grep -q '^measuring' "$out.threads"; do kill -0 $cmp || { cat "$out.threads"; exit 1; }; sleep 0.2; done
# jcmd takes a key=value argument as a named one: the options go quoted
jcmd "$app" JVMTI.agent_load "$lib" "\"start,event=cpu,interval=$interval,threads\"" > /dev/null
sleep $((measure - 2))
jcmd "$app" JVMTI.agent_load "$lib" "\"stop,file=$out.collapsed,collapsed,ann,threads\"" > /dev/null
wait $cmp
trap - EXIT
sed -n '/^CPU per scrape/,$p' "$out.threads"
echo "samples of procagent's threads by the frame on top (_[0] interpreted, _[1] C1, _[j]/_[i] C2 or inlined, _[k] kernel, the rest the JVM's own code and libc):"
grep '^\[procagent' "$out.collapsed" | awk '{ n = $NF; $NF = ""; k = split($0, f, ";"); leaf = f[k]; sub(/ +$/, "", leaf); split(f[1], t, " "); th = substr(t[1], 2)
    kind = leaf ~ /_\[0\]$/ ? "interpreted" : leaf ~ /_\[1\]$/ ? "C1" : leaf ~ /_\[[ji]\]$/ ? "C2" : leaf ~ /_\[k\]$/ ? "kernel" : "VM"
    s[th, kind] += n; all[th] += n; if (kind == "interpreted") m[leaf] += n }
  END { for (th in all) { printf "  %-24s %5d", th, all[th]; split("interpreted C1 C2 kernel VM", ks, " "); for (i = 1; i <= 5; i++) printf "  %s %2.0f%%", ks[i], 100 * s[th, ks[i]] / all[th]; print "" }
        print "methods most often on top while interpreted (samples):"; for (x in m) print m[x], x | "sort -rn | head -20" }'
