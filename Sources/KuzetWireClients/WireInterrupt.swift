/// What ends a wire client's blocking wait: shutdown, or a deadline the caller armed. Every wait
/// (connect, send, receive) asks it at least every 100 ms. KuzetMedia's `MediaInterrupt`, which
/// also stops libavformat's calls, is one, so one switch stops both.
public protocol WireInterrupt: AnyObject {
    /// Whether the wait should give up now (it then throws ``WireClientError/Kind/interrupted``).
    var shouldStop: Bool { get }
}
