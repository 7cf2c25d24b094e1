"""The DynamoDB store: the one implementation of the `CaseStore` port.

Every method takes and returns domain objects; items, keys and indexes stay in this
package (itemkeys.py, mapping.py, dynamo.py). Each request's writes are one
TransactWriteItems: that is the unit of work.
"""
from __future__ import annotations

import base64
import json
from datetime import date, datetime, timedelta, timezone

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactGet, TransactWrite

from ..domain import open_stats as O
from ..domain import stats as S
from ..domain import watch
from ..domain.case import Status
from ..domain.records import Counter, IdempotencyRecord, PendingRoute, SurveyAnswer
from ..services.ports import (DuplicateApplicationNo, IdempotencyKeyTaken, InvalidCursor, QueueQuery, StaleCase,
                              TransientConflict)
from . import itemkeys as K
from . import mapping as M
from .dynamo import (dynamodb_client, transaction_connection, AssignmentItem, MonthCellItem, PublishedStatsItem, AuditItem, CaseItem, CounterItem, DestructionLogItem, DistrictRefItem,
                     IdempotencyItem, OtpItem, PartnerItem, RegistryItem, RouteMarker, StaffItem, StatsItem,
                     SubjectRequestItem, SurveyItem)

OPEN_STATUSES = ("received", "in_review", "forwarded", "awaiting_applicant", "institution_answered",
                 "under_evaluation")


def _code(exc) -> str | None:
    """The DynamoDB error code behind a pynamodb error; None when there was no answer
    at all (a time-out or a refused connection: pynamodb's property then fails)."""
    try:
        return exc.cause_response_code
    except (AttributeError, KeyError, TypeError):
        return None


def _message(exc) -> str | None:
    try:
        return exc.cause_response_message
    except (AttributeError, KeyError, TypeError):
        return None


def _reasons(exc: TransactWriteError) -> list[str | None]:
    return [getattr(r, "code", None) if r else None for r in (exc.cancellation_reasons or [])]


def _raise_for(exc: TransactWriteError):
    """The one translation of a cancelled transaction into the port's errors."""
    reasons = _reasons(exc)
    if "ConditionalCheckFailed" in reasons:
        raise StaleCase() from None
    if "TransactionConflict" in reasons or _code(exc) == "TransactionInProgressException":
        raise TransientConflict() from None
    raise exc


def _stats_updates(tx, cases) -> None:
    """The district counters these saved cases move (domain/stats.py), one update per
    district (a transaction may touch an item once), in the transaction of the change."""
    by_district: dict[str, dict[tuple[str, str], int]] = {}
    for case in cases:
        for counter, key, delta in S.moves(case.stored_status, case):
            moved = by_district.setdefault(case.district, {})
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
    _month_cell_updates(tx, [m for case in cases for m in O.month_moves(case.stored_status, case)])


def _month_cell_updates(tx, moved) -> None:
    """The open-statistics cells (domain/open_stats.py) these moves touch, one update per
    cell, in the same transaction."""
    cells: dict[tuple[str, str, str], dict[str, int]] = {}
    for cell, name, delta in moved:
        counts = cells.setdefault(cell, {})
        counts[name] = counts.get(name, 0) + delta
    for cell, counts in cells.items():
        actions = [getattr(MonthCellItem, name).add(delta) for name, delta in counts.items() if delta]
        if actions:
            tx.update(MonthCellItem(*K.month_cell_key(*cell)), actions=actions)


def _transact(store, build, cases) -> None:
    """Runs `build(tx)` as one transaction. A cancelled transaction wrote nothing, so it is
    run again: after a TransactionConflict (two writers on a district's counters at once),
    and once after creating a district's counters item if it did not exist yet."""
    healed = False
    for attempt in range(4):
        try:
            with TransactWrite(connection=transaction_connection()) as tx:
                build(tx)
                _stats_updates(tx, cases)
            return
        except TransactWriteError as exc:
            reasons = _reasons(exc)
            # DynamoDB cancels with ValidationError for the counters' missing item; moto
            # answers the whole request with a ValidationException about the path
            missing_counters = "ValidationError" in reasons or (
                _code(exc) == "ValidationException" and "document path" in (_message(exc) or ""))
            if missing_counters and not healed and cases:
                for district in {c.district for c in cases}:
                    store.ensure_stats(district)
                healed = True
                continue
            if attempt < 3 and ("TransactionConflict" in reasons or _code(exc) == "TransactionInProgressException") \
                    and "ConditionalCheckFailed" not in reasons:
                import random
                import time
                time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
                continue
            raise


def _stored(*objects) -> None:
    for o in objects:
        o.stored_status = o.status


def conditional_put(item, condition=None) -> bool:
    """PutItem with a condition (and the item's version check, if it has one); False when
    either failed."""
    try:
        item.save(condition=condition)
        return True
    except PutError as exc:
        if _code(exc) == "ConditionalCheckFailedException":
            return False
        raise


class DynamoStore:
    def __init__(self, keys):
        self.keys = keys

    def _case(self, item, *, with_personal_data: bool = True):
        return M.case_from_item(item, self.keys, with_personal_data=with_personal_data)

    # --- submissions and tracking ---------------------------------------------------

    def add_submission(self, case, idempotency: IdempotencyRecord | None, partner_use=None) -> None:
        item = M.case_to_item(case, self.keys)
        case.stored_status = None
        slots = {}

        def build(tx):
            tx.save(item, condition=CaseItem.pk.does_not_exist())
            if idempotency is not None:   # a spent record is overwritten (IdempotencyRecord.in_force)
                tx.save(M.idempotency_to_item(idempotency),
                        condition=IdempotencyItem.pk.does_not_exist()
                        | (IdempotencyItem.expires_at < (case.recorded_at or case.received_at)))
            if partner_use is not None:   # the key's check and count, in the same transaction
                u = partner_use
                slots["partner"] = 2 if idempotency is not None else 1
                tx.update(PartnerItem(*K.partner_key(u.key_hash)),
                          actions=[PartnerItem.uses.add(1), PartnerItem.last_used_at.set(u.at.isoformat())],
                          condition=PartnerItem.sk.exists() & PartnerItem.revoked_at.does_not_exist())
                from ..domain.partners import RATE_WINDOW_SECONDS
                tx.update(CounterItem(*K.counter_key(Counter("o311-file", u.partner_id, u.window))),
                          actions=[CounterItem.count.add(1),
                                   CounterItem.expires_at.set(u.at + timedelta(seconds=2 * RATE_WINDOW_SECONDS))],
                          condition=CounterItem.count.does_not_exist() | (CounterItem.count < u.limit))
        try:
            _transact(self, build, [case])
        except TransactWriteError as exc:
            reasons = _reasons(exc)
            if "partner" in slots and len(reasons) > slots["partner"] + 1:
                from ..services.ports import PartnerRefused
                if reasons[slots["partner"]] == "ConditionalCheckFailed":
                    raise PartnerRefused("revoked") from None
                if reasons[slots["partner"] + 1] == "ConditionalCheckFailed":
                    raise PartnerRefused("limited") from None
            if idempotency is not None and len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
                raise IdempotencyKeyTaken() from None
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise DuplicateApplicationNo() from None
            _raise_for(exc)
        case.version = item.version
        _stored(case)

    def get_idempotency(self, key: str) -> IdempotencyRecord | None:
        try:
            return M.idempotency_from_item(IdempotencyItem.get(*K.idempotency_key(key), consistent_read=True), key)
        except IdempotencyItem.DoesNotExist:
            return None

    def ready(self) -> None:
        try:
            RegistryItem.get(*K.REGISTRY_KEY)
        except RegistryItem.DoesNotExist:
            pass

    def get_public_and_count(self, no: str, counter: Counter):
        """The case (no personal data) and one counter in a single BatchGetItem: no
        transaction, so a counter that many clients update at once never conflicts."""
        keys = [dict(zip(("pk", "sk"), ({"S": k} for k in key))) for key in (K.case_key(no), K.counter_key(counter))]
        request = {CaseItem.Meta.table_name: {"Keys": keys, "ConsistentRead": True}}
        found: list = []
        for _ in range(3):
            resp = dynamodb_client().batch_get_item(RequestItems=request)
            found += resp.get("Responses", {}).get(CaseItem.Meta.table_name, [])
            request = resp.get("UnprocessedKeys") or {}
            if not request:
                break
        case, count = None, 0
        for raw in found:
            if raw["pk"]["S"].startswith("CASE#"):
                case = self._case(CaseItem.from_raw_data(raw), with_personal_data=False)
            else:
                count = int(CounterItem.from_raw_data(raw).count or 0)
        return case, count

    def increment_counter(self, counter: Counter, expires_at: datetime) -> None:
        CounterItem(*K.counter_key(counter)).update(actions=[CounterItem.count.add(1),
                                                             CounterItem.expires_at.set(expires_at)])

    def take_attempt(self, counter: Counter, limit: int, expires_at: datetime) -> bool:
        """Check and count in one conditional write: the counter goes up by one if it is
        below `limit`; otherwise nothing is counted and the answer is False."""
        try:
            CounterItem(*K.counter_key(counter)).update(
                actions=[CounterItem.count.add(1), CounterItem.expires_at.set(expires_at)],
                condition=CounterItem.count.does_not_exist() | (CounterItem.count < limit))
            return True
        except UpdateError as exc:
            if _code(exc) == "ConditionalCheckFailedException":
                return False
            raise

    def give_back_attempt(self, counter: Counter) -> None:
        try:
            CounterItem(*K.counter_key(counter)).update(actions=[CounterItem.count.add(-1)],
                                                        condition=CounterItem.count > 0)
        except UpdateError as exc:
            if _code(exc) != "ConditionalCheckFailedException":
                raise

    def claim_within_limit(self, counter: Counter, member: str, limit: int, expires_at: datetime) -> bool:
        """`member` joins the counter's set if fewer than `limit` have; True also when it
        already had (a redelivery counts once)."""
        try:
            CounterItem(*K.counter_key(counter)).update(
                actions=[CounterItem.count.add(1), CounterItem.members.add({member}),
                         CounterItem.expires_at.set(expires_at)],
                condition=(CounterItem.count.does_not_exist() | (CounterItem.count < limit))
                & ~CounterItem.members.contains(member))
            return True
        except UpdateError as exc:
            if _code(exc) != "ConditionalCheckFailedException":
                raise
        try:
            return member in (CounterItem.get(*K.counter_key(counter), consistent_read=True).members or set())
        except CounterItem.DoesNotExist:
            return False

    # --- cases and assignments -----------------------------------------------------

    def get(self, no: str):
        try:
            return self._case(CaseItem.get(*K.case_key(no), consistent_read=True))
        except CaseItem.DoesNotExist:
            return None

    def load_with_assignments(self, no: str, *, with_personal_data: bool = True):
        """The case and all its assignments in one Query."""
        case, assignments = None, []
        for raw in CaseItem._get_connection().query(K.case_pk(no), consistent_read=True)["Items"]:
            sk = raw["sk"]["S"]
            if sk == K.CASE_SK:
                case = self._case(CaseItem.from_raw_data(raw), with_personal_data=with_personal_data)
            elif sk.startswith(K.ASSIGN_PREFIX):
                assignments.append(M.assignment_from_item(AssignmentItem.from_raw_data(raw)))
        return case, assignments

    def load_for_routing(self, no: str, district: str):
        """The case and its district's settings in one TransactGetItems call."""
        with TransactGet(connection=transaction_connection()) as tg:
            case_f = tg.get(CaseItem, *K.case_key(no))
            district_f = tg.get(DistrictRefItem, *K.district_key(district))
        try:
            case = self._case(case_f.get())
        except CaseItem.DoesNotExist:
            case = None
        try:
            settings = M.district_from_item(district_f.get())
        except DistrictRefItem.DoesNotExist:
            settings = None
        return case, settings

    def assignments(self, no: str) -> list:
        return [M.assignment_from_item(i) for i in
                AssignmentItem.query(K.case_pk(no), AssignmentItem.sk.startswith(K.ASSIGN_PREFIX),
                                     consistent_read=True)]

    def commit(self, case, assignments: list, *, audit=None, new_assignments: list | None = None,
               others: list | None = None) -> None:
        case_item = M.case_to_item(case, self.keys)
        other_items = [M.case_to_item(o, self.keys) for o in others or []]
        a_items = [M.assignment_to_item(a, case.district) for a in assignments]
        audit_item = M.audit_to_item(audit) if audit is not None else None

        def build(tx):
            tx.save(case_item)
            for o_item in other_items:
                tx.save(o_item)
            for a_item in a_items:
                tx.save(a_item)
            for a in new_assignments or []:
                tx.save(M.assignment_to_item(a, case.district), condition=AssignmentItem.pk.does_not_exist())
            if audit_item is not None:
                tx.save(audit_item, condition=AuditItem.pk.does_not_exist())
        try:
            _transact(self, build, [case, *(others or [])])
        except TransactWriteError as exc:
            _raise_for(exc)
        case.version = case_item.version
        for o, o_item in zip(others or [], other_items):
            o.version = o_item.version
        for a, a_item in zip(assignments, a_items):
            a.version = a_item.version
        for a in new_assignments or []:
            a.version = 1
        _stored(case, *(others or []))

    def commit_forward(self, case, assignments: list, *, changed: list = ()) -> None:
        item = M.case_to_item(case, self.keys)
        changed_items = [M.assignment_to_item(a, case.district) for a in changed]

        def build(tx):
            tx.save(item)
            for a in assignments:
                tx.save(M.assignment_to_item(a, case.district), condition=AssignmentItem.pk.does_not_exist())
            for a_item in changed_items:
                tx.save(a_item)
        try:
            _transact(self, build, [case])
        except TransactWriteError as exc:
            _raise_for(exc)
        case.version = item.version
        for a in assignments:
            a.version = 1
        for a, a_item in zip(changed, changed_items):
            a.version = a_item.version
        _stored(case)

    def save_case(self, case) -> None:
        item = M.case_to_item(case, self.keys)

        def build(tx):
            tx.save(item)
        try:
            _transact(self, build, [case])
        except TransactWriteError as exc:
            _raise_for(exc)
        case.version = item.version
        _stored(case)

    def try_save_case(self, case) -> bool:
        try:
            self.save_case(case)
            return True
        except (StaleCase, TransientConflict):
            return False

    def save_assignment(self, assignment, district: str) -> bool:
        item = M.assignment_to_item(assignment, district)
        if not conditional_put(item):
            return False
        assignment.version = item.version
        return True

    # --- districts -----------------------------------------------------------------

    def district(self, code: str):
        try:
            return M.district_from_item(DistrictRefItem.get(*K.district_key(code)))
        except DistrictRefItem.DoesNotExist:
            return None

    def save_district(self, settings) -> None:
        item = M.district_to_item(settings)
        if not conditional_put(item):
            raise StaleCase()
        settings.version = item.version

    def staff(self, username: str):
        try:
            return M.staff_from_item(StaffItem.get(*K.staff_key(username), consistent_read=True))
        except StaffItem.DoesNotExist:
            return None

    def save_staff(self, member) -> None:
        item = M.staff_to_item(member)
        if not conditional_put(item):
            raise StaleCase()
        member.version = item.version

    def register_district(self, code: str) -> None:
        RegistryItem(*K.REGISTRY_KEY).update(actions=[RegistryItem.districts.add({code})])
        self.ensure_stats(code)

    def ensure_stats(self, district: str) -> None:
        """The district's counters item, with its empty maps, if it is not there yet."""
        conditional_put(StatsItem(*K.stats_key(district), status={}, intake={}, concluded={}, on_time={}),
                        StatsItem.pk.does_not_exist())

    def month_cells(self, month: str) -> list[tuple[str, str, dict]]:
        """Every (district, type, counts) cell of a month: one paginated Query of the month's
        partition (at most 973 districts x 6 types), for the daily roll-up."""
        out = []
        for item in MonthCellItem.query(K.month_cells_pk(month)):
            district, _, case_type = item.sk.rpartition("#")
            out.append((district, case_type, {name: int(getattr(item, name)) for name in O.FIELDS
                                              if getattr(item, name) is not None}))
        return out

    def save_published_stats(self, month: str, document: dict, index: list[dict], at: datetime, *,
                             changed: set[str], digests: dict[str, str]) -> None:
        """The roll-up's output: the national rows ("" in `changed`), each changed province's
        rows, the list of published months and the documents' digests, as separate items
        (each well under DynamoDB's 400 KB)."""
        stamp = at.isoformat()
        dump = lambda body: json.dumps(body, ensure_ascii=False, separators=(",", ":"))  # noqa: E731
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

    def published_stats(self, month: str | None, province: str | None) -> tuple[list[dict], dict | None]:
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
            index = json.loads(PublishedStatsItem.get(*K.PUBLISHED_INDEX_KEY).body)
        except PublishedStatsItem.DoesNotExist:
            return [], None
        if not index:
            return index, None
        try:
            doc = PublishedStatsItem.get(*K.published_stats_key(index[-1]["month"], province))
        except PublishedStatsItem.DoesNotExist:
            return index, None
        return index, json.loads(doc.body)

    def district_stats(self, district: str) -> S.DistrictStats:
        """One GetItem, however long the district's history."""
        try:
            item = StatsItem.get(*K.stats_key(district))
        except StatsItem.DoesNotExist:
            return S.DistrictStats()
        return S.DistrictStats(*({k: int(v) for k, v in (M.plain(getattr(item, m)) or {}).items()}
                                 for m in ("status", "intake", "concluded", "on_time")))

    def rebuild_district_stats(self, district: str, today: date) -> S.DistrictStats:
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

    def registered_districts(self) -> list[str]:
        try:
            return sorted(RegistryItem.get(*K.REGISTRY_KEY).districts or [])
        except RegistryItem.DoesNotExist:
            return []

    # --- the office's reads --------------------------------------------------------

    def queue_page(self, q: QueueQuery):
        """One page of a district's (or province's) queue, sorted by legal due date, read
        through an index Query, never a Scan: the open cases (a sparse index that holds no
        closed history; an open status filters them), or one closed status exactly. Other
        filters are FilterExpressions over those, so what is evaluated is bounded by the
        open cases, not the history."""
        if q.district and q.status and q.status not in OPEN_STATUSES:
            index, hash_value = "by_district_status", K.district_status_pk(q.district, q.status)
        elif q.district:   # an open status is a filter over the district's open cases
            index, hash_value = "open_by_district", K.district_index_pk(q.district)
        else:
            index, hash_value = "open_by_province", K.province_index_pk(q.province or "")
        # an open status is a filter over the same index: the cursor is bound to it too
        status_filter = q.status if q.status and index != "by_district_status" else ""
        cursor = _decode_cursor(self.keys, q.cursor, K.INDEX_KEYS[index][0], hash_value) if q.cursor else None
        if cursor is not None and cursor.pop("_f", {}).get("S", "") != status_filter:
            raise InvalidCursor()
        conditions = [
            CaseItem.status == q.status if q.status and index != "by_district_status" else None,
            CaseItem.case_type == q.case_type if q.case_type else None,
            CaseItem.category == q.category if q.category else None,
            CaseItem.institution_ids.contains(q.institution) if q.institution else None,
            CaseItem.received_at >= q.received_from.isoformat() if q.received_from else None,
            CaseItem.received_at < (q.received_to + timedelta(days=1)).isoformat() if q.received_to else None,
        ]
        if q.overdue:
            today = q.today.isoformat()
            late = (CaseItem.legal_due_date < today) | (CaseItem.sla_due_date < today)
            conditions.append(late & ~CaseItem.status.is_in("concluded", "not_processed"))
        condition = None
        for cond in conditions:
            if cond is not None:
                condition = cond if condition is None else condition & cond
        result = getattr(CaseItem, index).query(hash_value, filter_condition=condition, last_evaluated_key=cursor,
                                                page_size=100 if condition is not None else q.limit)
        found = []
        for item in result:
            found.append(item)
            if len(found) == q.limit:
                last = _key_of(item, index)
                if status_filter:
                    last["_f"] = {"S": status_filter}
                return [M.queue_case_from_item(i) for i in found], _encode_cursor(self.keys, last)
        return [M.queue_case_from_item(i) for i in found], None

    # --- sweeps --------------------------------------------------------------------

    def _due(self, model, kind: str, now: datetime):
        """What is due, from the sweep index (keys and the district only)."""
        upper = watch.sweep_key(now, "\uffff")
        for shard in range(watch.SHARDS):
            yield from model.sweep.query(K.sweep_pk(kind, shard), model.sweep_sk <= upper)

    def _full(self, model, keys: list[tuple[str, str]]):
        """The whole items behind index keys: consistent BatchGetItem, 100 keys a call."""
        out = []
        for start in range(0, len(keys), 100):
            out += list(model.batch_get(keys[start:start + 100], consistent_read=True))
        return out

    def due_assignments(self, now: datetime) -> list:
        keys = [(i.pk, i.sk) for i in self._due(AssignmentItem, watch.ASSIGNMENT_KIND, now)]
        items = self._full(AssignmentItem, keys) if keys else []
        return [(M.assignment_from_item(i), i.district) for i in sorted(items, key=lambda i: (i.sweep_pk or "",
                                                                                             i.sweep_sk or ""))]

    def case_states(self, nos: set[str]) -> dict:
        """{number: (status, concluded at)} of these cases: BatchGetItem of those attributes
        only (100 keys a call); a number with no case is left out."""
        keys = [K.case_key(no) for no in sorted(nos)]
        out: dict = {}
        for start in range(0, len(keys), 100):
            for i in CaseItem.batch_get(keys[start:start + 100],
                                        attributes_to_get=["application_no", "status", "concluded_at"]):
                out[i.application_no] = (Status(i.status), M._dt(i.concluded_at))
        return out

    def due_cases(self, now: datetime) -> list:
        keys = [(i.pk, i.sk) for i in self._due(CaseItem, watch.CASE_KIND, now)]
        items = self._full(CaseItem, keys) if keys else []
        return [self._case(i) for i in sorted(items, key=lambda i: (i.sweep_pk or "", i.sweep_sk or ""))]

    def due_routes(self, now: datetime) -> list[PendingRoute]:
        """Received cases not routed by their slot's time, from the sweep index. A route
        marker item left from before the case carried its own slot is deleted here once
        its case has been routed (nothing else deletes it now), and followed until then."""
        rows = list(self._due(CaseItem, watch.ROUTE_KIND, now))
        legacy = {K.no_of(r.pk) for r in rows if r.pk.startswith("ROUTE#")}
        routed: set[str] = set()
        if legacy:
            states = self.case_states(legacy)
            routed = {no for no in legacy if states.get(no, (None, None))[0] != Status.RECEIVED}
            for no in routed:
                RouteMarker(*K.route_key(no)).delete()
        pending = {K.no_of(r.pk): r.district for r in rows if K.no_of(r.pk) not in routed}   # a case and its marker: once
        return [PendingRoute(no, district) for no, district in pending.items()]

    def postpone_route(self, no: str, until: datetime) -> None:
        """Moves a still-received case's re-route slot to `until`. Only the slot changes
        (no version bump: the case itself is not changed); a case routed meanwhile has
        left the slot, and then nothing is postponed."""
        sort = watch.sweep_key(until, no)
        slot = K.sweep_pk(watch.ROUTE_KIND, watch.shard_of(no))
        try:
            CaseItem._get_connection().update_item(*K.case_key(no), actions=[CaseItem.sweep_sk.set(sort)],
                                                   condition=CaseItem.sweep_pk == slot)
            return
        except UpdateError as exc:
            if _code(exc) != "ConditionalCheckFailedException":
                raise
        try:   # a marker from before the case carried its own slot
            RouteMarker(*K.route_key(no)).update(actions=[RouteMarker.sweep_sk.set(sort)],
                                                 condition=RouteMarker.pk.exists())
        except UpdateError as exc:
            if _code(exc) != "ConditionalCheckFailedException":
                raise

    def open_cases(self, district: str) -> list:
        return [M.queue_case_from_item(i) for i in CaseItem.open_by_district.query(K.district_index_pk(district))]

    # --- KVKK: retention and destruction --------------------------------------------

    def due_retention(self, now: datetime) -> list:
        """Closed cases whose retention ended by `now`, from the sweep index (due only)."""
        keys = [(i.pk, i.sk) for i in self._due(CaseItem, watch.RETENTION_KIND, now)]
        items = self._full(CaseItem, keys) if keys else []
        return [self._case(i, with_personal_data=False) for i in items]

    def erase_survey_comment(self, no: str) -> bool:
        """Removes the free-text comment of a survey answer; True if there was one."""
        try:
            SurveyItem(*K.survey_key(no)).update(actions=[SurveyItem.comment.remove()],
                                                condition=SurveyItem.comment.exists())
            return True
        except UpdateError as exc:
            if _code(exc) == "ConditionalCheckFailedException":
                return False
            raise

    def commit_destruction(self, case, assignments: list, entries: list, *, run_id: str, at: datetime,
                           audit=None) -> None:
        """The anonymised case and assignments and one log entry per destroyed record, in
        one transaction that only succeeds if the case was not anonymised meanwhile (two
        runs at once destroy and log once: the loser raises StaleCase)."""
        from ..domain.retention import add_years, destruction_log_years
        case_item = M.case_to_item(case, self.keys)
        a_items = [M.assignment_to_item(a, case.district) for a in assignments]
        expires_day = add_years(at.date(), destruction_log_years())
        expires = datetime(expires_day.year, expires_day.month, expires_day.day, tzinfo=timezone.utc)
        logs = [DestructionLogItem(*K.destruction_log_key(case.district, at.isoformat(), case.application_no,
                                                          e.record, e.ref),
                                   application_no=case.application_no, record=e.record, ref=e.ref, rule=e.rule,
                                   run_id=run_id, at=at.isoformat(), expires_at=expires) for e in entries]

        def build(tx):
            tx.save(case_item, condition=CaseItem.anonymised_at.does_not_exist())
            for a_item in a_items:
                tx.save(a_item)
            for log in logs:
                tx.save(log, condition=DestructionLogItem.pk.does_not_exist())
            if audit is not None:
                tx.save(M.audit_to_item(audit), condition=AuditItem.pk.does_not_exist())
        try:
            _transact(self, build, [case])
        except TransactWriteError as exc:
            _raise_for(exc)
        case.version = case_item.version
        for a, a_item in zip(assignments, a_items):
            a.version = a_item.version
        _stored(case)

    # --- citizen phone verification ---------------------------------------------------

    def put_otp(self, subject: str, code_hash: str, valid_until: datetime) -> None:
        """A new code replaces any earlier one (its tries start again at 0)."""
        OtpItem(f"OTP#{subject}", "OTP", code_hash=code_hash, tries=0, valid_until=int(valid_until.timestamp()),
                expires_at=valid_until + timedelta(minutes=5)).save()

    def try_otp(self, subject: str, now: datetime, max_tries: int) -> str | None:
        """Counts one try in one conditional write (the code exists, is still valid and has
        tries left) and returns the code's hash; None when no try is left to count."""
        try:
            item = OtpItem(f"OTP#{subject}", "OTP")
            item.update(actions=[OtpItem.tries.add(1)],
                        condition=OtpItem.pk.exists() & (OtpItem.tries < max_tries)
                        & (OtpItem.valid_until > int(now.timestamp())))
            return item.code_hash
        except UpdateError as exc:
            if _code(exc) == "ConditionalCheckFailedException":
                return None
            raise

    def delete_otp(self, subject: str) -> None:
        OtpItem(f"OTP#{subject}", "OTP").delete()

    def applicant_page(self, nid_hash: str, limit: int, cursor: str | None):
        """One page of a person's cases, newest first: one Query of the HMAC index, then
        the items by key (with their personal data, to match the phone)."""
        pk = K.applicant_index_pk(nid_hash)
        start = _decode_cursor(self.keys, cursor, "gsi3pk", pk) if cursor else None
        result = CaseItem.by_applicant.query(pk, scan_index_forward=False, limit=limit, last_evaluated_key=start)
        keys = [(i.pk, i.sk) for i in result]
        last = result.last_evaluated_key
        items = self._full(CaseItem, keys) if keys else []
        order = {k: n for n, k in enumerate(keys)}
        cases = [self._case(i) for i in sorted(items, key=lambda i: order[(i.pk, i.sk)])]
        return cases, (_encode_cursor(self.keys, last) if last else None)

    # --- KVKK: data-subject requests ------------------------------------------------

    def add_subject_request(self, r) -> None:
        item = M.subject_request_to_item(r, self.keys)
        item.save(condition=SubjectRequestItem.pk.does_not_exist())
        r.version = item.version

    def subject_request(self, rid: str):
        try:
            return M.subject_request_from_item(SubjectRequestItem.get(f"DSR#{rid}", "DSR", consistent_read=True),
                                               self.keys)
        except SubjectRequestItem.DoesNotExist:
            return None

    def save_subject_request(self, r) -> None:
        """Version-checked: StaleCase when someone else changed it meanwhile."""
        item = M.subject_request_to_item(r, self.keys)
        try:
            item.save()
        except PutError as exc:
            if _code(exc) == "ConditionalCheckFailedException":
                raise StaleCase() from None
            raise
        r.version = item.version

    def subject_requests(self, district: str, status: str, limit: int = 100) -> list:
        keys = [(i.pk, i.sk) for i in SubjectRequestItem.by_district_status.query(f"R#{district}#{status}",
                                                                                  limit=limit)]
        items = self._full(SubjectRequestItem, keys) if keys else []
        return sorted((M.subject_request_from_item(i, self.keys) for i in items), key=lambda r: (r.due_on, r.id))

    def due_subject_requests(self, now: datetime) -> list:
        keys = [(i.pk, i.sk) for i in self._due(SubjectRequestItem, watch.SUBJECT_REQUEST_KIND, now)]
        items = self._full(SubjectRequestItem, keys) if keys else []
        return [M.subject_request_from_item(i, self.keys) for i in items]

    def applicant_names(self, nos: list[str]) -> dict[str, str]:
        """{number: "Ad Soyad"} of these cases (BatchGetItem, 100 a call)."""
        items = self._full(CaseItem, [K.case_key(no) for no in nos])
        out = {}
        for i in items:
            c = self._case(i)
            out[c.application_no] = f"{c.applicant.first_name} {c.applicant.last_name}".strip()
        return out

    def applicant_rows(self, nid_hash: str, limit: int = 100) -> list:
        """The same applicant's applications as the index holds them, newest first: one
        Query. The index keeps only what never changes (no personal data, no status), so a
        status change never rewrites it; case_states() reads the statuses."""
        pk = K.applicant_index_pk(nid_hash)
        return [M.applicant_row_from_item(i) for i in CaseItem.by_applicant.query(pk, scan_index_forward=False,
                                                                                  limit=limit)]

    def open_cases_near(self, district: str, category: str, cells: list[str], received_from: datetime,
                        limit: int = 25) -> list:
        """Open cases of a district and category in these location cells, received since a
        time: one Query of the open-cases index (closed history is not in it) with a filter,
        then the candidates by key, whose sealed locations the caller measures."""
        condition = (CaseItem.category == category) & CaseItem.geocell.is_in(*cells) \
            & (CaseItem.received_at >= received_from.isoformat())
        keys = []
        for item in CaseItem.open_by_district.query(K.district_index_pk(district), filter_condition=condition):
            keys.append((item.pk, item.sk))
            if len(keys) == limit:
                break
        return [self._case(i) for i in self._full(CaseItem, keys)] if keys else []

    def cases_of_applicant(self, national_id: str) -> list:
        """Every case filed with this national id, with its personal data: one Query of the
        keyed-hash index, then the items by key."""
        pk = K.applicant_index_pk(self.keys.national_id_hash(national_id))
        keys = [(i.pk, i.sk) for i in CaseItem.by_applicant.query(pk)]
        return [self._case(i) for i in self._full(CaseItem, keys)] if keys else []

    def destruction_log(self, district: str, limit: int = 50, cursor: str | None = None):
        """The district's destruction log, newest first, one page."""
        start = _decode_cursor(self.keys, cursor, "pk", f"DLOG#{district}") if cursor else None
        result = DestructionLogItem.query(f"DLOG#{district}", scan_index_forward=False, limit=limit,
                                          last_evaluated_key=start)
        rows = [{"at": i.at, "application_no": i.application_no, "record": i.record, "ref": i.ref, "rule": i.rule,
                 "run_id": i.run_id} for i in result]
        last = result.last_evaluated_key
        return rows, (_encode_cursor(self.keys, last) if last else None)

    # --- Open311 partners ----------------------------------------------------------

    def add_partner(self, partner) -> None:
        M.partner_to_item(partner).save(condition=PartnerItem.sk.does_not_exist())

    def partner(self, key_hash: str):
        try:
            return M.partner_from_raw(PartnerItem.get(*K.partner_key(key_hash), consistent_read=True))
        except PartnerItem.DoesNotExist:
            return None

    def partners(self) -> list:
        """Every partner key (a few dozen at most: one partition, one Query)."""
        return [M.partner_from_raw(i) for i in PartnerItem.query(K.PARTNERS_PK, PartnerItem.sk.startswith("KEY#"))]

    def revoke_partner(self, key_hash: str, at: datetime) -> bool:
        try:
            PartnerItem(*K.partner_key(key_hash)).update(
                actions=[PartnerItem.revoked_at.set(at.isoformat())],
                condition=PartnerItem.sk.exists() & PartnerItem.revoked_at.does_not_exist())
            return True
        except UpdateError as exc:
            if _code(exc) == "ConditionalCheckFailedException":
                return False
            raise

    def use_partner_key(self, key_hash: str, window: int, now: datetime):
        """Checks a key and counts the call in one conditional UpdateItem on its record:
        it exists, is not revoked and is under its rate limit in this minute's window.
        Returns ("ok" | "unknown" | "revoked" | "limited", partner or None). A new minute
        takes a second write (the window is reset), a refusal one read."""
        from botocore.exceptions import ClientError

        pk, sk = K.partner_key(key_hash)
        common = {"TableName": PartnerItem.Meta.table_name, "Key": {"pk": {"S": pk}, "sk": {"S": sk}},
                  "ReturnValues": "ALL_NEW"}
        values = {":one": {"N": "1"}, ":w": {"N": str(window)}, ":at": {"S": now.isoformat()}}
        attempts = [
            ("SET win_uses = win_uses + :one, last_used_at = :at ADD uses :one",
             "attribute_exists(sk) AND attribute_not_exists(revoked_at) AND win = :w AND win_uses < rate_limit"),
            ("SET win = :w, win_uses = :one, last_used_at = :at ADD uses :one",
             "attribute_exists(sk) AND attribute_not_exists(revoked_at) AND (attribute_not_exists(win) OR win < :w)"),
        ]
        for update, condition in attempts:
            try:
                resp = dynamodb_client().update_item(UpdateExpression=update, ConditionExpression=condition,
                                                      ExpressionAttributeValues=values, **common)
                return "ok", M.partner_from_raw(resp["Attributes"])
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise
        try:
            partner = M.partner_from_raw(PartnerItem.get(pk, sk, consistent_read=True))
        except PartnerItem.DoesNotExist:
            return "unknown", None
        return ("revoked" if partner.revoked_at else "limited"), partner

    def partner_case_numbers(self, partner_id: str, since: datetime, limit: int) -> list[str]:
        """The numbers of a partner's cases whose last public change is at or after
        `since`, newest first: a keys-only index Query, never a Scan."""
        lower = K.partner_sort_key(since.astimezone(timezone.utc).isoformat(), "")
        out = []
        for item in CaseItem.by_partner.query(K.partner_index_pk(partner_id), CaseItem.gsi5sk >= lower,
                                              scan_index_forward=False, page_size=min(limit, 1000)):
            out.append(K.no_of(item.pk))
            if len(out) >= limit:
                break
        return out

    def cases_public(self, nos: list[str]) -> list:
        """The cases behind these numbers without their personal data, 100 a BatchGetItem."""
        items = self._full(CaseItem, [K.case_key(no) for no in nos]) if nos else []
        return [self._case(i, with_personal_data=False) for i in items]

    # --- surveys -------------------------------------------------------------------

    def add_survey(self, answer: SurveyAnswer) -> bool:
        """The answer, once, and its open-statistics cell in the same transaction."""
        moved = O.survey_moves(answer.district, answer.type, date.fromisoformat(answer.answered_on), answer.rating) \
            if answer.type else []
        def build(tx):
            tx.save(M.survey_to_item(answer), condition=SurveyItem.pk.does_not_exist())
            _month_cell_updates(tx, moved)
        try:
            _transact(self, build, [])      # run again after a conflict on the shared cell
            return True
        except TransactWriteError as exc:
            if "ConditionalCheckFailed" in _reasons(exc):
                return False
            raise

    def survey_answered(self, no: str) -> bool:
        try:
            SurveyItem.get(*K.survey_key(no))
            return True
        except SurveyItem.DoesNotExist:
            return False


class DynamoAuditLog:
    """The append-only audit trail. Functions may only PutItem and Query the audit table
    (see the IAM policy); there is no update or delete path in the code either."""

    def record(self, entry) -> None:
        M.audit_to_item(entry).save(condition=AuditItem.pk.does_not_exist())

    def trail(self, subject: str) -> list[dict]:
        return [M.audit_view(i) for i in AuditItem.query(K.audit_pk(subject))]


def _key_of(item, index: str) -> dict:
    h, r = K.INDEX_KEYS[index]
    return {"pk": {"S": item.pk}, "sk": {"S": item.sk}, h: {"S": getattr(item, h)}, r: {"S": getattr(item, r)}}


def _cursor_mac(keys, payload: str) -> str:
    return keys.fingerprint(b"queue-cursor:" + payload.encode("ascii"))[:32]


def _encode_cursor(keys, key: dict) -> str:
    """The last key of a page, signed: the client gets an opaque token back that only
    this service can have made, so a crafted key never reaches DynamoDB."""
    payload = base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")
    return f"{payload}.{_cursor_mac(keys, payload)}"


def _decode_cursor(keys, cursor: str, hash_attr: str, hash_value: str) -> dict:
    import hmac
    try:
        payload, _, mac = cursor.partition(".")
        if not payload.isascii() or not hmac.compare_digest(mac.encode("ascii"), _cursor_mac(keys, payload).encode()):
            raise ValueError
        key = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        if not isinstance(key, dict) or key.get(hash_attr, {}).get("S") != hash_value:
            raise ValueError  # signed for another district or filter
        return key
    except (ValueError, TypeError, AttributeError, UnicodeError):
        raise InvalidCursor() from None
