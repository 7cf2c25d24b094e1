"""The API answers a citizen in the language her page asked for (Accept-Language): the same
status, codes and fields, the messages in English or Arabic; Turkish otherwise."""
from __future__ import annotations

import json
import re

import pytest

from tests.integration.helpers import H

TURKISH_ONLY = re.compile("[çğışöüÇĞİŞÖÜ]")
ARABIC = re.compile("[\u0600-\u06FF]")


def _bad(application):
    bad = dict(application, channel="fax", subject="", place={"neighbourhood": "Caferağa Mahallesi"})   # Kadıköy's
    bad["applicant"] = dict(application["applicant"], national_id="12345678901", phone="123")
    return bad


def _post(client, body, lang=None):
    headers = {**H, **({"Accept-Language": lang} if lang else {})}
    return client.http.post("/v1/applications", headers=headers, body=json.dumps(body))


@pytest.mark.parametrize("lang, check", [
    ("en-GB,en;q=0.9", lambda m: not TURKISH_ONLY.search(m)),
    ("ar", lambda m: ARABIC.search(m) is not None),
])
def test_field_errors_in_the_chosen_language_with_the_same_codes(client, application, lang, check):
    turkish = _post(client, _bad(application))
    other = _post(client, _bad(application), lang)
    assert turkish.status_code == other.status_code == 422
    pairs = lambda r: [(e["field"], e["code"]) for e in r.json_body["errors"]]   # noqa: E731
    assert pairs(other) == pairs(turkish) and len(pairs(other)) == 5
    assert {("channel", "invalid_choice"), ("place.neighbourhood", "unknown_neighbourhood")} <= set(pairs(other))
    for tr, msg in zip(turkish.json_body["errors"], other.json_body["errors"]):
        assert msg["message"] != tr["message"] and check(msg["message"]), msg
    assert other.json_body["error"]["message"] == other.json_body["errors"][0]["message"]
    assert other.headers["Content-Language"] == lang[:2]


def test_the_choices_are_named_in_english(client, application):
    resp = _post(client, dict(application, channel="fax"), "en")
    [err] = resp.json_body["errors"]
    assert err["message"] == "Valid values for Channel: web or mobile app."


def test_not_found_in_arabic_and_an_unknown_language_gets_turkish(client):
    from chalicelib.domain.numbers import format_application_no, new_application_no
    no = format_application_no(new_application_no())     # well formed, and no such application
    for lang, expected in (("ar", "لا يوجد طلب"), ("fr-FR", "bulunamadı"), (None, "bulunamadı")):
        headers = {"X-Access-Code": "ABCDE-23456", **({"Accept-Language": lang} if lang else {})}
        resp = client.http.get(f"/v1/applications/{no}", headers=headers)
        assert resp.status_code == 404 and expected in resp.json_body["error"]["message"], (lang, resp.body)


def test_a_malformed_body_is_refused_in_english(client):
    resp = client.http.post("/v1/applications", headers={**H, "Accept-Language": "en"}, body="{not json")
    assert resp.status_code == 400 and resp.json_body["error"] == {"code": "invalid_json",
                                                                   "message": "The request body is not valid JSON."}


def test_a_receipt_check_answers_in_the_language(client):
    from chalicelib.domain.numbers import format_application_no, new_application_no
    body = {"application_no": format_application_no(new_application_no()), "short_code": "AAAAA-AAAAA"}
    resp = client.http.post("/v1/receipts/verify", headers={**H, "Accept-Language": "en"}, body=json.dumps(body))
    assert resp.status_code == 200 and resp.json_body["valid"] is False
    assert resp.json_body["message"].startswith("This receipt could not be verified")
    resp = client.http.post("/v1/receipts/verify", headers=H, body=json.dumps(body))
    assert resp.json_body["message"].startswith("Bu makbuz doğrulanamadı")
