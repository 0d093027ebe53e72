import NIOCore

/// How many event-loop threads NIO's shared group starts (#17): one for every command but `serve`.
///
/// A command's, or the dashboard's, HTTP calls are I/O on a handful of connections, which one loop
/// carries; NIO's default is a loop per core, and every loop thread costs start-up time (16 of them on
/// a 16-core jump host, for a command that makes one call). `serve` keeps one per core for its clients.
/// `NIO_SINGLETON_GROUP_LOOP_COUNT` still decides when it is set.
enum EventLoopThreads {
    /// Called once, first thing in the process, before anything uses NIO's shared group (NIO refuses a
    /// later change, fatally). A word `serve` anywhere in the arguments keeps NIO's default, so a
    /// command line that only mentions it (a service named serve) loses nothing but start-up time.
    static func chooseForProcess(arguments: [String], environment: [String: String]) {
        guard environment["NIO_SINGLETON_GROUP_LOOP_COUNT"] == nil, !arguments.contains("serve") else { return }
        NIOSingletons.groupLoopCountSuggestion = 1
    }
}
