#!/usr/bin/env bash
# process-exporter (Debian package) scraping a tree of 0/100/1,000 sleep children, for comparison
# with bench/ScanBench.java. Loopback only; stops what it starts by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v prometheus-process-exporter >/dev/null || { apt-get install -y -q prometheus-process-exporter >/dev/null; }
port=19256
cfg=$(mktemp)
cat > "$cfg" <<'YAML'
process_names:
  - name: "{{.Comm}}"
    cmdline:
    - '.+'
YAML
for n in "${@:-0 100 1000}"; do
  pids=()
  for _ in $(seq "$n"); do sleep 600 & pids+=($!); done
  prometheus-process-exporter -web.listen-address 127.0.0.1:$port -config.path "$cfg" >/dev/null 2>&1 &
  pe=$!
  for _ in $(seq 50); do curl -sf -o /dev/null 127.0.0.1:$port/metrics && break; sleep 0.2; done
  for _ in $(seq 5); do curl -sf -o /dev/null 127.0.0.1:$port/metrics; done
  t0=$(awk '{print $14+$15}' /proc/$pe/stat)
  times=()
  for _ in $(seq 20); do times+=("$(curl -sf -o /dev/null -w '%{time_total}' 127.0.0.1:$port/metrics)"); done
  t1=$(awk '{print $14+$15}' /proc/$pe/stat)
  p50=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int(NR/2)+1]*1000}')
  echo "process-exporter children=$n scrape_p50=${p50}ms cpu_per_scrape=$(( (t1 - t0) * 10 / 20 ))ms"
  kill $pe; wait $pe 2>/dev/null || true
  kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true
done
rm -f "$cfg"
