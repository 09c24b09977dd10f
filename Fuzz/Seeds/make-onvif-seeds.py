#!/usr/bin/env python3
"""Seeds for fuzz-soap-xml and fuzz-onvif-device from the recorded device answers in
Tests/KuzetDiscoveryTests/Fixtures (see its README for where they come from) and the hostile
answers of scripts/testing/onvif_replay_server.py.
fuzz-soap-xml gets every answer body; fuzz-onvif-device gets whole conversations in the order
ONVIFClient.inspect() asks (answers separated by `\\n--next--\\n`, each `status`, headers, an empty
line, the body — the format of Fuzz/Targets/fuzz-onvif-device/AnsweringTransport.swift), with and
without HTTP Digest.     Fuzz/Seeds/make-onvif-seeds.py"""
import os, re, sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.normpath(os.path.join(here, "../.."))
fixtures = os.path.join(root, "Tests/KuzetDiscoveryTests/Fixtures")
sys.path.insert(0, os.path.join(root, "scripts/testing"))
from onvif_replay_server import FAULT, XXE  # the replay server's own hostile answers

clock = {"YEAR": "2026", "MONTH": "12", "DAY": "5", "HOUR": "4", "MINUTE": "41", "SECOND": "7"}
def answer(device, operation):
    text = open(os.path.join(fixtures, device, operation + ".xml"), encoding="utf-8").read()
    return re.sub(r"\{\{(\w+)\}\}", lambda m: clock[m.group(1)], text)

def write(target, name, data):
    folder = os.path.join(root, "Fuzz/Corpus", target)
    os.makedirs(folder, exist_ok=True)
    open(os.path.join(folder, name), "wb").write(data.encode("utf-8"))

not_authorized = FAULT.format(code="ter:NotAuthorized", reason="Sender not Authorized")
not_supported = FAULT.format(code="ter:ActionNotSupported", reason="Optional Action Not Implemented")
malformed = "<env:Envelope xmlns:env='http://www.w3.org/2003/05/soap-envelope'><env:Body><unclosed></env:Body>"
challenge = 'WWW-Authenticate: Digest realm="IP Camera(12345)", qop="auth", nonce="4e6f6e6365", algorithm=MD5, opaque="6f70"'

def reply(body, status=200, headers=()):
    return "\n".join([str(status), "Content-Type: application/soap+xml; charset=utf-8", *headers, "", body])

for device in sorted(os.listdir(fixtures)):
    if not os.path.isdir(os.path.join(fixtures, device)): continue
    operations = sorted(f[:-4] for f in os.listdir(os.path.join(fixtures, device)) if f.endswith(".xml"))
    for operation in operations:
        write("fuzz-soap-xml", f"{device}.{operation}.xml", answer(device, operation))
    media2 = "Media2.GetProfiles" in operations
    profiles = answer(device, "Media2.GetProfiles" if media2 else "GetProfiles")
    tokens = re.findall(r'Profiles[^>]*token="([^"]+)"', profiles)
    uris = [f"{'Media2.' if media2 else ''}GetStreamUri.{t}" for t in tokens if f"{'Media2.' if media2 else ''}GetStreamUri.{t}" in operations]
    services = ["GetServices"] + (["GetCapabilities"] if "GetCapabilities" in operations else [])
    order = ["GetSystemDateAndTime", "GetDeviceInformation", *services, "Media2.GetProfiles" if media2 else "GetProfiles", *uris]
    plain = [reply(answer(device, op)) for op in order]
    write("fuzz-onvif-device", f"{device}.txt", "\n--next--\n".join(plain))
    # HTTP Digest: both WS-Security methods refused, then every authenticated call challenged once.
    digest = [plain[0], reply(not_authorized, 400), reply(not_authorized, 400)]
    for op in order[1:]:
        digest += [reply(not_authorized, 401, [challenge]), reply(answer(device, op))]
    write("fuzz-onvif-device", f"{device}.http-digest.txt", "\n--next--\n".join(digest))

write("fuzz-soap-xml", "fault-not-authorized.xml", not_authorized)
write("fuzz-soap-xml", "fault-not-supported.xml", not_supported)
write("fuzz-soap-xml", "hostile-xxe.xml", XXE)
write("fuzz-soap-xml", "hostile-malformed.xml", malformed)
write("fuzz-onvif-device", "hostile-xxe.txt", "\n--next--\n".join([reply(answer("hikvision-ds-2cd2043g0-i", "GetSystemDateAndTime")), reply(XXE)]))
write("fuzz-onvif-device", "refused.txt", "\n--next--\n".join([reply(not_authorized, 401)] * 4))
print("seeds written")
