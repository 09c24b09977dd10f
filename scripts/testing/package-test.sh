#!/usr/bin/env bash
# The Debian packages under a real systemd (`make test-package`, as root): boots a debootstrapped
# Debian 12 with `systemd-nspawn --boot`, installs dist/kuzet-{registry,agent}_VERSION_ARCH.deb in
# it and checks the life of both services as an integrator and an operator see it:
#   install: the registry starts; the agent is enabled but idle until /etc/kuzet/agent.yaml exists
#   configured (token, camera) and `check`ed: the agent records and reports; journalctl has both
#   kill -9 of the agent: systemd starts it again within 3 s
#   a configuration error (exit 2): not restarted, the reason in the journal
#   upgrade from the previous build: both restarted; configuration, recordings, queued heartbeats
#     (outbox) and the registry's database kept
#   remove: both stopped, nothing deleted; purge: configuration and system users gone, recordings
#     and database kept, and it says where they are
# The container and a gst-rtsp-server test camera share a network namespace this script creates
# (only its loopback: no traffic leaves it, nothing on the host's ports). The debootstrapped tree
# is cached in /var/cache/kuzet-test/bookworm.tar (KUZET_TEST_CACHE=DIR: elsewhere; delete it to
# make it anew).
# Usage: scripts/testing/package-test.sh [VERSION]   (VERSION: of the .debs in dist/, default
# debian/changelog's). KUZET_PREVIOUS_DEBS=DIR: upgrade from the .debs in DIR instead of the
# current ones repacked as VERSION~previous. KUZET_DEB_DIR=DIR: the .debs are there, not in dist/.
# KUZET_TEST_NSPAWN_OPTIONS: more systemd-nspawn options (e.g. --bind-ro=/opt/swift to try
# packages of debug-built programs, which need the Swift toolchain's libraries).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$PWD"
started=$SECONDS

version="${1:-$(dpkg-parsechangelog -S Version)}"
arch="$(dpkg --print-architecture)"
cache="${KUZET_TEST_CACHE:-/var/cache/kuzet-test}"
tarball="$cache/bookworm.tar"
# What the container needs beyond minbase: systemd to boot, and the packages' dependencies
# (their Depends are checked against this below, so a new one shows up as a clear failure).
include="systemd,systemd-sysv,dbus,adduser,procps,libavformat59,libavcodec59,libavutil57,libswscale6,libcurl4,libsqlite3-0"

[ "$(id -u)" = 0 ] || { echo "package-test: needs root (debootstrap, systemd-nspawn, ip netns) — run it as root" >&2; exit 2; }
for tool in debootstrap systemd-nspawn nsenter ip curl; do
    command -v "$tool" >/dev/null || { echo "package-test: $tool is missing — run scripts/install-deps.sh" >&2; exit 2; }
done
debs="${KUZET_DEB_DIR:-dist}"
agent_deb="$debs/kuzet-agent_${version}_${arch}.deb"
registry_deb="$debs/kuzet-registry_${version}_${arch}.deb"
for deb in "$agent_deb" "$registry_deb"; do
    [ -f "$deb" ] || { echo "package-test: $deb is missing — run make deb first" >&2; exit 2; }
done

work="$(mktemp -d /var/tmp/kuzet-package-test.XXXXXX)"
netns="kuzet-pkg-$$"
nspawn_pid="" camera_pid="" leader=""
passed=0 failed=0

cleanup() {
    set +e
    if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
        [ -n "$leader" ] && kill -RTMIN+4 "$leader" 2>/dev/null    # the container's systemd: power off
        for _ in $(seq 1 100); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.2; done
        kill -0 "$nspawn_pid" 2>/dev/null && kill -KILL "$nspawn_pid"
        wait "$nspawn_pid" 2>/dev/null
    fi
    if [ -n "$camera_pid" ]; then kill "$camera_pid" 2>/dev/null; wait "$camera_pid" 2>/dev/null; fi
    ip netns delete "$netns" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

say() { echo "package-test: $*"; }
ok() { passed=$((passed + 1)); echo "ok $passed - $*"; }
fail() {
    failed=$((failed + 1))
    echo "FAILED - $*"
    if [ -n "$leader" ]; then
        echo "--- journal of both units (last 40 lines) ---"
        inside "journalctl -u kuzet-agent -u kuzet-registry --no-pager -n 40" || true
    fi
    echo "package-test: $passed passed, $failed failed ($((SECONDS - started)) s)"
    exit 1
}
# Runs a shell command inside the container (its mount, PID, network… namespaces and root).
inside() {
    nsenter --target "$leader" --mount --uts --ipc --net --pid --root --wd \
        /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 SYSTEMD_PAGER= SYSTEMD_COLORS=0 \
        /bin/sh -c "$1"
}
# Prints the command, then runs it inside.
run() { echo "+ $1" | sed 's/^/  /'; inside "$1" 2>&1 | sed 's/^/    /'; return "${PIPESTATUS[0]}"; }
prop() { inside "systemctl show -P $2 $1"; }
wait_for() { # SECONDS COMMAND: true once COMMAND (inside) succeeds within SECONDS
    local until=$((SECONDS + $1))
    while [ $SECONDS -lt $until ]; do inside "$2" >/dev/null 2>&1 && return 0; sleep 0.2; done
    return 1
}

# The outbox's heartbeats not yet acknowledged by the registry (sequence numbers), read from the
# container's tree: journal.jsonl lines above state.json's "acknowledged".
pending() {
    python3 - "$work/root/var/lib/kuzet/outbox" <<'PY'
import json, os, sys
folder = sys.argv[1]
try:
    acknowledged = json.load(open(os.path.join(folder, "state.json")))["acknowledged"]
except FileNotFoundError:
    acknowledged = 0
with open(os.path.join(folder, "journal.jsonl"), "rb") as journal:
    lines = [line for line in journal.read().split(b"\n") if line.strip()]
print(" ".join(str(s) for s in (json.loads(line)["sequence"] for line in lines) if s > acknowledged))
PY
}

# --- the container's tree -------------------------------------------------------------------
if [ ! -f "$tarball" ]; then
    say "making the cached Debian 12 tree $tarball (debootstrap, once)"
    mkdir -p "$cache"
    fresh="$(mktemp -d "$cache/bootstrap.XXXXXX")"
    t=$SECONDS
    debootstrap --variant=minbase --include="$include" bookworm "$fresh/root" http://deb.debian.org/debian >"$fresh/log" 2>&1 \
        || { tail -20 "$fresh/log"; rm -rf "$fresh"; fail "debootstrap bookworm"; }
    # Boots quietly with no console: no login prompt, no first-boot questions.
    chroot "$fresh/root" systemctl mask console-getty.service getty@.service systemd-firstboot.service >/dev/null 2>&1
    echo kuzet-package-test >"$fresh/root/etc/hostname"
    : >"$fresh/root/etc/machine-id"
    tar -C "$fresh/root" -cf "$tarball.new" . && mv "$tarball.new" "$tarball"
    rm -rf "$fresh"
    say "debootstrap and cache: $((SECONDS - t)) s"
fi
t=$SECONDS
mkdir "$work/root"
tar -C "$work/root" -xf "$tarball"
say "container tree unpacked in $((SECONDS - t)) s"

# --- the packages: current, and the previous build to upgrade from --------------------------
mkdir "$work/debs"
cp "$agent_deb" "$registry_deb" "$work/debs/"
if [ -n "${KUZET_PREVIOUS_DEBS:-}" ]; then
    cp "$KUZET_PREVIOUS_DEBS"/kuzet-agent_*.deb "$KUZET_PREVIOUS_DEBS"/kuzet-registry_*.deb "$work/debs/"
    previous="$(dpkg-deb -f "$(ls "$KUZET_PREVIOUS_DEBS"/kuzet-agent_*.deb | head -n 1)" Version)"
else
    previous="${version}~previous"
    for deb in "$agent_deb" "$registry_deb"; do
        name="$(dpkg-deb -f "$deb" Package)"
        dpkg-deb -R "$deb" "$work/repack"
        sed -i "s/^Version: .*/Version: $previous/" "$work/repack/DEBIAN/control"
        dpkg-deb -Znone -b "$work/repack" "$work/debs/${name}_${previous}_${arch}.deb" >/dev/null
        rm -rf "$work/repack"
    done
fi
say "packages: $version, upgrading from $previous"
for deb in "$agent_deb" "$registry_deb"; do
    for dependency in $(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/[[:space:]]*(.*//; s/[[:space:]]//g; s/|.*//'); do
        [ -n "$(find "$work/root/var/lib/dpkg/info" -name "$dependency.list" -o -name "$dependency:$arch.list" | head -n 1)" ] \
            || fail "$deb depends on $dependency, which the cached tree lacks — add it to \$include and delete $tarball"
    done
done

# --- a network namespace with a test camera on its loopback --------------------------------
ip netns add "$netns"
ip -n "$netns" link set lo up
ip netns exec "$netns" /usr/bin/python3 scripts/testing/rtsp_camera_server.py --port 8554 \
    --mount '/gate;size=320x240;bitrate=48;gop=2' >"$work/camera.log" 2>&1 &
camera_pid=$!
for _ in $(seq 1 300); do grep -q '^READY' "$work/camera.log" && break; sleep 0.2; done
grep -q '^READY' "$work/camera.log" || { cat "$work/camera.log"; fail "the test camera did not start"; }

# --- boot ------------------------------------------------------------------------------------
t=$SECONDS
systemd-nspawn --boot --quiet --register=no --keep-unit --machine="kuzet-pkg-$$" --directory="$work/root" \
    --network-namespace-path="/run/netns/$netns" --bind-ro="$work/debs:/debs" --console=pipe ${KUZET_TEST_NSPAWN_OPTIONS:-} \
    </dev/null >"$work/boot.log" 2>&1 &
nspawn_pid=$!
# --register=no --keep-unit: no machined or system bus on the host needed (none runs here).
# The container's PID 1 is the child of systemd-nspawn that runs /sbin/init (systemd).
for _ in $(seq 1 100); do
    for child in $(cat /proc/"$nspawn_pid"/task/*/children 2>/dev/null); do
        [ "$(cat /proc/"$child"/comm 2>/dev/null)" = systemd ] && leader=$child
    done
    [ -n "$leader" ] && break
    kill -0 "$nspawn_pid" 2>/dev/null || { cat "$work/boot.log"; fail "systemd-nspawn --boot exited"; }
    sleep 0.2
done
[ -n "$leader" ] || { cat "$work/boot.log"; fail "no systemd started in the container within 20 s"; }
state=""
for _ in $(seq 1 300); do
    state="$(inside 'systemctl is-system-running' 2>/dev/null || true)"
    case "$state" in running|degraded) break ;; esac
    sleep 0.2
done
case "$state" in running|degraded) ;; *) cat "$work/boot.log"; fail "the container's systemd did not finish booting (state: $state)" ;; esac
ok "Debian 12 booted systemd $(inside 'systemctl --version | head -n 1 | cut -d" " -f2') in a container in $((SECONDS - t)) s (state: $state)"

# --- install the previous build -------------------------------------------------------------
run "dpkg -i /debs/kuzet-registry_${previous}_${arch}.deb /debs/kuzet-agent_${previous}_${arch}.deb" \
    || fail "dpkg -i of the previous build"
wait_for 20 "systemctl is-active --quiet kuzet-registry && journalctl -u kuzet-registry | grep -q 'listening on'" \
    || fail "kuzet-registry is not active, listening, after install"
ok "install: kuzet-registry active: $(inside "journalctl -u kuzet-registry --no-pager -o cat | grep 'listening on' | tail -n 1")"
[ "$(prop kuzet-agent UnitFileState)" = enabled ] || fail "kuzet-agent is not enabled after install"
[ "$(prop kuzet-agent ActiveState)" = inactive ] && [ "$(prop kuzet-agent ConditionResult)" = no ] \
    || fail "kuzet-agent should be idle (condition unmet) without /etc/kuzet/agent.yaml: $(prop kuzet-agent ActiveState)"
ok "install: kuzet-agent enabled, not started: ConditionPathExists=/etc/kuzet/agent.yaml unmet ($(inside 'systemctl status kuzet-agent --no-pager | grep -o "Condition: start condition.*" | head -n 1'))"
[ "$(inside 'stat -c %a:%G /etc/kuzet/registry.env')" = 640:kuzet-registry ] || fail "registry.env is not 0640 root:kuzet-registry"
inside 'getent passwd kuzet && getent passwd kuzet-registry' >/dev/null || fail "the system users are missing"
ok "install: users kuzet and kuzet-registry; /etc/kuzet/registry.env 0640 group kuzet-registry"

# --- configure the agent as the guide says --------------------------------------------------
database=sqlite:/var/lib/kuzet-registry/registry.sqlite
run "runuser -u kuzet-registry -- kuzet-registry token create --role school --school KZ-TEST-0001 --name 'Package test' --region Test --database $database | tail -n 1 > /etc/kuzet/token && chgrp kuzet /etc/kuzet/token && chmod 0640 /etc/kuzet/token" \
    || fail "token create --role school"
admin="$(inside "runuser -u kuzet-registry -- kuzet-registry token create --role admin --database $database | tail -n 1")"
inside "cat > /etc/kuzet/agent.yaml" <<'YAML'
school: { id: KZ-TEST-0001, name: "Package test", region: Test }
storage: { root: /var/lib/kuzet/recordings, segment_seconds: 2 }
retention: { days: 30 }
registry:
  url: http://127.0.0.1:8443/api/v1/heartbeats
  token_file: /etc/kuzet/token
  interval_seconds: 2
  outbox: /var/lib/kuzet/outbox
status: { listen: 127.0.0.1:8080 }
cameras:
  - id: gate
    url: rtsp://127.0.0.1:8554/gate
YAML
inside "chgrp kuzet /etc/kuzet/agent.yaml && chmod 0640 /etc/kuzet/agent.yaml"
echo "  + kuzet-agent check --config /etc/kuzet/agent.yaml"
check_status=0
inside "kuzet-agent check --config /etc/kuzet/agent.yaml" >"$work/check.out" 2>&1 || check_status=$?
sed 's/^/    /' "$work/check.out"
# `check` wants room for 30 days at the measured bitrate on the container's disk (the host's):
# the camera is 48 kbit/s, about 16 GB a month, so it passes or names the one thing to fix.
[ "$check_status" = 0 ] || fail "kuzet-agent check exited $check_status"
run "systemctl start kuzet-agent" || fail "systemctl start kuzet-agent"
wait_for 30 "ls /var/lib/kuzet/recordings/gate | grep -q ." || fail "no recording of camera gate within 30 s"
ok "configured and checked: kuzet-agent $(prop kuzet-agent ActiveState), recording into /var/lib/kuzet/recordings/gate"
# The school as the registry's API shows it (from the container's network namespace, on its loopback).
school() { ip netns exec "$netns" curl -s --max-time 5 -H "Authorization: Bearer $admin" http://127.0.0.1:8443/api/v1/schools/KZ-TEST-0001; }
online() { school | python3 -c 'import json, sys; sys.exit(0 if json.load(sys.stdin)["school"]["online"] is True else 1)' 2>/dev/null; }
for _ in $(seq 1 100); do online && break; sleep 0.2; done
online || fail "the registry does not show KZ-TEST-0001 online: $(school)"
ok "the registry shows KZ-TEST-0001 online (its heartbeats arrive)"

echo "  journal lines checked:"
agent_line="$(inside "journalctl -u kuzet-agent --no-pager -o short-precise | grep -m 1 'camera stream online'")"
registry_line="$(inside "journalctl -u kuzet-registry --no-pager -o short-precise | grep -m 1 'listening on'")"
echo "    $agent_line"; echo "    $registry_line"
[ -n "$agent_line" ] && [ -n "$registry_line" ] || fail "journalctl lacks the services' logs"
ok "journalctl shows both services' logs"

# --- kill -9 → restarted within 3 s ----------------------------------------------------------
old_pid="$(prop kuzet-agent MainPID)"
restarts="$(prop kuzet-agent NRestarts)"
killed=$(date +%s%N)
run "kill -9 $old_pid" || fail "kill -9"
new_pid=""
for _ in $(seq 1 100); do
    pid="$(prop kuzet-agent MainPID)"
    if [ "$pid" != 0 ] && [ "$pid" != "$old_pid" ] && [ "$(prop kuzet-agent ActiveState)" = active ]; then new_pid=$pid; break; fi
    sleep 0.05
done
back=$(( ($(date +%s%N) - killed) / 1000000 ))
[ -n "$new_pid" ] || fail "kuzet-agent was not restarted within 5 s of kill -9"
[ "$back" -le 3000 ] || fail "kuzet-agent came back after $back ms (bound: 3000 ms)"
inside "journalctl -u kuzet-agent --no-pager -o short-precise | grep -E 'status=9/KILL|Scheduled restart job' | tail -n 2" | sed 's/^/    /'
ok "kill -9 of kuzet-agent (PID $old_pid): active again as PID $new_pid after $back ms (NRestarts $restarts → $(prop kuzet-agent NRestarts))"

# --- a configuration error: exit 2, not restarted, the reason in the journal ----------------
inside "cp /etc/kuzet/agent.yaml /root/agent.yaml.good && sed -i 's/days: 30/days: 7/' /etc/kuzet/agent.yaml"
since="$(inside 'date +%s')"
run "systemctl restart kuzet-agent" || fail "systemctl restart kuzet-agent"
wait_for 10 "[ \"\$(systemctl show -P ActiveState kuzet-agent)\" = failed ]" || fail "kuzet-agent with retention.days: 7 is $(prop kuzet-agent ActiveState), not failed"
restarts="$(prop kuzet-agent NRestarts)"   # a manual restart set it back to 0
sleep 4   # RestartSec=2, twice over: a restart would have happened by now
[ "$(prop kuzet-agent ActiveState)" = failed ] && [ "$(prop kuzet-agent ExecMainStatus)" = 2 ] \
    && [ "$(prop kuzet-agent NRestarts)" = "$restarts" ] \
    || fail "after a configuration error: $(prop kuzet-agent ActiveState), exit $(prop kuzet-agent ExecMainStatus), NRestarts $(prop kuzet-agent NRestarts) (was $restarts)"
reason="$(inside "journalctl -u kuzet-agent --since @$since --no-pager -o short-precise | grep -E 'retention.days|status=2/' ")"
echo "$reason" | sed 's/^/    /'
echo "$reason" | grep -q 'retention.days' || fail "the journal does not say what is wrong with the configuration"
ok "configuration error: exit 2, stays failed 4 s later (NRestarts $restarts), the reason in the journal"
inside "cp /root/agent.yaml.good /etc/kuzet/agent.yaml"
run "systemctl start kuzet-agent" || fail "start after fixing the configuration"
wait_for 10 "systemctl is-active --quiet kuzet-agent" || fail "kuzet-agent did not start again with the fixed configuration"

# --- upgrade from the previous build keeps everything ---------------------------------------
inside "echo '# an operator edit the upgrade must keep' >> /etc/kuzet/registry.env"
sleep 4   # a few more segments
# The registry stopped: heartbeats queue in the agent's outbox, and the upgrade must keep them.
run "systemctl stop kuzet-registry" || fail "systemctl stop kuzet-registry"
for _ in $(seq 1 100); do [ "$(pending | wc -w)" -ge 2 ] && break; sleep 0.2; done
queued="$(pending)"
[ "$(echo "$queued" | wc -w)" -ge 2 ] || fail "no heartbeats queued in the outbox with the registry stopped"
inside "md5sum /etc/kuzet/agent.yaml /etc/kuzet/token /etc/kuzet/registry.env" >"$work/config.before"
# Every finished segment (all but the newest, still being written) with its size.
segments() { inside "cd /var/lib/kuzet/recordings/gate && ls | sort | head -n -1 | xargs stat -c '%n %s'"; }
segments >"$work/segments.before"
agent_pid="$(prop kuzet-agent MainPID)"
run "dpkg -i /debs/kuzet-agent_${version}_${arch}.deb" || fail "upgrade of kuzet-agent"
wait_for 10 "systemctl is-active --quiet kuzet-agent" || fail "kuzet-agent is not active after the upgrade"
[ "$(prop kuzet-agent MainPID)" != "$agent_pid" ] || fail "the upgrade did not restart kuzet-agent"
after="$(pending)"
for sequence in $queued; do
    echo " $after " | grep -q " $sequence " || fail "heartbeat $sequence, queued before the upgrade, is not in the outbox after it (now: $after)"
done
ok "upgrade $previous → $version: kuzet-agent restarted (PID $agent_pid → $(prop kuzet-agent MainPID)); the $(echo "$queued" | wc -w) heartbeats queued before it ($(echo $queued | tr ' ' ,)) are still in the outbox"
run "systemctl start kuzet-registry" || fail "systemctl start kuzet-registry"
registry_pid="$(prop kuzet-registry MainPID)"
run "dpkg -i /debs/kuzet-registry_${version}_${arch}.deb" || fail "upgrade of kuzet-registry"
wait_for 10 "systemctl is-active --quiet kuzet-registry" || fail "kuzet-registry is not active after the upgrade"
[ "$(prop kuzet-registry MainPID)" != "$registry_pid" ] || fail "the upgrade did not restart kuzet-registry"
ok "upgrade $previous → $version: kuzet-registry restarted (PID $registry_pid → $(prop kuzet-registry MainPID))"
inside "md5sum /etc/kuzet/agent.yaml /etc/kuzet/token /etc/kuzet/registry.env" >"$work/config.after"
diff "$work/config.before" "$work/config.after" >/dev/null || fail "the upgrade changed the configuration: $(diff "$work/config.before" "$work/config.after")"
ok "upgrade kept agent.yaml, token and the edited registry.env (md5 the same)"
segments >"$work/segments.all"
missing="$(comm -23 "$work/segments.before" <(sort "$work/segments.all") | wc -l)"
[ "$missing" = 0 ] || fail "$missing recordings from before the upgrade are gone or changed"
ok "upgrade kept all $(wc -l <"$work/segments.before") finished recordings (names and sizes)"
for _ in $(seq 1 100); do [ -z "$(pending)" ] && online && break; sleep 0.2; done
online || fail "after the upgrade the registry (same database, same admin token) does not show KZ-TEST-0001 online: $(school)"
ok "upgrade kept the registry's database: the admin token and the school's token still work, KZ-TEST-0001 online again; heartbeats still queued: $(pending | wc -w)"
echo "  exposure under this systemd:"
for unit in kuzet-agent kuzet-registry; do
    inside "systemd-analyze security $unit.service --no-pager | tail -n 1" | sed 's/^/    /'
done

# --- remove: stopped, nothing deleted -------------------------------------------------------
run "dpkg -r kuzet-agent kuzet-registry" || fail "dpkg -r"
recordings="$(inside 'ls /var/lib/kuzet/recordings/gate | wc -l')"   # counted once the agent stopped
inside "pgrep -x kuzet-agent || pgrep -x kuzet-registry" >/dev/null && fail "a kuzet process still runs after dpkg -r"
[ "$(prop kuzet-agent ActiveState)" = inactive ] && [ "$(prop kuzet-registry ActiveState)" = inactive ] || fail "units still active after dpkg -r"
inside "test -f /etc/kuzet/agent.yaml && test -f /etc/kuzet/registry.env && getent passwd kuzet >/dev/null && test -d /var/lib/kuzet-registry" \
    || fail "dpkg -r deleted configuration, a user or the database"
ok "remove: both stopped (no process left), configuration, users, $recordings recordings and the database kept"

# --- purge: configuration and users gone, recordings and database kept ----------------------
echo "  + dpkg -P kuzet-agent kuzet-registry"
inside "dpkg -P kuzet-agent kuzet-registry" >"$work/purge.out" 2>&1 || { cat "$work/purge.out"; fail "dpkg -P"; }
sed 's/^/    /' "$work/purge.out"
inside "test ! -e /etc/kuzet/agent.yaml && test ! -e /etc/kuzet/token && test ! -e /etc/kuzet/registry.env" || fail "purge left configuration in /etc/kuzet: $(inside 'ls -la /etc/kuzet')"
inside "getent passwd kuzet || getent passwd kuzet-registry || getent group kuzet || getent group kuzet-registry" >/dev/null && fail "purge left a system user or group"
[ "$(inside 'ls /var/lib/kuzet/recordings/gate | wc -l')" = "$recordings" ] || fail "purge touched the recordings"
inside "test -d /var/lib/kuzet-registry" || fail "purge deleted the registry's database"
grep -q "recordings were kept.*/var/lib/kuzet/recordings" "$work/purge.out" || fail "purge did not say where the recordings are"
ok "purge: configuration and users kuzet, kuzet-registry gone; all $recordings recordings and the database kept, and it says where"

say "$passed passed, $failed failed ($((SECONDS - started)) s)"
