import FoundationEssentials

/// The kinds of token in a JMESPath expression.
enum TokenKind: Equatable {
    case identifier(String)
    case quotedIdentifier(String)
    case number(Int)
    case literal(JMESValue)
    case dot, star, flatten, filter, lbracket, rbracket, lbrace, rbrace, lparen, rparen
    case comma, colon, pipe, or, and, not, expref, current
    case eq, ne, lt, lte, gt, gte
    case eof

    /// The left binding power (how tightly the token binds to what is on its left).
    var bindingPower: Int {
        switch self {
        case .pipe: return 1
        case .or: return 2
        case .and: return 3
        case .eq, .ne, .lt, .lte, .gt, .gte: return 5
        case .flatten: return 9
        case .star: return 20
        case .filter: return 21
        case .dot: return 40
        case .not: return 45
        case .lbrace: return 50
        case .lbracket: return 55
        case .lparen: return 60
        default: return 0
        }
    }
}

struct Token {
    let kind: TokenKind
    let offset: Int
}

/// Splits an expression into tokens; offsets count Unicode scalars.
struct Lexer {
    private let scalars: [Unicode.Scalar]
    private var position = 0

    static func tokens(of expression: String) throws -> [Token] {
        var lexer = Lexer(scalars: Array(expression.unicodeScalars))
        var tokens: [Token] = []
        while let token = try lexer.next() { tokens.append(token) }
        tokens.append(Token(kind: .eof, offset: lexer.scalars.count))
        return tokens
    }

    private init(scalars: [Unicode.Scalar]) { self.scalars = scalars }

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        position + ahead < scalars.count ? scalars[position + ahead] : nil
    }

    private static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    private mutating func next() throws -> Token? {
        while let scalar = peek(), scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" { position += 1 }
        guard let scalar = peek() else { return nil }
        let start = position
        func token(_ kind: TokenKind, length: Int = 1) -> Token {
            position += length
            return Token(kind: kind, offset: start)
        }
        switch scalar {
        case ".": return token(.dot)
        case "*": return token(.star)
        case "]": return token(.rbracket)
        case "{": return token(.lbrace)
        case "}": return token(.rbrace)
        case "(": return token(.lparen)
        case ")": return token(.rparen)
        case ",": return token(.comma)
        case ":": return token(.colon)
        case "@": return token(.current)
        case "[":
            if peek(1) == "?" { return token(.filter, length: 2) }
            if peek(1) == "]" { return token(.flatten, length: 2) }
            return token(.lbracket)
        case "|": return peek(1) == "|" ? token(.or, length: 2) : token(.pipe)
        case "&": return peek(1) == "&" ? token(.and, length: 2) : token(.expref)
        case "!": return peek(1) == "=" ? token(.ne, length: 2) : token(.not)
        case "<": return peek(1) == "=" ? token(.lte, length: 2) : token(.lt)
        case ">": return peek(1) == "=" ? token(.gte, length: 2) : token(.gt)
        case "=":
            guard peek(1) == "=" else { throw JMESPathError(.syntax, "'=' is not an operator (did you mean '=='?)", offset: start) }
            return token(.eq, length: 2)
        case "\"":
            let body = try delimited(by: "\"")
            do {
                guard case .string(let name) = try JMESValue(jsonText: "\"" + body + "\"") else { throw JMESPathError(.syntax, "", offset: start) }
                return Token(kind: .quotedIdentifier(name), offset: start)
            } catch {
                throw JMESPathError(.syntax, "invalid quoted identifier", offset: start)
            }
        case "'":
            let body = try delimited(by: "'")
            return Token(kind: .literal(.string(body.replacingAll("\\'", with: "'"))), offset: start)
        case "`":
            let body = try delimited(by: "`").replacingAll("\\`", with: "`")
            if let value = try? JMESValue(jsonText: body) { return Token(kind: .literal(value), offset: start) }
            // Legacy form (jmespath.py accepts it with a warning): an unquoted string literal.
            let trimmed = String(String.UnicodeScalarView(body.unicodeScalars.drop(while: { $0 == " " || $0 == "\t" || $0 == "\n" })))
            if let value = try? JMESValue(jsonText: "\"" + trimmed + "\"") { return Token(kind: .literal(value), offset: start) }
            throw JMESPathError(.syntax, "invalid JSON literal", offset: start)
        default:
            if Self.isIdentifierStart(scalar) {
                while let next = peek(), Self.isIdentifierStart(next) || Self.isDigit(next) { position += 1 }
                return Token(kind: .identifier(text(start, position)), offset: start)
            }
            if Self.isDigit(scalar) || (scalar == "-" && peek(1).map(Self.isDigit) == true) {
                position += 1
                while let next = peek(), Self.isDigit(next) { position += 1 }
                guard let number = Int(text(start, position)) else { throw JMESPathError(.syntax, "number out of range", offset: start) }
                return Token(kind: .number(number), offset: start)
            }
            throw JMESPathError(.syntax, "unexpected character '\(scalar)'", offset: start)
        }
    }

    private func text(_ from: Int, _ to: Int) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[from..<to])
        return String(view)
    }

    /// The text up to the closing delimiter (a backslash escapes the next character; the escape is kept).
    private mutating func delimited(by delimiter: Unicode.Scalar) throws -> String {
        let start = position
        position += 1
        while let scalar = peek() {
            if scalar == "\\" {
                position += 2
                continue
            }
            if scalar == delimiter {
                position += 1
                return text(start + 1, position - 1)
            }
            position += 1
        }
        throw JMESPathError(.syntax, "unterminated \(delimiter == "`" ? "literal" : "string")", offset: start)
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        contains(target) ? String(String.UnicodeScalarView(unicodeScalars.replacing(target.unicodeScalars, with: replacement.unicodeScalars))) : self
    }
}
