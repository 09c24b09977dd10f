#!/usr/bin/env python3
"""A WS-Discovery responder built on the `wsdiscovery` package (pip install wsdiscovery) — a
library we did not write — announcing ONVIF NetworkVideoTransmitters.

  wsd_responder.py --device 'urn:uuid:…|Entrance Cam|DS-2CD2043G0-I|http://{ip}/onvif/device_service' …

Each --device is `endpoint|name|hardware|xaddr`; `{ip}` in the XAddr is filled by wsdiscovery with
each IPv4 address of the host (expanded here: wsdiscovery 2.x's own `{ip}` expansion crashes
when it appends the IPv6 list). Runs until SIGTERM. KuzetDiscoveryTests starts it inside a network
namespace the test created.
"""
import argparse
import signal
import socket
import sys
import threading
import urllib.parse

from wsdiscovery import QName, Scope
from wsdiscovery.publishing import ThreadedWSPublishing
from wsdiscovery.util import _getNetworkAddrs

NVT = QName("http://www.onvif.org/ver10/network/wsdl", "NetworkVideoTransmitter", "dn")


def main():
    # The test runner may start us with SIGTERM blocked (inherited signal mask); unblock it so
    # the test's stop() ends us at once instead of after its SIGKILL grace period.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", action="append", required=True)
    args = parser.parse_args()

    publishers = []
    for spec in args.device:
        endpoint, name, hardware, xaddr = spec.split("|")
        publisher = ThreadedWSPublishing(uuid_=endpoint)
        publisher.start()
        scopes = [
            Scope("onvif://www.onvif.org/type/video_encoder"),
            Scope("onvif://www.onvif.org/name/" + urllib.parse.quote(name)),
            Scope("onvif://www.onvif.org/hardware/" + urllib.parse.quote(hardware)),
            Scope("onvif://www.onvif.org/location/country/kazakhstan"),
        ]
        if "{ip}" in xaddr:
            xaddrs = [xaddr.format(ip=str(ip)) for ip in _getNetworkAddrs(socket.AF_INET)]
        else:
            xaddrs = [xaddr]
        publisher.publishService(types=[NVT], scopes=scopes, xAddrs=xaddrs)
        publishers.append(publisher)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print("ready", flush=True)
    while not stop.wait(0.2):
        pass
    for publisher in publishers:
        publisher.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
