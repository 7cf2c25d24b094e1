"""Who is told what: the one mapping from domain events to messages.

Services return events (`domain/events.py`); `tell()` turns them into notifications
(channel, template, recipient, parameters, dedup key) and hands them to the publisher.
Templates are data (`data/templates.json`); every dedup key is (case, event, recipient),
so a repeated event never sends twice.

An institution is reached by its `send_method`: one module per method in
services/delivery_methods (the e-mailed signed link, a webhook to the institution's own
system); a new method is one module there.
"""
from __future__ import annotations

from typing import Callable, Iterable

from ..domain import events as ev
from ..domain import numbers
from ..domain.calendar import ISTANBUL, tr_date
from ..domain.catalog import catalog
from ..domain.notifications import OUTCOME_NAMES, Notification, dedup_key, institutions_phrase
from ..domain.subject_requests import KINDS, format_id
from . import delivery_methods, links
from .ports import Ports


def tell(ports: Ports, events: Iterable, *, offices: Callable | None = None) -> None:
    """Map `events` to notifications and publish them (one batch). `offices` looks up an
    office's settings (its e-mails); sweeps pass the lookup they already cache."""
    ports.publisher.notify(for_events(ports, events, offices=offices))


def for_events(ports: Ports, events: Iterable, *, offices: Callable | None = None) -> list[Notification]:
    lookup = offices or office_lookup(ports.reference)
    out: list[Notification] = []
    for e in events:
        out += _MAP[type(e)](ports.keys, lookup, e)
    return out


def office_lookup(store) -> Callable:
    """An office's stored settings by code (None for an office nobody set up: it has no
    address to write to), each read at most once per lookup."""
    cache: dict = {}

    def get(code):
        if code not in cache:
            cache[code] = store.office(code)
        return cache[code]
    return get


def office_name(code: str) -> str:
    ref = catalog().offices.get(code)
    return ref.name if ref else code


# --- the citizen -------------------------------------------------------------------------

def _sms(case, event: str, template: str, **params) -> Notification:
    no = numbers.format_application_no(case.application_no)
    return Notification(dedup_key(case.application_no, event, "citizen"), "sms", template, case.applicant.phone,
                        {"application_no": no, "track_url": links.track_url(no), **params})


def _citizen_email(case, event: str, template: str, **params) -> list[Notification]:
    """The citizen's e-mail of an event, when the citizen gave an address (else none)."""
    if not case.applicant.email:
        return []
    no = numbers.format_application_no(case.application_no)
    # Nobody confirmed that the address is the applicant's, so what goes to it is a notice
    # with the tracking link, never a name, an answer or a reason (docs/kvkk.md)
    return [Notification(dedup_key(case.application_no, event, "citizen-email"), "email", template,
                         case.applicant.email, {"application_no": no, "track_url": links.track_url(no), **params})]


def _received(keys, offices, e: ev.ApplicationReceived):
    c = e.case
    day = tr_date(c.received_at.astimezone(ISTANBUL).date())
    out = [_sms(c, "receipt", "receipt", date=day)]
    due = (f"Yasal cevap süresi {tr_date(c.legal_due_date)} tarihinde dolar." if c.legal_due_date
           else "Teşekkür başvurularında yasal cevap süresi yoktur.")
    out += _citizen_email(c, "receipt", "receipt", date=day, due=due)   # the receipt by e-mail too (a notice)
    return out


def _forwarded(keys, offices, e: ev.Forwarded):
    c = e.case
    names = institutions_phrase([i["name"] for i in c.institutions_of_forward(e.forward_id)])
    out = [_sms(c, f"forwarded-{e.forward_id}", "forwarded", institutions=names)]
    out += [_assigned(keys, c, a) for a in e.assignments if a.forward_id == e.forward_id]
    return out


def _referred(keys, offices, e: ev.Referred):
    c, a = e.case, e.assignment
    out = [_sms(c, f"referred-{a.forward_id}", "referred", authority=a.institution.name)]
    out += _citizen_email(c, f"referred-{a.forward_id}", "referred", authority=a.institution.name)
    out.append(_deliver_to(keys, a, "referred", f"referred-g{a.link_generation}", {
        "subject": c.subject, "office_name": office_name(c.office), "ground": e.ground,
        "source": e.source, "expires_on": tr_date(links.link_expiry(a.sla_due_date).date())}))
    return out


def _concluded(keys, offices, e: ev.Concluded):
    c = e.case
    assert c.concluded_at is not None     # a Concluded event is made at the conclusion
    survey = links.survey_url(keys, c, c.concluded_at)
    out = [_sms(c, f"concluded-{e.n}", "concluded", survey_url=survey)]
    out += _citizen_email(c, f"concluded-{e.n}", "concluded", survey_url=survey)
    return out


def _extended(keys, offices, e: ev.DeadlineExtended):
    """The reason may be an institution's words: it goes to e-mail bodies and to the
    tracking page, never into the SMS. The office is told when an institution extended."""
    c = e.case
    assert c.legal_due_date is not None   # only an information request, which owes an answer, is extended
    event = f"extended-{c.legal_due_date.isoformat()}"   # a reopened case may be extended again
    # 4982 art. 11/2: the ground itself reaches the applicant in writing within the 15
    # working days: the statutory text (never the office's or institution's words) in the SMS
    out = [_sms(c, event, "extended", due_date=tr_date(c.legal_due_date), ground=e.ground)]
    out += _citizen_email(c, event, "extended", due_date=tr_date(c.legal_due_date), ground=e.ground)
    if not e.by_office:
        out += _office(offices, c.application_no, c.office, event, "Bilgi edinme süresi uzatıldı",
                       f"{e.institution_name}: {e.reason}")
    return out


# --- the institution, by its send method -----------------------------------------------

def _deliver_to(keys, a, kind: str, event: str, params: dict) -> Notification:
    """An assignment event, by the institution's delivery method (services/delivery_methods)."""
    return delivery_methods.method(a.institution.send_method).notification(keys, a.application_no, a, kind, event,
                                                                            params)


def _assigned(keys, case, a) -> Notification:
    """A new link (a forward, or a re-issue after revocation: a new generation)."""
    return _deliver_to(keys, a, "assigned", f"assigned-g{a.link_generation}", {
        "subject": case.subject, "office_name": office_name(case.office),
        "sla_due_date": tr_date(a.sla_due_date), "expires_on": tr_date(links.link_expiry(a.sla_due_date).date())})


def _returned(keys, offices, e: ev.AnswerReturned):
    a = e.assignment
    return [_deliver_to(keys, a, "returned", f"returned-{len(a.answers)}",
                        {"note": e.note, "office_name": office_name(e.case.office)})]


def _closed(keys, offices, e: ev.CaseClosedForInstitutions):
    return [_deliver_to(keys, a, "closed", f"closed-{e.n}",
                        {"reason": e.reason, "office_name": office_name(e.case.office)})
            for a in e.assignments]


def _thanks(keys, offices, e: ev.ThanksPassedOn):
    """No link and no deadline: the institution is only told of the thanks. The
    applicant's identity is not passed on."""
    c = e.case
    return [Notification(dedup_key(c.application_no, "thanks", inst.id), "email", "institution_thanks",
                         inst.liaison_email,
                         {"application_no": numbers.format_application_no(c.application_no),
                          "office_name": office_name(c.office),
                          "subject": c.subject, "text": c.description})
            for inst in e.institutions]


def _reminder(keys, offices, e: ev.ReminderDue):
    a = e.assignment
    return [_deliver_to(keys, a, "reminder", f"reminder-{e.step}",
                        {"subject": a.subject, "sla_due_date": tr_date(a.sla_due_date)})]


# --- the office ----------------------------------------------------------------------

def _office(offices, application_no: str, code: str, event: str, title: str, detail: str, *,
            supervisor: tuple[str, str] | None = None) -> list[Notification]:
    """An e-mail to the handling office about one case; with `supervisor` (event, title),
    a second one to its supervisor, if it has one. An office with no address is not written to."""
    office = offices(code)
    if office is None or not office.email:
        return []
    out = [office_event(application_no, code, office.email, "office", event, title, detail)]
    if supervisor and office.supervisor_email:
        out.append(office_event(application_no, code, office.supervisor_email, "supervisor", *supervisor, detail))
    return out


def office_event(application_no: str, office: str, to: str, role: str, event: str, title: str,
                 detail: str) -> Notification:
    return Notification(dedup_key(application_no, event, role), "email", "office_event", to,
                        {"application_no": numbers.format_application_no(application_no),
                         "office_name": office_name(office), "event_title": title, "detail": detail})


def _answered(keys, offices, e: ev.InstitutionAnswered):
    c, a = e.case, e.assignment
    n = len(a.answers)
    out = _office(offices, c.application_no, c.office, f"answered-{a.institution.id}-{n}", "Kurum cevap verdi",
                  f"{a.institution.name} cevap verdi (önerilen sonuç: {OUTCOME_NAMES.get(e.outcome, e.outcome)}).")
    if e.all_answered:
        out += _office(offices, c.application_no, c.office, f"all-answered-{c.forwards}-{n}",
                       "Tüm kurumlar cevap verdi", "Başvuru değerlendirilmeyi bekliyor.")
    return out


def _redirected(keys, offices, e: ev.InstitutionRedirected):
    c, a = e.case, e.assignment
    suggestion = f" Önerilen kurum: {e.suggested_institution}." if e.suggested_institution else ""
    return _office(offices, c.application_no, c.office, f"redirected-{a.institution.id}-{a.forward_id}",
                   "Kurum görev alanı dışında olduğunu bildirdi", f"{a.institution.name}: {e.reason}.{suggestion}")


def _overdue(keys, offices, e: ev.AssignmentOverdue):
    a = e.assignment
    detail = (f"{a.institution.name}, {tr_date(a.sla_due_date)} tarihine kadar cevap vermesi gereken "
              f"başvuruyu cevaplamadı.")
    return _office(offices, a.application_no, e.district, f"overdue-f{a.forward_id}-{a.institution.id}",
                   "Kurum cevap süresini aştı", detail,
                   supervisor=(f"escalation-f{a.forward_id}-{a.institution.id}", "Süre aşımı: sorumlu bilgilendirmesi"))


def _legal_warning(keys, offices, e: ev.LegalDeadlineNear):
    c = e.case
    if c.legal_due_date is None:
        return []
    return _office(offices, c.application_no, c.office, f"legal-warning-{c.legal_due_date.isoformat()}",
                   "Yasal cevap süresi yaklaşıyor",
                   f"Yasal son gün {tr_date(c.legal_due_date)} ({e.days_left} gün kaldı).")


def _extension_window(keys, offices, e: ev.ExtensionDecisionDue):
    c = e.case
    return _office(offices, c.application_no, c.office, "extension-window",
                   "Bilgi edinme: uzatma kararı gerekiyor",
                   f"Başvuru 12. iş gününde. Süre uzatılacaksa {tr_date(e.last_day)} tarihinden önce karar "
                   f"verilip başvuru sahibine bildirilmelidir (4982 md. 11).")


def _objected(keys, offices, e: ev.ConclusionObjected):
    c = e.case
    office = offices(c.office)
    if office is None or not (office.supervisor_email or office.email):
        return []
    return [office_event(c.application_no, c.office, office.supervisor_email or office.email,
                         "supervisor", "objection", "Vatandaş sonuca itiraz etti",
                         "Başvuru yeniden değerlendirmeye alındı.")]


def _digest(keys, offices, e: ev.DailyDigest):
    office = offices(e.district)
    if office is None or not office.email:
        return []

    def lines(items):
        return "\n".join(f"- {numbers.format_application_no(c.application_no)}: {c.subject} "
                         f"(son gün {tr_date(c.legal_due_date)})" for c in items) or "- yok"
    return [Notification(f"digest:{e.district}:{e.day.isoformat()}", "email", "digest", office.email, {
        "office_name": office_name(e.district), "date": tr_date(e.day),
        "new_count": len(e.new), "new_list": "\n".join(f"- {numbers.format_application_no(n)}" for n in e.new) or "- yok",
        "due_count": len(e.due_today), "due_list": lines(e.due_today),
        "overdue_count": len(e.overdue), "overdue_list": lines(e.overdue)})]


def _subject_request_due(keys, offices, e: ev.SubjectRequestDue):
    office = offices(e.district)
    if office is None or not office.email:
        return []
    return [Notification(f"kvkk-due:{e.request_id}", "email", "office_event", office.email, {
        "application_no": format_id(e.request_id), "office_name": office_name(e.district),
        "event_title": "KVKK ilgili kişi başvurusunun cevap süresi doluyor",
        "detail": f"Kanuni son gün {tr_date(e.due_on)} (KVKK m. 13: en geç 30 gün). İstek: {KINDS[e.kind]}."})]


def _staff_invited(keys, offices, e: ev.StaffInvited):
    """The invitation: the console address, the user name and the temporary password
    (never the person's own data beyond their name). A new invitation of the same user
    (a resent one) is a new message."""
    return [Notification(f"staff-invite:{e.username}:{e.ref}", "email", "staff_invite", e.email, {
        "name": e.name, "username": e.username, "temporary_password": e.temporary_password,
        "role": e.role, "place": e.place, "valid_days": e.valid_days, "console_url": links.console_url()})]


def _liaison_confirmation(keys, offices, e: ev.LiaisonConfirmationRequested):
    return [Notification(f"confirm-liaison:{e.place}:{e.institution_id}:{e.ref}", "email", "institution_confirm",
                         e.email, {"institution_name": e.institution_name, "office_name": e.office_name,
                                   "link": e.link, "expires_on": e.expires_on})]


def _inbox_link(keys, offices, e: ev.InboxLinkSent):
    return [Notification(f"inbox-link:{e.institution_id}:{e.ref}", "email", "institution_inbox", e.email, {
        "institution_name": e.institution_name, "office_name": e.office_name, "link": e.link,
        "expires_on": e.expires_on})]


def _inbox_digest(keys, offices, e: ev.InboxDigestDue):
    """One a day per institution, whatever the number of cases and sweeps that find it."""
    return [Notification(f"inbox-digest:{e.institution_id}:{e.day.isoformat()}", "email", "institution_digest",
                         e.email, {"institution_name": e.institution_name, "office_name": e.office_name,
                                   "link": e.link, "date": tr_date(e.day), "open_count": e.open_count,
                                   "overdue": e.overdue})]


_MAP: dict[type, Callable] = {
    ev.ApplicationReceived: _received,
    ev.Forwarded: _forwarded,
    ev.Referred: _referred,
    ev.NotProcessed: lambda k, d, e: [_sms(e.case, "not_processed", "not_processed")],
    ev.Merged: lambda k, d, e: [_sms(e.case, "merged", "merged",
                                     into_no=numbers.format_application_no(e.case.merged_into))],
    ev.InformationRequested: lambda k, d, e: [_sms(e.case, f"information-requested-{e.n}", "information_requested")],
    ev.InterimAnswerGiven: lambda k, d, e: [_sms(e.case, f"interim-{e.n}", "interim_answer", text=e.text)],
    ev.Concluded: _concluded,
    ev.DeadlineExtended: _extended,
    ev.AnswerReturned: _returned,
    ev.LinkReissued: lambda k, d, e: [_assigned(k, e.case, e.assignment)],
    ev.CaseClosedForInstitutions: _closed,
    ev.ThanksPassedOn: _thanks,
    ev.ReminderDue: _reminder,
    ev.InstitutionAnswered: _answered,
    ev.InstitutionRedirected: _redirected,
    ev.AssignmentOverdue: _overdue,
    ev.LegalDeadlineNear: _legal_warning,
    ev.ExtensionDecisionDue: _extension_window,
    ev.ConclusionObjected: _objected,
    ev.DailyDigest: _digest,
    ev.SubjectRequestDue: _subject_request_due,
    ev.StaffInvited: _staff_invited,
    ev.LiaisonConfirmationRequested: _liaison_confirmation,
    ev.InboxLinkSent: _inbox_link,
    ev.InboxDigestDue: _inbox_digest,
    ev.PhoneCodeRequested: lambda k, d, e: [Notification(f"otp:{e.ref}", "sms", "otp", e.phone, {"code": e.code})],
}
