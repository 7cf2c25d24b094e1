"""Institutions answer through signed links: no accounts. The link token is the only
key, so every request is authenticated here: signature and key id, expiry, the
assignment's link generation (revocation), and the case being open. Repeated bad
tokens from one client are throttled."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..domain import attachments as att
from ..domain import events as ev
from ..domain import numbers
from ..domain.assignment import Answer, Assignment, AssignmentStatus, settle_case
from ..domain.audit import AuditEntry
from ..domain.calendar import ISTANBUL, local_date
from ..domain.calendar import iso_local as _iso
from ..domain.case import Case
from ..domain.catalog import catalog
from ..domain.errors import AppError, Conflict, Gone, Throttled, Unauthorized, ValidationFailed
from ..domain.identity import mask_email, mask_national_id, mask_phone
from ..domain.office import EXTENSION_GROUNDS, apply_extension, can_extend, closing_reason
from ..domain.schemas import AnswerIn, AttachmentUploadIn, ExtensionIn, RedirectIn, parse
from ..domain.throttle import Counter
from ..domain.tokens import TokenError
from . import links
from .notification_map import tell
from .office.case_detail import answers_view
from .ports import Ports, StaleCase
from .tracking import files_view
from .uploads import take_and_check

BAD_TOKEN_LIMIT = 10          # per client address ...
BAD_TOKEN_WINDOW = 15 * 60    # ... per 15 minutes

_REFUSALS = {
    "malformed": (Unauthorized, "link_invalid", "Bağlantı geçersiz ya da değiştirilmiş."),
    "bad_signature": (Unauthorized, "link_invalid", "Bağlantı geçersiz ya da değiştirilmiş."),
    "unknown_key": (Unauthorized, "link_unknown_key",
                    "Bağlantının imza anahtarı tanınmıyor; Açık Kapı bürosundan yeni bağlantı isteyiniz."),
    "expired": (Gone, "link_expired", "Bağlantının süresi dolmuş; Açık Kapı bürosundan yeni bağlantı isteyiniz."),
    "revoked": (Gone, "link_revoked", "Bu bağlantı iptal edilmiş; size gönderilen en son bağlantıyı kullanınız."),
}


def _refuse(reason: str) -> AppError:
    cls, code, message = _REFUSALS[reason]
    return cls(code, message)


def _own_answers(assignment) -> list[dict]:
    """What this institution itself answered, its own words only (no file is offered:
    nothing is minted on a closed link), so that its clerk can still see what was sent."""
    return [{"at": _iso(x.at), "outcome": x.outcome, "text": x.text, "responder_name": x.responder_name,
             "responder_title": x.responder_title, "attachments": [f["filename"] for f in x.attachments]}
            for x in assignment.answers]


def _closed(case, assignment) -> AppError:
    """410 with the reason: the case closed, or this institution's part of it did. Closed
    means closed (no view of the case, no action), but the institution's own answer is
    given back read-only: it is the clerk's own text."""
    if case.closed:
        details: dict = {"current_status": case.status.value}
        if assignment.answers:
            details["own_answers"] = _own_answers(assignment)
        return Gone("case_closed", f"{closing_reason(case)} Bu bağlantı artık kullanılamaz.", details=details)
    return Gone("assignment_closed", "Başvuru kapandığında kurumunuzdan cevap beklenmediği bildirilmişti; bu "
                "bağlantı artık kullanılamaz. Başvuru yeniden iletilirse size yeni bağlantı gönderilir.")


@dataclass
class Context:
    case: Case
    assignment: Assignment
    assignments: list
    client: str

    @property
    def actor(self) -> str:
        return f"institution:{self.assignment.institution.id}"


def _counter(client: str, now: datetime) -> tuple[Counter, datetime]:
    window = int(now.timestamp()) // BAD_TOKEN_WINDOW
    return Counter("link-ip", client, window), datetime.fromtimestamp((window + 2) * BAD_TOKEN_WINDOW, tz=ISTANBUL)


def _failed(ports: Ports, client: str, now: datetime, reason: str) -> AppError:
    """A bad token is counted; past the limit the answer becomes 429 instead of the
    refusal. Only failures count, so a valid link from a shared address (an
    institution's NAT) is never throttled by someone else's typos."""
    key, expires = _counter(client, now)
    if not ports.counters.take(key, BAD_TOKEN_LIMIT, expires):
        return Throttled("too_many_attempts", "Çok fazla geçersiz bağlantı denemesi; lütfen daha sonra tekrar deneyiniz.",
                         headers={"Retry-After": str(BAD_TOKEN_WINDOW)})
    return _refuse(reason)


def authenticate(ports: Ports, token: str | None, *, client: str, now: datetime, reading: bool = False) -> Context:
    """The assignment a link belongs to, if the link is valid and may do this now. An
    authority a case was referred to (CMK art. 158/2, 3071 art. 5) reads it through its
    link after the case closed here, and may do nothing else: it owes this office no answer."""
    repo = ports.cases
    try:
        claims = links.verify_link(ports.keys, token, now=now, purpose="inst")
    except TokenError as exc:
        if exc.reason == "expired":
            raise _refuse(exc.reason) from None
        raise _failed(ports, client, now, exc.reason) from None
    no, _, institution_id = claims.subject.partition(".")
    case, assignments = repo.load_with_assignments(no)
    assignment = next((a for a in assignments if a.institution.id == institution_id == claims.institution), None)
    if case is None or assignment is None:
        raise _failed(ports, client, now, "malformed")
    if assignment.link_generation != claims.generation:
        raise _refuse("revoked")
    if assignment.status == AssignmentStatus.REFERRED:
        if not reading:
            raise Conflict("referral_read_only", "Başvuru makamınıza gönderilmiştir; Açık Kapı bürosuna cevap, yönlendirme "
                           "ya da ek beklenmez. Bağlantı yalnızca okumak içindir.")
        return Context(case, assignment, assignments, client)
    if case.closed or assignment.status == AssignmentStatus.CLOSED:
        raise _closed(case, assignment)
    return Context(case, assignment, assignments, client)


def applicant_for_institution(case, a) -> dict | None:
    """What an institution may know of the applicant: nothing when the identity is
    confidential (whatever the case's type is now); otherwise the name and address, and
    the phone and e-mail masked until the office shares them with this institution."""
    if case.confidential_identity:
        return None
    shared = bool(a.contact_shared)
    return {"first_name": case.applicant.first_name, "last_name": case.applicant.last_name,
            "phone": case.applicant.phone if shared else mask_phone(case.applicant.phone),
            "email": case.applicant.email if shared else mask_email(case.applicant.email),
            "address": case.applicant.address, "national_id_masked": mask_national_id(case.applicant.national_id),
            "contact_shared": shared}


def view(ports: Ports, ctx: Context, *, now: datetime) -> dict:
    case, a = ctx.case, ctx.assignment
    cat = catalog()
    subject = cat.subjects[case.category]
    withheld = case.confidential_identity
    applicant = applicant_for_institution(case, a)
    read_only = a.status in (AssignmentStatus.ANSWERED, AssignmentStatus.REDIRECTED, AssignmentStatus.REFERRED)
    return {
        "application_no": numbers.format_application_no(case.application_no),
        "type": case.type, "type_name": cat.types[case.type]["name"],
        "category": case.category, "category_name": subject.name,
        "district": case.district, "district_name": cat.districts[case.district].name,
        "subject": case.subject, "description": case.description, "location": case.location, "place": case.place,
        "received_at": _iso(case.received_at), "receipt_date": case.receipt_date.isoformat(),
        "legal_due_date": case.legal_due_date.isoformat() if case.legal_due_date else None,
        "sla_due_date": a.sla_due_date.isoformat(),
        "institution": {"id": a.institution.id, "name": a.institution.name},
        "status": a.status.value,
        "answers": answers_view(ports, a.answers),
        "notes": a.notes,
        "applicant": applicant,
        "identity_withheld": withheld,
        "read_only": read_only,
        "can_answer": not read_only,
        "can_extend": not read_only and can_extend(case, local_date(now)),
        "contact_shared": bool(a.contact_shared),
        "extended": case.extended,
        "referral": ({"ground": case.referral["ground"], "source": case.referral["source"]}
                     if a.status == AssignmentStatus.REFERRED and case.referral else None),
        "citizen_attachments": _citizen_files(ports, case),
    }


def _citizen_files(ports: Ports, case) -> list[dict]:
    return files_view(ports, case)


def _mutate(ports: Ports, token, *, client, now, action: str, apply, detail=None) -> dict:
    """Authenticate, apply the change, commit case + assignment + audit record in one
    version-checked transaction, then report the events `apply` returned and answer
    with the updated view. A concurrent change makes the transaction fail; it is retried
    on fresh state, where `apply` refuses what is no longer allowed (409)."""
    for _ in range(4):
        ctx = authenticate(ports, token, client=client, now=now)
        events = apply(ctx)
        audit = AuditEntry(ctx.case.application_no, ctx.actor, "institution", action, now, client,
                           {"assignment": ctx.assignment.id, **(detail or {})})
        try:
            ports.cases.commit(ctx.case, [ctx.assignment], audit=audit)
        except StaleCase:
            continue
        tell(ports, events)
        return view(ports, ctx, now=now)
    raise Conflict("concurrent_update", "Başvuru aynı anda değiştirildi; lütfen sayfayı yenileyip tekrar deneyiniz.")


def _require_open(ctx: Context) -> None:
    if ctx.assignment.status in (AssignmentStatus.ANSWERED, AssignmentStatus.REDIRECTED):
        raise Conflict("already_answered", "Bu başvuru kurumunuzca cevaplanmış; bağlantı artık yalnızca okunabilir.",
                       details={"current_status": ctx.assignment.status.value})


def _checked_attachments(ctx: Context, refs_in, storage) -> list[dict]:
    """Each file is taken, checked and kept as citizens' files are (services/uploads.py):
    a PDF parsed, an image decoded within its pixel limit and re-encoded without metadata."""
    checked, errors = [], []
    for i, ref in enumerate(refs_in):
        result = take_and_check(storage, storage.attachment_key(ctx.case.application_no,
                                                                ctx.assignment.institution.id, ref.id), citizen=False)
        if isinstance(result, str):
            errors.append({"code": result, "message": att.MESSAGES[result], "field": f"attachments.{i}"})
        else:
            checked.append({"id": ref.id, "filename": ref.filename, "key": result.key, "size": result.size,
                            "content_type": result.content_type})
    if errors:       # the accepted ones stay taken: the corrected answer sends them again
        raise ValidationFailed(errors)
    return checked


def answer(ports: Ports, token, data, *, client) -> dict:
    now = ports.clock.now()
    req = parse(AnswerIn, data)
    state: dict = {}

    def apply(ctx: Context):
        _require_open(ctx)
        if "files" not in state:  # check the uploads once, not on every retry
            state["files"] = _checked_attachments(ctx, req.attachments, ports.storage)
        a = ctx.assignment
        a.answers.append(Answer(now, req.text, req.outcome, req.responder_name, req.responder_title,
                                state["files"]))
        a.status = AssignmentStatus.ANSWERED
        ctx.case.refresh_sla(ctx.assignments)
        settled = settle_case(ctx.case, ctx.assignments, now)
        return [ev.InstitutionAnswered(ctx.case, a, req.outcome, all_answered=settled == "all_answered")]

    return _mutate(ports, token, client=client, now=now, action="answer", apply=apply)


def redirect(ports: Ports, token, data, *, client) -> dict:
    now = ports.clock.now()
    req = parse(RedirectIn, data)

    def apply(ctx: Context):
        _require_open(ctx)
        a = ctx.assignment
        a.status = AssignmentStatus.REDIRECTED
        a.redirect = {"at": _iso(now), "reason": req.reason, "suggested_institution": req.suggested_institution}
        ctx.case.refresh_sla(ctx.assignments)
        ctx.case.add_note(now, f"{a.institution.name} konunun görev alanı dışında olduğunu bildirdi: {req.reason}",
                          actor=ctx.actor, event="redirected")
        settle_case(ctx.case, ctx.assignments, now)
        return [ev.InstitutionRedirected(ctx.case, a, req.reason, req.suggested_institution)]

    return _mutate(ports, token, client=client, now=now, action="redirect", apply=apply)


def extension(ports: Ports, token, data, *, client) -> dict:
    now = ports.clock.now()
    req = parse(ExtensionIn, data)

    def apply(ctx: Context):
        case = ctx.case
        _require_open(ctx)
        if case.law != "4982":
            raise Conflict("extension_not_applicable", "Süre uzatımı yalnızca bilgi edinme başvurularında istenebilir.")
        if case.extended:
            raise Conflict("already_extended", "Bu başvurunun süresi daha önce uzatılmış.")
        if not can_extend(case, local_date(now)):
            raise Conflict("extension_window_closed",
                           "15 iş günlük süre dolduğu için uzatma artık istenemez (4982 sayılı Kanun md. 11).")
        ground = EXTENSION_GROUNDS[req.ground]
        apply_extension(case, now, actor=ctx.actor, ground=f"{ground} ({ctx.assignment.institution.name}: {req.reason})")
        return [ev.DeadlineExtended(case, ctx.assignment.institution.name, req.reason, ground=ground)]

    return _mutate(ports, token, client=client, now=now, action="extension", apply=apply,
                   detail={"reason_length": len(req.reason)})


def start_upload(ports: Ports, token, data, *, client) -> dict:
    now = ports.clock.now()
    req = parse(AttachmentUploadIn, data)
    ctx = authenticate(ports, token, client=client, now=now)
    _require_open(ctx)
    attachment_id = secrets.token_hex(16)
    storage = ports.storage
    post = storage.presigned_upload(storage.attachment_key(ctx.case.application_no, ctx.assignment.institution.id,
                                                           attachment_id), req.content_type)
    return {"attachment_id": attachment_id, "filename": req.filename, "upload": post,
            "expires_at": _iso(now + timedelta(seconds=storage.UPLOAD_URL_SECONDS)),
            "max_bytes": att.MAX_BYTES}


def read(ports: Ports, token, *, client) -> dict:
    now = ports.clock.now()
    ctx = authenticate(ports, token, client=client, now=now, reading=True)
    ports.audit.record(AuditEntry(ctx.case.application_no, ctx.actor, "institution", "view", now, client,
                                  {"assignment": ctx.assignment.id}))
    return view(ports, ctx, now=now)
