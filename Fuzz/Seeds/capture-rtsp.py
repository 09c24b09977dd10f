#!/usr/bin/env python3
"""Records a real RTSP conversation for the KuzetWire fuzz targets: starts
scripts/testing/rtsp_camera_server.py (gst-rtsp-server) on loopback with a Digest-protected H.264
+ AAC mount and an open H.265 mount, puts a recording TCP proxy in front of it, and lets ffprobe
(and ffmpeg over interleaved TCP for a second) talk through the proxy. Writes what the client sent
(requests: fuzz-wire-request), what the server sent (responses and `$` frames:
fuzz-wire-response) and each SDP body (fuzz-sdp).     Fuzz/Seeds/capture-rtsp.py"""
import os, re, socket, subprocess, sys, threading, time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.normpath(os.path.join(here, "../.."))
corpus = os.path.join(root, "Fuzz/Corpus")

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

camera_port, proxy_port = free_port(), free_port()
camera = subprocess.Popen(["/usr/bin/python3", os.path.join(root, "scripts/testing/rtsp_camera_server.py"), "--port", str(camera_port),
                           "--mount", "/Streaming/Channels/101;audio=aac;user=admin;password=secret",
                           "--mount", "/cam/realmonitor;codec=h265;size=320x240"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
for line in camera.stdout:
    if "READY" in line or "ready" in line.lower(): break

conversations = []  # (client bytes, server bytes) per connection

def pump(source, sink, record):
    try:
        while True:
            data = source.recv(65536)
            if not data: break
            record.append(data)
            sink.sendall(data)
    except OSError:
        pass
    for s in (source, sink):
        try: s.shutdown(socket.SHUT_RDWR)
        except OSError: pass

def proxy():
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", proxy_port)); listener.listen(8)
    while True:
        client, _ = listener.accept()
        server = socket.create_connection(("127.0.0.1", camera_port))
        sent, received = [], []
        conversations.append((sent, received))
        threading.Thread(target=pump, args=(client, server, sent), daemon=True).start()
        threading.Thread(target=pump, args=(server, client, received), daemon=True).start()

threading.Thread(target=proxy, daemon=True).start()
time.sleep(0.3)
base = f"rtsp://127.0.0.1:{proxy_port}"
try:
    subprocess.run(["ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-show_streams", f"rtsp://admin:secret@127.0.0.1:{proxy_port}/Streaming/Channels/101"],
                   capture_output=True, timeout=30)
    subprocess.run(["ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-show_streams", f"{base}/cam/realmonitor?channel=1&subtype=0"],
                   capture_output=True, timeout=30)
    subprocess.run(["ffmpeg", "-v", "error", "-rtsp_transport", "tcp", "-i", f"rtsp://admin:secret@127.0.0.1:{proxy_port}/Streaming/Channels/101",
                    "-t", "1", "-c", "copy", "-f", "null", "-"], capture_output=True, timeout=30)
    time.sleep(0.5)
finally:
    camera.terminate(); camera.wait(timeout=10)

def write(target, name, data):
    os.makedirs(os.path.join(corpus, target), exist_ok=True)
    open(os.path.join(corpus, target, name), "wb").write(data)

for index, (sent, received) in enumerate(conversations):
    requests, responses = b"".join(sent), b"".join(received)
    write("fuzz-wire-request", f"ffmpeg-{index}.rtsp", requests)
    # Responses up to the first 8 KiB of interleaved frames (the frames repeat).
    first_frame = responses.find(b"\r\n\r\n$")
    cut = len(responses) if first_frame < 0 else min(len(responses), first_frame + 4 + 8192)
    write("fuzz-wire-response", f"gst-rtsp-server-{index}.rtsp", responses[:cut])
    for number, sdp in enumerate(re.findall(rb"Content-Type: application/sdp\r\n.*?\r\n\r\n(v=0.*?)(?=RTSP/1\.0|\Z)", responses, re.S)):
        write("fuzz-sdp", f"gst-rtsp-server-{index}-{number}.sdp", sdp)
print(f"{len(conversations)} RTSP conversations recorded")
