"""KVKK retention and destruction (issue 15), on moto: a case that touched every store
is destroyed at its retention end and nothing personal is left anywhere; the legal
hold; a run twice (and twice at once) destroys and logs once; tracking answers 410;
the destruction log; the budget of the sweep; the citizen's own copy."""
from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone

import boto3

from tests.integration.helpers import ANSWER, H, act, detail, forwarded_case, inst_post, route_all, staff_post, tracked

REGION = "eu-central-1"
SECRETS = ("10000000146", "Ayşe", "Yılmaz", "5321234567", "532 123 45 67", "Bağdat Cad. No:1",
           "yayalar yola inmek zorunda", "ayse@example.com", "Sokak adı Çınar")


def _everything(aws) -> str:
    """Every table item, S3 object and queue message of the account, as text."""
    ddb, s3, sqs = (boto3.client(n, region_name=REGION) for n in ("dynamodb", "s3", "sqs"))
    out = []
    for table in ddb.list_tables()["TableNames"]:
        for page in ddb.get_paginator("scan").paginate(TableName=table):
            out.append(json.dumps(page["Items"], ensure_ascii=False, default=str))
    bucket = aws["ATTACHMENTS_BUCKET"]
    for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
        out.append(obj["Key"])
        out.append(s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read().decode("latin-1"))
    for url in sqs.list_queues().get("QueueUrls", []):
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", []):
            out.append(m["Body"])
    return "\n".join(out)


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
    else:
        assert inst_post(client, "answer", token, ANSWER).status_code == 200
    route_all(aws)
    r = act(client, staff, no, "conclude", {"outcome": "positive", "answer": "Kaldırım onarıldı; teşekkür ederiz."})
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
    assert "Ayşe Yılmaz tutanak.pdf" in before and "Sokak adı Çınar" in before   # the stores did hold it
    result = _kvkk_sweep(datetime.now(timezone.utc) + timedelta(days=365 * 11))
    assert result["cases"] == 1 and result["records"] >= 3     # the case, the attachment, the survey comment
    after = _everything(aws)
    found = [s for s in SECRETS if s in after]
    assert found == []
    assert "Ayşe Yılmaz tutanak" not in after
    gone = client.http.get(f"/v1/applications/{no}", headers={"X-Access-Code": receipt["access_code"]})
    assert gone.status_code == 410 and gone.json_body["error"]["code"] == "anonymised"
    assert "imha" in gone.json_body["error"]["message"]
    # what stays: type, category, district, dates, status, outcome, institutions, the final answer
    view = detail(client, staff, no, user="sorumlu.maltepe")
    assert view["status"] == "concluded" and view["outcome"] == "positive" and view["category"] == "yol_kaldirim"
    assert view["final_answer"] == "Kaldırım onarıldı; teşekkür ederiz." and view["applicant"]["first_name"] == ""
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
    assert held.status_code == 200 and "release_hold" in held.json_body["allowed_actions"]
    later = datetime.now(timezone.utc) + timedelta(days=365 * 11)
    assert _kvkk_sweep(later)["cases"] == 0
    assert tracked(client, receipt)["status"] == "concluded"
    lifted = act(client, staff, no, "release-hold", {"reason": "Dava sonuçlandı, karar kesinleşti"},
                 user="sorumlu.maltepe")
    assert lifted.status_code == 200
    assert _kvkk_sweep(later)["cases"] == 1
    audit = client.http.get(f"/v1/staff/cases/{no}/audit", headers=staff.headers("sorumlu.maltepe")).json_body
    actions = [e["action"] for e in audit["entries"]]
    assert "legal_hold" in actions and "release_hold" in actions


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
        assert "imha" in r.json_body["error"]["message"]


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
    from chalicelib.adapters.mapping import case_to_item
    from chalicelib.bootstrap import ports
    from chalicelib.domain.case import Applicant, Case, HistoryEntry, Status
    from chalicelib.domain import refs
    now = datetime.now(timezone.utc)
    keys = ports().keys

    def closed_case(closed_at):
        c = Case(application_no=refs.new_application_no(), access_code_hash="h", type="sikayet", law="3071",
                 category="yol_kaldirim", district="34-maltepe", province="34", subject="Kaldırım",
                 description="Açıklama metni uzun", applicant=Applicant("10000000146", "Ayşe", "Yılmaz",
                                                                        "+905321234567", "Adres satırı bir"),
                 channel="web", received_at=closed_at - timedelta(days=3), receipt_date=closed_at.date(),
                 legal_due_date=closed_at.date(), status=Status.NOT_PROCESSED,
                 history=[HistoryEntry(closed_at - timedelta(days=3), Status.RECEIVED, "alındı"),
                          HistoryEntry(closed_at, Status.NOT_PROCESSED, "kapandı")])
        return case_to_item(c, keys)
    from chalicelib.adapters.dynamo import CaseItem
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
