#!/usr/bin/env python3
"""A small real HTTP server replaying recorded ONVIF device answers, for KuzetDiscoveryTests.

  onvif_replay_server.py --port P --fixtures DIR [--user U --password PW]
                         [--auth ws-digest|ws-text|http-digest|http-basic|none] [--clock-offset-hours H]
                         [--stream-host H] [--extra-profiles N]

Answers are picked by the SOAP operation in the request body: DIR/<Operation>.xml, Media2 ones as
DIR/Media2.<Operation>.xml, GetStreamUri per profile as DIR/[Media2.]GetStreamUri.<token>.xml.
GetSystemDateAndTime is rendered from DIR/GetSystemDateAndTime.xml with this server's clock, which
runs --clock-offset-hours away from the real one (a device whose clock is wrong).

Authentication is checked the way devices do, and each verdict is printed (`AUTH ok …` /
`AUTH refused …`) so tests can see the server verified it:
  ws-digest   WS-Security UsernameToken PasswordDigest = Base64(SHA1(nonce + created + password)),
              Created within 5 minutes of *this server's* clock; anything else → NotAuthorized fault
  ws-text     PasswordText only
  http-digest RFC 7616 Digest (MD5, qop=auth), WS-Security ignored
  http-basic  HTTP Basic only (the password in clear), WS-Security ignored
What every request carried is printed too, before any verdict (`SEEN <operation>
authorization=<scheme|none> wsse=<PasswordText|PasswordDigest|none>`), so tests can check that no
password went in plain text. --stream-host H puts H into every GetStreamUri answer (a device
pointing at another host). --extra-profiles N adds N copies of the first recorded profile to
GetProfiles (tokens Extra_1…), each answering GetStreamUri like the first (a hostile device).
Hostile answers on fixed paths: /hostile/xxe, /hostile/huge (50 MB), /hostile/endless
(trickles bytes forever), /hostile/malformed.
"""
import argparse
import base64
import datetime
import hashlib
import os
import re
import secrets
import signal
import sys
import time
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NS_WSSE = "{http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd}"
NS_WSU = "{http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd}"
MEDIA2 = "http://www.onvif.org/ver20/media/wsdl"

FAULT = """<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:ter="http://www.onvif.org/ver10/error">
<env:Body><env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>{code}</env:Value></env:Subcode></env:Code>
<env:Reason><env:Text xml:lang="en">{reason}</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>"""

XXE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>
<tds:GetDeviceInformationResponse xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><tds:Manufacturer>&xxe;</tds:Manufacturer>
</tds:GetDeviceInformationResponse></env:Body></env:Envelope>"""


def log(line):
    print(line, flush=True)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    nonces = set()

    def log_message(self, *args):
        pass

    def send_xml(self, status, text, extra=None):
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/soap+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        for name, value in (extra or []):
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        try:
            if self.path.startswith("/hostile/"):
                return self.hostile(self.path[len("/hostile/"):])
            return self.onvif(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def hostile(self, kind):
        cfg = self.server.cfg
        if kind == "xxe":
            return self.send_xml(200, XXE)
        if kind == "malformed":
            return self.send_xml(200, "<env:Envelope xmlns:env='http://www.w3.org/2003/05/soap-envelope'><env:Body><unclosed></env:Body>")
        if kind == "huge":
            size = 50 * 1024 * 1024
            self.send_response(200)
            self.send_header("Content-Type", "application/soap+xml")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            chunk = b"<a>" + b"x" * (1024 * 1024 - 7) + b"</a>\n"
            for _ in range(50):
                self.wfile.write(chunk)
            return
        if kind == "endless":
            self.send_response(200)
            self.send_header("Content-Type", "application/soap+xml")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"2a\r\n<env:Envelope xmlns:env='urn:x'><env:Body>\r\n")
            self.wfile.flush()
            while True:  # never the last chunk
                self.wfile.write(b"5\r\n<a/>\n\r\n")
                self.wfile.flush()
                time.sleep(0.05)
        self.send_xml(404, FAULT.format(code="ter:ActionNotSupported", reason="no such hostile case"))

    def onvif(self, body):
        cfg = self.server.cfg
        try:
            root = ET.fromstring(body)
        except ET.ParseError:
            return self.send_xml(400, FAULT.format(code="ter:WellFormed", reason="request is not XML"))
        soap_body = next((child for child in root if child.tag.endswith("}Body")), None)
        if soap_body is None or len(soap_body) == 0:
            return self.send_xml(400, FAULT.format(code="ter:WellFormed", reason="no Body"))
        operation_element = soap_body[0]
        namespace, operation = operation_element.tag[1:].split("}")
        prefix = "Media2." if namespace == MEDIA2 else ""
        log(f"REQUEST {prefix}{operation}")
        scheme = (self.headers.get("Authorization", "").split(" ", 1)[0] or "none")
        password = root.find(f".//{NS_WSSE}UsernameToken/{NS_WSSE}Password")
        wsse = "none" if password is None else ((password.get("Type") or "").split("#")[-1] or "untyped")
        log(f"SEEN {prefix}{operation} authorization={scheme} wsse={wsse}")

        if operation == "GetSystemDateAndTime":
            now = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=cfg.clock_offset_hours)
            text = open(os.path.join(cfg.fixtures, "GetSystemDateAndTime.xml"), encoding="utf-8").read()
            for key, value in {"YEAR": now.year, "MONTH": now.month, "DAY": now.day, "HOUR": now.hour, "MINUTE": now.minute, "SECOND": now.second}.items():
                text = text.replace("{{" + key + "}}", str(value))
            return self.send_xml(200, text)

        verdict = self.authenticate(root)
        if verdict is not True:
            log(f"AUTH refused {operation}: {verdict}")
            if cfg.auth == "http-basic":
                return self.send_xml(401, FAULT.format(code="ter:NotAuthorized", reason="Sender not Authorized"),
                                     [("WWW-Authenticate", f'Basic realm="{cfg.realm}"')])
            if cfg.auth == "http-digest":
                nonce = secrets.token_hex(16)
                Handler.nonces.add(nonce)
                return self.send_xml(401, FAULT.format(code="ter:NotAuthorized", reason="Sender not Authorized"),
                                     [("WWW-Authenticate", f'Digest realm="{cfg.realm}", qop="auth", nonce="{nonce}", algorithm=MD5')])
            return self.send_xml(400, FAULT.format(code="ter:NotAuthorized", reason="Sender not Authorized"))
        log(f"AUTH ok {operation} ({cfg.auth})")

        name = prefix + operation
        if operation == "GetStreamUri":
            token = next((el.text for el in operation_element.iter() if el.tag.endswith("}ProfileToken")), "")
            name = f"{prefix}GetStreamUri.{token}"
        path = os.path.join(cfg.fixtures, name + ".xml")
        if not os.path.exists(path) and operation == "GetStreamUri" and token.startswith("Extra_"):
            first = sorted(f for f in os.listdir(cfg.fixtures) if f.startswith(f"{prefix}GetStreamUri."))[0]
            path = os.path.join(cfg.fixtures, first)
        if not os.path.exists(path):
            return self.send_xml(400, FAULT.format(code="ter:ActionNotSupported", reason=f"{name} is not recorded for this device"))
        text = open(path, encoding="utf-8").read()
        status = 400 if "<env:Fault>" in text or ":Fault>" in text else 200
        if operation == "GetProfiles" and cfg.extra_profiles:
            match = re.search(r"<(\w+:)?Profiles\b.*?</(\w+:)?Profiles>", text, re.S)
            extra = "".join(re.sub(r'token="[^"]*"', f'token="Extra_{n}"', match.group(0), count=1) for n in range(1, cfg.extra_profiles + 1))
            text = text[:match.end()] + extra + text[match.end():]
        if operation == "GetStreamUri" and cfg.stream_host:
            text = re.sub(r"rtsp://([^/@<]*@)?[^/:<]+", lambda m: "rtsp://" + (m.group(1) or "") + cfg.stream_host, text)
        self.send_xml(status, text)

    def authenticate(self, root):
        cfg = self.server.cfg
        if cfg.auth == "none":
            return True
        if cfg.auth == "http-basic":
            header = self.headers.get("Authorization", "")
            expected = "Basic " + base64.b64encode(f"{cfg.user}:{cfg.password}".encode()).decode()
            return True if header == expected else "no or wrong HTTP Basic Authorization header"
        if cfg.auth == "http-digest":
            header = self.headers.get("Authorization", "")
            if not header.startswith("Digest "):
                return "no HTTP Digest Authorization header"
            fields = dict((k, v.strip('"')) for k, v in re.findall(r'(\w+)=("[^"]*"|[^,]+)', header))
            if fields.get("nonce") not in Handler.nonces or fields.get("username") != cfg.user:
                return "unknown nonce or user"
            ha1 = hashlib.md5(f"{cfg.user}:{cfg.realm}:{cfg.password}".encode()).hexdigest()
            ha2 = hashlib.md5(f"POST:{fields.get('uri')}".encode()).hexdigest()
            expected = hashlib.md5(f"{ha1}:{fields['nonce']}:{fields.get('nc')}:{fields.get('cnonce')}:{fields.get('qop')}:{ha2}".encode()).hexdigest()
            return True if expected == fields.get("response") else "HTTP Digest response does not match"
        token = root.find(f".//{NS_WSSE}UsernameToken")
        if token is None:
            return "no WS-Security UsernameToken"
        user = token.findtext(f"{NS_WSSE}Username")
        password = token.find(f"{NS_WSSE}Password")
        if user != cfg.user or password is None:
            return "unknown user"
        kind = (password.get("Type") or "").split("#")[-1]
        if cfg.auth == "ws-text":
            return True if kind == "PasswordText" and password.text == cfg.password else "PasswordText required and must match"
        if kind != "PasswordDigest":
            return f"{kind} refused, PasswordDigest required"
        nonce = base64.b64decode(token.findtext(f"{NS_WSSE}Nonce") or "")
        created = token.findtext(f"{NS_WSU}Created") or ""
        expected = base64.b64encode(hashlib.sha1(nonce + created.encode() + cfg.password.encode()).digest()).decode()
        if expected != password.text:
            return "PasswordDigest does not match"
        created_at = datetime.datetime.fromisoformat(created.replace("Z", "+00:00"))
        device_now = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=cfg.clock_offset_hours)
        skew = (created_at - device_now).total_seconds()
        real_skew = (created_at - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
        if abs(skew) > 300:
            return f"Created is {skew:.0f} s away from the device clock"
        log(f"DIGEST verified: Created {created} is {skew:.0f} s from the device clock, {real_skew:.0f} s from the real clock")
        return True


def main():
    # The test runner may start us with SIGTERM blocked (inherited signal mask); unblock it so
    # the test's stop() ends us at once instead of after its SIGKILL grace period.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--fixtures", required=True)
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default="secret")
    parser.add_argument("--auth", default="ws-digest", choices=["ws-digest", "ws-text", "http-digest", "http-basic", "none"])
    parser.add_argument("--clock-offset-hours", type=float, default=0)
    parser.add_argument("--stream-host", default="")
    parser.add_argument("--extra-profiles", type=int, default=0)
    cfg = parser.parse_args()
    cfg.realm = "kuzet-replay"
    server = ThreadingHTTPServer((cfg.address, cfg.port), Handler)
    server.daemon_threads = True
    server.cfg = cfg
    log(f"ready http://{cfg.address}:{cfg.port}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
