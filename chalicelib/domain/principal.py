"""The signed-in staff member, as the office policies see them."""
from __future__ import annotations

from dataclasses import dataclass

ROLES = ("admin", "supervisor", "province", "desk")  # highest first


@dataclass(frozen=True)
class Principal:
    username: str
    role: str
    district: str | None
    province: str | None

    def context(self) -> dict:
        return {"username": self.username, "role": self.role, "district": self.district or "",
                "province": self.province or ""}

    @classmethod
    def from_context(cls, ctx: dict) -> "Principal":
        return cls(ctx["username"], ctx["role"], ctx.get("district") or None, ctx.get("province") or None)


@dataclass
class StaffMember:
    """A staff member's access as an admin set it: the only source of role and scope.
    The identity provider's token proves who someone is; what they may see comes from
    here, so an attribute a user could edit in their own profile grants nothing."""
    username: str
    role: str
    district: str | None = None
    province: str | None = None
    enabled: bool = True
    version: int | None = None
    email: str | None = None      # where the invitation went (the identity provider holds the same)
    name: str | None = None       # shown in the staff list and the audit

    def principal(self) -> Principal:
        return Principal(self.username, self.role, self.district, self.province)

    @property
    def scope(self) -> str:
        """The staff list this member appears in: their office's, their province's, or the admins'."""
        return scope_key(self.role, self.district, self.province)

    def matches(self, claimed: Principal) -> bool:
        """A token whose role or scope differs from the record (edited, or issued before
        an admin changed it) is refused, not corrected: the user signs in again."""
        return (self.enabled and claimed.username == self.username and claimed.role == self.role
                and (claimed.district or None) == self.district and (claimed.province or None) == self.province)


def scope_key(role: str, district: str | None, province: str | None) -> str:
    if role in ("desk", "supervisor"):
        return f"O#{district}"
    if role == "province":
        return f"P#{province}"
    return "admin"


def manages(p: Principal, role: str, office: str | None, office_province: str | None) -> bool:
    """Whether `p` may invite, change, disable or reset the sign-in of a staff member of
    this role and office (in `office_province`): a national admin anyone; a province admin
    the desk staff and supervisors of the offices of their province; an office supervisor
    the desk staff of their own office."""
    if p.role == "admin":
        return True
    if p.role == "province":
        return role in ("desk", "supervisor") and office is not None and p.province is not None \
            and office_province == p.province
    if p.role == "supervisor":
        return role == "desk" and office is not None and office == p.district
    return False


def administers(p: Principal, office: str, office_province: str | None) -> bool:
    """Whether `p` may change an office's settings and institutions (`office_province`:
    the office's province): a national admin any office, a province admin those of their
    province, a supervisor their own."""
    if p.role == "admin":
        return True
    if p.role == "province":
        return p.province is not None and office_province == p.province
    return p.role == "supervisor" and p.district == office


def scope_problem(role: str, district: str | None, province: str | None, districts: dict) -> tuple[str, str] | None:
    """(field, Turkish message) when a role and scope do not fit together, else None.
    `districts` maps district code -> its province code."""
    if role not in ROLES:
        return "role", "Rol tanınmıyor."
    if role in ("desk", "supervisor"):
        if district not in districts:
            return "district", "Büro personeli ve sorumlusu için geçerli bir büro (ilçe ya da valilik) seçiniz."
        if province not in (None, districts[district]):
            return "province", "İl, seçilen ilçenin ili olmalıdır."
    elif role == "province":
        if district is not None:
            return "district", "İl izleme kullanıcısına ilçe atanmaz."
        if province not in set(districts.values()):
            return "province", "İl izleme kullanıcısı için geçerli bir il seçiniz."
    elif district is not None or province is not None:
        return "district", "Yöneticiye ilçe ya da il atanmaz."
    return None
