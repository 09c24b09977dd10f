#!/bin/sh
# Installs everything Kuzet's tests, benchmark and demo need on Debian 12 (run as root, or with
# sudo available). Idempotent: safe to run again; apt-get update runs once per call.
#
# APT packages (what each is for):
#   build:   pkg-config libavformat-dev libavcodec-dev libavutil-dev libswscale-dev
#            libcurl4-openssl-dev libsqlite3-dev
#   media:   ffmpeg (ffprobe checks, the benchmark's baseline, clip encoding)
#   cameras: python3 python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0 gir1.2-gst-rtsp-server-1.0
#            gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
#            gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-rtsp gstreamer1.0-tools
#            (scripts/testing/rtsp_camera_server.py: gst-rtsp-server through /usr/bin/python3)
#   ingest:  nginx libnginx-mod-rtmp (RTMP push target), stunnel4 (its TLS front for rtmps:// tests)
#   clients: vlc (relay test client), chromium (status page screenshot test)
#   alerts:  prometheus (promtool checks and tests deploy/prometheus/kuzet-rules.yml; a real Prometheus
#            scrapes a registry in a test — the package's own service is not used)
#   package: dpkg-dev debhelper help2man lintian (make deb), debootstrap systemd-container (make test-package)
#   other:   postgresql (registry tests), sqlite3, iproute2 (netns multicast tests; tc shapes an uplink),
#            iptables (a school behind NAT in a namespace test, issue 22), openssl, curl,
#            procps, bc, python3-pip, jq (scripts/check-imports.sh reads `swift package dump-package`),
#            faketime (libfaketime: the agent's wall clock stepped in a process test, issue 26)
# PyPI: schemathesis (API fuzzing of the registry), wsdiscovery (ONVIF discovery tests),
#       prometheus-client (its parser reads the agent's /metrics in a test)
set -eu

APT_PACKAGES="
pkg-config libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libcurl4-openssl-dev libsqlite3-dev
ffmpeg
python3 python3-gi python3-pip gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0 gir1.2-gst-rtsp-server-1.0
gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly
gstreamer1.0-libav gstreamer1.0-rtsp gstreamer1.0-tools
nginx libnginx-mod-rtmp stunnel4
vlc chromium
postgresql sqlite3 iproute2 iptables openssl curl procps bc systemd jq faketime
prometheus
dpkg-dev debhelper help2man lintian debootstrap systemd-container
"
PIP_PACKAGES="schemathesis wsdiscovery prometheus-client"

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

missing=""
for package in $APT_PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $package"
    fi
done
if [ -n "$missing" ]; then
    echo "install-deps: installing:$missing"
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends $missing
    # The Debian nginx package starts a system nginx on port 80; our tests run their own.
    # Likewise Debian's prometheus (port 9090): the tests start their own on a free loopback port.
    if command -v systemctl >/dev/null 2>&1; then
        $SUDO systemctl disable --now nginx >/dev/null 2>&1 || true
        $SUDO systemctl disable --now prometheus >/dev/null 2>&1 || true
    fi
else
    echo "install-deps: all apt packages present"
fi

# The pip of the python3 on PATH (may be a pyenv one); Debian's own pip refuses system-wide
# installs without --break-system-packages (PEP 668).
pip_missing=""
for package in $PIP_PACKAGES; do
    if ! python3 -m pip show "$package" >/dev/null 2>&1; then pip_missing="$pip_missing $package"; fi
done
if [ -n "$pip_missing" ]; then
    echo "install-deps: pip installing:$pip_missing"
    python3 -m pip install --quiet $pip_missing 2>/dev/null \
        || python3 -m pip install --quiet --break-system-packages $pip_missing
else
    echo "install-deps: all pip packages present"
fi

# The camera server needs gst-rtsp-server from Debian's python3-gi.
/usr/bin/python3 -c 'import gi; gi.require_version("GstRtspServer", "1.0"); from gi.repository import GstRtspServer' \
    || { echo "install-deps: /usr/bin/python3 cannot import GstRtspServer — check python3-gi and gir1.2-gst-rtsp-server-1.0" >&2; exit 1; }
echo "install-deps: done"
