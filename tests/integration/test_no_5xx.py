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
    b'{"kvkk_acknowledged": false, "kvkk_acknowledged": true, "version": 1, "version": 2}',
    b'{"a": {"b": 1, "b": 2}}',
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


def _b64(obj) -> str:
    import base64
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


CRAFTED_CURSORS = [
    # the old unsigned format with a foreign key: the attack that used to reach DynamoDB
    _b64({"gsi1pk": {"S": "D#34-maltepe"}, "gsi1sk": {"N": "1"}, "pk": {"S": "x"}}),
    _b64({"gsi1pk": {"S": "D#34-maltepe"}, "gsi1sk": {"S": "2026"}, "pk": {"S": "CASE#X"}, "sk": {"S": "CASE"}}),
    _b64({"gsi1pk": {"S": "D#34-maltepe"}}) + ".0123456789abcdef0123456789abcdef",   # a made-up signature
    _b64([1, 2]) + ".x", "..", ".", "ş.ş", "A" * 5000, "%00",
]


@pytest.mark.parametrize("cursor", CRAFTED_CURSORS)
def test_a_crafted_queue_cursor_is_400_naming_the_cursor(client, staff, cursor):
    resp = client.http.get(f"/v1/staff/cases?district=34-maltepe&cursor={cursor}",
                           headers=staff.headers("masa.maltepe"))
    assert resp.status_code == 400, resp.body
    assert resp.json_body["error"]["code"] == "invalid_cursor" and resp.json_body["error"]["field"] == "cursor"


def test_a_cursor_from_one_filter_is_refused_for_another(client, staff, application):
    from tests.integration.helpers import submit
    for _ in range(3):
        submit(client, application)
    page = client.http.get("/v1/staff/cases?district=34-maltepe&limit=1", headers=staff.headers("masa.maltepe"))
    cursor = page.json_body["next_cursor"]
    assert cursor
    same = client.http.get(f"/v1/staff/cases?district=34-maltepe&limit=1&cursor={cursor}",
                           headers=staff.headers("masa.maltepe"))
    assert same.status_code == 200 and same.json_body["items"] != page.json_body["items"]
    other = client.http.get(f"/v1/staff/cases?district=34-maltepe&status=received&limit=1&cursor={cursor}",
                            headers=staff.headers("masa.maltepe"))
    assert other.status_code == 400
