import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import KuzetCore
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import UnixSignals

/// TLS for `serve`: a certificate and key, optionally a CA whose client certificates are required (mTLS).
public struct RegistryTLS: Sendable {
    public var certificatePath: String
    public var keyPath: String
    public var clientCAPath: String?
    public init(certificatePath: String, keyPath: String, clientCAPath: String? = nil) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.clientCAPath = clientCAPath
    }

    func configuration() throws(CommandFailure) -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw .usage(
                "--tls-cert \(certificatePath): cannot read a PEM certificate (\(error)) — give the server's certificate chain in PEM"
            )
        }
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw .usage(
                "--tls-key \(keyPath): cannot read a PEM private key (\(error)) — give the key of --tls-cert in PEM")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        if let clientCAPath {
            do {
                let roots = try NIOSSLCertificate.fromPEMFile(clientCAPath)
                configuration.trustRoots = .certificates(roots)
            } catch {
                throw .usage(
                    "--tls-client-ca \(clientCAPath): cannot read PEM certificates (\(error)) — give the CA that signs the agents' client certificates"
                )
            }
            configuration.certificateVerification = .noHostnameVerification
        }
        return configuration
    }
}

/// `kuzet-registry serve`: the HTTP(S) server over a store.
public struct RegistryServer: Sendable {
    public var registry: Registry
    public var host: String
    public var port: Int
    public var tls: RegistryTLS?
    /// Which requests get a log line (label `kuzet.registry.access`).
    public var accessLog: AccessLog
    /// Reverse proxies whose `X-Forwarded-For` names the client in the access log (IP addresses).
    public var trustedProxies: [String]
    public var logger: Logger
    /// Answer well-formed heartbeats from known tokens on the event loop (`HeartbeatFastPath`).
    /// Off, every request goes through the router; kept for comparison (the bench) and tests.
    public var fastIngest = true
    /// Timeouts and the cap on open connections.
    public var connectionLimits = ConnectionLimits()

    public init(
        registry: Registry, host: String, port: Int, tls: RegistryTLS? = nil, accessLog: AccessLog = .errors,
        trustedProxies: [String] = [],
        logger: Logger = Logger(label: "kuzet.registry")
    ) {
        self.trustedProxies = trustedProxies
        self.registry = registry
        self.host = host
        self.port = port
        self.tls = tls
        self.accessLog = accessLog
        self.logger = logger
    }

    /// The routes, for in-process tests and the server.
    public func router() -> Router<RegistryRequestContext> {
        let router = Router(context: RegistryRequestContext.self)
        router.add(middleware: SecurityHeadersMiddleware(secure: tls != nil))
        // Inside the security headers (which turn thrown errors into responses): it sees the error itself.
        router.add(
            middleware: AccessLogMiddleware(
                level: accessLog, logger: Self.accessLogger(logger),
                forwarded: ForwardedClient(trustedProxies: trustedProxies)))
        router.add(middleware: DatabaseErrorMiddleware(metrics: registry.metrics))
        router.add(middleware: AuthenticationMiddleware(registry: registry))
        HealthRoute(registry: registry).add(to: router)
        MetricsRoute(registry: registry).add(to: router)
        HeartbeatRoutes(registry: registry).add(to: router)
        SchoolRoutes(registry: registry).add(to: router)
        ReportRoutes(registry: registry).add(to: router)
        FleetRoutes(registry: registry).add(to: router)
        // Issue 22: police commands, the agents' long-poll and uploads.
        CommandRoutes(registry: registry).add(to: router)
        AgentCommandRoutes(registry: registry).add(to: router)
        UploadRoutes(registry: registry).add(to: router)
        DashboardRoutes(registry: registry, secureCookie: tls != nil).add(to: router)
        ChallengeRoutes(registry: registry).add(to: router) // issue 21
        return router
    }

    static let serverName = "kuzet-registry"

    /// Whether `text` is an IPv4 or IPv6 address (what `--trusted-proxy` takes).
    public static func isIPAddress(_ text: String) -> Bool { IPAddressText.normalised(text) != nil }

    /// The access log: the server's label with `.access`, at the server's level.
    static func accessLogger(_ logger: Logger) -> Logger {
        var access = Logger(label: logger.label + ".access")
        access.logLevel = logger.logLevel
        return access
    }

    /// The application; `onRunning` gets the bound address (`--listen …:0` picks a free port).
    public func application(
        services: [any Service] = [], onRunning: @escaping @Sendable (String) async -> Void = { _ in }
    ) throws(CommandFailure) -> Application<RouterResponder<RegistryRequestContext>> {
        let scheme = tls == nil ? "http" : "https"
        let server: HTTPServerBuilder
        // With `--access-log all` each heartbeat needs its log line: the router writes it.
        let fastPath =
            fastIngest && accessLog != .all
            ? HeartbeatFastPath.Settings(registry: registry, secure: tls != nil, serverName: Self.serverName) : nil
        let http1 = HTTPServerBuilder.registryHTTP1(
            fastPath: fastPath, limits: connectionLimits, connections: registry.connections)
        if let tls {
            let configuration = try tls.configuration()
            do {
                server = try .tls(http1, tlsConfiguration: configuration)
            } catch {
                throw .usage(
                    "--tls-cert/--tls-key: cannot set up TLS (\(error)) — check the certificate matches the key")
            }
        } else {
            server = http1
        }
        return Application(
            router: router(), server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: Self.serverName),
            services: services,
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                await onRunning("\(scheme)://\(host):\(port)")
            },
            logger: logger)
    }
}

extension RegistryServer {
    /// Runs until SIGTERM/SIGINT: migrates the schema, binds, reports the address, serves.
    /// - Parameter services: run alongside: the store's own (PostgreSQL's connection pool) first, then
    ///   e.g. the history pruner.
    public func run(
        services: [any Service], location: DatabaseLocation, onRunning: @escaping @Sendable (String) async -> Void
    ) async throws {
        var application = try application(services: services, onRunning: onRunning)
        let store = registry.store
        application.beforeServerStarts {
            do {
                // SIGTERM while the database is still unreachable stops the wait (systemd's stop, not its kill).
                // A database that waiting cannot fix (an untrusted certificate, a wrong password) stops
                // the start at once, saying why; one that does not answer is waited for.
                try await cancelWhenGracefulShutdown {
                    try await store.checkReachable(patience: nil, logger: logger)
                    try await store.migrate()
                }
            } catch  where Task.isShuttingDownGracefully {
                throw CommandFailure.runtime(
                    "--database \(location): stopped (SIGTERM/SIGINT) while waiting for the database")
            } catch let failure as CommandFailure {
                throw failure
            } catch {
                throw CommandFailure.runtime(
                    "--database \(location): cannot reach or migrate the database (\(String(describing: error).prefix(300))) — check the server is running and the URL"
                )
            }
        }
        try await application.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}
