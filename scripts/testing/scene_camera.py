#!/usr/bin/python3
"""RTSP test cameras whose picture changes mid-stream, for Kuzet's picture-health tests (issue 23).

Run it with /usr/bin/python3 (Debian's python3-gi). Built on rtsp_camera_server.py (same clip
cache, same pacing, same status file and stdout lines): every scene is encoded ONCE with ffmpeg
into the cache (a loop of `clip` seconds, same size, rate and GOP for every scene), and each
mount's single live stream switches between the scenes' clips at a keyframe, with timestamps
that keep advancing. One RTSP session sees the change: no reconnect, no new SDP.

Usage:
  scene_camera.py --port 8554 --mount '/black;schedule=normal:20,black:40,normal'
  scene_camera.py --port 8554 --mount '/cam1' --mount '/cam2;scene=night' --control /tmp/scenes.txt
  scene_camera.py --port 8554 --spec cameras.json       # {"mounts":[{"path":"/cam1","schedule":"..."}]}
  scene_camera.py --prepare-only --mount /cam1           # encode every scene into the cache, exit

Scenes (640x360 by default; "scene noise" is temporal noise like a real sensor's):
  normal      a moving, textured scene: the moving test pattern blended with a fixed fractal
              background, scene noise (alls=6)
  black       lens covered / light off: black (Y=16) with faint noise (alls=2)
  grey        sprayed or flat: uniform grey (Y≈128) with faint noise (alls=2)
  frozen      one frame of `normal` repeated: identical pictures while timestamps advance
              (a hung encoder)
  blurred     `normal` out of focus (gblur sigma=14), then the same scene noise
  moved       turned away: a different, moving, textured scene (a cellular automaton), noise
  night       `normal` dark (luma x0.22 + 6, mean Y≈33) with heavy noise (alls=16): dark but
              textured — must NOT be flagged
  person      `normal` with one dark shape (a person, 40x110 px) walking across the picture once
              per loop — must NOT be flagged
  audio_only  no video packets at all (the video track stays in the SDP); audio goes on. Needs
              audio (the default here is audio=aac)

Mount options (`;key=value` after the path, or keys of a JSON object in `--spec`'s "mounts"):
  scene=NAME          the scene at start (default normal)
  schedule=S:SEC,...  scenes in turn, each for SEC seconds counted from the first client's PLAY
                      of this mount; the last one may omit :SEC and then holds (otherwise the
                      last one holds anyway). e.g. schedule=normal:30,frozen:60,normal
  size=WxH fps=25 bitrate=kbit/s gop=seconds clip=seconds  audio=aac|pcmu|none (default aac)
  codec=h264|h265

--control FILE: a text file, re-read whenever it changes (polled every 0.2 s) and on SIGHUP;
each line `ROUTE SCENE` (or `* SCENE` for every mount); later lines win; `#` starts a comment.
A scene set there replaces the schedule of that mount from then on. Write it atomically
(write a temporary file, rename).

A switch takes effect at the next keyframe (every `gop` seconds). What it prints on stdout, besides
rtsp_camera_server.py's READY / SESSION± / CLIENT± / MEDIA lines:
  SCENE <route> <scene> at=<seconds since the mount's first PLAY>    a switch took effect
The status file's mounts also carry "scene" (the one being sent now) and "scene_switches".
"""
import argparse
import faulthandler
import json
import os
import signal
import sys
import threading
import time

import rtsp_camera_server as base
from rtsp_camera_server import GLib, Gst, GstRtspServer, fail, log

SCENES = ("normal", "black", "grey", "frozen", "blurred", "moved", "night", "person", "audio_only")
SCENE_VERSION = "v2"  # change it when a scene's picture changes, so cached clips are encoded again


# MARK: - Specification


class SceneMount:
    def __init__(self, path, scene="normal", schedule=None, codec="h264", width=640, height=360, fps=25,
                 bitrate=1000, gop=1.0, clip=10.0, audio="aac"):
        if not path.startswith("/"):
            fail(f"mount {path!r}: a mount path starts with '/' — write e.g. /cam1")
        if codec not in ("h264", "h265"):
            fail(f"mount {path}: codec {codec!r} is not supported — use h264 or h265")
        if audio not in ("none", "aac", "pcmu"):
            fail(f"mount {path}: audio {audio!r} is not supported — use aac, pcmu or none")
        self.path = path
        self.route = path.split("?", 1)[0] or "/"
        self.codec = codec
        self.width, self.height = int(width), int(height)
        self.fps = int(fps)
        self.bitrate = int(bitrate)
        self.gop = float(gop)
        self.clip = float(clip)
        self.audio = audio
        self.schedule = SceneMount.parse_schedule(path, schedule) if schedule else [(SceneMount.checked(path, scene), None)]
        if audio == "none" and any(name == "audio_only" for name, _ in self.schedule):
            fail(f"mount {path}: the audio_only scene needs audio — leave audio=aac (the default) or pcmu")
        # Set by the control file (replaces the schedule) and by the pacer (what is sent now).
        self.lock = threading.Lock()
        self.override = None
        self.first_play = None

    @staticmethod
    def checked(path, name):
        if name not in SCENES:
            fail(f"mount {path}: scene {name!r} is unknown — use one of {', '.join(SCENES)}")
        return name

    @staticmethod
    def parse_schedule(path, text):
        steps = []
        for part in str(text).split(","):
            part = part.strip()
            if not part:
                continue
            name, _, seconds = part.partition(":")
            try:
                duration = float(seconds) if seconds else None
            except ValueError:
                fail(f"mount {path}: schedule step {part!r} is not SCENE:SECONDS")
            if duration is not None and duration <= 0:
                fail(f"mount {path}: schedule step {part!r} needs a positive number of seconds")
            steps.append((SceneMount.checked(path, name.strip()), duration))
        if not steps:
            fail(f"mount {path}: empty schedule — write e.g. schedule=normal:20,black:40,normal")
        return steps

    @staticmethod
    def from_dict(path, options):
        options = dict(options)
        if "size" in options:
            try:
                w, h = str(options.pop("size")).lower().split("x")
                options["width"], options["height"] = int(w), int(h)
            except ValueError:
                fail(f"mount {path}: size must look like 640x360")
        known = {"scene", "schedule", "codec", "width", "height", "fps", "bitrate", "gop", "clip", "audio"}
        unknown = set(options) - known
        if unknown:
            fail(f"mount {path}: unknown option(s) {sorted(unknown)} — known: {sorted(known | {'size'})}")
        try:
            return SceneMount(path, **options)
        except (TypeError, ValueError) as error:
            fail(f"mount {path}: {error}")

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
        return SceneMount.from_dict(parts[0], options)

    def scenes_used(self):
        """Every scene this mount may show: a control file can ask for any, so all of them."""
        return [name for name in SCENES if name != "audio_only"]

    def video_key(self, scene):
        return (f"scene-{SCENE_VERSION}-{scene}-{self.codec}-{self.width}x{self.height}-{self.fps}fps-"
                f"{self.bitrate}k-gop{self.gop:g}-{self.clip:g}s")

    def wanted(self, now):
        """The scene this mount should show at monotonic time `now`."""
        with self.lock:
            if self.override is not None:
                return self.override
            if self.first_play is None:
                return self.schedule[0][0]
            elapsed = now - self.first_play
        for name, duration in self.schedule:
            if duration is None or elapsed < duration:
                return name
            elapsed -= duration
        return self.schedule[-1][0]


# MARK: - Scenes, encoded once and cached


def scene_source(scene, mount):
    """The lavfi graph of one scene (a single output)."""
    size, rate = f"{mount.width}x{mount.height}", mount.fps
    background = (f"testsrc2=size={size}:rate={rate}[pattern];"
                  f"mandelbrot=size={size}:rate={rate},trim=end_frame=1,loop=loop=-1:size=1,setpts=N/{rate}/TB[fractal];"
                  f"[pattern][fractal]blend=all_mode=average")
    noise = "noise=alls=6:allf=t"
    if scene == "normal":
        return f"{background},{noise}"
    if scene == "black":
        return f"color=c=black:size={size}:rate={rate},format=yuv420p,noise=alls=2:allf=t"
    if scene == "grey":
        return f"color=c=0x808080:size={size}:rate={rate},format=yuv420p,noise=alls=2:allf=t"
    if scene == "frozen":
        return f"{background},{noise},trim=end_frame=1,loop=loop=-1:size=1,setpts=N/{rate}/TB"
    if scene == "blurred":
        return f"{background},gblur=sigma=14,{noise}"
    if scene == "moved":
        return (f"cellauto=size={size}:rate={rate}:rule=110:random_fill_ratio=0.5:random_seed=7:scroll=1,"
                f"format=yuv420p,{noise}")
    if scene == "night":
        return f"{background},format=yuv420p,lutyuv=y=val*0.22+6,noise=alls=16:allf=t"
    if scene == "person":
        walk = f"-40+(W+40)*t/{mount.clip:g}"
        return (f"{background},{noise}[scene];color=c=0x282830:size=40x110:rate={rate}[body];"
                f"[scene][body]overlay=x='{walk}':y=H-150:eval=frame:shortest=0")
    fail(f"scene {scene!r} has no picture")


def scene_clip(mount, scene, cache):
    extension = "h264" if mount.codec == "h264" else "h265"
    path = os.path.join(cache, mount.video_key(scene) + "." + extension)
    gop_frames = max(1, round(mount.gop * mount.fps))
    frames = max(gop_frames, round(mount.clip * mount.fps))
    frames -= frames % gop_frames  # the loop restarts on a keyframe, and every scene has the same length
    rate = f"-b:v {mount.bitrate}k -maxrate {mount.bitrate}k -bufsize {mount.bitrate * 2}k".split()
    source = ["-f", "lavfi", "-i", scene_source(scene, mount), "-frames:v", str(frames), "-pix_fmt", "yuv420p"]
    if mount.codec == "h264":
        codec = ["-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main", "-bf", "0",
                 "-g", str(gop_frames), "-keyint_min", str(gop_frames), "-sc_threshold", "0",
                 "-x264-params", "repeat-headers=1"] + rate + ["-f", "h264"]
    else:
        codec = ["-c:v", "libx265", "-preset", "ultrafast",
                 "-x265-params", f"keyint={gop_frames}:min-keyint={gop_frames}:scenecut=0:bframes=0:repeat-headers=1:log-level=error"
                 ] + rate + ["-f", "hevc"]
    return base._locked_build(path, lambda out: base._ffmpeg(source + codec + [out], mount.video_key(scene)))


def scene_track(mount, scene, cache):
    path = scene_clip(mount, scene, cache)
    parser = "h264parse" if mount.codec == "h264" else "h265parse"
    media = "video/x-h264" if mount.codec == "h264" else "video/x-h265"
    caps, buffers = base.Track.load_parsed(path, f"{parser} config-interval=-1", f"{media},stream-format=byte-stream,alignment=au")
    text = caps.to_string()
    if "framerate" not in text:
        caps = Gst.Caps.from_string(f"{text}, framerate=(fraction){mount.fps}/1")
    return base.Track(caps, buffers, 1, mount.fps)


# MARK: - Pacing with scene switches


class SceneFeed:
    """The video appsrc of one live media: the mount's current scene's clip, switched at keyframes."""

    def __init__(self, appsrc, mount, tracks, counter):
        self.appsrc = appsrc
        self.mount = mount
        self.tracks = tracks  # scene -> Track (no entry for audio_only)
        self.counter = counter
        self.track = tracks["normal"]  # every scene has the same rate and length: timing from any
        self.gop_frames = max(1, round(mount.gop * mount.fps))
        self.scene = None
        self.start = None
        self.n = 0

    def next_buffer(self):
        """The buffer of unit n (None while audio_only), switching scene on a keyframe."""
        wanted = self.mount.wanted(time.monotonic())
        if wanted != self.scene and (self.scene is None or self.n % self.gop_frames == 0):
            switched = self.scene is not None
            self.scene = wanted
            first = self.mount.first_play
            at = f"{time.monotonic() - first:.1f}" if first is not None else "-"
            with self.counter.lock:
                entry = self.counter.mounts[self.mount.route]
                entry["scene"] = wanted
                entry["scene_switches"] += 1 if switched else 0
            log(f"SCENE {self.mount.route} {wanted} at={at}")
            self.counter.write()
        if self.scene == "audio_only":
            return None
        track = self.tracks[self.scene]
        return track.buffers[self.n % len(track.buffers)].copy()


class ScenePacer(base.Pacer):
    """rtsp_camera_server's Pacer, with feeds that may pick their buffer (SceneFeed) or skip it."""

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
                    if feed.appsrc.get_base_time() == 0 or feed.appsrc.get_state(0)[1] != Gst.State.PLAYING:
                        wait = min(wait, 0.005)
                        continue
                    feed.start = now
                elif feed.start + track.time(feed.n) > now + Gst.SECOND:
                    feed.start = now - track.time(feed.n)
                while feed.start + track.time(feed.n) <= now + self.LEAD:
                    if isinstance(feed, SceneFeed):
                        buffer = feed.next_buffer()
                    else:
                        buffer = track.buffers[feed.n % len(track.buffers)].copy()
                    if buffer is not None:
                        buffer.pts = feed.start + track.time(feed.n)
                        buffer.dts = buffer.pts
                        buffer.duration = track.time(feed.n + 1) - track.time(feed.n)
                        if feed.n == 0:
                            buffer.set_flags(Gst.BufferFlags.DISCONT)
                        feed.appsrc.push_buffer(buffer)
                        self.pushed += 1
                    feed.n += 1
                due = (feed.start + track.time(feed.n) - now) / Gst.SECOND
                wait = min(wait, max(0.001, due))
            time.sleep(wait)


# MARK: - The server


class SceneServer(base.CameraServer):
    def __init__(self, host, port, mounts, cache, status_file, session_timeout, control_file):
        self.mounts = mounts
        self.counter = base.Counter(mounts, status_file)
        self.counter.port = port
        for mount in mounts:
            self.counter.mounts[mount.route]["scene"] = None
            self.counter.mounts[mount.route]["scene_switches"] = 0
        self.pacer = ScenePacer()
        self.session_timeout = session_timeout
        self.control_file = control_file
        self.control_stamp = None
        self.server = GstRtspServer.RTSPServer()
        self.server.set_address(host)
        self.server.set_service(str(port))
        self.server.set_backlog(64)
        self.server.get_thread_pool().set_max_threads(1)

        routes = [m.route for m in mounts]
        duplicates = {r for r in routes if routes.count(r) > 1}
        if duplicates:
            fail(f"mounts {sorted(duplicates)} appear twice (gst-rtsp-server ignores the query string) — give each camera its own path")

        self.scene_tracks = {}  # video_key -> Track
        self.audio_tracks = {}
        for mount in mounts:
            for scene in mount.scenes_used():
                key = mount.video_key(scene)
                if key not in self.scene_tracks:
                    self.scene_tracks[key] = scene_track(mount, scene, cache)
            if mount.audio != "none" and (mount.audio, mount.clip) not in self.audio_tracks:
                self.audio_tracks[(mount.audio, mount.clip)] = base.Track.audio(mount.audio, mount.clip, cache)

        points = self.server.get_mount_points()
        for mount in mounts:
            points.add_factory(mount.route, self.factory(mount))
        self.server.connect("client-connected", self.on_client)
        self.server.get_session_pool().connect("session-removed", lambda pool, session: self.counter.removed(session.get_sessionid()))

    def factory(self, mount):
        video = "rtph264pay name=pay0 pt=96 config-interval=-1" if mount.codec == "h264" else "rtph265pay name=pay0 pt=96 config-interval=-1"
        video_caps = self.scene_tracks[mount.video_key("normal")].caps.to_string()
        launch = (f'( appsrc name=video is-live=true format=time do-timestamp=false max-bytes=16000000 leaky-type=downstream '
                  f'caps="{video_caps}" ! {video}')
        if mount.audio != "none":
            audio_caps = self.audio_tracks[(mount.audio, mount.clip)].caps.to_string()
            payloader = "rtpmp4gpay name=pay1 pt=97" if mount.audio == "aac" else "rtppcmupay name=pay1 pt=0"
            launch += (f' appsrc name=audio is-live=true format=time do-timestamp=false max-bytes=1000000 leaky-type=downstream '
                       f'caps="{audio_caps}" ! {payloader}')
        launch += " )"
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(launch)
        factory.set_shared(True)
        factory.set_suspend_mode(GstRtspServer.RTSPSuspendMode.NONE)
        factory.connect("media-configure", self.on_media_configure, mount)
        return factory

    def on_media_configure(self, factory, media, mount):
        element = media.get_element()
        video = element.get_by_name("video")
        tracks = {scene: self.scene_tracks[mount.video_key(scene)] for scene in mount.scenes_used()}
        appsrcs = [video]
        self.pacer.add(SceneFeed(video, mount, tracks, self.counter))
        if mount.audio != "none":
            audio = element.get_by_name("audio")
            self.pacer.add(base.Feed(audio, self.audio_tracks[(mount.audio, mount.clip)]))
            appsrcs.append(audio)
        media.connect("unprepared", lambda m: self.pacer.remove_appsrcs(appsrcs))
        log(f"MEDIA {mount.route} configured")

    def on_play(self, client, ctx):
        super().on_play(client, ctx)
        if ctx.uri is None:
            return
        route = self.counter.route_of(ctx.uri.abspath)
        for mount in self.mounts:
            if mount.route == route:
                with mount.lock:
                    if mount.first_play is None:
                        mount.first_play = time.monotonic()

    # MARK: Control file

    def read_control(self, force=False):
        if not self.control_file:
            return True
        try:
            info = os.stat(self.control_file)
            stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        except FileNotFoundError:
            return True
        if stamp == self.control_stamp and not force:
            return True
        self.control_stamp = stamp
        try:
            with open(self.control_file) as handle:
                lines = handle.read().splitlines()
        except OSError as error:
            sys.stderr.write(f"scene_camera: --control {self.control_file}: {error}\n")
            return True
        wanted = {}
        for number, line in enumerate(lines, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            if len(parts) != 2 or parts[1] not in SCENES:
                sys.stderr.write(f"scene_camera: --control {self.control_file} line {number}: {line!r} ignored — "
                                 f"write ROUTE SCENE, SCENE one of {', '.join(SCENES)}\n")
                continue
            route, scene = parts
            for mount in self.mounts:
                if route in ("*", mount.route, mount.path):
                    if scene == "audio_only" and mount.audio == "none":
                        sys.stderr.write(f"scene_camera: {mount.route} has no audio: audio_only ignored\n")
                        continue
                    wanted[mount.route] = scene
        for mount in self.mounts:
            if mount.route in wanted:
                with mount.lock:
                    mount.override = wanted[mount.route]
        log(f"CONTROL {' '.join(f'{r}={s}' for r, s in sorted(wanted.items())) or '-'}")
        return True

    def run(self, status_port):
        self.read_control()
        GLib.timeout_add(200, self.read_control)
        GLib.unix_signal_add(GLib.PRIORITY_HIGH, signal.SIGHUP, lambda *_: self.read_control(force=True))
        super().run(status_port)


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, help="RTSP port (required unless --prepare-only)")
    parser.add_argument("--mount", action="append", default=[], help="PATH[;key=value...] (repeatable)")
    parser.add_argument("--spec", help="JSON file: {\"port\":..,\"mounts\":[{\"path\":..,\"schedule\":..}]}")
    parser.add_argument("--control", help="file of `ROUTE SCENE` lines, re-read when it changes")
    parser.add_argument("--cache-dir", default=base.DEFAULT_CACHE)
    parser.add_argument("--status-file")
    parser.add_argument("--status-port", type=int)
    parser.add_argument("--session-timeout", type=int, default=0, help="seconds; 0 keeps gst-rtsp-server's 60")
    parser.add_argument("--prepare-only", action="store_true", help="encode every scene into the cache and exit")
    return parser.parse_args(argv)


def main(argv):
    faulthandler.enable()
    args = parse_arguments(argv)
    Gst.init(None)
    mounts = [SceneMount.parse(text) for text in args.mount]
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
            mounts.append(SceneMount.from_dict(path, item))
    if not mounts:
        fail("no mounts — give --mount PATH or --spec FILE")
    if args.prepare_only:
        for mount in mounts:
            for scene in mount.scenes_used():
                scene_clip(mount, scene, args.cache_dir)
        log("PREPARED")
        return 0
    if not port:
        fail("--port is required (use a free port; tests get one from freeLoopbackPort())")
    SceneServer(args.host, port, mounts, args.cache_dir, args.status_file, args.session_timeout, args.control).run(args.status_port)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
