"""In-memory fakes of every port, with the semantics of the real adapters: version
checks, conditional puts, all-or-nothing commits, and index reads in the same order
(tests/contract runs one suite against these and against the DynamoDB store).

Service rules are unit-tested on these, with a fixed clock and literal dates."""
from __future__ import annotations

import base64
import copy
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from chalicelib.domain import open_stats as O
from chalicelib.domain import stats as S
from chalicelib.domain import watch
from chalicelib.domain.case import Applicant
from chalicelib.domain.crypto import Keyring, SigningKeys
from chalicelib.domain.records import PendingRoute
from chalicelib.domain.repeats import ApplicantRow
from chalicelib.services.ports import (DuplicateApplicationNo, IdempotencyKeyTaken, InvalidCursor, Ports,
                                       QueueQuery, StaleCase)

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


class FakeStore:
    def __init__(self, audit: "FakeAudit | None" = None):
        self.audit = audit or FakeAudit()
        self.cases: dict[str, object] = {}
        self.assignments_: dict[tuple[str, str], tuple[object, str]] = {}
        self.idempotency: dict[str, object] = {}
        self.counters: dict[tuple, int] = {}
        self.districts: dict[str, object] = {}
        self.registry: set[str] = set()
        self.postponed: dict[str, datetime] = {}   # re-route slots moved by postpone_route
        self.surveys: dict[str, object] = {}
        self.staff_: dict[str, object] = {}
        self.members: dict[object, set] = {}
        self.stats: dict[str, S.DistrictStats] = {}
        self.month_cells_: dict[tuple[str, str, str], dict[str, int]] = {}
        self.published: dict[tuple[str, str | None], dict] = {}
        self.published_index: list[dict] = []
        self.published_digests_: dict[str, dict] = {}
        self.partners_: dict[str, object] = {}      # key hash -> Partner
        self.partner_windows: dict[str, tuple[int, int]] = {}
        self.destroyed: list[dict] = []
        self.subject_requests_: dict[str, object] = {}
        self.otps: dict[str, list] = {}
        self.keys_ = None   # fake_ports() sets it: the applicant index is the keys' HMAC
        self._lock = threading.Lock()

    # versioned writes, checked first and applied after: all or nothing
    def _check_case(self, case, *, new: bool = False):
        stored = self.cases.get(case.application_no)
        if new:
            return stored is None
        return (stored is None and case.version is None) or (stored is not None and stored.version == case.version)

    def _check_assignment(self, a, *, new: bool = False):
        stored = self.assignments_.get((a.application_no, a.institution.id))
        if new:
            return stored is None
        return (stored is None and a.version is None) or (stored is not None and stored[0].version == a.version)

    def _put_case(self, case):
        stored = self.cases.get(case.application_no)
        self.postponed.pop(case.application_no, None)   # a save lays the case's sweep slot anew
        stats = self.stats.setdefault(case.district, S.DistrictStats())
        moved = S.moves(stored.status if stored is not None else None, case)
        for counter, key, delta in moved:
            table = getattr(stats, counter)
            table[key] = table.get(key, 0) + delta
        for week in S.stale_weeks(moved):
            for counter in ("intake", "concluded", "on_time"):
                if not any(c == counter and k == week for c, k, _ in moved):
                    getattr(stats, counter).pop(week, None)
        self._move_cells(O.month_moves(stored.status if stored is not None else None, case))
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
            from chalicelib.domain.records import Counter
            from chalicelib.services.ports import PartnerRefused
            p = self.partners_.get(partner_use.key_hash)
            if p is None or p.revoked_at is not None:
                raise PartnerRefused("revoked")
            counter = Counter("o311-file", partner_use.partner_id, partner_use.window)
            if self.counters.get(counter, 0) >= partner_use.limit:
                raise PartnerRefused("limited")
            self.counters[counter] = self.counters.get(counter, 0) + 1
            p.uses += 1
            p.last_used_at = partner_use.at
        self._put_case(case)
        if idempotency is not None:
            self.idempotency[idempotency.key] = idempotency

    def get_idempotency(self, key):
        return self.idempotency.get(key)

    def ready(self):
        pass

    def take_attempt(self, counter, limit, expires_at):
        with self._lock:   # one conditional write in DynamoDB: atomic there, so atomic here
            if self.counters.get(counter, 0) >= limit:
                return False
            self.counters[counter] = self.counters.get(counter, 0) + 1
            return True

    def give_back_attempt(self, counter):
        with self._lock:
            if self.counters.get(counter, 0) > 0:
                self.counters[counter] -= 1

    def get_public_and_count(self, no, counter):
        case = self.cases.get(no)
        return (_without_personal_data(case) if case else None), self.counters.get(counter, 0)

    def increment_counter(self, counter, expires_at):
        with self._lock:
            self.counters[counter] = self.counters.get(counter, 0) + 1

    def claim_within_limit(self, counter, member, limit, expires_at):
        members = self.members.setdefault(counter, set())
        if member in members:
            return True
        if len(members) >= limit:
            return False
        members.add(member)
        self.counters[counter] = len(members)
        return True

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

    def load_for_routing(self, no, district):
        return copy.deepcopy(self.cases.get(no)), copy.deepcopy(self.districts.get(district))

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
            self._put_assignment(a, case.district)
        for a in new_assignments or []:
            self._put_assignment(a, case.district, new=True)
        if audit is not None:
            self.audit.entries.append(audit)

    def commit_forward(self, case, assignments, *, changed=()):
        if (not self._check_case(case) or not all(self._check_assignment(a, new=True) for a in assignments)
                or not all(self._check_assignment(a) for a in changed)):
            raise StaleCase()
        self._put_case(case)
        for a in assignments:
            self._put_assignment(a, case.district, new=True)
        for a in changed:
            self._put_assignment(a, case.district)

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

    # districts
    def district(self, code):
        return copy.deepcopy(self.districts.get(code))

    def save_district(self, settings):
        stored = self.districts.get(settings.district)
        if (stored.version if stored else None) != settings.version:
            raise StaleCase()
        settings.version = (settings.version or 0) + 1
        self.districts[settings.district] = copy.deepcopy(settings)

    def staff(self, username):
        return copy.deepcopy(self.staff_.get(username.lower()))

    def save_staff(self, member):
        stored = self.staff_.get(member.username.lower())
        if (stored.version if stored else None) != member.version:
            raise StaleCase()
        member.version = (member.version or 0) + 1
        self.staff_[member.username.lower()] = copy.deepcopy(member)

    def register_district(self, code):
        self.registry.add(code)

    def registered_districts(self):
        return sorted(self.registry)

    # the office's reads, in index order: (legal due date, number)
    def queue_page(self, q: QueueQuery):
        scope = ("D", q.district, q.status or "") if q.district else ("P", q.province, "")
        rows = sorted((c for c in self.cases.values()
                       if (c.district == q.district if q.district else c.province == q.province)),
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
        for c in rows:
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

    def district_stats(self, district):
        return copy.deepcopy(self.stats.get(district, S.DistrictStats()))

    def open_cases_near(self, district, category, cells, received_from, limit=25):
        found = [c for c in self.cases.values() if c.district == district and c.category == category
                 and not c.closed and c.geocell in cells and c.received_at >= received_from]
        return [copy.deepcopy(c) for c in found[:limit]]

    # open statistics
    def _move_cells(self, moved):
        for cell, name, delta in moved:
            counts = self.month_cells_.setdefault(cell, {})
            counts[name] = counts.get(name, 0) + delta

    def month_cells(self, month):
        return [(d, t, dict(c)) for (m, d, t), c in sorted(self.month_cells_.items()) if m == month]

    def save_published_stats(self, month, document, index, at, *, changed, digests):
        for scope in changed:
            rows = document["national"] if scope == "" else document["provinces"][scope]
            self.published[(month, scope or None)] = {"month": month, "provisional": document["provisional"],
                                                      "rows": copy.deepcopy(rows)}
        self.published_digests_[month] = dict(digests)
        self.published_index = copy.deepcopy(index)

    def published_digests(self, month):
        return dict(self.published_digests_.get(month, {}))

    def published_stats(self, month, province):
        index = copy.deepcopy(self.published_index)
        if month is None:
            month = index[-1]["month"] if index else None
        return index, copy.deepcopy(self.published.get((month, province)))

    # sweeps: shard by shard, by sweep key, like the sparse index
    def _due(self, entries, now):
        upper = watch.sweep_key(now, "\uffff")
        keyed = [(watch.shard_of(ident), watch.sweep_key(at, ident), value) for ident, at, value in entries
                 if at is not None]
        return [v for shard, sk, v in sorted(keyed, key=lambda t: (t[0], t[1])) if sk <= upper]

    def due_assignments(self, now):
        from chalicelib.domain.calendar import default_calendar
        entries = []
        for (a, district) in self.assignments_.values():
            pending = watch.assignment_next(a, default_calendar())
            entries.append((a.id, pending[1] if pending else None, (copy.deepcopy(a), district)))
        return self._due(entries, now)

    def case_states(self, nos):
        return {no: (self.cases[no].status, self.cases[no].concluded_at) for no in nos if no in self.cases}

    def _slots(self, kind):
        from chalicelib.domain.calendar import default_calendar
        for c in self.cases.values():
            slot = watch.case_slot(c, default_calendar())
            if slot is not None and slot[0] == kind:
                yield c, self.postponed.get(c.application_no, slot[1])

    def due_cases(self, now):
        return self._due([(c.application_no, at, copy.deepcopy(c)) for c, at in self._slots(watch.CASE_KIND)], now)

    def due_routes(self, now):
        return self._due([(c.application_no, at, PendingRoute(c.application_no, c.district))
                          for c, at in self._slots(watch.ROUTE_KIND)], now)

    def postpone_route(self, no, until):
        if no in self.cases and watch.route_due(self.cases[no]) is not None:
            self.postponed[no] = until

    def open_cases(self, district):
        return sorted((_without_personal_data(c) for c in self.cases.values()
                       if c.district == district and c.status.value in OPEN), key=lambda c: (_due(c), c.application_no))

    # KVKK
    def due_retention(self, now):
        from chalicelib.config import settings
        from chalicelib.domain import retention as R
        from chalicelib.domain.calendar import local_date
        return [_without_personal_data(c) for c in sorted(self.cases.values(), key=lambda c: c.application_no)
                if c.closed and not c.anonymised_at and not c.legal_hold
                and R.due(local_date(c.closed_at), local_date(now), years=settings().retention_years)]

    def erase_survey_comment(self, no):
        s = self.surveys.get(no)
        if s is None or not s.comment:
            return False
        import dataclasses
        self.surveys[no] = dataclasses.replace(s, comment=None)
        return True

    def commit_destruction(self, case, assignments, entries, *, run_id, at, audit=None):
        with self._lock:
            stored = self.cases.get(case.application_no)
            if stored is None or stored.anonymised_at is not None or not self._check_case(case) or \
                    not all(self._check_assignment(a) for a in assignments):
                raise StaleCase()
            self._put_case(case)
            for a in assignments:
                self._put_assignment(a, case.district)
            for e in entries:
                self.destroyed.append({"at": at.isoformat(), "application_no": case.application_no, "record": e.record,
                                       "ref": e.ref, "rule": e.rule, "run_id": run_id, "district": case.district})
            if audit is not None:
                self.audit.record(audit)

    def add_subject_request(self, r):
        r.version = 1
        self.subject_requests_[r.id] = copy.deepcopy(r)

    def subject_request(self, rid):
        return copy.deepcopy(self.subject_requests_.get(rid))

    def save_subject_request(self, r):
        stored = self.subject_requests_.get(r.id)
        if stored is None or stored.version != r.version:
            raise StaleCase()
        r.version += 1
        self.subject_requests_[r.id] = copy.deepcopy(r)

    def subject_requests(self, district, status, limit=100):
        return sorted((copy.deepcopy(r) for r in self.subject_requests_.values()
                       if r.district == district and r.status == status), key=lambda r: (r.due_on, r.id))[:limit]

    def due_subject_requests(self, now):
        from chalicelib.domain.calendar import local_date
        return [copy.deepcopy(r) for r in self.subject_requests_.values()
                if r.status == "open" and not r.warned and r.warn_on <= local_date(now)]

    def put_otp(self, subject, code_hash, valid_until):
        self.otps[subject] = [code_hash, 0, valid_until]

    def try_otp(self, subject, now, max_tries):
        with self._lock:
            rec = self.otps.get(subject)
            if rec is None or rec[1] >= max_tries or rec[2] <= now:
                return None
            rec[1] += 1
            return rec[0]

    def delete_otp(self, subject):
        self.otps.pop(subject, None)

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
                             c.text_sketch) for c in rows[:limit]]

    def cases_of_applicant(self, national_id):
        return [copy.deepcopy(c) for c in self.cases.values()
                if c.applicant.national_id == national_id and c.anonymised_at is None]

    def destruction_log(self, district, limit=50, cursor=None):
        rows = [{k: v for k, v in r.items() if k != "district"} for r in reversed(self.destroyed)
                if r["district"] == district]
        return rows[:limit], None

    # Open311 partners
    def add_partner(self, partner):
        assert partner.key_hash not in self.partners_
        self.partners_[partner.key_hash] = copy.deepcopy(partner)

    def partners(self):
        return [copy.deepcopy(p) for _, p in sorted(self.partners_.items())]

    def partner(self, key_hash):
        return copy.deepcopy(self.partners_.get(key_hash))

    def revoke_partner(self, key_hash, at):
        p = self.partners_.get(key_hash)
        if p is None or p.revoked_at is not None:
            return False
        p.revoked_at = at
        return True

    def use_partner_key(self, key_hash, window, now):
        with self._lock:
            p = self.partners_.get(key_hash)
            if p is None:
                return "unknown", None
            if p.revoked_at is not None:
                return "revoked", copy.deepcopy(p)
            win, used = self.partner_windows.get(key_hash, (0, 0))
            if win == window and used >= p.rate_limit:
                return "limited", copy.deepcopy(p)
            self.partner_windows[key_hash] = (window, used + 1 if win == window else 1)
            p.uses += 1
            p.last_used_at = now
            return "ok", copy.deepcopy(p)

    def partner_case_numbers(self, partner_id, since, limit):
        mine = [c for c in self.cases.values() if c.partner and c.partner["id"] == partner_id and c.updated_at >= since]
        mine.sort(key=lambda c: (c.updated_at, c.application_no), reverse=True)
        return [c.application_no for c in mine[:limit]]

    def cases_public(self, nos):
        return [_without_personal_data(self.cases[no]) for no in nos if no in self.cases]

    # surveys
    def add_survey(self, answer):
        if answer.application_no in self.surveys:
            return False
        self.surveys[answer.application_no] = answer
        if answer.type:
            from datetime import date as _date
            self._move_cells(O.survey_moves(answer.district, answer.type, _date.fromisoformat(answer.answered_on),
                                            answer.rating))
        return True

    def survey_answered(self, no):
        return no in self.surveys


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


@dataclass
class FakeAudit:
    entries: list = field(default_factory=list)

    def record(self, entry):
        self.entries.append(entry)

    def trail(self, subject):
        return [{"at": e.at.isoformat(), "actor": e.actor, "role": e.role, "action": e.action,
                 "source_ip": e.source_ip, "detail": dict(e.detail)} for e in self.entries if e.subject == subject]

    def actions(self, subject=None):
        return [e.action for e in self.entries if subject is None or e.subject == subject]


@dataclass
class FakePublisher:
    routed: list = field(default_factory=list)
    notified: list = field(default_factory=list)

    def ready(self):
        pass

    def route(self, message):
        self.routed.append(message)

    def route_many(self, messages):
        self.routed.extend(messages)

    def notify(self, notifications):
        self.notified.extend(notifications)

    def templates(self):
        return [n.template for n in self.notified]


class FakeStorage:
    UPLOAD_URL_SECONDS = 900

    def __init__(self):
        self.objects: dict[str, tuple[str, bytes]] = {}

    @staticmethod
    def attachment_key(application_no, owner, attachment_id):
        return f"uploads/{application_no}/{owner}/{attachment_id}"

    def presigned_upload(self, key, content_type):
        return {"url": "https://blobs.test/upload", "fields": {"key": key, "Content-Type": content_type}}

    def presigned_download(self, key, filename, content_type):
        return f"https://blobs.test/{key}?filename={filename}&type={content_type}"

    def read(self, key):
        return self.objects[key][1]

    def inspect(self, key):
        if key not in self.objects:
            return None
        content_type, body = self.objects[key]
        return {"size": len(body), "content_type": content_type, "head": body[:16]}

    def delete(self, key):
        self.objects.pop(key, None)

    def write(self, key, body, content_type):
        self.objects[key] = (content_type, body)

    @staticmethod
    def kept_key(upload_key):
        return "files/" + upload_key.removeprefix("uploads/")

    def keep(self, key):
        kept = self.kept_key(key)
        self.objects[kept] = self.objects.pop(key)
        return kept

    def delete_case_objects(self, application_no):
        gone = [k for k in self.objects if k.startswith((f"uploads/{application_no}/", f"files/{application_no}/"))]
        for k in gone:
            del self.objects[k]
        return len(gone)


class FakeKeys:
    """Real cryptography with fixed keys; `rotate()` activates a new signing key that a
    warm container only learns of through `refresh_signing_keys`."""

    def __init__(self):
        self.keyring = Keyring.from_master(b"k" * 32)
        self._published = SigningKeys("t1", {"t1": b"t" * 40})
        self._loaded = self._published

    def rotate(self, kid: str):
        self._published = SigningKeys(kid, {**self._published.keys, kid: kid.encode() * 40})

    def signing_keys(self):
        return self._loaded

    def refresh_signing_keys(self):
        changed = self._loaded != self._published
        self._loaded = self._published
        return changed

    def seal(self, plaintext, context):
        return self.keyring.encrypt(plaintext, context)

    def unseal(self, token, context):
        return self.keyring.decrypt(token, context)

    def national_id_hash(self, national_id):
        return self.keyring.national_id_hash(national_id)

    def access_code_hash(self, no, code):
        return self.keyring.access_code_hash(no, code)

    def verify_access_code(self, no, code, stored):
        return self.keyring.verify_access_code(no, code, stored)

    def fingerprint(self, data):
        return self.keyring.fingerprint(data)


class FakeIdentity:
    """The identity provider: users, and what was mirrored into it."""

    def __init__(self, users=("masa.maltepe", "sorumlu.maltepe", "masa.cankaya", "yonetici")):
        self.users = {u: None for u in users}
        self.signed_out: list[str] = []

    def exists(self, username):
        return username in self.users

    def apply(self, member, *, sign_out):
        self.users[member.username] = copy.deepcopy(member)
        if sign_out:
            self.signed_out.append(member.username)


class FixedClock:
    def __init__(self, at: datetime):
        self.at = at

    def now(self):
        return self.at

    def advance(self, **delta):
        self.at += timedelta(**delta)


def fake_ports(at: datetime | None = None) -> Ports:
    audit = FakeAudit()
    keys, store = FakeKeys(), FakeStore(audit)
    store.keys_ = keys
    return Ports(store=store, audit=audit, publisher=FakePublisher(), storage=FakeStorage(),
                 identity=FakeIdentity(),
                 keys=keys, clock=FixedClock(at or datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)))
