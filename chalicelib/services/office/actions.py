"""Every change the office makes to a case.

Each one: scope check -> the version the clerk saw -> a transition of the pure state
machine -> one version-checked transaction with its audit record -> the
events it reports (services/notifications.py says who is told). A stale version is 409 with the current state; so is an illegal
transition. An action's `apply` returns an `Outcome`: what changed, and what happened.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from ...domain import events as ev
from ...domain import office as policy
from ...domain import refs
from ...domain.assignment import Assignment, AssignmentStatus
from ...domain.calendar import default_calendar, iso_local as _iso
from ...domain.case import Case, HistoryEntry, Status
from ...domain.catalog import catalog
from ...domain.errors import AppError, Conflict, NotFound, ValidationFailed
from ...domain.records import AuditEntry
from ...domain.schemas import (ConcludeIn, EvaluateIn, ForwardIn, InterimIn, MergeIn, NotProcessedIn, ReopenIn,
                               RequestInfoIn, RevokeLinkIn, TriageIn, parse)
from .. import routing
from ..notifications import tell
from ..ports import Ports, StaleCase
from .queries import forbidden, normalise_no
from .views import detail


@dataclass
class Outcome:
    """What an action did: assignments it changed or created, other cases it changed,
    the events to report, and the detail of its audit record."""
    changed: list[Assignment] = field(default_factory=list)
    new: list[Assignment] = field(default_factory=list)
    others: list[Case] = field(default_factory=list)
    events: list = field(default_factory=list)
    audit: dict = field(default_factory=dict)


def seen_version(req, if_match: str | None) -> int:
    if req.version is not None:
        return req.version
    if if_match:
        try:
            return int(if_match.strip().removeprefix("W/").strip('"'))
        except ValueError:
            pass
    raise AppError("version_required", "Değişiklik için görülen sürüm (version ya da If-Match) gereklidir.",
                   field="version", status=428)


def save_seen_version(req, if_match: str | None, current: int | None, save, what: str) -> None:
    """An edit of a versioned record (district settings, a staff member): the version
    the editor saw must still be the current one, and the save itself is version-checked
    against an edit in between. `what` names the record in the Turkish message."""
    if current is not None and seen_version(req, if_match) != current:
        raise Conflict("stale_version", f"{what} siz görüntüledikten sonra değişmiş.",
                       details={"current_version": current})
    try:
        save()
    except StaleCase:
        raise Conflict("stale_version", f"{what} aynı anda değiştirildi.") from None


def _stale(case) -> Conflict:
    return Conflict("stale_version", "Başvuru siz görüntüledikten sonra değişmiş; lütfen yenileyip tekrar deneyiniz.",
                    details={"current_version": case.version, "current_status": case.status.value})


def _act(ports: Ports, p, raw_no, data, model, *, action: str, client, if_match=None, apply,
         permission=policy.can_act):
    now = ports.clock.now()
    no = normalise_no(raw_no)
    case, assignments = ports.store.load_with_assignments(no)
    if case is None:
        raise NotFound("not_found", "Başvuru bulunamadı.")
    if not policy.can_read(p, case.district, case.province) or not permission(p, case.district):
        raise forbidden()
    req = parse(model, data)
    if case.version != seen_version(req, if_match):
        raise _stale(case)
    outcome = apply(req, case, assignments, now) or Outcome()
    audit = AuditEntry(no, p.username, p.role, action, now, client, outcome.audit)
    try:
        ports.store.commit(case, outcome.changed, audit=audit, new_assignments=outcome.new, others=outcome.others)
    except StaleCase:
        fresh, _ = ports.store.load_with_assignments(no)
        raise _stale(fresh) from None
    tell(ports, outcome.events)
    return detail(ports, case, assignments + outcome.new, p, now=now)


def triage(ports: Ports, p, raw_no, data, **kw):
    def apply(req, case, assignments, now):
        if case.closed:
            raise Conflict("case_closed", "Sonuçlanmış başvuruda değişiklik yapılamaz.",
                           details={"current_status": case.status.value})
        changes = []
        if req.type and req.type != case.type:
            changes.append(f"tür {case.type} → {req.type}")
            case.type = req.type
            law = catalog().law_of(req.type)
            if law != case.law:
                case.law, case.extended = law, False
                case.legal_due_date = default_calendar().legal_due(law, case.receipt_date)
        if req.category and req.category != case.category:
            changes.append(f"konu {case.category} → {req.category}")
            case.category = req.category
        if not changes:
            raise Conflict("nothing_to_change", "Tür ya da konu değişmiyor.")
        case.add_note(now, f"Sınıflandırma değişti ({', '.join(changes)}): {req.reason}", actor=p.username, event="triage")
        return Outcome(audit={"changes": changes})
    return _act(ports, p, raw_no, data, TriageIn, action="triage", apply=apply, **kw)


def forward(ports: Ports, p, raw_no, data, **kw):
    def apply(req, case, assignments, now):
        settings = ports.store.district(case.district)
        chosen, errors = [], []
        for i, inst_id in enumerate(req.institution_ids):
            inst = settings.by_id(inst_id) if settings else None
            if inst is None:
                errors.append({"code": "unknown_institution", "field": f"institution_ids.{i}",
                               "message": "Kurum bu ilçede tanımlı değil."})
            elif inst not in chosen:
                chosen.append(inst)
        if errors:
            raise ValidationFailed(errors)
        active = {a.institution.id for a in assignments if a.status != AssignmentStatus.REDIRECTED}
        fresh = [i for i in chosen if i.id not in active]
        if not fresh:
            raise Conflict("already_assigned", "Seçilen kurumlar bu başvuruya zaten atanmış.")
        new = routing.forward(case, fresh, now=now, actor=p.username, existing=assignments)
        if req.note:
            case.add_note(now, req.note, actor=p.username, event="note")
        return Outcome(new=new, events=[ev.Forwarded(case, case.forwards, tuple(new))], audit={"institutions": [i.id for i in fresh]})
    return _act(ports, p, raw_no, data, ForwardIn, action="forward", apply=apply, **kw)


def not_processed(ports: Ports, p, raw_no, data, **kw):
    def apply(req, case, assignments, now):
        reason = policy.NOT_PROCESSED_REASONS[req.reason_code]
        case.transition(Status.NOT_PROCESSED, now, actor=p.username, event="not_processed",
                        note=f"Başvurunuz işleme alınamadı. Gerekçe: {reason}. {req.explanation}")
        case.not_processed_reason = req.reason_code
        case.sla_due_date = None
        return Outcome(events=[ev.NotProcessed(case)], audit={"reason": req.reason_code})
    return _act(ports, p, raw_no, data, NotProcessedIn, action="not_processed", apply=apply, **kw)


def merge(ports: Ports, p, raw_no, data, **kw):
    def apply(req, case, assignments, now):
        into_no = normalise_no(req.into)
        target, _ = ports.store.load_with_assignments(into_no)
        if target is None or target.application_no == case.application_no:
            raise ValidationFailed([{"code": "unknown_case", "field": "into",
                                     "message": "Birleştirilecek başvuru bulunamadı."}])
        if target.closed:
            raise ValidationFailed([{"code": "target_closed", "field": "into",
                                     "message": "Birleştirilecek başvuru kapanmış; yalnızca açık bir başvuruyla "
                                                "birleştirilebilir."}])
        if not policy.can_act(p, target.district):
            raise forbidden()
        if target.applicant.national_id != case.applicant.national_id:
            raise ValidationFailed([{"code": "different_applicant", "field": "into",
                                     "message": "Yalnızca aynı başvuru sahibinin başvuruları birleştirilebilir."}])
        if target.received_at > case.received_at:
            raise ValidationFailed([{"code": "not_earlier", "field": "into",
                                     "message": "Başvuru ancak daha önceki bir başvuruyla birleştirilebilir."}])
        target_no = refs.format_application_no(into_no)
        case.transition(Status.NOT_PROCESSED, now, actor=p.username, event="merged",
                        note=f"Başvurunuz aynı konudaki {target_no} numaralı önceki başvurunuzla birleştirildi; "
                             f"süreç o başvuru üzerinden yürütülecek.")
        case.not_processed_reason, case.merged_into = "merged_duplicate", into_no
        case.sla_due_date = None
        target.add_note(now, f"{refs.format_application_no(case.application_no)} numaralı başvuru bununla "
                               f"birleştirildi: {req.explanation}", actor=p.username, event="merged_in")
        return Outcome(others=[target], events=[ev.Merged(case)],
                       audit={"merged_into": into_no})
    return _act(ports, p, raw_no, data, MergeIn, action="merge", apply=apply, **kw)


def request_info(ports: Ports, p, raw_no, data, **kw):
    def apply(req, case, assignments, now):
        n = sum(1 for h in case.history if h.event == "information_requested") + 1
        case.transition(Status.AWAITING_APPLICANT, now, actor=p.username, event="information_requested",
                        note=f"Sizden ek bilgi isteniyor: {req.message}")
        return Outcome(events=[ev.InformationRequested(case, n)])
    return _act(ports, p, raw_no, data, RequestInfoIn, action="request_info", apply=apply, **kw)


def evaluate(ports: Ports, p, raw_no, data, **kw):
    def apply(req, case, assignments, now):
        a = next((x for x in assignments if x.institution.id == req.institution_id), None)
        if a is None:
            raise ValidationFailed([{"code": "unknown_institution", "field": "institution_id",
                                     "message": "Bu kurum başvuruya atanmamış."}])
        if a.status != AssignmentStatus.ANSWERED:
            raise Conflict("not_answered", "Bu kurumun değerlendirilecek bir cevabı yok.",
                           details={"current_status": a.status.value})
        if req.decision == "accept":
            a.notes.append({"at": _iso(now), "by": p.username, "kind": "accepted", "text": req.note or ""})
            if case.status == Status.INSTITUTION_ANSWERED:
                case.transition(Status.UNDER_EVALUATION, now, actor=p.username, event="evaluation")
            return Outcome(changed=[a], audit={"institution": a.institution.id, "decision": "accept"})
        if not req.note or len(req.note) < 10:
            raise ValidationFailed([{"code": "note_required", "field": "note",
                                     "message": "İade için en az 10 karakterlik bir not yazınız."}])
        a.status = AssignmentStatus.RETURNED
        a.answers[-1].returned_note = req.note
        a.notes.append({"at": _iso(now), "by": p.username, "kind": "returned", "text": req.note})
        case.transition(Status.FORWARDED, now, actor=p.username, event="returned", public=False,
                        note=f"{a.institution.name} cevabı iade edildi: {req.note}")
        case.refresh_sla(assignments)
        return Outcome(changed=[a], events=[ev.AnswerReturned(case, a, req.note)], audit={"institution": a.institution.id, "decision": "return"})
    return _act(ports, p, raw_no, data, EvaluateIn, action="evaluate", apply=apply, **kw)


def interim_answer(ports: Ports, p, raw_no, data, **kw):
    def apply(req, case, assignments, now):
        if case.closed:
            raise Conflict("case_closed", "Sonuçlanmış başvuruya ara cevap verilemez.",
                           details={"current_status": case.status.value})
        n = sum(1 for h in case.history if h.event == "interim_answer") + 1
        case.history.append(HistoryEntry(now, case.status, f"Ara bilgi: {req.text}", True, p.username,
                                         "interim_answer"))
        return Outcome(events=[ev.InterimAnswerGiven(case, n, req.text)])
    return _act(ports, p, raw_no, data, InterimIn, action="interim_answer", apply=apply, **kw)


def conclude(ports: Ports, p, raw_no, data, **kw):
    def apply(req, case, assignments, now):
        n = sum(1 for h in case.history if h.event == "concluded") + 1
        case.transition(Status.CONCLUDED, now, actor=p.username, event="concluded")
        case.outcome, case.final_answer, case.concluded_at = req.outcome, req.answer, now
        case.sla_due_date = None
        return Outcome(events=[ev.Concluded(case, n)], audit={"outcome": req.outcome})
    return _act(ports, p, raw_no, data, ConcludeIn, action="conclude", apply=apply, **kw)


def reopen(ports: Ports, p, raw_no, data, **kw):
    def apply(req, case, assignments, now):
        closed_at = case.concluded_at or next((h.at for h in reversed(case.history)
                                               if h.status == Status.NOT_PROCESSED), None)
        if closed_at and now - closed_at > timedelta(days=policy.REOPEN_WINDOW_DAYS):
            raise Conflict("reopen_window_closed", "Başvuru ancak kapanışından sonraki 30 gün içinde yeniden açılabilir.")
        target = Status.UNDER_EVALUATION if case.status == Status.CONCLUDED else Status.IN_REVIEW
        case.transition(target, now, actor=p.username, event="reopened",
                        note="Başvurunuz yeniden değerlendirmeye alındı.")
        case.add_note(now, f"Yeniden açma gerekçesi: {req.reason}", actor=p.username, event="note")
        case.not_processed_reason = case.merged_into = None
        return Outcome(audit={"reason_length": len(req.reason)})
    return _act(ports, p, raw_no, data, ReopenIn, action="reopen", apply=apply, permission=policy.can_supervise, **kw)


def revoke_link(ports: Ports, p, raw_no, data, **kw):
    def apply(req, case, assignments, now):
        a = next((x for x in assignments if x.institution.id == req.institution_id), None)
        if a is None:
            raise ValidationFailed([{"code": "unknown_institution", "field": "institution_id",
                                     "message": "Bu kurum başvuruya atanmamış."}])
        if case.closed:
            raise Conflict("case_closed", "Kapalı başvuruda bağlantı yenilenemez.")
        a.link_generation += 1  # every older link stops at once
        return Outcome(changed=[a], events=[ev.LinkReissued(case, a)], audit={"institution": a.institution.id,
                                                         "generation": a.link_generation})
    return _act(ports, p, raw_no, data, RevokeLinkIn, action="revoke_link", apply=apply, **kw)


# --- the citizen's reply to an information request --------------------------------

def citizen_reply(ports: Ports, raw_no: str, access_code: str | None, data, *, client: str) -> dict:
    from ...domain.schemas import CitizenReplyIn
    from ..applications import citizen_action, public_view
    now = ports.clock.now()
    req = parse(CitizenReplyIn, data)

    def apply(case, no):
        if case.status != Status.AWAITING_APPLICANT:
            raise Conflict("not_awaiting_reply", "Bu başvuru için sizden bilgi beklenmiyor.",
                           details={"current_status": case.status.value})
        case.notes.append({"at": _iso(now), "kind": "citizen_reply", "by": "citizen",
                           "text_enc": ports.keys.seal(req.text, no)})
        case.transition(Status.IN_REVIEW, now, actor="citizen", event="citizen_reply",
                        note="Ek bilginiz alındı; başvurunuz incelemeye devam ediyor.")

    return public_view(ports, citizen_action(ports, raw_no, access_code, action="reply", client=client, now=now,
                                             apply=apply), now)
