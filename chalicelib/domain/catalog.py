"""The static reference data shipped with the code: application types, the category
catalogue (heading -> subject -> competent institution kinds), provinces and their places
(each district, and the province as a whole, "İl geneli (Valilik)"), and the offices the
geography defines (domain/offices.py). Editable data files under chalicelib/data; loaded
once per process."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from . import offices as O

_DATA = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class Subject:
    code: str
    name: str
    heading: str
    institution_kinds: tuple[str, ...]
    sla_days: int | None = None


@dataclass(frozen=True)
class District:
    """A place an application is about: a district, or a province as a whole."""
    code: str
    name: str
    province: str
    province_name: str

    @property
    def office(self) -> str:
        """The office whose place this is (domain/offices.office_of)."""
        return O.office_of(self.code)


@dataclass
class Catalog:
    types: dict[str, dict]
    headings: list[dict]
    institution_kinds: dict[str, str]
    provinces: list[dict]
    subjects: dict[str, Subject] = field(default_factory=dict)
    districts: dict[str, District] = field(default_factory=dict)

    def __post_init__(self):
        for heading in self.headings:
            for s in heading["subjects"]:
                self.subjects[s["code"]] = Subject(s["code"], s["name"], heading["code"],
                                                   tuple(s["institutions"]), s.get("sla_days"))
        for p in self.provinces:
            for d in p["districts"]:
                self.districts[d["code"]] = District(d["code"], d["name"], p["code"], p["name"])

    @cached_property
    def offices(self) -> dict[str, O.OfficeRef]:
        return O.standard_offices(self.provinces)

    def law_of(self, type_code: str) -> str:
        return self.types[type_code]["law"]

    def answer_owed(self, type_code: str) -> bool:
        """False for a thanks (teşekkür): it is acknowledged, and no legal period runs."""
        return self.types[type_code].get("answer_owed", True)

    @cached_property
    def public_document(self) -> dict:
        """What GET /v1/catalog serves."""
        return {
            "types": list(self.types.values()),
            "headings": [{"code": h["code"], "name": h["name"],
                          "subjects": [{"code": s["code"], "name": s["name"], **({"emergency": True} if s.get("emergency")
                                                                                 else {})}
                                       for s in h["subjects"]]}
                         for h in self.headings],
            # the kinds of institution an office can add (the administration screens)
            "institution_kinds": self.institution_kinds,
            # each province's places, and its offices (who handles applications there)
            "provinces": [{**p, "offices": [{"code": o.code, "name": o.name} for o in self.offices.values()
                                            if o.province == p["code"]]} for p in self.provinces],
        }


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    types = json.loads((_DATA / "types.json").read_text("utf-8"))["types"]
    cats = json.loads((_DATA / "categories.json").read_text("utf-8"))
    geo = json.loads((_DATA / "geo.json").read_text("utf-8"))
    # every province can be applied to as a whole, at its valilik ("İl geneli"), listed first
    provinces = [{**p, "districts": [{"code": O.province_wide(p["code"]), "name": O.PROVINCE_WIDE_NAME},
                                     *p["districts"]]} for p in geo["provinces"]]
    return Catalog(types={t["code"]: t for t in types}, headings=cats["headings"],
                   institution_kinds=cats["institution_kinds"], provinces=provinces)


@lru_cache(maxsize=16)
def _province_neighbourhoods(plate: str) -> dict[str, tuple[str, ...]]:
    path = _DATA / "neighbourhoods" / f"{plate}.json"
    if not plate.isdigit() or not path.is_file():
        return {}
    return {code: tuple(names) for code, names in json.loads(path.read_text("utf-8")).items()}


def neighbourhoods(district: str) -> tuple[str, ...] | None:
    """The neighbourhoods (mahalle) and villages (köy) of a district, in Turkish order, from
    the same official data as the districts (tools/build_geo.py); () for a province as a
    whole, which has none of its own; None for a code that is no district. One province's
    file is read, never the country's."""
    place = catalog().districts.get(district)
    if place is None:
        return None
    return _province_neighbourhoods(place.province).get(district, ())
