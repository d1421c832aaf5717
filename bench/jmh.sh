#!/usr/bin/env bash
# JMH benchmarks (src/test/java/**/*Benchmark.java): each /proc source as the sampler reads it,
# the pure parsers, and a full collect + Prometheus text write with the bytes it allocates
# (gc.alloc.rate.norm, B/op). Usage: bench/jmh.sh [JMH ARGS, e.g. ScrapeBenchmark]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q test-compile
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/jmh-classpath.txt >/dev/null
java -cp "target/test-classes:target/classes:$(cat target/jmh-classpath.txt)" org.openjdk.jmh.Main -prof gc "${@:-Benchmark}"
