#!/usr/bin/env python3
"""Writes cli_aws_golden.json: for every operation's sample response (Tests/AppRunnerTests/samples.json),
the text `aws apprunner <op> --output json` prints for it — botocore's JSON parser with the AWS CLI's
iso8601 timestamp parser and the CLI's JSON formatter (indent 4, ensure_ascii False), in UTC.
RunnerDeckCLITests compares `runnerdeck call`'s rendering with it."""
import json
import os
import time
from pathlib import Path

os.environ["TZ"] = "UTC"
time.tzset()

import botocore.session  # noqa: E402
from botocore.parsers import JSONParser  # noqa: E402
from botocore.utils import parse_timestamp  # noqa: E402

here = Path(__file__).resolve().parent
samples = json.loads((here.parent / "AppRunnerTests" / "samples.json").read_text())
model = botocore.session.get_session().get_service_model("apprunner")
parser = JSONParser(timestamp_parser=lambda value: parse_timestamp(value).isoformat())
golden = {}
for operation, sample in sorted(samples.items()):
    body = json.dumps(sample["output"]).encode()
    parsed = parser.parse({"body": body, "headers": {}, "status_code": 200}, model.operation_model(operation).output_shape)
    parsed.pop("ResponseMetadata", None)
    golden[operation] = json.dumps(parsed, indent=4, ensure_ascii=False) + "\n"
(here / "cli_aws_golden.json").write_text(json.dumps(golden, indent=1, ensure_ascii=False) + "\n")
print(f"{len(golden)} operations")
