"""Open statistics: the daily roll-up and GET /v1/stats.

The cells (domain/open_stats.py) are kept in the transactions of the changes that move
them. Once a day the roll-up turns the last month that has ended into published rows,
with small numbers suppressed across every linked table (domain/open_stats.py); the
month in progress is not published. A request reads at most two small items, however many applications
exist.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from datetime import timedelta

from ..domain import open_stats as O
from ..domain import spreadsheet
from ..domain.calendar import local_date
from ..domain.catalog import catalog
from ..domain.errors import AppError, NotFound
from .ports import Ports

FORMATS = ("json", "csv")
LEVEL_NAMES = {"national": "Türkiye", "province": "il", "district": "ilçe"}
CSV_HEADER = ("ay", "düzey", "il kodu", "il", "ilçe kodu", "ilçe", "tür kodu", "tür", "alınan", "sonuçlanan",
              "işleme alınmayan", "sonuçlanma süresi medyanı (gün)", "yasal sürede sonuçlanan (%)",
              "anket ortalaması (1-5)")


def roll_up(ports: Ports, now) -> dict:
    today = local_date(now)
    # Only a month that has ended is published (final): the month in progress, published
    # again every night, would tell each day's applications by difference. After the
    # month ends its cells no longer change, so running again writes nothing new.
    months = [(O.month_of(today.replace(day=1) - timedelta(days=1)), False)]
    index, _ = ports.statistics.published(None, None)
    by_month = {m["month"]: m for m in index}
    cells_read = written = 0
    for month, provisional in months:
        cells = ports.statistics.month_cells(month)
        cells_read += len(cells)
        if not cells and month not in by_month:
            continue
        doc = O.publish(month, cells, catalog(), provisional=provisional)
        by_month[month] = {"month": month, "provisional": provisional, "rolled_at": now.isoformat(),
                           "national": O.clean(doc["national"][0])}
        # only the documents whose rows changed are written again (most provinces are
        # quiet on most days, and the local stack ticks this every minute)
        digests = {scope: _digest(rows, provisional) for scope, rows in
                   [("", doc["national"]), *doc["provinces"].items()]}
        before = ports.statistics.published_digests(month)
        changed = {scope for scope, d in digests.items() if before.get(scope) != d}
        written += len(changed)
        ports.statistics.save_published(month, doc, sorted(by_month.values(), key=lambda m: m["month"]), now,
                                         changed=changed, digests=digests)
    return {"months": [m for m, _ in months], "cells": cells_read, "documents_written": written}


def _digest(rows: list[dict], provisional: bool) -> str:
    return hashlib.sha256(json.dumps([provisional, rows], sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def _month(raw) -> str | None:
    if raw in (None, ""):
        return None
    if not isinstance(raw, str) or not re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", raw):
        raise AppError("invalid_month", "Ay YYYY-AA biçiminde olmalıdır (ör. 2026-11).", field="month")
    return raw


def _province(raw) -> str | None:
    if raw in (None, ""):
        return None
    if not any(p["code"] == raw for p in catalog().provinces):
        raise AppError("invalid_province", "Bu il kodu bulunamadı; iki haneli plaka kodunu giriniz (ör. 34).",
                               field="province")
    return raw


def read(ports: Ports, params: dict) -> dict:
    """The published rows of a month (the latest when none is named): the country and its
    provinces, or with `province` that province and its districts."""
    month, province = _month(params.get("month")), _province(params.get("province"))
    fmt = params.get("format") or "json"
    if fmt not in FORMATS:
        raise AppError("invalid_format", "Biçim json ya da csv olmalıdır.", field="format")
    index, doc = ports.statistics.published(month, province)
    months = [{"month": m["month"], "provisional": m["provisional"]} for m in index]
    if doc is None:
        if month or index:
            raise NotFound("stats_not_found", "Bu ay için yayımlanmış istatistik yok.")
        return {"month": None, "provisional": None, "months": [], "province": province, "rows": [],
                "min_count": O.MIN_COUNT, "format": fmt}
    return {"month": doc["month"], "provisional": doc["provisional"], "months": months, "province": province,
            "rows": [O.clean(r) for r in doc["rows"]], "min_count": O.MIN_COUNT, "format": fmt}


def to_csv(result: dict) -> bytes:
    """UTF-8 with a BOM (Excel opens Turkish letters); a hidden (suppressed) value is empty."""
    types = catalog().types
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(spreadsheet.row(CSV_HEADER))
    for r in result["rows"]:
        t = r["type"]
        w.writerow(spreadsheet.row([result["month"], LEVEL_NAMES[r["level"]], r.get("province", ""),
                                    r.get("province_name", ""),
                    r.get("district", ""), r.get("district_name", ""), t,
                    "Tüm türler" if t == O.ALL else types.get(t, {}).get("name", t),
                    *("" if r[k] is None else r[k] for k in ("received", "concluded", "not_processed", "median_days",
                                                             "on_time_share", "survey_average"))]))
    return ("\ufeff" + out.getvalue()).encode("utf-8")
