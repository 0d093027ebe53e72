import FoundationEssentials

/// Pages through an operation that takes and returns a `NextToken`.
///
/// Iteration yields each page in turn and stops when a page has no token, an empty token, or a token
/// it has already followed (a service bug that would otherwise loop forever).
public struct AWSPaginator<Input: Sendable, Output: Sendable>: AsyncSequence, Sendable {
    public typealias Element = Output

    let input: Input
    let command: @Sendable (Input) async throws -> Output
    let setToken: @Sendable (Input, String) -> Input
    let getToken: @Sendable (Output) -> String?

    public init(
        input: Input,
        command: @escaping @Sendable (Input) async throws -> Output,
        setToken: @escaping @Sendable (Input, String) -> Input,
        getToken: @escaping @Sendable (Output) -> String?
    ) {
        self.input = input
        self.command = command
        self.setToken = setToken
        self.getToken = getToken
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let paginator: AWSPaginator
        var nextInput: Input?
        var seenTokens: Set<String> = []

        public mutating func next() async throws -> Output? {
            guard let input = nextInput else { return nil }
            let output = try await paginator.command(input)
            if let token = paginator.getToken(output), !token.isEmpty, seenTokens.insert(token).inserted {
                nextInput = paginator.setToken(input, token)
            } else {
                nextInput = nil
            }
            return output
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(paginator: self, nextInput: input)
    }

    /// The pages, at most `maxPages` of them (a bound, so a listing that never ends cannot hold a
    /// caller forever).
    public func collect(maxPages: Int) async throws -> [Output] {
        var pages: [Output] = []
        for try await page in self {
            pages.append(page)
            if pages.count >= maxPages { break }
        }
        return pages
    }

    /// The items of at most `maxPages` pages, in order.
    public func collect<Item>(maxPages: Int, _ items: (Output) -> [Item]) async throws -> [Item] {
        var all: [Item] = []
        var count = 0
        for try await page in self {
            all += items(page)
            count += 1
            if count >= maxPages { break }
        }
        return all
    }
}
