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
    office.not_processed(p, DESK, no, {"reason_code": "judicial_matter",
                                       "explanation": "Komşular arasındaki uyuşmazlık mahkemenin görevindedir.",
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
    assert row["on_time_share"] == 83.3 and row["survey_average"] == 4.2      # one decimal


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

def test_the_roll_up_publishes_the_month_that_ended_and_the_reads_serve_it(p):
    for _ in range(6):
        concluded(p)
    assert stats.roll_up(p, p.clock.now())["documents_written"] == 0     # January is still running: nothing
    assert stats.read(p, {})["rows"] == []
    p.clock.at = datetime(2026, 2, 14, 1, 0, tzinfo=timezone.utc)
    result = stats.roll_up(p, p.clock.now())
    assert result["months"] == ["2026-01"]
    national = stats.read(p, {})
    assert national["month"] == "2026-01" and national["provisional"] is False
    [total] = [r for r in national["rows"] if r["level"] == "national" and r["type"] == "all"]
    assert total["received"] == 6 and total["concluded"] == 6 and total["on_time_share"] == 100.0
    istanbul = stats.read(p, {"province": "34", "month": "2026-01"})
    [maltepe] = [r for r in istanbul["rows"] if r.get("district") == "34-maltepe" and r["type"] == "sikayet"]
    assert maltepe["received"] == 6 and maltepe["median_days"] == 0
    body = stats.to_csv(istanbul).decode("utf-8")
    assert body.startswith("\ufeffay,düzey,il kodu") and "Maltepe" in body and "Şikâyet" in body


def test_the_month_in_progress_is_never_published_so_nights_cannot_be_differenced(p):
    """Republishing the provisional month every night told each day's applications by
    subtraction: 6 today, 7 tomorrow, so one filed on that day."""
    for _ in range(6):
        concluded(p)
    for night in range(3):
        p.clock.at = datetime(2026, 1, 6 + night, 1, 0, tzinfo=timezone.utc)
        stats.roll_up(p, p.clock.now())
        submitted(p)
    assert stats.read(p, {})["months"] == []
    p.clock.at = datetime(2026, 2, 1, 1, 0, tzinfo=timezone.utc)
    stats.roll_up(p, p.clock.now())
    assert [m["provisional"] for m in stats.read(p, {})["months"]] == [False]


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
    for _ in range(5):
        concluded(p)
    p.clock.at = datetime(2026, 2, 1, 1, 0, tzinfo=timezone.utc)
    first = stats.roll_up(p, p.clock.now())
    assert first["documents_written"] == 1 + 81                  # the country and every province
    assert stats.roll_up(p, p.clock.now())["documents_written"] == 0
    p.clock.at = datetime(2026, 2, 2, 1, 0, tzinfo=timezone.utc)
    assert stats.roll_up(p, p.clock.now())["documents_written"] == 0     # January's cells no longer change
    [row] = [r for r in stats.read(p, {"province": "34"})["rows"] if r.get("district") == "34-maltepe"
             and r["type"] == "all"]
    assert row["received"] == 5


# --- differencing across linked tables (issues 36 and 42) ------------------------------------------

def _determined(doc, catalog_) -> list[tuple[str, str, str]]:
    """The hidden counts of 1 to 4 that the published rows determine exactly: every
    published sum is a linear equation over the hidden cells, solved with exact fractions
    (a hidden cell is determined when its unit vector lies in the equations' row space).
    Independent of the graph argument `suppress` relies on."""
    from fractions import Fraction
    rows = [*doc["national"], *(r for rows in doc["provinces"].values() for r in rows)]
    types = list(catalog_.types)

    def scope(r):
        return r.get("district") or r.get("province") or "TR"
    found = []
    for name in O.COUNTS:
        value = {(scope(r), r["type"]): r[name] for r in rows}
        equations = []
        for sc in {scope(r) for r in rows}:
            equations.append(((sc, O.ALL), [(sc, t) for t in types]))
        for p in catalog_.provinces:
            for t in [O.ALL, *types]:
                equations.append(((p["code"], t), [(d["code"], t) for d in p["districts"]]))
        for t in [O.ALL, *types]:
            equations.append((("TR", t), [(p["code"], t) for p in catalog_.provinces]))
        unknown = sorted(k for k, v in value.items() if v is None)
        col = {k: i for i, k in enumerate(unknown)}
        matrix = []
        for total, parts in equations:
            coeffs = [Fraction(0)] * len(unknown)
            for k, sign in [(total, -1), *((q, 1) for q in parts)]:
                if value.get(k) is None and k in col:
                    coeffs[col[k]] += sign
            if any(coeffs):
                matrix.append(coeffs)

        def rank(m):
            m = [row[:] for row in m]
            r = 0
            for c in range(len(unknown)):
                pivot = next((i for i in range(r, len(m)) if m[i][c] != 0), None)
                if pivot is None:
                    continue
                m[r], m[pivot] = m[pivot], m[r]
                for i in range(len(m)):
                    if i != r and m[i][c] != 0:
                        f = m[i][c] / m[r][c]
                        m[i] = [a - f * b for a, b in zip(m[i], m[r])]
                r += 1
            return r
        base = rank(matrix)
        truth = doc["_truth"][name]
        for k in unknown:
            if not 0 < truth.get(k, 0) < O.MIN_COUNT:
                continue
            unit = [Fraction(1 if i == col[k] else 0) for i in range(len(unknown))]
            if rank(matrix + [unit]) == base:
                found.append((name, *k))
    return found


def _tiny_catalog(provinces: dict[str, list[str]], types=("ihbar", "sikayet", "oneri")):
    from types import SimpleNamespace
    return SimpleNamespace(types={t: {} for t in types},
                           districts={d: d for ds in provinces.values() for d in ds},
                           provinces=[{"code": p, "name": p, "districts": [{"code": d, "name": d} for d in ds]}
                                      for p, ds in provinces.items()])


def _publish_with_truth(cells_, catalog_):
    doc = O.publish("2026-11", cells_, catalog_, provisional=False)
    truth: dict = {n: {} for n in O.COUNTS}
    for district, t, counts in cells_:
        province = next(p["code"] for p in catalog_.provinces if any(d["code"] == district
                                                                       for d in p["districts"]))
        for n in O.COUNTS:
            v = counts.get(n, 0)
            for k in [(district, t), (district, O.ALL), (province, t), (province, O.ALL), ("TR", t), ("TR", O.ALL)]:
                truth[n][k] = truth[n].get(k, 0) + v
    doc["_truth"] = truth
    return doc


def test_the_issue_tables_no_longer_tell_a_small_number():
    """District A 1 ihbar and 20 şikâyet, B 6 and 30, C 0 and 30; three şikâyet in one
    district read from the province and district rows; three öneri read from the national
    and province rows."""
    abc = _tiny_catalog({"P": ["A", "B", "C"]})
    doc = _publish_with_truth([("A", "ihbar", {"received": 1}), ("A", "sikayet", {"received": 20}),
                               ("B", "ihbar", {"received": 6}), ("B", "sikayet", {"received": 30}),
                               ("C", "sikayet", {"received": 30})], abc)
    assert _determined(doc, abc) == []
    kadikoy = _tiny_catalog({"34": ["K", "M", "U"], "06": ["C", "Y"]})
    doc = _publish_with_truth([("K", "sikayet", {"received": 3}), ("K", "ihbar", {"received": 40}),
                               ("M", "sikayet", {"received": 25}), ("U", "sikayet", {"received": 30}),
                               ("C", "oneri", {"received": 3}), ("C", "sikayet", {"received": 50}),
                               ("Y", "sikayet", {"received": 9})], kadikoy)
    assert _determined(doc, kadikoy) == []
    published = {(r.get("district") or r.get("province") or "TR", r["type"]): r["received"]
                 for r in [*doc["national"], *(r for rows in doc["provinces"].values() for r in rows)]}
    assert published[("K", "sikayet")] is None and published[("C", "oneri")] is None


def test_no_hidden_small_count_is_ever_told_by_the_published_tables():
    from hypothesis import given, settings
    from hypothesis import strategies as st
    shape = _tiny_catalog({"P": ["A", "B", "C"], "Q": ["D", "E"]})
    cell = st.tuples(st.sampled_from(["A", "B", "C", "D", "E"]), st.sampled_from(["ihbar", "sikayet", "oneri"]),
                     st.fixed_dictionaries({"received": st.sampled_from([0, 1, 2, 3, 4, 5, 6, 9, 20])}))

    @settings(max_examples=200, deadline=None)
    @given(st.lists(cell, max_size=12, unique_by=lambda c: (c[0], c[1])))
    def check(cells_):
        assert _determined(_publish_with_truth(cells_, shape), shape) == []
    check()
