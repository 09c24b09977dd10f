#!/usr/bin/env bash
# The one-command demo (`make demo`): on this machine, a registry (SQLite), two built-in demo
# cameras (gst-rtsp-server looping a committed clip: H.264 and H.265) and an agent that records
# them, relays them and reports to the registry every 5 s. Prints the dashboard URL.
#
#   KUZET_DEMO_DIR       where everything goes (default ./demo-data)
#   KUZET_DEMO_SECONDS   stop by itself after this many seconds (default: run until Ctrl-C)
#   KUZET_DEMO_REGISTRY_PORT / _CAMERA_PORT / _RELAY_PORT / _STATUS_PORT   (8787 / 18554 / 8554 / 8080)
set -euo pipefail
cd "$(dirname "$0")/.."

data="${KUZET_DEMO_DIR:-$PWD/demo-data}"
registry_port="${KUZET_DEMO_REGISTRY_PORT:-8787}"
camera_port="${KUZET_DEMO_CAMERA_PORT:-18554}"
relay_port="${KUZET_DEMO_RELAY_PORT:-8554}"
status_port="${KUZET_DEMO_STATUS_PORT:-8080}"

for port in "$registry_port" "$camera_port" "$relay_port" "$status_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "demo: port $port is already in use — stop what uses it or set KUZET_DEMO_*_PORT" >&2
    exit 2
  fi
done

echo "demo: building kuzet-agent and kuzet-registry (the first build takes a few minutes)…"
swift build --product kuzet-registry >/dev/null
swift build --product kuzet-agent >/dev/null
bin="$(swift build --show-bin-path)"

mkdir -p "$data"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

wait_for_line() { # FILE PATTERN SECONDS WHAT
  for _ in $(seq 1 $(( $3 * 10 ))); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "demo: $4 did not start — see $1" >&2
  exit 1
}

database="sqlite:$data/registry.sqlite"
"$bin/kuzet-registry" serve --database "$database" --listen "127.0.0.1:$registry_port" >"$data/registry.log" 2>&1 &
pids+=($!)
wait_for_line "$data/registry.log" "listening on" 30 "the registry"

"$bin/kuzet-registry" token create --role school --school KZ-DEMO-0001 --name "Demo School No. 1" --region Astana \
  --database "$database" | tail -n 1 >"$data/token"
chmod 600 "$data/token"
viewer="$("$bin/kuzet-registry" token create --role admin --database "$database" | tail -n 1)"

/usr/bin/python3 scripts/testing/rtsp_camera_server.py --port "$camera_port" --demo >"$data/cameras.log" 2>&1 &
pids+=($!)
wait_for_line "$data/cameras.log" "^READY" 60 "the demo cameras"

cat >"$data/agent.yaml" <<YAML
# Written by scripts/demo.sh
school: { id: KZ-DEMO-0001, name: "Demo School No. 1", region: Astana }
storage: { root: $data/recordings, segment_seconds: 10 }
retention: { days: 30 }
registry:
  url: http://127.0.0.1:$registry_port/api/v1/heartbeats
  token_file: $data/token
  interval_seconds: 5
  outbox: $data/outbox
relay: { listen: 127.0.0.1:$relay_port }
status: { listen: 127.0.0.1:$status_port }
cameras:
  - id: entrance
    url: rtsp://127.0.0.1:$camera_port/demo1
  - id: corridor
    url: rtsp://127.0.0.1:$camera_port/demo2
YAML

"$bin/kuzet-agent" run --config "$data/agent.yaml" >"$data/agent.log" 2>&1 &
agent=$!
pids+=($agent)

cat <<TEXT

  Kuzet demo is running (logs in $data).
  Police dashboard:   http://127.0.0.1:$registry_port/?token=$viewer
  Integrator's page:  http://127.0.0.1:$status_port/
  Relay (for the ЦОУ): rtsp://127.0.0.1:$relay_port/entrance   rtsp://127.0.0.1:$relay_port/corridor
  Recordings:         $data/recordings
  Ctrl-C stops everything.

TEXT

if [ -n "${KUZET_DEMO_SECONDS:-}" ]; then
  sleep "$KUZET_DEMO_SECONDS"
else
  wait "$agent"
fi
