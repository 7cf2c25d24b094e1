"""The citizen's phone-verified session and "Başvurularım" (domain/otp.py has the rules).

A citizen who lost an access code gets back in this way: a code by SMS to the phone
given in the applications, then a 30-minute session that lists every application filed
with that national id and phone, and opens each one's tracking view without the code.
"""
from __future__ import annotations

import hmac
import json
import secrets
from datetime import datetime, timedelta

from ..domain import events as ev
from ..domain import numbers
from ..domain import otp as O
from ..domain.calendar import iso_local, local_date
from ..domain.errors import AppError, Throttled, Unauthorized
from ..domain.retention import kept_for
from ..domain.throttle import Counter
from . import links, notification_map, routing_messages
from .ports import InvalidCursor, PoisonMessage, Ports
from .tracking import owned_by, phone_hash, public_view, session_case, session_of

SENT_MESSAGE = ("Bu bilgilerle yapılmış bir başvurunuz varsa doğrulama kodu cep telefonunuza SMS ile gönderildi. "
                "Kod 5 dakika geçerlidir.")


def _subject(ports: Ports, national_id: str, phone: str) -> str:
    return ports.keys.fingerprint(f"otp|{national_id}|{phone}".encode("utf-8"))


def _code_hash(ports: Ports, subject: str, code: str) -> str:
    return ports.keys.fingerprint(f"code|{subject}|{code}".encode("utf-8"))


def _window(now: datetime) -> tuple[int, int, datetime]:
    window = int(now.timestamp()) // O.SEND_WINDOW_SECONDS
    wait = (window + 1) * O.SEND_WINDOW_SECONDS - int(now.timestamp())
    return window, wait, now + timedelta(seconds=wait + 60)


def request_code(ports: Ports, data, *, client: str) -> dict:
    """Asks for a code. The answer is the same, in content and in time, whether or not the
    national id and phone belong to an application: the look-up and the send happen in the
    routing worker (send_code). The client's slot is taken first, then the pair's; a refusal
    gives back the client slot it took, so a client refused for one pair can go on with
    another, and nobody can use up a phone's allowance with other national ids."""
    from ..domain.schemas import OtpRequestIn, parse
    req = parse(OtpRequestIn, data)
    now = ports.clock.now()
    window, wait, expires = _window(now)
    too_many = Throttled("too_many_codes", "Çok fazla kod istendi; lütfen bir süre sonra tekrar deneyiniz.",
                         headers={"Retry-After": str(wait)})
    by_client = Counter("otp-ip", client, window)
    if not ports.counters.take(by_client, O.SENDS_PER_CLIENT, expires):
        raise too_many
    if not ports.counters.take(Counter("otp-pair", _subject(ports, req.national_id, req.phone)[:32], window),
                               O.REQUESTS_PER_PAIR, expires):
        ports.counters.give_back(by_client)
        raise too_many
    ref = secrets.token_hex(8)
    sealed = ports.keys.seal(json.dumps({"national_id": req.national_id, "phone": req.phone}), f"otp-request:{ref}")
    ports.publisher.route(routing_messages.code_requested(ref, sealed, now))
    return {"sent": True, "expires_in": int(O.CODE_TTL.total_seconds()), "message": SENT_MESSAGE}


def send_code(ports: Ports, msg: dict, now) -> str:
    """The routing worker's half: a code goes out only if the pair belongs to an
    application (one keyed read of the pair's item, whatever the person's history) and the
    phone is within its caps (per window and per day), which the caller never learns of.
    The code is stored as a keyed hash only."""
    ref = msg.get("ref")
    try:
        opened = json.loads(ports.keys.unseal(str(msg["sealed"]), f"otp-request:{ref}"))
        national_id, phone = str(opened["national_id"]), str(opened["phone"])
    except Exception:                       # noqa: BLE001 - anything malformed is poison
        raise PoisonMessage("otp request unreadable") from None
    if not ports.cases.pair_known(O.pair_fingerprint(ports.keys, national_id, phone)):
        return "unknown_pair"
    fingerprint = phone_hash(ports, phone)
    window, _, expires = _window(now)
    day = local_date(now).toordinal()
    if not ports.counters.take(Counter("otp-phone", fingerprint, window), O.SENDS_PER_PHONE, expires):
        return "phone_capped"
    if not ports.counters.take(Counter("otp-phone-day", fingerprint, day), O.CODES_PER_PHONE_PER_DAY,
                               now + kept_for("otp_daily_counter")):
        return "phone_capped"
    subject = _subject(ports, national_id, phone)
    code = O.new_code()
    ports.phone_codes.put(subject, _code_hash(ports, subject, code), now + O.CODE_TTL)
    notification_map.tell(ports, [ev.PhoneCodeRequested(phone, code, f"{subject[:24]}:{ref}")])
    return "sent"


def open_session(ports: Ports, data) -> dict:
    from ..domain.schemas import OtpVerifyIn, parse
    req = parse(OtpVerifyIn, data)
    now = ports.clock.now()
    subject = _subject(ports, req.national_id, req.phone)
    stored = ports.phone_codes.try_code(subject, now, O.MAX_TRIES)
    if stored is None or not hmac.compare_digest(stored, _code_hash(ports, subject, req.code)):
        raise Unauthorized("invalid_code", "Kod hatalı ya da süresi dolmuş. 5 hatalı denemeden sonra yeni kod isteyiniz.",
                           field="code")
    ports.phone_codes.delete(subject)
    token = links.citizen_session_token(ports.keys, ports.keys.national_id_hash(req.national_id),
                                        phone_hash(ports, req.phone), "otp", now)
    return {"token": token, "expires_in": int(O.SESSION_TTL.total_seconds())}


def my_applications(ports: Ports, authorization: str | None, params: dict) -> dict:
    nid, phone = session_of(ports, authorization)
    try:
        cases, cursor = ports.cases.applicant_page(nid, 20, params.get("cursor"))
    except InvalidCursor:
        raise AppError("invalid_cursor", "Sayfa imleci geçersiz.", field="cursor") from None
    rows = [{"application_no": numbers.format_application_no(c.application_no), "subject": c.subject, "type": c.type,
             "category": c.category, "status": c.status.value, "received_at": iso_local(c.received_at),
             "updated_at": iso_local(c.updated_at),
             "legal_due_date": c.legal_due_date.isoformat() if c.legal_due_date else None}
            for c in cases if owned_by(ports, c, nid, phone)]
    return {"applications": rows, "next_cursor": cursor}


def my_application(ports: Ports, authorization: str | None, raw_no: str) -> dict:
    return public_view(ports, session_case(ports, raw_no, authorization), ports.clock.now())


