import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Waiting for a child process without blocking a thread. Swift concurrency has as many
/// threads as cores (two on CI) and does not add more when they block: a test that blocks one
/// in `waitUntilExit` slows every other test of the process, and if the child waits on the
/// test process itself (a worker whose update waits for a row lock held by this process's
/// transaction), nothing moves again.
extension Process {
    /// Whether the process has exited within `seconds`, checked every 50 ms without holding a thread.
    func exited(within seconds: TimeInterval) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while isRunning, !Self.hasExited(processIdentifier) {
            guard Date() < deadline else { return false }
            // Not Task.sleep: a cancelled test must still wait for its children.
            await withCheckedContinuation { continuation in
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.05) { continuation.resume() }
            }
        }
        return true
    }

    /// Sends `signal` and waits up to `seconds` for the process to exit; then SIGKILL, which
    /// cannot be refused. Returns whether `signal` alone was enough.
    @discardableResult
    func end(with signal: Int32, within seconds: TimeInterval) async -> Bool {
        guard isRunning else { return true }
        kill(processIdentifier, signal)
        if await exited(within: seconds) { return true }
        kill(processIdentifier, SIGKILL)
        _ = await exited(within: 60)
        return false
    }

    /// A child that has exited but not yet been reaped is a zombie ('Z' in /proc); Foundation's
    /// `isRunning` only changes once its own thread reaps it.
    private static func hasExited(_ pid: Int32) -> Bool {
        #if !os(Linux)
        return false
        #else
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        // "pid (command) state …": the command may hold spaces and parentheses, the state follows the last ')'.
        guard let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
        #endif
    }
}

/// Runs `body`, then `cleanup` whether `body` threw or not, and returns or rethrows what `body`
/// did: a `defer` that can wait.
func finally<T>(_ body: () async throws -> T, then cleanup: () async -> Void) async throws -> T {
    let result: Result<T, any Error>
    do { result = .success(try await body()) } catch { result = .failure(error) }
    await cleanup()
    return try result.get()
}
