"""Staff administration (issue 38): the staff lists, invitations, changes of role or
scope, the lost-phone reset and the administrative audit, for whoever manages that
scope (domain/principal.manages, administers). Apart from services/staff.py, which the
authorizer imports on every cold start, so that the authorizer never loads events,
messages and schemas it does not use."""
from __future__ import annotations

import secrets
import string
from functools import lru_cache

from ..domain import events as ev
from ..domain import offices as O
from ..domain.audit import AuditEntry
from ..domain.catalog import catalog
from ..domain.errors import AppError, Conflict, NotFound, forbidden
from ..domain.principal import (
    StaffMember,
    administers,
    manages,
    scope_key,
    scope_problem,
)
from .notification_map import tell
from .ports import Ports, StaleCase
from .staff import forget_cached
from .versions import save_seen_version

ROLE_NAMES = {"desk": "Büro personeli", "supervisor": "Büro sorumlusu", "province": "İl yöneticisi",
              "admin": "Ulusal yönetici"}
TEMPORARY_PASSWORD_DAYS = 3        # the pool's TemporaryPasswordValidityDays (infra/template.json)


@lru_cache(maxsize=1)
def _offices() -> dict[str, str]:
    """Office code -> its province: the offices a desk or a supervisor can belong to (a
    kaymakamlık has its district's code, a valilik `<province>-valilik`; the national queue
    has no desk of its own)."""
    return {code: o.province for code, o in catalog().offices.items() if o.province}


def _view(m: StaffMember) -> dict:
    return {"username": m.username, "role": m.role, "district": m.district, "province": m.province,
            "enabled": m.enabled, "version": m.version, "name": m.name, "email": m.email}


def _place(role: str, district: str | None, province: str | None) -> str:
    cat = catalog()
    if district and district in cat.offices:
        return cat.offices[district].name
    if province:
        found = next((x["name"] for x in cat.provinces if x["code"] == province), province)
        return f"{found} il geneli"
    return "Tüm ülke"


def _member_or_404(ports: Ports, p, username: str) -> StaffMember:
    member = ports.directory.get(username)
    if member is None:
        raise NotFound("not_found", "Bu kullanıcı için erişim kaydı yok.")
    if not manages(p, member.role, member.district, _offices().get(member.district or "")):
        raise forbidden()
    return member


def _checked_scope(p, role: str, district: str | None, province: str | None) -> str | None:
    """The province the scope implies, after checking that role and scope fit and that `p`
    may give them; a 422 naming the field, or a 403."""
    offices = _offices()
    if role in ("desk", "supervisor") and district in offices and province is None:
        province = offices[district]
    problem = scope_problem(role, district, province, offices)
    if problem:
        raise AppError("invalid_scope", problem[1], field=problem[0], status=422)
    if not manages(p, role, district, offices.get(district or "")):
        raise forbidden()
    return province


def get_user(ports: Ports, p, username: str) -> dict:
    return _view(_member_or_404(ports, p, username))


def list_users(ports: Ports, p, params: dict) -> dict:
    """The staff of one office (`office`), or, for a national admin, of a province's
    monitoring (`province`) or the admins (`admins=1`): one query of the scope index."""
    offices = _offices()
    office = params.get("office") or (p.district if p.role == "supervisor" else None)
    if office:
        if office not in offices:
            raise AppError("unknown_office", "Büro tanınmıyor.", field="office", status=422)
        if not administers(p, office, offices[office]):
            raise forbidden()
        scope = scope_key("desk", office, None)
    elif p.role != "admin":
        raise AppError("office_required", "Personeli listelenecek büroyu seçiniz.", field="office", status=422)
    elif params.get("province"):
        if params["province"] not in {x["code"] for x in catalog().provinces}:
            raise AppError("unknown_province", "İl tanınmıyor.", field="province")
        scope = scope_key("province", None, params["province"])
    else:
        scope = scope_key("admin", None, None)
    members = ports.directory.members(scope)
    if p.role == "supervisor":
        members = [m for m in members if m.role == "desk" or m.username.lower() == p.username.lower()]
    return {"scope": scope, "items": [_view(m) for m in members]}


def temporary_password() -> str:
    """A password the pool's policy accepts (12+ characters, upper, lower, digit), from the
    system's secure random source; valid TEMPORARY_PASSWORD_DAYS, changed at first sign-in."""
    alphabet = string.ascii_letters + string.digits
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(16))
        if any(c.islower() for c in pw) and any(c.isupper() for c in pw) and any(c.isdigit() for c in pw):
            return pw


def _send_invitation(ports: Ports, member: StaffMember, password: str, now) -> None:
    """The e-mail with the console's address, the user name and the temporary password (an
    invitation, or a reset's new start): its own dedup key each time, so one is never
    taken for the other, and a redelivery of either sends it once."""
    tell(ports, [ev.StaffInvited(member.username, member.name or member.username, member.email or "", password,
                                 ROLE_NAMES[member.role], _place(member.role, member.district, member.province),
                                 TEMPORARY_PASSWORD_DAYS, now, secrets.token_hex(8))])


def invite(ports: Ports, p, data, *, client) -> dict:
    """A new staff member: the access record (created only if none exists), the identity
    provider's user with a temporary password and no message of its own, and the
    invitation e-mail through the notification queue. Audited.

    An invitation the identity provider failed midway (the record written, no user
    created) is taken up again by the same invitation, so that a failure never leaves a
    name that can be neither used nor invited."""
    from ..domain.schemas import StaffInviteIn, parse
    req = parse(StaffInviteIn, data)
    province = _checked_scope(p, req.role, req.district, req.province)
    taken = Conflict("user_exists", "Bu kullanıcı adı kullanılıyor; başka bir kullanıcı adı seçiniz.")
    existing = ports.directory.get(req.username)
    if ports.identity.exists(req.username):
        raise taken
    if existing is not None and not manages(p, existing.role, existing.district,
                                            _offices().get(existing.district or "")):
        raise taken
    member = StaffMember(req.username, req.role, req.district, province, True,
                         existing.version if existing else None, email=req.email, name=req.name)
    try:
        ports.directory.save(member)          # created only if absent, or at the version read just now
    except StaleCase:
        raise taken from None
    password = temporary_password()
    ports.identity.invite(member, req.email, password)
    now = ports.clock.now()
    _send_invitation(ports, member, password, now)
    ports.audit.record(AuditEntry(f"STAFF-{member.username}", p.username, p.role, "invite_staff", now, client,
                                  {"role": member.role, "district": member.district or "",
                                   "province": member.province or ""}))
    saved = ports.directory.get(member.username)
    return _view(saved or member)


def reset_mfa(ports: Ports, p, username: str, *, client) -> dict:
    """A lost phone: the member's sign-in is made anew (a temporary password by e-mail, then
    a new password and a new authenticator app); every session ends; the access record
    stays. Audited."""
    member = _member_or_404(ports, p, username)
    if member.username.lower() == p.username.lower():
        raise Conflict("own_access", "Kendi doğrulama uygulamanızı sıfırlayamazsınız; yetkilinize başvurunuz.")
    if not member.email:
        raise Conflict("no_email", "Bu kullanıcının kayıtlı e-posta adresi yok; yeni geçici parola gönderilemez.")
    password = temporary_password()
    ports.identity.reset_mfa(member, member.email, password)
    if not member.enabled:      # a re-created user signs in: a disabled member stays disabled
        ports.identity.apply(member, sign_out=False)
    now = ports.clock.now()
    _send_invitation(ports, member, password, now)
    ports.audit.record(AuditEntry(f"STAFF-{member.username}", p.username, p.role, "reset_mfa", now, client))
    forget_cached(ports)
    return {**_view(member), "mfa_reset": True}


def admin_audit(ports: Ports, p, subject: str) -> dict:
    """The audit of an administrative record, for whoever may change it: a staff member
    (`STAFF-<user>`), an office's settings (`OFFICE-<code>`) or its institutions
    (`DISTRICT-<code>`), a partner key (`PARTNER-<id>`, national admins)."""
    kind, _, key = subject.partition("-")
    if kind == "STAFF" and key:
        _member_or_404(ports, p, key)
    elif kind in ("OFFICE", "DISTRICT") and key:
        office = key if kind == "OFFICE" else O.office_of(key)      # a place's institutions: its office's
        if not administers(p, office, O.province_of(office)):
            raise forbidden()
    elif kind == "PARTNER" and key:
        if p.role != "admin":
            raise forbidden()
    else:
        raise AppError("invalid_subject", "Denetim kaydı konusu tanınmıyor.", field="subject", status=422)
    return {"subject": subject, "entries": ports.audit.trail(subject)}


def put_user(ports: Ports, p, username: str, data, *, if_match, client) -> dict:
    """Changes a staff member's role, scope or whether they may sign in (audited), by
    whoever manages both the old and the new scope. Narrowing access (disable, another
    role or district) also ends the user's sessions."""
    from ..domain.schemas import StaffUserIn, parse
    req = parse(StaffUserIn, data)
    province = _checked_scope(p, req.role, req.district, req.province)
    if username.lower() == p.username.lower() and (req.role != p.role or not req.enabled):
        raise Conflict("own_access", "Kendi yetkinizi kaldıramazsınız; başka bir yetkili yapmalıdır.")
    existing = ports.directory.get(username)
    if existing is not None and not manages(p, existing.role, existing.district,
                                            _offices().get(existing.district or "")):
        raise forbidden()
    if existing is None and (p.role != "admin" or not ports.identity.exists(username)):
        raise NotFound("unknown_user", "Kimlik sisteminde bu kullanıcı yok.")
    member = StaffMember(existing.username if existing else username, req.role, req.district, province,
                         req.enabled, existing.version if existing else None,
                         email=existing.email if existing else None, name=existing.name if existing else None)
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


