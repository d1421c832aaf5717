#!/usr/bin/env bash
# Makes the README's pictures from real data: the Prometheus web UI graphing procagent's key
# queries (headless Chromium) and JConsole showing procagent's MBeans (under Xvfb).
# Loopback only; everything it starts is stopped by PID. Run from the repository root:
#   bash docs/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
need() { command -v "$1" >/dev/null 2>&1 || apt-get install -y -q "$2" >/dev/null; }
need prometheus prometheus; need chromium chromium; need xvfb-run xvfb; need xdotool xdotool; need convert imagemagick
mvn -B -q package -DskipTests && mvn -B -q test-compile
out=docs/images; mkdir -p "$out"
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

app_port=19494; daemon_port=19495; prom_port=19490
printf 'sampling:\n  interval: 1s\n' > "$work/agent.yaml"
mkfifo "$work/app.in"
java -javaagent:target/procagent.jar=127.0.0.1:$app_port:$work/agent.yaml -cp target/test-classes \
  io.procagent.it.ChildrenApp < "$work/app.in" > "$work/app.log" 2>&1 &
app=$!; pids+=($app)
exec 3>"$work/app.in"; echo go >&3; echo churn >&3
cp /bin/sleep "$work/worker"; "$work/worker" 900 & pids+=($!)
java -jar target/procagent.jar daemon --host 127.0.0.1 --port $daemon_port --config "$work/agent.yaml" \
  --target worker=comm:^worker$ > "$work/daemon.log" 2>&1 & pids+=($!)
cat > "$work/prometheus.yml" <<YAML
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: [$PWD/prometheus/rules.yml]
scrape_configs:
  - job_name: procagent
    static_configs: [{targets: ['127.0.0.1:$app_port']}]
  - job_name: procagent-daemon
    static_configs: [{targets: ['127.0.0.1:$daemon_port']}]
YAML
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address=127.0.0.1:$prom_port > "$work/prometheus.log" 2>&1 & pids+=($!)
echo "collecting 3 minutes of data..."; sleep 180

enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
shot() { # FILE QUERY1 QUERY2: two graphs over the last 3 minutes (two fit without scrolling)
  local url="http://127.0.0.1:$prom_port/graph?g0.expr=$(enc "$2")&g0.tab=0&g0.range_input=3m&g1.expr=$(enc "$3")&g1.tab=0&g1.range_input=3m"
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$work/chromium" --hide-scrollbars \
    --window-size=1400,1500 --virtual-time-budget=15000 --screenshot="$1" "$url" 2>/dev/null
  echo "wrote $1"
}
shot "$out/prometheus-cpu.png" 'sum by (instance, mode) (rate(process_cpu_time_seconds_total[1m]))' \
  'procagent:system_cpu_busy:ratio_rate1m'
shot "$out/prometheus-children.png" 'sum by (instance, command, exit_code) (rate(process_children_exited_total[1m]))' \
  'sum by (instance, target, command) (process_children)'

# JConsole: connect to the app, accept the local (non-SSL) connection, open procagent:type=SystemCpu
cat > "$work/jconsole.sh" <<SH
jconsole -J-Djava.awt.headless=false $app &
jc=\$!
sleep 12
xdotool mousemove 612 277 click 1                          # "Insecure connection" (local JVM)
sleep 5
xdotool mousemove 722 133 click 1                          # MBeans tab
sleep 2
xdotool mousemove 329 264 click --repeat 2 --delay 100 1   # expand "procagent"
sleep 1
xdotool mousemove 341 313 click --repeat 2 --delay 100 1
sleep 1
xdotool mousemove 372 330 click 1                          # SystemCpu
sleep 2
xdotool mousemove 347 344 click 1                          # its Attributes
sleep 2
xdotool mousemove 954 399 click --repeat 2 --delay 100 1   # open PerCpuUtilizationPercent
sleep 3
import -window root "$work/jconsole-full.png"
kill \$jc
SH
xvfb-run -a -s "-screen 0 1400x900x24" bash "$work/jconsole.sh"
convert "$work/jconsole-full.png" -crop 900x750+250+72 +repage "$out/jconsole.png"
echo "wrote $out/jconsole.png"
echo quit >&3
