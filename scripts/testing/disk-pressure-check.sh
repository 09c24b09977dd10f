#!/usr/bin/env bash
# A full disk reaches the registry: the agent records onto a small tmpfs this script mounts (root),
# the disk is filled by something else, the retention service deletes footage younger than the
# legal minimum and says so — and the registry flags the school DISK_PRESSURE and
# RETENTION_BELOW_MINIMUM. Real registry, real camera server, real agent; bounded to ~90 s.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="$(swift build --show-bin-path)"
dir="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  umount "$dir/disk" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "disk-pressure-check: FAILED — $1" >&2; tail -20 "$dir/agent.log" >&2 || true; exit 1; }
port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

mkdir -p "$dir/disk"
mount -t tmpfs -o size=600m tmpfs "$dir/disk"
registry_port=$(port); camera_port=$(port); status_port=$(port)
database="sqlite:$dir/registry.sqlite"
"$bin/kuzet-registry" serve --database "$database" --listen "127.0.0.1:$registry_port" >"$dir/registry.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do grep -q "listening on http" "$dir/registry.log" && break; sleep 0.2; done
"$bin/kuzet-registry" token create --role school --school KZ-DISK-1 --region Astana --database "$database" | tail -n 1 >"$dir/token"
viewer="$("$bin/kuzet-registry" token create --role viewer --database "$database" | tail -n 1)"
/usr/bin/python3 scripts/testing/rtsp_camera_server.py --port "$camera_port" --demo >"$dir/cameras.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do grep -q "^READY" "$dir/cameras.log" && break; sleep 0.2; done
cat >"$dir/agent.yaml" <<YAML
school: { id: KZ-DISK-1, region: Astana }
storage: { root: $dir/disk/recordings, segment_seconds: 2 }
retention: { days: 30, min_free_percent: 20 }
registry: { url: "http://127.0.0.1:$registry_port/api/v1/heartbeats", token_file: $dir/token, interval_seconds: 3, outbox: $dir/outbox }
status: { listen: "127.0.0.1:$status_port" }
cameras:
  - { id: entrance, url: "rtsp://127.0.0.1:$camera_port/demo1" }
YAML
"$bin/kuzet-agent" run --config "$dir/agent.yaml" >"$dir/agent.log" 2>&1 &
pids+=($!)
# Let a few segments land, then let something else fill the disk below the reserve (the larger of
# min_free_percent and an hour of the measured write rate: ~230 MB for the demo camera).
for _ in $(seq 1 100); do [ "$(ls "$dir/disk/recordings/entrance" 2>/dev/null | wc -l)" -ge 3 ] && break; sleep 0.2; done
[ "$(ls "$dir/disk/recordings/entrance" | wc -l)" -ge 3 ] || fail "the agent recorded nothing onto the tmpfs"
dd if=/dev/zero of="$dir/disk/other-data" bs=1M count=450 status=none 2>/dev/null || true

flags=""
for _ in $(seq 1 300); do
  school="$(curl -s -H "Authorization: Bearer $viewer" "http://127.0.0.1:$registry_port/api/v1/schools/KZ-DISK-1")"
  if echo "$school" | grep -q '"DISK_PRESSURE"' && echo "$school" | grep -q '"RETENTION_BELOW_MINIMUM"'; then flags=yes; break; fi
  sleep 0.2
done
[ -n "$flags" ] || fail "the registry never flagged DISK_PRESSURE and RETENTION_BELOW_MINIMUM: $school"
grep -q "critical" "$dir/agent.log" || fail "the agent did not log the disk pressure at critical level"
kill -0 "${pids[2]}" || fail "the agent stopped"
segments_before=$(ls "$dir/disk/recordings/entrance" | wc -l)
sleep 5
newest="$(ls "$dir/disk/recordings/entrance" | tail -n 1)"
age=$(( $(date +%s) - $(stat -c %Y "$dir/disk/recordings/entrance/$newest") ))
[ "$age" -le 4 ] || fail "recording stopped under disk pressure (newest segment ${age}s old)"
echo "disk-pressure-check: registry flagged DISK_PRESSURE and RETENTION_BELOW_MINIMUM; recording went on (newest segment ${age}s old, $segments_before → $(ls "$dir/disk/recordings/entrance" | wc -l) files)"
