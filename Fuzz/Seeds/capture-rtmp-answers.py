#!/usr/bin/env python3
"""Records real RTMP command answers for Fuzz/Corpus/fuzz-amf0: starts nginx with Debian's RTMP
module on loopback (scripts/testing/nginx-rtmp.conf.template), speaks the same conversation as
RTMPPublisher (handshake, connect, releaseStream, FCPublish, createStream, publish; then a publish
to a name already in use and a connect to an unknown application, for _error/onStatus errors) and
keeps the payload of every AMF0 command message the server sent (types 20, and 17 after its
format byte). With RAW_DIR, also every byte each server connection sent after the handshake (its
chunk stream as RTMPPublisher reads it) for Fuzz/Corpus/fuzz-rtmp-chunks.
    Fuzz/Seeds/capture-rtmp-answers.py OUT_DIR [RAW_DIR]"""
import os, socket, struct, subprocess, sys, tempfile, time

out_dir = sys.argv[1]
raw_dir = sys.argv[2] if len(sys.argv) > 2 else None
here = os.path.dirname(os.path.abspath(__file__))
template = open(os.path.join(here, "../../scripts/testing/nginx-rtmp.conf.template")).read()

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def amf_string(text):
    data = text.encode()
    return b"\x02" + struct.pack(">H", len(data)) + data

def amf_number(value): return b"\x00" + struct.pack(">d", value)

def amf_object(fields):
    body = b"".join(struct.pack(">H", len(k)) + k.encode() + v for k, v in fields)
    return b"\x03" + body + b"\x00\x00\x09"

class Connection:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.buffer = b""
        self.in_chunk = 128
        self.streams = {}
        self.sock.sendall(b"\x03" + bytes(1536))
        self.read(1 + 1536 + 1536)
        self.raw = self.buffer  # what came after S2
        self.sock.sendall(bytes(1536))

    def read(self, count):
        while len(self.buffer) < count:
            data = self.sock.recv(65536)
            if not data: raise EOFError
            self.buffer += data
            if hasattr(self, "raw"): self.raw += data
        out, self.buffer = self.buffer[:count], self.buffer[count:]
        return out

    def send(self, csid, type_, stream_id, payload):
        header = bytes([csid]) + b"\x00\x00\x00" + struct.pack(">I", len(payload))[1:] + bytes([type_]) + struct.pack("<I", stream_id)
        chunks = [payload[i:i + 128] for i in range(0, len(payload), 128)] or [b""]
        self.sock.sendall(header + b"".join(c if i == 0 else bytes([0xC0 | csid]) + c for i, c in enumerate(chunks)))

    def message(self):
        while True:
            first = self.read(1)[0]
            fmt, csid = first >> 6, first & 0x3F
            if csid == 0: csid = 64 + self.read(1)[0]
            elif csid == 1: b = self.read(2); csid = 64 + b[0] + (b[1] << 8)
            state = self.streams.setdefault(csid, {"length": 0, "type": 0, "payload": b"", "extended": False})
            size = [11, 7, 3, 0][fmt]
            header = self.read(size)
            if fmt < 3:
                state["extended"] = header[0:3] == b"\xff\xff\xff"
            if fmt <= 1:
                state["length"] = int.from_bytes(header[3:6], "big")
                state["type"] = header[6]
            if state["extended"]: self.read(4)
            take = min(self.in_chunk, state["length"] - len(state["payload"]))
            state["payload"] += self.read(take)
            if len(state["payload"]) < state["length"]: continue
            message = (state["type"], state["payload"])
            state["payload"] = b""
            if message[0] == 1: self.in_chunk = struct.unpack(">I", message[1][:4])[0] & 0x7FFFFFFF
            return message

    def commands(self, seconds):
        found = []
        self.sock.settimeout(seconds)
        try:
            while True:
                type_, payload = self.message()
                if type_ == 20: found.append(payload)
                if type_ == 17 and payload: found.append(payload[1:])
        except (socket.timeout, EOFError, ConnectionResetError):
            pass
        return found

    def connect(self, app, port):
        self.send(3, 20, 0, amf_string("connect") + amf_number(1) + amf_object([
            ("app", amf_string(app)), ("type", amf_string("nonprivate")), ("flashVer", amf_string("FMLE/3.0 (compatible; kuzet-agent)")),
            ("tcUrl", amf_string(f"rtmp://127.0.0.1:{port}/{app}"))]))

    def publish(self, name):
        self.send(3, 20, 0, amf_string("releaseStream") + amf_number(2) + b"\x05" + amf_string(name))
        self.send(3, 20, 0, amf_string("FCPublish") + amf_number(3) + b"\x05" + amf_string(name))
        self.send(3, 20, 0, amf_string("createStream") + amf_number(4) + b"\x05")
        time.sleep(0.3)
        self.send(8, 20, 1, amf_string("publish") + amf_number(5) + b"\x05" + amf_string(name) + amf_string("live"))

with tempfile.TemporaryDirectory() as prefix:
    os.makedirs(os.path.join(prefix, "temp"))
    port = free_port()
    conf = template.replace("@PREFIX@", prefix).replace("@RTMP_PORT@", str(port)).replace("@STAT_PORT@", str(free_port()))
    open(os.path.join(prefix, "nginx.conf"), "w").write(conf)
    nginx = subprocess.Popen(["/usr/sbin/nginx", "-p", prefix + "/", "-c", os.path.join(prefix, "nginx.conf")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(50):
            try: socket.create_connection(("127.0.0.1", port), timeout=1).close(); break
            except OSError: time.sleep(0.1)
        answers = []
        connections = []
        first = Connection(port); first.connect("live", port); first.publish("kz-0042-entrance"); answers += first.commands(1.5)
        second = Connection(port); second.connect("live", port); second.publish("kz-0042-entrance"); answers += second.commands(1.5)
        third = Connection(port); third.connect("no-such-app", port); answers += third.commands(1.5)
        connections = [first, second, third]
    finally:
        nginx.terminate(); nginx.wait(timeout=10)
os.makedirs(out_dir, exist_ok=True)
for index, payload in enumerate(answers):
    open(os.path.join(out_dir, f"nginx-rtmp-{index:02d}.amf0"), "wb").write(payload)
print(f"{len(answers)} AMF0 answers from nginx-rtmp in {out_dir}")
if raw_dir:
    os.makedirs(raw_dir, exist_ok=True)
    streams = [connection.raw for connection in connections if connection.raw]  # an unknown app: closed at once
    for index, raw in enumerate(streams):
        open(os.path.join(raw_dir, f"nginx-rtmp-{index:02d}.rtmp"), "wb").write(raw)
    print(f"{len(streams)} chunk streams from nginx-rtmp in {raw_dir}")
