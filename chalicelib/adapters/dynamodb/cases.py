"""The `CaseRepository` port on DynamoDB: cases and their assignments.

Every method takes and returns domain objects; items, keys and indexes stay in this
package (itemkeys.py, mapping.py, models.py). Each request's writes are one
TransactWriteItems, the unit of work, and it carries the statistics the change moves
(statistics.counter_updates): a count and what it counts are written together.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone

from botocore.exceptions import ClientError
from pynamodb.exceptions import DeleteError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactGet

from ...config import settings
from ...domain import offices as O
from ...domain import retention as R
from ...domain import sweeps
from ...domain.assignment import DistrictSettings
from ...domain.calendar import local_date
from ...domain.case import OPEN_STATUSES, Case, Status
from ...domain.idempotency import IdempotencyRecord
from ...domain.open311 import CLOSED as OPEN311_CLOSED
from ...domain.retention import destruction_log_expiry
from ...domain.sweeps import NEW_CASE_DUE_MIN, PendingRoute
from ...domain.throttle import Counter
from ...logs import logger
from ...services.ports import (
    PartnerRequestQuery,
    QUEUE_EVALUATED_PER_PAGE,
    DuplicateApplicationNo,
    IdempotencyKeyTaken,
    InvalidCursor,
    PartnerRefused,
    QueueQuery,
    StaleCase,
    TransientConflict,
)
from . import itemkeys as K
from . import mapping as M
from .base import (
    code,
    conditional_put,
    decode_cursor,
    due_keys,
    encode_cursor,
    full,
    key_of,
    raise_for,
    reasons,
    run_transaction,
)
from .mapping import pair_of
from .models import (
    MAIN_TABLE,
    AssignmentItem,
    AuditItem,
    CaseItem,
    CounterItem,
    DestructionLogItem,
    DistrictRefItem,
    IdempotencyItem,
    OfficeItem,
    PairItem,
    PartnerItem,
    RegistryItem,
    RouteMarker,
    dynamodb_client,
    transaction_connection,
)
from .statistics import counter_updates, ensure_district, missing_counters


def _stored(*objects) -> None:
    for o in objects:
        o.stored_status = o.status


def _pair_moves(cases, keys) -> list[tuple[Case, str | None, list[tuple[str, str]]]]:
    """(case, its pair now, [(fingerprint, "add" | "remove")]) for each case saved under
    another (national id, phone) pair than the store holds it under: a new case, a
    corrected phone, destroyed personal data."""
    moves = []
    for c in cases:
        current = pair_of(c.applicant, keys) if c.anonymised_at is None else None
        if current == c.stored_pair or (current is None and c.anonymised_at is None):
            continue       # unchanged, or saved without its personal data loaded: not ours to move
        steps = ([(c.stored_pair, "remove")] if c.stored_pair else []) + ([(current, "add")] if current else [])
        moves.append((c, current, steps))
    return moves


# What an archived case keeps in the table: its keys, its version, where its file is, and
# every attribute an index copies, so that every index answers for it as before (the queue
# of closed cases, "Başvurularım", the repeat check, Open311, the destruction sweep).
STUB_ATTRIBUTES = frozenset({"pk", "sk", "entity", "version", "archived_at", "archive_key", "district"}
                            | {a for keys in K.INDEX_KEYS.values() for a in keys}
                            | {a for index in CaseItem._indexes.values()
                               for a in (getattr(index.Meta.projection, "non_key_attributes", None) or ())})
# every write of a case holds only while it is in the table: one read before the case was
# archived cannot write over the index item (its assignments would be lost); it is refused
# as stale, and read again it comes from the archive and is brought back first
LIVE = CaseItem.archive_key.does_not_exist()
MAX_ARCHIVED_ITEMS = 100     # one TransactWriteItems: the index item and each assignment's delete
ARCHIVE_READERS = 16         # archived cases read side by side in one page


def _same_version(raw: dict, also: str | None = None, values: dict | None = None) -> dict:
    """The condition that the stored item still has `raw`'s version (and `also`), in
    DynamoDB's JSON: what a write of items read raw holds to (pynamodb's own check, for them)."""
    names, values = {"#v": "version"}, dict(values or {})
    if "version" in raw:
        check, values[":v"] = "#v = :v", raw["version"]
    else:
        check = "attribute_not_exists(#v)"
    out = {"ConditionExpression": f"{check} AND {also}" if also else check, "ExpressionAttributeNames": names}
    if values:
        out["ExpressionAttributeValues"] = values
    return out


def _transaction_refused(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "TransactionCanceledException"


class DynamoCases:
    def __init__(self, keys, archive):
        self.keys = keys
        self.archive = archive     # adapters/archive.S3CaseArchive: where archived cases' files are

    def _transact(self, build, cases, *, before=None) -> None:
        """`build(tx)` and the counters the saved `cases` move, as one transaction, run
        again once after creating a district's counters item that did not exist yet. A
        case read from the archive is brought back first (then `before()`, if given)."""
        for c in cases:
            if c.stored_archive is not None:
                self._restore(c)
        if before is not None:
            before()

        def heal(exc) -> bool:
            if not (cases and missing_counters(exc)):
                return False
            for office in {c.office for c in cases}:
                ensure_district(office)
            return True

        moves = _pair_moves(cases, self.keys)

        def with_counters(tx):
            build(tx)
            counter_updates(tx, cases)
            for c, _, steps in moves:
                for fingerprint, how in steps:
                    no = {c.application_no}
                    tx.update(PairItem(*K.pair_key(fingerprint)),
                              actions=[PairItem.nos.add(no) if how == "add" else PairItem.nos.delete(no)])
        run_transaction(with_counters, heal=heal)
        for c, current, steps in moves:
            c.stored_pair = current
            for fingerprint, how in steps:      # a pair no application holds any more goes
                if how == "remove":
                    try:
                        PairItem(*K.pair_key(fingerprint)).delete(condition=PairItem.nos.does_not_exist())
                    except DeleteError as exc:
                        if code(exc) != "ConditionalCheckFailedException":
                            raise

    def pair_known(self, fingerprint: str) -> bool:
        """One GetItem: whether any application is kept under this (national id, phone) pair."""
        try:
            return bool(PairItem.get(*K.pair_key(fingerprint)).nos)
        except PairItem.DoesNotExist:
            return False

    def _cases(self, items, *, with_personal_data: bool = True) -> list:
        """`_case` of each item, in order; archived ones read from their objects side by side
        (a page of Open311 requests or a KVKK look-up can hold many)."""
        archived = sum(1 for i in items if i.archive_key)
        if archived < 2:
            return [self._case(i, with_personal_data=with_personal_data) for i in items]
        with ThreadPoolExecutor(max_workers=min(ARCHIVE_READERS, archived)) as pool:
            return list(pool.map(lambda i: self._case(i, with_personal_data=with_personal_data), items))

    def _case(self, item, *, with_personal_data: bool = True):
        if item.archive_key:
            return self._archived(item.pk, item.archive_key, item.version,
                                  with_personal_data=with_personal_data)[0]
        return M.case_from_item(item, self.keys, with_personal_data=with_personal_data)

    # --- tiering: the archive -------------------------------------------------------

    def _archived(self, pk: str, key: str, version, *, with_personal_data: bool = True):
        """(case, assignments) of an archived case, from its archive object. A case
        brought back meanwhile (its object then goes) is read from the table instead."""
        raws = self.archive.get(key)
        if raws is None:
            live = CaseItem._get_connection().query(pk, consistent_read=True)["Items"]
            head = next((r for r in live if r["sk"]["S"] == K.CASE_SK), None)
            if head is None or "archive_key" in head:
                raise RuntimeError(f"the archived file of {pk} is missing")
            return self._from_raw(live, with_personal_data=with_personal_data)
        head = raws[0]
        if head.get("pk", {}).get("S") != pk or head.get("sk", {}).get("S") != K.CASE_SK \
                or int(head.get("version", {}).get("N", 0)) != int(version or 0):
            raise RuntimeError(f"the archived file of {pk} is not the version its index item names")
        case, assignments = self._from_raw(raws, with_personal_data=with_personal_data)
        case.stored_archive = (key, raws)     # what a write brings back first (_restore)
        return case, assignments

    def _from_raw(self, raws: list[dict], *, with_personal_data: bool):
        case, assignments = None, []
        for raw in raws:
            sk = raw["sk"]["S"]
            if sk == K.CASE_SK:
                case = M.case_from_item(CaseItem.from_raw_data(raw), self.keys, with_personal_data=with_personal_data)
            elif sk.startswith(K.ASSIGN_PREFIX):
                assignments.append(M.assignment_from_item(AssignmentItem.from_raw_data(raw)))
        return case, assignments

    def _restore(self, case) -> None:
        """Puts the archived items back as they were, in one transaction that only holds
        while the index item still names that object; then the object goes. Someone who
        brought the case back first has done it: the write that follows checks the version."""
        key, raws = case.stored_archive
        items = [{"Put": {"TableName": MAIN_TABLE, "Item": raws[0],
                          **_same_version(raws[0], "archive_key = :k", {":k": {"S": key}})}}]
        items += [{"Put": {"TableName": MAIN_TABLE, "Item": raw, "ConditionExpression": "attribute_not_exists(pk)"}}
                  for raw in raws[1:]]
        case.stored_archive = None
        try:
            dynamodb_client().transact_write_items(TransactItems=items)
        except ClientError as exc:
            if not _transaction_refused(exc):
                raise
            return
        try:
            self.archive.delete(key)
        except Exception:   # a copy left behind is never read; the destruction deletes every copy
            logger().warning("archived copy not deleted after its case came back", extra={"key": key})

    def due_archive(self, now: datetime, limit: int) -> list[str]:
        years = settings().retention_years
        if years <= R.ARCHIVE_AFTER_YEARS:
            return []
        horizon = sweeps.start_of_day(R.archive_horizon(local_date(now), years))
        per_shard = -(-limit // sweeps.SHARDS)
        return [K.no_of(i.pk) for i in due_keys(CaseItem, sweeps.RETENTION_KIND, horizon, per_shard=per_shard)][:limit]

    def archive_case(self, no: str, now: datetime) -> bool:
        raws = CaseItem._get_connection().query(K.case_pk(no), consistent_read=True)["Items"]
        raws.sort(key=lambda r: r["sk"]["S"] != K.CASE_SK)     # the case first, then its assignments
        if not raws or raws[0]["sk"]["S"] != K.CASE_SK or "archive_key" in raws[0] or len(raws) > MAX_ARCHIVED_ITEMS:
            return False
        case, assignments = self._from_raw(raws, with_personal_data=False)
        if not R.archivable(case, assignments, local_date(now), years=settings().retention_years):
            return False
        head = raws[0]
        key = self.archive.key(no, int(head.get("version", {}).get("N", 0)))
        self.archive.put(key, raws)
        stub = {k: v for k, v in head.items() if k in STUB_ATTRIBUTES}
        if "sweep_pk" in stub:   # the destruction sweep finds it in the archived cases' slots
            stub["sweep_pk"] = {"S": K.sweep_pk(sweeps.ARCHIVED_KIND, sweeps.shard_of(no))}
        stub["archived_at"] = {"S": now.astimezone(timezone.utc).isoformat()}
        stub["archive_key"] = {"S": key}
        items = [{"Put": {"TableName": MAIN_TABLE, "Item": stub,
                          **_same_version(head, "attribute_not_exists(archive_key)")}}]
        items += [{"Delete": {"TableName": MAIN_TABLE, "Key": {"pk": raw["pk"], "sk": raw["sk"]},
                              **_same_version(raw)}} for raw in raws[1:]]
        try:
            dynamodb_client().transact_write_items(TransactItems=items)
        except ClientError as exc:
            if not _transaction_refused(exc):
                raise
            return False     # changed meanwhile: it stays; its object is never read (a new version writes anew)
        return True

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
                tx.update(CounterItem(*K.counter_key(Counter("o311-file", u.partner_id, u.window))),
                          actions=[CounterItem.count.add(1),
                                   CounterItem.expires_at.set(u.counter_expires_at)],
                          condition=CounterItem.count.does_not_exist() | (CounterItem.count < u.limit))
        try:
            self._transact(build, [case])
        except TransactWriteError as exc:
            why = reasons(exc)
            if "partner" in slots and len(why) > slots["partner"] + 1:
                if why[slots["partner"]] == "ConditionalCheckFailed":
                    raise PartnerRefused("revoked") from None
                if why[slots["partner"] + 1] == "ConditionalCheckFailed":
                    raise PartnerRefused("limited") from None
            if idempotency is not None and len(why) > 1 and why[1] == "ConditionalCheckFailed":
                raise IdempotencyKeyTaken() from None
            if why and why[0] == "ConditionalCheckFailed":
                raise DuplicateApplicationNo() from None
            raise_for(exc)
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

    def get_public(self, no: str):
        """One consistent GetItem; the sealed personal data is not opened."""
        try:
            return self._case(CaseItem.get(*K.case_key(no), consistent_read=True), with_personal_data=False)
        except CaseItem.DoesNotExist:
            return None

    def get(self, no: str):
        try:
            return self._case(CaseItem.get(*K.case_key(no), consistent_read=True))
        except CaseItem.DoesNotExist:
            return None

    def load_with_assignments(self, no: str, *, with_personal_data: bool = True):
        """The case and all its assignments in one Query."""
        raws = CaseItem._get_connection().query(K.case_pk(no), consistent_read=True)["Items"]
        head = next((r for r in raws if r["sk"]["S"] == K.CASE_SK), None)
        if head is not None and "archive_key" in head:
            return self._archived(head["pk"]["S"], head["archive_key"]["S"], head["version"]["N"],
                                  with_personal_data=with_personal_data)
        return self._from_raw(raws, with_personal_data=with_personal_data)

    def load_for_routing(self, no: str, district: str, office: str):
        """The case, its place's institutions, its province's (for a kind the place has
        none of) and its handling office's settings: one TransactGetItems call, whatever
        the size of the registry."""
        province = O.province_wide(O.province_of(district) or "")
        with TransactGet(connection=transaction_connection()) as tg:
            case_f = tg.get(CaseItem, *K.case_key(no))
            place_fs = [tg.get(DistrictRefItem, *K.district_key(code)) for code in dict.fromkeys((district, province))]
            office_f = tg.get(OfficeItem, *K.office_key(office))
        try:
            case = self._case(case_f.get())
        except CaseItem.DoesNotExist:
            case = None
        places: list[DistrictSettings | None] = []
        for f in place_fs:
            try:
                places.append(M.district_from_item(f.get()))
            except DistrictRefItem.DoesNotExist:
                places.append(None)
        try:
            settings = M.office_from_item(office_f.get())
        except OfficeItem.DoesNotExist:
            settings = None
        return case, places[0], (places[-1] if len(places) > 1 else places[0]), settings

    def assignments(self, no: str) -> list:
        return [M.assignment_from_item(i) for i in
                AssignmentItem.query(K.case_pk(no), AssignmentItem.sk.startswith(K.ASSIGN_PREFIX),
                                     consistent_read=True)]

    def commit(self, case, assignments: list, *, audit=None, new_assignments: list | None = None,
               others: list | None = None) -> None:
        case_item = M.case_to_item(case, self.keys)
        other_items = [M.case_to_item(o, self.keys) for o in others or []]
        a_items = [M.assignment_to_item(a, case.office) for a in assignments]
        audit_item = M.audit_to_item(audit) if audit is not None else None

        def build(tx):
            tx.save(case_item, condition=LIVE)
            for o_item in other_items:
                tx.save(o_item, condition=LIVE)
            for a_item in a_items:
                tx.save(a_item)
            for a in new_assignments or []:
                tx.save(M.assignment_to_item(a, case.office), condition=AssignmentItem.pk.does_not_exist())
            if audit_item is not None:
                tx.save(audit_item, condition=AuditItem.pk.does_not_exist())
        try:
            self._transact(build, [case, *(others or [])])
        except TransactWriteError as exc:
            raise_for(exc)
        case.version = case_item.version
        for o, o_item in zip(others or [], other_items):
            o.version = o_item.version
        for a, a_item in zip(assignments, a_items):
            a.version = a_item.version
        for a in new_assignments or []:
            a.version = 1
        _stored(case, *(others or []))

    def commit_forward(self, case, assignments: list, *, changed: list | tuple = ()) -> None:
        item = M.case_to_item(case, self.keys)
        changed_items = [M.assignment_to_item(a, case.office) for a in changed]

        def build(tx):
            tx.save(item, condition=LIVE)
            for a in assignments:
                tx.save(M.assignment_to_item(a, case.office), condition=AssignmentItem.pk.does_not_exist())
            for a_item in changed_items:
                tx.save(a_item)
        try:
            self._transact(build, [case])
        except TransactWriteError as exc:
            raise_for(exc)
        case.version = item.version
        for a in assignments:
            a.version = 1
        for a, a_item in zip(changed, changed_items):
            a.version = a_item.version
        _stored(case)

    def save_case(self, case) -> None:
        item = M.case_to_item(case, self.keys)

        def build(tx):
            tx.save(item, condition=LIVE)
        try:
            self._transact(build, [case])
        except TransactWriteError as exc:
            raise_for(exc)
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
        cursor = decode_cursor(self.keys, q.cursor, K.INDEX_KEYS[index][0], hash_value) if q.cursor else None
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
                                                page_size=min(100, QUEUE_EVALUATED_PER_PAGE) if condition is not None
                                                else q.limit)

        def resume_at(last: dict) -> str:
            if status_filter:
                last = {**last, "_f": {"S": status_filter}}
            return encode_cursor(self.keys, last)
        found: list = []
        # one Query call at a time: a page full of matches ends at its last match; a filter
        # that matches little ends once QUEUE_EVALUATED_PER_PAGE items were read, at the
        # last key read (a partial page: the caller goes on from there)
        for page in result.page_iter:
            for raw in page.get("Items", []):
                item = CaseItem.from_raw_data(raw)
                found.append(item)
                if len(found) == q.limit:
                    return [M.queue_case_from_item(i) for i in found], resume_at(key_of(item, index))
            last_key = page.get("LastEvaluatedKey")
            if last_key is None:
                break
            if result.page_iter.total_scanned_count >= QUEUE_EVALUATED_PER_PAGE:
                return [M.queue_case_from_item(i) for i in found], resume_at(last_key)
        return [M.queue_case_from_item(i) for i in found], None

    # --- sweeps --------------------------------------------------------------------

    def due_assignments(self, now: datetime) -> list:
        keys = [(i.pk, i.sk) for i in due_keys(AssignmentItem, sweeps.ASSIGNMENT_KIND, now)]
        items = full(AssignmentItem, keys) if keys else []
        return [(M.assignment_from_item(i), i.district) for i in sorted(items, key=lambda i: (i.sweep_pk or "",
                                                                                             i.sweep_sk or ""))]

    def open_for_institution(self, institution_id: str, limit: int = 200) -> tuple[list, bool]:
        keys = []
        for item in AssignmentItem.open_by_institution.query(K.institution_inbox_pk(institution_id),
                                                             page_size=min(limit + 1, 1000)):
            keys.append((item.pk, item.sk))
            if len(keys) > limit:
                break
        more = len(keys) > limit
        items = full(AssignmentItem, keys[:limit]) if keys else []
        found = [M.assignment_from_item(i) for i in items]
        found = [a for a in found if a.is_open]     # the index runs a little behind a close
        return sorted(found, key=lambda a: (a.sla_due_date, a.application_no)), more

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
        keys = [(i.pk, i.sk) for i in due_keys(CaseItem, sweeps.CASE_KIND, now)]
        items = full(CaseItem, keys) if keys else []
        return [self._case(i) for i in sorted(items, key=lambda i: (i.sweep_pk or "", i.sweep_sk or ""))]

    def due_routes(self, now: datetime) -> list[PendingRoute]:
        """Received cases not routed by their slot's time, from the sweep index. A route
        marker item left from before the case carried its own slot is deleted here once
        its case has been routed (nothing else deletes it now), and followed until then."""
        rows = list(due_keys(CaseItem, sweeps.ROUTE_KIND, now))
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
        sort = sweeps.sweep_key(until, no)
        slot = K.sweep_pk(sweeps.ROUTE_KIND, sweeps.shard_of(no))
        try:
            CaseItem._get_connection().update_item(*K.case_key(no), actions=[CaseItem.sweep_sk.set(sort)],
                                                   condition=CaseItem.sweep_pk == slot)
            return
        except UpdateError as exc:
            if code(exc) != "ConditionalCheckFailedException":
                raise
        try:   # a marker from before the case carried its own slot
            RouteMarker(*K.route_key(no)).update(actions=[RouteMarker.sweep_sk.set(sort)],
                                                 condition=RouteMarker.pk.exists())
        except UpdateError as exc:
            if code(exc) != "ConditionalCheckFailedException":
                raise

    def digest_cases(self, office: str, due_by: date, windows: list[tuple[date, date]],
                     received_since: datetime) -> list:
        pk = K.district_index_pk(office)
        index = CaseItem.open_by_district
        # due by then: every one of these is in the digest
        found = {i.pk: i for i in index.query(pk, CaseItem.gsi1sk <= K.due_sort_key(due_by.isoformat(), "~"))}
        # received since then: due within the windows, or owing no answer (sorted last).
        # received_at keeps the offset it came with (a desk intake's may be +03:00): the
        # string filter takes a day more, and the caller keeps exactly the ones it names
        recent = CaseItem.received_at >= (received_since - timedelta(days=1)).astimezone(timezone.utc).isoformat()
        conditions = [CaseItem.gsi1sk.between(K.due_sort_key(a.isoformat(), ""), K.due_sort_key(b.isoformat(), "~"))
                      for a, b in windows] + [CaseItem.gsi1sk.startswith(K.NO_DUE_DATE)]
        for condition in conditions:
            for i in index.query(pk, condition, filter_condition=recent):
                found[i.pk] = i
        return sorted((M.queue_case_from_item(i) for i in found.values()),
                      key=lambda c: (c.legal_due_date or date.max, c.application_no))

    # --- KVKK: retention and destruction --------------------------------------------

    def due_retention(self, now: datetime) -> list:
        """The numbers of the closed cases whose retention ended by `now`, live or archived:
        the sweep index's keys, nothing more (destroy_case reads each case)."""
        return [K.no_of(i.pk) for kind in (sweeps.RETENTION_KIND, sweeps.ARCHIVED_KIND)
                for i in due_keys(CaseItem, kind, now)]

    def commit_destruction(self, case, assignments: list, entries: list, *, run_id: str, at: datetime,
                           audit=None) -> None:
        """The anonymised case and assignments and one log entry per destroyed record, in
        one transaction that only succeeds if the case was not anonymised meanwhile (two
        runs at once destroy and log once: the loser raises StaleCase)."""
        case_item = M.case_to_item(case, self.keys)
        a_items = [M.assignment_to_item(a, case.office) for a in assignments]
        expires = destruction_log_expiry(at)
        logs = [DestructionLogItem(*K.destruction_log_key(case.district, at.isoformat(), case.application_no,
                                                          e.record, e.ref),
                                   application_no=case.application_no, record=e.record, ref=e.ref, rule=e.rule,
                                   run_id=run_id, at=at.isoformat(), expires_at=expires) for e in entries]

        def build(tx):
            tx.save(case_item, condition=CaseItem.anonymised_at.does_not_exist() & LIVE)
            for a_item in a_items:
                tx.save(a_item)
            for log in logs:
                tx.save(log, condition=DestructionLogItem.pk.does_not_exist())
            if audit is not None:
                tx.save(M.audit_to_item(audit), condition=AuditItem.pk.does_not_exist())
        # the archived copies hold the data being destroyed, sealed: none is left behind.
        # Deleted once the case is back in the table (a failure then destroys nothing, and
        # the next run finds the case due again), and once more after, for a copy the
        # archive run may have written in between
        def copies_first():
            self.archive.delete_all(case.application_no)
        try:
            self._transact(build, [case], before=copies_first)
        except TransactWriteError as exc:
            raise_for(exc)
        self.archive.delete_all(case.application_no)
        case.version = case_item.version
        for a, a_item in zip(assignments, a_items):
            a.version = a_item.version
        _stored(case)

    # --- citizen phone verification ---------------------------------------------------

    def applicant_page(self, nid_hash: str, limit: int, cursor: str | None):
        """One page of a person's cases, newest first: one Query of the HMAC index, then
        the items by key (with their personal data, to match the phone)."""
        pk = K.applicant_index_pk(nid_hash)
        start = decode_cursor(self.keys, cursor, "gsi3pk", pk) if cursor else None
        result = CaseItem.by_applicant.query(pk, scan_index_forward=False, limit=limit, last_evaluated_key=start)
        keys = [(i.pk, i.sk) for i in result]
        last = result.last_evaluated_key
        items = full(CaseItem, keys) if keys else []
        order = {k: n for n, k in enumerate(keys)}
        cases = self._cases(sorted(items, key=lambda i: order[(i.pk, i.sk)]))
        return cases, (encode_cursor(self.keys, last) if last else None)

    # --- KVKK: data-subject requests ------------------------------------------------

    def applicant_names(self, nos: list[str]) -> dict[str, str]:
        """{number: "Ad Soyad"} of these cases (BatchGetItem, 100 a call)."""
        items = full(CaseItem, [K.case_key(no) for no in nos])
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
        # a case received since then is due no earlier than NEW_CASE_DUE_MIN after it: the
        # key condition leaves out the older open cases, which the filter would refuse anyway
        lower = K.due_sort_key((received_from.date() + NEW_CASE_DUE_MIN).isoformat(), "")
        keys = []
        for item in CaseItem.open_by_district.query(K.district_index_pk(district), CaseItem.gsi1sk >= lower,
                                                    filter_condition=condition):
            keys.append((item.pk, item.sk))
            if len(keys) == limit:
                break
        return self._cases(full(CaseItem, keys)) if keys else []

    def cases_of_applicant(self, national_id: str) -> list:
        """Every case filed with this national id, with its personal data: one Query of the
        keyed-hash index, then the items by key."""
        pk = K.applicant_index_pk(self.keys.national_id_hash(national_id))
        keys = [(i.pk, i.sk) for i in CaseItem.by_applicant.query(pk)]
        return self._cases(full(CaseItem, keys)) if keys else []

    def destruction_log(self, district: str, limit: int = 50, cursor: str | None = None):
        """The district's destruction log, newest first, one page."""
        start = decode_cursor(self.keys, cursor, "pk", f"DLOG#{district}") if cursor else None
        result = DestructionLogItem.query(f"DLOG#{district}", scan_index_forward=False, limit=limit,
                                          last_evaluated_key=start)
        rows = [{"at": i.at, "application_no": i.application_no, "record": i.record, "ref": i.ref, "rule": i.rule,
                 "run_id": i.run_id} for i in result]
        last = result.last_evaluated_key
        return rows, (encode_cursor(self.keys, last) if last else None)

    # --- Open311 partners ----------------------------------------------------------

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

    def partner_requests(self, q: PartnerRequestQuery) -> list[str]:
        """The by_partner index carries what the list filters on (status, category,
        district, received_at): the filters run there, so only the page's numbers come back."""
        conditions: list[Condition] = [CaseItem.received_at.between(q.start.astimezone(timezone.utc).isoformat(),
                                                                    q.end.astimezone(timezone.utc).isoformat())]
        closed = [s.value for s in OPEN311_CLOSED]
        if q.states == {"closed"}:
            conditions.append(CaseItem.status.is_in(*closed))
        elif q.states == {"open"}:
            conditions.append(~CaseItem.status.is_in(*closed))
        if q.categories:
            conditions.append(CaseItem.category.is_in(*sorted(q.categories)))
        if q.district:
            conditions.append(CaseItem.district == q.district)
        condition = conditions[0]
        for c in conditions[1:]:
            condition = condition & c
        lower = K.partner_sort_key(q.start.astimezone(timezone.utc).isoformat(), "")
        out: list[str] = []
        skipped = 0
        for item in CaseItem.by_partner.query(K.partner_index_pk(q.partner_id), CaseItem.gsi5sk >= lower,
                                              filter_condition=condition, scan_index_forward=False,
                                              page_size=min(1000, q.offset + q.limit)):
            if skipped < q.offset:
                skipped += 1
                continue
            out.append(K.no_of(item.pk))
            if len(out) >= q.limit:
                break
        return out

    def cases_public(self, nos: list[str], *, consistent: bool = True) -> list:
        """The cases behind these numbers without their personal data, 100 a BatchGetItem."""
        items = full(CaseItem, [K.case_key(no) for no in nos], consistent=consistent) if nos else []
        return self._cases(items, with_personal_data=False)

    # --- surveys -------------------------------------------------------------------

