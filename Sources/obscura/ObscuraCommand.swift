import ArgumentParser
import Foundation
import Obscura

@main
struct ObscuraCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "obscura",
        abstract: "Find and destroy faces, plates, text and hidden metadata in photos, on this machine.",
        discussion: """
        anonymize writes clean copies; inspect lists what a file carries besides its pixels; \
        verify re-checks files; serve runs the server and its review page; submit sends a folder \
        of any size to a server and collects the clean copies. Exit codes: 0 success, 1 some inputs failed or have leaks (each \
        named on stderr), 2 usage error, 3 set-up problem (model missing or corrupt).
        """,
        version: Obscura.version,
        subcommands: [AnonymizeCommand.self, InspectCommand.self, VerifyCommand.self, ServeCommand.self, WorkerCommand.self, SubmitCommand.self]
    )

    /// Maps every failure to the documented exit codes: argument errors are usage errors (2).
    static func main() async {
        ProcessMemory.limitHeapFragmentation()
        do {
            var command = try parseAsRoot(Self.rewritingValuedFlags(Array(CommandLine.arguments.dropFirst())))
            // Only `serve` and `submit` are asynchronous; the others run their own worker threads.
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
            finish(ExitStatus.success)
        } catch let exit as ExitCode {
            finish(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                finish(ExitStatus.success)
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            finish(ExitStatus.usage)
        }
    }

    /// `--verify=warn` and `--verify=refuse` for the `--verify` flag, which stays a plain flag.
    static func rewritingValuedFlags(_ arguments: [String]) -> [String] {
        arguments.map { argument in
            switch argument {
            case "--verify=warn": "--verify-warn"
            case "--verify=refuse": "--verify"
            default: argument
            }
        }
    }

    /// Flushes what was printed and ends the process without running exit-time destructors: the
    /// OpenVINO runtime (loaded with dlopen, with TBB's threads) is not torn down while worker
    /// threads may still be waking, which once made a finished run exit with a signal.
    static func finish(_ status: Int32) -> Never {
        fflush(nil)  // every open output stream
        _exit(status)
    }
}

/// The documented exit codes.
enum ExitStatus {
    static let success: Int32 = 0
    static let someFailed: Int32 = 1
    static let usage: Int32 = 2
    static let setup: Int32 = 3
}
