/// What this build of RunnerDeck is: its version, and the commit it was built from (`buildCommit`,
/// written by the BuildCommit plugin at build time).
package enum BuildInfo {
    package static let version = "0.1.0"
    package static let commit = buildCommit
    /// `0.1.0 (commit 1a2b3c4d5e6f)`, as `runnerdeck --version` prints it.
    package static var description: String { "\(version) (commit \(commit))" }
}
