"""The office over chalice.test.Client + moto: authorization matrix, desk intake,
triage, forwarding, evaluation, conclusion, reopening, optimistic locking, audit."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import jwt
import pytest

from tests.integration.helpers import (ANSWER, act, detail, forwarded_case, inst_post, outbox, route_all, staff_post,
                                       submit, tracked)


# --- the authorization matrix --------------------------------------------------------

def _forged(staff, *, expired=False, other_key=False, user="masa.maltepe", **changes):
    import gzip
    from pathlib import Path

    import moto.cognitoidp as cognito
    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.algorithms import RSAAlgorithm
    claims = jwt.decode(staff.token(user), options={"verify_signature": False})
    claims.update(changes)
    if expired:
        claims.update(iat=claims["iat"] - 7200, exp=claims["iat"] - 3600)
    if other_key:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        jwk = json.loads(gzip.decompress((Path(cognito.__file__).parent / "resources" /
                                          "jwks-private.json.gz").read_bytes()))
        key = RSAAlgorithm.from_jwk(json.dumps(jwk["keys"][0] if "keys" in jwk else jwk))
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "dummy"})


ACTORS = ["none", "expired", "other_key", "desk_other", "desk", "supervisor", "province_other", "admin"]
USERS = {"desk_other": "masa.cankaya", "desk": "masa.maltepe", "supervisor": "sorumlu.maltepe",
         "province_other": "il.ankara", "admin": "yonetici"}


def _headers(staff, actor):
    if actor == "none":
        return {"Content-Type": "application/json"}
    if actor in ("expired", "other_key"):
        token = _forged(staff, expired=actor == "expired", other_key=actor == "other_key")
        return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    return staff.headers(USERS[actor])


OFFICE = {"desk", "supervisor"}
ENDPOINTS = [  # (method, path template, body, allowed actors)
    ("GET", "/v1/staff/me", None, {"desk_other", "desk", "supervisor", "province_other", "admin"}),
    ("GET", "/v1/staff/cases?district=34-maltepe", None, OFFICE),
    ("GET", "/v1/staff/dashboard?district=34-maltepe", None, OFFICE),
    ("GET", "/v1/staff/dashboard/province?province=34", None, {"admin"}),    # and il.istanbul: test_province_views
    ("GET", "/v1/staff/cases/{no}", None, OFFICE),
    ("POST", "/v1/staff/cases/{no}/reveal", {}, OFFICE),
    ("GET", "/v1/staff/cases/{no}/audit", None, {"supervisor"}),
    ("POST", "/v1/staff/intake", "intake", OFFICE),
    ("POST", "/v1/staff/cases/{no}/triage", {"category": "park_bahce", "reason": "Konu yanlış seçilmiş"}, OFFICE),
    ("POST", "/v1/staff/cases/{no}/forward", {"institution_ids": ["34-maltepe.emniyet"]}, OFFICE),
    ("POST", "/v1/staff/cases/{no}/not-processed", {"reason_code": "no_clear_subject",
                                                    "explanation": "Konu anlaşılamadı."}, OFFICE),
    ("POST", "/v1/staff/cases/{no}/merge", {"into": "AAAA-AAAA-AA", "explanation": "Aynı konu."}, OFFICE),
    ("POST", "/v1/staff/cases/{no}/refer", {"ground": "competent_authority", "institution_id": "34-maltepe.yok",
                                            "explanation": "Başka merciin görevi."}, OFFICE),
    ("POST", "/v1/staff/cases/{no}/request-info", {"message": "Adresi netleştiriniz lütfen."}, OFFICE),
    ("POST", "/v1/staff/cases/{no}/evaluate", {"institution_id": "34-maltepe.belediye", "decision": "accept"},
     OFFICE),
    ("POST", "/v1/staff/cases/{no}/interim-answer", {"text": "Başvurunuz üzerinde çalışılıyor."}, OFFICE),
    ("POST", "/v1/staff/cases/{no}/conclude", {"outcome": "positive", "answer": "Gerekçeli son cevap metni."},
     OFFICE),
    ("POST", "/v1/staff/cases/{no}/reopen", {"reason": "Yeni bilgi ortaya çıktı."}, {"supervisor"}),
    ("POST", "/v1/staff/cases/{no}/revoke-link", {"institution_id": "34-maltepe.belediye"}, OFFICE),
    ("POST", "/v1/staff/cases/{no}/information-received", {"channel": "phone", "text": "Adres: Çınar Sok. 3"},
     OFFICE),
    ("POST", "/v1/staff/cases/{no}/extend", {"ground": "other_unit", "explanation": "Arşiv birimi görüşü."},
     OFFICE),
    ("POST", "/v1/staff/cases/{no}/share-contact", {"institution_id": "34-maltepe.belediye",
                                                     "reason": "Ekip adresi bulamıyor."}, OFFICE),
    ("POST", "/v1/staff/cases/{no}/acknowledge", {"message": "Teşekkürünüz için sağ olun."}, OFFICE),
    # a place's institutions and its office's settings: the national admin, and the office's own supervisor
    ("GET", "/v1/staff/districts/34-maltepe", None, {"admin", "supervisor"}),
    ("PUT", "/v1/staff/districts/34-maltepe", "district", {"admin", "supervisor"}),
    ("GET", "/v1/staff/offices/34-maltepe", None, {"admin", "supervisor"}),
    ("PUT", "/v1/staff/offices/34-maltepe", "office", {"admin", "supervisor"}),
    ("POST", "/v1/staff/districts/34-maltepe/institutions/34-maltepe.belediye/confirm-link", {},
     {"admin", "supervisor"}),
    ("POST", "/v1/staff/districts/34-maltepe/institutions/34-maltepe.belediye/inbox-link", {"action": "revoke"},
     {"admin", "supervisor"}),
    # staff: the national admin anyone; a province admin the offices of the province (Ankara's,
    # for Çankaya's clerk); a supervisor the desk staff of her office
    ("GET", "/v1/staff/users/masa.cankaya", None, {"admin", "province_other"}),
    ("PUT", "/v1/staff/users/masa.cankaya", {"role": "desk", "district": "06-cankaya", "enabled": True,
                                              "version": 999}, {"admin", "province_other"}),
    ("POST", "/v1/staff/users/masa.cankaya/reset-mfa", {}, {"admin", "province_other"}),   # 409: no e-mail on file
    ("GET", "/v1/staff/users?office=34-maltepe", None, {"admin", "supervisor"}),
    ("POST", "/v1/staff/users", {"username": "yeni.maltepe", "name": "Yeni Katip", "email": "yeni@maltepe.example",
                                 "role": "desk", "district": "34-maltepe"}, {"admin", "supervisor"}),
    ("GET", "/v1/staff/admin-audit?subject=OFFICE-34-maltepe", None, {"admin", "supervisor"}),
    ("POST", "/v1/staff/cases/{no}/dismiss-repeat", {"reason": "Farklı bir konu, tekrar değil."}, OFFICE),
    ("GET", "/v1/staff/cases/{no}/same-applicant", None, OFFICE),
    ("GET", "/v1/staff/cases/{no}/related", None, OFFICE),
    ("GET", "/v1/staff/cases/export", None, {"supervisor"}),
    ("POST", "/v1/staff/cases/{no}/legal-hold", {"reason": "Dava açıldı, dosya saklanmalı."}, {"supervisor"}),
    ("POST", "/v1/staff/cases/{no}/release-hold", {"reason": "Dava sonuçlandı, karar kesin."}, {"supervisor"}),
    ("GET", "/v1/staff/destruction-log", None, {"supervisor"}),
    ("POST", "/v1/staff/kvkk/requests", {}, {"supervisor"}),
    ("GET", "/v1/staff/kvkk/requests", None, {"supervisor"}),
    ("GET", "/v1/staff/kvkk/requests/{request_id}", None, {"supervisor"}),
    ("GET", "/v1/staff/kvkk/requests/{request_id}/copy", None, {"supervisor"}),
    ("POST", "/v1/staff/kvkk/requests/{request_id}/correct", {}, {"supervisor"}),
    ("POST", "/v1/staff/kvkk/requests/{request_id}/erase", {}, {"supervisor"}),
    ("POST", "/v1/staff/kvkk/requests/{request_id}/close", {}, {"supervisor"}),
    ("GET", "/v1/staff/partners", None, {"admin"}),
    ("POST", "/v1/staff/partners", {"name": "Deneme", "contact": "d@d.example", "districts": ["34-maltepe"]},
     {"admin"}),
    ("POST", "/v1/staff/partners/{partner_id}/revoke", {}, {"admin"}),
]


def test_every_staff_endpoint_admits_exactly_the_allowed_actors(client, staff, application, aws):
    from tests.conftest import VALID_APPLICATION
    receipt, _ = forwarded_case(client, application, aws)
    no = receipt["application_no"]
    intake = dict(VALID_APPLICATION, channel="face_to_face")
    district = {"institutions": [], "version": 999}
    office = {"email": "acikkapi@maltepe-kaymakamligi.example", "onboarded": True, "version": 999}
    from app import app
    from chalicelib.services.office import ACTIONS
    staff_routes = {(p.replace("{action}", name), m) for p, e in app.routes.items() for m in e
                    if p.startswith("/v1/staff") and not p.startswith("/v1/staff/session")
                    for name in (ACTIONS if "{action}" in p else ["{action}"])}     # every declared action
    covered = {(path.split("?")[0].replace("{no}", "{application_no}").replace("34-maltepe.belediye", "{institution_id}")
                .replace("34-maltepe", "{district}")
                if "districts" in path else path.split("?")[0].replace("34-maltepe", "{code}")
                if "offices" in path else path.split("?")[0].replace("{no}", "{application_no}")
                .replace("masa.cankaya", "{username}"), method)
               for method, path, _, _ in ENDPOINTS}
    assert covered == staff_routes, "the matrix must cover every staff endpoint"
    failures = []
    for method, path, body, allowed in ENDPOINTS:
        url = path.replace("{no}", no)
        if body == "intake":
            body = intake
        elif body == "district":
            body = district
        elif body == "office":
            body = office
        elif isinstance(body, dict) and url.split("/")[-1] not in ("reveal",) and "cases/" in url:
            body = {**body, "version": 999}  # stale on purpose: authorization is decided first, nothing changes
        for actor in ACTORS:
            kwargs = {"headers": _headers(staff, actor)}
            if body is not None:
                kwargs["body"] = json.dumps(body)
            resp = getattr(client.http, method.lower())(url, **kwargs)
            admitted = resp.status_code not in (401, 403)
            if admitted != (actor in allowed):
                failures.append((method, path, actor, resp.status_code))
            if actor in ("none",):
                assert resp.status_code == 401
            if actor in ("expired", "other_key") and resp.status_code != 403:
                failures.append((method, path, actor, resp.status_code))
    assert failures == []
    assert detail(client, staff, no)["status"] == "forwarded"  # nothing changed


def test_province_users_read_their_province_only(client, staff, application, aws):
    receipt, _ = forwarded_case(client, application, aws)
    ok = client.http.get("/v1/staff/cases", headers=staff.headers("il.istanbul"))
    assert ok.status_code == 200 and [i["application_no"] for i in ok.json_body["items"]] == [receipt["application_no"]]
    assert client.http.get(f"/v1/staff/cases/{receipt['application_no']}",
                           headers=staff.headers("il.istanbul")).status_code == 200
    denied = act(client, staff, receipt["application_no"], "interim-answer", {"text": "Çalışılıyor, bekleyiniz."},
                 user="il.istanbul")
    assert denied.status_code == 403


def test_sign_in_errors(client, staff):
    resp = client.http.post("/v1/staff/session", headers={"Content-Type": "application/json"},
                            body=json.dumps({"username": "masa.maltepe", "password": "wrong-password-1"}))
    assert resp.status_code == 401 and resp.json_body["error"]["code"] == "invalid_credentials"
    resp = client.http.post("/v1/staff/session", headers={"Content-Type": "application/json"},
                            body=json.dumps({"username": "masa.maltepe"}))
    assert resp.status_code == 422 and resp.json_body["error"]["field"] == "password"


# --- desk intake ------------------------------------------------------------------

def test_desk_intake_with_a_past_received_at_counts_the_deadline_from_it(client, staff, aws):
    from chalicelib import bootstrap
    from tests.conftest import VALID_APPLICATION
    from tests.helpers import real_ports
    bootstrap.override(real_ports(now=datetime(2026, 1, 15, 9, tzinfo=timezone.utc)))
    received = datetime(2026, 1, 4, 21, 30, tzinfo=timezone.utc)    # 00:30 on Mon 5 Jan in İstanbul
    body = dict(VALID_APPLICATION, channel="face_to_face", received_at=received.isoformat())
    resp = staff_post(client, staff, "masa.maltepe", "/v1/staff/intake", body)
    assert resp.status_code == 201, resp.body
    assert resp.json_body["legal_due_date"] == "2026-02-04"      # 5 Jan + 30 days, a Wednesday
    assert resp.json_body["received_at"] == "2026-01-05T00:30:00+03:00"
    route_all(aws)
    assert any("numarasıyla alındı" in m["body"] for m in outbox()["sms"])
    view = detail(client, staff, resp.json_body["application_no"])
    assert view["channel"] == "face_to_face" and view["history"][0]["actor"] == "masa.maltepe"


@pytest.mark.parametrize("delta, code", [(timedelta(days=1), "in_future"), (timedelta(days=-31), "too_old")])
def test_desk_intake_refuses_future_and_too_old_receipts(client, staff, aws, delta, code):
    from tests.conftest import VALID_APPLICATION
    body = dict(VALID_APPLICATION, channel="phone", received_at=(datetime.now(timezone.utc) + delta).isoformat())
    resp = staff_post(client, staff, "masa.maltepe", "/v1/staff/intake", body)
    assert resp.status_code == 422
    assert (resp.json_body["error"]["field"], resp.json_body["error"]["code"]) == ("received_at", code)


def test_desk_intake_validates_like_the_citizen_api(client, staff, aws):
    from tests.conftest import VALID_APPLICATION
    body = dict(VALID_APPLICATION, channel="web")
    resp = staff_post(client, staff, "masa.maltepe", "/v1/staff/intake", body)
    assert resp.status_code == 422 and resp.json_body["error"]["field"] == "channel"
    body = dict(VALID_APPLICATION, channel="phone", applicant=dict(VALID_APPLICATION["applicant"],
                                                                   national_id="12345678901"))
    resp = staff_post(client, staff, "masa.maltepe", "/v1/staff/intake", body)
    assert resp.status_code == 422 and resp.json_body["error"]["field"] == "applicant.national_id"


# --- detail, reveal, audit -----------------------------------------------------------

def test_detail_masks_and_reveal_is_audited(client, staff, application, aws):
    receipt, _ = forwarded_case(client, application, aws)
    no = receipt["application_no"]
    view = detail(client, staff, no)
    assert view["applicant"]["national_id_masked"] == "100******46"
    text = json.dumps(view, ensure_ascii=False)
    assert "10000000146" not in text and "5321234567" not in text
    assert view["assignments"][0]["institution_id"] == "34-maltepe.belediye"
    revealed = staff_post(client, staff, "masa.maltepe", f"/v1/staff/cases/{no}/reveal", {})
    assert revealed.json_body["national_id"] == "10000000146"
    audit = client.http.get(f"/v1/staff/cases/{no}/audit", headers=staff.headers("sorumlu.maltepe")).json_body
    actions = [(e["actor"], e["action"]) for e in audit["entries"]]
    assert ("masa.maltepe", "view") in actions and ("masa.maltepe", "reveal") in actions
    assert all(e["source_ip"] for e in audit["entries"])


def test_audit_records_cannot_be_altered_through_any_endpoint(client):
    from app import app
    for path, entries in app.routes.items():
        if "audit" in path:
            assert set(entries) == {"GET"}


# --- queue ----------------------------------------------------------------------------

def test_queue_is_sorted_by_legal_due_date_filtered_and_paginated_by_index_queries(client, staff, aws, aws_calls):
    from tests.conftest import VALID_APPLICATION
    nos = []
    for days_ago in (5, 20, 12):  # receipt dates decide the legal due dates
        received = (datetime.now(timezone.utc) - timedelta(days=days_ago)).isoformat()
        body = dict(VALID_APPLICATION, channel="face_to_face", received_at=received,
                    category="park_bahce" if days_ago == 12 else "yol_kaldirim")
        nos.append(staff_post(client, staff, "masa.maltepe", "/v1/staff/intake", body).json_body["application_no"])
    aws_calls.reset()
    page1 = client.http.get("/v1/staff/cases?limit=2", headers=staff.headers("masa.maltepe")).json_body
    page2 = client.http.get(f"/v1/staff/cases?limit=2&cursor={page1['next_cursor']}",
                            headers=staff.headers("masa.maltepe")).json_body
    listed = [i["application_no"] for i in page1["items"] + page2["items"]]
    assert listed == [nos[1], nos[2], nos[0]]  # oldest receipt = earliest legal due date first
    assert page2["next_cursor"] is None
    assert set(aws_calls.operations("dynamodb")) == {"Query"}
    by_category = client.http.get("/v1/staff/cases?category=park_bahce", headers=staff.headers("masa.maltepe"))
    assert [i["application_no"] for i in by_category.json_body["items"]] == [nos[2]]
    by_status = client.http.get("/v1/staff/cases?status=received", headers=staff.headers("masa.maltepe"))
    assert len(by_status.json_body["items"]) == 3
    by_no = client.http.get(f"/v1/staff/cases?application_no={nos[0]}", headers=staff.headers("masa.maltepe"))
    assert [i["application_no"] for i in by_no.json_body["items"]] == [nos[0]]
    bad = client.http.get("/v1/staff/cases?cursor=garbage", headers=staff.headers("masa.maltepe"))
    assert bad.status_code == 400 and bad.json_body["error"]["field"] == "cursor"
    other = client.http.get("/v1/staff/cases", headers=staff.headers("masa.cankaya")).json_body
    assert other["items"] == []


# --- actions, transitions, locking ------------------------------------------------------

def test_stale_version_is_409_with_the_current_state(client, staff, application, aws):
    receipt, _ = forwarded_case(client, application, aws)
    no = receipt["application_no"]
    seen = detail(client, staff, no)["version"]
    assert act(client, staff, no, "interim-answer", {"text": "İlk ara bilgi metnimiz."}, version=seen).status_code == 200
    stale = act(client, staff, no, "interim-answer", {"text": "İkinci ara bilgi metni."}, version=seen)
    assert stale.status_code == 409
    err = stale.json_body["error"]
    assert err["code"] == "stale_version" and err["current_version"] == seen + 1
    assert err["current_status"] == "forwarded"
    missing = staff_post(client, staff, "masa.maltepe", f"/v1/staff/cases/{no}/interim-answer",
                         {"text": "Sürümsüz bir istek metni."})
    assert missing.status_code == 428 and missing.json_body["error"]["field"] == "version"
    via_header = client.http.post(f"/v1/staff/cases/{no}/interim-answer",
                                  headers={**staff.headers("masa.maltepe"), "If-Match": f'"{seen + 1}"'},
                                  body=json.dumps({"text": "Başlıkla gönderilen ara bilgi."}))
    assert via_header.status_code == 200


def test_illegal_transition_is_409_with_the_current_status(client, staff, application, aws):
    receipt, _ = forwarded_case(client, application, aws)
    resp = act(client, staff, receipt["application_no"], "conclude",
               {"outcome": "positive", "answer": "Kurum cevabı beklenmeden sonuç."})
    assert resp.status_code == 409
    assert resp.json_body["error"]["code"] == "illegal_transition"
    assert resp.json_body["error"]["current_status"] == "forwarded"


def test_triage_then_forward_to_chosen_institutions(client, staff, application, aws):
    application.update(district="06-cankaya", category="yol_kaldirim")
    receipt = submit(client, application)
    route_all(aws)
    no = receipt["application_no"]
    assert detail(client, staff, no, "masa.cankaya")["status"] == "in_review"
    r = act(client, staff, no, "triage", {"category": "okul_servis", "reason": "Konu okul servisleriyle ilgili."},
            user="masa.cankaya")
    assert r.status_code == 200 and r.json_body["category"] == "okul_servis"
    bad = act(client, staff, no, "forward", {"institution_ids": ["34-maltepe.belediye"]}, user="masa.cankaya")
    assert bad.status_code == 422 and bad.json_body["error"]["field"] == "institution_ids.0"
    r = act(client, staff, no, "forward", {"institution_ids": ["06-cankaya.egitim", "06-cankaya.emniyet"]},
            user="masa.cankaya")
    assert r.status_code == 200 and r.json_body["status"] == "forwarded"
    assert {a["institution_id"] for a in r.json_body["assignments"]} == {"06-cankaya.egitim", "06-cankaya.emniyet"}
    route_all(aws)
    assert len([m for m in outbox()["email"] if no in m["subject"]]) == 2
    assert any("iletildi" in m["body"] and no in m["body"] for m in outbox()["sms"])
    again = act(client, staff, no, "forward", {"institution_ids": ["06-cankaya.egitim"]}, user="masa.cankaya")
    assert again.status_code == 409 and again.json_body["error"]["code"] == "already_assigned"


def test_request_information_and_the_citizen_replies(client, staff, application, aws):
    application["district"] = "06-cankaya"
    receipt = submit(client, application)
    route_all(aws)
    no = receipt["application_no"]
    r = act(client, staff, no, "request-info", {"message": "Olay yerinin açık adresini yazınız."}, user="masa.cankaya")
    assert r.status_code == 200 and r.json_body["status"] == "awaiting_applicant"
    route_all(aws)
    assert any("ek bilgi bekleniyor" in m["body"] for m in outbox()["sms"])
    assert "açık adresini" in tracked(client, receipt)["history"][-1]["note"]
    wrong = client.http.post(f"/v1/applications/{no}/replies", headers={"Content-Type": "application/json",
                                                                        "X-Access-Code": "AAAAA-AAAAA"},
                             body=json.dumps({"text": "Adres: Kızılay"}))
    assert wrong.status_code == 404
    ok = client.http.post(f"/v1/applications/{no}/replies", headers={"Content-Type": "application/json",
                                                                     "X-Access-Code": receipt["access_code"]},
                          body=json.dumps({"text": "Adres: Kızılay Meydanı No 5"}))
    assert ok.status_code == 200 and ok.json_body["status"] == "in_review"
    view = detail(client, staff, no, "masa.cankaya")
    assert view["notes"][-1]["text"] == "Adres: Kızılay Meydanı No 5"
    again = client.http.post(f"/v1/applications/{no}/replies", headers={"Content-Type": "application/json",
                                                                        "X-Access-Code": receipt["access_code"]},
                             body=json.dumps({"text": "Bir daha"}))
    assert again.status_code == 409


def test_not_processed_notifies_the_citizen(client, staff, application, aws):
    application["district"] = "06-cankaya"
    receipt = submit(client, application)
    route_all(aws)
    # 3071 art. 6 names the grounds; a dispute between private persons is not one of them
    bad = act(client, staff, receipt["application_no"], "not-processed",
              {"reason_code": "private_dispute", "explanation": "Komşular arası özel hukuk uyuşmazlığıdır."},
              user="masa.cankaya")
    assert bad.status_code == 422 and bad.json_body["error"]["field"] == "reason_code"
    r = act(client, staff, receipt["application_no"], "not-processed",
            {"reason_code": "judicial_matter", "explanation": "Konu mahkemede görülmekte olan bir davadır."},
            user="masa.cankaya")
    assert r.status_code == 200 and r.json_body["status"] == "not_processed"
    bad = act(client, staff, receipt["application_no"], "reopen", {"reason": "x"}, user="sorumlu.cankaya")
    assert bad.status_code == 422
    route_all(aws)
    assert any("işleme alınamadı" in m["body"] for m in outbox()["sms"])
    view = tracked(client, receipt)
    note = view["history"][-1]["note"]
    assert "md. 6/b" in note and "idare mahkemesinde" in note          # the ground and, as for any refusal, the remedies
    assert "60 gün" in view["legal_remedies"]


def test_a_crime_report_goes_to_the_prosecutor_and_the_citizen_is_told_where(client, staff, application, aws):
    """CMK art. 158/2: a crime report made to an administrative authority is sent to the
    Chief Public Prosecutor's Office; the case is not closed unsent, and the prosecutor
    reads it through its own signed link, which answers nothing."""
    application.update(district="06-cankaya", type="ihbar", confidential_identity=True,
                       description="Mahallede bir iş yerinde kaçak akaryakıt satışı yapıldığını bildiriyorum.")
    receipt = submit(client, application)
    route_all(aws)
    no = receipt["application_no"]
    wrong = act(client, staff, no, "refer", {"ground": "crime_report", "institution_id": "06-cankaya.belediye",
                                            "explanation": "Suç duyurusu niteliğinde bir ihbardır."},
                user="masa.cankaya")
    assert wrong.status_code == 422 and wrong.json_body["error"]["field"] == "institution_id"
    assert wrong.json_body["error"]["code"] == "not_the_prosecutor"
    elsewhere = act(client, staff, no, "refer", {"ground": "crime_report", "institution_id": "34-maltepe.savcilik",
                                                "explanation": "Suç duyurusu niteliğinde bir ihbardır."},
                    user="masa.cankaya")
    assert elsewhere.status_code == 422 and elsewhere.json_body["error"]["field"] == "institution_id"
    r = act(client, staff, no, "refer", {"ground": "crime_report", "institution_id": "06-cankaya.savcilik",
                                        "explanation": "Suç duyurusu niteliğinde bir ihbardır."}, user="masa.cankaya")
    assert r.status_code == 200, r.body
    assert r.json_body["status"] == "concluded" and r.json_body["referral"]["authority"] == \
        "Ankara Cumhuriyet Başsavcılığı"
    assert "refer" not in r.json_body["allowed_actions"]
    again = act(client, staff, no, "refer", {"ground": "crime_report", "institution_id": "06-cankaya.savcilik",
                                            "explanation": "Suç duyurusu niteliğinde bir ihbardır."},
                user="masa.cankaya")
    assert again.status_code == 409
    route_all(aws)
    box = outbox()
    [sms] = [m for m in box["sms"] if "Başsavcılığı" in m["body"]]
    assert "kaçak" not in sms["body"] and "izle.html" in sms["body"]        # never the citizen's words
    [mail] = [m for m in box["email"] if "ankara-cbs.example" in " ".join(m["to"])]
    token = mail["body"].split("#t=")[1].split()[0]
    read = client.http.get("/v1/institution/assignment", headers={"X-Link-Token": token})
    assert read.status_code == 200 and read.json_body["status"] == "referred"
    assert read.json_body["applicant"] is None                             # a confidential informant stays so
    assert "kaçak akaryakıt" in read.json_body["description"]
    answer = inst_post(client, "answer", token, ANSWER)
    assert answer.status_code == 409 and answer.json_body["error"]["code"] == "referral_read_only"
    view = tracked(client, receipt)
    note = view["history"][-1]["note"]
    assert view["status"] == "concluded" and "Ankara Cumhuriyet Başsavcılığı" in note and "md. 158/2" in note


def test_merge_a_duplicate_into_the_earlier_case_of_the_same_applicant(client, staff, application, aws):
    application["district"] = "06-cankaya"
    first = submit(client, application)
    second = submit(client, dict(application, subject="Aynı konu yine"))
    other = submit(client, dict(application, applicant=dict(application["applicant"], national_id="12345678950")))
    route_all(aws)
    refused = act(client, staff, second["application_no"], "merge",
                  {"into": other["application_no"], "explanation": "Aynı konu tekrar."}, user="masa.cankaya")
    assert refused.status_code == 422 and refused.json_body["error"]["code"] == "different_applicant"
    r = act(client, staff, second["application_no"], "merge",
            {"into": first["application_no"], "explanation": "Aynı konu tekrar gönderilmiş."}, user="masa.cankaya")
    assert r.status_code == 200 and r.json_body["status"] == "not_processed"
    assert r.json_body["merged_into"] == first["application_no"]
    target = detail(client, staff, first["application_no"], "masa.cankaya")
    assert any(second["application_no"] in h["note"] for h in target["history"])


def test_return_answer_again_conclude_and_reopen(client, staff, application, aws):
    receipt, token = forwarded_case(client, application, aws)
    no = receipt["application_no"]
    assert inst_post(client, "answer", token, ANSWER).status_code == 200
    short = act(client, staff, no, "evaluate", {"institution_id": "34-maltepe.belediye", "decision": "return"})
    assert short.status_code == 422 and short.json_body["error"]["field"] == "note"
    r = act(client, staff, no, "evaluate", {"institution_id": "34-maltepe.belediye", "decision": "return",
                                            "note": "Onarım tarihi belirtilmemiş, lütfen ekleyiniz."})
    assert r.status_code == 200 and r.json_body["status"] == "forwarded"
    assert r.json_body["assignments"][0]["status"] == "returned"
    route_all(aws)
    returned = [m for m in outbox()["email"] if "iade" in m["subject"]]
    assert returned and returned[0]["links"][0].split("#t=")[1] == token
    assert inst_post(client, "answer", token, {**ANSWER, "text": "Onarım 5 Aralıkta bitecek."}).status_code == 200
    r = act(client, staff, no, "evaluate", {"institution_id": "34-maltepe.belediye", "decision": "accept"})
    assert r.json_body["status"] == "under_evaluation"
    short_answer = act(client, staff, no, "conclude", {"outcome": "positive", "answer": "Çok kısa."})
    assert short_answer.status_code == 422 and short_answer.json_body["error"]["field"] == "answer"
    final = "Kaldırım onarımı belediyece 5 Aralık'ta tamamlanacaktır; bilgilerinize sunulur."
    r = act(client, staff, no, "conclude", {"outcome": "positive", "answer": final})
    assert r.status_code == 200 and r.json_body["status"] == "concluded"
    route_all(aws)
    view = tracked(client, receipt)
    assert view["final_answer"]["text"] == final and view["final_answer"]["outcome"] == "positive"
    assert any("sonuçlandı" in m["body"] and "anket" in m["body"] for m in outbox()["sms"])
    [mail] = [m for m in outbox()["email"] if m["to"] == ["ayse@example.com"] and "sonuçlandı" in m["subject"]]
    assert final not in mail["body"] and "izle.html" in mail["body"]    # a notice; the answer is read behind the code
    desk = act(client, staff, no, "reopen", {"reason": "Vatandaş yeni belge getirdi."})
    assert desk.status_code == 403
    r = act(client, staff, no, "reopen", {"reason": "Vatandaş yeni belge getirdi."}, user="sorumlu.maltepe")
    assert r.status_code == 200 and r.json_body["status"] == "under_evaluation"


def test_reopen_is_refused_after_30_days(client, staff, application, aws):
    receipt, token = forwarded_case(client, application, aws)
    no = receipt["application_no"]
    inst_post(client, "answer", token, ANSWER)
    act(client, staff, no, "conclude", {"outcome": "positive", "answer": "Gerekçeli son cevap metnimiz budur."})
    from chalicelib.domain.errors import Conflict
    from chalicelib.domain.principal import Principal
    from chalicelib.services import office
    from tests.helpers import real_ports
    sup = Principal("sorumlu.maltepe", "supervisor", "34-maltepe", "34")
    version = detail(client, staff, no)["version"]
    with pytest.raises(Conflict) as exc:
        office.reopen(real_ports(now=datetime.now(timezone.utc) + timedelta(days=31)), sup, no,
                      {"reason": "Geç gelen itiraz metni.", "version": version}, client="x")
    assert exc.value.code == "reopen_window_closed"


def test_interim_answer_reaches_the_citizen_without_closing(client, staff, application, aws):
    receipt, _ = forwarded_case(client, application, aws)
    r = act(client, staff, receipt["application_no"], "interim-answer",
            {"text": "Belediyeden cevap bekleniyor, süreç devam ediyor."})
    assert r.status_code == 200 and r.json_body["status"] == "forwarded"
    route_all(aws)
    assert any("ara bilgi" in m["body"] for m in outbox()["sms"])
    assert tracked(client, receipt)["history"][-1]["note"].startswith("Ara bilgi:")


def test_revoke_link_sends_a_new_one(client, staff, application, aws):
    receipt, token = forwarded_case(client, application, aws)
    r = act(client, staff, receipt["application_no"], "revoke-link", {"institution_id": "34-maltepe.belediye"})
    assert r.status_code == 200 and r.json_body["assignments"][0]["link_generation"] == 2
    assert client.http.get("/v1/institution/assignment", headers={"X-Link-Token": token}).status_code == 410


def test_admin_edits_office_settings_and_a_places_institutions_with_locking(client, staff, aws):
    admin = staff.headers("yonetici")
    view = client.http.get("/v1/staff/offices/34-maltepe", headers=admin).json_body
    assert view["name"] == "Maltepe Kaymakamlığı" and view["onboarded"] is True and view["serves"] == ["34-maltepe"]
    body = {k: view[k] for k in ("email", "supervisor_email", "address", "phone", "kep", "detsis", "onboarded",
                                 "routing", "version")}
    r = client.http.put("/v1/staff/offices/34-maltepe", headers=admin,
                        body=json.dumps({**body, "auto_forward": False, "kep": "maltepe@hs01.kep.tr"}))
    assert r.status_code == 200 and r.json_body["auto_forward"] is False and r.json_body["kep"] == "maltepe@hs01.kep.tr"
    stale = client.http.put("/v1/staff/offices/34-maltepe", headers=admin, body=json.dumps(body))
    assert stale.status_code == 409
    no_email = client.http.put("/v1/staff/offices/01-aladag", headers=admin,
                               body=json.dumps({"onboarded": True, "version": None}))
    assert no_email.status_code == 422 and no_email.json_body["error"]["field"] == "email"
    place = client.http.get("/v1/staff/districts/34-maltepe", headers=admin).json_body
    body = {"institutions": place["institutions"], "version": place["version"]}
    r = client.http.put("/v1/staff/districts/34-maltepe", headers=admin, body=json.dumps(body))
    assert r.status_code == 200 and r.json_body["version"] == place["version"] + 1
    assert client.http.put("/v1/staff/districts/34-maltepe", headers=admin, body=json.dumps(body)).status_code == 409
    generated = client.http.get("/v1/staff/districts/01-aladag", headers=admin).json_body
    assert generated["version"] is None and generated["office"] == "01-aladag"
    assert {"Aladağ Belediye Başkanlığı", "Aladağ Cumhuriyet Başsavcılığı"} <= {i["name"] for i in
                                                                             generated["institutions"]}
    assert not any(i["confirmed"] or i["liaison_email"] for i in generated["institutions"])


def test_dashboard_counts_and_weekly_volume(client, staff, application, aws, aws_calls):
    receipt, token = forwarded_case(client, application, aws)
    inst_post(client, "answer", token, ANSWER)
    act(client, staff, receipt["application_no"], "conclude",
        {"outcome": "positive", "answer": "Gerekçeli son cevap metni burada."})
    aws_calls.reset()
    r = client.http.get("/v1/staff/dashboard", headers=staff.headers("masa.maltepe"))
    assert r.status_code == 200
    d = r.json_body
    assert d["counts"]["concluded"] == 1 and d["counts"]["forwarded"] == 0
    assert d["this_week_intake"] == 1 and d["on_time_rate"] == 1.0
    assert len(d["weekly_volume"]) == 12 and d["weekly_volume"][-1]["count"] == 1
    assert aws_calls.operations("dynamodb") == ["GetItem"]           # the district's counters, one item


def test_an_action_nobody_declared_is_404_naming_the_action_and_changes_nothing(client, staff, application, aws):
    receipt, _ = forwarded_case(client, application, aws)
    no = receipt["application_no"]
    before = client.http.get(f"/v1/staff/cases/{no}", headers=staff.headers("masa.maltepe")).json_body
    r = client.http.post(f"/v1/staff/cases/{no}/close-everything", headers=staff.headers("masa.maltepe"),
                         body=json.dumps({"version": before["version"]}))
    assert r.status_code == 404 and r.json_body["error"]["code"] == "unknown_action"
    assert r.json_body["error"]["field"] == "action"
    after = client.http.get(f"/v1/staff/cases/{no}", headers=staff.headers("masa.maltepe")).json_body
    assert after["version"] == before["version"] and after["status"] == before["status"]


def test_the_audit_view_and_every_api_answer_are_never_stored_or_sniffed(client, staff, application, aws):
    receipt, _ = forwarded_case(client, application, aws)
    audit = client.http.get(f"/v1/staff/cases/{receipt['application_no']}/audit",
                            headers=staff.headers("sorumlu.maltepe"))
    assert audit.status_code == 200
    assert audit.headers["Cache-Control"] == "no-store" and audit.headers["X-Content-Type-Options"] == "nosniff"
    wrong = client.http.get("/v1/applications/AAAA-AAAA-AA", headers={"X-Access-Code": "AAAAA-AAAAA"})
    assert wrong.status_code in (400, 404) and wrong.headers["X-Content-Type-Options"] == "nosniff"
    catalog = client.http.get("/v1/catalog")
    assert catalog.headers["Cache-Control"].startswith("public")          # what a route may cache, it says
