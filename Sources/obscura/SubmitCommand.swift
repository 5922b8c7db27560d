import ArgumentParser
import Foundation
import Obscura
import ObscuraServer

struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Send a folder of any size to a running 'obscura serve' and collect the clean copies.",
        discussion: """
        The folder is walked as 'anonymize' walks one (hidden entries skipped, files that are not \
        images skipped and counted) and sent in jobs of at most --batch-size images, with at most \
        --in-flight jobs on the server at once. Each result is downloaded as soon as it is done \
        into the same relative path under OUT, named as 'anonymize' names it (the extension of \
        the format written), written atomically; inputs are never overwritten, existing outputs \
        only with --overwrite. Each job is deleted on the server once collected.

        A small state file in OUT (.obscura-submit.jsonl) records which inputs are done and \
        which jobs are on the server. Run the same command again after an interruption (Ctrl-C, \
        a lost connection, a server restart): done inputs whose outputs exist are not sent \
        again, jobs the server still has are collected, and the rest is sent again. Requests \
        that fail for a reason that may pass are tried again with growing pauses.

        The detection and painting options are the job's options, as 'anonymize' takes them \
        (--pii-words names a file on this machine and is not sent: use --pii-pattern). --report \
        writes the record the server made for each image, with this machine's paths.

        Exit codes: 0 all done, 1 some inputs failed (each named on stderr; the ones the server \
        could not be reached for say so, and a new run resumes them), 2 usage error, 3 set-up \
        problem (the server cannot be reached or refuses the token; nothing is sent or written), \
        130 interrupted (Ctrl-C; the report so far is kept and a new run resumes).
        """
    )

    @Argument(help: ArgumentHelp("Folder of images to send.", valueName: "IN"))
    var input: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Output folder.", valueName: "OUT"))
    var output: String

    @Option(help: ArgumentHelp("The server's URL, as 'obscura serve' prints it (http://HOST:PORT).", valueName: "URL"))
    var server: String

    @Option(help: ArgumentHelp("The server's API token. (default: $OBSCURA_TOKEN)", valueName: "T"))
    var token: String?

    /// What is found and how it is painted and encoded: the job's options (shared with `anonymize`).
    @OptionGroup var settings: AnonymizeArguments

    @Flag(help: OptionTable.overwrite.argumentHelp())
    var overwrite = false

    @Flag(help: "Have the server re-check each output as 'obscura verify' does before keeping it; a failure fails that input (verify.failed).")
    var verify = false

    @Option(name: .customLong("batch-size"), help: ArgumentHelp("Most images in one job (the server's own limit applies too).", valueName: "N"))
    var batchSize = Submitter.Settings(input: "", output: "", options: AnonymizeOptions()).batchSize

    @Option(name: .customLong("in-flight"), help: ArgumentHelp("Most jobs on the server at once.", valueName: "N"))
    var inFlight = Submitter.Settings(input: "", output: "", options: AnonymizeOptions()).inFlight

    @Option(name: .customLong("poll-interval"), help: ArgumentHelp("Seconds between two looks at a job's progress.", valueName: "S"))
    var pollInterval = Submitter.Settings(input: "", output: "", options: AnonymizeOptions()).pollInterval

    @Option(help: ArgumentHelp("Write a JSON Lines audit record per input to this file, as 'anonymize --report' does.", valueName: "FILE"))
    var report: String?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    @Flag(help: "Print a JSON summary on standard output at the end.")
    var json = false

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if inFlight < 1 || inFlight > 64 { throw ValidationError("--in-flight must be between 1 and 64") }
        if !(pollInterval >= 0.01 && pollInterval <= 60) { throw ValidationError("--poll-interval must be between 0.01 and 60 seconds") }
        if settings.piiWords != nil {
            throw ValidationError("\(OptionTable.piiWordsFile.name(.commandLine)) names a file on this machine, which a server cannot read; give the words as --pii-pattern")
        }
        try settings.checkOptions(overwrite: overwrite, verify: verify)
    }

    func makeOptions() throws -> AnonymizeOptions {
        try settings.makeOptions(overwrite: overwrite, verify: verify)
    }

    func run() async throws {
        let console = Console(quiet: quiet)
        let options = try makeOptions()
        var isDirectory: ObjCBool = false
        let planned: [BatchItem]
        let client: ServerClient
        do {
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
                throw ObscuraError(.inputMissing, "no such folder: '\(input)'")
            }
            guard isDirectory.boolValue else {
                throw ObscuraError(.invalidSettings, "'\(input)' is a file; submit sends a folder (use anonymize for single files)")
            }
            planned = try BatchPlanner.plan(inputs: [input], output: output, format: options.format)
            if let report { try BatchPlanner.checkReport(report, against: planned) }
            client = try ServerClient(server: server, token: token ?? ProcessInfo.processInfo.environment["OBSCURA_TOKEN"])
        } catch let error as ObscuraError {
            console.error("obscura: \(error.message)")
            throw ExitCode(ExitStatus.usage)
        } catch let error as SubmitError {
            console.error("obscura: \(error.message)")
            throw ExitCode(ExitStatus.usage)
        }

        let settings = Submitter.Settings(input: input, output: output, options: options, batchSize: batchSize, inFlight: inFlight,
                                          overwrite: overwrite, pollInterval: pollInterval, protected: report.map { [$0] } ?? [])
        let info: ServerInfo
        do {
            // A wrong URL is told within seconds; once running, a lost server is waited for longer.
            info = try await Submitter.connect(client, attempts: 4)
        } catch {
            let failure = Submitter.failure(error, client: client)
            console.error("obscura: set-up problem: \(failure.message) [\(failure.code)]")
            throw ExitCode(ExitStatus.setup)
        }

        let resumed = FileManager.default.fileExists(atPath: (output as NSString).appendingPathComponent(SubmitState.fileName))
        let reportWriter = try report.map { try ReportWriter(path: $0, overwrite: overwrite, extend: resumed) }
        let progress = Progress(total: planned.count, console: console, asked: options.detect)
        let recorder = RunRecorder(asked: options.detect)
        let submitter = try Submitter(settings: settings, client: client, onStart: { inputs in
            for input in inputs { progress.start(input) }
        }) { record in
            recorder.add(record)
            if record.outcome == .failed {
                progress.print("obscura: failed: \(record.input): \(record.error ?? Failure(code: "", message: "unknown error"))")
            }
            reportWriter?.append(record)
            progress.advance(record.input, record.outcome, regionKinds: record.regions.map(\.kind))
        }
        // Ctrl-C: what is done stays done (the state file is written as things happen); the
        // report so far is moved into place, and a new run extends it.
        signal(SIGINT, SIG_IGN)
        let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        interrupt.setEventHandler {
            progress.finish()
            try? reportWriter?.close()
            console.error("obscura: interrupted; run the same command again to resume")
            ObscuraCommand.finish(130)
        }
        interrupt.resume()
        defer { interrupt.cancel() }

        let summary: BatchSummary
        do {
            summary = try await submitter.run(planned, info: info)
        } catch let error as ObscuraError {
            progress.finish()
            try? reportWriter?.close()
            console.error("obscura: \(error.message) [\(error.code)]")
            throw ExitCode(error.code == SubmitState.busy ? ExitStatus.usage : ExitStatus.someFailed)
        }
        progress.finish()
        try reportWriter?.close()

        if json {
            console.json(recorder.json(summary))
        } else {
            for line in recorder.lines(summary) { console.info(line) }
        }
        if summary.failed > 0 { throw ExitCode(ExitStatus.someFailed) }
    }
}
