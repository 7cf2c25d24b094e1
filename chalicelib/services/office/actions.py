"""Every change the office makes to a case.

Each one: scope check -> the version the clerk saw -> a transition of the pure state
machine -> one version-checked transaction with its audit record -> the
events it reports (services/notifications.py says who is told). A stale version is 409 with the current state; so is an illegal
transition. An action's `apply` returns an `Outcome`: what changed, and what happened.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable

from ...domain import events as ev
from ...domain import numbers
from ...domain import office as policy
from ...domain import offices as O
from ...domain.assignment import (
    Assignment,
    AssignmentStatus,
    close_open,
    settle_status,
    sla_working_days,
)
from ...domain.audit import AuditEntry
from ...domain.calendar import default_calendar, local_date
from ...domain.calendar import iso_local as _iso
from ...domain.case import HISTORY_NOTES, RECEIVED_BY, Case, HistoryEntry, Status, legal_due_for
from ...domain.catalog import catalog
from ...domain.errors import Conflict, Gone, NotFound, ValidationFailed, forbidden
from ...domain.notifications import institutions_phrase
from ...domain.retention import check_final_answer
from ...domain.schemas import (
    AcknowledgeIn,
    ConcludeIn,
    DismissRepeatIn,
    EvaluateIn,
    ExtendIn,
    ForwardIn,
    InformationReceivedIn,
    InterimIn,
    LegalHoldIn,
    MergeIn,
    NotProcessedIn,
    ReferIn,
    ReopenIn,
    RequestInfoIn,
    RevokeLinkIn,
    ShareContactIn,
    TriageIn,
    parse,
)
from .. import reference, routing
from ..notification_map import tell
from ..ports import Ports, StaleCase
from ..tracking import citizen_action, public_view
from ..versions import seen_version
from .case_detail import detail
from .queries import normalise_no


@dataclass
class Outcome:
    """What an action did: assignments it changed or created, other cases it changed,
    the events to report, and the detail of its audit record."""
    changed: list[Assignment] = field(default_factory=list)
    new: list[Assignment] = field(default_factory=list)
    others: list[Case] = field(default_factory=list)
    events: list = field(default_factory=list)
    audit: dict = field(default_factory=dict)


def _stale(case) -> Conflict:
    return Conflict("stale_version", "Başvuru siz görüntüledikten sonra değişmiş; lütfen yenileyip tekrar deneyiniz.",
                    details={"current_version": case.version, "current_status": case.status.value})


@dataclass(frozen=True)
class StaffAction:
    """An office action, declared once: its name (the last segment of its route,
    `POST /v1/staff/cases/{no}/<name>`, and what `allowed_actions` offers), its request
    model, its summary in the API description, and who may take it. The route, the
    OpenAPI entry and the console's button all come from this."""
    name: str
    request: type
    summary: str
    permission: Callable
    run: Callable


ACTIONS: dict[str, StaffAction] = {}


def staff_action(name: str, request: type, summary: str, *, permission: Callable = policy.can_act):
    """Declares `apply(ports, p, req, case, assignments, now) -> Outcome` as the action
    `name`. What every action shares runs around it: scope and permission, the version
    the clerk saw, the request model, closed assignments when the case closes, one
    version-checked transaction with its audit record, then the events it reports."""
    def declare(apply: Callable) -> Callable:
        def run(ports: Ports, p, raw_no, data, *, client, if_match=None) -> dict:
            return _act(ports, p, raw_no, data, request, action=name, client=client, if_match=if_match,
                        apply=lambda req, case, assignments, now: apply(ports, p, req, case, assignments, now),
                        permission=permission)
        run.__name__, run.__doc__ = apply.__name__, apply.__doc__
        ACTIONS[name] = StaffAction(name, request, summary, permission, run)
        return run
    return declare


def _act(ports: Ports, p, raw_no, data, model, *, action: str, client, if_match=None, apply: Callable,
         permission: Callable) -> dict:
    now = ports.clock.now()
    no = normalise_no(raw_no)
    case, assignments = ports.cases.load_with_assignments(no)
    if case is None:
        raise NotFound("not_found", "Başvuru bulunamadı.")
    if not policy.can_read(p, case.office, case.province) or not permission(p, case.office):
        raise forbidden()
    req = parse(model, data)
    if case.version != seen_version(req, if_match):
        raise _stale(case)
    if case.anonymised_at is not None:
        raise Gone("anonymised", "Bu başvurunun saklama süresi dolduğu için kişisel verileri imha edildi; üzerinde "
                   "işlem yapılamaz.")
    was_closed = case.closed
    outcome = apply(req, case, assignments, now) or Outcome()
    if case.closed and not was_closed:
        _close_assignments(case, assignments, outcome, now)
    audit = AuditEntry(no, p.username, p.role, action, now, client, outcome.audit)
    try:
        ports.cases.commit(case, outcome.changed, audit=audit, new_assignments=outcome.new, others=outcome.others)
    except StaleCase:
        fresh, _ = ports.cases.load_with_assignments(no)
        raise _stale(fresh) from None
    tell(ports, outcome.events)
    return detail(ports, case, assignments + outcome.new, p, now=now)


CLOSING_EVENTS = ("concluded", "not_processed", "merged", "acknowledged")


def _close_assignments(case: Case, assignments: list, outcome: Outcome, now) -> None:
    """Closed means closed: a case that closes takes every assignment still waiting for
    an institution with it, in the same transaction, and each institution is told why.
    Done here, once, for every action that closes a case."""
    reason = policy.closing_reason(case)
    closed = close_open(assignments, now, reason)
    for a in closed:
        if not any(x is a for x in outcome.changed):
            outcome.changed.append(a)
    case.sla_due_date = None     # the one place a closing clears it
    if closed:
        n = sum(1 for h in case.history if h.event in CLOSING_EVENTS)
        outcome.events.append(ev.CaseClosedForInstitutions(case, tuple(closed), reason, n))


def _district_institutions(ports: Ports, case: Case, ids: list[str], *, field: str = "institution_ids") -> list:
    """The institutions named by `ids`, of the case's place or its province, each once;
    422 naming every unknown or disabled one, and every one whose liaison address no
    office has confirmed (it would go to an unread mailbox). `field`.index for a list,
    `field` itself for a single id."""
    place = reference.place(ports, case.district)
    province = reference.place(ports, O.province_wide(case.province))
    chosen, errors = [], []
    for i, inst_id in enumerate(ids):
        inst = place.by_id(inst_id) or province.by_id(inst_id)
        where = f"{field}.{i}" if field.endswith("s") else field
        if inst is None or not inst.active:
            errors.append({"code": "unknown_institution", "field": where, "message": "Kurum bu ilçede tanımlı değil."})
        elif not inst.confirmed:
            errors.append({"code": "unconfirmed_address", "field": where,
                           "message": f"{inst.name} için onaylı bir irtibat adresi yok; önce adresi onaylayınız "
                                      f"(Yönetim > Kurumlar)."})
        elif inst not in chosen:
            chosen.append(inst)
    if errors:
        raise ValidationFailed(errors)
    return chosen


def _find_assignment(assignments, institution_id) -> Assignment:
    a = next((x for x in assignments if x.institution.id == institution_id), None)
    if a is None:
        raise ValidationFailed([{"code": "unknown_institution", "field": "institution_id",
                                 "message": "Bu kurum başvuruya atanmamış."}])
    return a


def _refuse_if_closed(case, message: str) -> None:
    if case.closed:
        raise Conflict("case_closed", message, details={"current_status": case.status.value})


@staff_action("triage", TriageIn, "Tür ya da konuyu değiştir (gerekçeli)")
def triage(ports: Ports, p, req, case: Case, assignments: list, now) -> Outcome | None:
    _refuse_if_closed(case, "Sonuçlanmış başvuruda değişiklik yapılamaz.")
    changes = []
    cat = catalog()
    if req.confidential_identity is False and case.confidential_identity:
        raise ValidationFailed([{"code": "confidentiality_kept", "field": "confidential_identity",
                                 "message": "Kimlik gizliliği bir kez tanındıktan sonra kaldırılamaz."}])
    if req.type and req.type != case.type:
        if not cat.answer_owed(req.type) and any(a.is_open for a in assignments):
            raise Conflict("open_assignments", "Kurumlardan cevap beklenen bir başvuru teşekkür olarak "
                           "sınıflandırılamaz.")
        changes.append(f"tür {cat.types[case.type]['name']} → {cat.types[req.type]['name']}")
        law = cat.law_of(req.type)
        if law != case.law:
            case.law, case.extended = law, False
        case.type = req.type
        case.legal_due_date = legal_due_for(case.type, case.period_start, extended=case.extended)
    if req.category and req.category != case.category:
        changes.append(f"konu {cat.subjects[case.category].name} → {cat.subjects[req.category].name}")
        case.category = req.category
    if req.confidential_identity and not case.confidential_identity:
        case.confidential_identity = True   # can be granted after intake, never taken away
        changes.append("başvuru sahibinin kimliği kurumlardan gizlenecek")
    if not changes:
        raise Conflict("nothing_to_change", "Tür ya da konu değişmiyor.")
    case.add_note(now, f"Sınıflandırma değişti ({', '.join(changes)}): {req.reason}", actor=p.username, event="triage")
    return Outcome(audit={"changes": changes, "confidential_identity": case.confidential_identity})


@staff_action("forward", ForwardIn, "Kurumlara yönlendir")
def forward(ports: Ports, p, req, case: Case, assignments: list, now) -> Outcome | None:
    chosen = _district_institutions(ports, case, req.institution_ids)
    if not case.answer_owed:
        raise Conflict("thanks_not_forwarded", "Teşekkür başvurularına cevap beklenmez; kuruma "
                       "“Teşekkürü ilet” ile iletiniz.")
    # An institution still owing an answer cannot be sent the case twice; one that
    # answered, redirected or was closed can: it starts a new round (a reopened case).
    waiting = {a.institution.id for a in assignments if a.is_open}
    fresh = [i for i in chosen if i.id not in waiting]
    if not fresh:
        raise Conflict("already_assigned", "Seçilen kurumlar bu başvuruya zaten atanmış.")
    sent = routing.forward(case, fresh, now=now, actor=p.username, existing=assignments)
    if req.note:
        case.add_note(now, req.note, actor=p.username, event="note")
    return Outcome(new=[a for a in sent if a.version is None], changed=[a for a in sent if a.version is not None],
                   events=[ev.Forwarded(case, case.forwards, tuple(sent))],
                   audit={"institutions": [i.id for i in fresh]})


@staff_action("not-processed", NotProcessedIn, "İşleme alınmadı olarak kapat")
def not_processed(ports: Ports, p, req, case: Case, assignments: list, now) -> Outcome | None:
    """3071 art. 6: not examined, on one of its grounds, with the reasons and, as for every
    refusal, the remedies (4982 art. 12-13 for an information request; Constitution
    art. 40/2 otherwise)."""
    if req.reason_code == "unverified_identity" and not policy.identity_unverified_online(case):
        raise ValidationFailed([{"code": "identity_verified", "field": "reason_code",
                                 "message": "Bu başvuruda kimlik doğrulanmış ya da başvuru elektronik değil; bu "
                                            "gerekçe kullanılamaz (3071 sayılı Kanun md. 4)."}])
    reason = policy.NOT_PROCESSED_REASONS[req.reason_code]
    remedies = policy.remedies_for(case.law, "not_processed")
    case.transition(Status.NOT_PROCESSED, now, actor=p.username, event="not_processed",
                    note=HISTORY_NOTES["not_processed"].format(reason=reason, explanation=req.explanation,
                                                               remedies=remedies))
    case.not_processed_reason, case.legal_remedies = req.reason_code, remedies
    return Outcome(events=[ev.NotProcessed(case)], audit={"reason": req.reason_code})


@staff_action("refer", ReferIn, "Yetkili mercie gönder: suç duyurusunu Cumhuriyet Başsavcılığına (CMK md. 158/2), "
              "başka merciin görevindeki konuyu o mercie (3071 md. 5); başvuru sahibine bildirilir")
def refer(ports: Ports, p, req, case: Case, assignments: list, now) -> Outcome | None:
    """A matter this office does not decide is sent to the one that does, never closed
    unsent: a crime report to the Chief Public Prosecutor's Office (CMK art. 158/2), a
    matter of another authority to it (3071 art. 5). The authority reads the case through
    a signed link (a confidential informant stays confidential there too) and owes the
    office no answer; the applicant is told where it went and on which ground."""
    _refuse_if_closed(case, "Kapalı başvuru yetkili mercie gönderilemez; önce yeniden açılmalıdır.")
    name, source, kind = policy.REFERRAL_GROUNDS[req.ground]
    [authority] = _district_institutions(ports, case, [req.institution_id], field="institution_id")
    if kind is not None and authority.kind != kind:
        raise ValidationFailed([{"code": "not_the_prosecutor", "field": "institution_id",
                                 "message": "Suç duyurusu Cumhuriyet Başsavcılığına gönderilir; ilçenin başsavcılığını "
                                            "seçiniz."}])
    today = local_date(now)
    existing = next((a for a in assignments if a.institution.id == authority.id), None)
    referred = Assignment(case.application_no, authority, AssignmentStatus.REFERRED, now, today, case.forwards + 1,
                          subject=case.subject)
    if existing is not None:      # the authority had this case before (it was forwarded to it): sent anew
        existing.status, existing.dispatched_at, existing.sla_due_date = AssignmentStatus.REFERRED, now, today
        existing.forward_id, existing.link_generation = case.forwards + 1, existing.link_generation + 1
        referred = existing
    case.forwards += 1
    case.institutions.append({"id": authority.id, "name": authority.name, "forward_id": case.forwards})
    case.referral = {"ground": req.ground, "source": source, "institution_id": authority.id,
                     "authority": authority.name, "at": _iso(now)}
    text = (f"Başvurunuz {source} uyarınca {authority.name} makamına gönderilmiştir ({name}); bundan sonraki "
            f"işlemler o makamca yürütülecektir. {req.explanation}")
    case.close_by_referral(now, actor=p.username, note=text)
    _record_final_answer(case, now, p.username, "referred", text, None)
    return Outcome(new=[] if existing is not None else [referred], changed=[referred] if existing is not None else [],
                   events=[ev.Referred(case, referred, name, source)],
                   audit={"ground": req.ground, "institution": authority.id})


@staff_action("merge", MergeIn, "Önceki başvuruyla birleştir")
def merge(ports: Ports, p, req, case: Case, assignments: list, now) -> Outcome | None:
    into_no = normalise_no(req.into)
    target, _ = ports.cases.load_with_assignments(into_no)
    if target is None or target.application_no == case.application_no:
        raise ValidationFailed([{"code": "unknown_case", "field": "into",
                                 "message": "Birleştirilecek başvuru bulunamadı."}])
    if target.closed:
        raise ValidationFailed([{"code": "target_closed", "field": "into",
                                 "message": "Birleştirilecek başvuru kapanmış; yalnızca açık bir başvuruyla "
                                            "birleştirilebilir."}])
    if not policy.can_act(p, target.office):
        raise forbidden()
    if target.applicant.national_id != case.applicant.national_id:
        raise ValidationFailed([{"code": "different_applicant", "field": "into",
                                 "message": "Yalnızca aynı başvuru sahibinin başvuruları birleştirilebilir."}])
    if target.received_at > case.received_at:
        raise ValidationFailed([{"code": "not_earlier", "field": "into",
                                 "message": "Başvuru ancak daha önceki bir başvuruyla birleştirilebilir."}])
    target_no = numbers.format_application_no(into_no)
    case.transition(Status.NOT_PROCESSED, now, actor=p.username, event="merged",
                    note=HISTORY_NOTES["merged"].format(application_no=target_no))
    case.not_processed_reason, case.merged_into = policy.MERGED, into_no
    if case.confidential_identity and not target.confidential_identity:
        # the applicant asked that institutions not learn who reported: the case this report
        # now continues in keeps that from here on (confidentiality is never taken away)
        target.confidential_identity = True
        target.add_note(now, "Birleştirilen ihbarda kimlik gizliliği istendiği için başvuru sahibinin kimliği bundan "
                             "sonra kurumlardan gizlenecek.", actor=p.username, event="triage")
    target.add_note(now, f"{numbers.format_application_no(case.application_no)} numaralı başvuru bununla "
                           f"birleştirildi: {req.explanation}", actor=p.username, event="merged_in")
    return Outcome(others=[target], events=[ev.Merged(case)],
                   audit={"merged_into": into_no})


@staff_action("information-received", InformationReceivedIn, "Ek bilgi masada ya da telefonla alındı; başvuru kuyruğa döner")
def information_received(ports: Ports, p, req, case: Case, assignments: list, now) -> Outcome | None:
    """The applicant gave the information at the desk or by phone: it is kept (sealed,
    like an online reply) and the case returns to the state its assignments are in."""
    if case.status != Status.AWAITING_APPLICANT:
        raise Conflict("not_awaiting_reply", "Bu başvuru için başvuru sahibinden bilgi beklenmiyor.",
                       details={"current_status": case.status.value})
    case.notes.append({"at": _iso(now), "kind": "desk_reply", "by": p.username, "channel": req.channel,
                       "text_enc": ports.keys.seal(req.text, case.application_no)})
    case.transition(settle_status(assignments), now, actor=p.username, event="information_received",
                    note=HISTORY_NOTES["information_received"].format(channel=RECEIVED_BY[req.channel]))
    return Outcome(audit={"channel": req.channel, "status": case.status.value})


@staff_action("extend", ExtendIn, "Bilgi edinme süresini 30 iş gününe uzat (4982 md. 11, 15. iş gününe kadar)")
def extend(ports: Ports, p, req, case: Case, assignments: list, now) -> Outcome | None:
    """Law 4982 art. 11: the office extends an information request to 30 working days,
    on one of the statutory grounds, and tells the applicant before day 15 runs out."""
    _refuse_if_closed(case, "Kapalı başvurunun süresi uzatılamaz.")
    if case.law != "4982":
        raise Conflict("extension_not_applicable", "Süre uzatımı yalnızca bilgi edinme başvurularında yapılabilir.")
    if case.extended:
        raise Conflict("already_extended", "Bu başvurunun süresi daha önce uzatılmış.")
    if not policy.can_extend(case, local_date(now)):
        raise Conflict("extension_window_closed",
                       f"15. iş günü ({policy.extension_last_day(case).strftime('%d.%m.%Y')}) geçtiği için süre "
                       f"artık uzatılamaz (4982 sayılı Kanun md. 11).")
    ground = policy.EXTENSION_GROUNDS[req.ground]
    policy.apply_extension(case, now, actor=p.username, ground=ground)
    return Outcome(events=[ev.DeadlineExtended(case, "Açık Kapı Bürosu", f"{ground}. {req.explanation}",
                                               by_office=True, ground=ground)],
                   audit={"ground": req.ground, "legal_due_date": str(case.legal_due_date)})


@staff_action("share-contact", ShareContactIn, "İletişim bilgilerini bir kurumla paylaş (denetlenir)")
def share_contact(ports: Ports, p, req, case: Case, assignments: list, now) -> Outcome | None:
    """An institution sees a masked phone and e-mail until the office decides it needs
    them to reach the applicant; the decision is per assignment, with a reason, audited.
    A confidential applicant's contact details are never shared."""
    _refuse_if_closed(case, "Kapalı başvuruda iletişim bilgisi paylaşılamaz.")
    if case.confidential_identity:
        raise Conflict("identity_confidential", "Başvuru sahibinin kimliği gizli tutuluyor; iletişim bilgileri "
                       "kurumla paylaşılamaz.")
    a = _find_assignment(assignments, req.institution_id)
    if not a.is_open:
        raise Conflict("assignment_not_open", "Bu kurumdan cevap beklenmiyor; iletişim bilgisi paylaşılamaz.",
                       details={"current_status": a.status.value})
    if a.contact_shared:
        raise Conflict("already_shared", "İletişim bilgileri bu kurumla zaten paylaşılmış.")
    a.contact_shared = {"at": _iso(now), "by": p.username, "reason": req.reason}
    case.add_note(now, f"İletişim bilgileri {a.institution.name} ile paylaşıldı: {req.reason}", actor=p.username,
                  event="contact_shared")
    return Outcome(changed=[a], audit={"institution": a.institution.id})


@staff_action("acknowledge", AcknowledgeIn, "Teşekkürü al ve ilgili kurumlara ilet (cevap süresi yok)")
def acknowledge(ports: Ports, p, req, case: Case, assignments: list, now) -> Outcome | None:
    """A thanks owes no answer: the office acknowledges it and may pass it on to the
    institutions it names (an e-mail, no link, no deadline)."""
    if case.answer_owed:
        raise Conflict("not_thanks", "Yalnızca teşekkür başvuruları bu yolla kapatılır; gerekçeli cevapla "
                       "sonuçlandırınız.")
    chosen = _district_institutions(ports, case, req.institution_ids)
    n = _conclusions(case) + 1
    note = (HISTORY_NOTES["acknowledged"].format(institutions=institutions_phrase([i.name for i in chosen]))
            if chosen else HISTORY_NOTES["acknowledged_here"])
    case.transition(Status.CONCLUDED, now, actor=p.username, event="acknowledged", note=note)
    _record_final_answer(case, now, p.username, "informed", req.message, None)
    return Outcome(events=[ev.Concluded(case, n), ev.ThanksPassedOn(case, tuple(chosen))],
                   audit={"institutions": [i.id for i in chosen]})


def _supervisor_only(p, district) -> bool:
    return p.role == "supervisor" and policy.can_act(p, district)


@staff_action("legal-hold", LegalHoldIn, "Yasal saklama koy: dosya imha edilmez (sorumlu, denetlenir)", permission=_supervisor_only)
def legal_hold(ports: Ports, p, req, case: Case, assignments: list, now) -> Outcome | None:
    """KVKK: a supervisor keeps a closed or open case's file from destruction (an
    objection, a lawsuit, an inquiry), with a reason; audited."""
    if case.legal_hold:
        raise Conflict("already_held", "Bu başvuru zaten yasal saklama altında.")
    case.legal_hold = {"reason": req.reason, "by": p.username, "at": _iso(now)}
    case.add_note(now, f"Yasal saklama kondu: {req.reason}", actor=p.username, event="legal_hold")
    return Outcome(audit={"reason_length": len(req.reason)})


@staff_action("release-hold", LegalHoldIn, "Yasal saklamayı kaldır (sorumlu, denetlenir)", permission=_supervisor_only)
def release_hold(ports: Ports, p, req, case: Case, assignments: list, now) -> Outcome | None:
    if not case.legal_hold:
        raise Conflict("not_held", "Bu başvuru yasal saklama altında değil.")
    case.legal_hold = None
    case.add_note(now, f"Yasal saklama kaldırıldı: {req.reason}", actor=p.username, event="legal_hold_released")
    return Outcome(audit={"reason_length": len(req.reason)})


@staff_action("dismiss-repeat", DismissRepeatIn, "“Olası tekrar” işaretini gerekçeyle kaldır")
def dismiss_repeat(ports: Ports, p, req, case: Case, assignments: list, now) -> Outcome | None:
    """The clerk judges the "olası tekrar" flag wrong, with a reason; audited."""
    flag = case.possible_repeat
    if case.closed:
        raise Conflict("case_closed", "Başvuru kapanmış; “olası tekrar” işareti artık değiştirilemez.",
                       details={"current_status": case.status.value})
    if not flag or flag.get("dismissed"):
        raise Conflict("no_repeat_flag", "Bu başvuruda kaldırılacak bir “olası tekrar” işareti yok.")
    case.possible_repeat = {**flag, "dismissed": {"by": p.username, "reason": req.reason, "at": _iso(now)}}
    case.add_note(now, f"“Olası tekrar” işareti kaldırıldı: {req.reason}", actor=p.username,
                  event="repeat_dismissed")
    return Outcome(audit={"repeat_of": flag["of"]})


def _conclusions(case: Case) -> int:
    return sum(1 for h in case.history if h.event in ("concluded", "acknowledged"))


def _released_attachments(assignments, ids: list[str]) -> list[dict]:
    """The institution attachments the clerk sends out with the final answer; 422 naming
    each id that is not an attachment of this case's answers."""
    found = {f["id"]: {**f, "institution": a.institution.name} for a in assignments for x in a.answers
             for f in x.attachments if f.get("id")}
    unknown = [{"code": "unknown_attachment", "field": f"release_attachments.{i}",
                "message": "Bu ek, bu başvurunun kurum cevaplarında yok; listeden seçiniz."}
               for i, ident in enumerate(ids) if ident not in found]
    if unknown:
        raise ValidationFailed(unknown)
    return [{k: found[i][k] for k in ("id", "key", "filename", "content_type", "institution") if k in found[i]}
            for i in dict.fromkeys(ids)]


def _record_final_answer(case: Case, now, by: str, outcome: str, answer: str, remedies: str | None) -> None:
    """The current final answer, and every one before it kept in `final_answers`."""
    case.outcome, case.final_answer, case.legal_remedies, case.concluded_at = outcome, answer, remedies, now
    case.review_reason = None    # why it waited in review no longer applies
    case.final_answers.append({"n": len(case.final_answers) + 1, "at": _iso(now), "by": by, "outcome": outcome,
                               "answer": answer, "legal_remedies": remedies})


@staff_action("request-info", RequestInfoIn, "Başvuru sahibinden ek bilgi iste")
def request_info(ports: Ports, p, req, case: Case, assignments: list, now) -> Outcome | None:
    n = sum(1 for h in case.history if h.event == "information_requested") + 1
    case.transition(Status.AWAITING_APPLICANT, now, actor=p.username, event="information_requested",
                    note=HISTORY_NOTES["information_requested"].format(message=req.message))
    return Outcome(events=[ev.InformationRequested(case, n)])


@staff_action("evaluate", EvaluateIn, "Kurum cevabını kabul et ya da iade et")
def evaluate(ports: Ports, p, req, case: Case, assignments: list, now) -> Outcome | None:
    a = _find_assignment(assignments, req.institution_id)
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
    a.sla_due_date = fresh_sla(ports, case, a, now)   # a new round gets its own time
    a.notes.append({"at": _iso(now), "by": p.username, "kind": "returned", "text": req.note})
    case.transition(Status.FORWARDED, now, actor=p.username, event="returned", public=False,
                    note=f"{a.institution.name} cevabı iade edildi: {req.note}")
    case.refresh_sla(assignments)
    return Outcome(changed=[a], events=[ev.AnswerReturned(case, a, req.note)], audit={"institution": a.institution.id, "decision": "return"})


@staff_action("interim-answer", InterimIn, "Ara cevap gönder (3071 md. 7)")
def interim_answer(ports: Ports, p, req, case: Case, assignments: list, now) -> Outcome | None:
    _refuse_if_closed(case, "Sonuçlanmış başvuruya ara cevap verilemez.")
    n = sum(1 for h in case.history if h.event == "interim_answer") + 1
    case.history.append(HistoryEntry(now, case.status, f"Ara bilgi: {req.text}", True, p.username,
                                     "interim_answer"))
    return Outcome(events=[ev.InterimAnswerGiven(case, n, req.text)])


def fresh_sla(ports: Ports, case: Case, a: Assignment, now):
    """The institution's date for a new round (a returned answer): N working days from
    today, N as configured for the institution (district settings) or the subject."""
    settings = ports.reference.district(case.district)
    inst = (settings.by_id(a.institution.id) if settings else None) or a.institution
    days = sla_working_days(catalog().subjects[case.category], inst)
    return default_calendar().institution_sla_due(local_date(now), case.legal_due_date, days)


@staff_action("conclude", ConcludeIn, "Gerekçeli son cevapla sonuçlandır")
def conclude(ports: Ports, p, req, case: Case, assignments: list, now) -> Outcome | None:
    if not case.answer_owed:
        raise Conflict("thanks_acknowledged", "Teşekkür başvuruları “Teşekkürü ilet” ile kapatılır.")
    # every refusal states its remedies: the standard text always, the office's note beside it
    remedies = policy.remedies_for(case.law, req.outcome, partly_refused=req.partly_refused, note=req.remedies_note)
    check_final_answer(req.answer)
    n = _conclusions(case) + 1
    replaced = case.final_answers[-1] if case.final_answers else None
    note = None
    if replaced:
        note = HISTORY_NOTES["reconcluded"].format(date=replaced["at"][:10])
    released = _released_attachments(assignments, req.release_attachments)
    case.transition(Status.CONCLUDED, now, actor=p.username, event="concluded", note=note)
    _record_final_answer(case, now, p.username, req.outcome, req.answer, remedies)
    if released:
        case.final_answers[-1]["attachments"] = released
    return Outcome(events=[ev.Concluded(case, n)],
                   audit={"outcome": req.outcome, "answer_no": len(case.final_answers),
                          "partly_refused": req.partly_refused})


@staff_action("reopen", ReopenIn, "Yeniden aç (sorumlu, 30 gün içinde)", permission=policy.can_supervise)
def reopen(ports: Ports, p, req, case: Case, assignments: list, now) -> Outcome | None:
    if not case.closed:
        raise Conflict("not_closed", "Yalnızca kapanmış bir başvuru yeniden açılabilir.",
                       details={"current_status": case.status.value})
    closed_at = case.concluded_at or next((h.at for h in reversed(case.history)
                                           if h.status == Status.NOT_PROCESSED), None)
    if closed_at and now - closed_at > timedelta(days=policy.REOPEN_WINDOW_DAYS):
        raise Conflict("reopen_window_closed", "Başvuru ancak kapanışından sonraki 30 gün içinde yeniden açılabilir.")
    target = Status.UNDER_EVALUATION if case.status == Status.CONCLUDED else Status.IN_REVIEW
    case.transition(target, now, actor=p.username, event="reopened",
                    note=HISTORY_NOTES["reopened"])
    case.add_note(now, f"Yeniden açma gerekçesi: {req.reason}", actor=p.username, event="note")
    case.not_processed_reason = case.merged_into = None
    policy.reopen_period(case, now, actor=p.username)
    return Outcome(audit={"reason_length": len(req.reason)})


@staff_action("revoke-link", RevokeLinkIn, "Kurum bağlantısını iptal edip yenisini gönder")
def revoke_link(ports: Ports, p, req, case: Case, assignments: list, now) -> Outcome | None:
    a = _find_assignment(assignments, req.institution_id)
    _refuse_if_closed(case, "Kapalı başvuruda bağlantı yenilenemez.")
    if a.status == AssignmentStatus.CLOSED:
        raise Conflict("assignment_closed", "Bu kurumun ataması kapatılmış; yeniden yönlendirme yapınız.")
    a.link_generation += 1  # every older link stops at once
    return Outcome(changed=[a], events=[ev.LinkReissued(case, a)], audit={"institution": a.institution.id,
                                                     "generation": a.link_generation})


# --- the citizen's reply to an information request --------------------------------

def citizen_reply(ports: Ports, raw_no: str, access_code: str | None, data, *, client: str,
                  session: str | None = None) -> dict:
    from ...domain.schemas import CitizenReplyIn
    now = ports.clock.now()
    req = parse(CitizenReplyIn, data)

    def apply(case, no, assignments):
        if case.status != Status.AWAITING_APPLICANT:
            raise Conflict("not_awaiting_reply", "Bu başvuru için sizden bilgi beklenmiyor.",
                           details={"current_status": case.status.value})
        case.notes.append({"at": _iso(now), "kind": "citizen_reply", "by": "citizen",
                           "text_enc": ports.keys.seal(req.text, no)})
        case.transition(settle_status(assignments), now, actor="citizen", event="citizen_reply",
                        note=HISTORY_NOTES["citizen_reply"])

    return public_view(ports, citizen_action(ports, raw_no, access_code, action="reply", client=client, now=now,
                                             apply=apply, session=session), now)
