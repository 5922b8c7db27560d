import Foundation
import Obscura
import Synchronization

/// The updating progress line on a terminal (stderr a TTY, not `--quiet`):
///
///     [7/15] IMG_0042.jpg · 0:41, about 0:52 left · 12 faces · 1 failed
///
/// It names a file as soon as a worker takes it and redraws every second, so a 12 MP photo
/// that takes seconds never leaves the line standing still. Nothing is drawn on a pipe or file.
final class Progress: Sendable {
    private struct State {
        var done = 0, failed = 0, skipped = 0
        /// Files being worked on, oldest first; the line names the newest.
        var active: [String] = []
        var tally: RegionTally
        var lastWidth = 0
    }

    private let total: Int
    private let failedLabel: String
    private let enabled: Bool
    private let started = ContinuousClock.now
    private let state: Mutex<State>
    private let stopped = Mutex(false)

    /// `asked`: the kinds whose counts the line shows (none for `verify`). `failedLabel` names
    /// failures ("failed", "with leaks").
    init(total: Int, console: Console, asked: [DetectionKind] = [], failedLabel: String = "failed") {
        self.total = total
        self.failedLabel = failedLabel
        enabled = !console.quiet && console.isTerminal && total > 0
        state = Mutex(State(tally: RegionTally(asked: asked)))
        guard enabled else { return }
        let ticker = Thread { [self] in
            while !stopped.withLock({ $0 }) {
                Thread.sleep(forTimeInterval: 1)
                if !stopped.withLock({ $0 }) { draw() }
            }
        }
        ticker.name = "obscura-progress"
        ticker.start()
    }

    /// A worker took `path`.
    func start(_ path: String) {
        guard enabled else { return }
        state.withLock { $0.active.append(path) }
        draw()
    }

    /// `path` is finished; `regionKinds` are the kinds of the regions painted in it.
    func advance(_ path: String, _ outcome: ReportRecord.Outcome, regionKinds: [RegionKind] = []) {
        guard enabled else { return }
        state.withLock { state in
            state.done += 1
            if outcome == .failed { state.failed += 1 }
            if outcome == .skipped { state.skipped += 1 }
            if let at = state.active.firstIndex(of: path) { state.active.remove(at: at) }
            state.tally.add(kinds: regionKinds)
        }
        draw()
    }

    /// Prints `line` on stderr (always, as errors are) in place of the progress line, which the
    /// next draw restores; under the lock, so the ticker cannot draw into the middle of it.
    func print(_ line: String) {
        guard enabled else { return write(line + "\n") }
        state.withLock { _ in write("\r\u{1B}[K" + line + "\n") }
    }

    /// Draws the final line and moves past it.
    func finish() {
        guard enabled else { return }
        stopped.withLock { $0 = true }
        draw()
        write("\n")
    }

    private func draw() {
        // Built and written under the lock, so two workers never interleave half lines.
        state.withLock { state in
            let line = Self.line(state: state, total: total, elapsed: ContinuousClock.now - started,
                                 failedLabel: failedLabel, width: Self.terminalWidth())
            write("\r" + line + "\u{1B}[K")
        }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// The line, cut to `width` columns by shortening the file name (a wrapped line cannot be
    /// redrawn with a carriage return).
    private static func line(state: State, total: Int, elapsed: Duration, failedLabel: String, width: Int) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var time = clock(seconds)
        if state.done > 0 && state.done < total {
            // Throughput so far, whatever the number of workers.
            time += ", about " + clock(max(1, seconds / Double(state.done) * Double(total - state.done))) + " left"
        }
        var parts = [time]
        let tally = state.tally.description
        if !tally.isEmpty { parts.append(tally) }
        if state.failed > 0 { parts.append("\(state.failed) \(failedLabel)") }
        if state.skipped > 0 { parts.append("\(state.skipped) skipped") }
        let counter = "[\(state.done)/\(total)]"
        var name = state.active.last.map { ($0 as NSString).lastPathComponent } ?? ""
        if state.active.count > 1 { name += " +\(state.active.count - 1)" }
        let fixed = counter.count + parts.joined(separator: " · ").count + 4
        let room = max(8, width - 1 - fixed)
        if name.count > room { name = "…" + name.suffix(room - 1) }
        return ([counter + (name.isEmpty ? "" : " " + name)] + parts).joined(separator: " · ")
    }

    /// `m:ss`, or `h:mm:ss` from an hour.
    static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        let (hours, minutes, rest) = (whole / 3600, whole / 60 % 60, whole % 60)
        let two = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
        return hours > 0 ? "\(hours):\(two(minutes)):\(two(rest))" : "\(minutes):\(two(rest))"
    }

    private static func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }
}
