"""The one mapping from domain events to messages (services/notifications.py)."""
from __future__ import annotations

import re
import typing

from chalicelib.domain import events as ev
from chalicelib.domain import office as policy
from chalicelib.domain.assignment import Institution
from chalicelib.domain.principal import Principal
from chalicelib.services import applications, notification_map, office, routing
from tests.conftest import VALID_APPLICATION

DESK = Principal("masa.maltepe", "desk", "34-maltepe", "34")


def _in_review(p):
    body = dict(VALID_APPLICATION, category="okul_servis")
    no = applications.submit(p, body, idempotency_key_header=None).body["application_no"].replace("-", "")
    routing.handle(p, p.publisher.routed[-1])
    return no


def test_every_event_has_exactly_one_mapping():
    assert set(typing.get_args(ev.Event)) == set(notification_map._MAP)


def test_an_institution_reached_by_webhook_gets_a_signed_post_and_others_keep_their_email(p):
    """The second delivery method, end to end on the fakes: forward, map, deliver."""
    import hashlib
    import hmac
    import json

    from chalicelib.services import delivery, links
    settings = p.reference.district("34-maltepe")
    settings.institutions = [Institution(i.id, i.kind, i.name, i.liaison_email, i.sla_days,
                                         "webhook" if i.kind == "emniyet" else i.send_method,
                                         "https://ebys.emniyet.example/acikkapi" if i.kind == "emniyet" else None)
                             for i in settings.institutions]
    p.reference.save_district(settings)
    no = _in_review(p)
    p.publisher.notified.clear()
    office.forward(p, DESK, no, {"institution_ids": ["34-maltepe.belediye", "34-maltepe.emniyet"],
                                 "version": p.cases.get(no).version}, client="x")
    by_channel = sorted((n.channel, n.template, n.recipient) for n in p.publisher.notified)
    assert by_channel == [("email", "institution_assigned", "acikkapi.belediye@maltepe.example"),
                          ("sms", "forwarded", "+905321234567"),
                          ("webhook", "institution_assigned", "https://ebys.emniyet.example/acikkapi")]
    for n in p.publisher.notified:
        assert delivery.deliver(n, now=p.clock.now(), claims=p.claims, senders=p.senders, keys=p.keys) == "sent"
    [(url, body, headers)] = p.senders.webhooks
    assert url == "https://ebys.emniyet.example/acikkapi" and len(p.senders.email) == 1 and len(p.senders.sms) == 1
    doc = json.loads(body)
    assert doc["event"] == "institution_assigned" and doc["application_no"] == no[:4] + "-" + no[4:8] + "-" + no[8:]
    assert "#t=" in doc["link"] and "10000000146" not in body.decode() and "Ayşe" not in body.decode()
    secret = links.webhook_secret(p.keys, "34-maltepe.emniyet").encode()
    assert headers["X-AcikKapi-Signature"] == "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    assert headers["Idempotency-Key"] == [n for n in p.publisher.notified if n.channel == "webhook"][0].dedup_key
    again = [n for n in p.publisher.notified if n.channel == "webhook"][0]
    assert delivery.deliver(again, now=p.clock.now(), claims=p.claims, senders=p.senders, keys=p.keys) == "duplicate"
    _, assignments = p.cases.load_with_assignments(no)
    assert {a.institution.id: a.institution.send_method for a in assignments} == {
        "34-maltepe.belediye": "email_link", "34-maltepe.emniyet": "webhook"}


def test_every_delivery_method_is_one_module_found_by_the_package():
    from chalicelib.services import delivery, delivery_methods
    assert set(delivery_methods.METHODS) == {"email_link", "webhook"}
    for name, module in delivery_methods.METHODS.items():
        assert module.__name__.endswith("." + name) and module.LABEL and module.CHANNEL in delivery.SENDS
    for bad in ("http://ebys.example/x", "https://10.0.0.5/x", "https://localhost/x", "https://u:p@ebys.example/x", ""):
        assert delivery_methods.METHODS["webhook"].address_problem(
            Institution("i", "emniyet", "E", "e@example.org", None, "webhook", bad)), bad


def test_office_mail_is_left_out_when_the_office_has_no_address_and_the_citizen_is_still_told(p):
    no = _in_review(p)
    case = p.cases.get(no)
    case.district = case.office = "06-cankaya"
    p.reference.offices.pop("06-cankaya", None)
    out = notification_map.for_events(p, [ev.DeadlineExtended(case, "Çankaya Belediyesi", "Görüş bekleniyor."),
                                       ev.ConclusionObjected(case)])
    assert [(n.channel, n.template, n.recipient) for n in out] == [
        ("sms", "extended", "+905321234567"), ("email", "extended", VALID_APPLICATION["applicant"]["email"])]


# what a citizen or an institution wrote never goes into an SMS; only these may
SAFE_SMS_FIELDS = {"application_no", "into_no", "track_url", "survey_url", "date", "due_date", "institutions",
                   "authority", "ground",    # an institution's name; a statutory ground (office.EXTENSION_GROUNDS)
                   "text", "code"}   # "text": the office's own interim answer; "code": our 6 digits


def test_no_sms_template_carries_text_a_citizen_or_an_institution_wrote():
    import string

    from chalicelib.domain.notifications import templates
    used = {name: {f for _, f, _, _ in string.Formatter().parse(t["body"]) if f}
            for name, t in templates()["sms"].items()}
    assert {name: fields - SAFE_SMS_FIELDS for name, fields in used.items() if fields - SAFE_SMS_FIELDS} == {}
    assert used["interim_answer"] == {"application_no", "text"}       # the one free text, the office's
    assert used["otp"] == {"code"}


def test_a_hostile_subject_reaches_neither_the_receipt_sms_nor_a_mail_header(p):
    import dataclasses
    body = dict(VALID_APPLICATION, category="yol_kaldirim", subject="Borcunuz var, odeyin: http://evil.example/odeme")
    result = applications.submit(p, body, idempotency_key_header=None)
    routing.handle(p, p.publisher.routed[-1])
    sms = [n for n in p.publisher.notified if n.channel == "sms"]
    assert sms and all("evil" not in n.render()[1] for n in sms)
    [mail] = [n for n in p.publisher.notified if n.template == "institution_assigned"]
    subject, text = mail.render()
    assert subject == f"Açık Kapı başvurusu {result.body['application_no']} kurumunuza iletildi"
    assert "evil.example" in text                      # the citizen's subject is in the body only
    # input refuses line breaks in a subject; a case stored before that rule may still hold one
    old = dataclasses.replace(mail, params=dict(mail.params, subject="Kaldırım\r\nBcc: x@evil.example\u2028\x85"))
    assert "evil" not in old.render()[0] and "\n" not in old.render()[0]


def test_no_mail_subject_carries_text_a_citizen_or_an_institution_wrote():
    from chalicelib.domain.notifications import templates
    free_text = {"subject", "text", "answer", "note", "reason", "detail", "remedies", "first_name", "last_name"}
    for name, t in templates()["email"].items():
        placeholders = set(re.findall(r"{(\w+)}", t["subject"]))
        assert not placeholders & free_text, name


def test_the_extension_sms_names_the_new_date_and_leaves_the_reason_to_the_office_mail(p):
    no = _in_review(p)
    case = p.cases.get(no)
    reason = "Başvuruda istenen bilgiler üç ayrı kurumun arşivinde bulunuyor: http://baska.example"
    ground = policy.EXTENSION_GROUNDS["other_institution"]
    sms, citizen_mail, mail = notification_map.for_events(p, [ev.DeadlineExtended(case, "Maltepe Belediyesi", reason,
                                                                                 ground=ground)])
    # 4982 art. 11/2: the ground itself reaches the applicant in writing, by SMS; the
    # institution's own words go to the office only
    assert citizen_mail.recipient == "ayse@example.com" and reason not in citizen_mail.render()[1]
    assert ground in citizen_mail.render()[1] and "baska" not in citizen_mail.render()[0]
    text = sms.render()[1]
    assert "baska.example" not in text and "04.02.2026" in text and f"Gerekçe: {ground}" in text
    assert mail.params["detail"] == f"Maltepe Belediyesi: {reason}"
    assert mail.recipient == "acikkapi@maltepe-kaymakamligi.example"


def test_the_office_settings_are_read_once_for_many_office_events(p):
    no = _in_review(p)
    case = p.cases.get(no)
    reads = []
    real = p.reference.office
    p.reference.office = lambda code: reads.append(code) or real(code)
    out = notification_map.for_events(p, [ev.LegalDeadlineNear(case, 5), ev.ConclusionObjected(case),
                                       ev.ExtensionDecisionDue(case, case.legal_due_date)])
    assert len(out) == 3 and reads == ["34-maltepe"]


def test_the_forwarded_sms_names_one_institution_or_several_in_turkish(p):
    from chalicelib.domain.notifications import institutions_phrase
    # the dative of the name itself, by vowel harmony (issue 41: "Başkanlığı kurumuna" was wrong)
    assert institutions_phrase(["Maltepe Belediye Başkanlığı"]) == "Maltepe Belediye Başkanlığına"
    assert institutions_phrase(["İlçe Milli Eğitim Müdürlüğü"]) == "İlçe Milli Eğitim Müdürlüğüne"
    assert institutions_phrase(["Maltepe Belediyesi"]) == "Maltepe Belediyesine"
    assert institutions_phrase(["Sosyal Yardımlaşma ve Dayanışma Vakfı"]) == "Sosyal Yardımlaşma ve Dayanışma Vakfına"
    assert institutions_phrase(["İŞKUR Hizmet Merkezi"]) == "İŞKUR Hizmet Merkezine"
    assert institutions_phrase(["Ankara Cumhuriyet Başsavcılığı"]) == "Ankara Cumhuriyet Başsavcılığına"
    assert institutions_phrase(["SGK"]) == "SGK kurumuna"                       # read aloud: left as it was
    assert institutions_phrase(["A Müdürlüğü", "B Başkanlığı", "C Müdürlüğü"]) == \
        "A Müdürlüğü, B Başkanlığı ve C Müdürlüğüne"
    no = _in_review(p)
    office.forward(p, DESK, no, {"institution_ids": ["34-maltepe.belediye", "34-maltepe.emniyet"],
                                 "version": p.cases.get(no).version}, client="x")
    [sms] = [n for n in p.publisher.notified if n.template == "forwarded"]
    names = [i.name for i in p.reference.district("34-maltepe").institutions if i.kind in ("belediye", "emniyet")]
    from chalicelib.domain.notifications import dative
    assert f"{names[0]} ve {dative(names[1])} iletildi" in sms.render()[1]


def test_the_office_reads_the_suggested_outcome_in_turkish(p):
    from chalicelib.domain.assignment import Answer
    no = _in_review(p)
    office.forward(p, DESK, no, {"institution_ids": ["34-maltepe.belediye"], "version": p.cases.get(no).version},
                   client="x")
    case, [a] = p.cases.load_with_assignments(no)
    a.answers.append(Answer(case.received_at, "Yapıldı.", "not_competent", "Ali Kaya", "Müdür", []))
    [mail] = notification_map.for_events(p, [ev.InstitutionAnswered(case, a, "not_competent", all_answered=False)])
    assert mail.params["detail"].endswith("(önerilen sonuç: görev alanı dışında).")
