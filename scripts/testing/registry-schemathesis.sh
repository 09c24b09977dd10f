#!/usr/bin/env bash
# Fuzzes the real registry against docs/registry-api.yaml with Schemathesis (pip install schemathesis):
# no 5xx, no response outside the documented status codes, content types, headers and schemas.
# Runs twice: with a viewer token (the read API) and with a school token (the heartbeat API).
# Exit 0 only if both runs pass.
#
#   scripts/testing/registry-schemathesis.sh [--max-examples N]
set -euo pipefail
cd "$(dirname "$0")/../.."
MAX_EXAMPLES=100
[ "${1:-}" = "--max-examples" ] && MAX_EXAMPLES="$2"

command -v schemathesis >/dev/null || { echo "registry-schemathesis.sh: schemathesis not installed — pip install schemathesis" >&2; exit 2; }
swift build --product kuzet-registry >&2
BIN="$(swift build --show-bin-path)/kuzet-registry"
WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

DB="sqlite:$WORK/registry.sqlite"
SCHOOL_TOKEN="$("$BIN" token create --role school --school KZ-AST-0001 --name "School 1" --region Astana --database "$DB" | tail -1)"
VIEWER_TOKEN="$("$BIN" token create --role viewer --database "$DB" | tail -1)"
"$BIN" serve --database "$DB" --listen 127.0.0.1:0 >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$WORK/server.log" && break; sleep 0.2; done
URL="$(sed -n 's/^kuzet-registry listening on //p' "$WORK/server.log" | head -1)"
[ -n "$URL" ] || { cat "$WORK/server.log" >&2; exit 1; }
# One real heartbeat so reads have a school with cameras and history.
curl -sS -o /dev/null -H "Authorization: Bearer $SCHOOL_TOKEN" -H 'Content-Type: application/json' --data-binary @- "$URL/api/v1/heartbeats" <<JSON
{"version":1,"school_id":"KZ-AST-0001","sequence":1,"sent_at":"$(date -u +%Y-%m-%dT%H:%M:%SZ)","agent_version":"0.1.0","uptime_seconds":10,"interval_seconds":30,
 "cameras":[{"id":"cam-1","online":true,"recording":"recording","push":"delivering","relay_clients":0,"retention":{"achieved_days":31,"gaps":[],"bytes_used":1000}}],
 "storage":{"total_bytes":1000,"free_bytes":500,"recordings_bytes":400,"disk_pressure":false,"retention_days":30},"events":[]}
JSON

CHECKS="not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance"
status=0
echo "== read API with a viewer token"
schemathesis run docs/registry-api.yaml --url "$URL" -H "Authorization: Bearer $VIEWER_TOKEN" \
    --checks "$CHECKS" --max-examples "$MAX_EXAMPLES" --exclude-path /api/v1/heartbeats --exclude-method POST \
    --suppress-health-check all || status=1
echo "== heartbeat API with a school token"
schemathesis run docs/registry-api.yaml --url "$URL" -H "Authorization: Bearer $SCHOOL_TOKEN" \
    --checks "$CHECKS" --max-examples "$MAX_EXAMPLES" --include-path /api/v1/heartbeats \
    --suppress-health-check all || status=1
kill -0 "$SERVER_PID" || { echo "registry-schemathesis.sh: the server died" >&2; status=1; }
grep -i "fatal\|crash" "$WORK/server.log" && status=1
exit $status
