#!/usr/bin/env python3
"""Generates the Swift sources of the AWS service modules from committed botocore models.

    python3 Scripts/generate.py                  # writes Sources/<Module>/Generated/*.swift
    python3 Scripts/generate.py --check          # exits 1 when the committed sources differ
    python3 Scripts/generate.py --drift          # exits 1 when a committed model differs from the
                                                 # installed botocore's (the subset it would extract)
    python3 Scripts/generate.py --update-models  # rewrites the committed models (and endpoint rule sets,
                                                 # partitions) from the installed botocore

The models live in Assets/: App Runner's whole service-2.json (apprunner-2020-05-15.json), and for
CloudWatch Logs and CloudWatch a *subset* of botocore's model: only the operations this project uses
and the shapes they reach, otherwise botocore's text unchanged (`SERVICES` in service_models.py).
Everything the wire needs — shapes, enums, validation rules, the operation list, the client, the
server-side dispatcher and the paginators — comes from there, so the client and Local App Runner
share one source of truth. The runtime they share (AWSShape, AWSValidation, AWSModelWire...) is in
AWSCore.

Endpoints come from botocore's endpoint rule sets, committed whole in Assets/endpoints/ with its
partitions.json (`RULE_SETS` in service_models.py): each module's Generated/EndpointRules.swift embeds
its rule set (AWSCore's: STS and the partitions), which AWSCore's AWSEndpointRuleSet interprets.
"""
import html
import os
import re
import sys
import textwrap

import json

from service_models import PARTITIONS_ASSET, ROOT, RULE_SETS, SERVICES, drift, load_json, update_models

SWIFT_KEYWORDS = {
    "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init",
    "inout", "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public",
    "rethrows", "static", "struct", "subscript", "typealias", "var", "break", "case", "catch",
    "continue", "default", "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat",
    "return", "throw", "switch", "where", "while", "Any", "as", "await", "false", "is", "nil", "self",
    "Self", "super", "throws", "true", "try", "Type", "unknown",
}


def lower_camel(name):
    """ServiceArn -> serviceArn, DNSTarget -> dnsTarget, VpcDNSTargets -> vpcDNSTargets."""
    i = 0
    while i < len(name) and name[i].isupper():
        i += 1
    if i == 0:
        return name
    if i == 1 or i == len(name):
        return name[:i].lower() + name[i:]
    # A run of capitals followed by a lower-case letter: the last capital starts the next word.
    return name[: i - 1].lower() + name[i - 1:]


def ident(name):
    return "`%s`" % name if name in SWIFT_KEYWORDS else name


def enum_case(value):
    """PYTHON_311 -> python311; a mixed-case value keeps its words: TimestampDescending ->
    timestampDescending, Bytes/Second -> bytesSecond."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", value) if p]
    if re.search(r"[a-z]", value):
        parts = [w for p in parts for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+", p)]
    if not parts:
        return "empty"
    first = parts[0].lower()
    rest = "".join(p[:1].upper() + p[1:].lower() for p in parts[1:])
    name = first + rest
    if name[0].isdigit():
        name = "v" + name
    return ident(name)


def swift_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def doc_text(raw):
    if not raw:
        return []
    text = raw
    text = re.sub(r"<li>\s*", "\n- ", text)
    text = re.sub(r"</p>\s*<p>", "\n\n", text)
    text = re.sub(r"<p>", "", text)
    text = re.sub(r"</?(code)>", "`", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = html.unescape(text)
    paragraphs = []
    for para in re.split(r"\n\s*\n", text):
        lines = []
        for line in para.split("\n"):
            line = " ".join(line.split())
            if not line:
                continue
            lines.extend(textwrap.wrap(line, 96, break_long_words=False, break_on_hyphens=False) or [""])
        if lines:
            paragraphs.append(lines)
    out = []
    for i, para in enumerate(paragraphs):
        if i:
            out.append("")
        out.extend(para)
    return out


def doc_comment(raw, indent):
    return "".join("%s///%s\n" % (indent, (" " + l) if l else "") for l in doc_text(raw))


class Generator:
    def __init__(self, service, model):
        self.service = service
        self.model = model
        self.shapes = model["shapes"]
        self.ops = model["operations"]
        self.patterns = []  # ordered unique patterns
        self.header = service.header
        self.prefix = service.prefix
        self.V = service.runtime["validation"]
        self.P = service.prefix + "Patterns"

    def shape(self, name):
        return self.shapes[name]

    def is_enum(self, name):
        s = self.shape(name)
        return s["type"] == "string" and "enum" in s

    def is_exception(self, name):
        return self.shape(name).get("exception", False)

    def swift_type(self, shape_name):
        s = self.shape(shape_name)
        t = s["type"]
        if t == "string":
            return shape_name if "enum" in s else "String"
        if t == "integer":
            return "Int"
        if t == "long":
            return "Int64"
        if t == "boolean":
            return "Bool"
        if t in ("double", "float"):
            return "Double"
        if t == "timestamp":
            return "Date"
        if t == "blob":
            return "Data"
        if t == "list":
            return "[%s]" % self.swift_type(s["member"]["shape"])
        if t == "map":
            # String-keyed maps keep their order (as received, as given): AWSCore's AWSMap.
            if self.shape(s["key"]["shape"])["type"] == "string":
                return "AWSMap<%s>" % self.swift_type(s["value"]["shape"])
            return "[%s: %s]" % (self.swift_type(s["key"]["shape"]), self.swift_type(s["value"]["shape"]))
        if t == "structure":
            return shape_name
        raise ValueError("unsupported shape type %s for %s" % (t, shape_name))

    def pattern_index(self, pattern):
        if pattern not in self.patterns:
            self.patterns.append(pattern)
        return self.patterns.index(pattern)

    # -- validation -------------------------------------------------------------------------------

    def value_checks(self, shape_name, expr, path_expr, indent, depth=0):
        """Swift statements validating `expr` (non-optional) of shape `shape_name`."""
        s = self.shape(shape_name)
        t = s["type"]
        lines = []
        if t == "string":
            if "enum" in s:
                lines.append("%stry %s.known(%s, path: %s)" % (indent, self.V, expr, path_expr))
            else:
                if "min" in s or "max" in s:
                    lines.append("%stry %s.length(%s.count, min: %s, max: %s, path: %s)" % (
                        indent, self.V, expr, s.get("min", "nil"), s.get("max", "nil"), path_expr))
                if "pattern" in s:
                    lines.append("%stry %s.pattern(%s, %s.p%d, path: %s)" % (
                        indent, self.V, expr, self.P, self.pattern_index(s["pattern"]), path_expr))
        elif t in ("integer", "long"):
            if "min" in s or "max" in s:
                lines.append("%stry %s.range(%s, min: %s, max: %s, path: %s)" % (
                    indent, self.V, expr, s.get("min", "nil"), s.get("max", "nil"), path_expr))
        elif t == "structure":
            lines.append("%stry %s.validate(path: %s)" % (indent, expr, path_expr))
        elif t == "list":
            if "min" in s or "max" in s:
                lines.append("%stry %s.length(%s.count, min: %s, max: %s, path: %s)" % (
                    indent, self.V, expr, s.get("min", "nil"), s.get("max", "nil"), path_expr))
            var = "element%d" % depth
            idx = "index%d" % depth
            inner = self.value_checks(s["member"]["shape"], var, '%s + "[\\(%s)]"' % (path_expr, idx), indent + "    ", depth + 1)
            if inner:
                lines.append("%sfor (%s, %s) in %s.enumerated() {" % (indent, idx, var, expr))
                lines.extend(inner)
                lines.append("%s}" % indent)
        elif t == "map":
            if "min" in s or "max" in s:
                lines.append("%stry %s.length(%s.count, min: %s, max: %s, path: %s)" % (
                    indent, self.V, expr, s.get("min", "nil"), s.get("max", "nil"), path_expr))
            k = "key%d" % depth
            v = "value%d" % depth
            inner = self.value_checks(s["key"]["shape"], k, '%s + "[\\(%s)]"' % (path_expr, k), indent + "    ", depth + 1)
            inner += self.value_checks(s["value"]["shape"], v, '%s + "[\\(%s)]"' % (path_expr, k), indent + "    ", depth + 1)
            if inner:
                lines.append("%sfor (%s, %s) in %s {" % (indent, k, v, expr))
                lines.extend(inner)
                lines.append("%s}" % indent)
        return lines

    # -- shapes -----------------------------------------------------------------------------------

    def gen_struct(self, name):
        s = self.shape(name)
        members = s.get("members", {})
        required = set(s.get("required", []))
        out = []
        out.append(doc_comment(s.get("documentation"), ""))
        out.append("public struct %s: %s {\n" % (name, self.service.runtime["shape"]))
        for mname, m in members.items():
            out.append(doc_comment(m.get("documentation"), "    "))
            st = self.swift_type(m["shape"])
            opt = "" if mname in required else "?"
            out.append("    public var %s: %s%s\n" % (ident(lower_camel(mname)), st, opt))
        if members:
            out.append("\n")
        # init
        params = []
        assigns = []
        for mname, m in members.items():
            p = lower_camel(mname)
            st = self.swift_type(m["shape"])
            if mname in required:
                params.append("%s: %s" % (ident(p), st))
            else:
                params.append("%s: %s? = nil" % (ident(p), st))
            assigns.append("        self.%s = %s\n" % (p, ident(p)))
        if params:
            out.append("    public init(\n")
            out.append(",\n".join("        " + p for p in params))
            out.append("\n    ) {\n")
            out.extend(assigns)
            out.append("    }\n\n")
        else:
            out.append("    public init() {}\n\n")
        # coding keys
        if members:
            out.append("    enum CodingKeys: String, CodingKey {\n")
            for mname in members:
                p = lower_camel(mname)
                out.append("        case %s = %s\n" % (ident(p), swift_string(mname)))
            out.append("    }\n\n")
        # validation
        body = []
        for mname, m in members.items():
            p = lower_camel(mname)
            path = 'path + ".%s"' % mname
            if mname in required:
                checks = self.value_checks(m["shape"], "self.%s" % p, path, "        ")
                body.extend(checks)
            else:
                checks = self.value_checks(m["shape"], "value", path, "            ")
                if checks:
                    body.append("        if let value = self.%s {" % p)
                    body.extend(checks)
                    body.append("        }")
        if body:
            out.append("    public func validate(path: String) throws {\n")
            out.append("\n".join(body) + "\n")
            out.append("    }\n")
        else:
            out.append("    public func validate(path: String) throws {}\n")
        out.append("}\n")
        return "".join(out)

    def gen_enum(self, name):
        s = self.shape(name)
        values = s["enum"]
        lower = name in self.service.lowercase_on_wire
        out = []
        out.append(doc_comment(s.get("documentation"), ""))
        out.append("///\n/// Decoding is case-insensitive and keeps values this client does not know as `.unknown`.\n")
        if lower:
            out.append("/// The service sends this enum in lower case; it is encoded that way too.\n")
        out.append("public enum %s: %s {\n" % (name, self.service.runtime["enum"]))
        for v in values:
            out.append("    case %s\n" % enum_case(v))
        out.append("    /// A value this version of the model does not list.\n")
        out.append("    case unknown(String)\n\n")
        out.append("    public static let allKnown: [%s] = [%s]\n\n" % (name, ", ".join("." + enum_case(v) for v in values)))
        out.append("    /// The value as the model spells it.\n")
        out.append("    public var rawValue: String {\n        switch self {\n")
        for v in values:
            out.append("        case .%s: return %s\n" % (enum_case(v).strip("`"), swift_string(v)))
        out.append("        case .unknown(let value): return value\n        }\n    }\n\n")
        out.append("    /// The value as the service sends it on the wire.\n")
        if lower:
            out.append("    public var wireValue: String {\n        if case .unknown(let value) = self { return value }\n        return rawValue.lowercased()\n    }\n\n")
        else:
            out.append("    public var wireValue: String { rawValue }\n\n")
        out.append("    public init(rawValue: String) {\n        switch rawValue.uppercased() {\n")
        for v in values:
            out.append("        case %s: self = .%s\n" % (swift_string(v.upper()), enum_case(v).strip("`")))
        out.append("        default: self = .unknown(rawValue)\n        }\n    }\n\n")
        out.append("    public init(from decoder: any Decoder) throws {\n")
        out.append("        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))\n    }\n\n")
        out.append("    public func encode(to encoder: any Encoder) throws {\n")
        out.append("        var container = encoder.singleValueContainer()\n        try container.encode(wireValue)\n    }\n")
        out.append("}\n")
        return "".join(out)

    def gen_shapes(self):
        parts = [self.header, "import AWSCore\nimport FoundationEssentials\n\n"]
        names = sorted(n for n, s in self.shapes.items() if s["type"] == "structure" and not s.get("exception"))
        for n in names:
            parts.append(self.gen_struct(n))
            parts.append("\n")
        return "".join(parts).rstrip("\n") + "\n"

    def runtime_imports(self):
        """App Runner's runtime names are its own typealiases, the other modules spell AWSCore's; all import
        AWSCore, whose extensions give those types their members (MemberImportVisibility: per file)."""
        return "import AWSCore\nimport FoundationEssentials\n\n"

    def gen_enums(self):
        parts = [self.header, self.runtime_imports()]
        names = sorted(n for n in self.shapes if self.is_enum(n))
        for n in names:
            parts.append(self.gen_enum(n))
            parts.append("\n")
        return "".join(parts).rstrip("\n") + "\n"

    def gen_patterns(self):
        parts = [self.header, self.runtime_imports()]
        parts.append("/// The model's string patterns, matched against the whole value.\n")
        parts.append("enum %s {\n" % self.P)
        pattern_type = self.service.runtime["pattern"]
        for i, p in enumerate(self.patterns):
            parts.append("    static let p%d = %s(%s)\n" % (i, pattern_type, swift_string(p)))
        parts.append("\n    static let all: [%s] = [%s]\n" % (pattern_type, ", ".join("p%d" % i for i in range(len(self.patterns)))))
        parts.append("}\n")
        return "".join(parts)

    def gen_errors(self):
        parts = [self.header, "import AWSCore\nimport FoundationEssentials\n\n"]
        names = sorted(n for n, s in self.shapes.items() if s.get("exception"))
        error_type = self.service.runtime["error"]
        for n in names:
            s = self.shape(n)
            status = s.get("error", {}).get("httpStatusCode")
            if status is None:
                status = 500 if n == "InternalServiceErrorException" or s.get("fault") else 400
            parts.append(doc_comment(s.get("documentation"), ""))
            parts.append("public struct %s: %s {\n" % (n, error_type))
            # The wire code is the model's error code when it has one (a query-compatible service's
            # `InvalidParameterValue` for `InvalidParameterValueException`), else the shape's name.
            parts.append("    public static let code = %s\n" % swift_string(s.get("error", {}).get("code") or n))
            parts.append("    public static let statusCode = %d\n" % status)
            parts.append("    public var message: String\n    public var requestId: String?\n\n")
            parts.append("    public init(message: String, requestId: String? = nil) {\n")
            parts.append("        self.message = message\n        self.requestId = requestId\n    }\n}\n\n")
        parts.append("/// The modeled exceptions of %s, by wire code.\n" % self.service.title)
        parts.append("public enum %sErrors {\n" % self.prefix)
        parts.append("    public static let modeled: [String: any %s.Type] = [\n" % error_type)
        for n in names:
            parts.append("        %s.code: %s.self,\n" % (n, n))
        parts.append("    ]\n}\n")
        return "".join(parts)

    def token_member(self, op):
        """The member an operation pages with (`NextToken`, or `nextToken` in CloudWatch Logs), or None."""
        inp = self.shape(self.ops[op]["input"]["shape"]).get("members", {})
        out = self.shape(self.ops[op]["output"]["shape"]).get("members", {})
        for name in ("NextToken", "nextToken"):
            if name in inp and name in out:
                return name
        return None

    def paginated(self, op):
        return self.token_member(op) is not None

    def metadata(self):
        md = self.model["metadata"]
        # CloudWatch's newest model names smithy-rpc-v2-cbor first; this client speaks its AWS JSON protocol.
        if "json" not in md.get("protocols", [md.get("protocol")]):
            raise ValueError("%s: the model offers no AWS JSON protocol" % self.service.module)
        return md

    def gen_operations(self):
        ops = sorted(self.ops)
        prefix = self.prefix
        title = self.service.title
        subset = self.service.operations is not None
        md = self.metadata()
        P = [self.header, "import AWSCore\nimport FoundationEssentials\n\n"]
        # operation enum
        if subset:
            P.append("/// The operations of %s API %s generated here (a subset of the model).\n" % (title, md["apiVersion"]))
        else:
            P.append("/// Every operation of %s API %s.\n" % (title, md["apiVersion"]))
        P.append("public enum %sOperation: String, CaseIterable, Sendable {\n" % prefix)
        for op in ops:
            P.append("    case %s = %s\n" % (ident(lower_camel(op)), swift_string(op)))
        P.append("}\n\n")
        pag = [op for op in ops if self.paginated(op)]
        non = [op for op in ops if not self.paginated(op)]
        token = self.token_member(pag[0]) if pag else "NextToken"
        P.append("extension %sOperation {\n" % prefix)
        P.append("    /// True when the operation pages with `%s`.\n" % token)
        P.append("    public var isPaginated: Bool {\n        switch self {\n")
        if pag:
            P.append("        case %s: return true\n" % ", ".join("." + lower_camel(o) for o in pag))
        if non:
            P.append("        case %s: return false\n" % ", ".join("." + lower_camel(o) for o in non))
        P.append("        }\n    }\n}\n\n")
        # service info
        P.append("extension AWSServiceInfo {\n    /// %s as the model describes it.\n" % title)
        P.append("    public static let %s = AWSServiceInfo(\n" % self.service.info)
        fields = [
            ("signingName", swift_string(md.get("signingName", md["endpointPrefix"]))),
            ("endpointPrefix", swift_string(md["endpointPrefix"])),
            ("targetPrefix", swift_string(md["targetPrefix"])),
            ("apiVersion", swift_string(md["apiVersion"])),
            ("serviceId", swift_string(md["serviceId"])),
        ]
        if md.get("jsonVersion", "1.0") != "1.0":
            fields.append(("jsonVersion", swift_string(md["jsonVersion"])))
        if "awsQueryCompatible" in md:
            fields.append(("awsQueryCompatible", "true"))
        if any(r.module == self.service.module for r in RULE_SETS):
            fields.append(("endpointRules", "AWSEndpointRuleSet.%s" % self.service.info))
        P.append(",\n".join("        %s: %s" % field for field in fields) + "\n    )\n}\n\n")
        # protocol
        P.append("".join("/// %s\n" % line for line in self.service.api_doc))
        P.append("public protocol %sAPI: Sendable {\n" % prefix)
        for op in ops:
            o = self.ops[op]
            if "output" not in o:
                raise ValueError("%s has no output shape; the generator needs one" % op)
            P.append(doc_comment(o.get("documentation"), "    "))
            P.append("    func %s(_ input: %s) async throws -> %s\n" % (lower_camel(op), o["input"]["shape"], o["output"]["shape"]))
        P.append("}\n\n")
        # client
        P.append("extension %sClient {\n" % prefix)
        for op in ops:
            o = self.ops[op]
            P.append("    public func %s(_ input: %s) async throws -> %s {\n" % (lower_camel(op), o["input"]["shape"], o["output"]["shape"]))
            P.append("        try await perform(%s, input)\n    }\n\n" % swift_string(op))
        P[-1] = P[-1].rstrip("\n") + "\n"
        P.append("}\n\n")
        # paginators
        P.append("extension %sAPI {\n" % prefix)
        for op in pag:
            o = self.ops[op]
            i, out = o["input"]["shape"], o["output"]["shape"]
            P.append("    /// Pages through `%s`, following `%s`.\n" % (op, self.token_member(op)))
            P.append("    public func %sPaginator(_ input: %s) -> AWSPaginator<%s, %s> {\n" % (lower_camel(op), i, i, out))
            P.append("        AWSPaginator(\n            input: input,\n            command: { try await self.%s($0) },\n" % lower_camel(op))
            P.append("            setToken: { input, token in\n                var next = input\n                next.nextToken = token\n                return next\n            },\n")
            P.append("            getToken: { $0.nextToken }\n        )\n    }\n\n")
        P[-1] = P[-1].rstrip("\n") + "\n"
        P.append("}\n\n")
        # dispatcher
        P.append("/// Decodes and validates a request body for `operation`, calls `api`, and encodes the answer.\n")
        P.append("".join("/// %s\n" % line for line in self.service.dispatch_doc))
        P.append("public func dispatch(_ operation: %sOperation, body: Data, to api: any %sAPI) async throws -> Data {\n" % (prefix, prefix))
        P.append("    switch operation {\n")
        for op in ops:
            o = self.ops[op]
            P.append("    case .%s:\n        return try await %s.handle(body, as: %s.self) { try await api.%s($0) }\n" % (
                lower_camel(op), self.service.runtime["wire"], o["input"]["shape"], lower_camel(op)))
        P.append("    }\n}\n\n")
        # request shapes by operation
        P.append("/// The request shape of `operation`, for tools that inspect an input before sending it\n")
        P.append("/// (`runnerdeck call` refuses members the shape does not have, as the AWS CLI does).\n")
        P.append("public func requestShape(of operation: %sOperation) -> any %s.Type {\n" % (prefix, self.service.runtime["shape"]))
        P.append("    switch operation {\n")
        for op in ops:
            P.append("    case .%s: return %s.self\n" % (lower_camel(op), self.ops[op]["input"]["shape"]))
        P.append("    }\n}\n")
        return "".join(P)

    def gen_client(self):
        prefix = self.prefix
        P = [self.header, "import AWSCore\nimport FoundationEssentials\n\n"]
        P.append("/// %s over any ``AWSJSONTransport`` — AWS itself, `runnerdeck serve`, or any endpoint.\n" % self.service.title)
        P.append("/// Every request is validated against the model before anything is sent.\n")
        P.append("public struct %sClient: %sAPI {\n" % (prefix, prefix))
        P.append("    public let transport: any AWSJSONTransport\n\n")
        P.append("    public init(transport: any AWSJSONTransport) {\n        self.transport = transport\n    }\n\n")
        shape = self.service.runtime["shape"]
        P.append("    func perform<Input: %s, Output: %s>(_ operation: String, _ input: Input) async throws -> Output {\n" % (shape, shape))
        P.append("        try await AWSModelCall.perform(operation, input, over: transport, modeled: %sErrors.modeled)\n    }\n}\n\n" % prefix)
        P.append("extension %sErrors {\n" % prefix)
        P.append("    /// A modeled exception for a modeled code; otherwise the generic error, code kept.\n")
        P.append("    public static func typed(_ error: AWSResponseError) -> any Error {\n        error.typed(modeled)\n    }\n}\n")
        return "".join(P)

    def skeleton(self, name, stack):
        """The placeholder request botocore's ArgumentGenerator builds (`aws ... --generate-cli-skeleton`),
        except that an enum takes its first value where botocore picks one at random."""
        shape = self.shape(name)
        stack.append(name)
        try:
            t = shape["type"]
            if t == "structure":
                if stack.count(name) > 1:
                    return {}
                return {m: self.skeleton(ms["shape"], stack) for m, ms in shape.get("members", {}).items()}
            if t == "list":
                return [self.skeleton(shape["member"]["shape"], stack)]
            if t == "map":
                return {"KeyName": self.skeleton(shape["value"]["shape"], stack)}
            if t == "string":
                return shape["enum"][0] if "enum" in shape else ""
            if t in ("integer", "long"):
                return 0
            if t in ("float", "double"):
                return 0.0
            if t == "boolean":
                return True
            if t == "timestamp":
                return "1970-01-01T00:00:00"
            return None
        finally:
            stack.pop()

    def gen_skeletons(self):
        P = [self.header, "import FoundationEssentials\n\n"]
        P.append("extension %sOperation {\n" % self.prefix)
        P.append("    /// The request's JSON skeleton as `aws %s <operation> --generate-cli-skeleton` prints it (the\n"
                 % self.service.botocore[0])
        P.append("    /// model's members in order, placeholder values; an enum shows its first value).\n")
        P.append("    public var requestSkeleton: String {\n        switch self {\n")
        for op in sorted(self.ops):
            o = self.ops[op]
            value = self.skeleton(o["input"]["shape"], []) if "input" in o else {}
            text = json.dumps(value, indent=4)
            if '"#' in text:
                raise ValueError("%s's skeleton cannot be a raw string literal" % op)
            body = "\n".join(("            " + line) if line else line for line in text.split("\n"))
            P.append('        case .%s:\n            return #"""\n%s\n            """#\n' % (lower_camel(op), body))
        P.append("        }\n    }\n}\n")
        return "".join(P)

    def files(self):
        shapes = self.gen_shapes()  # fills self.patterns
        return {
            "Shapes.swift": shapes,
            "Enums.swift": self.gen_enums(),
            "Errors.swift": self.gen_errors(),
            "Operations.swift": self.gen_operations(),
            "Patterns.swift": self.gen_patterns(),
            "Client.swift": self.gen_client(),
            "EndpointRules.swift": endpoint_rules_source(self.service.module),
            "Skeletons.swift": self.gen_skeletons(),
        }


def embedded_json(path):
    """A committed JSON document as a Swift raw string literal (compact, one line)."""
    text = json.dumps(load_json(path), separators=(",", ":"), ensure_ascii=False)
    if '"#' in text:
        raise ValueError("%s cannot be embedded in a raw string literal" % path)
    return '#"""\n%s\n"""#' % text


def endpoint_rules_source(module):
    """Generated/EndpointRules.swift of `module`: its rule sets, and in AWSCore the partitions."""
    rule_sets = [r for r in RULE_SETS if r.module == module]
    assets = ", ".join("Assets/%s" % a for a in [r.asset for r in rule_sets] + ([PARTITIONS_ASSET] if module == "AWSCore" else []))
    P = ["// Generated by Scripts/generate.py from %s. Do not edit.\n" % assets]
    P.append("import FoundationEssentials\n\n" if module == "AWSCore" else "import AWSCore\nimport FoundationEssentials\n\n")
    if module == "AWSCore":
        P.append("extension AWSPartitions {\n    /// botocore's partitions.json.\n")
        P.append("    public static let standard: AWSPartitions = (try? AWSPartitions(json: %s)) ?? AWSPartitions(partitions: [])\n}\n\n"
                 % embedded_json(os.path.join(ROOT, "Assets", PARTITIONS_ASSET)))
    P.append("extension AWSEndpointRuleSet {\n")
    for n, r in enumerate(rule_sets):
        P.append("%s    /// %s's endpoint rule set (botocore's %s/%s/endpoint-rule-set-1.json).\n" % (
            "\n" if n else "", r.title, r.botocore[0], r.botocore[1]))
        P.append("    public static let %s = AWSEndpointRuleSet(name: %s, json: %s)\n" % (r.swift_name, swift_string(r.name), embedded_json(r.path)))
    P.append("}\n")
    return "".join(P)


def generate_core(check):
    """AWSCore's Generated/EndpointRules.swift (STS's rule set and the partitions); the stale names."""
    path = os.path.join(ROOT, "Sources", "AWSCore", "Generated", "EndpointRules.swift")
    text = endpoint_rules_source("AWSCore")
    current = open(path, encoding="utf-8").read() if os.path.exists(path) else None
    if current == text:
        return []
    if not check:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return ["AWSCore/EndpointRules.swift"]


# -- generation ----------------------------------------------------------------------------------------

def generate(service, check):
    """Writes (or with `check`, compares) one module's sources; the names of the files that differ."""
    files = Generator(service, load_json(service.model_path)).files()
    out = service.out
    stale = []
    for name, text in files.items():
        path = os.path.join(out, name)
        current = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        if current != text:
            stale.append(name)
            if not check:
                os.makedirs(out, exist_ok=True)
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
    extra = [n for n in (os.listdir(out) if os.path.isdir(out) else []) if n not in files]
    if not check:
        for n in extra:
            os.remove(os.path.join(out, n))
    return ["%s/%s" % (service.module, n) for n in stale + extra], len(files)


def main():
    args = sys.argv[1:]
    if "--drift" in args:
        sys.exit(drift(lambda service, model, op: Generator(service, model).token_member(op)))
    if "--update-models" in args:
        sys.exit(update_models())
    check = "--check" in args
    stale = []
    written = 0
    for service in SERVICES:
        names, count = generate(service, check)
        stale += names
        written += count
    stale += generate_core(check)
    written += 1
    if check:
        if stale:
            print("generated sources are out of date: %s" % ", ".join(stale), file=sys.stderr)
            sys.exit(1)
        print("generated sources are up to date")
    else:
        print("wrote %d files (%d changed)" % (written, len(stale)))


if __name__ == "__main__":
    main()
