internal import CCurl
internal import CCurlShims
import Foundation

/// The one owner of a libcurl easy handle: made in `init(owningNew:)`, freed in `deinit`.
///
/// Deliberately not `Sendable`: a curl easy handle must not be used from two threads at once, so
/// a handle lives and dies on the transfer thread that created it (see ``HTTPClient/perform(_:)``).
final class EasyHandle {
    private let handle: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// CURLOPT_ERRORBUFFER: libcurl writes its explanation of a failure here.
    let errorBuffer: UnsafeMutablePointer<CChar>
    let state: TransferState

    /// Makes a new easy handle that this value owns, with callbacks wired to `state`.
    init(owningNewHandleFor state: TransferState) throws(HTTPTransportError) {
        guard CurlGlobal.ensureInitialised(), let handle = curl_easy_init() else {
            throw HTTPTransportError(
                kind: .other, request: "libcurl", detail: "curl_easy_init failed (out of memory or no TLS library)")
        }
        self.handle = handle
        self.state = state
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        wireCallbacks()
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    // MARK: Typed options (curl_easy_setopt is variadic; these go through the typed shims)

    enum LongOption {
        case noSignal, noProgress, connectTimeoutMilliseconds, timeoutMilliseconds, lowSpeedLimit, lowSpeedTime
        case httpGet, noBody, post, followLocation, maxRedirects, httpAuth

        var raw: CURLoption {
            switch self {
            case .noSignal: CURLOPT_NOSIGNAL
            case .noProgress: CURLOPT_NOPROGRESS
            case .connectTimeoutMilliseconds: CURLOPT_CONNECTTIMEOUT_MS
            case .timeoutMilliseconds: CURLOPT_TIMEOUT_MS
            case .lowSpeedLimit: CURLOPT_LOW_SPEED_LIMIT
            case .lowSpeedTime: CURLOPT_LOW_SPEED_TIME
            case .httpGet: CURLOPT_HTTPGET
            case .noBody: CURLOPT_NOBODY
            case .post: CURLOPT_POST
            case .followLocation: CURLOPT_FOLLOWLOCATION
            case .maxRedirects: CURLOPT_MAXREDIRS
            case .httpAuth: CURLOPT_HTTPAUTH
            }
        }
    }

    enum StringOption {
        case url, customRequest, userAgent, username, password, caFile, caPath, clientCertificate, clientCertificateType
        case clientKey, allowedProtocols

        var raw: CURLoption {
            switch self {
            case .url: CURLOPT_URL
            case .customRequest: CURLOPT_CUSTOMREQUEST
            case .userAgent: CURLOPT_USERAGENT
            case .username: CURLOPT_USERNAME
            case .password: CURLOPT_PASSWORD
            case .caFile: CURLOPT_CAINFO
            case .caPath: CURLOPT_CAPATH
            case .clientCertificate: CURLOPT_SSLCERT
            case .clientCertificateType: CURLOPT_SSLCERTTYPE
            case .clientKey: CURLOPT_SSLKEY
            case .allowedProtocols: CURLOPT_PROTOCOLS_STR
            }
        }
    }

    enum SizeOption {
        case maxFileSize, postFieldSize, maxSendSpeed
        var raw: CURLoption {
            switch self {
            case .maxFileSize: CURLOPT_MAXFILESIZE_LARGE
            case .postFieldSize: CURLOPT_POSTFIELDSIZE_LARGE
            case .maxSendSpeed: CURLOPT_MAX_SEND_SPEED_LARGE
            }
        }
    }

    func set(_ option: LongOption, _ value: Int) throws(HTTPTransportError) {
        try check(CCurlShims_setoptLong(handle, option.raw, value), option: "\(option)")
    }

    func set(_ option: LongOption, _ value: Bool) throws(HTTPTransportError) {
        try set(option, value ? 1 : 0)
    }

    /// libcurl copies string options, so the C string only has to live for the call.
    func set(_ option: StringOption, _ value: String?) throws(HTTPTransportError) {
        let code: CURLcode
        if let value {
            code = value.withCString { CCurlShims_setoptString(handle, option.raw, $0) }
        } else {
            code = CCurlShims_setoptString(handle, option.raw, nil)
        }
        try check(code, option: "\(option)")
    }

    func set(_ option: SizeOption, _ value: Int) throws(HTTPTransportError) {
        try check(CCurlShims_setoptOffT(handle, option.raw, curl_off_t(value)), option: "\(option)")
    }

    /// The request body; libcurl takes its own copy (CURLOPT_COPYPOSTFIELDS), binary-safe because
    /// the size is set first.
    func setBody(_ body: Data) throws(HTTPTransportError) {
        try set(.postFieldSize, body.count)
        var bytes = [UInt8](body)
        bytes.append(0) // never read (size is set), but keeps the pointer valid for an empty body
        let code = bytes.withUnsafeMutableBytes {
            CCurlShims_setoptPointer(handle, CURLOPT_COPYPOSTFIELDS, $0.baseAddress)
        }
        try check(code, option: "body")
    }

    /// Replaces the request headers (the list is owned here and freed in deinit).
    func setHeaders(_ headers: [String]) throws(HTTPTransportError) {
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers {
            guard let appended = curl_slist_append(list, header) else {
                curl_slist_free_all(list)
                throw HTTPTransportError(
                    kind: .other, request: "libcurl", detail: "out of memory building the header list")
            }
            list = appended
        }
        let code = CCurlShims_setoptSlist(handle, CURLOPT_HTTPHEADER, list)
        curl_slist_free_all(headerList)
        headerList = list
        try check(code, option: "headers")
    }

    private func check(_ code: CURLcode, option: String) throws(HTTPTransportError) {
        guard code == CURLE_OK else {
            throw HTTPTransportError(
                kind: .invalidRequest, request: "libcurl",
                detail: "option \(option): \(String(cString: curl_easy_strerror(code)))")
        }
    }

    // MARK: Transfer

    /// Runs the transfer (blocking: call only on a transfer thread) and returns the status code.
    func perform(describedAs request: String, tls: TLSConfiguration) throws(HTTPTransportError) -> Int {
        errorBuffer[0] = 0
        let code = curl_easy_perform(handle)
        guard code == CURLE_OK else { throw error(for: code, request: request, tls: tls) }
        var status = 0
        _ = CCurlShims_getinfoLong(handle, CURLINFO_RESPONSE_CODE, &status)
        return status
    }

    private func wireCallbacks() {
        let context = Unmanaged.passUnretained(state).toOpaque()
        _ = CCurlShims_setoptPointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        _ = CCurlShims_setoptPointer(handle, CURLOPT_WRITEDATA, context)
        _ = CCurlShims_setoptPointer(handle, CURLOPT_HEADERDATA, context)
        _ = CCurlShims_setoptPointer(handle, CURLOPT_XFERINFODATA, context)
        _ = CCurlShims_setoptWriteFunction(handle) { data, size, count, context in
            guard let context else { return 0 }
            let state = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
            let length = size * count
            return state.receive(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
        }
        _ = CCurlShims_setoptHeaderFunction(handle) { data, size, count, context in
            guard let context else { return 0 }
            let state = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
            let length = size * count
            let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
            state.receiveHeaderLine(line)
            return length
        }
        _ = CCurlShims_setoptProgressFunction(handle) { context, _, _, _, uploaded in
            guard let context else { return 0 }
            let state = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
            state.uploadProgress?(Int(uploaded))
            return state.cancellation.isCancelled ? 1 : 0
        }
    }
}

@available(*, unavailable, message: "a curl easy handle must stay on the thread that uses it")
extension EasyHandle: Sendable {}
