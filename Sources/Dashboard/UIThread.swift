import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `body` on a new detached POSIX thread (in place of Foundation's `Thread`, which pulls in ICU), named
/// `name` where the C library lets Swift name it (not glibc: its `pthread_setname_np` is a GNU extension the
/// Glibc module leaves out). Should the thread not start, `body` runs on a Dispatch worker instead.
func startThread(name: String, _ body: @escaping @Sendable () -> Void) {
    final class Work {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }
    let work = Unmanaged.passRetained(Work(name: name, body: body))
    #if canImport(Darwin)
    var thread: pthread_t?
    #else
    var thread = pthread_t()
    #endif
    let started = pthread_create(&thread, nil, { context in
        guard let context else { return nil }
        let work = Unmanaged<Work>.fromOpaque(context).takeRetainedValue()
        #if canImport(Darwin)
        pthread_setname_np(work.name)
        #endif
        work.body()
        return nil
    }, work.toOpaque())
    guard started == 0 else {
        work.release()
        DispatchQueue.global().async(execute: body)
        return
    }
    #if canImport(Darwin)
    if let thread { pthread_detach(thread) }
    #else
    pthread_detach(thread)
    #endif
}
