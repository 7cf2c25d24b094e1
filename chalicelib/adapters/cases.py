"""The case repository: maps the domain `Case` to DynamoDB items and back.

Personal data is sealed here, at the boundary: the applicant block and the
description are stored AES-GCM encrypted (bound to the application number), and the
national id is kept only as a keyed hash besides that.
"""
from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime, timedelta

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactGet, TransactWrite

from .. import security
from ..domain.case import Applicant, Case, HistoryEntry, Status
from .dynamo import REGION, CaseItem, CounterItem, HistoryMap, IdempotencyItem


def case_key(no: str) -> tuple[str, str]:
    return f"CASE#{no}", "CASE"


def _connection() -> Connection:
    return Connection(region=REGION)


def to_item(case: Case) -> CaseItem:
    pk, sk = case_key(case.application_no)
    due = case.legal_due_date.isoformat()
    applicant = json.dumps(asdict(case.applicant), ensure_ascii=False)
    item = CaseItem(
        pk, sk,
        application_no=case.application_no,
        access_hash=case.access_code_hash,
        case_type=case.type, law=case.law, category=case.category,
        district=case.district, province=case.province, subject=case.subject,
        description_enc=security.encrypt(case.description, case.application_no),
        applicant_enc=security.encrypt(applicant, case.application_no),
        nid_hash=security.national_id_hash(case.applicant.national_id),
        channel=case.channel,
        received_at=case.received_at.isoformat(),
        receipt_date=case.receipt_date.isoformat(),
        legal_due_date=due,
        status=case.status.value,
        confidential=case.confidential_identity,
        location=case.location,
        history=[HistoryMap(at=h.at.isoformat(), status=h.status.value, note=h.note, public=h.public,
                            actor=h.actor, event=h.event) for h in case.history],
        extended=case.extended,
        outcome=case.outcome, final_answer=case.final_answer,
        concluded_at=case.concluded_at.isoformat() if case.concluded_at else None,
        recorded_at=case.recorded_at.isoformat() if case.recorded_at else None,
        forwards=case.forwards, institutions=list(case.institutions), review_reason=case.review_reason,
        notes=list(case.notes),
        institution_ids=[i["id"] for i in case.institutions] or None,
        sla_due_date=case.sla_due_date.isoformat() if case.sla_due_date else None,
        np_reason=case.not_processed_reason, merged_into=case.merged_into,
        legal_warned_for=case.legal_warned_for, extension_warned=case.extension_warned,
        objected_at=case.objected_at.isoformat() if case.objected_at else None,
        gsi1pk=f"D#{case.district}", gsi1sk=f"{due}#{case.application_no}",
        gsi2pk=f"D#{case.district}#{case.status.value}", gsi2sk=f"{due}#{case.application_no}",
        gsi4pk=f"P#{case.province}", gsi4sk=f"{due}#{case.application_no}",
    )
    from ..domain import watch
    from ..domain.calendar import default_calendar
    next_at = watch.case_next(case, default_calendar())
    if next_at is not None:
        item.sweep_pk = f"{watch.CASE_KIND}#{watch.shard_of(case.application_no)}"
        item.sweep_sk = watch.sweep_key(next_at, case.application_no)
    item.gsi3pk = f"A#{item.nid_hash}"
    item.gsi3sk = item.received_at
    if case.version is not None:
        item.version = case.version
    return item


def from_item(item: CaseItem, *, with_personal_data: bool = True) -> Case:
    no = item.application_no
    if with_personal_data:
        applicant = Applicant(**json.loads(security.decrypt(item.applicant_enc, no)))
        description = security.decrypt(item.description_enc, no)
    else:  # tracking needs neither; skip the decryption
        applicant = Applicant("", "", "", "", "")
        description = ""
    return Case(
        application_no=no, access_code_hash=item.access_hash, type=item.case_type, law=item.law,
        category=item.category, district=item.district, province=item.province, subject=item.subject,
        description=description, applicant=applicant, channel=item.channel,
        received_at=datetime.fromisoformat(item.received_at),
        receipt_date=date.fromisoformat(item.receipt_date),
        legal_due_date=date.fromisoformat(item.legal_due_date),
        status=Status(item.status), confidential_identity=bool(item.confidential),
        location=_plain(item.location) if item.location is not None else None,
        history=[HistoryEntry(datetime.fromisoformat(h.at), Status(h.status), h.note, h.public, h.actor, h.event)
                 for h in item.history or []],
        version=item.version, extended=bool(item.extended), outcome=item.outcome,
        final_answer=item.final_answer,
        concluded_at=datetime.fromisoformat(item.concluded_at) if item.concluded_at else None,
        recorded_at=datetime.fromisoformat(item.recorded_at) if item.recorded_at else None,
        forwards=int(item.forwards or 0),
        institutions=[_plain(i) for i in item.institutions or []],
        review_reason=item.review_reason,
        notes=[_plain(n) for n in item.notes or []],
        sla_due_date=date.fromisoformat(item.sla_due_date) if item.sla_due_date else None,
        not_processed_reason=item.np_reason, merged_into=item.merged_into,
        legal_warned_for=item.legal_warned_for, extension_warned=bool(item.extension_warned),
        objected_at=datetime.fromisoformat(item.objected_at) if item.objected_at else None,
    )


def _plain(value):
    """A raw pynamodb map (or list of them) as plain Python values."""
    if hasattr(value, "as_dict"):
        value = value.as_dict()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def increment_counters(counter_keys: list[tuple[str, str]], expires_at: datetime) -> None:
    """Throttle counters: an atomic ADD per key, with a TTL."""
    for pk, sk in counter_keys:
        CounterItem(pk, sk).update(actions=[CounterItem.count.add(1), CounterItem.expires_at.set(expires_at)])


DIGEST_TTL_DAYS = 8


def route_marker(case: Case, due: datetime | None = None):
    from ..domain import watch
    from .dynamo import RouteMarker
    at = due or (case.recorded_at or case.received_at) + watch.REROUTE_AFTER
    return RouteMarker(f"ROUTE#{case.application_no}", "ROUTE", district=case.district,
                       sweep_pk=f"{watch.ROUTE_KIND}#{watch.shard_of(case.application_no)}",
                       sweep_sk=watch.sweep_key(at, case.application_no), expires_at=at + timedelta(days=30))


def digest_update(case: Case):
    """(item, actions) adding the case to its district's list of the day's new cases."""
    from datetime import timedelta as _td

    from ..domain.calendar import local_date
    from .dynamo import DigestItem
    day = local_date(case.recorded_at or case.received_at)
    item = DigestItem(f"DIGEST#{case.district}", day.isoformat())
    expires = datetime.combine(day + _td(days=DIGEST_TTL_DAYS), datetime.min.time()).replace(
        tzinfo=case.received_at.tzinfo)
    return item, [DigestItem.new.add({case.application_no}), DigestItem.expires_at.set(expires)]


class DuplicateApplicationNo(Exception):
    pass


class IdempotencyKeyTaken(Exception):
    pass


class TransientConflict(Exception):
    """Another transaction touched the same items at the same moment; try again."""


class CaseRepository:
    DuplicateApplicationNo = DuplicateApplicationNo
    IdempotencyKeyTaken = IdempotencyKeyTaken
    TransientConflict = TransientConflict

    def add_submission(self, case: Case, idempotency: IdempotencyItem | None) -> None:
        """One TransactWriteItems: the case with its first history entry, and the
        idempotency record. Either both are written or neither."""
        item = to_item(case)
        try:
            with TransactWrite(connection=_connection()) as tx:
                tx.save(item, condition=CaseItem.pk.does_not_exist())
                if idempotency is not None:
                    tx.save(idempotency, condition=IdempotencyItem.pk.does_not_exist())
                tx.update(*digest_update(case))
                tx.save(route_marker(case))
        except TransactWriteError as exc:
            reasons = [getattr(r, "code", None) if r else None for r in (exc.cancellation_reasons or [])]
            if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
                raise IdempotencyKeyTaken() from None
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise DuplicateApplicationNo() from None
            if "TransactionConflict" in reasons or exc.cause_response_code == "TransactionInProgressException":
                raise TransientConflict() from None
            raise
        case.version = item.version

    def get_idempotency(self, key_pk: str) -> IdempotencyItem | None:
        try:
            return IdempotencyItem.get(key_pk, "IDEM", consistent_read=True)
        except IdempotencyItem.DoesNotExist:
            return None

    def get_with_counters(self, no: str, counter_keys: list[tuple[str, str]]):
        """The case item and the throttle counters in one TransactGetItems call."""
        with TransactGet(connection=_connection()) as tg:
            case_future = tg.get(CaseItem, *case_key(no))
            counter_futures = [tg.get(CounterItem, pk, sk) for pk, sk in counter_keys]
        try:
            item = case_future.get()
        except CaseItem.DoesNotExist:
            item = None
        counts = []
        for f in counter_futures:
            try:
                counts.append(int(f.get().count))
            except CounterItem.DoesNotExist:
                counts.append(0)
        return item, counts

    def get(self, no: str) -> Case | None:
        try:
            return from_item(CaseItem.get(*case_key(no), consistent_read=True))
        except CaseItem.DoesNotExist:
            return None

    increment_counters = staticmethod(increment_counters)


# --- routing and assignments -------------------------------------------------------

def district_key(code: str) -> tuple[str, str]:
    return f"DISTRICT#{code}", "REF"


def assignment_key(no: str, institution_id: str) -> tuple[str, str]:
    return f"CASE#{no}", f"ASSIGN#{institution_id}"


def district_from_item(item):
    from ..domain.assignment import DistrictSettings, Institution
    return DistrictSettings(item.district, bool(item.auto_forward), item.office_email,
                            [Institution(i.id, i.kind, i.name, i.liaison_email,
                                         int(i.sla_days) if i.sla_days else None) for i in item.institutions],
                            item.supervisor_email)


def assignment_to_item(a, district: str):
    from .dynamo import AnswerMap, AssignmentItem
    pk, sk = assignment_key(a.application_no, a.institution.id)
    item = AssignmentItem(
        pk, sk, application_no=a.application_no, district=district, institution_id=a.institution.id,
        institution_kind=a.institution.kind, institution_name=a.institution.name,
        liaison_email=a.institution.liaison_email, status=a.status.value,
        dispatched_at=a.dispatched_at.isoformat(), sla_due_date=a.sla_due_date.isoformat(),
        forward_id=a.forward_id, link_generation=a.link_generation,
        answers=[AnswerMap(at=x.at.isoformat(), text=x.text, outcome=x.outcome, responder_name=x.responder_name,
                           responder_title=x.responder_title, attachments=x.attachments,
                           returned_note=x.returned_note) for x in a.answers],
        notes=list(a.notes), reminded_for=a.reminded_for, redirect=a.redirect, subject=a.subject,
    )
    from ..domain import watch
    from ..domain.calendar import default_calendar
    pending = watch.assignment_next(a, default_calendar())
    if pending is not None:
        item.sweep_pk = f"{watch.ASSIGNMENT_KIND}#{watch.shard_of(a.id)}"
        item.sweep_sk = watch.sweep_key(pending[1], a.id)
    if a.version is not None:
        item.version = a.version
    return item


def assignment_from_item(item):
    from ..domain.assignment import Answer, Assignment, AssignmentStatus, Institution
    return Assignment(
        application_no=item.application_no,
        institution=Institution(item.institution_id, item.institution_kind, item.institution_name,
                                item.liaison_email),
        status=AssignmentStatus(item.status), dispatched_at=datetime.fromisoformat(item.dispatched_at),
        sla_due_date=date.fromisoformat(item.sla_due_date), forward_id=int(item.forward_id),
        link_generation=int(item.link_generation or 1),
        answers=[Answer(datetime.fromisoformat(x.at), x.text, x.outcome, x.responder_name, x.responder_title,
                        [_plain(att) for att in x.attachments or []], x.returned_note) for x in item.answers or []],
        notes=[_plain(n) for n in item.notes or []], reminded_for=item.reminded_for,
        version=item.version, redirect=_plain(item.redirect) if item.redirect is not None else None,
        subject=item.subject or "",
    )


class StaleCase(Exception):
    """The case changed since it was read (optimistic locking)."""


def _raise_for(exc: TransactWriteError):
    reasons = [getattr(r, "code", None) if r else None for r in (exc.cancellation_reasons or [])]
    if "ConditionalCheckFailed" in reasons:
        raise StaleCase() from None
    if "TransactionConflict" in reasons or exc.cause_response_code == "TransactionInProgressException":
        raise TransientConflict() from None
    raise exc


class RoutingRepository:
    StaleCase = StaleCase
    TransientConflict = TransientConflict

    def load(self, no: str, district: str):
        """The case and its district's settings in one TransactGetItems call."""
        from .dynamo import DistrictRefItem
        with TransactGet(connection=_connection()) as tg:
            case_f = tg.get(CaseItem, *case_key(no))
            district_f = tg.get(DistrictRefItem, *district_key(district))
        try:
            case = from_item(case_f.get())
        except CaseItem.DoesNotExist:
            case = None
        try:
            settings = district_from_item(district_f.get())
        except DistrictRefItem.DoesNotExist:
            settings = None
        return case, settings

    def commit_forward(self, case: Case, assignments: list, extra: list | None = None) -> None:
        """One TransactWriteItems: the case (version-checked) and its new assignments
        (each must not exist yet); the case is routed, so its route marker goes."""
        from .dynamo import AssignmentItem, RouteMarker
        item = to_item(case)
        try:
            with TransactWrite(connection=_connection()) as tx:
                tx.save(item)
                tx.delete(RouteMarker(f"ROUTE#{case.application_no}", "ROUTE"))
                for a in assignments:
                    a_item = assignment_to_item(a, case.district)
                    tx.save(a_item, condition=AssignmentItem.pk.does_not_exist())
                for extra_item, condition in extra or []:
                    tx.save(extra_item, condition=condition)
        except TransactWriteError as exc:
            _raise_for(exc)
        case.version = item.version

    def save_case(self, case: Case, *, routed: bool = False) -> None:
        from .dynamo import RouteMarker
        item = to_item(case)
        try:
            with TransactWrite(connection=_connection()) as tx:
                tx.save(item)
                if routed:
                    tx.delete(RouteMarker(f"ROUTE#{case.application_no}", "ROUTE"))
        except TransactWriteError as exc:
            _raise_for(exc)
        case.version = item.version

    def assignments(self, no: str) -> list:
        from .dynamo import AssignmentItem
        return [assignment_from_item(i) for i in
                AssignmentItem.query(f"CASE#{no}", AssignmentItem.sk.startswith("ASSIGN#"), consistent_read=True)]


class CaseWorkRepository(RoutingRepository, CaseRepository):
    """Reads a case with all its assignments in one Query, and commits a change to the
    case and one or more assignments in one version-checked transaction."""

    def load_with_assignments(self, no: str):
        from .dynamo import AssignmentItem
        case, assignments = None, []
        for raw in CaseItem._get_connection().query(f"CASE#{no}", consistent_read=True)["Items"]:
            sk = raw["sk"]["S"]
            if sk == "CASE":
                case = from_item(CaseItem.from_raw_data(raw))
            elif sk.startswith("ASSIGN#"):
                assignments.append(assignment_from_item(AssignmentItem.from_raw_data(raw)))
        return case, assignments

    def commit(self, case: Case, assignments: list, *, audit=None, new_assignments: list | None = None,
               others: list | None = None) -> None:
        from .dynamo import AssignmentItem, AuditItem
        case_item = to_item(case)
        other_items = [to_item(o) for o in others or []]
        a_items = [assignment_to_item(a, case.district) for a in assignments]
        try:
            with TransactWrite(connection=_connection()) as tx:
                tx.save(case_item)
                for o_item in other_items:
                    tx.save(o_item)
                for a_item in a_items:
                    tx.save(a_item)
                for a in new_assignments or []:
                    tx.save(assignment_to_item(a, case.district), condition=AssignmentItem.pk.does_not_exist())
                if audit is not None:
                    tx.save(audit, condition=AuditItem.pk.does_not_exist())
        except TransactWriteError as exc:
            _raise_for(exc)
        case.version = case_item.version
        for o, o_item in zip(others or [], other_items):
            o.version = o_item.version
        for a, a_item in zip(assignments, a_items):
            a.version = a_item.version
        for a in new_assignments or []:
            a.version = 1

    def district(self, code: str):
        from .dynamo import DistrictRefItem
        try:
            return district_from_item(DistrictRefItem.get(*district_key(code)))
        except DistrictRefItem.DoesNotExist:
            return None

    increment_counters = staticmethod(increment_counters)

    def counter(self, key: tuple[str, str]) -> int:
        try:
            return int(CounterItem.get(*key).count)
        except CounterItem.DoesNotExist:
            return 0

    def queue_page(self, index: str, hash_value: str, *, limit: int, cursor: dict | None, today: date,
                   status=None, case_type=None, category=None, institution=None, overdue=False,
                   received_from: date | None = None, received_to: date | None = None):
        """One page of a district's (or province's) queue, sorted by legal due date, read
        through an index Query with filters; never a Scan. Returns (cases, next cursor key)."""
        idx = getattr(CaseItem, index)
        conditions = [
            CaseItem.status == status if status else None,
            CaseItem.case_type == case_type if case_type else None,
            CaseItem.category == category if category else None,
            CaseItem.institution_ids.contains(institution) if institution else None,
            CaseItem.received_at >= received_from.isoformat() if received_from else None,
            CaseItem.received_at < (received_to + timedelta(days=1)).isoformat() if received_to else None,
        ]
        if overdue:
            late = (CaseItem.legal_due_date < today.isoformat()) | (CaseItem.sla_due_date < today.isoformat())
            conditions.append(late & ~CaseItem.status.is_in("concluded", "not_processed"))
        condition = None
        for cond in conditions:
            if cond is not None:
                condition = cond if condition is None else condition & cond
        result = idx.query(hash_value, filter_condition=condition, last_evaluated_key=cursor,
                           page_size=100 if condition is not None else limit)
        found = []
        for item in result:
            found.append(item)
            if len(found) == limit:
                return [from_item(i, with_personal_data=False) for i in found], _key_of(item, index)
        return [from_item(i, with_personal_data=False) for i in found], None


    def count_status(self, district: str, status: str) -> int:
        return CaseItem.by_district_status.count(f"D#{district}#{status}")

    def legal_due_since(self, district: str, since: date) -> list:
        return [from_item(i, with_personal_data=False)
                for i in CaseItem.by_district.query(f"D#{district}", CaseItem.gsi1sk >= since.isoformat())]


_INDEX_KEYS = {"by_district": ("gsi1pk", "gsi1sk"), "by_district_status": ("gsi2pk", "gsi2sk"),
               "by_province": ("gsi4pk", "gsi4sk")}


def _key_of(item, index: str) -> dict:
    h, r = _INDEX_KEYS[index]
    return {"pk": {"S": item.pk}, "sk": {"S": item.sk}, h: {"S": getattr(item, h)}, r: {"S": getattr(item, r)}}


class WatchRepository(CaseWorkRepository):
    """Reads for the scheduled sweeps: only what the sparse `sweep` index says is due."""

    def due(self, kind: str, now: datetime, shards: int) -> list:
        from ..domain.watch import sweep_key
        from .dynamo import AssignmentItem, RouteMarker
        model = {"A": AssignmentItem, "C": CaseItem, "R": RouteMarker}[kind]
        upper = sweep_key(now, "\uffff")
        out = []
        for shard in range(shards):
            out.extend(model.sweep.query(f"{kind}#{shard}", model.sweep_sk <= upper))
        return out

    def save_assignment(self, assignment, district: str) -> bool:
        """Version-checked; False when someone else changed it first (e.g. a concurrent sweep)."""
        from pynamodb.exceptions import PutError
        item = assignment_to_item(assignment, district)
        try:
            item.save()
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        assignment.version = item.version
        return True

    def postpone_marker(self, marker, until: datetime) -> None:
        from ..domain.watch import sweep_key
        from .dynamo import RouteMarker
        no = marker.pk.split("#", 1)[1]
        try:
            marker.update(actions=[RouteMarker.sweep_sk.set(sweep_key(until, no))],
                          condition=RouteMarker.pk.exists())
        except Exception:  # noqa: BLE001 - routed (and deleted) meanwhile: nothing to postpone
            pass

    def try_save_case(self, case) -> bool:
        try:
            self.save_case(case)
            return True
        except (StaleCase, TransientConflict):
            return False

    def digest_new(self, district: str, day: date) -> list[str]:
        from .dynamo import DigestItem
        try:
            return sorted(DigestItem.get(f"DIGEST#{district}", day.isoformat()).new or [])
        except DigestItem.DoesNotExist:
            return []

    def open_due_by(self, district: str, day: date) -> list:
        """Open cases of a district whose legal due date is on or before `day`: one
        by_district_status Query per open status, reading only those cases."""
        open_statuses = ("received", "in_review", "forwarded", "awaiting_applicant", "institution_answered",
                         "under_evaluation")
        out = []
        for status in open_statuses:
            for item in CaseItem.by_district_status.query(f"D#{district}#{status}",
                                                          CaseItem.gsi2sk <= f"{day.isoformat()}#\uffff"):
                out.append(from_item(item, with_personal_data=False))
        return sorted(out, key=lambda c: (c.legal_due_date, c.application_no))
