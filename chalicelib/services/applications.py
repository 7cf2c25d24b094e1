"""Citizen use cases: submit an application, track it.

The service layer turns validated requests into domain objects and calls the ports.
Every AWS call on the hot path is counted in the tests (budgets).
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..domain import refs
from ..domain.calendar import iso_local as _iso, local_date
from ..domain.case import Applicant, Case, HistoryEntry, Status, PUBLIC_NOTES, legal_due_for
from ..domain.catalog import catalog
from ..domain.errors import AppError, Conflict, Gone, NotFound, Throttled
from ..domain.records import AuditEntry, Counter, IdempotencyRecord
from ..domain.retention import kept_for
from ..domain.schemas import ApplicationIn, parse
from . import messages
from .ports import DuplicateApplicationNo, IdempotencyKeyTaken, Ports, StaleCase, TransientConflict

# Tracking throttle (documented in docs/api.md): failed look-ups are counted in fixed
# 15-minute windows, per application number and per client address.
THROTTLE_WINDOW_SECONDS = 15 * 60
MAX_FAILURES_PER_NUMBER = 5
MAX_FAILURES_PER_CLIENT = 20

NOT_FOUND_MESSAGE = "Bu numara ve erişim koduyla eşleşen bir başvuru bulunamadı."


@dataclass
class Result:
    status: int
    body: dict
    headers: dict


def idempotency_key(raw: str | None) -> str | None:
    """The stored form of a client's Idempotency-Key (its SHA-256), or None without one."""
    if raw is None:
        return None
    if not (1 <= len(raw) <= 128) or not raw.isascii() or not raw.isprintable():
        raise AppError("invalid_idempotency_key",
                       "Idempotency-Key başlığı 1-128 yazdırılabilir ASCII karakter olmalıdır.",
                       field="Idempotency-Key")
    return hashlib.sha256(raw.encode("ascii")).hexdigest()


def build_case(ports: Ports, req: ApplicationIn, *, received_at: datetime, now: datetime, channel: str,
               actor: str = "citizen") -> tuple[Case, str]:
    """A new case in `received`, with its first history entry; returns it and the access code."""
    from ..domain.nearby import cell
    from ..domain.repeats import sketch
    cat = catalog()
    district = cat.districts[req.district]
    law = cat.law_of(req.type)
    receipt_date = local_date(received_at)
    no = refs.new_application_no()
    access_code = refs.new_access_code()
    a = req.applicant
    case = Case(
        application_no=no, access_code_hash=ports.keys.access_code_hash(no, access_code),
        type=req.type, law=law, category=req.category, district=req.district,
        province=district.province, subject=req.subject, description=req.description,
        applicant=Applicant(a.national_id, a.first_name, a.last_name, a.phone, a.address, a.email),
        channel=channel, received_at=received_at, receipt_date=receipt_date,
        legal_due_date=legal_due_for(req.type, receipt_date),
        confidential_identity=req.confidential_identity,
        location=req.location.model_dump() if req.location else None,
        history=[HistoryEntry(received_at, Status.RECEIVED, PUBLIC_NOTES[Status.RECEIVED], True, actor,
                              "received")],
        recorded_at=now,
        text_sketch=sketch(req.description, lambda shingle: ports.keys.fingerprint(shingle.encode("utf-8"))[:6]),
        geocell=cell(req.location.lat, req.location.lon) if req.location else None,
    )
    return case, access_code


def receipt(case: Case, access_code: str) -> dict:
    return {
        "application_no": refs.format_application_no(case.application_no),
        "access_code": refs.format_access_code(access_code),
        "status": case.status.value,
        "received_at": _iso(case.received_at),
        "legal_due_date": _day(case.legal_due_date),
        "type": case.type,
        "category": case.category,
        "district": case.district,
    }


def record_new_case(ports: Ports, case: Case, access_code: str, *, idempotency: str | None,
                    request_hash: str | None, now: datetime, partner_use=None) -> Result:
    """One TransactWriteItems (case + history + idempotency record), then one SQS message."""
    for attempt in range(5):
        body = receipt(case, access_code)
        record = None
        if idempotency:
            record = IdempotencyRecord(idempotency, request_hash, 201,
                                       ports.keys.seal(json.dumps(body), f"idempotency:{idempotency}"),
                                       now + kept_for("idempotency"))
        try:
            ports.store.add_submission(case, record, partner_use)
        except DuplicateApplicationNo:
            # ~1 in 10^7 at national scale: draw a new number and access code.
            case.application_no = refs.new_application_no()
            access_code = refs.new_access_code()
            case.access_code_hash = ports.keys.access_code_hash(case.application_no, access_code)
            continue
        except IdempotencyKeyTaken:
            replay = _replay(ports, idempotency, request_hash, now)
            if replay:
                return replay
            time.sleep(0.05 * (attempt + 1))  # the winner's record is not visible yet
            continue
        except TransientConflict:
            time.sleep(0.05 * (attempt + 1))
            continue
        try:
            ports.publisher.route(messages.application_received(case.application_no, case.district,
                                                                case.recorded_at or case.received_at))
        except Exception as exc:  # noqa: BLE001
            # The case is safely recorded in its re-route slot; the 15-minute sweep
            # re-sends the message of a case not routed within 10 minutes, so the
            # citizen still gets a 201 and, shortly after, the receipt SMS.
            from ..logs import exception_summary, logger
            logger().error("routing message not sent", extra={"application_no": case.application_no,
                                                               **exception_summary(exc)})
        return Result(201, body, {"Location": f"/v1/applications/{body['application_no']}"})
    raise AppError("busy", "Başvuru şu anda kaydedilemedi; lütfen tekrar deneyiniz.", status=409)


def _replay(ports: Ports, idempotency: str, request_hash: str, now: datetime) -> Result | None:
    """The first answer to this key, if its record is still in force; a spent record counts
    as absent here, and the submission's condition overwrites it."""
    record = ports.store.get_idempotency(idempotency)
    if record is None or not record.in_force(now):
        return None
    if record.request_hash != request_hash:
        raise Conflict("idempotency_key_reused",
                       "Bu Idempotency-Key farklı bir başvuru için kullanılmış.", field="Idempotency-Key")
    body = json.loads(ports.keys.unseal(record.response_sealed, f"idempotency:{idempotency}"))
    return Result(record.status_code, body, {"Idempotent-Replayed": "true"})


def request_fingerprint(ports: Ports, data) -> str:
    """What makes two bodies "the same" for an Idempotency-Key: the parsed JSON, key order aside."""
    return ports.keys.fingerprint(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8"))


def submit(ports: Ports, data, *, idempotency_key_header: str | None, authorization: str | None = None) -> Result:
    now = ports.clock.now()
    req = parse(ApplicationIn, data)
    key = idempotency_key(idempotency_key_header)
    case, access_code = build_case(ports, req, received_at=now, now=now, channel=req.channel)
    if authorization:   # filed within a phone-verified session of this person: a signal for the office
        from .citizen_session import verified_for
        case.phone_verified = verified_for(ports, authorization, req.applicant.national_id, req.applicant.phone)
    return record_new_case(ports, case, access_code, idempotency=key, request_hash=request_fingerprint(ports, data),
                           now=now)


def _counters(no: str, client: str, now: datetime) -> tuple[list[Counter], int]:
    window = int(now.timestamp()) // THROTTLE_WINDOW_SECONDS
    retry_after = (window + 1) * THROTTLE_WINDOW_SECONDS - int(now.timestamp())
    return [Counter("track-no", no, window), Counter("track-ip", client, window)], retry_after


def _day(d) -> str | None:
    return d.isoformat() if d else None


def public_view(ports: Ports, case: Case, now: datetime) -> dict:
    from ..domain import office as policy
    view = {
        "application_no": refs.format_application_no(case.application_no),
        "status": case.status.value,
        "type": case.type,
        "category": case.category,
        "district": case.district,
        "subject": case.subject,
        "received_at": _iso(case.received_at),
        "legal_due_date": _day(case.legal_due_date),
        "history": [{"at": _iso(h.at), "status": h.status.value, "note": h.note} for h in case.public_history()],
        "final_answer": None,
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
    from .citizen_files import files_view
    view["attachments"] = files_view(ports, case)
    view["can_attach"] = not case.closed and len(case.citizen_files) < 3
    view["answer_owed"] = case.answer_owed
    view["can_reply"] = case.status == Status.AWAITING_APPLICANT
    view["can_object"] = False
    view["survey_token"] = None
    if case.status == Status.CONCLUDED and case.concluded_at is not None:
        from . import links
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


def _checked_case(ports: Ports, raw_no: str, access_code: str | None, *, client: str, now: datetime) -> Case:
    """The case behind a number and access code, with the tracking throttle.

    Every look-up of a number first takes a slot on the number's counter, in one
    conditional write, and only then is the code compared; a right code gives the slot
    back. So however many guesses arrive at once, at most MAX_FAILURES_PER_NUMBER are
    ever compared per number and window. The client's counter (many numbers from one
    address) is read with the case and counts failures: it is shared by everyone behind
    one address, so it is never part of a transaction that could conflict."""
    no = refs.normalise_application_no(raw_no)
    if no is None:
        raise invalid_number()
    (per_number, per_client), retry_after = _counters(no, client, now)
    expires = now + timedelta(seconds=retry_after + 60)
    throttled = Throttled("too_many_attempts", "Çok fazla hatalı deneme yapıldı; lütfen bir süre sonra tekrar deneyiniz.",
                          headers={"Retry-After": str(retry_after)})
    if not ports.store.take_attempt(per_number, MAX_FAILURES_PER_NUMBER, expires):
        raise throttled
    case, client_failures = ports.store.get_public_and_count(no, per_client)
    if client_failures >= MAX_FAILURES_PER_CLIENT:
        ports.store.give_back_attempt(per_number)     # not compared: the number keeps its slot
        raise throttled
    if case is not None and case.anonymised_at is not None:
        ports.store.give_back_attempt(per_number)
        raise Gone("anonymised", "Bu başvurunun saklama süresi dolduğu için kişisel verileri imha edildi; başvuru "
                   "artık izlenemez. Sonuç ve istatistik bilgileri kişisel veri içermeden saklanmaktadır.")
    code = refs.normalise_access_code(access_code)
    if case is None or not code or not ports.keys.verify_access_code(no, code, case.access_code_hash):
        ports.store.increment_counter(per_client, expires)
        raise NotFound("not_found", NOT_FOUND_MESSAGE)
    ports.store.give_back_attempt(per_number)
    return case


def track(ports: Ports, raw_no: str, access_code: str | None, *, client: str) -> dict:
    now = ports.clock.now()
    return public_view(ports, _checked_case(ports, raw_no, access_code, client=client, now=now), now)


def citizen_action(ports: Ports, raw_no: str, access_code: str | None, *, action: str, client: str, now: datetime,
                   apply) -> Case:
    """A change the citizen makes with the access code (reply, objection): the same
    check, throttle and 404 as tracking, then `apply(case, no, assignments)` and one
    version-checked commit with its audit record."""
    checked = _checked_case(ports, raw_no, access_code, client=client, now=now)
    no = checked.application_no
    case, assignments = ports.store.load_with_assignments(no)
    apply(case, no, assignments)
    try:
        ports.store.commit(case, [], audit=AuditEntry(no, "citizen", "citizen", action, now, client))
    except StaleCase:
        raise Conflict("concurrent_update", "Başvuru aynı anda değiştirildi; lütfen tekrar deneyiniz.") from None
    return case
