"""Issue 17: the open statistics. Cells move with the changes (on the fakes, the same
moves the DynamoDB store writes in its transactions); publishing hides small numbers,
and what a hidden number is cannot be worked out from the totals."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from chalicelib.domain import open_stats as O
from chalicelib.domain.catalog import catalog
from chalicelib.domain.errors import AppError
from chalicelib.services import feedback, institution, office, tracking
from chalicelib.services import open_stats as stats
from tests.unit.test_service_rules import DESK, concluded, link_token, routed, submitted


def cells(p, month="2026-01"):
    return {(d, t): c for d, t, c in p.statistics.month_cells(month)}


def test_a_submission_counts_as_received_in_its_month_district_and_type(p):
    submitted(p)
    submitted(p, type="ihbar")
    c = cells(p)
    assert c[("34-maltepe", "sikayet")]["received"] == 1
    assert c[("34-maltepe", "ihbar")]["received"] == 1
    assert p.statistics.month_cells("2026-02") == []


def test_a_conclusion_counts_once_with_its_days_and_whether_it_was_on_time(p):
    no, receipt = concluded(p)
    c = cells(p)[("34-maltepe", "sikayet")]
    assert c["concluded"] == 1 and c["d0"] == 1 and c["owed"] == 1 and c["on_time"] == 1
    assert "not_processed" not in c


def test_a_late_conclusion_is_not_on_time(p):
    no, _ = routed(p)
    institution.answer(p, link_token(p, no), {"text": "Onarıldı.", "outcome": "positive", "responder_name": "Ali Kaya",
                                              "responder_title": "Müdür"}, client="10.0.0.9")
    p.clock.advance(days=45)          # past the 30-day legal period of a petition
    office.conclude(p, DESK, no, {"outcome": "positive", "answer": "Gereği yapıldı; bilginize sunulur.",
                                  "version": p.cases.get(no).version}, client="x")
    month = O.month_of((p.clock.now()).date())
    c = cells(p, month)[("34-maltepe", "sikayet")]
    assert c["concluded"] == 1 and c["owed"] == 1 and "on_time" not in c and c["d45"] == 1


def test_a_case_reopened_by_an_objection_and_concluded_again_counts_once(p):
    no, receipt = concluded(p)
    feedback.object_to_conclusion(p, receipt["application_no"], receipt["access_code"],
                                  {"reason": "Kaldırım hâlâ kırık, hiçbir şey yapılmadı."}, client="c")
    office.conclude(p, DESK, no, {"outcome": "positive", "answer": "Yeniden incelendi; onarım tamamlandı.",
                                  "version": p.cases.get(no).version}, client="x")
    assert cells(p)[("34-maltepe", "sikayet")]["concluded"] == 1


def test_not_processed_is_counted_apart(p):
    no, _ = submitted(p)
    office.not_processed(p, DESK, no, {"reason_code": "private_dispute",
                                       "explanation": "Komşular arasındaki özel hukuk uyuşmazlığıdır.",
                                       "version": p.cases.get(no).version}, client="x")
    c = cells(p)[("34-maltepe", "sikayet")]
    assert c["not_processed"] == 1 and "concluded" not in c and "owed" not in c


def test_a_survey_answer_adds_to_its_month(p):
    no, receipt = concluded(p)
    token = tracking.track(p, receipt["application_no"], receipt["access_code"], client="c")["survey_token"]
    feedback.answer_survey(p, token, {"rating": 4})
    c = cells(p)[("34-maltepe", "sikayet")]
    assert c["survey_n"] == 1 and c["survey_sum"] == 4


# --- publishing ------------------------------------------------------------------------------

def _rows(doc, province, **where):
    return [r for r in doc["provinces"][province] if all(r.get(k) == v for k, v in where.items())]


def test_a_cell_below_five_is_hidden_and_nothing_is_computed_from_it():
    doc = O.publish("2026-11", [("34-maltepe", "sikayet", {"received": 4, "concluded": 3, "d2": 3, "owed": 3,
                                                            "on_time": 3, "survey_n": 3, "survey_sum": 15})],
                    catalog(), provisional=False)
    [row] = _rows(doc, "34", district="34-maltepe", type="sikayet")
    assert row["received"] is None and row["concluded"] is None
    assert row["median_days"] is None and row["on_time_share"] is None and row["survey_average"] is None
    assert "4" not in str({k: v for k, v in row.items() if k not in ("province", "district")})


def test_five_or_more_are_shown_with_median_share_and_average():
    counts = {"received": 7, "concluded": 6, "not_processed": 0, "d1": 1, "d3": 2, "d10": 3, "owed": 6,
              "on_time": 5, "survey_n": 5, "survey_sum": 21}
    doc = O.publish("2026-11", [("34-maltepe", "sikayet", counts)], catalog(), provisional=False)
    [row] = _rows(doc, "34", district="34-maltepe", type="sikayet")
    assert (row["received"], row["concluded"], row["not_processed"]) == (7, 6, 0)
    assert row["median_days"] == 6.5                     # 1, 3, 3, 10, 10, 10
    assert row["on_time_share"] == 83.3 and row["survey_average"] == 4.2


def test_one_hidden_district_cannot_be_worked_out_from_the_province_total():
    cells_ = [("34-maltepe", "sikayet", {"received": 2}), ("34-kadikoy", "sikayet", {"received": 9}),
              ("34-uskudar", "sikayet", {"received": 30})]
    doc = O.publish("2026-11", cells_, catalog(), provisional=False)
    [province] = _rows(doc, "34", level="province", type="sikayet")
    assert province["received"] == 41
    by = {r["district"]: r["received"] for r in _rows(doc, "34", level="district", type="sikayet")}
    assert by["34-maltepe"] is None
    assert by["34-kadikoy"] is None               # the next smallest, hidden too
    assert by["34-uskudar"] == 30


def test_hidden_cells_that_add_up_to_a_small_number_are_protected_too():
    cells_ = [("34-maltepe", "sikayet", {"received": 20}), ("34-maltepe", "talep", {"received": 8}),
              ("34-maltepe", "ihbar", {"received": 1}), ("34-maltepe", "oneri", {"received": 2})]
    doc = O.publish("2026-11", cells_, catalog(), provisional=False)
    rows = {r["type"]: r["received"] for r in _rows(doc, "34", district="34-maltepe")}
    assert rows["all"] == 31 and rows["ihbar"] is None and rows["oneri"] is None
    assert rows["talep"] is None and rows["sikayet"] == 20          # 31 - 20 = 11 across three: safe


def test_one_hidden_type_cannot_be_worked_out_from_the_district_total():
    cells_ = [("34-maltepe", "sikayet", {"received": 20}), ("34-maltepe", "talep", {"received": 6}),
              ("34-maltepe", "ihbar", {"received": 1})]
    doc = O.publish("2026-11", cells_, catalog(), provisional=False)
    rows = {r["type"]: r["received"] for r in _rows(doc, "34", district="34-maltepe")}
    assert rows["all"] == 27 and rows["ihbar"] is None and rows["talep"] is None and rows["sikayet"] == 20


@pytest.mark.parametrize("days,expected", [({}, None), ({5: 1}, 5), ({1: 1, 9: 1}, 5), ({2: 3, 40: 1}, 2)])
def test_the_median_of_a_histogram(days, expected):
    assert O.median_days(days) == expected


# --- the roll-up and the reads -----------------------------------------------------------------

def test_the_roll_up_publishes_the_month_so_far_and_the_reads_serve_it(p):
    for _ in range(6):
        concluded(p)
    result = stats.roll_up(p, p.clock.now())
    assert result["months"] == ["2026-01"]
    national = stats.read(p, {})
    assert national["month"] == "2026-01" and national["provisional"] is True
    [total] = [r for r in national["rows"] if r["level"] == "national" and r["type"] == "all"]
    assert total["received"] == 6 and total["concluded"] == 6 and total["on_time_share"] == 100.0
    istanbul = stats.read(p, {"province": "34", "month": "2026-01"})
    [maltepe] = [r for r in istanbul["rows"] if r.get("district") == "34-maltepe" and r["type"] == "sikayet"]
    assert maltepe["received"] == 6 and maltepe["median_days"] == 0
    body = stats.to_csv(istanbul).decode("utf-8")
    assert body.startswith("\ufeffay,düzey,il kodu") and "Maltepe" in body and "Şikâyet" in body


def test_the_previous_month_is_published_final_on_the_first_days(p):
    concluded(p)
    p.clock.at = datetime(2026, 2, 2, 1, 0, tzinfo=timezone.utc)
    assert stats.roll_up(p, p.clock.now())["months"] == ["2026-02", "2026-01"]
    months = stats.read(p, {"month": "2026-01"})["months"]
    assert {"month": "2026-01", "provisional": False} in months


@pytest.mark.parametrize("params,field", [({"month": "2026-13"}, "month"), ({"month": "ocak"}, "month"),
                                          ({"province": "99"}, "province"), ({"format": "xml"}, "format")])
def test_bad_parameters_name_the_field(p, params, field):
    with pytest.raises(AppError) as exc:
        stats.read(p, params)
    assert exc.value.status == 400 and exc.value.field == field


def test_an_unpublished_month_is_404_and_nothing_published_is_an_empty_answer(p):
    assert stats.read(p, {})["rows"] == []
    concluded(p)
    stats.roll_up(p, p.clock.now())
    with pytest.raises(AppError) as exc:
        stats.read(p, {"month": "2025-06"})
    assert exc.value.status == 404


def test_a_roll_up_writes_again_only_the_documents_that_changed(p):
    concluded(p)
    first = stats.roll_up(p, p.clock.now())
    assert first["documents_written"] == 1 + 81                  # the country and every province
    assert stats.roll_up(p, p.clock.now())["documents_written"] == 0
    submitted(p)                                                  # 2 in Maltepe: still hidden,
    assert stats.roll_up(p, p.clock.now())["documents_written"] == 0      # so nothing published changed
    for _ in range(3):
        submitted(p)                                              # 5: shown
    assert stats.roll_up(p, p.clock.now())["documents_written"] == 2      # the country and İstanbul
    [row] = [r for r in stats.read(p, {"province": "34"})["rows"] if r.get("district") == "34-maltepe"
             and r["type"] == "all"]
    assert row["received"] == 5
