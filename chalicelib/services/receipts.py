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
import io
from datetime import datetime
from pathlib import Path

from ..config import settings
from ..domain import numbers
from ..domain import receipts as R
from ..domain.calendar import ISTANBUL, iso_local
from ..domain.catalog import catalog
from ..domain.errors import AppError
from .ports import Ports
from .receipt_codes import signed as _signed
from .receipt_codes import verification
from .tracking import checked_case, give_back, invalid_number, take_slots

INVALID = {"valid": False, "message": "Bu makbuz doğrulanamadı: bilgileri değiştirilmiş, eksik ya da Açık Kapı "
                                      "tarafından verilmemiş olabilir."}


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
    slots = take_slots(ports, no, client, now)
    case = ports.cases.get_public(no)
    if case is None or case.office is None:
        return INVALID                             # both slots stay taken: a failure each
    received_at, digest = iso_local(case.received_at) or "", R.subject_digest(case.subject)
    expected = R.short_code(_signed(ports.keys, no, case.office, received_at, digest))
    if not hmac.compare_digest(expected, code):
        return INVALID
    give_back(ports, slots)
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


FONTS = Path(__file__).resolve().parent.parent / "data" / "fonts"     # DejaVu Sans: every Turkish letter
LAWS = {"4982": "4982 sayılı Kanun: 15 iş günü", "3071": "3071 sayılı Kanun: 30 gün"}


def pdf(ports: Ports, raw_no: str, access_code: str | None, *, client: str, session: str | None = None) -> bytes:
    """The receipt as a PDF to keep, print or share: what the page's receipt shows, the
    access code as the caller proved it (it is never stored in clear), and the QR code and
    short code that verify it. For the number with its access code, or her session."""
    now = ports.clock.now()
    case = checked_case(ports, raw_no, access_code, client=client, now=now, session=session)
    v = verification(ports.keys, case)
    office = catalog().offices.get(case.office or "")
    due = (f"{case.legal_due_date.strftime('%d.%m.%Y').lstrip('0')} ({LAWS.get(case.law, case.law)})"
           if case.legal_due_date else "Yok (teşekkür başvurusu)")
    rows = [("Başvuruyu alan büro", office.name if office else ""),
            ("Başvuru numarası", numbers.format_application_no(case.application_no)),
            ("Erişim kodu", numbers.format_access_code(numbers.normalise_access_code(access_code) or "")
             if access_code else "Oturumla alındı: numaranızla ve kodunuzla ya da Başvurularım'dan izleyiniz"),
            ("Alınma zamanı", case.received_at.astimezone(ISTANBUL).strftime("%d.%m.%Y %H.%M")),
            ("Konu", case.subject),
            ("Yasal cevap tarihi", due),
            ("İzleme adresi", f"{settings().public_base_url}/izle.html#no={numbers.format_application_no(case.application_no)}")]
    import segno              # here, not at import: only a PDF needs them
    from fpdf import FPDF
    doc = FPDF(format="A4")
    doc.set_title(f"Açık Kapı alındı belgesi {rows[1][1]}")
    doc.set_author("Açık Kapı")
    doc.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    doc.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    doc.add_page()
    doc.set_font("DejaVu", "B", 16)
    doc.cell(0, 10, "Açık Kapı · Başvurunuz alındı", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", "", 11)
    for label, value in rows:
        doc.set_font("DejaVu", "B", 11)
        doc.cell(55, 8, label)
        doc.set_font("DejaVu", "", 11)
        doc.multi_cell(0, 8, value, new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)
    doc.set_font("DejaVu", "B", 12)
    doc.cell(0, 8, "Bundan sonra ne olacak?", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", "", 11)
    for line in ("1. Başvuru numaranız cep telefonunuza SMS ile gönderilir.",
                 "2. Başvurunuz incelenir ve konusuyla ilgili kuruma iletilir; her adımda SMS alırsınız.",
                 "3. Başvurunuzu izleme adresinden numaranız ve erişim kodunuzla izleyebilirsiniz."):
        doc.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)
    qr = io.BytesIO()
    segno.make(v["url"], error="m").save(qr, kind="png", scale=4, border=2)
    qr.seek(0)
    top = doc.get_y()
    doc.image(qr, x=doc.l_margin, y=top, w=40, h=40)
    doc.set_xy(doc.l_margin + 45, top + 4)
    doc.set_font("DejaVu", "B", 12)
    doc.cell(0, 8, f"Doğrulama kodu: {v['short_code']}", new_x="LMARGIN", new_y="NEXT")
    doc.set_x(doc.l_margin + 45)
    doc.set_font("DejaVu", "", 10)
    doc.multi_cell(0, 6, "Bu belgeyi herkes karekodu okutarak ya da dogrula.html sayfasında başvuru numarası ve "
                   "doğrulama koduyla denetleyebilir.", new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())
