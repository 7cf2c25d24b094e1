"""Issue 41 item 5: every receipt (web, desk, Open311) carries what makes it verifiable,
and POST /v1/receipts/verify answers only what the receipt shows."""
from __future__ import annotations

import json

from tests.integration.helpers import H, submit


def _verify(client, body):
    return client.http.post("/v1/receipts/verify", headers=H, body=json.dumps(body))


def test_a_receipt_verifies_by_its_qr_token_and_by_number_and_short_code(client, application, aws_calls):
    receipt = submit(client, application)
    v = receipt["verification"]
    assert v["url"].endswith(f"/dogrula.html#r={v['token']}")
    aws_calls.reset()
    ok = _verify(client, {"token": v["token"]})
    assert ok.status_code == 200 and ok.json_body["valid"] is True
    assert aws_calls.count("dynamodb") == 0                      # the token is checked with the key alone
    body = ok.json_body
    assert body["application_no"] == receipt["application_no"] and body["office"]["name"] == receipt["office"]["name"]
    assert body["received_at"] == receipt["received_at"]
    shown = json.dumps(body, ensure_ascii=False)
    applicant = application["applicant"]
    assert applicant["last_name"] not in shown and application["subject"] not in shown     # nothing the receipt hides
    typed = _verify(client, {"application_no": receipt["application_no"].lower(),
                             "short_code": v["short_code"].replace("-", " ")})
    assert typed.json_body["valid"] is True and typed.json_body["application_no"] == receipt["application_no"]


def test_a_changed_receipt_fails_and_malformed_input_names_its_field(client, application):
    receipt = submit(client, application)
    token = receipt["verification"]["token"]
    parts = token.split(".")
    for i in (1, 2, 3, 4):                                       # number, office, time, subject digest
        changed = list(parts)
        changed[i] = changed[i][:-1] + ("A" if changed[i][-1] != "A" else "B") if i != 2 else "06-cankaya"
        if i == 4:
            changed[i] = changed[i][:-1] + ("0" if changed[i][-1] != "0" else "1")
        r = _verify(client, {"token": ".".join(changed)})
        assert r.status_code == 400 or r.json_body["valid"] is False, i        # unreadable, or not signed so
    wrong = _verify(client, {"application_no": receipt["application_no"], "short_code": "AAAAA-AAAAA"})
    assert wrong.status_code == 200 and wrong.json_body == {"valid": False, "message": wrong.json_body["message"]}
    bad = _verify(client, {"token": "merhaba"})
    assert bad.status_code == 400 and bad.json_body["error"]["field"] == "token"
    none = _verify(client, {"application_no": receipt["application_no"]})
    assert none.status_code == 400 and none.json_body["error"]["field"] == "short_code"
    assert _verify(client, {"application_no": receipt["application_no"], "short_code": "kısa"}).status_code == 400


def test_guessing_short_codes_is_throttled_like_tracking(client, application):
    receipt = submit(client, application)
    statuses = [_verify(client, {"application_no": receipt["application_no"], "short_code": f"AAAA{c}-AAAAA"}).status_code
                for c in "BCDEFG"]
    assert statuses[-1] == 429 and statuses[:5] == [200] * 5


def test_the_qr_code_is_drawn_only_for_a_receipt_this_deployment_signed(client, application):
    receipt = submit(client, application)
    token = receipt["verification"]["token"]
    ok = client.http.get(f"/v1/receipts/qr?r={token}")
    assert ok.status_code == 200 and ok.json_body["qr"].startswith("data:image/svg+xml")
    assert ok.json_body["url"] == receipt["verification"]["url"]
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.http.get(f"/v1/receipts/qr?r={forged}").status_code == 400
    assert client.http.get("/v1/receipts/qr?r=https://kotu.example").status_code == 400


def test_the_receipt_as_a_pdf_with_every_turkish_letter_its_code_and_its_verification(client, application):
    from io import BytesIO

    from pypdf import PdfReader
    receipt = submit(client, dict(application, subject="Çığ düşmüş, İşçi Ğ yolu kapalı"))
    no = receipt["application_no"]
    resp = client.http.get(f"/v1/applications/{no}/receipt.pdf",
                           headers={"X-Access-Code": receipt["access_code"], "Accept": "application/pdf"})
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/pdf"
    assert resp.body[:5] == b"%PDF-"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(resp.body)).pages)
    for shown in (no, receipt["access_code"], receipt["office"]["name"], "Çığ düşmüş, İşçi Ğ yolu kapalı",
                  receipt["verification"]["short_code"], "3071 sayılı Kanun", "izle.html#no="):
        assert shown in text, shown
    wrong = client.http.get(f"/v1/applications/{no}/receipt.pdf", headers={"X-Access-Code": "AAAAA-AAAAA"})
    assert wrong.status_code == 404
