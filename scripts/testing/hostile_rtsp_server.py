#!/usr/bin/env python3
"""A hostile "RTSP device" for KuzetDiscoveryTests: answers every request on --port with
  --mode endless  a 200 whose announced body never finishes arriving (a few bytes every 50 ms)
  --mode huge     a 200 with a 50 MB body
  --mode garbage  bytes that are not RTSP at all
Runs until SIGTERM.
"""
import argparse
import signal
import socket
import threading
import time


def serve(conn, mode):
    try:
        conn.recv(65536)
        if mode == "garbage":
            conn.sendall(b"\x16\x03\x01 this is not rtsp\r\n\r\n")
        elif mode == "huge":
            size = 50 * 1024 * 1024
            conn.sendall(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n" % size)
            chunk = b"a=x-junk:" + b"x" * (64 * 1024) + b"\r\n"
            sent = 0
            while sent < size:
                conn.sendall(chunk)
                sent += len(chunk)
        else:
            conn.sendall(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Type: application/sdp\r\nContent-Length: 100000\r\n\r\nv=0\r\n")
            while True:
                conn.sendall(b"a=x:1\r\n")
                time.sleep(0.05)
    except OSError:
        pass
    finally:
        conn.close()


def main():
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mode", choices=["endless", "huge", "garbage"], required=True)
    args = parser.parse_args()
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(16)
    print("ready", flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn, args.mode), daemon=True).start()


if __name__ == "__main__":
    main()
