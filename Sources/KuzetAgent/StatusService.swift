import Foundation
import Hummingbird
import KuzetConfiguration
import KuzetCore
import Logging
import Prometheus
import ServiceLifecycle

/// The local status service (`status.listen`): `GET /healthz`, `GET /api/v1/status`,
/// `GET /metrics`, `GET /` (the integrator's page) and `GET /snapshot/<camera>`.
public struct StatusService: Service {
    public let configuration: AgentConfiguration.Status
    let source: any StatusSource
    let metrics: PrometheusCollectorRegistry
    let snapshots: StatusSnapshots
    let logger: Logger
    let onListening: @Sendable (Int) async -> Void

    /// Refuses a configuration that would show the page to the whole network without a password.
    public init(
        configuration: AgentConfiguration.Status, source: any StatusSource, metrics: PrometheusCollectorRegistry,
        snapshots: StatusSnapshots = StatusSnapshots(), logger: Logger = Logger(label: "kuzet.status"),
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws(StatusServiceError) {
        if configuration.password == nil && !configuration.listen.isLoopback {
            throw StatusServiceError(
                "status.listen: \(configuration.listen) is reachable from the network but status.password is not set — set status.password or listen on 127.0.0.1"
            )
        }
        self.configuration = configuration
        self.source = source
        self.metrics = metrics
        self.snapshots = snapshots
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let application = Application(
            router: makeRouter(),
            configuration: .init(
                address: .hostname(configuration.listen.host, port: configuration.listen.port),
                serverName: "kuzet-agent"),
            onServerRunning: { [onListening] channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        do {
            // `run()`, not `runService()`: the agent's ServiceGroup owns the signals and the
            // shutdown order; Hummingbird's own group would stop on SIGTERM by itself.
            try await application.run()
        } catch is CancellationError {
            return
        } catch {
            // The page is not worth losing footage for: say what to fix, keep the agent recording.
            logger.error(
                "status.listen: cannot serve on \(configuration.listen) (\(error)) — choose a free port; the agent keeps recording without its status page"
            )
            try? await gracefulShutdown()
        }
    }

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        if let password = configuration.password {
            router.add(middleware: StatusPasswordMiddleware(password: password))
        }
        let source = source
        let metrics = metrics
        let snapshots = snapshots
        router.get("/healthz") { _, _ -> Response in
            let report = await source.statusReport()
            let body = report.isHealthy ? "ok\n" : "degraded\n"
            return Self.response(.ok, type: "text/plain; charset=utf-8", body: ByteBuffer(string: body))
        }
        router.get("/api/v1/status") { _, _ -> Response in
            let report = await source.statusReport()
            let data = try StatusReport.encoder.encode(report)
            return Self.response(.ok, type: "application/json", body: ByteBuffer(bytes: data))
        }
        router.get("/metrics") { _, _ -> Response in
            StatusMetrics.record(await source.statusReport(), into: metrics)
            return Self.response(
                .ok, type: "text/plain; version=0.0.4; charset=utf-8", body: ByteBuffer(bytes: metrics.emitToBuffer()))
        }
        let timeZone = configuration.timeZone
        router.get("/") { request, _ -> Response in
            if let chosen = request.uri.queryParameters.get("lang") {
                // A link from the language switch: remember it and show the page without it.
                var response = Response(status: .seeOther, headers: [.location: "/", .cacheControl: "no-store"])
                if let language = PageLanguage(tag: chosen) {
                    response.headers[.setCookie] = language.cookie(secure: false)
                }
                return response
            }
            var report = await source.statusReport()
            for index in report.cameras.indices {
                report.cameras[index].hasSnapshot = await snapshots.hasSnapshot(of: report.cameras[index].id)
            }
            let text = PageText(
                language: StatusText.language(of: request), catalogue: StatusText.catalogue, timeZone: timeZone)
            var response = Self.response(
                .ok, type: "text/html; charset=utf-8", body: ByteBuffer(string: StatusPage.html(report, text: text)))
            response.headers[.vary] = "Accept-Language, Cookie"
            return response
        }
        // Picture health (issue 23): the last sampled picture and the reference the `moved` check uses.
        router.get("/health/:camera/:picture") { _, context -> Response in
            guard let camera = context.parameters.get("camera"), CameraID.isValid(camera),
                let picture = context.parameters.get("picture"), picture == "latest.jpg" || picture == "reference.jpg"
            else {
                return Self.response(.notFound, type: "text/plain", body: ByteBuffer(string: "no such picture\n"))
            }
            guard let jpeg = source.healthPicture(camera: camera, reference: picture == "reference.jpg") else {
                return Self.response(
                    .notFound, type: "text/plain", body: ByteBuffer(string: "no \(picture) of \(camera) yet\n"))
            }
            return Self.response(.ok, type: "image/jpeg", body: ByteBuffer(bytes: jpeg))
        }
        router.get("/snapshot/:camera") { _, context -> Response in
            guard let camera = context.parameters.get("camera"), CameraID.isValid(camera) else {
                return Self.response(.notFound, type: "text/plain", body: ByteBuffer(string: "no such camera\n"))
            }
            guard let jpeg = await snapshots.jpeg(of: camera, from: source.snapshotFanout(camera: camera)) else {
                return Self.response(
                    .serviceUnavailable, type: "text/plain", body: ByteBuffer(string: "no picture from \(camera) yet\n")
                )
            }
            var response = Self.response(.ok, type: "image/jpeg", body: ByteBuffer(bytes: jpeg))
            response.headers[.cacheControl] = "max-age=5"
            return response
        }
        return router
    }

    static func response(_ status: HTTPResponse.Status, type: String, body: ByteBuffer) -> Response {
        Response(
            status: status, headers: [.contentType: type, .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: body))
    }
}

extension StatusService: CustomStringConvertible {
    /// What ServiceLifecycle prints when it reports on this service: the listen address only —
    /// the default description would dump the configuration, camera passwords included.
    public var description: String { "StatusService(status.listen: \(configuration.listen))" }
}

public struct StatusServiceError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
