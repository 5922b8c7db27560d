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

/// Streams JSON Lines records into a temporary file that becomes the report on `close()`.
final class ReportWriter: Sendable {
    private let path: String
    private let temporary: String
    private let handle: Mutex<FileHandle?>
    private let overwrite: Bool

    /// `extend`: an existing report keeps its lines and gets this run's after them (a resumed
    /// run, `--skip-existing`).
    init(path: String, overwrite: Bool, extend: Bool = false) throws {
        self.path = path
        self.overwrite = overwrite
        let existing = FileManager.default.fileExists(atPath: path)
        if existing && !overwrite && !extend {
            FileHandle.standardError.write(Data("obscura: the report '\(path)' already exists; pass --overwrite to replace it\n".utf8))
            throw ExitCode(ExitStatus.usage)
        }
        let url = URL(fileURLWithPath: path)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        temporary = AtomicFile.temporaryPath(in: url.deletingLastPathComponent())
        let earlier = existing && extend ? FileManager.default.contents(atPath: path) : nil
        guard !(existing && extend && earlier == nil), FileManager.default.createFile(atPath: temporary, contents: earlier),
              let file = FileHandle(forWritingAtPath: temporary) else {
            FileHandle.standardError.write(Data("obscura: cannot write the report '\(path)'\n".utf8))
            throw ExitCode(ExitStatus.usage)
        }
        _ = try? file.seekToEnd()
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
