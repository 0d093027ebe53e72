#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz targets (Fuzz/Corpus/<target>/seed-*) from the wire samples.

Usage: fuzz-seeds.py SAMPLES_JSON CORPUS_DIR. The operation index is the position in the generated
AppRunnerOperation enum, which lists the operations in sorted order, like the samples file."""
import json
import os
import sys

samples_path, corpus = sys.argv[1], sys.argv[2]
with open(samples_path) as handle:
    samples = json.load(handle)
operations = sorted(samples)


def write(target, name, data):
    folder = os.path.join(corpus, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "seed-" + name), "wb") as handle:
        handle.write(data)


for index, name in enumerate(operations):
    sample = samples[name]
    write("FuzzDispatch", name, bytes([index]) + json.dumps(sample["input"]).encode())
    write("FuzzResponses", name, bytes([index]) + json.dumps(sample["output"]).encode())

errors = [
    (0, "x-amzn-ErrorType: InvalidRequestException:http://internal.amazon.com/\nx-amzn-RequestId: 1234\n",
     {"message": "bad request"}),
    (0, "", {"__type": "com.amazonaws.apprunner#ResourceNotFoundException", "Message": "no such service"}),
    (29, "", {"code": "ThrottlingException", "errorMessage": "Rate exceeded"}),
    (3, "x-amz-request-id: abc\n", {"Code": "InvalidSignatureException", "message": "Signature expired"}),
    (100, "", {"__type": "InternalServiceErrorException"}),
]
for number, (status, headers, body) in enumerate(errors):
    payload = bytes([len(operations), status]) + headers.encode() + b"\n" + json.dumps(body).encode()
    write("FuzzResponses", "error-%d" % number, payload)

headers = [
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/apprunner/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
    "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
    "AWS4-HMAC-SHA256 Credential=AKID/20261130/eu-west-1/apprunner/aws4_request,SignedHeaders=host,Signature=abc",
    "20150830T123600Z",
    "20261130T235959Z",
]
for number, text in enumerate(headers):
    write("FuzzSigV4", "header-%d" % number, text.encode())
