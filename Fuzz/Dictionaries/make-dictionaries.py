#!/usr/bin/env python3
"""Writes the libFuzzer dictionaries (the tokens each parser looks for); scripts/fuzz.sh passes
Fuzz/Dictionaries/<target>.dict with -dict.     Fuzz/Dictionaries/make-dictionaries.py"""
import os

here = os.path.dirname(os.path.abspath(__file__))

def escape(token):
    out = []
    for byte in token.encode("utf-8"):
        if 0x20 <= byte < 0x7F and byte not in (0x22, 0x5C):
            out.append(chr(byte))
        else:
            out.append("\\x%02X" % byte)
    return '"' + "".join(out) + '"'

def write(name, tokens):
    with open(os.path.join(here, name + ".dict"), "w") as f:
        f.write("# libFuzzer dictionary, written by make-dictionaries.py\n")
        for token in dict.fromkeys(tokens):
            f.write(escape(token) + "\n")

json_keys = ["version", "heartbeats", "school_id", "sequence", "sent_at", "agent_version", "uptime_seconds", "interval_seconds", "school", "name",
             "region", "cameras", "id", "online", "codec", "width", "height", "fps", "bitrate_kbps", "last_frame_age_seconds", "recording", "push",
             "relay_clients", "retention", "oldest_footage", "achieved_days", "gaps", "from", "to", "bytes_used", "shortfall_since", "recorded_kbps",
             "storage", "total_bytes", "free_bytes", "recordings_bytes", "projected_days", "centre", "max_kbps", "achieved_kbps", "events", "at",
             "kind", "camera", "message"]
write("fuzz-heartbeat", ['"%s":' % k for k in json_keys] + ["null", "true", "false", "\\u0000", "\\ud800", "1e309", "-0", "18446744073709551616",
      "2026-12-05T01:00:00Z", "2026-12-05T01:00:00.123Z", "not_recording", "delivering", "failing", "disabled", "camera_offline", "disk_pressure",
      "{", "}", "[", "]", ":", ","])
write("fuzz-config-yaml", ["school:", "storage:", "root:", "format:", "segment_seconds:", "retention:", "days:", "min_free_percent:", "registry:",
      "url:", "token_file:", "interval_seconds:", "ca_file:", "client_cert:", "client_key:", "outbox:", "centre:", "push:", "max_kbps:", "relay:",
      "listen:", "username:", "password:", "password_file:", "status:", "cameras:", "- id:", "sub_url:", "transport:", "record:", "rtsp://",
      "rtmp://", "srt://", "https://", "http://", "&a", "*a", "<<:", "!!str", "!!int", "---", "...", "|", "> ", "{", "}", "[", "]", "~", "0x",
      "1e9", "-1", "9223372036854775807", "0.0.0.0:8554", "[::1]:8554", "\n  "])
xml = ['<?xml version="1.0"?>', "<!DOCTYPE", "<!ENTITY", "<![CDATA[", "]]>", "&amp;", "&#x0;", "&#xD800;", "xmlns:", "xmlns=", "</", "/>",
       "Envelope", "Header", "Body", "Fault", "Code", "Value", "Subcode", "Reason", "Text", "faultcode", "faultstring", "ter:NotAuthorized",
       "wsse:FailedAuthentication"]
onvif = ["UTCDateTime", "LocalDateTime", "Date", "Time", "Year", "Month", "Day", "Hour", "Minute", "Second", "GetDeviceInformationResponse",
         "Manufacturer", "Model", "FirmwareVersion", "SerialNumber", "HardwareId", "Service", "Namespace", "XAddr",
         "http://www.onvif.org/ver10/media/wsdl", "http://www.onvif.org/ver20/media/wsdl", "Media", "Profiles", "token=",
         "VideoSourceConfiguration", "VideoEncoderConfiguration", "Configurations", "VideoSource", "VideoEncoder", "Encoding", "SourceToken",
         "Resolution", "Width", "Height", "RateControl", "FrameRateLimit", "GetStreamUriResponse", "Uri", "rtsp://", "http://0.0.0.0/",
         "http://[::1]:80/"]
write("fuzz-soap-xml", xml + onvif)
write("fuzz-onvif-device", xml + onvif + ["\n--next--\n", "401\n", "200\n", "500\n", "\n\n",
      'WWW-Authenticate: Digest realm="a", nonce="b", qop="auth"', 'WWW-Authenticate: Basic realm="a"', "algorithm=MD5", "algorithm=SHA-256",
      'qop="auth-int"', "opaque=", "stale=true"])
write("fuzz-ws-discovery", xml + ["ProbeMatches", "ProbeMatch", "Hello", "EndpointReference", "Address", "Types", "Scopes", "XAddrs",
      "MetadataVersion", "dn:NetworkVideoTransmitter", "onvif://www.onvif.org/name/", "onvif://www.onvif.org/hardware/",
      "onvif://www.onvif.org/location/", "urn:uuid:", "http://[fe80::1]/onvif/device_service", "http://169.254.1.1/"])
wire = ["RTSP/1.0", "HTTP/1.1", "HTTP/1.0", " 200 OK", "\r\n", "\n", "\r\n\r\n", "Content-Length: ", "Content-Length: -1",
        "Content-Length: 9223372036854775807", "Transfer-Encoding: chunked", "\r\n0\r\n\r\n", "ffffffffffffffff\r\n", "CSeq: ", "Session: ",
        "Transport: RTP/AVP/TCP;unicast;interleaved=0-1", "WWW-Authenticate: ", "Authorization: ", "Digest ", "Basic ", 'realm="', 'nonce="',
        'qop="auth"', "algorithm=MD5", "algorithm=SHA-256", 'opaque="', 'username="', 'uri="', 'response="', "nc=00000001", 'cnonce="',
        "$\x00\xff\xff", "Content-Type: application/sdp"]
write("fuzz-wire-request", wire + ["OPTIONS ", "DESCRIBE ", "SETUP ", "PLAY ", "TEARDOWN ", "GET_PARAMETER ", "rtsp://127.0.0.1:8554/"])
write("fuzz-wire-response", wire + ["HTTP/1.1 100 Continue\r\n\r\n", "401 Unauthorized", "v=0\r\n", "m=video 0 RTP/AVP 96\r\n",
      "a=rtpmap:96 H264/90000\r\n"])
write("fuzz-sdp", ["v=0", "o=-", "s=", "c=IN IP4 0.0.0.0", "t=0 0", "m=video 0 RTP/AVP 96", "m=audio 0 RTP/AVP 97", "a=rtpmap:96 H264/90000",
      "a=rtpmap:96 H265/90000", "a=rtpmap:97 MPEG4-GENERIC/48000/2", "a=fmtp:96 packetization-mode=1;sprop-parameter-sets=", "a=control:",
      "a=range:npt=0-", "a=framerate:25", "a=x-dimensions:1920,1080", "\r\n", "\n"])
