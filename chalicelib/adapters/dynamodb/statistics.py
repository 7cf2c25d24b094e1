"""The `Statistics` port on DynamoDB: the district counters the dashboard reads, the
open-statistics cells and published documents, and the survey answers.

A count and the change it counts are one transaction: the case adapter adds
`counter_updates` to every case transaction (cases.py), so that a dashboard never
disagrees with the cases behind it. The counters themselves are defined by the pure
rules of domain/stats.py and domain/open_stats.py.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from pynamodb.exceptions import TransactWriteError, UpdateError

from ...domain import open_stats as O
from ...domain import stats as S
from ...domain.case import OPEN_STATUSES, Status
from . import itemkeys as K
from . import mapping as M
from .base import code, conditional_put, message, reasons, run_transaction
from .models import CaseItem, MonthCellItem, PublishedStatsItem, StatsItem, SurveyItem

if TYPE_CHECKING:
    from ...domain.surveys import SurveyAnswer


def counter_updates(tx, cases) -> None:
    """The handling office's counters (its dashboard) and the place's open-statistics cells
    these saved cases move, one update per item (a transaction may touch an item once),
    added to the case's transaction."""
    by_district: dict[str, dict[tuple[str, str], int]] = {}
    for case in cases:
        for counter, key, delta in S.moves(case.stored_status, case):
            moved = by_district.setdefault(case.office, {})
            moved[(counter, key)] = moved.get((counter, key), 0) + delta
    for district, moved in by_district.items():
        actions = []
        for (counter, key), delta in moved.items():
            if delta:
                path = getattr(StatsItem, counter)[key]
                actions.append(path.set((path | 0) + delta))
        written = {(c, k) for c, k in moved}
        for week in S.stale_weeks([(c, k, d) for (c, k), d in moved.items()]):
            for counter in ("intake", "concluded", "on_time"):
                if (counter, week) not in written:
                    actions.append(getattr(StatsItem, counter)[week].remove())
        if actions:
            tx.update(StatsItem(*K.stats_key(district)), actions=actions)
    month_cell_updates(tx, [m for case in cases for m in O.month_moves(case.stored_status, case)])


def month_cell_updates(tx, moved) -> None:
    """The open-statistics cells these moves touch, one update per cell (DynamoDB's ADD
    creates a missing cell and attribute)."""
    cells: dict[tuple[str, str, str], dict[str, int]] = {}
    for cell, name, delta in moved:
        counts = cells.setdefault(cell, {})
        counts[name] = counts.get(name, 0) + delta
    for cell, counts in cells.items():
        actions = [getattr(MonthCellItem, name).add(delta) for name, delta in counts.items() if delta]
        if actions:
            tx.update(MonthCellItem(*K.month_cell_key(*cell)), actions=actions)


def missing_counters(exc: TransactWriteError) -> bool:
    """The transaction failed because a district's counters item does not exist yet:
    DynamoDB cancels with ValidationError for the map path; moto answers the whole
    request with a ValidationException about the document path."""
    return "ValidationError" in reasons(exc) or (
        code(exc) == "ValidationException" and "document path" in (message(exc) or ""))


def ensure_district(district: str) -> None:
    """The district's counters item, with its empty maps, if it is not there yet."""
    conditional_put(StatsItem(*K.stats_key(district), status={}, intake={}, concluded={}, on_time={}),
                    StatsItem.pk.does_not_exist())


class DynamoStatistics:
    def district(self, district: str) -> S.DistrictStats:
        """One GetItem, however long the district's history."""
        try:
            item = StatsItem.get(*K.stats_key(district))
        except StatsItem.DoesNotExist:
            return S.DistrictStats()
        return S.DistrictStats(*({k: int(v) for k, v in (M.plain(getattr(item, m)) or {}).items()}
                                 for m in ("status", "intake", "concluded", "on_time")))

    def districts(self, codes: list[str]) -> dict[str, S.DistrictStats]:
        keys = {K.stats_key(code): code for code in codes}
        out: dict[str, S.DistrictStats] = {}
        ordered = list(keys)
        for start in range(0, len(ordered), 100):
            for item in StatsItem.batch_get(ordered[start:start + 100]):
                out[keys[(item.pk, item.sk)]] = S.DistrictStats(
                    *({k: int(v) for k, v in (M.plain(getattr(item, m)) or {}).items()}
                      for m in ("status", "intake", "concluded", "on_time")))
        return out

    def rebuild_district(self, district: str, today: date) -> S.DistrictStats:
        """Counts again from the cases themselves (the open cases from open_by_district,
        the closed from by_district_status, one Query per closed status) and replaces the
        counters: for an operator, if they were ever in doubt. A case concluded twice
        counts once here."""
        rebuilt = S.DistrictStats()
        first = date.fromisoformat(S.monday(today)) - timedelta(weeks=S.WEEKS_KEPT - 1)
        reads = [CaseItem.open_by_district.query(K.district_index_pk(district))]      # every open case
        reads += [CaseItem.by_district_status.query(K.district_status_pk(district, s.value))
                  for s in Status if s.value not in OPEN_STATUSES]                   # the closed, by status
        for read in reads:
            for item in read:
                case = M.queue_case_from_item(item)
                rebuilt.status[item.status] = rebuilt.status.get(item.status, 0) + 1
                received = date.fromisoformat(item.received_at[:10])
                if received >= first:
                    week = S.monday(received)
                    rebuilt.intake[week] = rebuilt.intake.get(week, 0) + 1
                for counter, key, delta in S.moves(Status.IN_REVIEW, case):
                    if counter != "status" and date.fromisoformat(key) >= first:
                        getattr(rebuilt, counter)[key] = getattr(rebuilt, counter).get(key, 0) + delta
        StatsItem(*K.stats_key(district), status=rebuilt.status, intake=rebuilt.intake, concluded=rebuilt.concluded,
                  on_time=rebuilt.on_time).save()
        return rebuilt

    def month_cells(self, month: str) -> list[tuple[str, str, dict]]:
        """Every (district, type, counts) cell of a month: one paginated Query of the month's
        partition (at most 973 districts x 6 types), for the daily roll-up."""
        out = []
        for item in MonthCellItem.query(K.month_cells_pk(month)):
            district, _, case_type = item.sk.rpartition("#")
            out.append((district, case_type, {name: int(getattr(item, name)) for name in O.FIELDS
                                              if getattr(item, name) is not None}))
        return out

    def save_published(self, month: str, document: dict, index: list[dict], at: datetime, *,
                       changed: set[str], digests: dict[str, str]) -> None:
        """The roll-up's output: the national rows ("" in `changed`), each changed province's
        rows, the list of published months and the documents' digests, as separate items
        (each well under DynamoDB's 400 KB)."""
        stamp = at.isoformat()

        def dump(body) -> str:
            return json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        with PublishedStatsItem.batch_write() as batch:
            for scope in sorted(changed):
                rows = document["national"] if scope == "" else document["provinces"][scope]
                batch.save(PublishedStatsItem(*K.published_stats_key(month, scope or None), rolled_at=stamp,
                                              body=dump({"month": month, "provisional": document["provisional"],
                                                         "rows": rows})))
            batch.save(PublishedStatsItem(*K.published_digests_key(month), rolled_at=stamp, body=dump(digests)))
            batch.save(PublishedStatsItem(*K.PUBLISHED_INDEX_KEY, rolled_at=stamp, body=dump(index)))

    def published_digests(self, month: str) -> dict[str, str]:
        try:
            return json.loads(PublishedStatsItem.get(*K.published_digests_key(month)).body)
        except PublishedStatsItem.DoesNotExist:
            return {}

    def published(self, month: str | None, province: str | None) -> tuple[list[dict], dict | None]:
        """The list of published months and one published document (the country's, or a
        province's): one BatchGetItem of two items when the month is named, else the index
        first (the latest month), then the document."""
        if month:
            keys = [K.PUBLISHED_INDEX_KEY, K.published_stats_key(month, province)]
            found = {(i.pk, i.sk): i for i in PublishedStatsItem.batch_get(keys)}
            index = found.get(K.PUBLISHED_INDEX_KEY)
            doc = found.get(K.published_stats_key(month, province))
            return (json.loads(index.body) if index else []), (json.loads(doc.body) if doc else None)
        try:
            listed = json.loads(PublishedStatsItem.get(*K.PUBLISHED_INDEX_KEY).body)
        except PublishedStatsItem.DoesNotExist:
            return [], None
        if not listed:
            return listed, None
        try:
            latest = PublishedStatsItem.get(*K.published_stats_key(listed[-1]["month"], province))
        except PublishedStatsItem.DoesNotExist:
            return listed, None
        return listed, json.loads(latest.body)

    # --- surveys -------------------------------------------------------------------

    def add_survey(self, answer: SurveyAnswer) -> bool:
        """The answer, once, and its open-statistics cell in the same transaction."""
        moved = O.survey_moves(answer.district, answer.type, date.fromisoformat(answer.answered_on), answer.rating) \
            if answer.type else []

        def build(tx):
            tx.save(M.survey_to_item(answer), condition=SurveyItem.pk.does_not_exist())
            month_cell_updates(tx, moved)
        try:
            run_transaction(build)      # run again after a conflict on the shared cell
            return True
        except TransactWriteError as exc:
            if "ConditionalCheckFailed" in reasons(exc):
                return False
            raise

    def survey_answered(self, no: str) -> bool:
        try:
            SurveyItem.get(*K.survey_key(no))
            return True
        except SurveyItem.DoesNotExist:
            return False

    def erase_survey_comment(self, no: str) -> bool:
        """Removes the free-text comment of a survey answer; True if there was one."""
        try:
            SurveyItem(*K.survey_key(no)).update(actions=[SurveyItem.comment.remove()],
                                                condition=SurveyItem.comment.exists())
            return True
        except UpdateError as exc:
            if code(exc) == "ConditionalCheckFailedException":
                return False
            raise
