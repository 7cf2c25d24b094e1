"""Routing and dispatch: the routing worker's logic.

For an `application.received` message: send the receipt, resolve the competent
institutions (category x district, from data), then either forward at once (the
district allows it and exactly one institution is competent) or leave the case to
staff triage (`in_review`, with a visible reason). A `digest.district` message writes
one district office's morning digest.

Safe against crashes and redelivery: state changes are one transaction guarded by
the case version and by `attribute_not_exists` on each assignment; notifications are
derived from the state after it is settled and are deduplicated downstream, so a
redelivered message re-sends nothing twice.
"""
from __future__ import annotations

from datetime import date, datetime

from ..domain import events as ev
from ..domain import numbers
from ..domain import offices as O
from ..domain.assignment import Institution, new_assignments, resolve
from ..domain.calendar import default_calendar
from ..domain.case import Case, Status
from ..domain.catalog import catalog
from ..domain.repeats import find_repeat
from . import citizen_session, reference, sweeps
from .notification_map import tell
from .ports import PoisonMessage, Ports


def _review_reason(resolution, case: Case, office) -> str:
    kinds = catalog().institution_kinds
    own = catalog().districts[case.district].office
    if case.office != own:
        return (f"{office.name} bu başvuruyu, {catalog().offices[own].name} henüz Açık Kapı'ya katılmadığı için "
                f"üstlendi; büro tarafından yönlendirilmeli.")
    if resolution.missing_kinds:
        names = ", ".join(kinds.get(k, k) for k in resolution.missing_kinds)
        return f"İlçede bu konu için yetkili kurum tanımlı değil ({names}); büro tarafından yönlendirilmeli."
    if resolution.unconfirmed:
        names = ", ".join(i.name for i in resolution.unconfirmed)
        return (f"Yetkili kurumun irtibat adresi henüz onaylanmadı ({names}); büro adresi onaylayıp "
                f"yönlendirmeli.")
    if len(resolution.institutions) > 1:
        names = ", ".join(i.name for i in resolution.institutions)
        return f"Konu birden fazla kurumu ilgilendiriyor ({names}); büro incelemesi gerekiyor."
    return "Büro ayarı gereği başvuru büro incelemesinden sonra yönlendirilecek."


def forward(case: Case, institutions: list[Institution], *, now: datetime, actor: str,
            existing: list | None = None) -> list:
    """The forwarding step (domain part): the case moved to `forwarded`, and one
    assignment per institution. An institution that already had one on this case (it
    redirected, or the case closed and was reopened) gets it back for the new round:
    sent again, with a fresh SLA and a new link generation, so older links stop. Those
    come back with their version; new ones without."""
    subject = catalog().subjects[case.category]
    if case.legal_due_date is None:
        raise ValueError("a thanks owes no answer and is never forwarded")   # office and routing refuse it first
    forward_id = case.record_forward(institutions, now, actor=actor)
    created = new_assignments(case.application_no, subject, institutions, now=now, legal_due=case.legal_due_date,
                              forward_id=forward_id, calendar=default_calendar(), case_subject=case.subject)
    previous = {a.institution.id: a for a in existing or []}
    out = []
    for a in created:
        old = previous.get(a.institution.id)
        if old is None:
            out.append(a)
            continue
        old.notes.append({"at": now.isoformat(timespec="seconds"), "by": actor, "kind": "reforwarded",
                          "text": f"Önceki durum: {old.status.value}"})
        old.status, old.dispatched_at, old.sla_due_date = a.status, a.dispatched_at, a.sla_due_date
        old.forward_id, old.link_generation, old.reminded_for = forward_id, old.link_generation + 1, None
        old.redirect, old.subject, old.institution = None, a.subject, a.institution
        out.append(old)
    others = [a for a in existing or [] if all(a is not b for b in out)]
    case.refresh_sla(others + out)
    return out


THANKS_REVIEW_REASON = ("Teşekkür başvurusu: cevap süresi yoktur. Büro teşekkürü alır ve teşekkür edilen kuruma "
                        "iletebilir.")
def _possible_repeat(ports: Ports, case, now: datetime) -> dict | None:
    """One Query of the applicant index (its projection has the subject, category and
    district), compared in memory (domain/repeats.py)."""
    if not case.applicant.national_id:
        return None
    earlier = ports.cases.applicant_rows(ports.keys.national_id_hash(case.applicant.national_id))
    found = find_repeat(case, earlier)
    if found is None:
        return None
    other, score = found
    state = ports.cases.case_states({other.application_no}).get(other.application_no)
    if state is None:    # not readable now (the index runs a little behind): no flag rather than a retry
        return None
    case.possible_repeat = {"of": other.application_no, "subject": other.subject, "status": state[0].value,
                            "score": int(score), "at": now.isoformat()}
    return case.possible_repeat


def route_received(ports: Ports, msg: dict, now: datetime) -> str:
    no, district, office_code = _ids(msg)
    repo = ports.cases
    case, place, province, stored_office = repo.load_for_routing(no, district, office_code)
    if case is None:
        raise LookupError("case not found")  # retried, then DLQ: never silently dropped
    if case.office != office_code:        # a message from before offices were data
        case, place, province, stored_office = repo.load_for_routing(no, district, case.office)
        assert case is not None
    office = stored_office or reference.office(ports, case.office)
    place = place or reference.standard_place(case.district)
    province = province or reference.standard_place(O.province_wide(case.province))
    # the receipt, like every SMS the applicant did not ask for at that moment, spends the
    # phone's daily budget in the notification worker (services/delivery.py)
    events: list = [ev.ApplicationReceived(case)]
    outcome = "already_routed"
    assignments: list = []
    if case.status == Status.RECEIVED:
        repeat = _possible_repeat(ports, case, now)
        if repeat is not None:   # flagged for the clerk, in the case's own write; routing goes on as before
            case.add_note(now, f"Olası tekrar: aynı başvuru sahibinin {numbers.format_application_no(repeat['of'])} "
                               f"numaralı başvurusuna benziyor (konu benzerliği %{repeat['score']}).",
                          event="possible_repeat")
        resolution = resolve(office.kinds_for(catalog().subjects[case.category]), place, province)
        own = case.office == catalog().districts[case.district].office     # not taken over from below
        if case.answer_owed and own and office.auto_forward and resolution.unambiguous:
            assignments = forward(case, resolution.institutions, now=now, actor="system")
            repo.commit_forward(case, assignments)
            outcome = "forwarded"
        else:   # the office decides; a thanks is acknowledged and passed on, never forwarded
            case.transition(Status.IN_REVIEW, now, event="triage")
            case.review_reason = _review_reason(resolution, case, office) if case.answer_owed else THANKS_REVIEW_REASON
            case.add_note(now, case.review_reason)
            repo.save_case(case)
            outcome = "in_review"
    elif case.forwards >= 1:
        assignments = repo.assignments(no)  # redelivery after the commit: re-derive, dedup downstream
    if case.forwards >= 1:
        events.append(ev.Forwarded(case, 1, tuple(assignments)))
    tell(ports, events)
    return outcome


def _ids(msg: dict) -> tuple[str, str, str]:
    no = numbers.normalise_application_no(str(msg.get("application_no") or ""))
    district = msg.get("district")
    if no is None or not isinstance(district, str) or district not in catalog().districts:
        raise PoisonMessage("application_no/district missing or malformed")
    office = msg.get("office") or catalog().districts[district].office
    if not isinstance(office, str) or office not in catalog().offices:
        raise PoisonMessage("office malformed")
    return no, district, office


def digest_for(ports: Ports, msg: dict, now: datetime) -> str:
    district = msg.get("district")
    try:
        day = date.fromisoformat(str(msg.get("day")))
    except ValueError:
        raise PoisonMessage("day missing or malformed") from None
    if not isinstance(district, str) or district not in catalog().offices:
        raise PoisonMessage("office missing or malformed")
    return "digest_sent" if sweeps.district_digest(ports, district, day) else "no_office"


HANDLERS = {"application.received": route_received, "digest.district": digest_for,
            "otp.requested": citizen_session.send_code}


def handle(ports: Ports, msg: dict, now: datetime | None = None) -> str:
    handler = HANDLERS.get(str(msg.get("type")))
    if handler is None:
        raise PoisonMessage("unknown message type")
    return handler(ports, msg, now or ports.clock.now())
