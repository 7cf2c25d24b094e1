"""Fakes of the small stores: staff directory, partner keys, phone codes, data-subject
requests, reference data, counters, the audit log and the notification claims. Each has
the semantics of its DynamoDB adapter (version checks, conditional writes) and passes
the same contract suite (tests/contract)."""
from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field

from chalicelib.services.ports import StaleCase


class FakeStaffDirectory:
    def __init__(self):
        self._members: dict[str, object] = {}

    def get(self, username):
        return copy.deepcopy(self._members.get(username.lower()))

    def save(self, member):
        stored = self._members.get(member.username.lower())
        if (stored.version if stored else None) != member.version:
            raise StaleCase()
        member.version = (member.version or 0) + 1
        self._members[member.username.lower()] = copy.deepcopy(member)

    def members(self, scope, limit=500):
        return [copy.deepcopy(m) for k, m in sorted(self._members.items()) if m.scope == scope][:limit]


class FakePartnerKeys:
    def __init__(self):
        self.keys: dict[str, object] = {}                 # key hash -> Partner
        self.windows: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def add(self, partner):
        assert partner.key_hash not in self.keys
        self.keys[partner.key_hash] = copy.deepcopy(partner)

    def get(self, key_hash):
        return copy.deepcopy(self.keys.get(key_hash))

    def all(self):
        return [copy.deepcopy(p) for _, p in sorted(self.keys.items())]

    def revoke(self, key_hash, at):
        p = self.keys.get(key_hash)
        if p is None or p.revoked_at is not None:
            return False
        p.revoked_at = at
        return True

    def use(self, key_hash, window, now):
        with self._lock:
            p = self.keys.get(key_hash)
            if p is None:
                return "unknown", None
            if p.revoked_at is not None:
                return "revoked", copy.deepcopy(p)
            win, used = self.windows.get(key_hash, (0, 0))
            if win == window and used >= p.rate_limit:
                return "limited", copy.deepcopy(p)
            self.windows[key_hash] = (window, used + 1 if win == window else 1)
            p.uses += 1
            p.last_used_at = now
            return "ok", copy.deepcopy(p)


class FakePhoneCodes:
    def __init__(self):
        self.codes: dict[str, list] = {}
        self._lock = threading.Lock()

    def put(self, subject, code_hash, valid_until):
        self.codes[subject] = [code_hash, 0, valid_until]

    def try_code(self, subject, now, max_tries):
        with self._lock:
            rec = self.codes.get(subject)
            if rec is None or rec[1] >= max_tries or rec[2] <= now:
                return None
            rec[1] += 1
            return rec[0]

    def delete(self, subject):
        self.codes.pop(subject, None)


class FakeSubjectRequests:
    def __init__(self):
        self.requests: dict[str, object] = {}

    def add(self, r):
        if r.id in self.requests:
            raise StaleCase()
        r.version = 1
        self.requests[r.id] = copy.deepcopy(r)

    def get(self, rid):
        return copy.deepcopy(self.requests.get(rid))

    def save(self, r):
        stored = self.requests.get(r.id)
        if stored is None or stored.version != r.version:
            raise StaleCase()
        r.version += 1
        self.requests[r.id] = copy.deepcopy(r)

    def by_status(self, district, status, limit=100):
        return sorted((copy.deepcopy(r) for r in self.requests.values()
                       if r.district == district and r.status == status), key=lambda r: (r.due_on, r.id))[:limit]

    def due(self, now):
        from chalicelib.domain.calendar import local_date
        return [copy.deepcopy(r) for r in self.requests.values()
                if r.status == "open" and not r.warned and r.warn_on <= local_date(now)]


class FakeReferenceData:
    def __init__(self):
        self.places: dict[str, object] = {}
        self.offices: dict[str, object] = {}
        self.onboarded: set[str] = set()

    def district(self, code):
        return copy.deepcopy(self.places.get(code))

    def districts(self, codes):
        return {c: copy.deepcopy(self.places[c]) for c in codes if c in self.places}

    def save_district(self, settings):
        stored = self.places.get(settings.district)
        if (stored.version if stored else None) != settings.version:
            raise StaleCase()
        settings.version = (settings.version or 0) + 1
        self.places[settings.district] = copy.deepcopy(settings)

    def office(self, code):
        return copy.deepcopy(self.offices.get(code))

    def save_office(self, office):
        stored = self.offices.get(office.code)
        if (stored.version if stored else None) != office.version:
            raise StaleCase()
        office.version = (office.version or 0) + 1
        self.offices[office.code] = copy.deepcopy(office)
        (self.onboarded.add if office.onboarded else self.onboarded.discard)(office.code)

    def onboarded_offices(self):
        return frozenset(self.onboarded)


class FakeCounters:
    def __init__(self):
        self.counts: dict[object, int] = {}
        self.members: dict[object, set] = {}
        self._lock = threading.Lock()

    def take(self, counter, limit, expires_at):
        with self._lock:   # one conditional write in DynamoDB: atomic there, so atomic here
            if self.counts.get(counter, 0) >= limit:
                return False
            self.counts[counter] = self.counts.get(counter, 0) + 1
            return True

    def give_back(self, counter):
        with self._lock:
            if self.counts.get(counter, 0) > 0:
                self.counts[counter] -= 1


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


class FakeClaims:
    def __init__(self):
        self.claimed: dict[str, tuple] = {}
        self.budgets: dict[str, set] = {}
        self.held_: dict[str, dict] = {}
        self._lock = threading.Lock()

    def claim(self, dedup_key, channel, template, now):
        with self._lock:
            if dedup_key in self.claimed:
                return False
            self.claimed[dedup_key] = (channel, template, now)
            return True

    def release(self, dedup_key):
        self.claimed.pop(dedup_key, None)

    def spend(self, budget, member, limit, expires_at):
        with self._lock:
            spent = self.budgets.setdefault(budget, set())
            if member in spent:
                return True
            if len(spent) >= limit:
                return False
            spent.add(member)
            return True

    def hold(self, application_no, dedup_key, channel, template, at):
        with self._lock:
            self.held_.setdefault(application_no, {}).setdefault(
                dedup_key, {"dedup_key": dedup_key, "channel": channel, "template": template, "at": at.isoformat()})

    def held(self, application_no):
        return sorted(self.held_.get(application_no, {}).values(), key=lambda h: h["at"])
