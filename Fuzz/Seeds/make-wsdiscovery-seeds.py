#!/usr/bin/env python3
"""WS-Discovery datagrams for Fuzz/Corpus/fuzz-ws-discovery, serialised by the `wsdiscovery`
package (the library scripts/testing/wsd_responder.py announces test cameras with): ProbeMatches
and Hello for ONVIF NetworkVideoTransmitters, as they go on the wire.
  Fuzz/Seeds/make-wsdiscovery-seeds.py OUT_DIR"""
import os, sys
from wsdiscovery import QName, Scope
from wsdiscovery.actions.hello import constructHello
from wsdiscovery.actions.probematch import constructProbeMatch
from wsdiscovery.message import createSOAPMessage
from wsdiscovery.service import Service

out_dir = sys.argv[1]
NVT = QName("http://www.onvif.org/ver10/network/wsdl", "NetworkVideoTransmitter", "dn")
def camera(epr, name, hardware, xaddrs):
    scopes = [Scope("onvif://www.onvif.org/type/video_encoder"), Scope(f"onvif://www.onvif.org/name/{name}"),
              Scope(f"onvif://www.onvif.org/hardware/{hardware}"), Scope("onvif://www.onvif.org/location/country/kazakhstan")]
    return Service([NVT], scopes, xaddrs, epr, 1)

entrance = camera("urn:uuid:2f1e7c38-1d1a-4c4e-9a51-000000000001", "Entrance", "DS-2CD2043G0-I", ["http://127.0.0.1/onvif/device_service"])
gym = camera("urn:uuid:2f1e7c38-1d1a-4c4e-9a51-000000000002", "Gym%20Cam", "P3265-LVE",
             ["http://127.0.0.1:8080/onvif/device_service", "http://[::1]:8080/onvif/device_service"])
nvr = camera("urn:uuid:2f1e7c38-1d1a-4c4e-9a51-000000000003", "NVR", "DHI-NVR4104HS-4KS2", ["http://0.0.0.0/onvif/device_service"])
messages = {
    "probematch-one.xml": constructProbeMatch([entrance], "uuid:1a2b3c4d-0000-4000-8000-000000000001"),
    "probematch-three.xml": constructProbeMatch([entrance, gym, nvr], "uuid:1a2b3c4d-0000-4000-8000-000000000002"),
    "hello-gym.xml": constructHello(gym),
}
os.makedirs(out_dir, exist_ok=True)
for name, env in messages.items():
    data = createSOAPMessage(env)
    open(os.path.join(out_dir, name), "wb").write(data if isinstance(data, bytes) else data.encode())
print(f"{len(messages)} WS-Discovery datagrams in {out_dir}")
