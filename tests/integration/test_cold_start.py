"""A Lambda container's first invocation runs with the cyclic collector paused, and every
invocation after it with the collector on (chalicelib/coldstart.py); its first submission
imports only what a submission needs. Each case is a new Python process, as a container is."""
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


# What a container's first submission must not import: each was on that path once and cost
# every cold start its import (docs/performance.md, "Cold start"). A submission needs none.
KEPT_OFF_A_COLD_SUBMIT = (
    "chalicelib.domain.events",            # the 28 event dataclasses of the citizen's session
    "chalicelib.domain.schemas.requests",  # every other request model (pydantic builds each)
    "chalicelib.services.reference",       # the registry, its rules, the spreadsheet reader
    "chalicelib.domain.registry",
    "chalicelib.domain.spreadsheet",
    "chalicelib.services.delivery_methods",
    "chalicelib.services.tracking",
    "chalicelib.services.receipts",
    "chalicelib.services.citizen_session",
    "chalicelib.services.notification_map",
    "chalicelib.domain.office",
    "chalicelib.domain.audit",
    "chalicelib.domain.partners",
    "chalicelib.domain.principal",
    "chalicelib.domain.subject_requests",
    "chalicelib.domain.surveys",
    "chalicelib.api.responses.answers",
)

FIRST_SUBMIT = r"""
import json, os, sys
import tests.conftest                       # the test environment: table and queue names
from tests.conftest import VALID_APPLICATION
from moto import mock_aws
with mock_aws():
    from devstack.provision import provision
    os.environ.update(provision("local", "eu-central-1"))
    from chalicelib import bootstrap
    from chalicelib.services import reference
    reference.seed(bootstrap.ports())
    # the seeding imported what a new container has not: gone, so the submit imports anew
    for name in [m for m in sys.modules if m == "app" or m.startswith("chalicelib")]:
        del sys.modules[name]
    import app
    from chalice.test import Client
    with Client(app.app) as c:
        status = c.http.post("/v1/applications", body=json.dumps(VALID_APPLICATION),
                             headers={"Content-Type": "application/json"}).status_code
print(json.dumps({"status": status, "modules": sorted(m for m in sys.modules if m.startswith("chalicelib"))}))
"""


def test_a_cold_submission_imports_only_what_a_submission_needs():
    import os
    env = {k: v for k, v in os.environ.items() if k != "AWS_LAMBDA_FUNCTION_NAME"}
    out = subprocess.run([sys.executable, "-c", FIRST_SUBMIT], capture_output=True, text=True, env=env, cwd=ROOT,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["status"] == 201
    loaded = set(seen["modules"])
    # the submission went through its service and its adapters, imported anew
    assert {"chalicelib.services.applications", "chalicelib.adapters.dynamodb.cases",
            "chalicelib.domain.schemas.submission"} <= loaded
    assert sorted(m for m in loaded for kept in KEPT_OFF_A_COLD_SUBMIT if m == kept or m.startswith(kept + ".")) == []
