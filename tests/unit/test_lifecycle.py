"""Issue 12: every path off the happy one ends right, in law and in what people are told.
On the fakes, with a fixed clock and literal dates; each test fails on the behaviour the
issue reproduced."""
from __future__ import annotations

import copy
from datetime import date, datetime, timedelta, timezone

import pytest

from chalicelib.domain import office as policy
from chalicelib.domain.calendar import ISTANBUL
from chalicelib.domain.errors import AppError, Conflict, Gone
from chalicelib.domain.principal import Principal
from chalicelib.services import feedback, institution, office, routing, sweeps, tracking
from tests.conftest import VALID_APPLICATION
from tests.unit.test_service_rules import CANKAYA_DESK, routed

DESK = Principal("masa.maltepe", "desk", "34-maltepe", "34")
SUPERVISOR = Principal("sorumlu.maltepe", "supervisor", "34-maltepe", "34")
MON_5_JAN = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)   # 12:00 in İstanbul
BELEDIYE = "34-maltepe.belediye"
ANSWER = {"text": "Onarım ekibi yönlendirildi.", "outcome": "positive", "responder_name": "Ali Kaya",
          "responder_title": "Müdür"}


def v(p, no):
    return p.cases.get(no).version


def tokens(p, no, institution_id=""):
    return [n.params["link"].split("#t=")[1] for n in p.publisher.notified
            if n.template == "institution_assigned" and n.dedup_key.startswith(no)
            and n.dedup_key.endswith(institution_id)]


def token(p, no, institution_id=""):
    return tokens(p, no, institution_id)[-1]


def track(p, receipt):
    return tracking.track(p, receipt["application_no"], receipt["access_code"], client="1.1.1.1")


# --- 1, 2: privacy ------------------------------------------------------------------------

def test_a_reclassified_ihbar_keeps_its_informant_hidden_from_the_institution(p):
    no, _ = routed(p, type="ihbar", confidential_identity=True)
    office.triage(p, DESK, no, {"type": "sikayet", "reason": "Şikâyet niteliğinde.", "version": v(p, no)},
                  client="x")
    case = p.cases.get(no)
    assert case.type == "sikayet" and case.confidential_identity is True
    view = institution.read(p, token(p, no), client="10.0.0.9")
    assert view["applicant"] is None and view["identity_withheld"] is True
    for secret in ("Ayşe", "Yılmaz", "+905321234567", "ayse@example.com", "10000000146"):
        assert secret not in str(view)
    mails = [n for n in p.publisher.notified if n.recipient.endswith("maltepe.example")]
    assert mails and all("Ayşe" not in str(n.render()) for n in mails)


def test_a_confidential_ihbar_merged_into_an_earlier_case_keeps_its_informant_hidden(p):
    """The informant asked that institutions not learn who reported: merging the report into
    the same applicant's earlier, open case carries that over to the earlier case."""
    earlier, _ = routed(p, type="sikayet", district="06-cankaya")
    office.forward(p, CANKAYA_DESK, earlier, {"institution_ids": ["06-cankaya.belediye"], "version": v(p, earlier)},
                   client="x")                                   # forwarded, not confidential
    assert institution.read(p, token(p, earlier), client="10.0.0.9")["applicant"] is not None
    p.clock.advance(hours=1)
    report, _ = routed(p, type="ihbar", confidential_identity=True, district="06-cankaya")   # in review
    office.merge(p, CANKAYA_DESK, report, {"into": earlier, "explanation": "Aynı konu, aynı başvuran.",
                                           "version": v(p, report)}, client="x")
    case = p.cases.get(earlier)
    assert case.confidential_identity is True
    view = institution.read(p, token(p, earlier), client="10.0.0.9")
    assert view["applicant"] is None and view["identity_withheld"] is True
    for secret in ("Ayşe", "Yılmaz", "+905321234567", "10000000146"):
        assert secret not in str(view)
    with pytest.raises(AppError):                               # and it cannot be dropped there either
        office.triage(p, CANKAYA_DESK, earlier, {"confidential_identity": False, "reason": "Gerek yok.",
                                                 "version": v(p, earlier)}, client="x")


def test_confidentiality_can_be_granted_after_intake_and_never_dropped(p):
    no, _ = routed(p)
    with pytest.raises(AppError) as exc:
        office.triage(p, DESK, no, {"confidential_identity": False, "reason": "Gerek yok.", "version": v(p, no)},
                      client="x")
    assert exc.value.code == "nothing_to_change"              # it was never set: nothing is dropped
    office.triage(p, DESK, no, {"confidential_identity": True, "reason": "Başvuran korunmalı.",
                                "version": v(p, no)}, client="x")
    assert p.cases.get(no).confidential_identity is True
    with pytest.raises(AppError) as exc:
        office.triage(p, DESK, no, {"confidential_identity": False, "reason": "Kaldıralım.", "version": v(p, no)},
                      client="x")
    assert exc.value.status == 422 and exc.value.field == "confidential_identity"
    assert p.cases.get(no).confidential_identity is True
    assert institution.read(p, token(p, no), client="10.0.0.9")["applicant"] is None


def test_the_institution_sees_a_masked_phone_until_the_office_shares_it_audited(p):
    no, _ = routed(p)
    view = institution.read(p, token(p, no), client="10.0.0.9")
    assert view["applicant"]["phone"] == "+90532*****67" and view["applicant"]["email"] == "a***@example.com"
    assert "+905321234567" not in str(view) and view["contact_shared"] is False
    detail = office.get_case(p, DESK, no, client="x")
    assert "share-contact" in detail["allowed_actions"]
    office.share_contact(p, DESK, no, {"institution_id": BELEDIYE, "reason": "Ekip adresi bulamıyor.",
                                       "version": detail["version"]}, client="x")
    view = institution.read(p, token(p, no), client="10.0.0.9")
    assert view["applicant"]["phone"] == "+905321234567" and view["applicant"]["email"] == "ayse@example.com"
    assert p.audit.trail(no)[-2]["action"] == "share-contact"
    assert p.audit.trail(no)[-2]["detail"] == {"institution": BELEDIYE}


def test_a_confidential_applicants_contact_is_never_shared(p):
    no, _ = routed(p, type="ihbar", confidential_identity=True)
    assert "share-contact" not in office.get_case(p, DESK, no, client="x")["allowed_actions"]
    with pytest.raises(Conflict) as exc:
        office.share_contact(p, DESK, no, {"institution_id": BELEDIYE, "reason": "Ekip adresi bulamıyor.",
                                           "version": v(p, no)}, client="x")
    assert exc.value.code == "identity_confidential"


# --- 3, 4, 5: closed means closed; answers are never lost ----------------------------------

def _to_review_via_citizen(p, no, receipt):
    office.request_info(p, DESK, no, {"message": "Sokağın adını yazar mısınız?", "version": v(p, no)}, client="x")
    office.citizen_reply(p, receipt["application_no"], receipt["access_code"], {"text": "Çınar Sokak."},
                         client="1.1.1.1")


@pytest.mark.parametrize("close", ["not_processed", "merge", "conclude"])
def test_closing_a_case_closes_its_assignments_tells_the_institution_and_nothing_chases_it(p, close):
    earlier, _ = routed(p, category="okul_servis")                # an open case of the same applicant
    p.clock.advance(hours=1)
    no, receipt = routed(p)                                       # forwarded; SLA Wed 14 Jan
    link = token(p, no)
    office.request_info(p, DESK, no, {"message": "Sokağın adını yazar mısınız?", "version": v(p, no)}, client="x")
    p.publisher.notified.clear()
    if close == "not_processed":                                  # forwarded -> awaiting -> not processed
        office.not_processed(p, DESK, no, {"reason_code": "judicial_matter", "explanation": "Komşular arası dava konusu.",
                                           "version": v(p, no)}, client="x")
        why = "işleme alınmadan kapatıldı (gerekçe: Yargı mercilerinin görevine giren konuyla ilgili başvuru (3071 sayılı Kanun md. 6/b))"
    elif close == "merge":
        office.merge(p, DESK, no, {"into": earlier, "explanation": "Aynı konu, aynı başvuran.", "version": v(p, no)},
                     client="x")
        why = f"{earlier[:4]}-{earlier[4:8]}-{earlier[8:]} numaralı önceki başvurusuyla birleştirildi"
    else:   # a case stored by the old code: back in review with its assignment still open
        office.citizen_reply(p, receipt["application_no"], receipt["access_code"], {"text": "Çınar Sokak."},
                             client="1.1.1.1")
        case = p.cases.cases[no]
        case.status = case.status.__class__("in_review")
        office.conclude(p, DESK, no, {"outcome": "informed", "answer": "Konu başka bir yola yönlendirildi.",
                                      "version": v(p, no)}, client="x")
        why = "sonuçlandırıldı"
    case, [a] = p.cases.load_with_assignments(no)
    assert a.status == "closed" and case.sla_due_date is None
    [closed] = [n for n in p.publisher.notified if n.template == "institution_closed"]
    assert closed.recipient == "acikkapi.belediye@maltepe.example" and why in closed.params["reason"]
    assert why in closed.render()[1] and closed.dedup_key == f"{no}:closed-1:{BELEDIYE}"
    p.publisher.notified.clear()
    for day in range(5, 40):                                      # every sweep of the next weeks
        at = datetime(2026, 1, 1, 0, 5, tzinfo=ISTANBUL) + timedelta(days=day)
        sweeps.deadline(p, at)
        sweeps.daily(p, at.replace(hour=8))
    assert [n for n in p.publisher.notified if n.template != "digest" and no in n.dedup_key] == []
    with pytest.raises(Gone) as exc:
        institution.read(p, link, client="10.0.0.9")
    assert exc.value.code == "case_closed" and why in exc.value.message


def test_an_assignment_left_open_on_a_closed_case_is_closed_by_the_sweep_silently(p):
    """Cases closed before closing took their assignments along: the sweep never chases them."""
    no, _ = routed(p)
    case = p.cases.get(no)
    case.status = case.status.__class__("not_processed")
    p.cases.cases[no] = case                                      # as stored by the old code: assignment left sent
    p.publisher.notified.clear()
    result = sweeps.assignment_sweep(p, datetime(2026, 1, 15, 0, 5, tzinfo=ISTANBUL))
    assert result["closed"] == 1 and result["reminded"] == result["escalated"] == 0
    assert p.publisher.notified == [] and p.cases.assignments(no)[0].status == "closed"


def test_an_answer_given_while_the_office_waits_for_the_citizen_is_not_lost(p):
    no, receipt = routed(p)
    office.request_info(p, DESK, no, {"message": "Sokağın adını yazar mısınız?", "version": v(p, no)}, client="x")
    institution.answer(p, token(p, no), ANSWER, client="10.0.0.9")
    assert p.cases.get(no).status == "awaiting_applicant"         # still waiting for the citizen ...
    office.citizen_reply(p, receipt["application_no"], receipt["access_code"], {"text": "Çınar Sokak."},
                         client="1.1.1.1")
    detail = office.get_case(p, DESK, no, client="x")
    assert detail["status"] == "institution_answered"             # ... then the answer is seen
    assert "evaluate" in detail["allowed_actions"] and "conclude" in detail["allowed_actions"]


def test_information_received_at_the_desk_returns_the_case_to_the_queue(p):
    no, _ = routed(p, category="okul_servis")                     # in review, no institution yet
    office.request_info(p, DESK, no, {"message": "Okulun adını yazar mısınız?", "version": v(p, no)}, client="x")
    with pytest.raises(AppError) as exc:
        office.information_received(p, DESK, no, {"channel": "mail", "text": "x", "version": v(p, no)}, client="x")
    assert exc.value.status == 422
    detail = office.information_received(p, DESK, no, {"channel": "desk", "text": "Atatürk İlkokulu.",
                                                       "version": v(p, no)}, client="x")
    assert detail["status"] == "in_review"
    [note] = [n for n in detail["notes"] if n["kind"] == "desk_reply"]
    assert note["text"] == "Atatürk İlkokulu." and note["by"] == "masa.maltepe"
    stored = [n for n in p.cases.get(no).notes if n["kind"] == "desk_reply"][0]
    assert "text" not in stored and "Atatürk" not in str(stored)   # sealed at rest, like an online reply
    with pytest.raises(Conflict) as exc:
        office.information_received(p, DESK, no, {"channel": "desk", "text": "Tekrar.", "version": v(p, no)},
                                    client="x")
    assert exc.value.code == "not_awaiting_reply"


# --- 6, 8, 10, 11: deadlines ----------------------------------------------------------------

def test_the_office_extends_an_information_request_until_day_15_and_tells_the_citizen(p):
    no, receipt = routed(p, type="bilgi_edinme", category="okul_kayit")  # day 15 is Mon 26 Jan
    p.clock.at = datetime(2026, 1, 26, 15, 0, tzinfo=ISTANBUL)
    assert "extend" in office.get_case(p, DESK, no, client="x")["allowed_actions"]
    p.publisher.notified.clear()
    detail = office.extend(p, DESK, no, {"ground": "other_institution", "explanation": "İl müdürlüğü görüşü.",
                                         "version": v(p, no)}, client="x")
    assert detail["legal_due_date"] == "2026-02-16" and detail["extended"] is True      # the 30th working day
    sent = sorted((n.channel, n.template, n.recipient) for n in p.publisher.notified)
    assert sent == [("email", "extended", "ayse@example.com"), ("sms", "extended", "+905321234567")]
    assert "16.02.2026" in p.publisher.notified[0].render()[1]
    assert any("Gerekçe: Başvurunun cevaplanması için başka bir kurumun görüşünün alınması gerekiyor" in h["note"]
               for h in track(p, receipt)["history"])          # the statutory ground, 4982 art. 11/2
    with pytest.raises(Conflict) as exc:
        office.extend(p, DESK, no, {"ground": "other_unit", "explanation": "Bir kez daha uzatalım.",
                                    "version": v(p, no)}, client="x")
    assert exc.value.code == "already_extended"


def test_the_office_cannot_extend_after_the_15th_working_day(p):
    no, _ = routed(p, type="bilgi_edinme", category="okul_kayit")
    p.clock.at = datetime(2026, 1, 27, 9, 0, tzinfo=ISTANBUL)
    with pytest.raises(Conflict) as exc:
        office.extend(p, DESK, no, {"ground": "other_unit", "explanation": "Arşivden bilgi gerekiyor.",
                                    "version": v(p, no)}, client="x")
    assert exc.value.code == "extension_window_closed" and "26.01.2026" in exc.value.message
    with pytest.raises(Conflict) as exc:                   # and a complaint is not extended at all
        other, _ = routed(p)
        office.extend(p, DESK, other, {"ground": "other_unit", "explanation": "Arşivden bilgi gerekiyor.",
                                       "version": v(p, other)}, client="x")
    assert exc.value.code == "extension_not_applicable"


def test_a_refused_information_request_states_the_legal_remedies(p):
    no, receipt = routed(p, type="bilgi_edinme", category="okul_kayit")
    institution.answer(p, token(p, no), dict(ANSWER, outcome="negative"), client="10.0.0.9")
    detail = office.get_case(p, DESK, no, client="x")
    template = detail["legal_remedies_template"]
    assert "Bilgi Edinme Değerlendirme Kuruluna" in template and "15 gün" in template
    with pytest.raises(AppError) as exc:                   # the standard text cannot be replaced by anything else
        office.conclude(p, DESK, no, {"outcome": "negative", "answer": "İstenen bilgi ticari sır niteliğindedir.",
                                      "legal_remedies": "İtiraz edebilirsiniz, yirmi karakter.",
                                      "version": detail["version"]}, client="x")
    assert exc.value.status == 422 and exc.value.field == "legal_remedies"
    office.conclude(p, DESK, no, {"outcome": "negative", "answer": "İstenen bilgi ticari sır niteliğindedir.",
                                  "remedies_note": "Kurulun adresi: Ankara.", "version": detail["version"]},
                    client="x")
    assert track(p, receipt)["final_answer"]["legal_remedies"] == template + "\n\nKurulun adresi: Ankara."
    [mail] = [n for n in p.publisher.notified if n.template == "concluded" and n.channel == "email"]
    assert "Kurul" not in mail.render()[1] and "izle.html" in mail.render()[1]     # a notice: the answer is read there


@pytest.mark.parametrize("conclusion", [
    {"outcome": "positive", "partly_refused": True, "answer": "Bilginin bir kısmı verilmiştir, kalanı gizlidir."},
    {"outcome": "not_competent", "answer": "İstenen bilgi kurumumuzda bulunmamaktadır, ilgili kuruma sorunuz."}])
def test_a_partial_refusal_or_a_not_held_answer_of_an_information_request_states_the_remedies_too(p, conclusion):
    no, receipt = routed(p, type="bilgi_edinme", category="okul_kayit")
    institution.answer(p, token(p, no), ANSWER, client="10.0.0.9")
    office.conclude(p, DESK, no, {**conclusion, "version": v(p, no)}, client="x")
    assert track(p, receipt)["final_answer"]["legal_remedies"] == policy.LEGAL_REMEDIES_4982


def test_an_information_request_refused_as_not_processed_states_its_reasons_and_remedies(p):
    no, receipt = routed(p, type="bilgi_edinme", category="okul_kayit", district="06-cankaya")   # in review
    office.not_processed(p, CANKAYA_DESK, no, {"reason_code": "no_clear_subject", "explanation": "Hangi bilginin "
                                               "istendiği anlaşılamamıştır.", "version": v(p, no)}, client="x")
    view = track(p, receipt)
    assert view["legal_remedies"] == policy.LEGAL_REMEDIES_4982
    assert "Bilgi Edinme Değerlendirme Kurulu" in view["history"][-1]["note"]
    assert "md. 6/a" in view["history"][-1]["note"]


def test_a_complaint_answered_negative_tells_the_general_remedies_and_a_positive_one_none(p):
    """Constitution art. 40/2: an act that refuses states the remedies and their periods."""
    no, receipt = routed(p)
    institution.answer(p, token(p, no), dict(ANSWER, outcome="negative"), client="10.0.0.9")
    office.conclude(p, DESK, no, {"outcome": "negative", "answer": "Talep mevzuata uygun bulunmamıştır.",
                                  "version": v(p, no)}, client="x")
    assert p.cases.get(no).legal_remedies == policy.GENERAL_REMEDIES
    assert "idare mahkemesinde" in track(p, receipt)["final_answer"]["legal_remedies"]
    other, _ = routed(p)
    institution.answer(p, token(p, other), ANSWER, client="10.0.0.9")
    office.conclude(p, DESK, other, {"outcome": "positive", "answer": "Kaldırım onarılmıştır; gereği yapıldı.",
                                     "version": v(p, other)}, client="x")
    assert p.cases.get(other).legal_remedies is None


def test_an_objection_is_accepted_until_the_end_of_its_last_day_istanbul_time(p):
    no, receipt = routed(p)
    institution.answer(p, token(p, no), ANSWER, client="10.0.0.9")
    office.conclude(p, DESK, no, {"outcome": "positive", "answer": "Kaldırım onarıldı; gereği yapıldı.",
                                  "version": v(p, no)}, client="x")         # Mon 5 Jan 12:00
    view = track(p, receipt)
    assert (view["objection_deadline"], view["objection_deadline_end"]) == ("2026-02-04", "2026-02-04T23:59:59+03:00")
    p.clock.at = datetime(2026, 2, 4, 23, 30, tzinfo=ISTANBUL)   # later in the day than the conclusion was
    assert track(p, receipt)["can_object"] is True
    p.clock.at = datetime(2026, 2, 5, 0, 0, 1, tzinfo=ISTANBUL)
    assert track(p, receipt)["can_object"] is False
    with pytest.raises(Conflict) as exc:
        feedback.object_to_conclusion(p, receipt["application_no"], receipt["access_code"],
                                      {"reason": "Kaldırım hâlâ bozuk."}, client="c")
    assert exc.value.code == "objection_window_closed" and "04.02.2026" in exc.value.message


# --- 7, 8: re-opening ------------------------------------------------------------------------

def test_every_final_answer_stays_and_the_citizen_sees_it_was_replaced(p):
    no, receipt = routed(p)
    institution.answer(p, token(p, no), ANSWER, client="10.0.0.9")
    office.conclude(p, DESK, no, {"outcome": "positive", "answer": "Kaldırım onarıldı; gereği yapıldı.",
                                  "version": v(p, no)}, client="x")
    p.clock.advance(days=3)
    office.reopen(p, SUPERVISOR, no, {"reason": "Onarım eksik kalmış.", "version": v(p, no)}, client="x")
    office.conclude(p, DESK, no, {"outcome": "negative", "answer": "Onarım bütçe yetersizliğinden ertelendi.",
                                  "version": v(p, no)}, client="x")
    case = p.cases.get(no)
    assert [a["answer"] for a in case.final_answers] == ["Kaldırım onarıldı; gereği yapıldı.",
                                                        "Onarım bütçe yetersizliğinden ertelendi."]
    assert [a["outcome"] for a in case.final_answers] == ["positive", "negative"]
    final = track(p, receipt)["final_answer"]
    assert final["text"] == "Onarım bütçe yetersizliğinden ertelendi."
    assert final["replaces"] == [{"at": "2026-01-05T12:00:00+03:00", "outcome": "positive"}]
    assert any("önceki cevabın yerine geçer" in h["note"] for h in track(p, receipt)["history"])
    assert [n.dedup_key for n in p.publisher.notified if n.template == "concluded" and n.channel == "sms"] == [
        f"{no}:concluded-1:citizen", f"{no}:concluded-2:citizen"]


def test_a_reopened_case_gets_a_new_legal_period_and_a_reforward_is_not_overdue_at_once(p):
    no, receipt = routed(p)                                   # received Mon 5 Jan: due Wed 4 Feb
    institution.answer(p, token(p, no), ANSWER, client="10.0.0.9")
    office.conclude(p, DESK, no, {"outcome": "positive", "answer": "Kaldırım onarıldı; gereği yapıldı.",
                                  "version": v(p, no)}, client="x")
    p.clock.at = datetime(2026, 2, 3, 10, 0, tzinfo=ISTANBUL)
    feedback.object_to_conclusion(p, receipt["application_no"], receipt["access_code"],
                                  {"reason": "Kaldırım hâlâ bozuk."}, client="c")
    case = p.cases.get(no)
    assert case.reopened_on == date(2026, 2, 3) and case.legal_due_date == date(2026, 3, 5)   # 3 Feb + 30 days
    final = track(p, receipt)["final_answer"]                 # the answer objected to stays readable
    assert final["text"] == "Kaldırım onarıldı; gereği yapıldı." and final["under_review"] is True
    p.clock.at = datetime(2026, 2, 10, 10, 0, tzinfo=ISTANBUL)
    detail = office.forward(p, DESK, no, {"institution_ids": [BELEDIYE], "version": v(p, no)}, client="x")
    [a] = detail["assignments"]
    assert a["status"] == "sent" and a["sla_due_date"] == "2026-02-19"   # 7 working days from 10 Feb
    assert a["link_generation"] == 2 and len(tokens(p, no)) == 2          # a new link; the old one stops
    with pytest.raises(Gone):
        institution.read(p, tokens(p, no)[0], client="10.0.0.9")
    assert institution.read(p, token(p, no), client="10.0.0.9")["status"] == "sent"


def test_an_sla_is_capped_at_the_legal_date_only_while_that_date_is_ahead():
    from chalicelib.domain.calendar import default_calendar
    cal = default_calendar()
    assert cal.institution_sla_due(date(2026, 1, 28), date(2026, 2, 4)) == date(2026, 2, 4)    # capped
    assert cal.institution_sla_due(date(2026, 2, 10), date(2026, 2, 4)) == date(2026, 2, 19)   # past: not capped


def test_a_returned_answer_gets_a_fresh_sla_for_the_new_round(p):
    no, _ = routed(p)                                          # SLA Wed 14 Jan
    institution.answer(p, token(p, no), ANSWER, client="10.0.0.9")
    p.clock.at = datetime(2026, 1, 16, 10, 0, tzinfo=ISTANBUL)     # after the first SLA
    office.evaluate(p, DESK, no, {"institution_id": BELEDIYE, "decision": "return",
                                  "note": "Cevap konuyu karşılamıyor, ayrıntı veriniz.", "version": v(p, no)},
                    client="x")
    [a] = p.cases.assignments(no)
    assert a.status == "returned" and a.sla_due_date == date(2026, 1, 27)    # 7 working days from Fri 16 Jan
    assert p.cases.get(no).sla_due_date == date(2026, 1, 27)
    p.publisher.notified.clear()
    assert sweeps.assignment_sweep(p, datetime(2026, 1, 17, 0, 5, tzinfo=ISTANBUL))["escalated"] == 0


# --- 9: a thanks owes no answer ---------------------------------------------------------------

def test_a_thanks_has_no_legal_date_is_acknowledged_passed_on_and_never_chased(p):
    no, receipt = routed(p, type="tesekkur", subject="Zabıta ekibine teşekkür",
                         description="Pazar yerindeki düzen için zabıta ekibine çok teşekkür ederim.")
    assert receipt["legal_due_date"] is None
    case = p.cases.get(no)
    assert case.status == "in_review" and case.legal_due_date is None and "Teşekkür" in case.review_reason
    assert sorted((n.template, n.channel) for n in p.publisher.notified) == [("receipt", "email"), ("receipt", "sms")]             # not forwarded with a deadline
    with pytest.raises(Conflict) as exc:
        office.forward(p, DESK, no, {"institution_ids": [BELEDIYE], "version": v(p, no)}, client="x")
    assert exc.value.code == "thanks_not_forwarded"
    for day in range(1, 45):
        sweeps.daily(p, datetime(2026, 1, 5, 8, tzinfo=ISTANBUL) + timedelta(days=day))
    assert [n.template for n in p.publisher.notified if n.template == "office_event"] == []
    detail = office.acknowledge(p, DESK, no, {"message": "Teşekkürünüz ilgili ekibe iletilmiştir; sağ olun.",
                                              "institution_ids": [BELEDIYE], "version": v(p, no)}, client="x")
    assert detail["status"] == "concluded" and detail["assignments"] == []
    [mail] = [n for n in p.publisher.notified if n.template == "institution_thanks"]
    subject, body = mail.render()
    assert mail.recipient == "acikkapi.belediye@maltepe.example" and "Pazar yerindeki düzen" in body
    assert "Zabıta" not in subject and "Ayşe" not in body and "+90532" not in body
    view = track(p, receipt)
    assert view["legal_due_date"] is None and view["answer_owed"] is False and view["can_object"] is False
    assert "Teşekkürünüz Maltepe Belediye Başkanlığına iletildi." in [h["note"] for h in view["history"]]


# --- 12, 15: the desk; words people read --------------------------------------------------------

def test_the_desk_records_an_ihbars_confidentiality_and_needs_the_notice_ticked(p):
    body = copy.deepcopy(VALID_APPLICATION)
    body.update(channel="face_to_face", type="ihbar", confidential_identity=True)
    receipt = office.intake(p, DESK, body)
    assert p.cases.get(receipt["application_no"].replace("-", "")).confidential_identity is True
    body.update(kvkk_acknowledged=False)
    with pytest.raises(AppError) as exc:
        office.intake(p, DESK, body)
    assert exc.value.field == "kvkk_acknowledged"
    del body["kvkk_acknowledged"]
    with pytest.raises(AppError) as exc:
        office.intake(p, DESK, body)
    assert exc.value.field == "kvkk_acknowledged"


def test_whether_identity_was_verified_is_recorded_and_only_an_unverified_online_application_may_be_refused_for_it(p):
    """3071 art. 4: an application counts as signed once the applicant's identity is
    verified; an electronic one without it lacks that element and may be left unexamined
    under art. 6/c. A phone code proves the phone, not the person: it is not identity."""
    body = copy.deepcopy(VALID_APPLICATION)
    body.update(channel="face_to_face", identity_seen=True, category="okul_servis")
    desk = office.intake(p, DESK, body)["application_no"].replace("-", "")
    body.update(channel="phone")
    with pytest.raises(AppError) as exc:                        # nobody sees a card over the phone
        office.intake(p, DESK, body)
    assert exc.value.field == "identity_seen"
    routing.handle(p, next(m for m in p.publisher.routed if m["application_no"] == desk))
    web, _ = routed(p, category="okul_servis")
    seen, online = office.get_case(p, DESK, desk, client="x"), office.get_case(p, DESK, web, client="x")
    assert seen["identity_verification"] == "desk" and online["identity_verification"] is None
    assert online["phone_verified"] is False
    assert "unverified_identity" in [c["code"] for c in online["reason_codes"]]
    assert "unverified_identity" not in [c["code"] for c in seen["reason_codes"]]
    with pytest.raises(AppError) as exc:
        office.not_processed(p, DESK, desk, {"reason_code": "unverified_identity", "explanation": "Kimlik yok.",
                                             "version": v(p, desk)}, client="x")
    assert exc.value.status == 422 and exc.value.field == "reason_code" and not p.cases.get(desk).closed
    office.not_processed(p, DESK, web, {"reason_code": "unverified_identity", "explanation": "Kimlik doğrulanamadı.",
                                        "version": v(p, web)}, client="x")
    assert "md. 4 ve 6/c" in p.cases.get(web).history[-1].note


def test_a_refused_transition_and_the_timeline_speak_turkish(p):
    no, _ = routed(p)
    with pytest.raises(Conflict) as exc:
        office.conclude(p, DESK, no, {"outcome": "positive", "answer": "Erken sonuç metni yazıldı.",
                                      "version": v(p, no)}, client="x")
    assert exc.value.message == "Başvuru “Kuruma iletildi” durumundayken “Sonuçlandı” durumuna geçirilemez."
    institution.redirect(p, token(p, no), {"reason": "Konu il özel idaresinin görev alanında."}, client="10.0.0.9")
    history = office.get_case(p, DESK, no, client="x")["history"]
    assert {h["actor_name"] for h in history} == {"Başvuru sahibi", "Sistem", "Maltepe Belediye Başkanlığı"}
    assert history[-1]["status_name"] == "İnceleniyor"
    assert history[1]["note"] == "Başvurunuz Maltepe Belediye Başkanlığına iletildi."


def test_only_a_closed_case_can_be_reopened(p):
    """Found by the property test: FORWARDED -> IN_REVIEW is a legal transition (all
    institutions redirected), so reopening an open forwarded case used to succeed."""
    no, _ = routed(p)
    with pytest.raises(Conflict) as exc:
        office.reopen(p, SUPERVISOR, no, {"reason": "Yeni bilgi ortaya çıktı.", "version": v(p, no)}, client="x")
    assert exc.value.code == "not_closed" and p.cases.get(no).status == "forwarded"


def test_a_reopened_information_request_extended_again_is_told_again(p):
    """The second extension of a reopened request is a new notice, not a duplicate of the first."""
    no, receipt = routed(p, type="bilgi_edinme", category="okul_kayit")
    office.extend(p, DESK, no, {"ground": "other_unit", "explanation": "Arşiv birimi görüşü.", "version": v(p, no)},
                  client="x")
    institution.answer(p, token(p, no), ANSWER, client="10.0.0.9")
    office.conclude(p, DESK, no, {"outcome": "positive", "answer": "İstenen bilgiler ekte sunulmuştur.",
                                  "version": v(p, no)}, client="x")
    p.clock.advance(days=3)
    office.reopen(p, SUPERVISOR, no, {"reason": "Eksik bilgi verilmiş.", "version": v(p, no)}, client="x")
    office.extend(p, DESK, no, {"ground": "other_institution", "explanation": "İl müdürlüğünün görüşü.",
                                "version": v(p, no)}, client="x")
    keys = [n.dedup_key for n in p.publisher.notified if n.template == "extended" and n.channel == "sms"]
    assert len(keys) == 2 and len(set(keys)) == 2
