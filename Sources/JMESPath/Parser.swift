/// A top-down operator precedence (Pratt) parser for the JMESPath grammar.
struct Parser {
    private let tokens: [Token]
    private var position = 0

    static func parse(_ expression: String) throws -> Node {
        var parser = Parser(tokens: try Lexer.tokens(of: expression))
        let node = try parser.expression(0)
        guard case .eof = parser.current.kind else { throw parser.unexpected() }
        return node
    }

    private init(tokens: [Token]) { self.tokens = tokens }

    private var current: Token { tokens[min(position, tokens.count - 1)] }
    private func lookahead(_ ahead: Int) -> TokenKind { tokens[min(position + ahead, tokens.count - 1)].kind }
    private mutating func advance() { position += 1 }

    private func unexpected(_ token: Token? = nil) -> JMESPathError {
        let token = token ?? current
        if case .eof = token.kind { return JMESPathError(.syntax, "unexpected end of expression", offset: token.offset) }
        return JMESPathError(.syntax, "unexpected token \(describe(token.kind))", offset: token.offset)
    }

    private func describe(_ kind: TokenKind) -> String {
        switch kind {
        case .identifier(let name): return "'\(name)'"
        case .quotedIdentifier(let name): return "\"\(name)\""
        case .number(let number): return "\(number)"
        case .literal: return "literal"
        default: return "'\(kind)'"
        }
    }

    private mutating func match(_ kind: TokenKind) throws {
        guard current.kind == kind else { throw unexpected() }
        advance()
    }

    mutating func expression(_ rightBindingPower: Int) throws -> Node {
        let token = current
        advance()
        var left = try nud(token)
        while rightBindingPower < current.kind.bindingPower {
            let next = current
            advance()
            left = try led(next, left)
        }
        return left
    }

    private mutating func nud(_ token: Token) throws -> Node {
        switch token.kind {
        case .literal(let value): return .literal(value)
        case .identifier(let name): return .field(name)
        case .quotedIdentifier(let name):
            if case .lparen = current.kind {
                throw JMESPathError(.syntax, "a function name cannot be quoted", offset: token.offset)
            }
            return .field(name)
        case .star:
            let right: Node = current.kind == .rbracket ? .identity : try projectionRHS(TokenKind.star.bindingPower)
            return .valueProjection(.identity, right)
        case .filter: return try filter(left: .identity)
        case .lbrace: return try multiSelectHash()
        case .lparen:
            let inner = try expression(0)
            try match(.rparen)
            return inner
        case .flatten:
            return .projection(.flatten(.identity), try projectionRHS(TokenKind.flatten.bindingPower))
        case .not: return .not(try expression(TokenKind.not.bindingPower))
        case .lbracket:
            switch current.kind {
            case .number, .colon:
                return try projectIfSlice(.identity, try indexExpression())
            case .star where lookahead(1) == .rbracket:
                advance()
                advance()
                return .projection(.identity, try projectionRHS(TokenKind.star.bindingPower))
            default:
                return try multiSelectList()
            }
        case .current: return .current
        case .expref: return .expref(try expression(0))
        default: throw unexpected(token)
        }
    }

    private mutating func led(_ token: Token, _ left: Node) throws -> Node {
        switch token.kind {
        case .dot:
            if case .star = current.kind {
                advance()
                return .valueProjection(left, try projectionRHS(TokenKind.dot.bindingPower))
            }
            return .subexpression(left, try dotRHS(TokenKind.dot.bindingPower))
        case .pipe: return .pipe(left, try expression(TokenKind.pipe.bindingPower))
        case .or: return .or(left, try expression(TokenKind.or.bindingPower))
        case .and: return .and(left, try expression(TokenKind.and.bindingPower))
        case .eq: return .comparator(.eq, left, try expression(5))
        case .ne: return .comparator(.ne, left, try expression(5))
        case .lt: return .comparator(.lt, left, try expression(5))
        case .lte: return .comparator(.lte, left, try expression(5))
        case .gt: return .comparator(.gt, left, try expression(5))
        case .gte: return .comparator(.gte, left, try expression(5))
        case .lparen: return try functionCall(left, at: token)
        case .filter: return try filter(left: left)
        case .flatten:
            return .projection(.flatten(left), try projectionRHS(TokenKind.flatten.bindingPower))
        case .lbracket:
            switch current.kind {
            case .number, .colon:
                return try projectIfSlice(left, try indexExpression())
            default:
                try match(.star)
                try match(.rbracket)
                return .projection(left, try projectionRHS(TokenKind.star.bindingPower))
            }
        default: throw unexpected(token)
        }
    }

    private mutating func filter(left: Node) throws -> Node {
        let condition = try expression(0)
        try match(.rbracket)
        let right: Node = current.kind == .flatten ? .identity : try projectionRHS(TokenKind.filter.bindingPower)
        return .filterProjection(left, right, condition: condition)
    }

    private mutating func functionCall(_ left: Node, at token: Token) throws -> Node {
        guard case .field(let name) = left else { throw unexpected(token) }
        var arguments: [Node] = []
        while current.kind != .rparen {
            arguments.append(try expression(0))
            if current.kind == .comma {
                advance()
                if current.kind == .rparen { throw unexpected() }
            } else if current.kind != .rparen {
                throw unexpected()
            }
        }
        advance()
        let function = try Function.resolve(name, offset: token.offset)
        try function.checkArity(arguments.count, offset: token.offset)
        return .function(function, arguments, offset: token.offset)
    }

    /// After `[`: `number]`, or a slice `start:stop:step]` with any part left out.
    private mutating func indexExpression() throws -> Node {
        if case .number(let index) = current.kind, lookahead(1) == .rbracket {
            advance()
            advance()
            return .index(index)
        }
        var parts: [Int?] = [nil, nil, nil]
        var part = 0
        let start = current.offset
        while current.kind != .rbracket {
            switch current.kind {
            case .colon:
                part += 1
                guard part < 3 else { throw unexpected() }
                advance()
            case .number(let value):
                guard parts[part] == nil else { throw unexpected() }
                parts[part] = value
                advance()
            default:
                throw unexpected()
            }
        }
        advance()
        if parts[2] == 0 { throw JMESPathError(.invalidValue, "slice step cannot be 0", offset: start) }
        return .slice(start: parts[0], stop: parts[1], step: parts[2] ?? 1)
    }

    private mutating func projectIfSlice(_ left: Node, _ right: Node) throws -> Node {
        let indexed = Node.indexExpression(left, right)
        if case .slice = right {
            return .projection(indexed, try projectionRHS(TokenKind.star.bindingPower))
        }
        return indexed
    }

    /// What is applied to each element of a projection.
    private mutating func projectionRHS(_ bindingPower: Int) throws -> Node {
        if current.kind.bindingPower < 10 { return .identity }
        switch current.kind {
        case .lbracket, .filter:
            return try expression(bindingPower)
        case .dot:
            advance()
            return try dotRHS(bindingPower)
        default:
            throw unexpected()
        }
    }

    private mutating func dotRHS(_ bindingPower: Int) throws -> Node {
        switch current.kind {
        case .identifier, .quotedIdentifier, .star:
            return try expression(bindingPower)
        case .lbracket:
            advance()
            return try multiSelectList()
        case .lbrace:
            advance()
            return try multiSelectHash()
        default:
            throw unexpected()
        }
    }

    private mutating func multiSelectList() throws -> Node {
        var items: [Node] = []
        repeat {
            items.append(try expression(0))
            if current.kind == .comma {
                advance()
                continue
            }
            try match(.rbracket)
            return .multiSelectList(items)
        } while true
    }

    private mutating func multiSelectHash() throws -> Node {
        var pairs: [(String, Node)] = []
        repeat {
            let key: String
            switch current.kind {
            case .identifier(let name), .quotedIdentifier(let name): key = name
            default: throw unexpected()
            }
            advance()
            try match(.colon)
            pairs.append((key, try expression(0)))
            if current.kind == .comma {
                advance()
                continue
            }
            try match(.rbrace)
            return .multiSelectHash(pairs)
        } while true
    }
}
