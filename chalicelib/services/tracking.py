"""Reading a case as its citizen: the access-code check with its throttle, the tracking
view, and the changes a citizen makes with the code (reply, objection, files)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..domain import numbers
from ..domain import office as policy
from ..domain.audit import AuditEntry
from ..domain.calendar import iso_local as _iso
from ..domain.case import Case, Status
from ..domain.catalog import catalog
from ..domain.errors import AppError, Conflict, Gone, NotFound, Throttled
from ..domain.throttle import Counter
from . import links
from .ports import Ports, StaleCase
from .sessions import phone_hash, session_of

# Tracking throttle (documented in docs/api.md): failed look-ups are counted in fixed
# 15-minute windows, per application number and per client address.
THROTTLE_WINDOW_SECONDS = 15 * 60
MAX_FAILURES_PER_NUMBER = 5
MAX_FAILURES_PER_CLIENT = 20
CITIZEN_ACTION_ATTEMPTS = 3

NOT_FOUND_MESSAGE = "Bu numara ve erişim koduyla eşleşen bir başvuru bulunamadı."


def counters(no: str, client: str, now: datetime) -> tuple[list[Counter], int]:
    window = int(now.timestamp()) // THROTTLE_WINDOW_SECONDS
    retry_after = (window + 1) * THROTTLE_WINDOW_SECONDS - int(now.timestamp())
    return [Counter("track-no", no, window), Counter("track-ip", client, window)], retry_after


def _day(d) -> str | None:
    return d.isoformat() if d else None


def public_view(ports: Ports, case: Case, now: datetime) -> dict:
    view: dict[str, Any] = {
        "application_no": numbers.format_application_no(case.application_no),
        "status": case.status.value,
        "type": case.type,
        "category": case.category,
        "district": case.district,
        "subject": case.subject,
        "received_at": _iso(case.received_at),
        "legal_due_date": _day(case.legal_due_date),
        "history": [{"at": _iso(h.at), "status": h.status.value, "note": h.note} for h in case.public_history()],
        "final_answer": None,
        "law": case.law,
        "office": {"code": case.office, "name": catalog().offices[case.office].name},
        "legal_remedies": case.legal_remedies if case.status == Status.NOT_PROCESSED else None,
    }
    if case.final_answer and (case.status == Status.CONCLUDED or case.objected_at is not None):
        # after an objection the answer objected to stays readable, marked as under review
        earlier = case.final_answers[:-1]
        view["final_answer"] = {"outcome": case.outcome, "text": case.final_answer,
                                "at": _iso(case.concluded_at) if case.concluded_at else None,
                                "legal_remedies": case.legal_remedies,
                                "replaces": [{"at": a["at"], "outcome": a["outcome"]} for a in earlier],
                                "under_review": case.status != Status.CONCLUDED,
                                # institution documents the office sent out with it: short-lived links
                                "attachments": [{"filename": f["filename"], "institution": f.get("institution"),
                                                 "url": ports.storage.presigned_download(
                                                     f["key"], f["filename"],
                                                     f.get("content_type") or "application/octet-stream")}
                                                for f in (case.final_answers[-1].get("attachments") or [])
                                                if f.get("key")] if case.final_answers else []}
    view["attachments"] = files_view(ports, case)
    view["can_attach"] = not case.closed and len(case.citizen_files) < 3
    view["answer_owed"] = case.answer_owed
    view["can_reply"] = case.status == Status.AWAITING_APPLICANT
    view["can_object"] = False
    view["survey_token"] = None
    if case.status == Status.CONCLUDED and case.concluded_at is not None:
        last_day = policy.objection_last_day(case.concluded_at)
        view["can_object"] = (case.answer_owed and case.objected_at is None
                              and policy.objection_open(case.concluded_at, now))
        view["objection_deadline"] = last_day.isoformat()
        view["objection_deadline_end"] = _iso(policy.end_of_day(last_day))
        view["survey_token"] = links.survey_token(ports.keys, case.application_no, case.concluded_at)
    return view


def invalid_number() -> AppError:
    return AppError("invalid_application_no",
                    "Başvuru numarası hatalı yazılmış: XXXX-XXXX-XX biçiminde, kontrol karakteri tutan bir numara giriniz.",
                    field="application_no", status=400)


def owned_by(ports: Ports, case, nid: str, phone: str) -> bool:
    """The case was filed by this national id with this phone (a phone-verified session's)."""
    return (case.anonymised_at is None and ports.keys.national_id_hash(case.applicant.national_id) == nid
            and phone_hash(ports, case.applicant.phone) == phone)


def session_case(ports: Ports, raw_no: str, session: str | None) -> Case:
    """The case behind a number for a phone-verified citizen session: hers, or 404 (the
    same answer as a case that does not exist). The session is an HMAC-signed token of
    30 minutes, so no guess is compared and the code's throttle does not apply."""
    nid, phone = session_of(ports, session)
    no = numbers.normalise_application_no(raw_no)
    if no is None:
        raise invalid_number()
    case = ports.cases.get(no)
    if case is None or not owned_by(ports, case, nid, phone):
        raise NotFound("not_found", "Bu numarayla size ait bir başvuru bulunamadı.")
    return case


def take_slots(ports: Ports, no: str, client: str, now: datetime) -> list[Counter]:
    """Before a guess about `no` is compared (an access code, a receipt's short code): a
    slot on the number's counter, then one on the client's, each one conditional write;
    429 when either is full (the number's slot given back if the client's was refused).
    A right guess gives both back (`give_back`); a wrong one leaves them taken."""
    (per_number, per_client), retry_after = counters(no, client, now)
    expires = now + timedelta(seconds=retry_after + 60)
    throttled = Throttled("too_many_attempts", "Çok fazla hatalı deneme yapıldı; lütfen bir süre sonra tekrar deneyiniz.",
                          headers={"Retry-After": str(retry_after)})
    if not ports.counters.take(per_number, MAX_FAILURES_PER_NUMBER, expires):
        raise throttled
    if not ports.counters.take(per_client, MAX_FAILURES_PER_CLIENT, expires):
        ports.counters.give_back(per_number)     # not compared: the number keeps its slot
        raise throttled
    return [per_number, per_client]


def give_back(ports: Ports, slots: list[Counter]) -> None:
    for slot in slots:
        ports.counters.give_back(slot)


def checked_case(ports: Ports, raw_no: str, access_code: str | None, *, client: str, now: datetime,
                 session: str | None = None) -> Case:
    """The case behind a number and access code, with the tracking throttle.

    Every look-up of a number first takes a slot on the number's counter, in one
    conditional write, and only then is the code compared; a right code gives the slot
    back. So however many guesses arrive at once, at most MAX_FAILURES_PER_NUMBER are
    ever compared per number and window. The client's counter (many numbers from one
    address) is taken the same way, before the comparison, and given back by a right
    code: read with the case and counted after a failure, it let 54 of 200 concurrent
    guesses be compared against a limit of 20. Each is one conditional update of its own
    item, never a transaction, so the many people behind one address never conflict.

    Without a code, a phone-verified citizen session (`Authorization: Bearer …`) proves
    the case is hers instead (session_case)."""
    if session and not access_code:
        return session_case(ports, raw_no, session)
    no = numbers.normalise_application_no(raw_no)
    if no is None:
        raise invalid_number()
    slots = take_slots(ports, no, client, now)
    case = ports.cases.get_public(no)
    if case is not None and case.anonymised_at is not None:
        give_back(ports, slots)
        raise Gone("anonymised", "Bu başvurunun saklama süresi dolduğu için kişisel verileri imha edildi; başvuru "
                   "artık izlenemez. Sonuç ve istatistik bilgileri kişisel veri içermeden saklanmaktadır.")
    code = numbers.normalise_access_code(access_code)
    if case is None or not code or not ports.keys.verify_access_code(no, code, case.access_code_hash):
        raise NotFound("not_found", NOT_FOUND_MESSAGE)     # both slots stay taken: a failure each
    give_back(ports, slots)
    return case


def track(ports: Ports, raw_no: str, access_code: str | None, *, client: str, session: str | None = None) -> dict:
    now = ports.clock.now()
    return public_view(ports, checked_case(ports, raw_no, access_code, client=client, now=now, session=session), now)


def citizen_action(ports: Ports, raw_no: str, access_code: str | None, *, action: str, client: str, now: datetime,
                   apply, session: str | None = None) -> Case:
    """A change the citizen makes with the access code (reply, objection): the same
    check, throttle and 404 as tracking, then `apply(case, no, assignments)` and one
    version-checked commit with its audit record."""
    checked = checked_case(ports, raw_no, access_code, client=client, now=now, session=session)
    no = checked.application_no
    # A change the system makes at the same moment (routing a case just received, a sweep)
    # is not the citizen's to resolve: the change is applied again to the fresh case, a
    # few times, and only then refused. `apply` re-checks everything on each read.
    for attempt in range(CITIZEN_ACTION_ATTEMPTS):
        case, assignments = ports.cases.load_with_assignments(no)
        if case is None:           # gone between the check and the read (destroyed): as not found
            raise NotFound("not_found", NOT_FOUND_MESSAGE)
        apply(case, no, assignments)
        try:
            ports.cases.commit(case, [], audit=AuditEntry(no, "citizen", "citizen", action, now, client))
            return case
        except StaleCase:
            continue
    raise Conflict("concurrent_update", "Başvuru aynı anda değiştirildi; lütfen tekrar deneyiniz.")


def files_view(ports: Ports, case) -> list[dict]:
    """The citizen's files with short-lived presigned downloads (the office, the
    institutions, the citizen)."""
    return [{"id": f["id"], "filename": f["filename"], "content_type": f["content_type"], "size": f["size"],
             "at": f.get("at"), "url": ports.storage.presigned_download(f["key"], f["filename"], f["content_type"])}
            for f in case.citizen_files]


def notes_view(ports: Ports, case) -> list[dict]:
    """The case's notes with the sealed ones (the citizen's and the desk's replies) opened."""
    out = []
    for n in case.notes:
        n = dict(n)
        if "text_enc" in n:
            n["text"] = ports.keys.unseal(n.pop("text_enc"), case.application_no)
        out.append(n)
    return out
