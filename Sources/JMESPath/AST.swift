/// A compiled expression.
indirect enum Node: Sendable {
    case identity
    case current
    case field(String)
    case literal(JMESValue)
    case subexpression(Node, Node)
    case index(Int)
    case slice(start: Int?, stop: Int?, step: Int)
    case indexExpression(Node, Node)
    /// Left evaluated to an array; right applied to each element, nulls dropped.
    case projection(Node, Node)
    /// Left evaluated to an object; right applied to each value, nulls dropped.
    case valueProjection(Node, Node)
    /// Left evaluated to an array; elements where the condition is truthy, right applied.
    case filterProjection(Node, Node, condition: Node)
    case flatten(Node)
    case multiSelectList([Node])
    case multiSelectHash([(String, Node)])
    case pipe(Node, Node)
    case or(Node, Node)
    case and(Node, Node)
    case not(Node)
    case comparator(Comparator, Node, Node)
    case function(Function, [Node], offset: Int)
    case expref(Node)
}

enum Comparator: Sendable {
    case eq, ne, lt, lte, gt, gte
}
