#!/usr/bin/python3
"""Benchmark: kuzet-agent vs one ffmpeg per camera doing the same job (record + push).

For each camera count it starts the test camera server (gst-rtsp-server, 1080p H.264 ~4 Mbit/s
from one pre-encoded clip) and an nginx-rtmp ingest, then runs each contender in turn against
the same cameras and ingest:

  agent:  kuzet-agent run --config <generated>  (every camera recorded as fMP4 and pushed)
  ffmpeg: per camera  ffmpeg -rtsp_transport tcp -i URL -c copy -map 0 -f tee
          "[f=segment:segment_time=60:segment_format=mp4:...]DIR/%Y%m%dT%H%M%SZ.mp4|[f=flv]rtmp://…"

After a warm-up it measures over a fixed window:
  CPU  cores = Δ(utime+stime) of the contender's processes (and their children) / window
  PSS  sum of /proc/<pid>/smaps_rollup Pss over the same processes (mean of samples)
  keeps up: bytes the ingest received per stream and bytes written to recordings, against the
            cameras' real bitrate (≥ 90 % of it for every camera), and exactly one camera session
            per camera on the camera server.
The camera server's own CPU is reported too (it is the load generator, not a contender).
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CAMERA_SERVER = os.path.join(ROOT, "scripts", "testing", "rtsp_camera_server.py")
NGINX_CONF = os.path.join(ROOT, "scripts", "testing", "nginx-rtmp.conf.template")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def say(text):
    print(text, flush=True)


# MARK: - /proc


def descendants(pids):
    """The pids and every process below them."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError):
            continue
    result, stack = set(), list(pids)
    while stack:
        pid = stack.pop()
        if pid in result:
            continue
        result.add(pid)
        stack.extend(children.get(pid, []))
    return result


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
        except (OSError, IndexError):
            continue
    return total / CLOCK_TICKS


def pss_bytes(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
    return total


def tree_bytes(path):
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(folder, name))
            except OSError:
                pass
    return total


# MARK: - The parts


class Process:
    def __init__(self, arguments, log_path, **kwargs):
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(arguments, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        start_new_session=True, **kwargs)

    @property
    def pid(self):
        return self.process.pid

    def alive(self):
        return self.process.poll() is None

    def stop(self, timeout=10):
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def output(self):
        with open(self.log_path) as handle:
            return handle.read()


class CameraServer:
    def __init__(self, work, count, args):
        self.port = free_port()
        self.status_file = os.path.join(work, "cameras.json")
        self.process = Process(
            ["/usr/bin/python3", CAMERA_SERVER, "--port", str(self.port), "--cameras", str(count), "--mount-template", "/cam{n}",
             "--size", args.size, "--fps", str(args.fps), "--bitrate", str(args.bitrate), "--gop", "1", "--clip", "10",
             "--status-file", self.status_file],
            os.path.join(work, "camera-server.log"))
        deadline = time.time() + 300
        while "READY" not in self.process.output():
            if not self.process.alive() or time.time() > deadline:
                raise SystemExit("camera server did not start:\n" + self.process.output()[-2000:])
            time.sleep(0.2)

    def url(self, n):
        return f"rtsp://127.0.0.1:{self.port}/cam{n}"

    def sessions(self):
        with open(self.status_file) as handle:
            return {route: mount["sessions"] for route, mount in json.load(handle)["mounts"].items()}


class Ingest:
    def __init__(self, work):
        self.port, self.stat_port = free_port(), free_port()
        prefix = os.path.join(work, "nginx")
        os.makedirs(os.path.join(prefix, "temp"), exist_ok=True)
        with open(NGINX_CONF) as handle:
            text = handle.read()
        text = text.replace("@PREFIX@", prefix).replace("@RTMP_PORT@", str(self.port)).replace("@STAT_PORT@", str(self.stat_port))
        config = os.path.join(prefix, "nginx.conf")
        with open(config, "w") as handle:
            handle.write(text)
        self.process = Process(["/usr/sbin/nginx", "-p", prefix + "/", "-c", config], os.path.join(work, "nginx.log"))
        deadline = time.time() + 15
        while True:
            try:
                self.stats()
                break
            except OSError:
                if not self.process.alive() or time.time() > deadline:
                    raise SystemExit("nginx-rtmp did not start:\n" + self.process.output())
                time.sleep(0.2)

    def url(self, name):
        return f"rtmp://127.0.0.1:{self.port}/live/{name}"

    def stats(self):
        """{stream: bytes_in} of the streams being published."""
        xml = urllib.request.urlopen(f"http://127.0.0.1:{self.stat_port}/stat", timeout=5).read().decode()
        result = {}
        for block in xml.split("<stream>")[1:]:
            name = re.search(r"<name>([^<]*)</name>", block)
            received = re.search(r"<bytes_in>(\d+)</bytes_in>", block)
            if name and received and "<publishing/>" in block:
                result[name.group(1)] = int(received.group(1))
        return result


# MARK: - Contenders


def start_agent(args, work, cameras, ingest, count):
    recordings = os.path.join(work, "agent-recordings")
    os.makedirs(recordings, exist_ok=True)
    status_port = free_port()
    lines = [
        "school: { id: BENCH-0001, name: \"Benchmark\", region: Bench }",
        f"storage: {{ root: {recordings}, format: fmp4, segment_seconds: 60 }}",
        "retention: { days: 30, min_free_percent: 1 }",
        f"centre: {{ push: \"{ingest.url('{camera}')}\", max_kbps: 10000000 }}",
        f"status: {{ listen: 127.0.0.1:{status_port} }}",
        # Picture health (issue 23): BENCH_HEALTH_INTERVAL=0 measures the agent without it.
        f"health: {{ interval_seconds: {os.environ.get('BENCH_HEALTH_INTERVAL', '60')}, state_dir: {os.path.join(work, 'health')} }}",
        "cameras:",
    ]
    for n in range(1, count + 1):
        lines += [f"  - id: cam{n}", f"    url: {cameras.url(n)}", "    push: main"]
    config = os.path.join(work, "agent.yaml")
    with open(config, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    process = Process([args.agent, "run", "--config", config], os.path.join(work, "agent.log"))
    return [process], recordings, f"http://127.0.0.1:{status_port}/metrics"


def start_ffmpeg(args, work, cameras, ingest, count):
    recordings = os.path.join(work, "ffmpeg-recordings")
    processes = []
    for n in range(1, count + 1):
        folder = os.path.join(recordings, f"cam{n}")
        os.makedirs(folder, exist_ok=True)
        # fragmented MP4 segments like the agent's, cut on keyframes every 60 s, plus the push.
        record = (f"[f=segment:segment_time=60:segment_format=mp4:reset_timestamps=1:strftime=1:"
                  f"segment_format_options=movflags=+frag_keyframe+empty_moov+default_base_moof]"
                  f"{folder}/%Y%m%dT%H%M%SZ.mp4")
        push = f"[f=flv:onfail=ignore]{ingest.url(f'cam{n}')}"
        processes.append(Process(
            ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "warning", "-rtsp_transport", "tcp", "-i", cameras.url(n),
             "-c", "copy", "-map", "0", "-f", "tee", f"{record}|{push}"],
            os.path.join(work, f"ffmpeg-cam{n}.log")))
    return processes, recordings, None


def metrics_text(url):
    if not url:
        return None
    try:
        return urllib.request.urlopen(url, timeout=5).read().decode()
    except OSError:
        return None


def metric_sum(text, wanted):
    """Sum of the samples whose metric name satisfies `wanted` (None without /metrics)."""
    if text is None:
        return None
    total = 0.0
    for line in text.splitlines():
        if line.startswith("#") or not wanted(line.split("{")[0].split(" ")[0]):
            continue
        try:
            total += float(line.rsplit(" ", 1)[1])
        except ValueError:
            pass
    return total


def agent_figures(url):
    """The agent's own counters the bench reports: drops, and what hashing (issue 21) and picture
    health (issue 23) cost, each the CPU time of the thread doing it."""
    text = metrics_text(url)
    return {
        "drops": metric_sum(text, lambda name: "drop" in name),
        "hash_cpu": metric_sum(text, lambda name: name == "kuzet_commitment_cpu_seconds_total"),
        "hash_bytes": metric_sum(text, lambda name: name == "kuzet_commitment_bytes_total"),
        "hash_segments": metric_sum(text, lambda name: name == "kuzet_commitment_segments_total"),
        "health_cpu": metric_sum(text, lambda name: name == "kuzet_health_sample_seconds_total"),
    }


def delta(after, before, key):
    return None if after.get(key) is None or before.get(key) is None else after[key] - before[key]


def measure(name, starter, args, work, cameras, ingest, count, camera_rate):
    say(f"  {name}: starting for {count} cameras")
    processes, recordings, metrics = starter(args, work, cameras, ingest, count)
    try:
        deadline = time.time() + args.warmup
        while time.time() < deadline:
            if not any(p.alive() for p in processes):
                raise RuntimeError(f"{name} exited during warm-up:\n" + processes[0].output()[-2000:])
            time.sleep(1)
        roots = [p.pid for p in processes]
        pids = descendants(roots)
        cpu0, server0 = cpu_seconds(pids), cpu_seconds([cameras.process.pid])
        ingest0, disk0, figures0, t0 = ingest.stats(), tree_bytes(recordings), agent_figures(metrics), time.monotonic()
        samples = []
        profiler = None
        if args.perf:
            # Profile the contender's own processes over the window (perf costs CPU: not for figures).
            profiler = subprocess.Popen(
                ["perf", "record", "-q", "-F", "499", "-g", "-o", os.path.join(work, f"perf-{name}-{count}.data"),
                 "-p", ",".join(str(p) for p in pids), "--", "sleep", str(args.window)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while (remaining := args.window - (time.monotonic() - t0)) > 0:
            time.sleep(min(5, remaining))
            samples.append(pss_bytes(descendants(roots)))
        elapsed = time.monotonic() - t0
        if profiler:
            profiler.wait(timeout=60)
        pids = descendants(roots)
        cpu1, server1 = cpu_seconds(pids), cpu_seconds([cameras.process.pid])
        ingest1, disk1, figures1 = ingest.stats(), tree_bytes(recordings), agent_figures(metrics)
        if not cameras.process.alive():
            raise RuntimeError("the camera server died during the window:\n" + cameras.process.output()[-3000:])
        sessions = cameras.sessions()
        alive = sum(p.alive() for p in processes)
    finally:
        for p in processes:
            p.stop()
    expected = camera_rate * elapsed
    pushed = [(ingest1.get(f"cam{n}", 0) - ingest0.get(f"cam{n}", 0)) / expected for n in range(1, count + 1)]
    disk = (disk1 - disk0) / (expected * count)
    one_session = sum(1 for n in range(1, count + 1) if sessions.get(f"/cam{n}") == 1)
    odd = {route: number for route, number in sessions.items() if number != 1}
    if odd:
        say(f"  {name}: camera sessions not 1: {odd}")
    result = {
        "cpu": (cpu1 - cpu0) / elapsed,
        "pss": sum(samples) / len(samples) if samples else 0,
        "server_cpu": (server1 - server0) / elapsed,
        "push_min": min(pushed) if pushed else 0,
        "push_streams": sum(1 for p in pushed if p >= 0.9),
        "disk": disk,
        "one_session": one_session,
        "alive": alive,
        "processes": len(processes),
        "drops": delta(figures1, figures0, "drops"),
        "hash_cpu": delta(figures1, figures0, "hash_cpu"),
        "hash_bytes": delta(figures1, figures0, "hash_bytes"),
        "hash_segments": delta(figures1, figures0, "hash_segments"),
        "health_cpu": delta(figures1, figures0, "health_cpu"),
    }
    result["keeps_up"] = result["push_streams"] == count and disk >= 0.9 and one_session == count and alive == len(processes)
    say(f"  {name}: cpu {result['cpu']:.2f} cores, pss {result['pss'] / 2**20:.0f} MiB, pushed ≥90% on "
        f"{result['push_streams']}/{count} (min {result['push_min']:.2f}), recorded {disk:.2f} of the camera bytes, "
        f"one session on {one_session}/{count}, camera server {result['server_cpu']:.2f} cores")
    if result["hash_cpu"] is not None:
        # Issue 21's target: hashing adds at most 5 % to the agent's CPU. The agent without it is
        # its CPU less the hashing thread's (the same run: same cameras, same load).
        hashing = result["hash_cpu"] / elapsed
        without = result["cpu"] - hashing
        say(f"  {name}: commitments hashed {result['hash_segments']:.0f} segments, "
            f"{result['hash_bytes'] / 2**20 / elapsed:.1f} MiB/s, in {hashing:.4f} cores = "
            f"{100 * hashing / without if without > 0 else 0:.1f} % more than the agent without it "
            f"({without:.3f} cores; target ≤ 5 %)")
        if result["hash_segments"] == 0:
            say(f"  {name}: no segment closed in the window — make BENCH_WINDOW longer than storage's 60-s segments")
    if result["health_cpu"] is not None:
        say(f"  {name}: picture health {result['health_cpu'] / elapsed:.4f} cores")
    return result


def camera_bytes_per_second(args):
    """The real bitrate of the clip every camera loops (video only), in bytes/s."""
    cache = os.environ.get("KUZET_CLIP_CACHE", os.path.join(tempfile.gettempdir(), "kuzet-clips"))
    name = f"h264-{args.size}-{args.fps}fps-{args.bitrate}k-gop1-10s.h264"
    path = os.path.join(cache, name)
    if not os.path.exists(path):
        raise SystemExit(f"clip {path} missing after --prepare-only")
    return os.path.getsize(path) / 10.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counts", default=os.environ.get("BENCH_COUNTS", "16,32,64"))
    parser.add_argument("--warmup", type=float, default=float(os.environ.get("BENCH_WARMUP", 20)))
    parser.add_argument("--window", type=float, default=float(os.environ.get("BENCH_WINDOW", 30)))
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--fps", type=int, default=25)
    parser.add_argument("--bitrate", type=int, default=4000, help="kbit/s per camera")
    parser.add_argument("--agent", default=os.environ.get("AGENT", os.path.join(ROOT, ".build", "release", "kuzet-agent")))
    parser.add_argument("--only", choices=["agent", "ffmpeg"], help="run one contender")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--perf", action="store_true",
                        help="record a perf profile of each contender over the window (work/perf-NAME-COUNT.data; implies --keep)")
    args = parser.parse_args()
    args.keep = args.keep or args.perf

    subprocess.run(["/usr/bin/python3", CAMERA_SERVER, "--prepare-only", "--cameras", "1", "--size", args.size, "--fps", str(args.fps),
                    "--bitrate", str(args.bitrate), "--gop", "1", "--clip", "10"], check=True)
    camera_rate = camera_bytes_per_second(args)
    contenders = []
    if args.only != "ffmpeg":
        if os.access(args.agent, os.X_OK):
            contenders.append(("agent", start_agent))
        else:
            say(f"kuzet-agent not found at {args.agent} (build it: swift build -c release --product kuzet-agent) — agent skipped")
    if args.only != "agent":
        contenders.append(("ffmpeg", start_ffmpeg))
    say(f"cameras: {args.size} H.264 {args.fps} fps, GOP 1 s, {camera_rate * 8 / 1000:.0f} kbit/s measured; "
        f"warm-up {args.warmup:g} s, window {args.window:g} s; {os.cpu_count()} cores")

    results = {}
    for count in [int(c) for c in args.counts.split(",") if c]:
        work = tempfile.mkdtemp(prefix=f"kuzet-bench-{count}-")
        say(f"== {count} cameras (work: {work})")
        cameras = CameraServer(work, count, args)
        ingest = Ingest(work)
        try:
            idle0 = cpu_seconds([cameras.process.pid])
            time.sleep(3)
            say(f"  camera server idle (no clients): {(cpu_seconds([cameras.process.pid]) - idle0) / 3:.3f} cores")
            for name, starter in contenders:
                if not cameras.process.alive():
                    say("  the camera server is down — restarting it")
                    cameras = CameraServer(work, count, args)
                try:
                    results[(count, name)] = measure(name, starter, args, work, cameras, ingest, count, camera_rate)
                except RuntimeError as error:
                    say(f"  {name}: FAILED — {error}")
                time.sleep(3)  # let the camera server drop the sessions
        finally:
            ingest.process.stop()
            cameras.process.stop()
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)

    say("")
    say("cameras | contender | CPU cores | PSS MiB | keeps up | camera server CPU | agent/ffmpeg CPU | agent/ffmpeg PSS | target")
    say("------- | --------- | --------- | ------- | -------- | ----------------- | ---------------- | ---------------- | ------")
    for count in sorted({c for c, _ in results}):
        agent, ffmpeg = results.get((count, "agent")), results.get((count, "ffmpeg"))
        for name, result in (("agent", agent), ("ffmpeg", ffmpeg)):
            if result is None:
                continue
            cpu_ratio = pss_ratio = target = ""
            if name == "agent" and ffmpeg:
                cpu_ratio = f"{result['cpu'] / ffmpeg['cpu']:.2f}×" if ffmpeg["cpu"] else "-"
                pss_ratio = f"{result['pss'] / ffmpeg['pss']:.2f}×" if ffmpeg["pss"] else "-"
                if count == 32:
                    cpu_ok = bool(ffmpeg["cpu"]) and result["cpu"] <= 0.7 * ffmpeg["cpu"]
                    pss_ok = bool(ffmpeg["pss"]) and result["pss"] <= 0.25 * ffmpeg["pss"]
                    target = f"CPU ≤0.7×: {'MET' if cpu_ok else 'NOT MET'}; PSS ≤0.25×: {'MET' if pss_ok else 'NOT MET'}"
            if name == "agent" and count == 64:
                target = "keeps up at 64: " + ("MET" if result["keeps_up"] else "NOT MET")
            say(f"{count:7} | {name:9} | {result['cpu']:9.2f} | {result['pss'] / 2**20:7.0f} | {'yes' if result['keeps_up'] else 'NO':8} | "
                f"{result['server_cpu']:17.2f} | {cpu_ratio:16} | {pss_ratio:16} | {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
