"""The office's CSV export (issue 17): the district queue or a date range, with the
queue's filters, for supervisors. UTF-8 with a BOM so that Excel opens Turkish letters.

No national id, phone or address is ever in it; the name only when the supervisor ticks
it with a reason. The export is audited with its row count. It streams page by page
from the index into a spooled file (never every row in memory); past the API's response
limit the file goes to S3 and the answer is a short-lived link."""
from __future__ import annotations

import csv
import io
import secrets
import tempfile
from dataclasses import replace

from ...domain import numbers, spreadsheet
from ...domain.audit import AuditEntry
from ...domain.calendar import local_date
from ...domain.case import STATUS_NAMES, Status
from ...domain.catalog import catalog
from ...domain.errors import AppError, forbidden
from ..ports import Ports
from .queries import queue_query

MAX_INLINE_BYTES = 5 * 1024 * 1024     # API Gateway answers at most 10 MB; Lambda 6 MB
COLUMNS = ["Başvuru numarası", "Alınma tarihi", "Sonuçlanma tarihi", "Tür", "Konu başlığı", "Durum", "Kurumlar",
           "Geçen gün", "Süresinde", "Sonuç"]
OUTCOMES = {"positive": "Olumlu", "negative": "Olumsuz", "informed": "Bilgi verildi", "not_competent": "Görev dışı"}


def export(ports: Ports, p, params: dict, *, client: str) -> dict:
    if p.role != "supervisor" or not p.district:
        raise forbidden()
    with_names = params.get("names") in ("1", "true")
    reason = (params.get("reason") or "").strip()
    if with_names and len(reason) < 10:
        raise AppError("reason_required", "Adlarla dışa aktarım için en az 10 karakterlik bir gerekçe yazınız.",
                       field="reason", status=422)
    now = ports.clock.now()
    today = local_date(now)
    base = queue_query({k: v for k, v in params.items() if k != "cursor"}, district=p.district, province=None,
                       limit=100, today=today)
    statuses = [base.status] if base.status else [s.value for s in Status]
    cat = catalog()
    out = tempfile.SpooledTemporaryFile(max_size=1024 * 1024, mode="w+b")
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(spreadsheet.row(COLUMNS + (["Ad soyad"] if with_names else [])))
    rows = 0
    for status in statuses:
        cursor = None
        while True:
            page, cursor = ports.cases.queue_page(replace(base, status=status, cursor=cursor))
            names = _names(ports, page) if with_names else {}
            for c in page:
                writer.writerow(spreadsheet.row(_row(c, cat, today)
                                                + ([names.get(c.application_no, "")] if with_names else [])))
                rows += 1
            if not cursor:
                break
    text.flush()
    size = out.tell()
    audit = {"rows": rows, "names": with_names, **({"reason_length": len(reason)} if with_names else {}),
             **{k: v for k, v in params.items() if k in ("status", "type", "category", "institution", "from", "to")}}
    ports.audit.record(AuditEntry(f"EXPORT-{p.district}", p.username, p.role, "export", now, client, audit))
    out.seek(0)
    filename = f"acikkapi-{p.district}-{today.isoformat()}.csv"
    if size <= MAX_INLINE_BYTES:
        return {"inline": out.read(), "filename": filename, "rows": rows}
    key = f"exports/{p.district}/{secrets.token_hex(16)}.csv"
    ports.storage.write(key, out.read(), "text/csv; charset=utf-8")
    return {"download_url": ports.storage.presigned_download(key, filename, "text/csv; charset=utf-8"),
            "rows": rows, "filename": filename}


def _row(c, cat, today) -> list:
    """Every date a person reads is an İstanbul date: a case received at 00:30 on 1 March
    in İstanbul was received on 1 March, though it is 28 February in UTC."""
    received = local_date(c.received_at)
    closed = local_date(c.concluded_at) if c.concluded_at else None
    end = closed or today
    taken = (end - received).days
    on_time = "" if c.legal_due_date is None else ("Evet" if end <= c.legal_due_date else "Hayır")
    return [numbers.format_application_no(c.application_no), received.isoformat(),
            closed.isoformat() if closed else "", cat.types.get(c.type, {}).get("name", c.type),
            cat.subjects[c.category].name if c.category in cat.subjects else c.category,
            STATUS_NAMES.get(c.status, c.status.value), "; ".join(i["name"] for i in c.institutions), taken, on_time,
            OUTCOMES.get(c.outcome or "", "")]


def _names(ports: Ports, page) -> dict:
    """The applicants' names of one page (one BatchGetItem of the full items)."""
    return ports.cases.applicant_names([c.application_no for c in page]) if page else {}
