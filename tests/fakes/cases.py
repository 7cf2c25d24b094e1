"""The `CaseRepository` fake: cases and assignments in dicts, with the semantics of the
DynamoDB adapter (version checks, conditional puts, all-or-nothing commits, index reads
in the same order, and the statistics each change moves)."""
from __future__ import annotations

import base64
import copy
import json
import threading
from datetime import datetime, timedelta

from chalicelib.domain import offices as O
from chalicelib.domain import sweeps
from chalicelib.domain.case import Applicant
from chalicelib.domain.otp import pair_fingerprint
from chalicelib.domain.repeats import ApplicantRow
from chalicelib.domain.sweeps import PendingRoute
from chalicelib.services.ports import (QUEUE_EVALUATED_PER_PAGE, DuplicateApplicationNo, IdempotencyKeyTaken,
                                       InvalidCursor, QueueQuery, StaleCase)


def _due(c) -> str:
    """The queue's order key: a case that owes no answer (a thanks) sorts last."""
    return c.legal_due_date.isoformat() if c.legal_due_date else "9999-12-31"


OPEN = ("received", "in_review", "forwarded", "awaiting_applicant", "institution_answered", "under_evaluation")
CLOSED = ("concluded", "not_processed")


def _without_personal_data(case):
    c = copy.deepcopy(case)
    c.applicant = Applicant("", "", "", "", "")
    c.description = ""
    c.location = None
    return c


class FakeCases:
    def __init__(self, *, audit=None, statistics=None, reference=None, counters=None, partners=None):
        from tests.fakes.statistics import FakeStatistics
        from tests.fakes.stores import FakeAudit, FakeCounters, FakePartnerKeys, FakeReferenceData
        self.audit = audit or FakeAudit()
        self.statistics = statistics or FakeStatistics()
        self.reference = reference or FakeReferenceData()
        self.counters_ = counters or FakeCounters()
        self.partners_ = partners or FakePartnerKeys()
        self.statistics.cases_of = lambda office: [c for c in self.cases.values() if c.office == office]
        self.cases: dict[str, object] = {}
        self.assignments_: dict[tuple[str, str], tuple[object, str]] = {}
        self.idempotency: dict[str, object] = {}
        self.postponed: dict[str, datetime] = {}   # re-route slots moved by postpone_route
        self.destroyed: list[dict] = []
        self.archived: set[str] = set()     # numbers whose file is in the archive (tiering)
        self.keys_ = None   # fake_ports() sets it: the applicant index is the keys' HMAC
        self._lock = threading.Lock()

    # versioned writes, checked first and applied after: all or nothing
    def _check_case(self, case, *, new: bool = False):
        stored = self.cases.get(case.application_no)
        if new:
            return stored is None
        if stored is not None and stored.stored_archive is not None and case.stored_archive is None:
            return False     # read before the case was archived: as the adapter, refused as stale
        return (stored is None and case.version is None) or (stored is not None and stored.version == case.version)

    def _check_assignment(self, a, *, new: bool = False):
        stored = self.assignments_.get((a.application_no, a.institution.id))
        if new:
            return stored is None
        return (stored is None and a.version is None) or (stored is not None and stored[0].version == a.version)

    def _put_case(self, case):
        stored = self.cases.get(case.application_no)
        self.postponed.pop(case.application_no, None)   # a save lays the case's sweep slot anew
        self.statistics.move(stored.status if stored is not None else None, case)
        self.archived.discard(case.application_no)    # a write brings an archived case back
        case.stored_archive = None
        case.version = (case.version or 0) + 1
        case.stored_status = case.status
        self.cases[case.application_no] = copy.deepcopy(case)

    def _put_assignment(self, a, district: str, *, new: bool = False):
        a.version = 1 if new else (a.version or 0) + 1
        self.assignments_[(a.application_no, a.institution.id)] = (copy.deepcopy(a), district)

    # submissions and tracking
    def add_submission(self, case, idempotency, partner_use=None):
        if not self._check_case(case, new=True):
            raise DuplicateApplicationNo()
        earlier = self.idempotency.get(idempotency.key) if idempotency is not None else None
        if earlier is not None and earlier.in_force(case.recorded_at or case.received_at):
            raise IdempotencyKeyTaken()
        if partner_use is not None:
            from chalicelib.domain.throttle import Counter
            from chalicelib.services.ports import PartnerRefused
            p = self.partners_.keys.get(partner_use.key_hash)
            if p is None or p.revoked_at is not None:
                raise PartnerRefused("revoked")
            counter = Counter("o311-file", partner_use.partner_id, partner_use.window)
            if self.counters_.counts.get(counter, 0) >= partner_use.limit:
                raise PartnerRefused("limited")
            self.counters_.counts[counter] = self.counters_.counts.get(counter, 0) + 1
            p.uses += 1
            p.last_used_at = partner_use.at
        self._put_case(case)
        if idempotency is not None:
            self.idempotency[idempotency.key] = idempotency

    def get_idempotency(self, key):
        return self.idempotency.get(key)

    def ready(self):
        pass

    def pair_known(self, fingerprint):
        return any(pair_fingerprint(self.keys_, c.applicant.national_id, c.applicant.phone) == fingerprint
                   for c in self.cases.values() if c.anonymised_at is None)

    def get_public(self, no):
        case = self.cases.get(no)
        return _without_personal_data(case) if case else None

    # cases and assignments
    def get(self, no):
        return copy.deepcopy(self.cases.get(no))

    def _assignments_of(self, no):
        return [copy.deepcopy(a) for (n, _), (a, _d) in sorted(self.assignments_.items()) if n == no]

    def load_with_assignments(self, no, *, with_personal_data=True):
        case = self.cases.get(no)
        if case is not None and not with_personal_data:
            case = _without_personal_data(case)
        return copy.deepcopy(case), self._assignments_of(no)

    def load_for_routing(self, no, district, office):
        province = O.province_wide(O.province_of(district) or "")
        return (copy.deepcopy(self.cases.get(no)), self.reference.district(district),
                self.reference.district(province), self.reference.office(office))

    def assignments(self, no):
        return self._assignments_of(no)

    def commit(self, case, assignments, *, audit=None, new_assignments=None, others=None):
        ok = (self._check_case(case) and all(self._check_case(o) for o in others or [])
              and all(self._check_assignment(a) for a in assignments)
              and all(self._check_assignment(a, new=True) for a in new_assignments or []))
        if not ok:
            raise StaleCase()
        self._put_case(case)
        for o in others or []:
            self._put_case(o)
        for a in assignments:
            self._put_assignment(a, case.office)
        for a in new_assignments or []:
            self._put_assignment(a, case.office, new=True)
        if audit is not None:
            self.audit.entries.append(audit)

    def commit_forward(self, case, assignments, *, changed=()):
        if (not self._check_case(case) or not all(self._check_assignment(a, new=True) for a in assignments)
                or not all(self._check_assignment(a) for a in changed)):
            raise StaleCase()
        self._put_case(case)
        for a in assignments:
            self._put_assignment(a, case.office, new=True)
        for a in changed:
            self._put_assignment(a, case.office)

    def save_case(self, case):
        if not self._check_case(case):
            raise StaleCase()
        self._put_case(case)

    def try_save_case(self, case):
        try:
            self.save_case(case)
            return True
        except StaleCase:
            return False

    def save_assignment(self, assignment, district):
        if not self._check_assignment(assignment):
            return False
        self._put_assignment(assignment, district)
        return True

    # the office's reads, in index order: (legal due date, number)
    def queue_page(self, q: QueueQuery):
        scope = ("D", q.district, q.status or "") if q.district else ("P", q.province, "")
        rows = sorted((c for c in self.cases.values()
                       if (c.office == q.district if q.district else c.province == q.province)),
                      key=lambda c: (_due(c), c.application_no))
        if q.district and q.status:     # one status exactly
            rows = [c for c in rows if c.status.value == q.status]
        else:                           # the open-case index: closed history is not in it
            rows = [c for c in rows if c.status.value not in CLOSED]
        after = _decode(q.cursor, scope) if q.cursor else None
        if after is not None:
            rows = [c for c in rows if (_due(c), c.application_no) > tuple(after)]
        today = q.today
        found = []
        for examined, c in enumerate(rows, start=1):
            if examined > QUEUE_EVALUATED_PER_PAGE:      # the adapter's bound on what a page reads
                last = rows[examined - 2]
                return [_without_personal_data(x) for x in found], _encode(scope, (_due(last), last.application_no))
            if q.status and not q.district and c.status.value != q.status:
                continue
            if q.case_type and c.type != q.case_type or q.category and c.category != q.category:
                continue
            if q.institution and q.institution not in [i["id"] for i in c.institutions]:
                continue
            if q.received_from and c.received_at.isoformat() < q.received_from.isoformat():
                continue
            if q.received_to and c.received_at.isoformat() >= (q.received_to + timedelta(days=1)).isoformat():
                continue
            if q.overdue and not (c.status.value not in CLOSED and (
                    _due(c) < today.isoformat() or (c.sla_due_date is not None and c.sla_due_date < today))):
                continue
            found.append(c)
            if len(found) == q.limit:
                return ([_without_personal_data(x) for x in found],
                        _encode(scope, (_due(c), c.application_no)))
        return [_without_personal_data(x) for x in found], None

    def open_cases_near(self, district, category, cells, received_from, limit=25):
        found = [c for c in self.cases.values() if c.office == district and c.category == category
                 and not c.closed and c.geocell in cells and c.received_at >= received_from]
        return [copy.deepcopy(c) for c in found[:limit]]

    # sweeps: shard by shard, by sweep key, like the sparse index
    def _due(self, entries, now):
        upper = sweeps.sweep_key(now, "\uffff")
        keyed = [(sweeps.shard_of(ident), sweeps.sweep_key(at, ident), value) for ident, at, value in entries
                 if at is not None]
        return [v for shard, sk, v in sorted(keyed, key=lambda t: (t[0], t[1])) if sk <= upper]

    def due_assignments(self, now):
        from chalicelib.domain.calendar import default_calendar
        entries = []
        for (a, district) in self.assignments_.values():
            pending = sweeps.assignment_next(a, default_calendar())
            entries.append((a.id, pending[1] if pending else None, (copy.deepcopy(a), district)))
        return self._due(entries, now)

    def open_for_institution(self, institution_id, limit=200):
        found = sorted((copy.deepcopy(a) for a, _ in self.assignments_.values()
                        if a.institution.id == institution_id and a.is_open),
                       key=lambda a: (a.sla_due_date, a.application_no))
        return found[:limit], len(found) > limit

    def case_states(self, nos):
        return {no: (self.cases[no].status, self.cases[no].concluded_at) for no in nos if no in self.cases}

    def _slots(self, kind):
        from chalicelib.domain.calendar import default_calendar
        for c in self.cases.values():
            slot = sweeps.case_slot(c, default_calendar())
            if slot is not None and slot[0] == kind:
                yield c, self.postponed.get(c.application_no, slot[1])

    def due_cases(self, now):
        return self._due([(c.application_no, at, copy.deepcopy(c)) for c, at in self._slots(sweeps.CASE_KIND)], now)

    def due_routes(self, now):
        return self._due([(c.application_no, at, PendingRoute(c.application_no, c.district))
                          for c, at in self._slots(sweeps.ROUTE_KIND)], now)

    def postpone_route(self, no, until):
        if no in self.cases and sweeps.route_due(self.cases[no]) is not None:
            self.postponed[no] = until

    def digest_cases(self, office, due_by, windows, received_since):
        return sorted((_without_personal_data(c) for c in self.cases.values()
                       if c.office == office and c.status.value in OPEN
                       and ((c.legal_due_date is not None and c.legal_due_date <= due_by)
                            or c.received_at >= received_since)), key=lambda c: (_due(c), c.application_no))

    # KVKK
    def due_retention(self, now):
        from chalicelib.config import settings
        from chalicelib.domain import retention as R
        from chalicelib.domain.calendar import local_date
        return [c.application_no for c in sorted(self.cases.values(), key=lambda c: c.application_no)
                if c.closed and not c.anonymised_at and not c.legal_hold
                and R.due(local_date(c.closed_at), local_date(now), years=settings().retention_years)]

    def due_archive(self, now, limit):
        """As the adapter lists them: the closed cases (not held, not anonymised, not archived)
        whose retention ends by the archive horizon; archive_case checks each."""
        from chalicelib.config import settings
        from chalicelib.domain import retention as R
        from chalicelib.domain.calendar import local_date
        years = settings().retention_years
        if years <= R.ARCHIVE_AFTER_YEARS:
            return []
        horizon = R.archive_horizon(local_date(now), years)
        return [c.application_no for c in sorted(self.cases.values(), key=lambda c: c.application_no)
                if c.closed and not c.anonymised_at and not c.legal_hold and c.application_no not in self.archived
                and R.retention_end(local_date(c.closed_at), years) <= horizon][:limit]

    def archive_case(self, no, now):
        from chalicelib.config import settings
        from chalicelib.domain import retention as R
        from chalicelib.domain.calendar import local_date
        case = self.cases.get(no)
        if case is None or no in self.archived or \
                not R.archivable(case, self._assignments_of(no), local_date(now), years=settings().retention_years):
            return False
        self.archived.add(no)
        case.stored_archive = "archived"     # every copy read from now on carries it
        return True

    def commit_destruction(self, case, assignments, entries, *, run_id, at, audit=None):
        with self._lock:
            stored = self.cases.get(case.application_no)
            if stored is None or stored.anonymised_at is not None or not self._check_case(case) or \
                    not all(self._check_assignment(a) for a in assignments):
                raise StaleCase()
            self._put_case(case)
            for a in assignments:
                self._put_assignment(a, case.office)
            for e in entries:
                self.destroyed.append({"at": at.isoformat(), "application_no": case.application_no, "record": e.record,
                                       "ref": e.ref, "rule": e.rule, "run_id": run_id, "district": case.district})
            if audit is not None:
                self.audit.record(audit)

    def applicant_page(self, nid_hash, limit, cursor):
        mine = sorted((c for c in self.cases.values() if c.anonymised_at is None
                       and self.keys_.national_id_hash(c.applicant.national_id) == nid_hash),
                      key=lambda c: c.received_at, reverse=True)
        start = int(cursor) if cursor else 0
        page = mine[start:start + limit]
        return [copy.deepcopy(c) for c in page], (str(start + limit) if start + limit < len(mine) else None)

    def applicant_names(self, nos):
        return {no: f"{self.cases[no].applicant.first_name} {self.cases[no].applicant.last_name}".strip()
                for no in nos if no in self.cases}

    def applicant_rows(self, nid_hash, limit=100):
        rows = sorted((c for c in self.cases.values() if c.anonymised_at is None
                       and self.keys_.national_id_hash(c.applicant.national_id) == nid_hash),
                      key=lambda c: c.received_at, reverse=True)
        return [ApplicantRow(c.application_no, c.type, c.category, c.district, c.province, c.subject, c.received_at,
                             c.text_sketch, c.office) for c in rows[:limit]]

    def cases_of_applicant(self, national_id):
        return [copy.deepcopy(c) for c in self.cases.values()
                if c.applicant.national_id == national_id and c.anonymised_at is None]

    def destruction_log(self, district, limit=50, cursor=None):
        rows = [{k: v for k, v in r.items() if k != "district"} for r in reversed(self.destroyed)
                if r["district"] == district]
        return rows[:limit], None

    def partner_case_numbers(self, partner_id, since, limit):
        mine = [c for c in self.cases.values() if c.partner and c.partner["id"] == partner_id and c.updated_at >= since]
        mine.sort(key=lambda c: (c.updated_at, c.application_no), reverse=True)
        return [c.application_no for c in mine[:limit]]

    def partner_requests(self, q):
        from chalicelib.domain.open311 import open_or_closed
        mine = [c for c in self.cases.values() if c.partner and c.partner["id"] == q.partner_id
                and c.updated_at >= q.start and q.start <= c.received_at <= q.end
                and open_or_closed(c.status) in q.states and (not q.categories or c.category in q.categories)
                and (q.district is None or c.district == q.district)]
        mine.sort(key=lambda c: (c.updated_at, c.application_no), reverse=True)
        return [c.application_no for c in mine[q.offset:q.offset + q.limit]]

    def cases_public(self, nos, *, consistent=True):
        return [_without_personal_data(self.cases[no]) for no in nos if no in self.cases]

def _encode(scope, after) -> str:
    return base64.urlsafe_b64encode(json.dumps([list(scope), list(after)]).encode()).decode()


def _decode(cursor, scope):
    try:
        got_scope, after = json.loads(base64.urlsafe_b64decode(cursor))
        if tuple(got_scope) != scope:
            raise ValueError
        return after
    except (ValueError, TypeError):
        raise InvalidCursor() from None


