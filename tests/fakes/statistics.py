"""The `Statistics` fake: district counters and open-statistics cells as dicts, moved by
the cases fake in the same step as each change (as the DynamoDB transaction does)."""
from __future__ import annotations

import copy
import dataclasses
from datetime import date

from chalicelib.domain import open_stats as O
from chalicelib.domain import stats as S


class FakeStatistics:
    def __init__(self):
        self.stats: dict[str, S.DistrictStats] = {}
        self.month_cells_: dict[tuple[str, str, str], dict[str, int]] = {}
        self.documents: dict[tuple[str, str | None], dict] = {}
        self.published_index: list[dict] = []
        self.published_digests_: dict[str, dict] = {}
        self.surveys: dict[str, object] = {}
        self.cases_of = lambda district: []    # fake_ports() lends the cases fake's

    # what a case's save moves (called by FakeCases)
    def move(self, previous_status, case) -> None:
        stats = self.stats.setdefault(case.office, S.DistrictStats())
        moved = S.moves(previous_status, case)
        for counter, key, delta in moved:
            table = getattr(stats, counter)
            table[key] = table.get(key, 0) + delta
        for week in S.stale_weeks(moved):
            for counter in ("intake", "concluded", "on_time"):
                if not any(c == counter and k == week for c, k, _ in moved):
                    getattr(stats, counter).pop(week, None)
        self.move_cells(O.month_moves(previous_status, case))

    def move_cells(self, moved) -> None:
        for cell, name, delta in moved:
            counts = self.month_cells_.setdefault(cell, {})
            counts[name] = counts.get(name, 0) + delta

    # the port
    def district(self, district):
        return copy.deepcopy(self.stats.get(district, S.DistrictStats()))

    def districts(self, codes):
        return {c: copy.deepcopy(self.stats[c]) for c in codes if c in self.stats}

    def rebuild_district(self, district, today):
        """Counted again from the cases (the cases fake lends them: `cases_of`)."""
        from datetime import timedelta

        from chalicelib.domain.case import Status
        rebuilt = S.DistrictStats()
        first = date.fromisoformat(S.monday(today)) - timedelta(weeks=S.WEEKS_KEPT - 1)
        for case in self.cases_of(district):
            rebuilt.status[case.status.value] = rebuilt.status.get(case.status.value, 0) + 1
            if case.receipt_date >= first:
                week = S.monday(case.receipt_date)
                rebuilt.intake[week] = rebuilt.intake.get(week, 0) + 1
            for counter, key, delta in S.moves(Status.IN_REVIEW, case):
                if counter != "status" and date.fromisoformat(key) >= first:
                    getattr(rebuilt, counter)[key] = getattr(rebuilt, counter).get(key, 0) + delta
        self.stats[district] = copy.deepcopy(rebuilt)
        return rebuilt

    def month_cells(self, month):
        return [(d, t, dict(c)) for (m, d, t), c in sorted(self.month_cells_.items()) if m == month]

    def save_published(self, month, document, index, at, *, changed, digests):
        for scope in changed:
            rows = document["national"] if scope == "" else document["provinces"][scope]
            self.documents[(month, scope or None)] = {"month": month, "provisional": document["provisional"],
                                                      "rows": copy.deepcopy(rows)}
        self.published_digests_[month] = dict(digests)
        self.published_index = copy.deepcopy(index)

    def published_digests(self, month):
        return dict(self.published_digests_.get(month, {}))

    def published(self, month, province):
        index = copy.deepcopy(self.published_index)
        if month is None:
            month = index[-1]["month"] if index else None
        return index, copy.deepcopy(self.documents.get((month, province)))

    def add_survey(self, answer):
        if answer.application_no in self.surveys:
            return False
        self.surveys[answer.application_no] = answer
        if answer.type:
            self.move_cells(O.survey_moves(answer.district, answer.type, date.fromisoformat(answer.answered_on),
                                           answer.rating))
        return True

    def survey_answered(self, no):
        return no in self.surveys

    def erase_survey_comment(self, no):
        s = self.surveys.get(no)
        if s is None or not s.comment:
            return False
        self.surveys[no] = dataclasses.replace(s, comment=None)
        return True
