#!/usr/bin/env python3
"""Benchmark (not a test): 16 cameras × 4 relay clients each, in one run.

  A. kuzet-agent relays the 16 cameras (one upstream each) to 64 RTSP clients
     (TCP interleaved, Digest auth), recording off so only the fan-out is measured.
  B. The same fan-out done the usual way: one ffmpeg process per client, each pulling its
     camera itself (`-c copy`) and sending RTP to that client.

Both sides are measured over the same window length after a warm-up: CPU (user+system
seconds from /proc, as % of one core), resident memory (sum of VmRSS, peak of the samples),
what the clients received, and how many sessions the cameras had to serve.

The cameras are the harness's gst-rtsp-server (scripts/testing/rtsp_camera_server.py, run with
/usr/bin/python3). Needs a built agent: `swift build` (or pass --agent).

Usage: bench/relay-fanout.py [--cameras 16] [--clients 4] [--seconds 20] [--size 1280x720] [--bitrate 2000]
"""
import argparse
import asyncio
import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TICK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except OSError:
        return 0.0


def rss_bytes(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def wait_for(predicate, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise SystemExit(f"bench: {what} did not happen within {timeout} s")


def camera_sessions(status_port):
    """Sessions the camera server holds now, from its HTTP status (its status file can lag)."""
    import urllib.request
    try:
        mounts = json.load(urllib.request.urlopen(f"http://127.0.0.1:{status_port}/status", timeout=5))["mounts"]
        return sum(m["sessions"] for m in mounts.values())
    except (OSError, ValueError, KeyError):
        return 0


def all_live(status_port, count):
    import urllib.request
    try:
        report = json.load(urllib.request.urlopen(f"http://127.0.0.1:{status_port}/api/v1/status", timeout=5))
        return sum(1 for c in report["cameras"] if c["state"] == "live") == count
    except (OSError, ValueError, KeyError):
        return False


# MARK: - RTSP clients (one asyncio process for all of them, so both sides have the same readers)

class Counter:
    def __init__(self):
        self.bytes = 0
        self.packets = 0
        self.failed = None


async def rtsp_pull(url, user, password, counter):
    m = re.match(r"rtsp://([^:/]+):(\d+)(/.*)", url)
    host, port, _ = m.group(1), int(m.group(2)), m.group(3)
    reader, writer = await asyncio.open_connection(host, port)
    cseq = 0
    auth = {}

    async def request(method, uri, headers=None):
        nonlocal cseq
        for _ in range(2):
            cseq += 1
            lines = [f"{method} {uri} RTSP/1.0", f"CSeq: {cseq}"]
            if auth:
                ha1 = hashlib.md5(f"{user}:{auth['realm']}:{password}".encode()).hexdigest()
                ha2 = hashlib.md5(f"{method}:{uri}".encode()).hexdigest()
                response = hashlib.md5(f"{ha1}:{auth['nonce']}:{ha2}".encode()).hexdigest()
                lines.append(f'Authorization: Digest username="{user}", realm="{auth["realm"]}", nonce="{auth["nonce"]}", uri="{uri}", response="{response}"')
            lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
            await writer.drain()
            head = (await reader.readuntil(b"\r\n\r\n")).decode()
            status = int(head.split()[1])
            fields = {}
            for line in head.split("\r\n")[1:]:
                if ":" in line:
                    k, v = line.split(":", 1)
                    fields[k.strip().lower()] = v.strip()
            body = await reader.readexactly(int(fields.get("content-length", "0")))
            if status == 401 and not auth and user:
                challenge = fields["www-authenticate"]
                auth["realm"] = re.search(r'realm="([^"]*)"', challenge).group(1)
                auth["nonce"] = re.search(r'nonce="([^"]*)"', challenge).group(1)
                continue
            return status, fields, body.decode(errors="replace")
        return status, fields, ""

    for _ in range(30):  # like real players, retry while the camera is not up yet (503)
        status, fields, sdp = await request("DESCRIBE", url, {"Accept": "application/sdp"})
        if status != 503:
            break
        await asyncio.sleep(1)
    if status != 200:
        counter.failed = f"DESCRIBE {status}"
        return
    base = fields.get("content-base", url + "/")
    controls = re.findall(r"a=control:(\S+)", sdp)
    session = None
    for index, control in enumerate(controls):
        headers = {"Transport": f"RTP/AVP/TCP;unicast;interleaved={2 * index}-{2 * index + 1}"}
        if session:
            headers["Session"] = session
        status, fields, _ = await request("SETUP", base + control, headers)
        if status != 200:
            counter.failed = f"SETUP {status}"
            return
        session = fields["session"].split(";")[0]
    status, _, _ = await request("PLAY", base, {"Session": session})
    if status != 200:
        counter.failed = f"PLAY {status}"
        return
    while True:
        header = await reader.readexactly(4)
        if header[0:1] != b"$":  # an RTSP message (keep-alive answer): skip its head
            await reader.readuntil(b"\r\n\r\n")
            continue
        length = int.from_bytes(header[2:4], "big")
        await reader.readexactly(length)
        counter.bytes += length
        counter.packets += 1


class UDPSink(asyncio.DatagramProtocol):
    def __init__(self, counter):
        self.counter = counter

    def datagram_received(self, data, addr):
        self.counter.bytes += len(data)
        self.counter.packets += 1


def run_clients(spec, seconds_total, result_file):
    """Child process: pull every URL (rtsp) or listen on every port (udp) and write the counts."""
    async def main():
        counters = []
        tasks = []
        loop = asyncio.get_running_loop()
        for item in spec["targets"]:
            counter = Counter()
            counters.append(counter)
            if item["kind"] == "rtsp":
                tasks.append(asyncio.create_task(rtsp_pull(item["url"], spec.get("user"), spec.get("password"), counter)))
            else:
                sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                try:  # a big buffer (SO_RCVBUFFORCE, as root) so a busy reader does not lose datagrams
                    sock.setsockopt(socket.SOL_SOCKET, 33, 8 * 1024 * 1024)
                except OSError:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 * 1024 * 1024)
                sock.bind(("127.0.0.1", item["port"]))
                await loop.create_datagram_endpoint(lambda c=counter: UDPSink(c), sock=sock)
        marks = {}
        start = time.time()
        while time.time() - start < seconds_total:
            await asyncio.sleep(0.5)
            elapsed = time.time() - start
            for mark in spec["marks"]:
                if mark not in marks and elapsed >= mark:
                    marks[mark] = [c.bytes for c in counters]
        for task in tasks:
            task.cancel()
        json.dump({"marks": {str(k): v for k, v in marks.items()}, "failed": [c.failed for c in counters if c.failed]}, open(result_file, "w"))
    asyncio.run(main())


# MARK: - Phases

def measure(pids_of, window, warmup, label, status_file):
    """CPU% of one core and peak RSS of the processes pids_of() returns, over `window` s after
    `warmup` s, and the most sessions the cameras served meanwhile."""
    time.sleep(warmup)
    pids = pids_of()
    cpu0 = sum(cpu_seconds(p) for p in pids)
    t0 = time.time()
    peak, sessions = 0, 0
    while time.time() - t0 < window:
        peak = max(peak, sum(rss_bytes(p) for p in pids))
        sessions = max(sessions, camera_sessions(status_file))
        time.sleep(1)
    cpu = (sum(cpu_seconds(p) for p in pids) - cpu0) / (time.time() - t0) * 100
    return {"label": label, "processes": len(pids), "cpu_percent": cpu, "rss_mb": peak / 1e6, "camera_sessions": sessions}


def start_clients(spec, seconds_total, directory, name):
    spec_file = os.path.join(directory, f"{name}-spec.json")
    result_file = os.path.join(directory, f"{name}-result.json")
    json.dump(spec, open(spec_file, "w"))
    process = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--clients-child", spec_file, str(seconds_total), result_file])
    return process, result_file


def client_figures(result_file, warmup, window, streams):
    result = json.load(open(result_file))
    start, end = result["marks"][str(warmup)], result["marks"][str(warmup + window)]
    kbps = [(e - s) * 8 / 1000 / window for s, e in zip(start, end)]
    return {"receiving": sum(1 for k in kbps if k > 100), "streams": streams, "mean_kbps": sum(kbps) / max(len(kbps), 1),
            "failed": result["failed"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cameras", type=int, default=16)
    parser.add_argument("--clients", type=int, default=4, help="relay clients per camera")
    parser.add_argument("--seconds", type=int, default=20, help="measurement window per side")
    parser.add_argument("--warmup", type=int, default=8)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--bitrate", type=int, default=2000, help="kbit/s per camera")
    parser.add_argument("--agent", default=os.path.join(ROOT, ".build/debug/kuzet-agent"))
    parser.add_argument("--clients-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.clients_child:
        spec_file, seconds_total, result_file = args.clients_child
        run_clients(json.load(open(spec_file)), float(seconds_total), result_file)
        return
    if not os.access(args.agent, os.X_OK):
        raise SystemExit(f"bench: {args.agent} not found — run `swift build` first or pass --agent")

    directory = tempfile.mkdtemp(prefix="kuzet-bench-relay-")
    started = []

    def stop_all():
        for process in reversed(started):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in reversed(started):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    try:
        camera_port = free_port()
        camera_status = free_port()
        cameras = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(ROOT, "scripts/testing/rtsp_camera_server.py"), "--port", str(camera_port),
             "--cameras", str(args.cameras), "--size", args.size, "--bitrate", str(args.bitrate), "--status-port", str(camera_status)],
            stdout=open(os.path.join(directory, "cameras.log"), "w"), stderr=subprocess.STDOUT)
        started.append(cameras)
        wait_for(lambda: "READY" in open(os.path.join(directory, "cameras.log")).read(), 300, "the camera server start")
        total = args.warmup + args.seconds + 2
        streams = args.cameras * args.clients

        # A. kuzet-agent
        relay_port, status_port = free_port(), free_port()
        config = os.path.join(directory, "agent.yaml")
        with open(config, "w") as f:
            f.write(f"school: {{ id: KZ-BENCH-1 }}\nstorage: {{ root: {directory}/recordings }}\n")
            f.write(f"relay: {{ listen: 127.0.0.1:{relay_port}, username: cou, password: bench-pw }}\n")
            f.write(f"status: {{ listen: 127.0.0.1:{status_port} }}\ncameras:\n")
            for n in range(1, args.cameras + 1):
                f.write(f"  - {{ id: cam{n}, url: 'rtsp://127.0.0.1:{camera_port}/cam{n}', record: false }}\n")
        os.makedirs(f"{directory}/recordings", exist_ok=True)
        agent = subprocess.Popen([args.agent, "run", "--config", config, "--log-level", "warning"],
                                 stdout=open(os.path.join(directory, "agent.log"), "w"), stderr=subprocess.STDOUT)
        started.append(agent)
        wait_for(lambda: camera_sessions(camera_status) == args.cameras, 60, "the agent's upstreams")
        wait_for(lambda: all_live(status_port, args.cameras), 60, "every camera live in the agent's status")
        targets = [{"kind": "rtsp", "url": f"rtsp://127.0.0.1:{relay_port}/cam{n}"} for n in range(1, args.cameras + 1) for _ in range(args.clients)]
        spec = {"targets": targets, "user": "cou", "password": "bench-pw", "marks": [args.warmup, args.warmup + args.seconds]}
        clients, result = start_clients(spec, total, directory, "agent")
        started.append(clients)
        agent_figures = measure(lambda: [agent.pid], args.seconds, args.warmup, "kuzet-agent (1 process)", camera_status)
        clients.wait(timeout=60)
        agent_figures.update(client_figures(result, args.warmup, args.seconds, streams))
        agent.send_signal(signal.SIGTERM)
        agent.wait(timeout=30)
        wait_for(lambda: camera_sessions(camera_status) == 0, 30, "the agent's upstreams closing")

        # B. one ffmpeg per client
        ports = [free_port() for _ in range(streams)]
        spec = {"targets": [{"kind": "udp", "port": p} for p in ports], "marks": [args.warmup, args.warmup + args.seconds]}
        clients, result = start_clients(spec, total, directory, "ffmpeg")
        started.append(clients)
        time.sleep(1)
        ffmpegs = []
        for index, port in enumerate(ports):
            camera = index // args.clients + 1
            process = subprocess.Popen(
                ["ffmpeg", "-nostdin", "-v", "error", "-rtsp_transport", "tcp", "-i", f"rtsp://127.0.0.1:{camera_port}/cam{camera}",
                 "-map", "0:v", "-c", "copy", "-f", "rtp", f"rtp://127.0.0.1:{port}?pkt_size=1400"],
                stdout=subprocess.DEVNULL, stderr=open(os.path.join(directory, f"ffmpeg-{index}.log"), "w"))
            ffmpegs.append(process)
            started.append(process)
        ffmpeg_figures = measure(
            lambda: [p.pid for p in ffmpegs], args.seconds, args.warmup - 1, f"ffmpeg, one per client ({streams} processes)", camera_status)
        clients.wait(timeout=60)
        ffmpeg_figures.update(client_figures(result, args.warmup, args.seconds, streams))
    finally:
        stop_all()

    print(f"\nRelay fan-out: {args.cameras} cameras ({args.size}, {args.bitrate} kbit/s H.264, 25 fps) × {args.clients} clients, "
          f"{args.seconds} s window after {args.warmup} s warm-up, {os.cpu_count()} CPUs (shared)\n")
    print(f"agent binary: {args.agent}")
    header = f"{'':44} {'CPU % of 1 core':>16} {'RSS MB':>9} {'camera sessions':>16} {'clients receiving':>18} {'mean kbit/s':>12}"
    print(header)
    for f in (agent_figures, ffmpeg_figures):
        print(f"{f['label']:44} {f['cpu_percent']:16.1f} {f['rss_mb']:9.1f} {f['camera_sessions']:16d} "
              f"{str(f['receiving']) + '/' + str(f['streams']):>18} {f['mean_kbps']:12.0f}")
        if f["failed"]:
            print(f"   failures: {f['failed'][:5]}")
    print(f"\n(work files: {directory})")


if __name__ == "__main__":
    main()
