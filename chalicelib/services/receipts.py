"""Receipts anyone can verify (domain/receipts.py): issued with every receipt, checked by
the public page dogrula.html through POST /v1/receipts/verify.

A token (from the receipt's QR code) is checked with the office's key alone: no read.
A number and a short code (typed from a printed receipt) are checked against the
signature recomputed from the case: one keyed read, behind the tracking throttle (per
number and per client), and the same answer for an unknown number as for a wrong code.
The answer says only what the receipt shows: the number, the office, the time received.
"""
from __future__ import annotations

import hmac
from datetime import datetime, timedelta

from ..config import settings
from ..domain import numbers
from ..domain import receipts as R
from ..domain.calendar import iso_local
from ..domain.catalog import catalog
from ..domain.errors import AppError, Throttled
from .ports import Ports
from .tracking import MAX_FAILURES_PER_CLIENT, MAX_FAILURES_PER_NUMBER, counters, invalid_number

INVALID = {"valid": False, "message": "Bu makbuz doğrulanamadı: bilgileri değiştirilmiş, eksik ya da Açık Kapı "
                                      "tarafından verilmemiş olabilir."}


def _signed(keys, no: str, office: str, received_at: str, digest: str) -> bytes:
    return keys.sign_receipt(office, R.payload(no, office, received_at, digest))


def verification(keys, case) -> dict:
    """The receipt's QR token, its short code and the address dogrula.html checks it at."""
    received_at = iso_local(case.received_at) or ""
    digest = R.subject_digest(case.subject)
    signature = _signed(keys, case.application_no, case.office, received_at, digest)
    token = R.token(case.application_no, case.office, received_at, digest, signature)
    return {"short_code": R.short_code(signature), "token": token,
            "url": f"{settings().public_base_url}/dogrula.html#r={token}"}


def _valid(no: str, office: str, received_at: str, digest: str) -> dict:
    known = catalog().offices.get(office)
    return {"valid": True, "application_no": numbers.format_application_no(no),
            "office": {"code": office, "name": known.name if known else office},
            "received_at": received_at, "subject_digest": digest,
            "message": "Bu makbuz geçerlidir: Açık Kapı tarafından verilmiş ve değiştirilmemiştir."}


def verify(ports: Ports, data, *, client: str) -> dict:
    from ..domain.schemas import ReceiptVerifyIn, parse
    req = parse(ReceiptVerifyIn, data)
    if not req.token and not (req.application_no and req.short_code):
        missing = "application_no" if req.short_code else "short_code" if req.application_no else "token"
        raise AppError("required", "Karekoddaki doğrulama bilgisini ya da başvuru numarasıyla makbuzdaki doğrulama "
                       "kodunu giriniz.", field=missing)
    if req.token:
        try:
            no, office, received_at, digest, signature = R.parse(req.token)
        except R.InvalidToken:
            raise AppError("invalid_token", "Karekoddaki doğrulama bilgisi okunamadı; bağlantıyı eksiksiz açınız ya da "
                           "numarayla doğrulama kodunu yazınız.", field="token") from None
        if office not in catalog().offices or not ports.keys.verify_receipt(
                office, R.payload(no, office, received_at, digest), signature):
            return INVALID
        return _valid(no, office, received_at, digest)
    return _by_code(ports, req.application_no or "", req.short_code or "", client=client, now=ports.clock.now())


def _by_code(ports: Ports, raw_no: str, raw_code: str, *, client: str, now: datetime) -> dict:
    no = numbers.normalise_application_no(raw_no)
    if no is None:
        raise invalid_number()
    code = R.normalise_short_code(raw_code)
    if code is None:
        raise AppError("invalid_short_code", "Doğrulama kodu makbuzdaki gibi 10 karakterdir (XXXXX-XXXXX).",
                       field="short_code")
    (per_number, per_client), retry_after = counters(no, client, now)
    expires = now + timedelta(seconds=retry_after + 60)
    throttled = Throttled("too_many_attempts", "Çok fazla hatalı deneme yapıldı; lütfen bir süre sonra tekrar deneyiniz.",
                          headers={"Retry-After": str(retry_after)})
    if not ports.counters.take(per_number, MAX_FAILURES_PER_NUMBER, expires):
        raise throttled
    if not ports.counters.take(per_client, MAX_FAILURES_PER_CLIENT, expires):
        ports.counters.give_back(per_number)
        raise throttled
    case = ports.cases.get_public(no)
    if case is None or case.office is None:
        return INVALID                             # both slots stay taken: a failure each
    received_at, digest = iso_local(case.received_at) or "", R.subject_digest(case.subject)
    expected = R.short_code(_signed(ports.keys, no, case.office, received_at, digest))
    if not hmac.compare_digest(expected, code):
        return INVALID
    ports.counters.give_back(per_number)
    ports.counters.give_back(per_client)
    return _valid(no, case.office, received_at, digest)


def qr(ports: Ports, raw_token: str) -> dict:
    """The receipt's QR code (its dogrula.html address) as an SVG data URI, for a receipt
    this deployment signed only: never a QR code of anything else."""
    try:
        no, office, received_at, digest, signature = R.parse(raw_token or "")
    except R.InvalidToken:
        raise AppError("invalid_token", "Karekod için geçerli bir makbuz bilgisi gereklidir.", field="r") from None
    if office not in catalog().offices or not ports.keys.verify_receipt(
            office, R.payload(no, office, received_at, digest), signature):
        raise AppError("invalid_token", "Bu makbuz bilgisi doğrulanamadı; karekod üretilmez.", field="r")
    import segno
    url = f"{settings().public_base_url}/dogrula.html#r={raw_token}"
    return {"qr": segno.make(url, error="m").svg_data_uri(scale=3, border=2, dark="#0b0c0c"), "url": url}
