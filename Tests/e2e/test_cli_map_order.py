"""Issue 18 item 6: map members (RuntimeEnvironmentVariables) keep the order they were sent in, from
one request to the next, and the CLI prints them as the AWS CLI does (wire order)."""
import json
import subprocess
from pathlib import Path

from cli_fixtures import BIN, ENV, cli_endpoint  # noqa: F401  (fixture)

AWS_ENV = dict(ENV, AWS_CONFIG_FILE=str(Path(__file__).resolve().parent / "cli_aws_config"))
ORDER = ["ZETA", "alpha", "Mid", "b_2", "DATABASE_URL", "a"]


def test_maps_keep_the_order_they_were_sent_in(cli_endpoint):
    variables = {name: "v%d" % index for index, name in enumerate(ORDER)}
    service = cli_endpoint.call("CreateService", {
        "ServiceName": "map-order",
        "SourceConfiguration": {"ImageRepository": {
            "ImageIdentifier": "public.ecr.aws/nginx/nginx:latest", "ImageRepositoryType": "ECR_PUBLIC",
            "ImageConfiguration": {"RuntimeEnvironmentVariables": variables}}, "AutoDeploymentsEnabled": False},
    })["Service"]
    arn = service["ServiceArn"]
    cli_endpoint.wait_status(arn, "RUNNING")  # nothing else changes from one call to the next
    outputs = set()
    for _ in range(5):
        mine = subprocess.run([str(BIN), "describe", arn, "--output", "json", "--endpoint-url", cli_endpoint.url], capture_output=True,
                              text=True, env=AWS_ENV, timeout=60)
        aws = subprocess.run(["aws", "apprunner", "describe-service", "--service-arn", arn, "--output", "json", "--region", "us-east-1",
                              "--endpoint-url", cli_endpoint.url], capture_output=True, text=True, env=AWS_ENV, timeout=60)
        assert mine.returncode == 0 and aws.returncode == 0, mine.stderr + aws.stderr
        assert mine.stdout == aws.stdout
        keys = list(json.loads(mine.stdout)["Service"]["SourceConfiguration"]["ImageRepository"]["ImageConfiguration"]
                    ["RuntimeEnvironmentVariables"])
        assert keys == ORDER
        outputs.add(mine.stdout)
    assert len(outputs) == 1  # the same answer every time
    text = subprocess.run([str(BIN), "describe", arn, "--output", "text", "--endpoint-url", cli_endpoint.url], capture_output=True,
                          text=True, env=AWS_ENV, timeout=60).stdout
    assert "Environment\t" + ", ".join(ORDER) in text, text
