#!/usr/bin/env python3
"""Writes Tests/AppRunnerTests/samples.json: for every operation a request and a response body that
fill every member of the model with a value that satisfies its constraints. The AppRunner tests send
each request through the real client to a loopback server and check both directions of the wire."""
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
model = json.load(open(os.path.join(ROOT, "Assets", "apprunner-2020-05-15.json")))
shapes = model["shapes"]

BY_SHAPE = {
    "AppRunnerResourceArn": "arn:aws:apprunner:us-east-1:123456789012:service/sample-service/0123456789abcdef0123456789abcdef",
    "DomainName": "www.example.com",
    "RoleArn": "arn:aws:iam::123456789012:role/apprunner-access",
    "BuildCommand": "npm ci && npm run build",
    "StartCommand": "node server.js",
    "SourceDirectory": "/",
    "ServiceName": "sample-service",
    "UUID": "3f1e3c1a-8d7b-4f2e-9a6b-1c2d3e4f5a6b",
    "ServiceId": "0123456789abcdef0123456789abcdef",  # real ids are 32 hex, not the model's UUID
    "KmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012",
    "ImageIdentifier": "public.ecr.aws/aws-containers/hello-app-runner:latest",
    "Cpu": "1024",
    "Memory": "2048",
    "TagKey": "team",
    "CustomerAccountId": "123456789012",
}
LOWER = {"CustomDomainAssociationStatus", "AutoScalingConfigurationStatus"}


def sample(name, depth=0):
    s = shapes[name]
    t = s["type"]
    if t == "string":
        if "enum" in s:
            v = s["enum"][0]
            return v.lower() if name in LOWER else v
        if name in BY_SHAPE:
            return BY_SHAPE[name]
        if "pattern" in s and s["pattern"] not in (".*",):
            if "A-Za-z0-9" in s["pattern"]:
                return "sample-name"
            raise SystemExit("no sample for pattern of %s: %s" % (name, s["pattern"]))
        return "sample-" + name.lower()[:20]
    if t in ("integer", "long"):
        return max(s.get("min", 1), 1)
    if t == "boolean":
        return True
    if t == "timestamp":
        return 1763800000.25
    if t == "list":
        return [sample(s["member"]["shape"], depth + 1)]
    if t == "map":
        return {"SAMPLE_KEY": sample(s["value"]["shape"], depth + 1)}
    if t == "structure":
        return {m: sample(mm["shape"], depth + 1) for m, mm in s.get("members", {}).items()}
    raise SystemExit("unsupported %s" % t)


out = {}
for op, o in sorted(model["operations"].items()):
    out[op] = {"input": sample(o["input"]["shape"]), "output": sample(o["output"]["shape"])}
path = os.path.join(ROOT, "Tests", "AppRunnerTests", "samples.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
    f.write("\n")
print("wrote", path)
