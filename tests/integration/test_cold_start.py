"""A Lambda container's first invocation runs with the cyclic collector paused, and every
invocation after it with the collector on (chalicelib/coldstart.py). Each case is a new
Python process, as a container is."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROCESS = r"""
import gc, json, sys
import tests.conftest                       # the test environment: table and queue names
import app
from chalice.test import Client
seen = {"after_import": gc.isenabled()}
kind = sys.argv[1]
with Client(app.app, stage_name="local") as c:
    if kind == "http":
        seen["status"] = c.http.get("/v1/health").status_code
    elif kind == "sqs":                     # a poison message: handled without any AWS call
        event = c.events.generate_sqs_event(queue_name=app.ROUTING_QUEUE, message_bodies=["not json"])
        seen["result"] = c.lambda_.invoke("routing_worker", event).payload
    elif kind == "authorizer":              # its own Lambda function, which Chalice runs without middleware
        from chalicelib.api.staff import staff_authorizer
        seen["policy"] = staff_authorizer({"type": "TOKEN", "authorizationToken": "Bearer not-a-token",
                                           "methodArn": "arn:aws:execute-api:eu-central-1:123456789012:a1/api/GET/v1/staff/cases"},
                                          None)["principalId"]
    elif kind == "raises":
        def broken(event):
            raise RuntimeError("the handler failed")
        try:
            app.first_invocation(None, broken)
        except RuntimeError:
            seen["raised"] = True
seen["after_first"] = gc.isenabled()
seen["frozen"] = gc.get_freeze_count()
print(json.dumps(seen))
"""


def run(kind: str, lambda_env: bool) -> dict:
    import os
    env = {k: v for k, v in os.environ.items() if k != "AWS_LAMBDA_FUNCTION_NAME"}
    if lambda_env:
        env["AWS_LAMBDA_FUNCTION_NAME"] = "acikkapi-dev"
    out = subprocess.run([sys.executable, "-c", PROCESS, kind], capture_output=True, text=True, env=env, cwd=ROOT,
                         timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("kind", ["http", "sqs", "authorizer", "raises"])
def test_in_lambda_the_collector_waits_for_the_first_invocation_only(kind):
    seen = run(kind, lambda_env=True)
    assert seen["after_import"] is False           # paused while the first invocation imports the code
    assert seen["after_first"] is True             # and on again after it, whatever its outcome
    assert seen["frozen"] > 10_000                 # what was alive then is out of later collections
    if kind == "http":
        assert seen["status"] == 200
    elif kind == "sqs":
        assert len(seen["result"]["batchItemFailures"]) == 1   # the poison message, handed back to SQS
    elif kind == "authorizer":
        assert seen["policy"] == "anonymous"                    # a bad token: an empty policy (403)
    else:
        assert seen["raised"] is True


def test_outside_lambda_the_collector_is_never_paused():
    seen = run("http", lambda_env=False)
    assert seen == {"after_import": True, "status": 200, "after_first": True, "frozen": 0}
