"""Institutions answer through signed links: refusals, answers, concurrency,
attachments against moto S3, redirect, extension, confidentiality, audit."""
from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone

import pytest
import requests

from tests.integration.helpers import ANSWER, H, forwarded_case, outbox, route_all, tracked


def get(client, token):
    return client.http.get("/v1/institution/assignment", headers={"X-Link-Token": token})


def post(client, path, token, body):
    return client.http.post(f"/v1/institution/{path}", headers={**H, "X-Link-Token": token}, body=json.dumps(body))


def sign(token_claims, kid="k1"):
    from chalicelib.bootstrap import ports
    from chalicelib.domain.tokens import sign as _sign
    return _sign(token_claims, kid, ports().keys.signing_keys().keys.get(kid, b"x" * 32))


def claims_of(token):
    import base64
    payload = token.split(".")[2]
    p, subject, inst, gen, exp = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode().split("|")
    from chalicelib.domain.tokens import LinkClaims
    return LinkClaims(p, subject, inst, int(gen), int(exp))


def test_the_link_shows_what_a_clerk_needs(client, application, aws):
    receipt, token = forwarded_case(client, application, aws)
    resp = get(client, token)
    assert resp.status_code == 200
    v = resp.json_body
    assert v["application_no"] == receipt["application_no"]
    assert v["description"] == application["description"]
    assert v["institution"]["id"] == "34-maltepe.belediye"
    assert v["sla_due_date"] <= v["legal_due_date"]
    assert v["applicant"]["first_name"] == "Ayşe" and v["applicant"]["phone"] == "+90532*****67"   # masked until shared
    assert v["contact_shared"] is False and "+905321234567" not in str(v)
    assert v["applicant"]["national_id_masked"] == "100******46"
    assert "10000000146" not in resp.body.decode()
    assert v["read_only"] is False and v["can_extend"] is False
    from chalicelib.bootstrap import ports
    actions = [e["action"] for e in ports().audit.trail(receipt["application_no"].replace("-", ""))]
    assert actions == ["view"]


def test_confidential_identity_never_reaches_the_institution(client, application, aws):
    application.update(type="ihbar", category="uyusturucu_ihbar", confidential_identity=True)
    receipt, token = forwarded_case(client, application, aws)
    bodies = [get(client, token).body.decode(), post(client, "answer", token, ANSWER).body.decode(),
              get(client, token).body.decode()]
    # every mail but the citizen's own receipt (to ayse@example.com)
    mails = [m["body"] + m["subject"] for m in outbox()["email"] if m["to"] != ["ayse@example.com"]]
    assert mails
    for text in bodies + mails:
        for secret in ("Ayşe", "Yılmaz", "5321234567", "Cad. No:1", "100******46", "10000000146", "ayse@"):
            assert secret not in text
    assert json.loads(bodies[0])["identity_withheld"] is True and json.loads(bodies[0])["applicant"] is None


# --- refusals ------------------------------------------------------------------

def _refusal(resp, status, code):
    assert resp.status_code == status, resp.body
    err = resp.json_body["error"]
    assert err["code"] == code and err["message"] and not err["message"].isascii()  # Turkish text


def test_tampered_and_malformed_tokens_are_401(client, application, aws):
    _, token = forwarded_case(client, application, aws)
    head, kid, payload, sig = token.split(".")
    flipped = sig[:-2] + ("A" if sig[-2] != "A" else "B") + sig[-1]
    _refusal(get(client, ".".join([head, kid, payload, flipped])), 401, "link_invalid")
    other = claims_of(token)
    forged_payload = sign(type(other)(other.purpose, other.subject, "34-maltepe.emniyet", other.generation,
                                      other.expires_at)).split(".")[2]
    _refusal(get(client, ".".join([head, kid, forged_payload, sig])), 401, "link_invalid")
    _refusal(get(client, "not-a-token"), 401, "link_invalid")
    _refusal(client.http.get("/v1/institution/assignment"), 401, "link_invalid")


def test_unknown_key_id_is_401(client, application, aws):
    _, token = forwarded_case(client, application, aws)
    _refusal(get(client, sign(claims_of(token), kid="retired-key")), 401, "link_unknown_key")


def test_expired_link_is_410(client, application, aws):
    _, token = forwarded_case(client, application, aws)
    c = claims_of(token)
    past = int((datetime.now(timezone.utc) - timedelta(minutes=1)).timestamp())
    _refusal(get(client, sign(type(c)(c.purpose, c.subject, c.institution, c.generation, past))), 410, "link_expired")


def test_default_expiry_is_the_sla_due_date_plus_30_days(client, application, aws):
    _, token = forwarded_case(client, application, aws)
    from datetime import date
    v = get(client, token).json_body
    expires = datetime.fromtimestamp(claims_of(token).expires_at, tz=timezone.utc)
    from chalicelib.domain.calendar import ISTANBUL
    assert expires.astimezone(ISTANBUL).date() == date.fromisoformat(v["sla_due_date"]) + timedelta(days=30)


def test_revoked_link_is_410_and_the_new_one_works(client, application, aws):
    receipt, token = forwarded_case(client, application, aws)
    from chalicelib.bootstrap import ports
    from chalicelib.domain.events import LinkReissued
    from chalicelib.services.notification_map import tell
    repo = ports().cases
    case, [a] = repo.load_with_assignments(receipt["application_no"].replace("-", ""))
    a.link_generation += 1
    repo.commit(case, [a])
    tell(ports(), [LinkReissued(case, a)])
    route_all(aws)
    _refusal(get(client, token), 410, "link_revoked")
    new_links = [m["links"][0] for m in outbox()["email"] if m["links"][0].split("#t=")[1] != token]
    assert len(new_links) == 1
    assert get(client, new_links[0].split("#t=")[1]).status_code == 200


def test_closed_case_is_410(client, application, aws):
    receipt, token = forwarded_case(client, application, aws)
    from chalicelib.bootstrap import ports
    repo = ports().cases
    case, _ = repo.load_with_assignments(receipt["application_no"].replace("-", ""))
    from chalicelib.domain.case import Status
    case.status = Status.NOT_PROCESSED
    repo.save_case(case)
    _refusal(get(client, token), 410, "case_closed")


def test_once_the_case_is_closed_the_link_gives_back_only_the_institutions_own_answer(client, staff, application, aws):
    """Issue 41 item 8: closed means closed (410, no view, no action), but a clerk who
    answered still sees what the institution sent, read-only, and nothing else."""
    from tests.integration.helpers import act
    receipt, token = forwarded_case(client, application, aws)
    assert post(client, "answer", token, ANSWER).status_code == 200
    assert act(client, staff, receipt["application_no"], "conclude",
               {"outcome": "positive", "answer": "Kaldırım onarıldı; gerekçeli cevabımız."}).status_code == 200
    resp = get(client, token)
    _refusal(resp, 410, "case_closed")
    [own] = resp.json_body["error"]["own_answers"]
    assert own["text"] == ANSWER["text"] and own["responder_name"] == ANSWER["responder_name"]
    body = json.dumps(resp.json_body, ensure_ascii=False)
    assert application["applicant"]["last_name"] not in body and application["description"] not in body
    assert post(client, "answer", token, ANSWER).status_code == 410            # and no action
    # an institution that never answered gets the refusal alone
    other, other_token = forwarded_case(client, dict(application, subject="Sokak lambası yanmıyor"), aws)
    from chalicelib.bootstrap import ports
    from chalicelib.domain.case import Status
    case, _ = ports().cases.load_with_assignments(other["application_no"].replace("-", ""))
    case.status = Status.NOT_PROCESSED
    ports().cases.save_case(case)
    refused = get(client, other_token)
    _refusal(refused, 410, "case_closed")
    assert "own_answers" not in refused.json_body["error"]


def test_repeated_bad_tokens_from_one_client_are_throttled_but_a_valid_link_never_is(client, application, aws):
    _, token = forwarded_case(client, application, aws)
    for _ in range(10):
        assert get(client, "v1.k1.bad.token").status_code == 401
    resp = get(client, "v1.k1.bad.token")
    _refusal(resp, 429, "too_many_attempts")
    assert int(resp.headers["Retry-After"]) > 0
    assert get(client, token).status_code == 200      # same address (an institution's NAT): still served


# --- answering -----------------------------------------------------------------

def test_answer_moves_assignment_and_case_and_tells_the_office(client, application, aws):
    receipt, token = forwarded_case(client, application, aws)
    resp = post(client, "answer", token, ANSWER)
    assert resp.status_code == 200, resp.body
    v = resp.json_body
    assert v["status"] == "answered" and v["read_only"] is True
    assert v["answers"][0]["responder_title"] == "Fen İşleri Müdürü"
    assert tracked(client, receipt)["status"] == "institution_answered"
    again = post(client, "answer", token, ANSWER)
    _refusal(again, 409, "already_answered")
    route_all(aws)
    office = [m for m in outbox()["email"] if m["to"] == ["acikkapi@maltepe-kaymakamligi.example"]]
    assert {m["subject"].split(": ", 1)[1] for m in office} == {"Kurum cevap verdi", "Tüm kurumlar cevap verdi"}
    from chalicelib.bootstrap import ports
    assert [e["action"] for e in ports().audit.trail(receipt["application_no"].replace("-", ""))] == ["answer"]


def test_answer_field_errors_are_422_naming_the_field(client, application, aws):
    _, token = forwarded_case(client, application, aws)
    for body, field, code in [({**ANSWER, "text": "x" * 10001}, "text", "too_long"),
                              ({**ANSWER, "outcome": "maybe"}, "outcome", "invalid_choice"),
                              ({k: v for k, v in ANSWER.items() if k != "responder_name"}, "responder_name",
                               "required")]:
        resp = post(client, "answer", token, body)
        assert resp.status_code == 422 and resp.json_body["error"]["field"] == field
        assert resp.json_body["error"]["code"] == code
    assert get(client, token).json_body["status"] == "sent"


def test_two_answers_at_once_exactly_one_wins(client, application, aws):
    receipt, token = forwarded_case(client, application, aws)
    from chalicelib.bootstrap import ports
    from chalicelib.domain.errors import AppError
    from chalicelib.services import institution
    from tests.helpers import Captured, real_ports
    outcomes, barrier = [], threading.Barrier(2)

    def go(text):
        barrier.wait()
        try:
            institution.answer(real_ports(publisher=Captured()), token, {**ANSWER, "text": text}, client="10.0.0.1")
            outcomes.append(200)
        except AppError as err:
            outcomes.append((err.status, err.code))

    threads = [threading.Thread(target=go, args=(f"Cevap {i} metni",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes, key=str) == sorted([200, (409, "already_answered")], key=str)
    case, [a] = ports().cases.load_with_assignments(receipt["application_no"].replace("-", ""))
    assert len(a.answers) == 1 and a.status == "answered" and case.status == "institution_answered"


def test_a_returned_answer_can_be_answered_again_on_the_same_link(client, application, aws):
    receipt, token = forwarded_case(client, application, aws)
    assert post(client, "answer", token, ANSWER).status_code == 200
    from chalicelib.bootstrap import ports
    from chalicelib.domain.case import Status
    repo = ports().cases
    case, [a] = repo.load_with_assignments(receipt["application_no"].replace("-", ""))
    from chalicelib.domain.assignment import AssignmentStatus
    a.status = AssignmentStatus.RETURNED
    case.transition(Status.FORWARDED, datetime.now(timezone.utc))
    repo.commit(case, [a])
    assert post(client, "answer", token, {**ANSWER, "text": "Düzeltilmiş cevap metni."}).status_code == 200
    assert len(get(client, token).json_body["answers"]) == 2
    assert tracked(client, receipt)["status"] == "institution_answered"


def test_redirect_marks_the_assignment_and_hands_the_case_back(client, application, aws):
    receipt, token = forwarded_case(client, application, aws)
    resp = post(client, "redirect", token, {"reason": "Konu karayolları bölge müdürlüğünün yetkisindedir.",
                                            "suggested_institution": "Karayolları 1. Bölge Müdürlüğü"})
    assert resp.status_code == 200 and resp.json_body["status"] == "redirected"
    assert tracked(client, receipt)["status"] == "in_review"
    route_all(aws)
    [office] = [m for m in outbox()["email"] if m["to"] == ["acikkapi@maltepe-kaymakamligi.example"]]
    assert "görev alanı dışında" in office["subject"] and "Karayolları" in office["body"]
    _refusal(post(client, "answer", token, ANSWER), 409, "already_answered")


# --- extension (Law 4982) --------------------------------------------------------

def test_extension_for_an_information_request(client, application, aws):
    application.update(type="bilgi_edinme", category="okul_kayit")
    receipt, token = forwarded_case(client, application, aws)
    assert get(client, token).json_body["can_extend"] is True
    _refusal(post(client, "extension", token, {"reason": "İl müdürlüğünün görüşü alınması gerekmektedir."}), 422,
             "required")                                   # the statutory ground is named (4982 art. 11/2)
    resp = post(client, "extension", token, {"ground": "other_institution",
                                             "reason": "İl müdürlüğünün görüşü alınması gerekmektedir."})
    assert resp.status_code == 200
    from datetime import date

    from chalicelib.domain.calendar import default_calendar
    received = date.fromisoformat(receipt["received_at"][:10])
    assert resp.json_body["legal_due_date"] == default_calendar().legal_due_4982(received, extended=True).isoformat()
    view = tracked(client, receipt)
    assert view["legal_due_date"] == resp.json_body["legal_due_date"]
    assert "uzatıldı" in view["history"][-1]["note"] and "başka bir kurumun görüşünün" in view["history"][-1]["note"]
    route_all(aws)
    assert any("uzatıldı" in m["body"] for m in outbox()["sms"])
    _refusal(post(client, "extension", token, {"ground": "other_unit", "reason": "İkinci kez uzatma isteği."}), 409, "already_extended")
    _refusal(post(client, "extension", token, {"ground": "other_unit", "reason": "kısa"}), 422, "too_short")


def test_extension_is_refused_for_other_types_and_after_15_working_days(client, application, aws):
    _, token = forwarded_case(client, application, aws)
    _refusal(post(client, "extension", token, {"ground": "other_institution",
                                                       "reason": "Başka kurum görüşü gerekiyor."}), 409,
             "extension_not_applicable")
    application.update(type="bilgi_edinme", category="okul_kayit", subject="Bilgi istiyorum")
    _, token2 = forwarded_case(client, application, aws)
    from chalicelib.domain.errors import Conflict
    from chalicelib.services import institution
    from tests.helpers import Captured, real_ports
    late = datetime.now(timezone.utc) + timedelta(days=25)
    with pytest.raises(Conflict) as exc:
        institution.extension(real_ports(now=late, publisher=Captured()), token2,
                              {"ground": "other_unit", "reason": "Başka kurum görüşü gerekiyor."}, client="10.0.0.2")
    assert exc.value.code == "extension_window_closed"


# --- attachments -----------------------------------------------------------------

def _real_pdf() -> bytes:
    import io

    from pypdf import PdfWriter
    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(out)
    return out.getvalue()


PDF = _real_pdf()
HTML_AS_PDF = b"%PDF-1.7\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n"


def upload(client, token, content, content_type="application/pdf", filename="yanit.pdf", declared_size=None):
    resp = post(client, "attachments", token, {"filename": filename, "content_type": content_type,
                                               "size": declared_size or len(content)})
    assert resp.status_code == 201, resp.body
    form = resp.json_body["upload"]
    assert ["content-length-range", 1, 10 * 1024 * 1024] in json.loads(
        __import__("base64").b64decode(form["fields"]["policy"]))["conditions"]
    r = requests.post(form["url"], data=form["fields"], files={"file": (filename, content, content_type)})
    assert r.status_code in (200, 204), r.text
    return {"id": resp.json_body["attachment_id"], "filename": filename}


def test_attachment_full_flow_against_s3(client, application, aws):
    _, token = forwarded_case(client, application, aws)
    name = 'Yanıt "son" hâli; X-Evil: 1%0d.pdf'
    ref = upload(client, token, PDF, filename=name)
    resp = post(client, "answer", token, {**ANSWER, "attachments": [ref]})
    assert resp.status_code == 200, resp.body
    [file] = resp.json_body["answers"][0]["attachments"]
    assert file["filename"] == name
    got = requests.get(file["url"])
    assert got.content == PDF and got.headers["Content-Type"] == "application/pdf"
    disposition = got.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ") and "\r" not in disposition and "\n" not in disposition
    assert "filename*=UTF-8''Yan%C4%B1t%20%22son%22%20h%C3%A2li%3B%20X-Evil%3A%201%250d.pdf" in disposition
    assert 'filename="Yan_t _son_ h_li_ X-Evil: 1_0d.pdf"' in disposition


def test_a_file_that_only_starts_like_a_pdf_is_refused(client, application, aws):
    _, token = forwarded_case(client, application, aws)
    html = upload(client, token, HTML_AS_PDF, filename="fatura.pdf")
    truncated = upload(client, token, PDF[: len(PDF) // 2], filename="yarim.pdf")
    resp = post(client, "answer", token, {**ANSWER, "attachments": [html, truncated]})
    assert resp.status_code == 422
    assert [(e["field"], e["code"]) for e in resp.json_body["errors"]] == [
        ("attachments.0", "attachment_unreadable"), ("attachments.1", "attachment_unreadable")]
    assert get(client, token).json_body["status"] == "sent"


def test_an_institution_image_is_checked_and_stripped_as_a_citizens_is(client, application, aws):
    """Issue 36: institution images were checked on their first 16 bytes only. A JPEG header
    in front of anything else, or a bomb, is refused; a real photo loses its EXIF and GPS."""
    from io import BytesIO

    from PIL import Image

    from tests.unit.test_citizen_photos import _png_header, jpeg_with_gps
    _, token = forwarded_case(client, application, aws)
    lookalike = upload(client, token, b"\xff\xd8\xff\xe0" + b"<html>not a photo</html>" * 10, "image/jpeg", "foto.jpg")
    bomb = upload(client, token, _png_header(13_000, 13_000), "image/png", "plan.png")
    resp = post(client, "answer", token, {**ANSWER, "attachments": [lookalike, bomb]})
    assert resp.status_code == 422
    assert [(e["field"], e["code"]) for e in resp.json_body["errors"]] == [
        ("attachments.0", "image_unreadable"), ("attachments.1", "image_too_large")]
    photo = upload(client, token, jpeg_with_gps(), "image/jpeg", "saha.jpg")
    resp = post(client, "answer", token, {**ANSWER, "attachments": [photo]})
    assert resp.status_code == 200, resp.body
    [file] = resp.json_body["answers"][0]["attachments"]
    body = requests.get(file["url"]).content
    assert dict(Image.open(BytesIO(body)).getexif()) == {} and b"Telefonum" not in body


def test_attachment_refusals(client, application, aws):
    _, token = forwarded_case(client, application, aws)
    bad_type = post(client, "attachments", token, {"filename": "a.txt", "content_type": "text/plain", "size": 3})
    assert bad_type.status_code == 422 and bad_type.json_body["error"]["field"] == "content_type"
    too_big = post(client, "attachments", token, {"filename": "a.pdf", "content_type": "application/pdf",
                                                 "size": 10 * 1024 * 1024 + 1})
    assert too_big.status_code == 422 and too_big.json_body["error"]["field"] == "size"
    # what the POST policy would refuse in AWS, but moto stores: the server checks after upload
    fake_png = upload(client, token, b"just text, not a picture", "image/png", "foto.png")
    oversized = upload(client, token, b"%PDF-" + b"0" * (10 * 1024 * 1024), declared_size=1000)
    missing = {"id": "0" * 32, "filename": "yok.pdf"}
    resp = post(client, "answer", token, {**ANSWER, "attachments": [fake_png, oversized, missing]})
    assert resp.status_code == 422
    assert [(e["field"], e["code"]) for e in resp.json_body["errors"]] == [
        ("attachments.0", "attachment_content_mismatch"), ("attachments.1", "attachment_too_large"),
        ("attachments.2", "attachment_missing")]
    assert get(client, token).json_body["status"] == "sent"  # nothing half-written
