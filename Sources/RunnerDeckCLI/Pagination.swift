import AWSCore
import ArgumentParser
import FoundationEssentials
import JMESPath

/// The AWS CLI's pagination options on the list commands, with its semantics: every page by default;
/// `--page-size` items per call; `--max-items` in all, with a `NextToken` to resume from when that
/// cuts the list; `--starting-token` resumes; `--no-paginate` makes one call and shows the service's own
/// `NextToken`.
struct PaginationOptions: ParsableArguments {
    @Option(name: .customLong("max-items"), help: ArgumentHelp("At most this many items in all; a NextToken in the output resumes from there.", valueName: "n"))
    var maxItems: Int?

    @Option(name: .customLong("starting-token"), help: ArgumentHelp("Resume from the NextToken of an earlier --max-items.", valueName: "token"))
    var startingToken: String?

    @Option(name: .customLong("page-size"), help: ArgumentHelp("Items asked for per call (MaxResults); every page is still read.", valueName: "n"))
    var pageSize: Int?

    @Flag(name: .customLong("no-paginate"), help: "Make one call only; the output carries the service's NextToken.")
    var noPaginate = false

    func validate() throws {
        if let maxItems, maxItems < 1 { throw ValidationError("--max-items must be at least 1") }
        if let pageSize, pageSize < 1 { throw ValidationError("--page-size must be at least 1") }
        if let startingToken, PaginationToken.decode(startingToken) == nil {
            throw ValidationError("--starting-token is not a token printed as NextToken by runnerdeck or the AWS CLI")
        }
    }
}

/// The resume token, in botocore's encoding so the AWS CLI's tokens and ours are interchangeable:
/// base64 of `{"NextToken": <service token or null>, "boto_truncate_amount": <items to skip>}`.
enum PaginationToken {
    static func encode(serviceToken: String?, skip: Int?) -> String {
        var json = "{\"NextToken\": " + (serviceToken.map(PythonJSON.quote) ?? "null")
        if let skip { json += ", \"boto_truncate_amount\": \(skip)" }
        json += "}"
        return Data(json.utf8).base64EncodedString()
    }

    /// The service token and the items to skip of its page; nil when `text` is not a token.
    static func decode(_ text: String) -> (serviceToken: String?, skip: Int)? {
        guard let data = Data(base64Encoded: text),
              let object = (try? JMESValue(json: data))?.asObject else { return nil }
        // A number's integer part, as NSNumber's intValue read it.
        let skip = object["boto_truncate_amount"]?.asNumber.flatMap { abs($0) < 1e18 ? Int($0) : nil } ?? 0
        guard skip >= 0 else { return nil }
        return (object["NextToken"]?.asString, skip)
    }
}

extension PaginationOptions {
    /// Reads pages through `fetch(token, pageSize)` as the AWS CLI's paginator does; returns the items
    /// and the token to print as `NextToken` (nil when the list is whole).
    func collect<Item: Sendable>(_ fetch: (String?, Int?) async throws -> (items: [Item], next: String?)) async throws -> (items: [Item], nextToken: String?) {
        var token: String?
        var skip = 0
        if let startingToken, let decoded = PaginationToken.decode(startingToken) { (token, skip) = decoded }
        var all: [Item] = []
        var first = true
        while true {
            let page = try await fetch(token, pageSize)
            var items = page.items
            var startingTruncation = 0
            if first {
                items = Array(items.dropFirst(skip))
                startingTruncation = skip
                first = false
            }
            if noPaginate { return (all + items, page.next) }
            if let maxItems, all.count + items.count > maxItems {
                let keep = maxItems - all.count
                return (all + items.prefix(keep), PaginationToken.encode(serviceToken: token, skip: keep + startingTruncation))
            }
            all += items
            guard let next = page.next, !next.isEmpty else { return (all, nil) }
            if let maxItems, all.count == maxItems { return (all, PaginationToken.encode(serviceToken: next, skip: nil)) }
            token = next
        }
    }
}

extension CommandContext {
    /// Where the list was cut, for table and text output (JSON carries it as `NextToken`): text prints
    /// the AWS CLI's `NEXTTOKEN` line, a table says on stderr how to go on.
    func writeNextToken(_ token: String?) {
        guard let token else { return }
        switch format {
        case .json: break
        case .text: write("NEXTTOKEN\t\(token)\n")
        case .table: writeError("more: --starting-token \(token)\n")
        }
    }
}
