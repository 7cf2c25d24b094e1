"""The offices (Açık Kapı büroları) as data: every governorship (valilik) and district
governorship (kaymakamlık), the places each serves, and where an application goes while
its office is not onboarded yet. Pure. The rules and their sources: docs/domain-rules.md §8.

- A place is where an application is about: a district, or a province as a whole
  ("İl geneli (Valilik)", code `<province>-il`).
- In a metropolitan province (the 30 with a metropolitan municipality: Law 5216, and Law
  6360 which made every such province's area districts) every district has its own
  kaymakamlık, and the valilik runs a bureau of its own for the province as a whole.
- In any other province the central district (Merkez) has no kaymakam: the vali governs it
  directly (Law 5442 on Provincial Administration: the vali heads the province, art. 9; a
  kaymakam heads a district, art. 31, and no kaymakam is appointed to a central district),
  so the valilik serves the Merkez as well as the province as a whole.
- Office codes: a kaymakamlık has its district's code (`34-maltepe`); a valilik is
  `<province>-valilik`; the national queue is `national`, where the admins see what no
  onboarded office above could take.
- An application to an office not onboarded yet goes to the first onboarded office above
  it: its valilik, then the national queue. The legal period runs from receipt as always.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

NATIONAL = "national"
PROVINCE_WIDE = "il"
VALILIK = "valilik"
PROVINCE_WIDE_NAME = "İl geneli (Valilik)"
NATIONAL_NAME = "Açık Kapı ulusal kuyruğu (İçişleri Bakanlığı)"


@dataclass(frozen=True)
class OfficeRef:
    """An office as the geography defines it (its settings and onboarding are data)."""
    code: str
    kind: str                 # "valilik" | "kaymakamlik" | "national"
    province: str | None
    name: str
    serves: tuple[str, ...]   # the places it is the first point of contact for


@dataclass
class Office:
    """An office's settings, kept as data and set up through screens: its contact (the
    KVKK notice names it as the controller), whether it is onboarded (takes applications;
    until then they go to the office above it), auto-forwarding, and its own routing rules
    (subject -> institution kinds) where they differ from the national default."""
    code: str
    kind: str
    province: str | None
    name: str
    serves: tuple[str, ...]
    email: str | None = None              # the bureau's address: office notices and the daily digest
    supervisor_email: str | None = None
    address: str | None = None
    phone: str | None = None
    kep: str | None = None                # its registered e-mail (KEP) address
    detsis: str | None = None             # its DETSİS number, when known
    onboarded: bool = False
    auto_forward: bool = False
    routing: dict[str, tuple[str, ...]] = field(default_factory=dict)   # subject code -> institution kinds
    version: int | None = None

    @classmethod
    def standard(cls, ref: OfficeRef) -> "Office":
        """An office nobody has set up yet: its name and places, not onboarded."""
        return cls(ref.code, ref.kind, ref.province, ref.name, ref.serves)

    def kinds_for(self, subject) -> tuple[str, ...]:
        """Who is competent for a subject here: this office's rule, else the national one."""
        return tuple(self.routing.get(subject.code, subject.institution_kinds))

    def contact(self) -> dict:
        return {"name": self.name, "address": self.address, "phone": self.phone, "email": self.email,
                "kep": self.kep}

    def copy(self) -> "Office":
        return replace(self, serves=tuple(self.serves), routing=dict(self.routing))


def province_wide(province: str) -> str:
    return f"{province}-{PROVINCE_WIDE}"


def valilik(province: str) -> str:
    return f"{province}-{VALILIK}"


def is_province_wide(place: str) -> bool:
    return place.endswith(f"-{PROVINCE_WIDE}")


def province_of(code: str) -> str | None:
    """The province of a place or an office code; None for the national queue."""
    return None if code == NATIONAL else code.split("-", 1)[0]


def metropolitan(province: dict) -> bool:
    """A province whose districts all have a kaymakamlık: it has no central district
    named Merkez (the 30 metropolitan provinces; docs/domain-rules.md §8)."""
    return not any(d["code"] == f"{province['code']}-merkez" for d in province["districts"])


def standard_offices(provinces: list[dict]) -> dict[str, OfficeRef]:
    """Every office of the country, from the geography: 81 valiliks and a kaymakamlık for
    each district that has a kaymakam (922 of the 973), and the national queue."""
    out: dict[str, OfficeRef] = {NATIONAL: OfficeRef(NATIONAL, "national", None, NATIONAL_NAME, ())}
    for p in provinces:
        pp = p["code"]
        districts = [d for d in p["districts"] if not is_province_wide(d["code"])]
        central = [d["code"] for d in districts if d["code"] == f"{pp}-merkez"]
        out[valilik(pp)] = OfficeRef(valilik(pp), "valilik", pp, f"{p['name']} Valiliği",
                                     (province_wide(pp), *central))
        for d in districts:
            if d["code"] not in central:
                out[d["code"]] = OfficeRef(d["code"], "kaymakamlik", pp, f"{d['name']} Kaymakamlığı", (d["code"],))
    return out


def office_of(place: str) -> str:
    """The office whose place this is (onboarded or not)."""
    pp = province_of(place) or ""
    if is_province_wide(place) or place == f"{pp}-merkez":
        return valilik(pp)
    return place


def handling_office(place: str, onboarded: set[str] | frozenset[str]) -> str:
    """Where an application about `place` is handled: its own office if onboarded, else
    the first onboarded office above it, else the national queue. Never nobody."""
    own = office_of(place)
    if own in onboarded:
        return own
    above = valilik(province_of(place) or "")
    return above if above in onboarded else NATIONAL
