#!/usr/bin/env bash
# CPU and bytes allocated per scrape in the JVM that carries procagent, by the agent's threads
# (bench/ScrapeBench.java): back-to-back with the defaults (mostly cached responses), back-to-back
# without the response cache, and one scrape a second with the defaults. Loopback only.
# Usage: bench/scrape.sh [PORT]   (default 19494; about 2 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
port=${1:-19494}
[ -f target/procagent.jar ] || mvn -B -q package -DskipTests
nocache=$(mktemp --suffix=.yaml)
trap 'rm -f "$nocache"' EXIT
printf 'sampling:\n  cache_ttl: 0s\nhttp:\n  cpu_limit: off\n' > "$nocache"
run() { # label agent-args scrapes pause
  echo "== $1"
  java -javaagent:target/procagent.jar="$2" bench/ScrapeBench.java "$port" "$3" "$4" 2>/dev/null
}
run "defaults, back-to-back (cache_ttl 1s: mostly the kept response)" "127.0.0.1:$port" 3000 0
run "no response cache, back-to-back (every scrape collects and writes)" "127.0.0.1:$port:$nocache" 3000 0
run "defaults, one scrape a second (every scrape collects; code run once per scrape stays cold)" "127.0.0.1:$port" 90 1000
