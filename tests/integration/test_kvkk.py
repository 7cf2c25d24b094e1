"""KVKK retention and destruction (issue 15), on moto: a case that touched every store
is destroyed at its retention end and nothing personal is left anywhere; the legal
hold; a run twice (and twice at once) destroys and logs once; tracking answers 410;
the destruction log; the budget of the sweep; the citizen's own copy."""
from __future__ import annotations

import json
import re
import threading
import zlib
from datetime import datetime, timedelta, timezone

import boto3

from tests.integration.helpers import ANSWER, H, act, detail, forwarded_case, inst_post, route_all, staff_post, tracked

REGION = "eu-central-1"
# everything a person wrote or that names one: the applicant's, the institution's and the
# office's words alike (anonymised means no free text is left, whoever wrote it)
SECRETS = ("10000000146", "Ayşe", "Yılmaz", "5321234567", "532 123 45 67", "Bağdat Cad. No:1",
           "yayalar yola inmek zorunda", "ayse@example.com", "Sokak adı Çınar", "Kaldırım çökmüş",
           "ekip yönlendirildi", "Mehmet Demir", "Fen İşleri Müdürü", "kaldırımı onarıldı", "Fikirtepe", "Çamlık",
           "Ali Kaya")


def _everything(aws) -> str:
    """Every table item, S3 object and queue message of the account, as text, with what is
    sealed opened and what is compressed expanded: a name inside an encrypted field or the
    compressed case log counts as found (the encryption key is ours; it is not deletion)."""
    ddb, s3, sqs = (boto3.client(n, region_name=REGION) for n in ("dynamodb", "s3", "sqs"))
    values: list = []
    for table in ddb.list_tables()["TableNames"]:
        for page in ddb.get_paginator("scan").paginate(TableName=table):
            values += page["Items"]
    bucket = aws["ATTACHMENTS_BUCKET"]
    for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
        values.append(obj["Key"])
        body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
        if obj["Key"].startswith("archive/"):      # an archived case: its items, as the table held them
            from chalicelib.adapters.archive import decode
            values += decode(body)
        else:
            values.append(body.decode("latin-1"))
    for url in sqs.list_queues().get("QueueUrls", []):
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", []):
            values.append(m["Body"])
    return _opened(values)


_SEALED = re.compile(r"^v\d+:[A-Za-z0-9+/=]{16,}$")


def _opened(values: list) -> str:
    from chalicelib.bootstrap import ports
    keys = ports().keys
    strings: list[str] = []

    def walk(v):
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, (bytes, bytearray)):
            try:
                walk(json.loads(zlib.decompress(bytes(v)).decode("utf-8")))
            except (zlib.error, ValueError):
                strings.append(bytes(v).decode("latin-1"))
        elif isinstance(v, str):
            strings.append(v)
            if v.startswith(("{", "[")):
                try:
                    walk(json.loads(v))
                except ValueError:
                    pass
        elif v is not None:
            strings.append(str(v))

    walk(values)
    # every string may be the context a sealed value was bound to (an application number,
    # a dedup key, "dsr:<id>", "idempotency:<key>")
    contexts = {s for s in strings if len(s) < 120} | {f"dsr:{s}" for s in strings if len(s) < 60} | {
        f"idempotency:{s}" for s in strings if len(s) < 120}
    contexts |= {m for s in strings for m in re.findall(r"[0-9A-Z]{10}", s)}
    opened = []
    for s in [x for x in strings if _SEALED.match(x)]:
        for context in contexts:
            try:
                plain = keys.unseal(s, context)
            except Exception:                   # noqa: BLE001 - not this context
                continue
            opened.append(plain)
            break
        else:
            raise AssertionError(f"a sealed value no context opens: {s[:20]}…")
    return "\n".join(strings + opened)


def _kvkk_sweep(at):
    from chalicelib.bootstrap import ports
    from chalicelib.services import kvkk
    return kvkk.sweep(ports(), at)


def _concluded_case(client, staff, application, aws, *, with_everything=True):
    from tests.integration.test_institution import PDF, upload
    receipt, token = forwarded_case(client, application, aws)
    no = receipt["application_no"]
    if with_everything:
        ref = upload(client, token, PDF, filename="Ayşe Yılmaz tutanak.pdf")
        assert inst_post(client, "answer", token, {**ANSWER, "attachments": [ref]}).status_code == 200
        staff_post(client, staff, "masa.maltepe", f"/v1/staff/cases/{no}/reveal", {})   # audited view
        r = act(client, staff, no, "interim-answer", {"text": "Ekip yarın Fikirtepe yönünden çalışmaya başlayacak."})
        assert r.status_code == 200, r.body
    else:
        assert inst_post(client, "answer", token, ANSWER).status_code == 200
    route_all(aws)
    answer = ("Sayın Ayşe Yılmaz, Çamlık Sokak No 7 önündeki, Ali Kaya'ya ait iş yerinin kaldırımı onarıldı."
              if with_everything else "Kaldırım onarıldı; teşekkür ederiz.")
    r = act(client, staff, no, "conclude", {"outcome": "positive", "answer": answer})
    assert r.status_code == 200, r.body
    route_all(aws)
    if with_everything:
        view = tracked(client, receipt)
        resp = client.http.post("/v1/surveys", headers={**H, "X-Survey-Token": view["survey_token"]},
                                body=json.dumps({"rating": 4, "comment": "Sokak adı Çınar, hızlı çözüldü."}))
        assert resp.status_code == 201, resp.body
    return receipt


def test_a_case_that_touched_every_store_leaves_no_personal_data_after_destruction(client, staff, application, aws):
    receipt = _concluded_case(client, staff, application, aws)
    no = receipt["application_no"]
    before = _everything(aws)
    assert "Ayşe Yılmaz tutanak.pdf" in before
    # the stores did hold every one of them (the phone as +90…, not as it was typed)
    assert [s for s in SECRETS if s not in before] == ["532 123 45 67"]
    result = _kvkk_sweep(datetime.now(timezone.utc) + timedelta(days=365 * 11))
    assert result["cases"] == 1 and result["records"] >= 3     # the case, the attachment, the survey comment
    after = _everything(aws)
    found = [s for s in SECRETS if s in after]
    assert found == []
    assert "Ayşe Yılmaz tutanak" not in after
    gone = client.http.get(f"/v1/applications/{no}", headers={"X-Access-Code": receipt["access_code"]})
    assert gone.status_code == 410 and gone.json_body["error"]["code"] == "anonymised"
    assert "imha" in gone.json_body["error"]["message"]
    # what stays: type, category, district, dates, statuses, the outcome code, the institutions
    view = detail(client, staff, no, user="sorumlu.maltepe")
    assert view["status"] == "concluded" and view["outcome"] == "positive" and view["category"] == "yol_kaldirim"
    assert view["final_answer"] is None and view["applicant"]["first_name"] == ""
    assert view["subject"] == "Yol, kaldırım ve asfalt bozukluğu"          # the catalogue's name of the category
    assert [a["institution_name"] for a in view["assignments"]] == ["Maltepe Belediye Başkanlığı"]
    assert view["allowed_actions"] == []
    log = client.http.get("/v1/staff/destruction-log", headers=staff.headers("sorumlu.maltepe")).json_body
    mine = [e for e in log["entries"] if e["application_no"] == no]
    assert {e["record"] for e in mine} == {"case", "attachment", "survey"}
    assert all(e["run_id"] == result["run_id"] and e["rule"] for e in mine)
    assert not any(s in json.dumps(log, ensure_ascii=False) for s in SECRETS)
    assert client.http.get("/v1/staff/destruction-log", headers=staff.headers("masa.maltepe")).status_code == 403


def test_nothing_is_destroyed_before_the_retention_end(client, staff, application, aws):
    receipt = _concluded_case(client, staff, application, aws, with_everything=False)
    assert _kvkk_sweep(datetime.now(timezone.utc) + timedelta(days=365 * 9))["cases"] == 0
    assert tracked(client, receipt)["status"] == "concluded"
    assert detail(client, staff, receipt["application_no"])["applicant"]["first_name"] == "Ayşe"


def test_a_legal_hold_keeps_the_file_until_it_is_lifted_and_both_are_audited(client, staff, application, aws):
    receipt = _concluded_case(client, staff, application, aws, with_everything=False)
    no = receipt["application_no"]
    assert act(client, staff, no, "legal-hold", {"reason": "Dava açıldı: idare mahkemesi"}).status_code == 403  # desk
    held = act(client, staff, no, "legal-hold", {"reason": "Dava açıldı: idare mahkemesi"}, user="sorumlu.maltepe")
    assert held.status_code == 200 and "release-hold" in held.json_body["allowed_actions"]
    twice = act(client, staff, no, "legal-hold", {"reason": "Dava açıldı: idare mahkemesi"}, user="sorumlu.maltepe")
    assert twice.status_code == 409 and twice.json_body["error"]["code"] == "already_held"
    later = datetime.now(timezone.utc) + timedelta(days=365 * 11)
    assert _kvkk_sweep(later)["cases"] == 0
    assert tracked(client, receipt)["status"] == "concluded"
    lifted = act(client, staff, no, "release-hold", {"reason": "Dava sonuçlandı, karar kesinleşti"},
                 user="sorumlu.maltepe")
    assert lifted.status_code == 200
    assert _kvkk_sweep(later)["cases"] == 1
    audit = client.http.get(f"/v1/staff/cases/{no}/audit", headers=staff.headers("sorumlu.maltepe")).json_body
    actions = [e["action"] for e in audit["entries"]]
    assert "legal-hold" in actions and "release-hold" in actions


def test_a_run_twice_and_twice_at_once_destroys_and_logs_once(client, staff, application, aws):
    receipt = _concluded_case(client, staff, application, aws, with_everything=False)
    later = datetime.now(timezone.utc) + timedelta(days=365 * 11)
    results = []
    threads = [threading.Thread(target=lambda: results.append(_kvkk_sweep(later))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r["cases"] for r in results) == [0, 1]
    assert _kvkk_sweep(later)["cases"] == 0
    log = client.http.get("/v1/staff/destruction-log", headers=staff.headers("sorumlu.maltepe")).json_body
    assert [e["record"] for e in log["entries"] if e["application_no"] == receipt["application_no"]] == ["case"]


def test_an_open_case_is_never_destroyed_and_a_reopened_one_waits_again(client, staff, application, aws):
    receipt, _ = forwarded_case(client, application, aws)
    assert _kvkk_sweep(datetime.now(timezone.utc) + timedelta(days=365 * 30))["cases"] == 0
    assert tracked(client, receipt)["status"] == "forwarded"


def test_a_final_answer_with_a_national_id_or_phone_is_refused(client, staff, application, aws):
    receipt, token = forwarded_case(client, application, aws)
    inst_post(client, "answer", token, ANSWER)
    route_all(aws)
    for answer in ("Başvuru sahibi 10000000146 numaralı kişinin talebi karşılandı.",
                   "Sonuç için 0532 123 45 67 numarasını arayınız, kaldırım onarıldı."):
        r = act(client, staff, receipt["application_no"], "conclude", {"outcome": "positive", "answer": answer})
        assert r.status_code == 422 and r.json_body["error"]["field"] == "answer"
        assert "kimlik ya da telefon numarası yazılmaz" in r.json_body["error"]["message"]


def test_the_citizen_downloads_what_one_application_holds(client, application, aws):
    from tests.integration.helpers import submit
    receipt = submit(client, application)
    resp = client.http.get(f"/v1/applications/{receipt['application_no']}/data",
                           headers={"X-Access-Code": receipt["access_code"]})
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    [copy] = resp.json_body["applications"]
    assert copy["applicant"]["national_id"] == "10000000146" and copy["description"] == application["description"]
    assert copy["retention"]["years"] == 10 and copy["retention"]["ends_on"] is None   # open: runs from closing
    wrong = client.http.get(f"/v1/applications/{receipt['application_no']}/data", headers={"X-Access-Code": "AAAAA-AAAAA"})
    assert wrong.status_code == 404


def test_the_sweep_reads_only_what_is_due(client, staff, application, aws, aws_calls):
    """10,000 closed cases not yet due and 5 due: the run evaluates the 5 only."""
    from tests.integration.helpers import closed_case_item as closed_case
    now = datetime.now(timezone.utc)
    from chalicelib.adapters.dynamodb.models import CaseItem
    with CaseItem.batch_write() as batch:
        for i in range(10_000):
            batch.save(closed_case(now - timedelta(days=i % 300)))
        for i in range(5):
            batch.save(closed_case(now - timedelta(days=365 * 11 + i)))
    aws_calls.reset()
    result = _kvkk_sweep(now)
    assert result["cases"] == 5
    queries = [c for c in aws_calls.calls if c[1] == "Query"]
    assert queries and aws_calls.items_evaluated() <= 5 + 5 * 3     # the due keys, then each case's own items
    assert "Scan" not in aws_calls.operations("dynamodb")


# --- data-subject requests (KVKK art. 11) -------------------------------------------------------

KVKK = "/v1/staff/kvkk/requests"


def _register(client, staff, **changes):
    body = {"national_id": "10000000146", "kind": "copy", "channel": "letter",
            "received_on": datetime.now(timezone.utc).date().isoformat(), **changes}
    return staff_post(client, staff, "sorumlu.maltepe", KVKK, body)


def test_a_subject_request_is_registered_with_its_30_day_deadline_and_finds_the_persons_cases(
        client, staff, application, aws, aws_calls):
    from tests.integration.helpers import submit
    first, second = submit(client, application), submit(client, {**application, "category": "park_bahce"})
    other = submit(client, {**application, "applicant": {**application["applicant"], "national_id": "10000000078"}})
    assert _register(client, staff, national_id="12345678901").status_code == 422
    assert staff_post(client, staff, "masa.maltepe", KVKK, {}).status_code == 403   # supervisors only
    r = _register(client, staff)
    assert r.status_code == 201, r.body
    req = r.json_body
    received = datetime.fromisoformat(req["received_on"]).date()
    assert req["due_on"] == (received + timedelta(days=30)).isoformat() and req["national_id_masked"].endswith("46")
    aws_calls.reset()
    found = client.http.get(f"{KVKK}/{req['id']}", headers=staff.headers("sorumlu.maltepe")).json_body
    nos = {a["application_no"] for a in found["applications"]}
    assert nos == {first["application_no"], second["application_no"]} and other["application_no"] not in nos
    assert "Scan" not in aws_calls.operations("dynamodb") and aws_calls.operations("dynamodb").count("Query") == 1
    # another district's supervisor cannot see it
    assert client.http.get(f"{KVKK}/{req['id']}", headers=staff.headers("sorumlu.cankaya")).status_code == 403
    listed = client.http.get(KVKK, headers=staff.headers("sorumlu.maltepe")).json_body["requests"]
    assert [x["id"] for x in listed] == [req["id"]]


def test_the_copy_holds_every_field_with_recipients_and_retention_and_is_audited(client, staff, application, aws):
    receipt, token = forwarded_case(client, application, aws)
    no = receipt["application_no"]
    assert act(client, staff, no, "request-info", {"message": "Sokağın adını yazar mısınız?"}).status_code == 200
    r = act(client, staff, no, "information-received", {"channel": "phone", "text": "Çınar Sokak, 3 numara önü."})
    assert r.status_code == 200, r.body
    assert inst_post(client, "answer", token, ANSWER).status_code == 200
    req = _register(client, staff).json_body
    copy = client.http.get(f"{KVKK}/{req['id']}/copy", headers=staff.headers("sorumlu.maltepe")).json_body
    [one] = copy["applications"]
    assert one["applicant"]["national_id"] == "10000000146" and one["applicant"]["address"].startswith("Bağdat")
    assert one["description"] == application["description"]
    assert one["recipients"][0]["name"] == "Maltepe Belediye Başkanlığı"
    # KVKK art. 11: everything held about the person, what the office and the institutions wrote included
    assert [x["text"] for x in one["replies_taken_at_the_desk"]] == ["Çınar Sokak, 3 numara önü."]
    assert [(x["institution"], x["text"]) for x in one["institution_answers"]] == [
        ("Maltepe Belediye Başkanlığı", ANSWER["text"])]
    assert any("Sokağın adını" in (h["note"] or "") for h in one["history"])
    [processor] = one["processors"]                               # who processes it, and where
    assert processor["where"] and processor["abroad"] is False     # the local stack runs on this machine
    assert copy["controller"].startswith("Maltepe Kaymakamlığı")
    assert one["retention"]["years"] == 10 and "5/2-ç" in one["retention"]["ground"]
    from chalicelib.bootstrap import ports
    from chalicelib.domain.subject_requests import parse_id
    actions = [e["action"] for e in ports().audit.trail(f"KVKK-{parse_id(req['id'])}")]
    assert actions == ["kvkk_register", "kvkk_export"]


def test_a_correction_is_versioned_audited_and_shows_in_the_case(client, staff, application, aws):
    receipt, _ = forwarded_case(client, application, aws)
    no = receipt["application_no"]
    req = _register(client, staff, kind="correction").json_body
    version = detail(client, staff, no)["version"]
    body = {"application_no": no, "field": "address", "value": "Çınar Sokak No:3 Maltepe / İstanbul",
            "reason": "Başvuru sahibi dilekçeyle yeni adresini bildirdi.", "version": version}
    r = staff_post(client, staff, "sorumlu.maltepe", f"{KVKK}/{req['id']}/correct", body)
    assert r.status_code == 200, r.body
    view = detail(client, staff, no)
    assert view["applicant"]["address"] == "Çınar Sokak No:3 Maltepe / İstanbul" and view["version"] == version + 1
    assert any(h["event"] == "kvkk_correction" for h in view["history"])
    stale = staff_post(client, staff, "sorumlu.maltepe", f"{KVKK}/{req['id']}/correct", body)
    assert stale.status_code == 409                                # the version it was based on is gone
    bad = staff_post(client, staff, "sorumlu.maltepe", f"{KVKK}/{req['id']}/correct",
                     {**body, "field": "phone", "value": "123", "version": version + 1})
    assert bad.status_code == 422 and bad.json_body["error"]["code"] == "invalid_phone"
    mail = staff_post(client, staff, "sorumlu.maltepe", f"{KVKK}/{req['id']}/correct",
                      {**body, "field": "email", "value": "ayse.yilmaz@example.com", "version": version + 1})
    assert mail.status_code == 200, mail.body                      # the e-mail address is corrected too
    assert detail(client, staff, no)["applicant"]["email"] == "ayse.yilmaz@example.com"


def test_erasure_is_refused_for_an_open_or_forwarded_case_and_done_for_a_never_forwarded_one(client, staff,
                                                                                          application, aws):
    from tests.integration.helpers import submit
    forwarded, _ = forwarded_case(client, application, aws)
    req = _register(client, staff, kind="erasure").json_body
    erase = lambda no: staff_post(client, staff, "sorumlu.maltepe", f"{KVKK}/{req['id']}/erase",  # noqa: E731
                                  {"application_no": no, "reason": "İlgili kişi silinmesini istedi."})
    r = erase(forwarded["application_no"])
    assert r.status_code == 409 and r.json_body["error"]["code"] == "open_case"
    assert "işlemde" in r.json_body["error"]["message"]
    # a case closed as not processed before any forwarding may go
    receipt = submit(client, {**application, "type": "oneri", "category": "park_bahce"})
    no = receipt["application_no"]          # not routed: it closes before any forwarding
    r = act(client, staff, no, "not-processed", {"reason_code": "no_clear_subject", "explanation": "Konu belirsiz."})
    assert r.status_code == 200, r.body
    done = erase(no)
    assert done.status_code == 200, done.body
    gone = client.http.get(f"/v1/applications/{no}", headers={"X-Access-Code": receipt["access_code"]})
    assert gone.status_code == 410
    closed = staff_post(client, staff, "sorumlu.maltepe", f"{KVKK}/{req['id']}/close",
                        {"answer": "Talebiniz üzerine kişisel verileriniz silinmiştir; bilgilerinize sunarız.",
                         "version": done.json_body["request"]["version"]})
    assert closed.status_code == 200 and closed.json_body["status"] == "closed"
    again = staff_post(client, staff, "sorumlu.maltepe", f"{KVKK}/{req['id']}/close",
                       {"answer": "İkinci kez cevap yazılmaya çalışılıyor, olmamalı.",
                        "version": closed.json_body["version"]})
    assert again.status_code == 409 and again.json_body["error"]["code"] == "already_closed"


def test_the_office_is_reminded_before_the_30th_day(client, staff, aws):
    from chalicelib.bootstrap import ports
    from chalicelib.services import kvkk
    from tests.integration.helpers import outbox
    received = datetime.now(timezone.utc).date() - timedelta(days=26)
    req = _register(client, staff, received_on=received.isoformat()).json_body
    assert kvkk.remind_due_requests(ports(), datetime.now(timezone.utc)) == 1
    assert kvkk.remind_due_requests(ports(), datetime.now(timezone.utc)) == 0     # once
    route_all(aws)
    [mail] = [m for m in outbox()["email"] if req["id"] in m["subject"]]
    assert "KVKK" in mail["subject"] and "30 gün" in mail["body"]


def test_records_that_expire_by_ttl_are_kept_as_long_as_the_published_policy_says(client, application, aws):
    """The policy citizens read (retention.json, docs/kvkk.md) and the TTL each record is
    written with are one figure: the idempotency record 24 hours, notification claims
    30 days (they were kept 400 while the policy said 30), the phone's daily SMS budget and
    code counter 2 days, a phone code 10 minutes, every attempt counter at most 30 minutes."""
    from chalicelib.domain.retention import kept_for
    from tests.integration.helpers import submit
    before = datetime.now(timezone.utc).replace(microsecond=0)
    receipt = submit(client, application, {"Idempotency-Key": "ttl-1"})
    route_all(aws)
    assert client.http.get(f"/v1/applications/{receipt['application_no']}",
                           headers={"X-Access-Code": "WRONGCODE"}).status_code == 404     # a counted failure
    assert client.http.get("/v1/institution/assignment", headers={"X-Link-Token": "forged"}).status_code in (401, 403)
    assert client.http.post("/v1/citizen/otp", headers=H, body=json.dumps(
        {"national_id": application["applicant"]["national_id"], "phone": application["applicant"]["phone"]})).status_code == 202
    route_all(aws)                       # the routing worker looks the pair up and sends the code
    after = datetime.now(timezone.utc) + timedelta(seconds=1)
    kept: dict[str, list[timedelta]] = {}
    ddb = boto3.client("dynamodb", region_name=REGION)
    for page in ddb.get_paginator("scan").paginate(TableName=aws["MAIN_TABLE"]):
        for item in page["Items"]:
            if "expires_at" not in item:
                continue
            kind = item["pk"]["S"].split("#", 2)
            kind = "#".join(kind[:2]) if kind[0] == "THR" or kind[1] in ("BUDGET", "HELD") else kind[0]
            written = datetime.fromisoformat(item["claimed_at"]["S"]) if kind == "NOTE" else before
            kept.setdefault(kind, []).append(datetime.fromtimestamp(int(item["expires_at"]["N"]), timezone.utc) - written)
    slack = after - before

    def within(kind, record, exact):
        period = kept_for(record)
        assert kept.get(kind), (kind, kept)
        for k in kept[kind]:
            assert k <= period + slack, (kind, k, period)
            assert not exact or k >= period - timedelta(seconds=1), (kind, k, period)
    within("IDEM", "idempotency", exact=True)
    within("NOTE", "notification_claim", exact=True)      # the citizen's SMS and e-mail, the institution's
    within("OTP", "otp_code", exact=True)
    within("NOTE#BUDGET", "sms_budget", exact=True)       # the phone's daily SMS budget
    within("THR#otp-phone-day", "otp_daily_counter", exact=True)
    for scope in ("track-no", "track-ip", "link-ip", "otp-phone", "otp-pair", "otp-ip"):
        within(f"THR#{scope}", "throttle_counter", exact=False)
    assert set(kept) <= {"IDEM", "NOTE", "NOTE#BUDGET", "OTP", "THR#track-no", "THR#track-ip", "THR#link-ip",
                         "THR#otp-phone", "THR#otp-pair", "THR#otp-ip", "THR#otp-phone-day"}, kept
    # every record that expires is in the policy
