#!/usr/bin/env bash
# Throughput of oss-emulator vs nginx serving the same 1 GiB file to curl,
# measured in the same run (warm page cache for both, alternating runs, best
# of N). Prints both rates and the ratio (target >= 0.8).
# Usage: hack/bench/emulator_vs_nginx.sh [size-MiB=1024] [runs=3]
# Env: OSSVP_BIN (default build/bin).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${OSSVP_BIN:-$ROOT/build/bin}
source "$ROOT/hack/lib/emulator.sh"
SIZE_MIB=${1:-1024}
RUNS=${2:-3}
WORK=$(mktemp -d /tmp/emu-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [[ -n "$p" ]] && kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

chmod 755 "$WORK"  # nginx workers run as an unprivileged user
mkdir -p "$WORK/www" "$WORK/data"
dd if=/dev/zero of="$WORK/www/obj.bin" bs=1M count="$SIZE_MIB" status=none
BYTES=$(stat -c %s "$WORK/www/obj.bin")

NPORT=$(free_port)
cat > "$WORK/nginx.conf" <<NGX
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx.err warn;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path $WORK/tmp;
  proxy_temp_path $WORK/tmp;
  fastcgi_temp_path $WORK/tmp;
  uwsgi_temp_path $WORK/tmp;
  scgi_temp_path $WORK/tmp;
  server { listen 127.0.0.1:$NPORT; root $WORK/www; }
}
NGX
mkdir -p "$WORK/tmp"
nginx -c "$WORK/nginx.conf" -p "$WORK" &
PIDS+=($!)

EMULATOR_BIN=$BIN/oss-emulator emulator_start EMU "$WORK/emu.out" "$WORK/emu.err" --data-dir "$WORK/data" \
  --allow-anonymous --seed "bench=$WORK/www" || exit 1
PIDS+=("$EMU_PID")
EMU=$EMU_URL
for _ in $(seq 1 50); do curl -sf -o /dev/null "http://127.0.0.1:$NPORT/obj.bin" -r 0-0 && break; sleep 0.1; done

rate() {  # bytes/s of one full download; checks the size
  local out
  out=$(curl -sf -o /dev/null -w '%{size_download} %{speed_download}' "$1")
  [[ ${out%% *} == "$BYTES" ]] || { echo "short download from $1: $out" >&2; exit 1; }
  echo "${out##* }"
}
rate "http://127.0.0.1:$NPORT/obj.bin" >/dev/null   # warm the page cache
best_n=0; best_e=0
for i in $(seq 1 "$RUNS"); do
  n=$(rate "http://127.0.0.1:$NPORT/obj.bin")
  e=$(rate "$EMU/bench/obj.bin")
  echo "run $i: nginx $(awk -v r="$n" 'BEGIN{printf "%.0f", r/1048576}') MiB/s, emulator $(awk -v r="$e" 'BEGIN{printf "%.0f", r/1048576}') MiB/s"
  best_n=$(awk -v a="$best_n" -v b="$n" 'BEGIN{print (b>a)?b:a}')
  best_e=$(awk -v a="$best_e" -v b="$e" 'BEGIN{print (b>a)?b:a}')
done
ratio=$(awk -v e="$best_e" -v n="$best_n" 'BEGIN{printf "%.2f", e/n}')
echo "object: $SIZE_MIB MiB; best of $RUNS"
echo "nginx:    $(awk -v r="$best_n" 'BEGIN{printf "%.0f", r/1048576}') MiB/s"
echo "emulator: $(awk -v r="$best_e" 'BEGIN{printf "%.0f", r/1048576}') MiB/s"
echo "emulator peak RSS: $(awk '/VmHWM/{printf "%.1f MiB", $2/1024}' /proc/$EMU_PID/status) (flat: no whole-object buffering)"
echo "ratio emulator/nginx: $ratio (target >= 0.80)"
awk -v r="$ratio" 'BEGIN{exit !(r >= 0.8)}' || { echo "BELOW TARGET" >&2; exit 2; }
