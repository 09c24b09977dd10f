#!/usr/bin/env python3
"""A hostile "camera" for KuzetDiscoveryTests: one TCP port that answers HTTP (ONVIF POSTs) and
RTSP (OPTIONS/DESCRIBE) requests alike — the status line follows the request's protocol — with
a broken answer chosen by --mode:

  garbage          bytes that are not HTTP or RTSP at all, then close
  negative-length  a 200 with `Content-Length: -1` and a few body bytes, held open 3 s
  huge-length      a 200 with `Content-Length: 9223372036854775807` (2^63-1), then bytes forever
  overflow-length  a 200 with `Content-Length: 99999999999999999999` (more than 64 bits), held 3 s
  endless-chunked  a 200 with `Transfer-Encoding: chunked` whose last chunk never comes
  huge-chunk       a chunked 200 whose first chunk claims 0x7fffffffffffffff bytes, then bytes forever
  basic-only       not hostile but old: RTSP that takes only Basic (`--user`/`--password`), 401
                   otherwise, and a one-video-track SDP once the right Basic arrives

Prints `ready` when listening, `REQUEST <first line>` per request and `AUTHORIZATION <scheme or
none>` per request (so tests can check no password went in plain text); runs until SIGTERM.
"""
import base64
import argparse
import signal
import socket
import threading
import time

MODES = ["garbage", "negative-length", "huge-length", "overflow-length", "endless-chunked", "huge-chunk", "basic-only"]
SDP = b"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=camera\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:track1\r\n"


def read_request(conn):
    """The request head and its body (by Content-Length, at most 64 KiB), or None if the peer
    only connected (the scanner's port check)."""
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = min(int(value.strip() or b"0"), 65536)
    while len(body) < length:
        chunk = conn.recv(4096)
        if not chunk:
            break
        body += chunk
    return head


def stream_forever(conn, piece):
    while True:
        conn.sendall(piece)
        time.sleep(0.01)


def header(head, name):
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name:
            return value.strip()
    return b""


def basic_only(conn, head, user, password):
    """Answers requests on this connection until it closes: 401 Basic, or 200 with the SDP."""
    expected = b"Basic " + base64.b64encode(f"{user}:{password}".encode())
    while head is not None:
        cseq = header(head, b"cseq") or b"1"
        authorization = header(head, b"authorization")
        print("AUTHORIZATION " + (authorization.split(b" ")[0].decode("latin-1") if authorization else "none"), flush=True)
        if authorization == expected:
            conn.sendall(b"RTSP/1.0 200 OK\r\nCSeq: " + cseq + b"\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n" % len(SDP) + SDP)
        else:
            conn.sendall(b"RTSP/1.0 401 Unauthorized\r\nCSeq: " + cseq + b'\r\nWWW-Authenticate: Basic realm="camera"\r\nContent-Length: 0\r\n\r\n')
        head = read_request(conn)
        if head is not None:
            print("REQUEST " + head.split(b"\r\n")[0].decode("latin-1"), flush=True)


def serve(conn, mode, user, password):
    try:
        head = read_request(conn)
        if head is None:
            return
        first = head.split(b"\r\n")[0]
        print("REQUEST " + first.decode("latin-1"), flush=True)
        if mode == "basic-only":
            return basic_only(conn, head, user, password)
        rtsp = first.endswith(b"RTSP/1.0")
        status = b"RTSP/1.0 200 OK\r\nCSeq: 1\r\n" if rtsp else b"HTTP/1.1 200 OK\r\n"
        kind = b"Content-Type: application/sdp\r\n" if rtsp else b"Content-Type: application/soap+xml; charset=utf-8\r\n"
        if mode == "garbage":
            conn.sendall(b"\x16\x03\x01\x02\x00 this is not a camera \xff\xfe\r\n\r\n")
        elif mode == "negative-length":
            conn.sendall(status + kind + b"Content-Length: -1\r\n\r\nv=0\r\n")
            time.sleep(3)
        elif mode == "huge-length":
            conn.sendall(status + kind + b"Content-Length: 9223372036854775807\r\n\r\n")
            stream_forever(conn, b"x" * 16384)
        elif mode == "overflow-length":
            conn.sendall(status + kind + b"Content-Length: 99999999999999999999\r\n\r\nv=0\r\n")
            time.sleep(3)
        elif mode == "endless-chunked":
            conn.sendall(status + kind + b"Transfer-Encoding: chunked\r\n\r\n")
            stream_forever(conn, b"5\r\n<a/>\n\r\n")
        elif mode == "huge-chunk":
            conn.sendall(status + kind + b"Transfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\n")
            stream_forever(conn, b"y" * 16384)
    except OSError:
        pass
    finally:
        conn.close()


def main():
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--mode", choices=MODES, required=True)
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default="secret")
    args = parser.parse_args()
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((args.address, args.port))
    listener.listen(64)
    print("ready", flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn, args.mode, args.user, args.password), daemon=True).start()


if __name__ == "__main__":
    main()
