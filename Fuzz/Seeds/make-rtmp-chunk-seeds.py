#!/usr/bin/env python3
"""Writes hand-made RTMP server chunk streams for Fuzz/Corpus/fuzz-rtmp-chunks: the chunk shapes a
real nginx-rtmp session (Seeds/capture-rtmp-answers.py) does not use — type 1/2/3 headers with
timestamp deltas, extended timestamps, 2- and 3-byte basic headers, Abort, a ping request, an AMF3
command, and a message cut mid-chunk.   Fuzz/Seeds/make-rtmp-chunk-seeds.py OUT_DIR"""
import os, struct, sys

out_dir = sys.argv[1]

def be(value, count): return value.to_bytes(count, "big")

def type0(csid, timestamp, length, type_, stream_id=0):
    extended = timestamp >= 0xFFFFFF
    return (bytes([csid]) + be(min(timestamp, 0xFFFFFF), 3) + be(length, 3) + bytes([type_])
            + struct.pack("<I", stream_id) + (be(timestamp, 4) if extended else b""))

def message(csid, type_, payload, timestamp=0, stream_id=0, chunk=128):
    out = type0(csid, timestamp, len(payload), type_, stream_id)
    for offset in range(0, max(len(payload), 1), chunk):
        if offset:
            out += bytes([0xC0 | csid]) + (be(timestamp, 4) if timestamp >= 0xFFFFFF else b"")
        out += payload[offset:offset + chunk]
    return out

def amf_string(text): return b"\x02" + be(len(text), 2) + text.encode()
def amf_number(value): return b"\x00" + struct.pack(">d", value)
on_status = (amf_string("onStatus") + amf_number(0) + b"\x05" + b"\x03" + be(5, 2) + b"level" + amf_string("status")
             + be(4, 2) + b"code" + amf_string("NetStream.Publish.Start") + be(11, 2) + b"description"
             + amf_string("x" * 200) + b"\x00\x00\x09")

seeds = {
    "extended-timestamp": message(3, 20, on_status, timestamp=0x01020304),
    "headers-0123": (type0(5, 1000, 2, 9, 7) + b"\x01\x02" + b"\x45" + be(10, 3) + be(3, 3) + b"\x08" + b"\x03\x04\x05"
                     + b"\x85" + be(5, 3) + b"\x06\x07\x08" + b"\xc5\x09\x0a\x0b"),
    "basic-headers": (b"\x00\x00" + type0(0, 0, 1, 9)[1:] + b"\x2a" + b"\x01\xff\xff" + type0(0, 0, 1, 9)[1:] + b"\x2b"
                      + b"\xc0\x00\x2c" + b"\xc1\xff\xff\x2d"),
    "chunk-size-abort": (message(2, 1, be(4096, 4)) + type0(3, 0, 5000, 20) + bytes(100) + message(2, 2, be(3, 4))
                         + message(3, 20, on_status, chunk=4096)),
    "control": (message(2, 5, be(2500000, 4)) + message(2, 6, be(2500000, 4) + b"\x02") + message(2, 3, be(1234, 4))
                + message(2, 4, b"\x00\x00" + be(1, 4)) + message(2, 4, b"\x00\x06" + be(0xDEADBEEF, 4))
                + message(3, 17, b"\x00" + on_status)),
    "cut-mid-chunk": type0(3, 0, 200, 20) + bytes(128) + b"\xc3" + bytes(10),
}
os.makedirs(out_dir, exist_ok=True)
for name, data in seeds.items():
    open(os.path.join(out_dir, f"{name}.rtmp"), "wb").write(data)
print(f"{len(seeds)} chunk streams in {out_dir}")
