import ArgumentParser
import Foundation
import Obscura
import Synchronization

/// Where the CLI talks: errors always go to stderr, information only when not quiet.
struct Console: Sendable {
    let quiet: Bool

    var isTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    func error(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }

    func info(_ line: String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    func json(_ value: some Encodable) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(value) else { return }
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}

/// A single updating progress line on a terminal, for batches of more than one image.
final class Progress: Sendable {
    private let total: Int
    private let console: Console
    private let counts = Mutex((done: 0, failed: 0, skipped: 0))
    private var enabled: Bool { !console.quiet && console.isTerminal && total > 1 }

    init(total: Int, console: Console) {
        self.total = total
        self.console = console
    }

    func advance(_ outcome: ReportRecord.Outcome) {
        let line = counts.withLock { counts -> String in
            counts.done += 1
            if outcome == .failed { counts.failed += 1 }
            if outcome == .skipped { counts.skipped += 1 }
            return "\r[\(counts.done)/\(total)] \(counts.failed) failed, \(counts.skipped) skipped"
        }
        if enabled { FileHandle.standardError.write(Data(line.utf8)) }
    }

    func clearLine() {
        if enabled { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

/// Streams JSON Lines records into a temporary file that becomes the report on `close()`.
final class ReportWriter: Sendable {
    private let path: String
    private let temporary: String
    private let handle: Mutex<FileHandle?>
    private let overwrite: Bool

    init(path: String, overwrite: Bool) throws {
        self.path = path
        self.overwrite = overwrite
        if !overwrite && FileManager.default.fileExists(atPath: path) {
            FileHandle.standardError.write(Data("obscura: the report '\(path)' already exists; pass --overwrite to replace it\n".utf8))
            throw ExitCode(ExitStatus.usage)
        }
        let url = URL(fileURLWithPath: path)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).obscura-\(UUID().uuidString).tmp").path
        guard FileManager.default.createFile(atPath: temporary, contents: nil),
              let file = FileHandle(forWritingAtPath: temporary) else {
            FileHandle.standardError.write(Data("obscura: cannot write the report '\(path)'\n".utf8))
            throw ExitCode(ExitStatus.usage)
        }
        handle = Mutex(file)
    }

    func append(_ record: ReportRecord) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(record) else { return }
        handle.withLock { $0?.write(data + Data("\n".utf8)) }
    }

    func close() throws {
        try handle.withLock { file in
            try file?.close()
            file = nil
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            FileHandle.standardError.write(Data("obscura: cannot move the report into place at '\(path)'\n".utf8))
            throw ExitCode(ExitStatus.someFailed)
        }
    }
}
