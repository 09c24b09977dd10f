// swift-tools-version:6.1
import PackageDescription

// One shared set of Swift settings for every target (as Hummingbird does).
let swiftSettings: [SwiftSetting] = [
    // https://github.com/apple/swift-evolution/blob/main/proposals/0335-existential-any.md
    .enableUpcomingFeature("ExistentialAny"),
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0444-member-import-visibility.md
    .enableUpcomingFeature("MemberImportVisibility"),
]

let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let metrics: Target.Dependency = .product(name: "Metrics", package: "swift-metrics")
let lifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let nioCore: Target.Dependency = .product(name: "NIOCore", package: "swift-nio")
let nioPosix: Target.Dependency = .product(name: "NIOPosix", package: "swift-nio")
let hummingbird: Target.Dependency = .product(name: "Hummingbird", package: "hummingbird")
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let unixSignals: Target.Dependency = .product(name: "UnixSignals", package: "swift-service-lifecycle")
let httpTypes: Target.Dependency = .product(name: "HTTPTypes", package: "swift-http-types")

let package = Package(
    name: "kuzet",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "kuzet-agent", targets: ["kuzet-agent"]),
        .executable(name: "kuzet-registry", targets: ["kuzet-registry"]),
        // The parsers' modules, for the libFuzzer targets in Fuzz/Package.swift (a package of its
        // own, so the main build never compiles them). Adds nothing to `swift build` here.
        .library(name: "KuzetCore", targets: ["KuzetCore"]),
        .library(name: "KuzetConfiguration", targets: ["KuzetConfiguration"]),
        .library(name: "KuzetMedia", targets: ["KuzetMedia"]),
        .library(name: "KuzetDiscovery", targets: ["KuzetDiscovery"]),
        .library(name: "KuzetRegistry", targets: ["KuzetRegistry"]),
        .library(name: "KuzetWire", targets: ["KuzetWire"]),
        .library(name: "KuzetWireClients", targets: ["KuzetWireClients"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.24.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.1.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.25.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.0"),
        // Already in the graph through hummingbird and postgres-nio; named because the registry
        // imports them itself.
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.27.0"),
    ],
    targets: [
        // MARK: C at the edge
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev", "libswscale-dev"])]
        ),
        .target(
            name: "CFFmpegShims", dependencies: ["CFFmpeg"],
            linkerSettings: [
                .linkedLibrary("avformat"), .linkedLibrary("avcodec"), .linkedLibrary("avutil"),
                .linkedLibrary("swscale"),
            ]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(name: "CCurlShims", dependencies: ["CCurl"], linkerSettings: [.linkedLibrary("curl")]),

        // MARK: Domain and wire types (no C, no I/O beyond reading a config file)
        // Small shared vocabulary and pure policies; the registry links it, so no Yams here.
        .target(name: "KuzetCore", swiftSettings: swiftSettings),
        // The agent's YAML configuration (every problem reported at once); the registry does not link it.
        .target(name: "KuzetConfiguration", dependencies: ["KuzetCore", "Yams"], swiftSettings: swiftSettings),
        .target(name: "KuzetProtocol", swiftSettings: swiftSettings),
        // RTSP/HTTP framing, SDP, Digest/Basic: every byte from a camera, device or client, bounded.
        .target(
            name: "KuzetWire", dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            exclude: ["README.md"], swiftSettings: swiftSettings),
        // Our RTSP session (cameras) and RTMP publisher (the centre) over blocking sockets, on KuzetWire.
        .target(
            name: "KuzetWireClients", dependencies: ["KuzetCore", "KuzetWire"], exclude: ["README.md"],
            swiftSettings: swiftSettings),

        // MARK: The only modules that import C
        .target(
            name: "KuzetMedia", dependencies: ["CFFmpeg", "CFFmpegShims", "KuzetCore", "KuzetWireClients", logging],
            swiftSettings: swiftSettings),
        .target(name: "KuzetCurl", dependencies: ["CCurl", "CCurlShims", logging], swiftSettings: swiftSettings),

        // MARK: The agent's features
        // The segment store: names, parses, lists and announces segment files (no C, no config).
        .target(name: "KuzetSegmentStore", dependencies: ["KuzetCore"], swiftSettings: swiftSettings),
        .target(
            name: "KuzetRecorder",
            dependencies: ["KuzetCore", "KuzetConfiguration", "KuzetSegmentStore", "KuzetMedia", logging],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KuzetRetention",
            dependencies: [
                "KuzetCore", "KuzetConfiguration", "KuzetSegmentStore", "KuzetProtocol", "KuzetMedia", logging, metrics,
                lifecycle,
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KuzetDiscovery",
            dependencies: [
                "KuzetCore", "KuzetConfiguration", "KuzetWire", "KuzetCurl", logging, nioCore, nioPosix,
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KuzetUplink",
            dependencies: [
                "KuzetCore", "KuzetConfiguration", "KuzetProtocol", "KuzetCurl", logging, metrics, lifecycle,
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KuzetRelay",
            dependencies: [
                "KuzetCore", "KuzetConfiguration", "KuzetWire", "KuzetMedia", logging, metrics, lifecycle, nioCore,
                nioPosix,
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KuzetAgent",
            dependencies: [
                "KuzetCore", "KuzetConfiguration", "KuzetSegmentStore", "KuzetProtocol", "KuzetMedia", "KuzetRecorder",
                "KuzetRetention", "KuzetUplink", "KuzetRelay", "KuzetCurl", logging, metrics, lifecycle, unixSignals,
                hummingbird,
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                httpTypes,
            ],
            // The status page's wording, compiled into the binary.
            resources: [
                .embedInCode("Localization/ru.txt"), .embedInCode("Localization/kk.txt"),
                .embedInCode("Localization/en.txt"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: The central registry
        .target(
            name: "KuzetRegistry",
            dependencies: [
                "KuzetCore", "KuzetProtocol", logging, lifecycle, unixSignals, hummingbird, httpTypes, nioCore,
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            // The dashboard's wording, compiled into the binary (`PackageResources.ru_txt` …):
            // nothing to install beside it.
            resources: [
                .embedInCode("Localization/ru.txt"), .embedInCode("Localization/kk.txt"),
                .embedInCode("Localization/en.txt"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Executables (thin: parse CLI, bootstrap logging, run)
        .target(
            name: "KuzetCommandLine", dependencies: ["KuzetCore", argumentParser],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "kuzet-agent",
            dependencies: [
                "KuzetAgent", "KuzetCore", "KuzetConfiguration", "KuzetDiscovery", "KuzetMedia", "KuzetRetention",
                "KuzetCommandLine",
                argumentParser, logging,
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "kuzet-registry",
            dependencies: [
                "KuzetRegistry", "KuzetCore", "KuzetCommandLine", argumentParser, logging, lifecycle, nioCore, nioPosix,
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Benchmarks (not tests; run by bench/*.sh)
        .executableTarget(
            name: "kuzet-retention-bench", dependencies: ["KuzetRetention", "KuzetSegmentStore", "KuzetCore"],
            path: "bench/retention-bench",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "kuzet-uplink-bench",
            dependencies: ["KuzetUplink", "KuzetProtocol"],
            path: "bench/uplink-bench",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "kuzet-registry-bench",
            dependencies: [
                "KuzetRegistry", "KuzetProtocol", "KuzetCore", logging, hummingbird, httpTypes, lifecycle, nioCore,
                nioPosix,
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "bench/registry-bench",
            swiftSettings: swiftSettings
        ),

        // MARK: Test support
        // The uplink alone as a real process, so tests can kill -9 it with heartbeats queued.
        .executableTarget(
            name: "kuzet-uplink-harness",
            dependencies: [
                "KuzetUplink", "KuzetCore", "KuzetConfiguration", "KuzetProtocol", logging, lifecycle, unixSignals,
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KuzetTestKit", dependencies: ["KuzetCore", "KuzetSegmentStore", "KuzetWire", "KuzetMedia", logging],
            swiftSettings: swiftSettings),

        // MARK: Tests, one target per module
        .testTarget(name: "KuzetWireTests", dependencies: ["KuzetWire"], swiftSettings: swiftSettings),
        .testTarget(name: "KuzetCoreTests", dependencies: ["KuzetCore", "KuzetTestKit"], swiftSettings: swiftSettings),
        .testTarget(
            name: "KuzetWireClientsTests", dependencies: ["KuzetWireClients", "KuzetTestKit"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "KuzetSegmentStoreTests", dependencies: ["KuzetSegmentStore", "KuzetTestKit"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "KuzetConfigurationTests", dependencies: ["KuzetConfiguration", "KuzetCore", "KuzetTestKit"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "KuzetMediaTests", dependencies: ["KuzetMedia", "KuzetWireClients", "KuzetTestKit"],
            swiftSettings: swiftSettings),
        .testTarget(name: "KuzetCurlTests", dependencies: ["KuzetCurl", "KuzetTestKit"], swiftSettings: swiftSettings),
        .testTarget(
            name: "KuzetRecorderTests",
            dependencies: [
                "KuzetRecorder", "KuzetCore", "KuzetConfiguration", "KuzetMedia", "KuzetSegmentStore", "KuzetTestKit",
            ], swiftSettings: swiftSettings),
        .testTarget(
            name: "KuzetRetentionTests",
            dependencies: [
                "KuzetRetention", "KuzetCore", "KuzetConfiguration", "KuzetProtocol", "KuzetSegmentStore",
                "KuzetTestKit", logging, lifecycle,
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KuzetDiscoveryTests",
            dependencies: ["KuzetDiscovery", "KuzetCore", "KuzetConfiguration", "KuzetWire", "KuzetTestKit"],
            exclude: ["Fixtures"], swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KuzetUplinkTests",
            dependencies: [
                "KuzetUplink", "KuzetCore", "KuzetConfiguration", "KuzetProtocol", "KuzetCurl", "KuzetTestKit", logging,
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KuzetRelayTests",
            dependencies: ["KuzetRelay", "KuzetCore", "KuzetMedia", "KuzetWire", "KuzetTestKit", logging, nioCore],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KuzetAgentTests",
            dependencies: [
                "KuzetAgent", "KuzetCore", "KuzetConfiguration", "KuzetMedia", "KuzetRecorder", "KuzetRetention",
                "KuzetSegmentStore", "KuzetTestKit", "KuzetProtocol",
                logging, .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // The tests that run the built executables as real processes (`swift build --build-tests` first).
        .testTarget(
            name: "KuzetProcessTests", dependencies: ["KuzetCore", "KuzetSegmentStore", "KuzetWire", "KuzetTestKit"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "KuzetRegistryTests",
            dependencies: [
                "KuzetRegistry", "KuzetCore", "KuzetProtocol", "KuzetTestKit", logging, hummingbird, httpTypes, nioCore,
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
