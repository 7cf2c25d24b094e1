"""CSV written for people to open in a spreadsheet program. A cell that starts with = + -
@, a tab or a carriage return is read as a formula by Excel, LibreOffice and Google Sheets
(CSV injection: `=HYPERLINK("http://…"&A1,"Tıkla")` in a first name would run in the
clerk's program). Every CSV the system writes goes through `row`, which neutralises such a
cell with a leading apostrophe, as OWASP recommends; numbers are written as numbers."""
from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def row(values) -> list:
    return [cell(v) for v in values]
