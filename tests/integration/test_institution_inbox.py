"""Issue 38: an institution's inbox. One signed link lists what the institution still
owes, soonest due first, each row opening its case as the case link does; an office
sends, rotates or revokes it; an institution that chose the daily digest gets one e-mail
a day with the link instead of one reminder per case."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

from chalicelib.domain.calendar import ISTANBUL
from tests.integration.helpers import ANSWER, forwarded_case, inst_post, outbox, route_all

H = {"Content-Type": "application/json"}
LINK = "/v1/staff/districts/34-maltepe/institutions/34-maltepe.belediye/inbox-link"
BELEDIYE = "acikkapi.belediye@maltepe.example"


def _inbox_link(aws):
    route_all(aws)
    mail, *_ = [m for m in outbox()["email"] if m["to"] == [BELEDIYE] and "gelen kutusu" in m["subject"]]
    return next(x for x in mail["links"] if "kurum.html#i=" in x).split("#i=", 1)[1]


def _inbox(client, token):
    return client.http.get("/v1/institution/inbox", headers={"X-Link-Token": token})


def test_an_institution_answers_two_cases_from_its_inbox(client, staff, application, aws, aws_calls):
    first, _ = forwarded_case(client, dict(application, subject="Kaldırım çökmüş"), aws)
    second, _ = forwarded_case(client, dict(application, subject="Sokak lambası yanmıyor"), aws)
    sup = {**H, **staff.headers("sorumlu.maltepe")}
    assert client.http.post(LINK, headers={**H, **staff.headers("masa.maltepe")},
                            body=json.dumps({"action": "send"})).status_code == 403
    assert client.http.post(LINK, headers={**H, **staff.headers("sorumlu.cankaya")},
                            body=json.dumps({"action": "send"})).status_code == 403
    bad = client.http.post(LINK, headers=sup, body=json.dumps({"action": "sil"}))
    assert bad.status_code == 422 and bad.json_body["error"]["field"] == "action"
    sent = client.http.post(LINK, headers=sup, body=json.dumps({"action": "send"}))
    assert sent.status_code == 200 and sent.json_body["generation"] == 1
    token = _inbox_link(aws)
    aws_calls.reset()
    box = _inbox(client, token)
    assert box.status_code == 200 and box.headers["Cache-Control"] == "no-store"
    # one Query of the open-assignments index and one BatchGetItem, whatever the history
    assert aws_calls.count("dynamodb", "Query") == 1 and aws_calls.count("dynamodb", "Scan") == 0
    rows = box.json_body["items"]
    assert {r["application_no"] for r in rows} == {first["application_no"], second["application_no"]}
    assert [r["sla_due_date"] for r in rows] == sorted(r["sla_due_date"] for r in rows)
    assert all(r["overdue"] is False and r["status"] == "sent" for r in rows)
    # each row opens its case as the case link does, and answers it
    for row in rows:
        view = client.http.get("/v1/institution/assignment", headers={"X-Link-Token": row["token"]})
        assert view.status_code == 200 and view.json_body["subject"] == row["subject"]
        assert inst_post(client, "answer", row["token"], ANSWER).status_code == 200
    assert _inbox(client, token).json_body["items"] == []


def test_rotating_or_revoking_stops_every_older_link(client, staff, application, aws):
    forwarded_case(client, application, aws)
    sup = {**H, **staff.headers("sorumlu.maltepe")}
    client.http.post(LINK, headers=sup, body=json.dumps({"action": "send"}))
    old = _inbox_link(aws)
    rotated = client.http.post(LINK, headers=sup, body=json.dumps({"action": "rotate"}))
    assert rotated.status_code == 200 and rotated.json_body["generation"] == 2
    new = _inbox_link(aws)
    assert new != old
    gone = _inbox(client, old)
    assert gone.status_code == 410 and gone.json_body["error"]["code"] == "link_revoked"
    assert len(_inbox(client, new).json_body["items"]) == 1
    # an office's later save of its institutions does not bring an old link back
    place = client.http.get("/v1/staff/districts/34-maltepe", headers=sup).json_body
    assert client.http.put("/v1/staff/districts/34-maltepe", headers=sup, body=json.dumps(
        {"institutions": place["institutions"], "version": place["version"]})).status_code == 200
    assert _inbox(client, old).status_code == 410 and _inbox(client, new).status_code == 200
    assert client.http.post(LINK, headers=sup, body=json.dumps({"action": "revoke"})).status_code == 200
    assert _inbox(client, new).status_code == 410
    assert _inbox(client, new[:-3] + "AAA").status_code == 401
    trail = client.http.get("/v1/staff/admin-audit?subject=DISTRICT-34-maltepe", headers=sup).json_body["entries"]
    assert [e["action"] for e in trail if e["action"].startswith("inbox_link")] == [
        "inbox_link_send", "inbox_link_rotate", "inbox_link_revoke"]


def test_an_institution_on_the_daily_digest_gets_one_mail_a_day_not_one_per_case(client, staff, application, aws):
    from chalicelib.bootstrap import ports
    from chalicelib.services import sweeps
    sup = {**H, **staff.headers("sorumlu.maltepe")}
    place = client.http.get("/v1/staff/districts/34-maltepe", headers=sup).json_body
    rows = [dict(i, inbox_digest=i["kind"] == "belediye") for i in place["institutions"]]
    saved = client.http.put("/v1/staff/districts/34-maltepe", headers=sup,
                            body=json.dumps({"institutions": rows, "version": place["version"]}))
    assert saved.status_code == 200
    receipts = [forwarded_case(client, dict(application, subject=f"Konu {i}"), aws)[0] for i in range(3)]
    # due the working day after tomorrow: the reminder is owed now (the link then lives 180 days from now)
    from chalicelib.domain.calendar import default_calendar, local_date
    now = datetime.now(ISTANBUL)
    due = default_calendar().add_working_days(local_date(now), 1)
    repo = ports().cases
    for r in receipts:
        _, [a] = repo.load_with_assignments(r["application_no"].replace("-", ""))
        a.sla_due_date = due
        assert repo.save_assignment(a, "34-maltepe")
    first = sweeps.assignment_sweep(ports(), now)
    assert first["reminded"] == 3 and first["digested"] == 3
    again = sweeps.assignment_sweep(ports(), now + timedelta(minutes=15))
    assert again["reminded"] == 0
    route_all(aws)
    mails = [m for m in outbox()["email"] if m["to"] == [BELEDIYE]]
    assert not [m for m in mails if m["subject"].startswith("Hatırlatma")]      # no reminder per case
    [digest] = [m for m in mails if "günlük hatırlatma" in m["subject"]]
    assert "3 başvuru cevabınızı bekliyor" in digest["body"] and "kurum.html#i=" in digest["body"]
    token = next(x for x in digest["links"] if "#i=" in x).split("#i=", 1)[1]
    box = _inbox(client, token)
    assert box.status_code == 200 and len(box.json_body["items"]) == 3, box.json_body
