/// Starts a program so that the kernel kills it when the test process goes away, even if the
/// test crashed or was killed before it could stop it: a tiny Python launcher sets
/// PR_SET_PDEATHSIG (SIGKILL) and then execs the program (same pid).
enum DiesWithTheTest {
    static let launcher = "import ctypes, os, sys; ctypes.CDLL(None).prctl(1, 9); os.execv(sys.argv[1], sys.argv[1:])"

    /// `(executable, arguments)` for ``ExternalProcess`` that run `program arguments…` this way.
    static func wrap(_ program: String, _ arguments: [String]) -> (String, [String]) {
        ("/usr/bin/python3", ["-c", launcher, program] + arguments)
    }
}
