#!/usr/bin/env bash
# Whole-process benchmark: `runnerdeck services --output json` against `aws apprunner list-services`
# on the same Local App Runner endpoint (`runnerdeck serve`), release build, N runs each.
# Reports the mean of each, the ratio, and the peak RSS of one call of each.
#
#   Scripts/bench-cli.sh [N] [SERVICES]      (defaults: 20 runs, 10 services)
#   BENCH_ENDPOINT=http://… uses that endpoint as it is instead of starting `runnerdeck serve`;
#   RUNNERDECK_BIN=… uses that binary instead of building the release product here.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-20}
SERVICES=${2:-10}

if [ -n "${RUNNERDECK_BIN:-}" ]; then
  BIN=$RUNNERDECK_BIN
else
  swift build -c release --product runnerdeck 2>&1 | grep -E 'error|Build complete' | tail -1
  BIN=$(swift build -c release --show-bin-path)/runnerdeck
fi

export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=bench-secret AWS_REGION=us-east-1 \
       AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/nonexistent/bench/config \
       AWS_SHARED_CREDENTIALS_FILE=/nonexistent/bench/credentials TZ=UTC
unset AWS_PROFILE AWS_ENDPOINT_URL

WORK=$(mktemp -d)
if [ -n "${BENCH_ENDPOINT:-}" ]; then
  URL=$BENCH_ENDPOINT
  trap 'rm -rf "$WORK"' EXIT
else
  PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  URL="http://127.0.0.1:$PORT"
  "$BIN" serve --port "$PORT" --state "$WORK/apprunner.sqlite" --seed none >"$WORK/serve.log" 2>&1 &
  SERVE=$!
  trap 'kill $SERVE 2>/dev/null; wait $SERVE 2>/dev/null; rm -rf "$WORK"' EXIT
  for _ in $(seq 100); do
    grep -q "listening on" "$WORK/serve.log" 2>/dev/null && break
    sleep 0.1
  done
  for i in $(seq "$SERVICES"); do
    "$BIN" call CreateService --endpoint-url "$URL" --input "{\"ServiceName\": \"bench-svc-$i\", \"SourceConfiguration\": {\"ImageRepository\": {\"ImageIdentifier\": \"public.ecr.aws/aws-containers/hello-app-runner:latest\", \"ImageRepositoryType\": \"ECR_PUBLIC\"}, \"AutoDeploymentsEnabled\": false}}" >/dev/null
  done
fi

RD=("$BIN" services --output json --endpoint-url "$URL")
AWS=(aws apprunner list-services --output json --endpoint-url "$URL" --region us-east-1)
# Both must succeed and see the same services before anything is timed.
count() { python3 -c 'import json,sys;print(len(json.load(sys.stdin)["ServiceSummaryList"]))'; }
SERVICES=$("${RD[@]}" | count)
test "$SERVICES" = "$("${AWS[@]}" | count)"

quote() { printf '%q ' "$@"; }
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 3 --runs "$RUNS" -N --export-json "$WORK/bench.json" \
    -n runnerdeck "$(quote "${RD[@]}")" -n aws "$(quote "${AWS[@]}")" >&2
  read -r RD_MEAN AWS_MEAN < <(python3 -c '
import json,sys
r={x["command"]:x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
print(r["runnerdeck"], r["aws"])' "$WORK/bench.json")
else
  read -r RD_MEAN AWS_MEAN < <(python3 - "$RUNS" "$(quote "${RD[@]}")" "$(quote "${AWS[@]}")" <<'PY'
import shlex, subprocess, sys, time
runs = int(sys.argv[1])
def mean(cmd):
    argv = shlex.split(cmd)
    for _ in range(3): subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
    t = time.perf_counter()
    for _ in range(runs): subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - t) / runs
print(mean(sys.argv[2]), mean(sys.argv[3]))
PY
)
fi

rss() {  # peak RSS in MB of one run
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident set size/ {printf "%.1f", $2/1024}'
  else
    echo "n/a"
  fi
}
RD_RSS=$(rss "${RD[@]}")
AWS_RSS=$(rss "${AWS[@]}")

python3 - "$RD_MEAN" "$AWS_MEAN" "$RD_RSS" "$AWS_RSS" "$RUNS" "$SERVICES" <<'PY'
import sys
rd, aws, rd_rss, aws_rss, runs, services = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
print(f"{services} services, {runs} runs each, whole process, same local endpoint")
print(f"runnerdeck services --output json : {rd*1000:8.1f} ms   peak RSS {rd_rss} MB")
print(f"aws apprunner list-services        : {aws*1000:8.1f} ms   peak RSS {aws_rss} MB")
print(f"ratio (aws / runnerdeck)           : {aws/rd:8.1f}x   (issue 17 aims at >= 40x and a third of the memory)")
PY
