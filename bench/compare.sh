#!/usr/bin/env bash
# Side by side, on this machine, loopback only: the same small app (100 sleep children) with no
# agent, jmx_exporter 1.0.1's agent, client_java 1.5.0's HTTPServer + JvmMetrics, and procagent
# (defaults, and without the response cache), interleaved; then process-exporter against
# procagent's descendant scan on trees of 0 / 100 / 1,000 children.
# Usage: bench/compare.sh [RUNS] [WARMUP_S] [MEASURE_S]   (defaults 3 60 30; about 5 min a run)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}; warmup=${2:-60}; measure=${3:-30}
mvn -B -q package -DskipTests
mvn -B -q test-compile
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
mvn -B -q dependency:get -Dartifact=io.prometheus.jmx:jmx_prometheus_javaagent:1.0.1 >/dev/null
jmx=~/.m2/repository/io/prometheus/jmx/jmx_prometheus_javaagent/1.0.1/jmx_prometheus_javaagent-1.0.1.jar
cp="target/test-classes:$(cat target/bench-classpath.txt)"
# an agent whose premain does nothing: the JVM's own cost of any -javaagent
mkdir -p target/empty-agent
printf 'public class EmptyAgent { public static void premain(String a, java.lang.instrument.Instrumentation i) {} }\n' > target/empty-agent/EmptyAgent.java
javac --release 8 -d target/empty-agent target/empty-agent/EmptyAgent.java 2>/dev/null
printf 'Premain-Class: EmptyAgent\n' > target/empty-agent/manifest.txt
jar cfm target/empty-agent.jar target/empty-agent/manifest.txt -C target/empty-agent EmptyAgent.class
echo "== $(nproc) CPUs, $(java -version 2>&1 | head -1), $runs interleaved runs, ${warmup}s warm-up at 1 scrape/s"
java bench/Compare.java "$runs" "$warmup" "$measure" "$cp" target/procagent.jar "$jmx" target/empty-agent.jar
echo
echo "== descendant scan (procagent, on the sampler) vs process-exporter 0.7.10 (per scrape)"
java -cp target/classes bench/ScanBench.java 0 100 1000
bash bench/process-exporter-compare.sh 0 100 1000
