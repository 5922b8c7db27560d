import Foundation
private import CObscuraCodecs

/// The one executor for blocking image work: a fixed set of threads that take work in order.
/// The batch CLI (`BatchRunner`), `verify` and the server's job runner all run on it, so
/// decoding, inference and encoding never block Swift concurrency's cooperative threads or an
/// event loop, and at most `threads` images are in flight.
package final class WorkerPool: Sendable {
    package let threads: Int
    private let state: State

    /// Starts `threads` workers (at least 1) with 8 MiB stacks: Tesseract and libheif recurse
    /// deeply.
    package init(threads: Int) {
        self.threads = max(1, threads)
        state = State()
        for index in 0..<self.threads {
            let thread = Thread { [state] in state.work() }
            thread.name = "obscura-worker-\(index)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Stops the workers once the work already queued is done.
    deinit { state.stop() }

    /// Queues `work`; it runs on one of the workers.
    package func submit(_ work: @escaping @Sendable () -> Void) {
        state.push(work)
    }

    /// Runs `body(0)`, …, `body(count - 1)` on the workers and returns when all are done.
    package func forEach(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            submit {
                body(index)
                group.leave()
            }
        }
        group.wait()
    }

    /// Runs `work` on a worker and resumes the caller with its result.
    package func run<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            submit { continuation.resume(with: Swift.Result { try work() }) }
        }
    }

    /// The queue the workers share; kept apart from the pool so the pool can be released while
    /// its threads still wait here.
    private final class State: @unchecked Sendable {
        private let condition = NSCondition()
        private var queue: [@Sendable () -> Void] = []
        private var head = 0
        private var stopped = false

        func push(_ work: @escaping @Sendable () -> Void) {
            condition.lock()
            queue.append(work)
            condition.signal()
            condition.unlock()
        }

        func stop() {
            condition.lock()
            stopped = true
            condition.broadcast()
            condition.unlock()
        }

        func work() {
            while let next = take() {
                next()
                // An image's buffers are tens of MB, freed in an order that leaves holes glibc
                // keeps; hand them back so a batch, or an idle server, does not hold the peak.
                // It costs the next image page faults: trimming only when the queue ran empty was
                // 4% faster on the 161-photo batch but peaked at 416-463 MB instead of 355-360.
                obscura_release_free_memory()
            }
        }

        private func take() -> (@Sendable () -> Void)? {
            condition.lock()
            defer { condition.unlock() }
            while head == queue.count {
                if stopped { return nil }
                condition.wait()
            }
            let next = queue[head]
            head += 1
            if head > 1024, head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            return next
        }
    }
}
