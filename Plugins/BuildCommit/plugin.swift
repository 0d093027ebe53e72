import Foundation
import PackagePlugin

/// Records the git commit the package is built from, for `runnerdeck --version` (#17).
///
/// A prebuild command, so it runs on every build; the script rewrites the generated file only when the
/// commit changes, so an unchanged commit recompiles nothing. Outside a git checkout (a source tarball)
/// the commit reads "unknown"; a tree with uncommitted changes to tracked files gets "-dirty".
@main
struct BuildCommitPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let outputs = context.pluginWorkDirectoryURL.appending(path: "generated")
        let file = outputs.appending(path: "BuildCommit.swift")
        let script = """
            mkdir -p "$2"
            commit=$(git -C "$1" rev-parse --short=12 HEAD 2>/dev/null) || commit=unknown
            if [ "$commit" != unknown ] && [ -n "$(git -C "$1" status --porcelain --untracked-files=no 2>/dev/null | head -n 1)" ]; then
                commit="$commit-dirty"
            fi
            line="package let buildCommit = \\"$commit\\""
            [ "$(cat "$3" 2>/dev/null)" = "$line" ] || printf '%s\\n' "$line" > "$3"
            """
        return [
            .prebuildCommand(
                displayName: "Recording the git commit",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "sh", context.package.directoryURL.path, outputs.path, file.path],
                outputFilesDirectory: outputs
            )
        ]
    }
}
