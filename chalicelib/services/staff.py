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

from ..domain.principal import Principal, StaffMember
from .ports import Ports

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


def seed(ports: Ports, users: list[dict]) -> int:
    """Demo and first-run users: directory records for users already in the identity
    provider (devstack/demo_users.json). Existing records are left as they are."""
    count = 0
    for u in users:
        if ports.directory.get(u["username"]) is None:
            ports.directory.save(StaffMember(u["username"], u["group"], u.get("district"), u.get("province"),
                                             name=u.get("name"), email=u.get("email")))
            count += 1
    return count
