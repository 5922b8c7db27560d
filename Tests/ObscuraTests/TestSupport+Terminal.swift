import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension TestSupport {
    /// Runs `obscura` with its standard error on a pseudo-terminal, as a person at a terminal
    /// sees it, and returns everything written there (carriage returns and escapes included).
    static func obscuraOnTerminal(_ arguments: [String]) async throws -> ProcessResult {
        try await offThePool { try obscuraOnTerminalBlocking(arguments) }
    }

    private static func obscuraOnTerminalBlocking(_ arguments: [String]) throws -> ProcessResult {
        // Glibc's module hides the pty calls (they need _XOPEN_SOURCE), so they are looked up.
        typealias Call = @convention(c) (Int32) -> Int32
        typealias Name = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?
        guard let library = dlopen(nil, RTLD_NOW), let openSymbol = dlsym(library, "posix_openpt"),
              let grantSymbol = dlsym(library, "grantpt"), let unlockSymbol = dlsym(library, "unlockpt"),
              let nameSymbol = dlsym(library, "ptsname") else { throw TestFailure("no pseudo-terminal calls") }
        let master = unsafeBitCast(openSymbol, to: Call.self)(O_RDWR | O_NOCTTY)
        guard master >= 0, unsafeBitCast(grantSymbol, to: Call.self)(master) == 0, unsafeBitCast(unlockSymbol, to: Call.self)(master) == 0,
              let name = unsafeBitCast(nameSymbol, to: Name.self)(master) else {
            throw TestFailure("no pseudo-terminal")
        }
        let terminal = open(String(cString: name), O_RDWR | O_NOCTTY)
        guard terminal >= 0 else { throw TestFailure("cannot open \(String(cString: name))") }
        defer { close(master) }

        let process = Process()
        process.executableURL = obscuraBinary
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(fileDescriptor: terminal, closeOnDealloc: false)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Only the child holds the terminal now, so reading ends (EIO) when it exits.
        close(terminal)
        let collected = DispatchGroup()
        nonisolated(unsafe) var terminalText = Data(), outData = Data()
        collected.enter()
        DispatchQueue.global().async {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(master, &buffer, buffer.count)
                if count <= 0 { break }
                terminalText.append(contentsOf: buffer[0..<count])
            }
            collected.leave()
        }
        collected.enter()
        DispatchQueue.global().async { outData = output.fileHandleForReading.readDataToEndOfFile(); collected.leave() }
        process.waitUntilExit()
        collected.wait()
        return ProcessResult(status: process.terminationStatus, standardOutput: outData,
                             standardError: String(decoding: terminalText, as: UTF8.self))
    }
}
