import ArgumentParser
import Foundation
import Logging
import Obscura
import ObscuraServer

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Process the images of 'obscura serve --database' nodes, from their PostgreSQL database.",
        discussion: """
        A worker needs nothing but the database URL (and the models): it takes waiting images \
        from the database, one per --jobs slot, each under a lease that it renews while it \
        works, and writes each result and the image's new state in one transaction. Start as \
        many workers as you like, on any machines. A worker that stops (Ctrl-C, a crash, a lost \
        machine) loses nothing: its images go back in line when their lease ends (--lease \
        seconds), and fail with server.interrupted after 2 tries. Logs carry job ids, image \
        numbers and error codes only.
        """
    )

    @Option(help: ArgumentHelp("The PostgreSQL database of the serve nodes. (default: $OBSCURA_DATABASE)", valueName: "URL"))
    var database: String?

    @Option(help: "Images processed in parallel. (default: the number of cores)")
    var jobs: Int?

    @Option(help: ArgumentHelp("Folder holding the models. (default: $OBSCURA_MODELS or ~/.cache/obscura/models)", valueName: "DIR"))
    var models: String?

    @Option(help: ArgumentHelp("Most pixels in one image, in millions.", valueName: "MP"))
    var maxPixels: Double = Double(ServerConfiguration().maximumPixels) / 1e6

    @Option(help: ArgumentHelp("Seconds a claim on an image lasts without renewal; use the serve nodes' value.", valueName: "S"))
    var lease: Double = ServerConfiguration().leaseDuration

    @Option(help: ArgumentHelp("Serve this worker's /metrics (Prometheus) on 127.0.0.1 at this port (0 picks one).", valueName: "PORT"))
    var metricsPort: Int?

    func makeConfiguration() -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.databaseURL = database ?? ProcessInfo.processInfo.environment["OBSCURA_DATABASE"].flatMap { $0.isEmpty ? nil : $0 }
        if let jobs { configuration.workers = jobs }
        if let models { configuration.modelDirectory = URL(fileURLWithPath: models, isDirectory: true) }
        configuration.maximumPixels = Int(maxPixels * 1e6)
        configuration.leaseDuration = lease
        return configuration
    }

    func validate() throws {
        let configuration = makeConfiguration()
        guard configuration.databaseURL != nil else { throw ValidationError("--database is required (or set OBSCURA_DATABASE)") }
        guard configuration.workers >= 1 else { throw ValidationError("--jobs must be at least 1") }
        if let metricsPort, !(0...65535).contains(metricsPort) { throw ValidationError("--metrics-port must be between 0 and 65535") }
        do { try configuration.validate() } catch let error as ObscuraError {
            throw ValidationError(error.message)
        }
    }

    func run() async throws {
        var logger = Logger(label: "obscura.worker")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        try await ObscuraWorker.run(makeConfiguration(), logger: logger, metricsPort: metricsPort) { port in
            FileHandle.standardOutput.write(Data("Worker metrics on http://127.0.0.1:\(port)/metrics\n".utf8))
        }
    }
}
