"""Scheduled sweeps against moto: cost follows the work, idempotence, holidays,
escalation, the daily warnings and digest; survey and objection."""
from __future__ import annotations

import json
import threading
from datetime import date, datetime, timedelta, timezone

import pytest

from chalicelib.domain.calendar import ISTANBUL
from tests.integration.helpers import ANSWER, act, detail, forwarded_case, inst_post, outbox, route_all, submit


def _assignment(no: str, sla_due: date, inst="34-maltepe.belediye"):
    from chalicelib.domain.assignment import Assignment, AssignmentStatus, Institution
    return Assignment(no, Institution(inst, "belediye", "Maltepe Belediye Başkanlığı",
                                      "acikkapi.belediye@maltepe.example"),
                      AssignmentStatus.SENT, datetime(2026, 3, 2, 9, tzinfo=timezone.utc), sla_due, 1,
                      subject="Konu")


def sweep(now, publisher=None):
    from chalicelib.services import sweeps
    from tests.helpers import real_ports
    return sweeps.assignment_sweep(real_ports(publisher=publisher), now)


def test_a_sweep_reads_only_what_is_due_10000_versus_5(aws, aws_calls):
    from chalicelib.adapters.dynamodb.mapping import assignment_to_item
    from chalicelib.adapters.dynamodb.models import AssignmentItem
    from chalicelib.domain import numbers
    with AssignmentItem.batch_write() as batch:
        for i in range(10_000):
            batch.save(assignment_to_item(_assignment(numbers.new_application_no(), date(2027, 6, 30)), "34-maltepe"))
        for i in range(5):
            batch.save(assignment_to_item(_assignment(numbers.new_application_no(), date(2026, 3, 24)), "34-maltepe"))
    aws_calls.reset()
    from tests.helpers import Captured
    result = sweep(datetime(2026, 3, 19, 9, tzinfo=ISTANBUL), publisher=Captured())
    assert result["reminded"] == 5
    assert aws_calls.count("dynamodb", "Scan") == 0
    # the 5 due keys from the sweep index, then those 5 items in full: never the 10,000 others
    assert aws_calls.items_evaluated("dynamodb") <= 5 + 5 + 2


def test_reminder_then_escalation_around_ramazan_bayrami(client, application, aws):
    receipt, _ = forwarded_case(client, application, aws)
    no = receipt["application_no"].replace("-", "")
    from chalicelib.bootstrap import ports
    repo = ports().cases
    _, [a] = repo.load_with_assignments(no)
    a.sla_due_date = date(2026, 3, 24)  # the reminder is owed on Thu 19 Mar (arife), before the bayram
    assert repo.save_assignment(a, "34-maltepe")

    assert sweep(datetime(2026, 3, 18, 23, 59, tzinfo=ISTANBUL))["reminded"] == 0
    assert sweep(datetime(2026, 3, 19, 0, 1, tzinfo=ISTANBUL))["reminded"] == 1
    assert sweep(datetime(2026, 3, 24, 23, 0, tzinfo=ISTANBUL)) == {"reminded": 0, "escalated": 0, "skipped": 0,
                                                                    "closed": 0, "digested": 0}
    assert sweep(datetime(2026, 3, 25, 0, 5, tzinfo=ISTANBUL))["escalated"] == 1
    route_all(aws)
    mails = outbox()["email"]
    reminders = [m for m in mails if m["subject"].startswith("Hatırlatma")]
    assert len(reminders) == 1 and reminders[0]["to"] == ["acikkapi.belediye@maltepe.example"]
    assert "24.03.2026" in reminders[0]["subject"] and "kurum.html#t=" in reminders[0]["body"]
    to = {m["to"][0] for m in mails if "süre" in m["subject"].lower() or "Süre" in m["subject"]}
    assert {"acikkapi@maltepe-kaymakamligi.example", "acikkapi.sorumlu@maltepe-kaymakamligi.example"} <= to
    _, [a] = repo.load_with_assignments(no)
    assert a.status.value == "overdue"


def test_a_sweep_run_twice_or_twice_at_once_sends_each_notification_once(client, application, aws):
    receipts = [forwarded_case(client, dict(application, subject=f"Konu {i}"), aws)[0] for i in range(3)]
    from chalicelib.bootstrap import ports
    repo = ports().cases
    for r in receipts:
        _, [a] = repo.load_with_assignments(r["application_no"].replace("-", ""))
        a.sla_due_date = date(2026, 3, 24)
        assert repo.save_assignment(a, "34-maltepe")
    now = datetime(2026, 3, 19, 10, tzinfo=ISTANBUL)
    threads = [threading.Thread(target=sweep, args=(now,)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sweep(now)
    route_all(aws)
    route_all(aws)
    reminders = [m for m in outbox()["email"] if m["subject"].startswith("Hatırlatma")]
    assert len(reminders) == 3
    assert len({m["subject"] for m in reminders}) == 3


def _daily(now):
    from chalicelib.bootstrap import ports
    from chalicelib.services import sweeps
    return sweeps.daily(ports(), now)


def test_daily_legal_warning_extension_window_and_digest(client, application, aws):
    plain = submit(client, application)
    info = submit(client, dict(application, type="bilgi_edinme", category="okul_kayit", district="06-cankaya"))
    route_all(aws)
    from chalicelib.bootstrap import ports
    repo = ports().cases
    case = repo.get(plain["application_no"].replace("-", ""))
    info_case = repo.get(info["application_no"].replace("-", ""))
    from chalicelib.domain.calendar import default_calendar
    day12 = datetime.combine(default_calendar().add_working_days(info_case.receipt_date, 12), datetime.min.time(),
                             tzinfo=ISTANBUL) + timedelta(hours=8)
    r = _daily(day12)
    # day 12 is also within 5 days of the 15th working day: both warnings, once each
    assert r["extension_window"] == 1 and r["legal_warning"] == 1
    again = _daily(day12)
    assert again["extension_window"] == 0 and again["legal_warning"] == 0
    warn_at = datetime.combine(case.legal_due_date - timedelta(days=4), datetime.min.time(), tzinfo=ISTANBUL)
    r = _daily(warn_at + timedelta(hours=8))
    assert r["legal_warning"] >= 1
    assert r["digests"] == 2
    route_all(aws)
    mails = outbox()["email"]
    assert any("uzatma kararı" in m["subject"] and m["to"] == ["acikkapi@cankaya-kaymakamligi.example"] for m in mails)
    assert any("Yasal cevap süresi yaklaşıyor" in m["subject"] for m in mails)
    digests = [m for m in mails if m["subject"].startswith("Açık Kapı günlük özet")]
    assert {m["to"][0] for m in digests} >= {"acikkapi@maltepe-kaymakamligi.example",
                                             "acikkapi@cankaya-kaymakamligi.example"}


def test_digest_lists_yesterdays_new_and_todays_due_and_overdue(client, application, aws):
    receipt = submit(client, application)
    route_all(aws)
    from chalicelib.bootstrap import ports
    case = ports().cases.get(receipt["application_no"].replace("-", ""))
    from chalicelib.services import routing, sweeps
    from tests.helpers import Captured, real_ports

    def digest(now):
        """The daily run sends one message per district; the routing worker (here, the
        real handler) turns each into that district's e-mail."""
        captured = Captured()
        ports_ = real_ports(publisher=captured)
        sent = sweeps.digest(ports_, now)
        assert len(captured.routed) == sent and sent >= 2
        for msg in captured.routed:
            routing.handle(ports_, msg, now)
        return captured.notified

    tomorrow = datetime.combine(case.receipt_date + timedelta(days=1), datetime.min.time(), tzinfo=ISTANBUL)
    [maltepe] = [n for n in digest(tomorrow + timedelta(hours=8))
                 if n.recipient == "acikkapi@maltepe-kaymakamligi.example"]
    assert maltepe.params["new_count"] == 1 and receipt["application_no"] in maltepe.params["new_list"]
    on_due = datetime.combine(case.legal_due_date, datetime.min.time(), tzinfo=ISTANBUL) + timedelta(hours=8)
    [maltepe] = [n for n in digest(on_due) if n.recipient == "acikkapi@maltepe-kaymakamligi.example"]
    assert maltepe.params["due_count"] == 1 and maltepe.params["overdue_count"] == 0
    [maltepe] = [n for n in digest(on_due + timedelta(days=3))
                 if n.recipient == "acikkapi@maltepe-kaymakamligi.example"]
    assert maltepe.params["overdue_count"] == 1


# --- survey and objection -----------------------------------------------------------

def concluded(client, staff, application, aws):
    receipt, token = forwarded_case(client, application, aws)
    no = receipt["application_no"]
    inst_post(client, "answer", token, ANSWER)
    r = act(client, staff, no, "conclude", {"outcome": "positive",
                                            "answer": "Kaldırım onarıldı; gerekçeli cevabımız budur."})
    assert r.status_code == 200
    route_all(aws)
    return receipt


def test_survey_once_per_case_with_no_personal_data(client, staff, application, aws):
    receipt = concluded(client, staff, application, aws)
    [sms] = [m for m in outbox()["sms"] if "sonuçlandı" in m["body"]]
    survey_link = [link for link in sms["links"] if "anket.html#t=" in link][0]
    token = survey_link.split("#t=", 1)[1]
    h = {"Content-Type": "application/json", "X-Survey-Token": token}
    assert client.http.get("/v1/surveys", headers=h).json_body == {"application_no": receipt["application_no"],
                                                                   "answered": False}
    bad = client.http.post("/v1/surveys", headers=h, body=json.dumps({"rating": 6}))
    assert bad.status_code == 422 and bad.json_body["error"]["field"] == "rating"
    ok = client.http.post("/v1/surveys", headers=h, body=json.dumps({"rating": 5, "comment": "Hızlı çözüldü"}))
    assert ok.status_code == 201
    again = client.http.post("/v1/surveys", headers=h, body=json.dumps({"rating": 1}))
    assert again.status_code == 409 and again.json_body["error"]["code"] == "already_answered"
    from chalicelib.adapters.dynamodb.models import SurveyItem
    stored = SurveyItem.get(f"SURVEY#{receipt['application_no'].replace('-', '')}", "SURVEY").attribute_values
    assert stored["rating"] == 5 and stored["district"] == "34-maltepe"
    assert not {"national_id", "phone", "first_name", "applicant_enc", "name"} & set(stored)
    tampered = dict(h, **{"X-Survey-Token": token[:-2] + "xx"})
    assert client.http.get("/v1/surveys", headers=tampered).status_code == 401
    tracked = client.http.get(f"/v1/applications/{receipt['application_no']}",
                              headers={"X-Access-Code": receipt["access_code"]}).json_body
    assert tracked["survey_token"] and tracked["can_object"] is True


def test_objection_once_within_30_days_reopens_evaluation(client, staff, application, aws):
    receipt = concluded(client, staff, application, aws)
    url = f"/v1/applications/{receipt['application_no']}/objection"
    h = {"Content-Type": "application/json", "X-Access-Code": receipt["access_code"]}
    wrong = client.http.post(url, headers=dict(h, **{"X-Access-Code": "AAAAA-AAAAA"}),
                             body=json.dumps({"reason": "Kaldırım hâlâ bozuk duruyor."}))
    assert wrong.status_code == 404
    r = client.http.post(url, headers=h, body=json.dumps({"reason": "Kaldırım hâlâ bozuk duruyor."}))
    assert r.status_code == 200 and r.json_body["status"] == "under_evaluation"
    notes = [h["note"] for h in r.json_body["history"]]
    assert notes[-2].startswith("İtirazınız alındı")
    assert notes[-1].startswith("Yeniden değerlendirmede yasal cevap süresi")   # the period runs again
    again = client.http.post(url, headers=h, body=json.dumps({"reason": "Bir kez daha itiraz ediyorum."}))
    assert again.status_code == 409 and again.json_body["error"]["code"] == "already_objected"
    route_all(aws)
    assert any(m["to"] == ["acikkapi.sorumlu@maltepe-kaymakamligi.example"] and "itiraz" in m["subject"]
               for m in outbox()["email"])
    view = detail(client, staff, receipt["application_no"])
    assert view["notes"][-1]["text"] == "Kaldırım hâlâ bozuk duruyor."


def test_objection_after_30_days_is_refused(client, staff, application, aws):
    receipt = concluded(client, staff, application, aws)
    from chalicelib.domain.errors import Conflict
    from chalicelib.services import feedback
    from tests.helpers import real_ports
    with pytest.raises(Conflict) as exc:
        feedback.object_to_conclusion(real_ports(now=datetime.now(timezone.utc) + timedelta(days=31)),
                                      receipt["application_no"], receipt["access_code"],
                                      {"reason": "Çok geç gelen bir itiraz."}, client="1.2.3.4")
    assert exc.value.code == "objection_window_closed"


def _sqs_unreachable(*args, **kwargs):
    raise RuntimeError("SQS unreachable")


def test_a_lost_routing_message_is_sent_again_by_the_sweep(client, application, aws, monkeypatch):
    from chalicelib.adapters import publisher as queues
    from chalicelib.bootstrap import ports
    from chalicelib.services import sweeps

    monkeypatch.setattr(queues, "send", _sqs_unreachable)
    receipt = submit(client, application)          # still a receipt: the case is recorded
    monkeypatch.undo()
    assert route_all(aws) == ([], [])              # nothing was queued
    now = datetime.now(timezone.utc)
    assert sweeps.reroute_sweep(ports(), now + timedelta(minutes=5)) == 0
    assert sweeps.reroute_sweep(ports(), now + timedelta(minutes=11)) == 1
    route_all(aws)
    status = client.http.get(f"/v1/applications/{receipt['application_no']}",
                             headers={"X-Access-Code": receipt["access_code"]}).json_body["status"]
    assert status == "forwarded"
    assert sweeps.reroute_sweep(ports(), now + timedelta(hours=2)) == 0  # routed: out of the re-route slot
    assert sum("alındı" in m["body"] for m in outbox()["sms"]) == 1


def test_routed_cases_leave_no_marker_behind(client, application, aws):
    from chalicelib.bootstrap import ports
    from chalicelib.services import sweeps
    submit(client, application)
    submit(client, dict(application, district="06-cankaya"))  # goes to review: also routed
    route_all(aws)
    assert sweeps.reroute_sweep(ports(), datetime.now(timezone.utc) + timedelta(hours=1)) == 0


def test_a_received_case_is_its_own_reroute_slot_and_routing_moves_it_on(client, application, aws, monkeypatch):
    """No marker item: the case itself holds the re-route slot while received (one item
    fewer in the submission's transaction and none to delete in routing's), postponing
    moves only that slot (not the case's version), and routing moves the case on."""
    from chalicelib.adapters import publisher as queues
    from chalicelib.adapters.dynamodb.models import CaseItem, RouteMarker
    from chalicelib.bootstrap import ports
    from chalicelib.domain.numbers import normalise_application_no
    from chalicelib.services import sweeps

    monkeypatch.setattr(queues, "send", _sqs_unreachable)
    receipt = submit(client, application)
    monkeypatch.undo()
    no = normalise_application_no(receipt["application_no"])
    assert [i.pk for i in RouteMarker.scan(RouteMarker.pk.startswith("ROUTE#"))] == []
    item = CaseItem.get(f"CASE#{no}", "CASE")
    assert item.sweep_pk.startswith("R#") and item.version == 1
    now = datetime.now(timezone.utc)
    assert sweeps.reroute_sweep(ports(), now + timedelta(minutes=11)) == 1
    postponed = CaseItem.get(f"CASE#{no}", "CASE")
    assert postponed.version == 1 and postponed.sweep_sk > item.sweep_sk     # the slot moved, the case did not
    assert sweeps.reroute_sweep(ports(), now + timedelta(minutes=20)) == 0
    route_all(aws)
    routed = CaseItem.get(f"CASE#{no}", "CASE")
    assert routed.status == "forwarded" and routed.sweep_pk.startswith("C#")   # the legal warning's slot now


def test_a_route_marker_left_from_before_is_cleared_once_its_case_is_routed(client, application, aws, monkeypatch):
    """Markers written before the case carried its own slot: the sweep deletes one whose
    case was routed (routing no longer does) and follows one whose case was not."""
    from chalicelib.adapters import publisher as queues
    from chalicelib.adapters.dynamodb import itemkeys as K
    from chalicelib.adapters.dynamodb.models import RouteMarker
    from chalicelib.bootstrap import ports
    from chalicelib.domain import sweeps as W
    from chalicelib.domain.numbers import normalise_application_no

    routed = normalise_application_no(submit(client, application)["application_no"])
    route_all(aws)
    monkeypatch.setattr(queues, "send", _sqs_unreachable)
    waiting = normalise_application_no(submit(client, dict(application, subject="Sokak lambası yanmıyor"))
                                       ["application_no"])
    monkeypatch.undo()
    past = datetime.now(timezone.utc) - timedelta(hours=1)
    for no in (routed, waiting):
        RouteMarker(*K.route_key(no), district="34-maltepe",
                    sweep_pk=K.sweep_pk(W.ROUTE_KIND, W.shard_of(no)), sweep_sk=W.sweep_key(past, no)).save()
    assert [p.application_no for p in ports().cases.due_routes(datetime.now(timezone.utc))] == [waiting]
    later = datetime.now(timezone.utc) + timedelta(minutes=11)     # its own slot is due too: sent once
    assert [p.application_no for p in ports().cases.due_routes(later)] == [waiting]
    assert [i.pk for i in RouteMarker.scan(RouteMarker.pk.startswith("ROUTE#"))] == [f"ROUTE#{waiting}"]
