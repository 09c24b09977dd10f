#!/usr/bin/python3
"""A real RTSP server (gst-rtsp-server) that looks like a DVR/NVR of one vendor family.

Mounts a live H.264 test pattern under vendor-style paths, for N channels each:
  --hikvision N   /Streaming/Channels/{c}01 (main) and {c}02 (sub)
  --dahua N       /cam/realmonitor?channel={c}&subtype=0 (main) and subtype=1 (sub)
with RTSP Digest authentication (--user/--password). Used by KuzetDiscoveryTests to show the RTSP
prober finds the right channel count. Run with /usr/bin/python3 (it has `gi`).

Dahua paths carry the channel in the query string; gst-rtsp-server matches mounts on the path
alone, so `make_path` is overridden to keep the query in the key (the device's behaviour: an
unknown channel is a 404, not the first channel again).
"""
import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402


class QueryMountPoints(GstRtspServer.RTSPMountPoints):
    def do_make_path(self, url):
        path = url.abspath
        if url.query:
            path += "?" + url.query
        return path


def factory(width, height, fps):
    f = GstRtspServer.RTSPMediaFactory()
    f.set_launch(
        f"( videotestsrc is-live=true pattern=ball ! video/x-raw,width={width},height={height},framerate={fps}/1 "
        f"! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={fps} ! rtph264pay name=pay0 pt=96 config-interval=1 )"
    )
    f.set_shared(True)
    return f


def main():
    # The test runner may start us with SIGTERM blocked (inherited signal mask); unblock it so
    # the test's stop() ends us at once instead of after its SIGKILL grace period.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default="secret")
    parser.add_argument("--hikvision", type=int, default=0)
    parser.add_argument("--dahua", type=int, default=0)
    args = parser.parse_args()

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address(args.address)
    server.set_service(str(args.port))
    mounts = QueryMountPoints()
    server.set_mount_points(mounts)

    auth = GstRtspServer.RTSPAuth()
    auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
    token = GstRtspServer.RTSPToken()
    token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "viewer")
    auth.add_digest(args.user, args.password, token)
    server.set_auth(auth)

    def mount(path, f):
        permissions = GstRtspServer.RTSPPermissions()
        permissions.add_permission_for_role("viewer", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS, True)
        permissions.add_permission_for_role("viewer", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, True)
        f.set_permissions(permissions)
        mounts.add_factory(path, f)

    for c in range(1, args.hikvision + 1):
        mount(f"/Streaming/Channels/{c}01", factory(640, 360, 25))
        mount(f"/Streaming/Channels/{c}02", factory(320, 180, 15))
    for c in range(1, args.dahua + 1):
        mount(f"/cam/realmonitor?channel={c}&subtype=0", factory(640, 360, 25))
        mount(f"/cam/realmonitor?channel={c}&subtype=1", factory(320, 180, 15))

    if server.attach(None) == 0:
        print("cannot listen", file=sys.stderr)
        sys.exit(1)
    print(f"ready rtsp://{args.address}:{args.port}", flush=True)
    loop = GLib.MainLoop()
    signal.signal(signal.SIGTERM, lambda *_: loop.quit())
    signal.signal(signal.SIGINT, lambda *_: loop.quit())
    GLib.timeout_add(200, lambda: True)  # lets Python see signals while the loop runs
    loop.run()


if __name__ == "__main__":
    main()
