#!/usr/bin/python3
"""The HTTP(S) server a test's RecordingHTTPServer (Sources/KuzetTestKit) runs: it records every
request in --dir and answers what the test queued there (Python 3.11 standard library only)."""
import argparse, base64, hashlib, json, os, socket, ssl, sys, threading, time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

parser = argparse.ArgumentParser()
parser.add_argument("--dir", required=True)
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--cert"); parser.add_argument("--key"); parser.add_argument("--client-ca")
parser.add_argument("--digest", help="user:password for /digest")
parser.add_argument("--token", help="bearer token /api/v1/heartbeats requires")
args = parser.parse_args()

lock = threading.Lock()
consumed = 0
highest = {}
seen = set()
record_path = os.path.join(args.dir, "requests.jsonl")
queue_path = os.path.join(args.dir, "responses.jsonl")

def next_queued():
    global consumed
    with lock:
        try:
            with open(queue_path) as f:
                lines = [l for l in f.read().splitlines() if l.strip()]
        except FileNotFoundError:
            return None
        if consumed < len(lines):
            consumed += 1
            return json.loads(lines[consumed - 1])
    return None

def record(entry):
    with lock:
        with open(record_path, "a") as f:
            f.write(json.dumps(entry) + "\n"); f.flush(); os.fsync(f.fileno())

def md5(text): return hashlib.md5(text.encode()).hexdigest()

class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *a): sys.stderr.write("%s\n" % (fmt % a))
    def do_GET(self): self.handle_any()
    def do_POST(self): self.handle_any()
    def do_PUT(self): self.handle_any()
    def do_DELETE(self): self.handle_any()
    def do_HEAD(self): self.handle_any()

    def reply(self, status, body=b"", headers=None, content_type="text/plain"):
        if isinstance(body, str): body = body.encode()
        self.send_response(status)
        for name, value in (headers or {}).items(): self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD": self.wfile.write(body)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        peer = None
        try:
            cert = self.connection.getpeercert()
            if cert: peer = dict(x[0] for x in cert["subject"]).get("commonName")
        except Exception: pass
        url = urlparse(self.path)
        entry = {"method": self.command, "path": url.path, "query": url.query,
                 "headers": {k: v for k, v in self.headers.items()},
                 "body": body.decode("utf-8", "replace"), "client_cn": peer, "at": time.time()}
        queued = next_queued()
        if queued is not None:
            entry["answered"] = queued; record(entry)
            if queued.get("hang"):
                time.sleep(float(queued.get("hang"))); return
            self.reply(queued.get("status", 200), queued.get("body", ""), queued.get("headers")); return
        if url.path == "/hang":
            record(entry); time.sleep(300); return
        if url.path == "/big":
            record(entry); self.reply(200, b"x" * int(parse_qs(url.query)["bytes"][0])); return
        if url.path == "/echo":
            record(entry)
            self.reply(200, json.dumps({"method": self.command, "body_length": len(body), "headers": entry["headers"],
                                        "client_cn": peer}), content_type="application/json"); return
        if url.path == "/digest":
            user, password = args.digest.split(":", 1)
            realm, nonce = "kuzet-test", "dcd98b7102dd2f0e8b11d0f600bfb0c093"
            auth = self.headers.get("Authorization") or ""
            ok = False
            if auth.startswith("Digest "):
                fields = {}
                for part in auth[7:].split(","):
                    k, _, v = part.strip().partition("=")
                    fields[k] = v.strip('"')
                ha1 = md5("%s:%s:%s" % (user, realm, password)); ha2 = md5("%s:%s" % (self.command, fields.get("uri", "")))
                expect = md5(":".join([ha1, nonce, fields.get("nc", ""), fields.get("cnonce", ""), fields.get("qop", ""), ha2]))
                ok = fields.get("username") == user and fields.get("response") == expect
            entry["authorized"] = ok; record(entry)
            if ok: self.reply(200, "digest ok"); return
            self.reply(401, "who are you", {"WWW-Authenticate": 'Digest realm="%s", qop="auth", nonce="%s", algorithm=MD5' % (realm, nonce)}); return
        if url.path == "/api/v1/heartbeats" and self.command == "POST":
            if args.token and self.headers.get("Authorization") != "Bearer " + args.token:
                entry["authorized"] = False; record(entry)
                self.reply(401, json.dumps({"error": "bad token"}), content_type="application/json"); return
            batch = json.loads(body)
            beats = batch["heartbeats"] if "heartbeats" in batch else [batch]
            accepted = duplicates = 0
            with lock:
                for beat in beats:
                    key = (beat["school_id"], beat["sequence"])
                    if key in seen: duplicates += 1
                    else:
                        seen.add(key); accepted += 1
                        highest[beat["school_id"]] = max(highest.get(beat["school_id"], 0), beat["sequence"])
                top = highest.get(beats[0]["school_id"], 0) if beats else 0
            entry["accepted"] = accepted; entry["duplicates"] = duplicates; record(entry)
            now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            self.reply(200, json.dumps({"accepted": accepted, "duplicates": duplicates, "highestSequence": top,
                                        "highest_sequence": top, "serverTime": now, "server_time": now}),
                       content_type="application/json"); return
        record(entry); self.reply(404, "no such path")

class Server(ThreadingHTTPServer):
    daemon_threads = True
    context = None
    def finish_request(self, request, client_address):
        # TLS per connection, in the connection's own thread: a client that stalls the handshake
        # cannot stall the accept loop.
        if self.context is not None:
            request.settimeout(30)
            tls = self.context.wrap_socket(request, server_side=True, do_handshake_on_connect=False)
            try:
                tls.do_handshake()
            except (ssl.SSLError, OSError) as error:
                sys.stderr.write("TLS handshake from %s failed: %s\n" % (client_address, error))
                # Let the alert reach the client before closing (closing with unread data
                # would send a reset that can overtake it).
                time.sleep(0.5)
                tls.close(); return
            tls.settimeout(None)
            request = tls
        self.RequestHandlerClass(request, client_address, self)

server = Server(("127.0.0.1", args.port), Handler)
if args.cert:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    if args.client_ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(args.client_ca)
    server.context = context
def watch_parent(parent=os.getppid()):
    # Never outlive the test that started us (even if it crashed or was killed).
    while os.getppid() == parent: time.sleep(1)
    os._exit(0)
threading.Thread(target=watch_parent, daemon=True).start()
print("READY %d" % server.server_address[1], flush=True)
server.serve_forever()
