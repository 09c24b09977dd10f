// swift-tools-version:5.4
// 5.4 on purpose: from 5.5 SwiftPM renames an executable's entry point (`<target>_main`, linked
// as `main`) so tests can import executables, and a libFuzzer target has no entry point of its own
// (`-parse-as-library`; libFuzzer's `main` drives it), so linking fails on the missing symbol.
import Foundation
import PackageDescription

// libFuzzer targets, one per parser that reads bytes from the network, a device or a config file.
// A package of its own (as swift-protobuf's and grpc-swift's FuzzTesting are) so the main build
// never compiles them; built and run by scripts/fuzz.sh (`make fuzz`), never by `swift build` at
// the root. Each target calls the parser's real entry (internal ones through `@testable import`,
// hence `-enable-testing` in scripts/fuzz.sh).

// A path dependency's identity is its folder's name (`kuzet`, `main`, a CI checkout's name …).
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent
    .lowercased()

func fuzzTarget(_ name: String, _ products: [String]) -> Target {
    .executableTarget(
        name: name, dependencies: products.map { .product(name: $0, package: root) }, path: "Targets/\(name)",
        swiftSettings: [.unsafeFlags(["-swift-version", "6", "-enable-upcoming-feature", "ExistentialAny"])]
    )
}

let package = Package(
    name: "kuzet-fuzz",
    dependencies: [.package(path: "..")],
    targets: [
        // POST /api/v1/heartbeats body → heartbeats or a 4xx (HeartbeatPayload.decode, HeartbeatReader).
        fuzzTarget("fuzz-heartbeat", ["KuzetRegistry"]),
        // The agent's YAML configuration → AgentConfiguration or its problems.
        fuzzTarget("fuzz-config-yaml", ["KuzetCore", "KuzetConfiguration"]),
        // An RTMP server's AMF0 command answer (connect/createStream/_error/onStatus).
        fuzzTarget("fuzz-amf0", ["KuzetWireClients"]),
        // An RTMP server's chunk stream (headers 0–3, extended timestamps, Set Chunk Size, Abort,
        // control messages) → whole messages or a refusal, read at once and in small reads.
        fuzzTarget("fuzz-rtmp-chunks", ["KuzetWireClients"]),
        // A device's SOAP answer: SafeXMLParser, SOAP faults, ONVIF profile models.
        fuzzTarget("fuzz-soap-xml", ["KuzetDiscovery"]),
        // A whole ONVIF conversation (ONVIFClient.inspect) against answers taken from the input:
        // clock, Digest challenges, services, profiles, stream URIs, address rewriting.
        fuzzTarget("fuzz-onvif-device", ["KuzetDiscovery"]),
        // A WS-Discovery datagram (ProbeMatches/Hello) → discovered devices.
        fuzzTarget("fuzz-ws-discovery", ["KuzetDiscovery"]),
        // KuzetWire: what an RTSP client sends the relay (requests, `$` frames, Digest/Basic).
        fuzzTarget("fuzz-wire-request", ["KuzetWire"]),
        // KuzetWire: what a camera or device answers (RTSP/HTTP responses, chunked, challenges, SDP).
        fuzzTarget("fuzz-wire-response", ["KuzetWire"]),
        // KuzetWire: a camera's SDP.
        fuzzTarget("fuzz-sdp", ["KuzetWire"]),
        // Issue 21: a segment record and a challenge answer as the registry checks them.
        fuzzTarget("fuzz-commitment", ["KuzetCommitment"]),
    ]
)
