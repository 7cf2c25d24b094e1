"""Staff access: who may do what comes from the staff directory, which only admins
write. The identity provider's token proves who someone is; the directory decides
their role and district. A token whose role or scope is not what the directory holds
(a self-edited attribute, or one issued before an admin changed the user) gets
nothing, and a disabled user loses access as soon as the caches below expire.

Revocation time: the directory record is cached for `RECORD_TTL` in each warm
container, and API Gateway caches the authorizer's answer for `AUTHORIZER_TTL`
(api/staff.py), so a disable or a change of district takes effect within their sum,
two minutes. The price is one consistent GetItem per user per container per minute.
"""
from __future__ import annotations

import threading
from datetime import timedelta

from ..domain.audit import AuditEntry
from ..domain.catalog import catalog
from ..domain.errors import AppError, Conflict, NotFound, forbidden
from ..domain.principal import Principal, StaffMember, scope_problem
from .ports import Ports
from .versions import save_seen_version

RECORD_TTL = timedelta(seconds=60)
AUTHORIZER_TTL_SECONDS = 60

_lock = threading.Lock()   # the cache itself is the container's (Ports.caches.staff)


def authorize(ports: Ports, claimed: Principal) -> Principal | None:
    """The principal the directory grants to a verified token, or None."""
    now = ports.clock.now()
    key = claimed.username.lower()
    cache = ports.caches.staff
    with _lock:
        hit = cache.get(key)
    if hit is None or now - hit[1] >= RECORD_TTL:
        hit = (ports.directory.get(claimed.username), now)
        with _lock:
            cache[key] = hit
    member = hit[0]
    if member is None or not member.matches(claimed):
        return None
    return member.principal()


def forget_cached(ports: Ports) -> None:
    with _lock:
        ports.caches.staff.clear()


def _admin_only(p) -> None:
    if p.role != "admin":
        raise forbidden()


def _view(m: StaffMember) -> dict:
    return {"username": m.username, "role": m.role, "district": m.district, "province": m.province,
            "enabled": m.enabled, "version": m.version}


def get_user(ports: Ports, p, username: str) -> dict:
    _admin_only(p)
    member = ports.directory.get(username)
    if member is None:
        raise NotFound("not_found", "Bu kullanıcı için erişim kaydı yok.")
    return _view(member)


def put_user(ports: Ports, p, username: str, data, *, if_match, client) -> dict:
    """Creates or changes a staff member's access (admin only, audited). Narrowing
    access (disable, another role or district) also ends the user's sessions."""
    from ..domain.schemas import StaffUserIn, parse
    _admin_only(p)
    req = parse(StaffUserIn, data)
    cat = catalog()
    province = req.province
    # a desk or a supervisor belongs to an office (a kaymakamlık has its district's code,
    # a valilik `<province>-valilik`); the national queue has no desk of its own
    offices = {code: o.province for code, o in cat.offices.items() if o.province}
    if req.role in ("desk", "supervisor") and req.district in offices and province is None:
        province = offices[req.district]
    problem = scope_problem(req.role, req.district, province, offices)
    if problem:
        raise AppError("invalid_scope", problem[1], field=problem[0], status=422)
    if username.lower() == p.username.lower() and (req.role != "admin" or not req.enabled):
        raise Conflict("own_access", "Kendi yönetici yetkinizi kaldıramazsınız; başka bir yönetici yapmalıdır.")
    existing = ports.directory.get(username)
    if existing is None and not ports.identity.exists(username):
        raise NotFound("unknown_user", "Kimlik sisteminde bu kullanıcı yok.")
    member = StaffMember(existing.username if existing else username, req.role, req.district, province,
                         req.enabled, existing.version if existing else None)
    save_seen_version(req, if_match, existing.version if existing else None, lambda: ports.directory.save(member),
                      "Kullanıcı")
    narrowed = existing is not None and (existing.role, existing.district, existing.province, existing.enabled) != (
        member.role, member.district, member.province, member.enabled)
    ports.identity.apply(member, sign_out=narrowed)
    ports.audit.record(AuditEntry(f"STAFF-{member.username}", p.username, p.role, "update_staff", ports.clock.now(),
                                  client, {"role": member.role, "district": member.district or "",
                                           "province": member.province or "", "enabled": member.enabled}))
    forget_cached(ports)
    return _view(member)


def seed(ports: Ports, users: list[dict]) -> int:
    """Demo and first-run users: directory records for users already in the identity
    provider (devstack/demo_users.json). Existing records are left as they are."""
    count = 0
    for u in users:
        if ports.directory.get(u["username"]) is None:
            ports.directory.save(StaffMember(u["username"], u["group"], u.get("district"), u.get("province")))
            count += 1
    return count
