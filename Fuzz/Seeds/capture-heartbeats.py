#!/usr/bin/env python3
"""Records real heartbeat bodies for Fuzz/Corpus/fuzz-heartbeat: runs the built
kuzet-uplink-harness (the agent's real uplink: HeartbeatService, Outbox, RegistryClient) against a
loopback HTTP server that refuses the first answers with 503, so the outbox queues and later sends
batches, then keeps what it POSTed.   Fuzz/Seeds/capture-heartbeats.py .build/debug OUT_DIR"""
import http.server, os, subprocess, sys, tempfile, threading, time

bin_dir, out_dir = sys.argv[1], sys.argv[2]
bodies = []

class Registry(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        bodies.append(body)
        status = 503 if len(bodies) <= 4 else 200
        answer = b'{"error":"unavailable","message":"try later"}' if status == 503 else b'{"accepted":1}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)
    def log_message(self, *args): pass

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Registry)
threading.Thread(target=server.serve_forever, daemon=True).start()
with tempfile.TemporaryDirectory() as folder:
    open(os.path.join(folder, "token"), "w").write("kz_school_fuzzseedtoken\n")
    config = os.path.join(folder, "agent.yaml")
    open(config, "w").write(f"""school: {{ id: KZ-AST-0042, name: "School No. 42 «Ақбота»", region: Astana }}
storage: {{ root: {folder}/recordings }}
registry:
  url: http://127.0.0.1:{server.server_port}/api/v1/heartbeats
  token_file: token
  interval_seconds: 30
  outbox: {folder}/outbox
cameras:
  - {{ id: entrance, url: "rtsp://127.0.0.1:8554/entrance" }}
  - {{ id: corridor-1, url: "rtsp://127.0.0.1:8554/corridor" }}
  - {{ id: gym, url: "rtsp://127.0.0.1:8554/gym" }}
""")
    harness = subprocess.Popen([os.path.join(bin_dir, "kuzet-uplink-harness"), "--config", config, "--interval-ms", "150",
                                "--backoff-cap-ms", "300"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 20
    while len(bodies) < 10 and time.time() < deadline:
        time.sleep(0.1)
    harness.terminate()
    harness.wait(timeout=10)
server.shutdown()
os.makedirs(out_dir, exist_ok=True)
for index, body in enumerate(bodies):
    open(os.path.join(out_dir, f"uplink-{index:02d}.json"), "wb").write(body)
print(f"{len(bodies)} heartbeat bodies in {out_dir}")
