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
