"""The one mapping from domain events to messages (services/notifications.py)."""
from __future__ import annotations

import typing
from datetime import datetime, timezone

import pytest

from chalicelib.domain import events as ev
from chalicelib.domain.assignment import Institution
from chalicelib.domain.notifications import Notification, dedup_key
from chalicelib.domain.principal import Principal
from chalicelib.services import applications, notifications, office, reference, routing
from tests.conftest import VALID_APPLICATION
from tests.fakes import fake_ports

DESK = Principal("masa.maltepe", "desk", "34-maltepe", "34")


@pytest.fixture
def p():
    ports = fake_ports(datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc))
    reference.seed(ports)
    return ports


def _in_review(p):
    body = dict(VALID_APPLICATION, category="okul_servis")
    no = applications.submit(p, body, idempotency_key_header=None).body["application_no"].replace("-", "")
    routing.handle(p, p.publisher.routed[-1])
    return no


def test_every_event_has_exactly_one_mapping():
    assert set(typing.get_args(ev.Event)) == set(notifications._MAP)


def test_an_institution_with_another_send_method_is_reached_through_it_and_only_it(p, monkeypatch):
    sent = []

    def ticket(keys, case_no, a, kind, event, params):
        sent.append((a.institution.id, kind))
        return Notification(dedup_key(case_no, event, a.institution.id), "ticket", f"institution_{kind}",
                            "https://ticket.example/api", params)
    monkeypatch.setitem(notifications.INSTITUTION_DELIVERY, "ticket", ticket)
    settings = p.store.district("34-maltepe")
    settings.institutions = [Institution(i.id, i.kind, i.name, i.liaison_email, i.sla_days,
                                         "ticket" if i.kind == "emniyet" else i.send_method)
                             for i in settings.institutions]
    p.store.save_district(settings)
    no = _in_review(p)
    p.publisher.notified.clear()
    office.forward(p, DESK, no, {"institution_ids": ["34-maltepe.belediye", "34-maltepe.emniyet"],
                                 "version": p.store.get(no).version}, client="x")
    by_channel = sorted((n.channel, n.template, n.recipient) for n in p.publisher.notified)
    assert by_channel == [("email", "institution_assigned", "acikkapi.belediye@maltepe.example"),
                          ("sms", "forwarded", "+905321234567"),
                          ("ticket", "institution_assigned", "https://ticket.example/api")]
    assert sent == [("34-maltepe.emniyet", "assigned")]
    _, assignments = p.store.load_with_assignments(no)
    assert {a.institution.id: a.institution.send_method for a in assignments} == {
        "34-maltepe.belediye": "email_link", "34-maltepe.emniyet": "ticket"}


def test_office_mail_is_left_out_when_the_district_has_no_settings_and_the_citizen_is_still_told(p):
    no = _in_review(p)
    case = p.store.get(no)
    case.district = "06-cankaya"
    p.store.districts.pop("06-cankaya", None)
    out = notifications.for_events(p, [ev.DeadlineExtended(case, "Çankaya Belediyesi", "Görüş bekleniyor."),
                                       ev.ConclusionObjected(case)])
    assert [(n.channel, n.template) for n in out] == [("sms", "extended")]


def test_a_long_extension_reason_is_cut_to_60_characters_in_the_sms_and_kept_whole_for_the_office(p):
    no = _in_review(p)
    case = p.store.get(no)
    reason = "Başvuruda istenen bilgiler üç ayrı kurumun arşivinde bulunduğundan görüş alınması gerekiyor."
    sms, mail = notifications.for_events(p, [ev.DeadlineExtended(case, "Maltepe Belediyesi", reason)])
    assert len(sms.params["reason_short"]) == 60 and sms.params["reason_short"].endswith("...")
    assert mail.params["detail"] == f"Maltepe Belediyesi: {reason}"
    assert mail.recipient == "acikkapi@maltepe-kaymakamligi.example"


def test_the_district_settings_are_read_once_for_many_office_events(p):
    no = _in_review(p)
    case = p.store.get(no)
    reads = []
    real = p.store.district
    p.store.district = lambda code: reads.append(code) or real(code)
    out = notifications.for_events(p, [ev.LegalDeadlineNear(case, 5), ev.ConclusionObjected(case),
                                       ev.ExtensionDecisionDue(case, case.legal_due_date)])
    assert len(out) == 3 and reads == ["34-maltepe"]
