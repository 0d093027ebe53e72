/// Evaluates a compiled expression against a value.
enum Interpreter {
    static func evaluate(_ node: Node, _ value: JMESValue) throws -> JMESValue {
        switch node {
        case .identity, .current:
            return value
        case .field(let name):
            return value[name]
        case .literal(let literal):
            return literal
        case .subexpression(let left, let right), .pipe(let left, let right):
            return try evaluate(right, try evaluate(left, value))
        case .index(let index):
            guard case .array(let items) = value else { return .null }
            let position = index < 0 ? items.count + index : index
            return items.indices.contains(position) ? items[position] : .null
        case .slice(let start, let stop, let step):
            guard case .array(let items) = value else { return .null }
            return .array(slice(items, start: start, stop: stop, step: step))
        case .indexExpression(let left, let right):
            return try evaluate(right, try evaluate(left, value))
        case .projection(let left, let right):
            guard case .array(let items) = try evaluate(left, value) else { return .null }
            return .array(try project(items, right))
        case .valueProjection(let left, let right):
            guard case .object(let object) = try evaluate(left, value) else { return .null }
            return .array(try project(object.values, right))
        case .filterProjection(let left, let right, let condition):
            guard case .array(let items) = try evaluate(left, value) else { return .null }
            var results: [JMESValue] = []
            for item in items where try evaluate(condition, item).isTruthy {
                let result = try evaluate(right, item)
                if result != .null { results.append(result) }
            }
            return .array(results)
        case .flatten(let inner):
            guard case .array(let items) = try evaluate(inner, value) else { return .null }
            var results: [JMESValue] = []
            results.reserveCapacity(items.count)
            for item in items {
                if case .array(let nested) = item { results.append(contentsOf: nested) } else { results.append(item) }
            }
            return .array(results)
        case .multiSelectList(let nodes):
            if value == .null { return .null }
            return .array(try nodes.map { try evaluate($0, value) })
        case .multiSelectHash(let pairs):
            if value == .null { return .null }
            return .object(JMESObject(try pairs.map { ($0.0, try evaluate($0.1, value)) }))
        case .or(let left, let right):
            let result = try evaluate(left, value)
            return result.isTruthy ? result : try evaluate(right, value)
        case .and(let left, let right):
            let result = try evaluate(left, value)
            return result.isTruthy ? try evaluate(right, value) : result
        case .not(let inner):
            return .bool(!(try evaluate(inner, value).isTruthy))
        case .comparator(let comparator, let left, let right):
            return compare(comparator, try evaluate(left, value), try evaluate(right, value))
        case .function(let function, let arguments, let offset):
            let values = try arguments.map { argument -> Argument in
                if case .expref(let inner) = argument { return .expref(inner) }
                return .value(try evaluate(argument, value))
            }
            return try function.call(values, offset: offset)
        case .expref:
            // Only meaningful as a function argument.
            return .null
        }
    }

    private static func project(_ items: [JMESValue], _ node: Node) throws -> [JMESValue] {
        var results: [JMESValue] = []
        results.reserveCapacity(items.count)
        if case .identity = node {
            for item in items where item != .null { results.append(item) }
            return results
        }
        for item in items {
            let result = try evaluate(node, item)
            if result != .null { results.append(result) }
        }
        return results
    }

    private static func compare(_ comparator: Comparator, _ left: JMESValue, _ right: JMESValue) -> JMESValue {
        switch comparator {
        case .eq: return .bool(left == right)
        case .ne: return .bool(left != right)
        default: break
        }
        guard case .number(let lhs, _) = left, case .number(let rhs, _) = right else { return .null }
        switch comparator {
        case .lt: return .bool(lhs < rhs)
        case .lte: return .bool(lhs <= rhs)
        case .gt: return .bool(lhs > rhs)
        default: return .bool(lhs >= rhs)
        }
    }

    /// Python's slice rules: endpoints clamped to the array, negative ones counted from its end.
    static func slice<T>(_ items: [T], start: Int?, stop: Int?, step: Int) -> [T] {
        let count = items.count
        func adjust(_ endpoint: Int) -> Int {
            if endpoint < 0 {
                let adjusted = endpoint + count
                return adjusted < 0 ? (step < 0 ? -1 : 0) : adjusted
            }
            return endpoint >= count ? (step < 0 ? count - 1 : count) : endpoint
        }
        let from = start.map(adjust) ?? (step < 0 ? count - 1 : 0)
        let to = stop.map(adjust) ?? (step < 0 ? -1 : count)
        var results: [T] = []
        var index = from
        if step > 0 {
            while index < to { results.append(items[index]); index += step }
        } else {
            while index > to { results.append(items[index]); index += step }
        }
        return results
    }
}

/// A function argument: a value, or an expression reference (`&expr`).
enum Argument {
    case value(JMESValue)
    case expref(Node)
}
