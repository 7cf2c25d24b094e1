"""Citizen use cases: submit an application, track it.

The service layer turns validated requests into domain objects and calls the ports.
Every AWS call on the hot path is counted in the tests (budgets).
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import datetime

from ..domain import numbers
from ..domain.calendar import iso_local as _iso
from ..domain.calendar import local_date
from ..domain.case import PUBLIC_NOTES, Applicant, Case, HistoryEntry, Status, legal_due_for
from ..domain.catalog import catalog
from ..domain.errors import AppError, Conflict
from ..domain.idempotency import IdempotencyRecord
from ..domain.nearby import cell
from ..domain.repeats import sketch
from ..domain.retention import kept_for
from ..domain.schemas import ApplicationIn, parse
from ..logs import exception_summary, logger
from . import routing_messages
from .onboarded import handling_office
from .ports import DuplicateApplicationNo, IdempotencyKeyTaken, Ports, TransientConflict
from .receipt_codes import verification
from .sessions import verified_for


@dataclass
class Result:
    status: int
    body: dict
    headers: dict


def idempotency_key(raw: str | None, *, caller: str) -> str | None:
    """The stored form of a client's Idempotency-Key, or None without one: the SHA-256 of
    the key within its caller's scope ("web", "partner:<id>", "staff:<username>"). A key
    is the caller's own: another partner sending the same body and key got the first
    partner's receipt, access code included."""
    if raw is None:
        return None
    if not (1 <= len(raw) <= 128) or not raw.isascii() or not raw.isprintable():
        raise AppError("invalid_idempotency_key",
                       "Idempotency-Key başlığı 1-128 yazdırılabilir ASCII karakter olmalıdır.",
                       field="Idempotency-Key")
    return hashlib.sha256(f"{caller}\n{raw}".encode("utf-8")).hexdigest()


def build_case(ports: Ports, req: ApplicationIn, *, received_at: datetime, now: datetime, channel: str,
               actor: str = "citizen") -> tuple[Case, str]:
    """A new case in `received`, with its first history entry; returns it and the access code."""
    cat = catalog()
    district = cat.districts[req.district]
    law = cat.law_of(req.type)
    receipt_date = local_date(received_at)
    no = numbers.new_application_no()
    access_code = numbers.new_access_code()
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
        place=req.place.model_dump(exclude_none=True) if req.place else None,
        history=[HistoryEntry(received_at, Status.RECEIVED, PUBLIC_NOTES[Status.RECEIVED], True, actor,
                              "received")],
        recorded_at=now,
        text_sketch=sketch(req.description, lambda shingle: ports.keys.fingerprint(shingle.encode("utf-8"))[:6]),
        geocell=cell(req.location.lat, req.location.lon) if req.location else None,
        # its place's own office if onboarded, else the first onboarded office above it
        office=handling_office(ports, req.district),
    )
    return case, access_code


def receipt(case: Case, access_code: str, keys) -> dict:
    """What the citizen is given, the office that handles the application included, and
    what makes the receipt verifiable by anyone (services/receipts.py)."""
    return {
        "application_no": numbers.format_application_no(case.application_no),
        "access_code": numbers.format_access_code(access_code),
        "status": case.status.value,
        "received_at": _iso(case.received_at),
        "legal_due_date": case.legal_due_date.isoformat() if case.legal_due_date else None,
        "type": case.type,
        "category": case.category,
        "district": case.district,
        "office": {"code": case.office, "name": catalog().offices[case.office].name},
        "verification": verification(keys, case),
    }


def record_new_case(ports: Ports, case: Case, access_code: str, *, idempotency: str | None,
                    request_hash: str | None, now: datetime, partner_use=None) -> Result:
    """One TransactWriteItems (case + history + idempotency record), then one SQS message."""
    for attempt in range(5):
        body = receipt(case, access_code, ports.keys)
        record = None
        if idempotency and request_hash is not None:
            record = IdempotencyRecord(idempotency, request_hash, 201,
                                       ports.keys.seal(json.dumps(body), f"idempotency:{idempotency}"),
                                       now + kept_for("idempotency"))
        try:
            ports.cases.add_submission(case, record, partner_use)
        except DuplicateApplicationNo:
            # ~1 in 10^7 at national scale: draw a new number and access code.
            case.application_no = numbers.new_application_no()
            access_code = numbers.new_access_code()
            case.access_code_hash = ports.keys.access_code_hash(case.application_no, access_code)
            continue
        except IdempotencyKeyTaken:
            assert idempotency is not None and request_hash is not None   # only a keyed submission meets a key
            replay = _replay(ports, idempotency, request_hash, now)
            if replay:
                return replay
            time.sleep(0.05 * (attempt + 1))  # the winner's record is not visible yet
            continue
        except TransientConflict:
            time.sleep(0.05 * (attempt + 1))
            continue
        try:
            ports.publisher.route(routing_messages.application_received(case.application_no, case.district,
                                                                        case.recorded_at or case.received_at,
                                                                        office=case.office))
        except Exception as exc:  # noqa: BLE001
            # The case is safely recorded in its re-route slot; the 15-minute sweep
            # re-sends the message of a case not routed within 10 minutes, so the
            # citizen still gets a 201 and, shortly after, the receipt SMS.
            logger().error("routing message not sent", extra={"application_no": case.application_no,
                                                               **exception_summary(exc)})
        return Result(201, body, {"Location": f"/v1/applications/{body['application_no']}"})
    raise AppError("busy", "Başvuru şu anda kaydedilemedi; lütfen tekrar deneyiniz.", status=409)


def _replay(ports: Ports, idempotency: str, request_hash: str, now: datetime) -> Result | None:
    """The first answer to this key, if its record is still in force; a spent record counts
    as absent here, and the submission's condition overwrites it."""
    record = ports.cases.get_idempotency(idempotency)
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
    key = idempotency_key(idempotency_key_header, caller="web")
    case, access_code = build_case(ports, req, received_at=now, now=now, channel=req.channel)
    if authorization:   # filed within a phone-verified session of this person: a signal for the office
        case.phone_verified = verified_for(ports, authorization, req.applicant.national_id, req.applicant.phone)
    return record_new_case(ports, case, access_code, idempotency=key, request_hash=request_fingerprint(ports, data),
                           now=now)


