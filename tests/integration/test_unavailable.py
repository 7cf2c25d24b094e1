"""A backend that accepts connections and never answers: requests end in seconds with
503 unavailable and Retry-After, nothing is half-written, liveness stays up and
readiness says which backend is down."""
from __future__ import annotations

import json
import socket
import time

import pytest


@pytest.fixture
def black_hole(monkeypatch):
    """A TCP port whose backlog accepts connections that are never read or answered."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{sock.getsockname()[1]}")
    from chalicelib import bootstrap
    bootstrap.reset()
    yield
    sock.close()
    monkeypatch.undo()
    bootstrap.reset()


def test_a_hung_backend_answers_503_within_seconds_and_readiness_names_it(black_hole, application):
    from chalice.test import Client

    from app import app
    with Client(app, stage_name="local") as client:
        started = time.monotonic()
        resp = client.http.post("/v1/applications", headers={"Content-Type": "application/json"},
                                body=json.dumps(application))
        submit_seconds = time.monotonic() - started
        assert resp.status_code == 503, resp.body
        assert resp.json_body["error"]["code"] == "unavailable" and resp.headers["Retry-After"] == "5"
        assert submit_seconds < 12, submit_seconds           # was 71-77 s with the default timeouts

        from chalicelib.domain import numbers
        no = numbers.format_application_no(numbers.new_application_no())
        tracked = client.http.get(f"/v1/applications/{no}", headers={"X-Access-Code": "AAAAA-AAAAA"})
        assert tracked.status_code == 503 and tracked.json_body["error"]["code"] == "unavailable"
        assert client.http.get("/v1/health").status_code == 200      # liveness calls no backend

        started = time.monotonic()
        ready = client.http.get("/v1/ready")
        assert time.monotonic() - started < 20
        assert ready.status_code == 503 and ready.headers["Retry-After"] == "5"
        body = ready.json_body
        assert body["status"] == "unavailable" and {k: v["ok"] for k, v in body["checks"].items()} == {
            "dynamodb": False, "sqs": False}
        assert "127.0.0.1" not in ready.body.decode()        # no endpoint or message leaks


def test_readiness_is_ready_when_both_backends_answer(client):
    resp = client.http.get("/v1/ready")
    assert resp.status_code == 200 and resp.json_body["status"] == "ready"
    assert set(resp.json_body["checks"]) == {"dynamodb", "sqs"}
