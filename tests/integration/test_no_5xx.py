"""Nothing a client can send produces a 5xx: every route gets malformed, mistyped and
oversized input, with and without credentials."""
from __future__ import annotations

import json

import pytest

JUNK_BODIES = [
    b"", b"not json", b"[1, 2, 3]", b"null", b"123", b'"text"', b"{\"a\": ", "{\"ğ\": \"ş\"}".encode(),
    json.dumps({"type": 1, "category": [], "district": {}, "applicant": "x", "text": 5, "outcome": None,
                "version": "x", "institution_ids": "x", "rating": "five", "received_at": "yesterday"}).encode(),
    json.dumps({"version": 10 ** 30, "institution_ids": [None, 1, {}], "rating": 1e308, "limit": -1}).encode(),
    json.dumps({"x": "y" * 70_000}).encode(),
    b"\xff\xfe\x00garbage",
]
PATH_VALUES = ["AAAA-AAAA-AA", "ş", "%00", "x" * 300, "34-maltepe", "../../etc"]


def _paths(app):
    for path, methods in app.routes.items():
        for method in methods:
            if "{" in path:
                for value in PATH_VALUES:
                    concrete = path
                    for part in path.split("/"):
                        if part.startswith("{"):
                            concrete = concrete.replace(part, value)
                    yield method, concrete
            else:
                yield method, path


@pytest.mark.parametrize("auth", ["none", "garbage", "desk"])
def test_no_route_answers_5xx_to_junk(client, staff, auth):
    from app import app
    headers_by_auth = {"none": {}, "garbage": {"Authorization": "Bearer a.b.c", "X-Link-Token": "v1.k1.x.y",
                                                "X-Survey-Token": "zzz", "X-Access-Code": "ŞŞŞ", "If-Match": "W/x"},
                       "desk": staff.headers("masa.maltepe")}
    failures = []
    for method, path in _paths(app):
        bodies = JUNK_BODIES if method in ("POST", "PUT") else [None]
        for body in bodies:
            for content_type in (["application/json", "text/plain"] if body is not None else [None]):
                headers = dict(headers_by_auth[auth])
                if content_type:
                    headers["Content-Type"] = content_type
                kwargs = {"headers": headers}
                if body is not None:
                    kwargs["body"] = body
                resp = getattr(client.http, method.lower())(path, **kwargs)
                if resp.status_code >= 500:
                    failures.append((method, path, body[:40] if body else None, resp.status_code))
    assert failures == []
