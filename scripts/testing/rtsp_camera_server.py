#!/usr/bin/python3
"""A cheap, real RTSP "camera" server for Kuzet's tests, benchmark and demo.

Run it with /usr/bin/python3 (Debian's python3-gi; a pyenv python has no `gi`).

It is gst-rtsp-server (GStreamer 1.22) serving N mounts. Nothing is encoded per mount: every
distinct stream (codec, size, fps, bitrate, GOP) is encoded ONCE with ffmpeg into a cache
directory (a 10 s loop by default), loaded into memory, and each mount's pipeline is fed from
that memory by an `appsrc` at real time, with monotonic timestamps across loops. 64 mounts of
1080p H.264 cost about what the payloading and socket writes cost.

Usage:
  rtsp_camera_server.py --port 8554 --mount '/cam1' --mount '/Streaming/Channels/101;codec=h265;size=1280x720;audio=aac;user=admin;password=secret'
  rtsp_camera_server.py --port 8554 --spec cameras.json
  rtsp_camera_server.py --port 8554 --cameras 32 --mount-template '/cam{n}' --size 1920x1080 --bitrate 4000
  rtsp_camera_server.py --port 8554 --demo            # two small cameras: /demo1 (H.264) /demo2 (H.265)

Mount options (`;key=value` after the path, or keys of a JSON object in `--spec`'s "mounts"):
  codec=h264|h265  size=WxH (or width/height)  fps=25  bitrate=kbit/s  gop=seconds
  audio=none|aac|pcmu  user=NAME password=PASS (digest auth for this mount)  auth=digest|basic|both
  clip=seconds (length of the loop)  file=PATH (serve this raw H.264/H.265 Annex-B clip instead; its
  codec must match `codec`, `fps` is the rate it is played at, size/bitrate/gop are the file's own)
A JSON spec may also carry top-level "auth": {"user": .., "password": ..} used by every mount
that does not say `"auth": false`.

Query strings: gst-rtsp-server selects the mount by the URL's path only. A client may request
`/cam/realmonitor?channel=1&subtype=0`; it is served by the mount `/cam/realmonitor`. Two mounts
that differ only in their query are refused at start.

What it prints on stdout (one line each, flushed):
  READY port=<p> mounts=<n> status=<file>        when listening
  SESSION+ <mount> id=<session> sessions=<n>      a session set up a mount
  SESSION- <mount> id=<session> sessions=<n>      that session went away (teardown, its connection
                                                  closed — also after kill -9 —, or timeout)
  CLIENT+ / CLIENT- clients=<n>                   RTSP connections
The same counts are in the JSON `--status-file` (rewritten atomically on every change) and,
with `--status-port`, at http://127.0.0.1:<status-port>/status.

SIGTERM/SIGINT stop the server cleanly (exit 0).

Like real cameras, each mount is one shared live pipeline: a client joins the running stream and
waits for the next keyframe (every `gop` seconds). Note for clients: FFmpeg's RTSP demuxer gives
the first packet it receives from gst-rtsp-server no timestamp (pts N/A) — also with a stock
gst-rtsp-server pipeline — so a recorder must repair or drop it.

Cost (2-core machine, 1080p H.264 ~4.2 Mbit/s per mount, one TCP client each): ~0.10 cores for
16 mounts, ~0.2 for 32, ~0.3-0.4 for 64 (see bench/README.md).
"""
import argparse
import faulthandler
import fcntl
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstApp", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstApp, GstRtsp, GstRtspServer  # noqa: E402

DEMO_CLIP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo", "kuzet-demo-640x360-25fps.h264")
DEFAULT_CACHE = os.environ.get("KUZET_CLIP_CACHE", os.path.join(tempfile.gettempdir(), "kuzet-clips"))


def log(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def fail(message):
    sys.stderr.write("rtsp_camera_server: " + message + "\n")
    sys.exit(2)


# MARK: - Specification


class MountSpec:
    def __init__(self, path, codec="h264", width=640, height=360, fps=25, bitrate=1000, gop=1.0,
                 audio="none", user=None, password=None, auth="digest", clip=10.0, file=None):
        if not path.startswith("/"):
            fail(f"mount {path!r}: a mount path starts with '/' — write e.g. /Streaming/Channels/101")
        if codec not in ("h264", "h265"):
            fail(f"mount {path}: codec {codec!r} is not supported — use h264 or h265")
        if audio not in ("none", "aac", "pcmu"):
            fail(f"mount {path}: audio {audio!r} is not supported — use none, aac or pcmu")
        if auth not in ("digest", "basic", "both"):
            fail(f"mount {path}: auth {auth!r} is not supported — use digest, basic or both")
        if (user is None) != (password is None):
            fail(f"mount {path}: give both user and password, or neither")
        self.path = path
        self.route = path.split("?", 1)[0] or "/"
        self.codec = codec
        self.width, self.height = int(width), int(height)
        self.fps = int(fps)
        self.bitrate = int(bitrate)
        self.gop = float(gop)
        self.audio = audio
        self.user, self.password, self.auth = user, password, auth
        self.clip = float(clip)
        self.file = file
        if file is not None and not os.path.isfile(file):
            fail(f"mount {path}: file {file} does not exist — give a raw H.264/H.265 (Annex B) clip")

    @staticmethod
    def parse(text):
        parts = text.split(";")
        options = {}
        for part in parts[1:]:
            if not part:
                continue
            if "=" not in part:
                fail(f"--mount {text!r}: option {part!r} is not key=value")
            key, value = part.split("=", 1)
            options[key.strip()] = value.strip()
        return MountSpec.from_dict(parts[0], options)

    @staticmethod
    def from_dict(path, options, default_auth=None):
        options = dict(options)
        if "size" in options:
            try:
                w, h = str(options.pop("size")).lower().split("x")
                options["width"], options["height"] = int(w), int(h)
            except ValueError:
                fail(f"mount {path}: size must look like 1920x1080")
        auth = options.pop("auth", None)
        if isinstance(auth, dict):
            options.setdefault("user", auth.get("user") or auth.get("username"))
            options.setdefault("password", auth.get("password"))
        elif auth is False:
            default_auth = None
        elif isinstance(auth, str):
            options["auth"] = auth
        if "username" in options:
            options["user"] = options.pop("username")
        if default_auth and "user" not in options:
            options["user"] = default_auth.get("user") or default_auth.get("username")
            options["password"] = default_auth.get("password")
        known = {"codec", "width", "height", "fps", "bitrate", "gop", "audio", "user", "password", "auth", "clip", "file"}
        unknown = set(options) - known
        if unknown:
            fail(f"mount {path}: unknown option(s) {sorted(unknown)} — known: {sorted(known | {'size'})}")
        try:
            return MountSpec(path, **options)
        except (TypeError, ValueError) as error:
            fail(f"mount {path}: {error}")

    def video_key(self):
        if self.file:
            return f"file:{os.path.abspath(self.file)}"
        return f"{self.codec}-{self.width}x{self.height}-{self.fps}fps-{self.bitrate}k-gop{self.gop:g}-{self.clip:g}s"


# MARK: - Clips, encoded once and cached


def _locked_build(path, build):
    """Builds `path` once even when several servers (parallel tests) ask at the same moment."""
    if os.path.exists(path):
        return path
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(path):
            partial = path + f".part{os.getpid()}"
            build(partial)
            os.rename(partial, path)
    return path


def _ffmpeg(arguments, what):
    result = subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y"] + arguments,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        fail(f"encoding {what} with ffmpeg failed: {result.stderr.strip()[-500:]}")


def video_clip(spec, cache):
    if spec.file:  # a committed clip (the demo): served as it is
        return spec.file
    extension = "h264" if spec.codec == "h264" else "h265"
    path = os.path.join(cache, spec.video_key() + "." + extension)
    gop_frames = max(1, round(spec.gop * spec.fps))
    frames = max(gop_frames, round(spec.clip * spec.fps))
    frames -= frames % gop_frames  # the loop restarts on a keyframe
    rate = f"-b:v {spec.bitrate}k -maxrate {spec.bitrate}k -bufsize {spec.bitrate * 2}k".split()
    # Temporal noise makes the picture as hard to compress as a real scene, so the bitrate is real.
    source = ["-f", "lavfi", "-i", f"testsrc2=size={spec.width}x{spec.height}:rate={spec.fps},noise=alls=12:allf=t",
              "-frames:v", str(frames), "-pix_fmt", "yuv420p"]
    if spec.codec == "h264":
        codec = ["-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main", "-bf", "0",
                 "-g", str(gop_frames), "-keyint_min", str(gop_frames), "-sc_threshold", "0",
                 "-x264-params", "repeat-headers=1"] + rate + ["-f", "h264"]
    else:
        codec = ["-c:v", "libx265", "-preset", "ultrafast",
                 "-x265-params", f"keyint={gop_frames}:min-keyint={gop_frames}:scenecut=0:bframes=0:repeat-headers=1:log-level=error"
                 ] + rate + ["-f", "hevc"]
    return _locked_build(path, lambda out: _ffmpeg(source + codec + [out], f"{spec.video_key()}"))


def audio_clip(kind, seconds, cache):
    if kind == "aac":
        path = os.path.join(cache, f"aac-16k-{seconds:g}s.aac")
        args = ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=16000:duration={seconds:g}",
                "-c:a", "aac", "-b:a", "32k", "-ac", "1", "-f", "adts"]
    else:
        path = os.path.join(cache, f"pcmu-8k-{seconds:g}s.ul")
        args = ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=8000:duration={seconds:g}",
                "-c:a", "pcm_mulaw", "-ac", "1", "-f", "mulaw"]
    return _locked_build(path, lambda out: _ffmpeg(args + [out], kind + " audio"))


# MARK: - Tracks in memory


class Track:
    """One elementary stream held in memory as access units, replayed in a loop.

    Access unit n of the endless stream is buffers[n % count]; its timestamp is
    n * numerator / denominator seconds, so timestamps stay monotonic across loops.
    """

    def __init__(self, caps, buffers, unit_num, unit_den):
        self.caps = caps
        self.buffers = buffers
        self.unit_num = unit_num  # duration of one unit = unit_num / unit_den seconds
        self.unit_den = unit_den

    def time(self, n):
        return n * Gst.SECOND * self.unit_num // self.unit_den

    @staticmethod
    def load_parsed(path, parse_description, caps_filter):
        pipeline = Gst.parse_launch(
            f'filesrc location="{path}" ! {parse_description} ! {caps_filter} ! appsink name=sink sync=false emit-signals=false max-buffers=0')
        sink = pipeline.get_by_name("sink")
        pipeline.set_state(Gst.State.PLAYING)
        buffers, caps = [], None
        while True:
            sample = sink.emit("pull-sample")
            if sample is None:
                break
            caps = caps or sample.get_caps()
            buffers.append(sample.get_buffer())
        pipeline.set_state(Gst.State.NULL)
        if not buffers:
            fail(f"could not read any frame from {path}")
        return caps, buffers

    @staticmethod
    def video(spec, cache):
        path = video_clip(spec, cache)
        parser = "h264parse" if spec.codec == "h264" else "h265parse"
        media = "video/x-h264" if spec.codec == "h264" else "video/x-h265"
        caps, buffers = Track.load_parsed(path, f"{parser} config-interval=-1", f"{media},stream-format=byte-stream,alignment=au")
        text = caps.to_string()
        if "framerate" not in text:  # a raw elementary stream carries no rate; the SDP and clients like one
            caps = Gst.Caps.from_string(f"{text}, framerate=(fraction){spec.fps}/1")
        return Track(caps, buffers, 1, spec.fps)

    @staticmethod
    def audio(kind, seconds, cache):
        path = audio_clip(kind, seconds, cache)
        if kind == "aac":
            caps, buffers = Track.load_parsed(path, "aacparse", "audio/mpeg,mpegversion=4,stream-format=raw")
            rate = caps.get_structure(0).get_int("rate")[1] or 16000
            return Track(caps, buffers, 1024, rate)
        data = open(path, "rb").read()
        chunk = 160  # 20 ms at 8 kHz, one byte per sample
        buffers = [Gst.Buffer.new_wrapped(data[i:i + chunk]) for i in range(0, len(data) - chunk + 1, chunk)]
        return Track(Gst.Caps.from_string("audio/x-mulaw,rate=8000,channels=1"), buffers, chunk, 8000)


# MARK: - Pacing


class Feed:
    """One appsrc of one live media, fed from a Track at real time."""

    def __init__(self, appsrc, track):
        self.appsrc = appsrc
        self.track = track
        self.start = None
        self.n = 0


class Pacer(threading.Thread):
    """One thread pushes every due access unit of every active feed (no per-mount threads)."""

    LEAD = 5 * Gst.MSECOND

    def __init__(self):
        super().__init__(daemon=True, name="pacer")
        self.lock = threading.Lock()
        self.feeds = []
        self.running = True
        self.pushed = 0

    def add(self, feed):
        with self.lock:
            self.feeds.append(feed)

    def remove_appsrcs(self, appsrcs):
        with self.lock:
            self.feeds = [f for f in self.feeds if f.appsrc not in appsrcs]

    def run(self):
        while self.running:
            with self.lock:
                feeds = list(self.feeds)
            wait = 0.02
            for feed in feeds:
                now = feed.appsrc.get_current_running_time()
                if now == Gst.CLOCK_TIME_NONE:
                    wait = min(wait, 0.005)
                    continue
                track = feed.track
                if feed.start is None:
                    # While the pipeline is still going to PLAYING its base time may be unset, and the
                    # "running time" is then the clock's absolute time: wait for a real one.
                    if feed.appsrc.get_base_time() == 0 or feed.appsrc.get_state(0)[1] != Gst.State.PLAYING:
                        wait = min(wait, 0.005)
                        continue
                    feed.start = now
                elif feed.start + track.time(feed.n) > now + Gst.SECOND:
                    # Never more than a moment ahead in normal running; if the running time jumped
                    # back (pipeline restarted its clock), follow it instead of going silent.
                    feed.start = now - track.time(feed.n)
                while feed.start + track.time(feed.n) <= now + self.LEAD:
                    buffer = track.buffers[feed.n % len(track.buffers)].copy()
                    buffer.pts = feed.start + track.time(feed.n)
                    buffer.dts = buffer.pts
                    buffer.duration = track.time(feed.n + 1) - track.time(feed.n)
                    if feed.n == 0:
                        buffer.set_flags(Gst.BufferFlags.DISCONT)
                    feed.appsrc.push_buffer(buffer)
                    feed.n += 1
                    self.pushed += 1
                due = (feed.start + track.time(feed.n) - now) / Gst.SECOND
                wait = min(wait, max(0.001, due))
            time.sleep(wait)


# MARK: - Counting sessions


class Counter:
    """Sessions per mount (current and ever), RTSP connections; written to a status file."""

    def __init__(self, mounts, status_file):
        self.lock = threading.Lock()
        self.write_lock = threading.Lock()
        self.status_file = status_file
        self.routes = sorted((m.route for m in mounts), key=len, reverse=True)
        self.mounts = {m.route: {"path": m.path, "sessions": 0, "sessions_total": 0, "plays_total": 0, "keepalives_total": 0} for m in mounts}
        self.session_mount = {}
        self.clients = 0
        self.clients_total = 0
        self.started = time.time()
        self.port = None

    def route_of(self, abspath):
        for route in self.routes:
            if abspath == route or abspath.startswith(route.rstrip("/") + "/"):
                return route
        return None

    def setup(self, session_id, abspath):
        route = self.route_of(abspath)
        if route is None:
            return
        with self.lock:
            if session_id in self.session_mount:
                return
            self.session_mount[session_id] = route
            entry = self.mounts[route]
            entry["sessions"] += 1
            entry["sessions_total"] += 1
            log(f"SESSION+ {route} id={session_id} sessions={entry['sessions']}")
        self.write()

    def play(self, abspath):
        route = self.route_of(abspath)
        if route is None:
            return
        with self.lock:
            self.mounts[route]["plays_total"] += 1
        self.write()

    def keepalive(self, session_id):
        """A request that names a set-up session (GET_PARAMETER, OPTIONS): it keeps the session alive."""
        with self.lock:
            route = self.session_mount.get(session_id)
            if route is None:
                return
            self.mounts[route]["keepalives_total"] += 1
        self.write()

    def removed(self, session_id):
        with self.lock:
            route = self.session_mount.pop(session_id, None)
            if route is None:
                return
            entry = self.mounts[route]
            entry["sessions"] -= 1
            log(f"SESSION- {route} id={session_id} sessions={entry['sessions']}")
        self.write()

    def client(self, delta):
        with self.lock:
            self.clients += delta
            if delta > 0:
                self.clients_total += 1
            log(f"CLIENT{'+' if delta > 0 else '-'} clients={self.clients}")
        self.write()

    def snapshot(self):
        with self.lock:
            return {"pid": os.getpid(), "port": self.port, "clients": self.clients, "clients_total": self.clients_total,
                    "uptime_seconds": round(time.time() - self.started, 3),
                    "mounts": {route: dict(entry) for route, entry in self.mounts.items()}}

    def write(self):
        """Events arrive on more than one thread (the client thread, the main loop's session
        cleanup): snapshot and replace under one lock, so the newest state is written last."""
        if not self.status_file:
            return
        with self.write_lock:
            data = json.dumps(self.snapshot(), indent=1)
            partial = self.status_file + ".part"
            with open(partial, "w") as handle:
                handle.write(data)
            os.replace(partial, self.status_file)


class StatusHandler(BaseHTTPRequestHandler):
    counter = None

    def do_GET(self):  # noqa: N802 (http.server's naming)
        if self.path.rstrip("/") not in ("", "/status"):
            self.send_error(404)
            return
        body = json.dumps(self.counter.snapshot(), indent=1).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


# MARK: - The server


def role_name(user):
    return "user-" + hashlib.sha1(user.encode()).hexdigest()[:12]


def role_structure(name):
    return Gst.Structure.from_string(
        f"{name}, media.factory.access=(boolean)true, media.factory.construct=(boolean)true")[0]


class MountAuth(GstRtspServer.RTSPAuth):
    """Digest/Basic auth on the mounts that have a user; anonymous access to the others.

    gst-rtsp-server answers 404 (not 401) when the default token lacks a role, so a client
    would never be asked for credentials. Instead the anonymous token is offered only for a
    request on a public mount; on a protected one the request is unauthenticated → 401.
    Requests are handled on the server's single client thread (max-threads 1, set below), one at
    a time, so setting the default token per request is race-free.
    """

    def __init__(self, public_routes, route_of):
        super().__init__()
        self.public_routes = public_routes
        self.route_of = route_of
        self.anonymous = GstRtspServer.RTSPToken()
        self.anonymous.set_string("media.factory.role", "anonymous")

    def do_authenticate(self, ctx):
        route = self.route_of(ctx.uri.abspath) if ctx.uri is not None else None
        self.set_default_token(self.anonymous if route in self.public_routes else None)
        return GstRtspServer.RTSPAuth.do_authenticate(self, ctx)


class CameraServer:
    def __init__(self, host, port, mounts, cache, status_file, session_timeout):
        self.mounts = mounts
        self.counter = Counter(mounts, status_file)
        self.counter.port = port
        self.pacer = Pacer()
        self.tracks = {}
        self.session_timeout = session_timeout
        self.server = GstRtspServer.RTSPServer()
        self.server.set_address(host)
        self.server.set_service(str(port))
        self.server.set_backlog(64)
        self.server.get_thread_pool().set_max_threads(1)  # one client thread: MountAuth relies on it
        self.media_feeds = {}

        routes = [m.route for m in mounts]
        duplicates = {r for r in routes if routes.count(r) > 1}
        if duplicates:
            fail(f"mounts {sorted(duplicates)} appear twice (gst-rtsp-server ignores the query string) — give each camera its own path")

        # Load (and on first use encode) each distinct clip once.
        for mount in mounts:
            if mount.video_key() not in self.tracks:
                self.tracks[mount.video_key()] = Track.video(mount, cache)
            if mount.audio != "none" and mount.audio not in self.tracks:
                self.tracks[mount.audio] = Track.audio(mount.audio, mount.clip, cache)

        self.install_auth()
        points = self.server.get_mount_points()
        for mount in mounts:
            points.add_factory(mount.route, self.factory(mount))
        self.server.connect("client-connected", self.on_client)
        self.server.get_session_pool().connect("session-removed", lambda pool, session: self.counter.removed(session.get_sessionid()))

    def install_auth(self):
        users = {}
        for mount in self.mounts:
            if mount.user is None:
                continue
            if users.get(mount.user, mount.password) != mount.password:
                fail(f"user {mount.user!r} has two different passwords — one password per user name")
            users[mount.user] = mount.password
        if not users:
            return
        auth = MountAuth({m.route for m in self.mounts if m.user is None}, self.counter.route_of)
        methods = GstRtsp.RTSPAuthMethod.NONE
        for mount in self.mounts:
            if mount.user is None:
                continue
            if mount.auth in ("digest", "both"):
                methods |= GstRtsp.RTSPAuthMethod.DIGEST
            if mount.auth in ("basic", "both"):
                methods |= GstRtsp.RTSPAuthMethod.BASIC
        auth.set_supported_methods(methods)
        for user, password in users.items():
            token = GstRtspServer.RTSPToken()
            token.set_string("media.factory.role", role_name(user))
            auth.add_digest(user, password, token)
            basic = GstRtspServer.RTSPAuth.make_basic(user, password)
            auth.add_basic(basic, token)
        self.server.set_auth(auth)
        self.users = users

    def factory(self, mount):
        video = "rtph264pay name=pay0 pt=96 config-interval=-1" if mount.codec == "h264" else "rtph265pay name=pay0 pt=96 config-interval=-1"
        video_caps = self.tracks[mount.video_key()].caps.to_string()
        launch = (f'( appsrc name=video is-live=true format=time do-timestamp=false max-bytes=16000000 leaky-type=downstream '
                  f'caps="{video_caps}" ! {video}')
        if mount.audio != "none":
            audio_caps = self.tracks[mount.audio].caps.to_string()
            payloader = "rtpmp4gpay name=pay1 pt=97" if mount.audio == "aac" else "rtppcmupay name=pay1 pt=0"
            launch += (f' appsrc name=audio is-live=true format=time do-timestamp=false max-bytes=1000000 leaky-type=downstream '
                       f'caps="{audio_caps}" ! {payloader}')
        launch += " )"
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(launch)
        factory.set_shared(True)  # one pipeline per camera however many clients: like a real camera's encoder
        factory.set_suspend_mode(GstRtspServer.RTSPSuspendMode.NONE)
        if hasattr(self, "users"):
            if mount.user is not None:
                factory.add_role_from_structure(role_structure(role_name(mount.user)))
            else:
                factory.add_role_from_structure(role_structure("anonymous"))
                for user in self.users:
                    factory.add_role_from_structure(role_structure(role_name(user)))
        factory.connect("media-configure", self.on_media_configure, mount)
        return factory

    def on_media_configure(self, factory, media, mount):
        element = media.get_element()
        appsrcs = []
        video = element.get_by_name("video")
        self.pacer.add(Feed(video, self.tracks[mount.video_key()]))
        appsrcs.append(video)
        if mount.audio != "none":
            audio = element.get_by_name("audio")
            self.pacer.add(Feed(audio, self.tracks[mount.audio]))
            appsrcs.append(audio)
        media.connect("unprepared", lambda m: self.pacer.remove_appsrcs(appsrcs))
        log(f"MEDIA {mount.route} configured")

    def on_client(self, server, client):
        self.counter.client(+1)
        sessions = []  # the sessions this connection set up
        client.connect("closed", self.on_closed, sessions)
        client.connect("new-session", self.on_new_session, sessions)
        client.connect("setup-request", self.on_setup)
        client.connect("play-request", self.on_play)
        client.connect("get-parameter-request", self.on_keepalive)
        client.connect("options-request", self.on_keepalive)

    def on_closed(self, client, sessions):
        """Like most cameras, forget a connection's sessions when it closes (gst-rtsp-server would
        keep them until the session timeout, so a killed client would still count)."""
        pool = self.server.get_session_pool()
        for session in sessions:
            pool.remove(session)
        sessions.clear()
        self.counter.client(-1)

    def on_new_session(self, client, session, sessions):
        sessions.append(session)
        if self.session_timeout:
            session.set_timeout(self.session_timeout)

    def on_setup(self, client, ctx):
        if ctx.session is not None and ctx.uri is not None:
            self.counter.setup(ctx.session.get_sessionid(), ctx.uri.abspath)

    def on_keepalive(self, client, ctx):
        if ctx.session is not None:
            self.counter.keepalive(ctx.session.get_sessionid())
        elif ctx.request is not None:
            result, value = ctx.request.get_header(GstRtsp.RTSPHeaderField.SESSION, 0)
            if result == GstRtsp.RTSPResult.OK and value:
                self.counter.keepalive(value.split(";")[0])

    def on_play(self, client, ctx):
        if ctx.uri is not None:
            self.counter.play(ctx.uri.abspath)

    def run(self, status_port):
        if self.server.attach(None) == 0:
            fail(f"cannot listen on {self.server.get_address()}:{self.server.get_service()} — is the port in use?")
        self.pacer.start()
        # Expire timed-out (e.g. UDP) sessions regularly, so counts drop when a client vanishes.
        GLib.timeout_add_seconds(1, lambda: (self.server.get_session_pool().cleanup(), True)[1])
        http = None
        if status_port:
            StatusHandler.counter = self.counter
            http = ThreadingHTTPServer(("127.0.0.1", status_port), StatusHandler)
            threading.Thread(target=http.serve_forever, daemon=True).start()
        self.counter.write()
        loop = GLib.MainLoop()
        for number in (signal.SIGTERM, signal.SIGINT):
            GLib.unix_signal_add(GLib.PRIORITY_HIGH, number, lambda *_: (loop.quit(), False)[1])
        log(f"READY port={self.server.get_bound_port()} mounts={len(self.mounts)} "
            f"status={self.counter.status_file or '-'} status_port={status_port or '-'}")
        loop.run()
        self.pacer.running = False
        if http:
            http.shutdown()
        log(f"STOPPED pushed={self.pacer.pushed}")


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, help="RTSP port (required unless --spec gives one)")
    parser.add_argument("--mount", action="append", default=[], help="PATH[;key=value...] (repeatable)")
    parser.add_argument("--spec", help="JSON file: {\"port\":..,\"auth\":{..},\"mounts\":[{\"path\":..,..}]}")
    parser.add_argument("--cameras", type=int, default=0, help="add N identical mounts named by --mount-template")
    parser.add_argument("--mount-template", default="/cam{n}", help="path of the N cameras, {n} = 1..N")
    parser.add_argument("--codec", default="h264")
    parser.add_argument("--size", default="640x360")
    parser.add_argument("--fps", type=int, default=25)
    parser.add_argument("--bitrate", type=int, default=1000, help="kbit/s")
    parser.add_argument("--gop", type=float, default=1.0, help="seconds between keyframes")
    parser.add_argument("--audio", default="none")
    parser.add_argument("--clip", type=float, default=10.0, help="seconds in the loop")
    parser.add_argument("--demo", action="store_true",
                        help="serve /demo1 (the committed H.264 clip, with AAC) and /demo2 (H.265, encoded on first use), 640x360")
    parser.add_argument("--cache-dir", default=DEFAULT_CACHE)
    parser.add_argument("--status-file")
    parser.add_argument("--status-port", type=int)
    parser.add_argument("--session-timeout", type=int, default=0, help="seconds; 0 keeps gst-rtsp-server's 60")
    parser.add_argument("--prepare-only", action="store_true", help="encode the clips into the cache and exit")
    return parser.parse_args(argv)


def main(argv):
    faulthandler.enable()  # a crash in GStreamer prints every thread's Python stack
    args = parse_arguments(argv)
    Gst.init(None)
    mounts = [MountSpec.parse(text) for text in args.mount]
    port = args.port
    if args.spec:
        try:
            with open(args.spec) as handle:
                spec = json.load(handle)
        except (OSError, ValueError) as error:
            fail(f"--spec {args.spec}: {error}")
        port = port or spec.get("port")
        for item in spec.get("mounts", []):
            item = dict(item)
            path = item.pop("path", None)
            if not path:
                fail(f"--spec {args.spec}: every mount needs a \"path\"")
            mounts.append(MountSpec.from_dict(path, item, spec.get("auth")))
    common = dict(codec=args.codec, size=args.size, fps=args.fps, bitrate=args.bitrate, gop=args.gop, audio=args.audio, clip=args.clip)
    for n in range(1, args.cameras + 1):
        mounts.append(MountSpec.from_dict(args.mount_template.replace("{n}", str(n)), common))
    if args.demo:
        mounts.append(MountSpec.from_dict("/demo1", dict(codec="h264", audio="aac", clip=10, file=DEMO_CLIP)))
        mounts.append(MountSpec.from_dict("/demo2", dict(codec="h265", size="640x360", bitrate=600, clip=10)))
    if not mounts:
        fail("no mounts — give --mount PATH, --spec FILE, --cameras N or --demo")
    if args.prepare_only:
        for mount in mounts:
            video_clip(mount, args.cache_dir)
            if mount.audio != "none":
                audio_clip(mount.audio, mount.clip, args.cache_dir)
        log("PREPARED")
        return 0
    if not port:
        fail("--port is required (use a free port; tests get one from freeLoopbackPort())")
    CameraServer(args.host, port, mounts, args.cache_dir, args.status_file, args.session_timeout).run(args.status_port)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
