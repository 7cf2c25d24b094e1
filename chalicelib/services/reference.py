"""Reference data that changes at run time: districts' settings and institutions.
Seeded from chalicelib/data/institutions.json by the local stack and by the deploy
runbook (`python -m devstack seed`)."""
from __future__ import annotations

import json
from pathlib import Path

from ..config import settings
from ..domain.assignment import DistrictSettings, Institution
from ..domain.audit import AuditEntry
from ..domain.catalog import catalog
from ..domain.errors import AppError, Forbidden, NotFound, ValidationFailed, forbidden
from ..domain.notice import notice as build
from . import delivery_methods
from .ports import Ports
from .versions import save_seen_version

SEED_FILE = Path(__file__).resolve().parent.parent / "data" / "institutions.json"


def seed_documents(path: Path = SEED_FILE) -> list[dict]:
    docs = json.loads(path.read_text("utf-8"))["districts"]
    cat = catalog()
    for d in docs:
        if d["district"] not in cat.districts:
            raise ValueError(f"unknown district in seed data: {d['district']}")
        for inst in d["institutions"]:
            if inst["kind"] not in cat.institution_kinds:
                raise ValueError(f"unknown institution kind in seed data: {inst['kind']}")
    return docs


def _settings(district: str, doc) -> DistrictSettings:
    return DistrictSettings(district, doc["auto_forward"], doc["office_email"],
                            [Institution(i["id"], i["kind"], i["name"], i["liaison_email"], i.get("sla_days"),
                                         i.get("send_method") or "email_link", i.get("endpoint"))
                             for i in doc["institutions"]], doc.get("supervisor_email"))


def seed(ports: Ports, path: Path = SEED_FILE) -> int:
    count = 0
    for d in seed_documents(path):
        settings = _settings(d["district"], d)
        existing = ports.reference.district(d["district"])
        settings.version = existing.version if existing else None
        ports.reference.save_district(settings)
        ports.reference.register_district(d["district"])
        count += 1
    return count


def office_contact(ports: Ports, district: str) -> dict | None:
    """The office an application to this district goes to, as the KVKK notice and the
    data-subject copy name the controller: {name, address, phone, email, kep}."""
    d = catalog().districts.get(district)
    if d is None:
        return None
    settings = ports.reference.district(district)
    return {"name": f"{d.name} Kaymakamlığı", "address": None, "phone": None,
            "email": settings.office_email if settings else None, "kep": None}


def notice(ports: Ports, district: str | None) -> dict:
    """The KVKK art. 10 notice of the office an application to `district` goes to."""
    if district is not None and district not in catalog().districts:
        raise AppError("unknown_district", "İlçe tanınmıyor.", field="district", status=400)
    office = office_contact(ports, district) if district else None
    return build(office, settings().data_location(), retention_years=settings().retention_years)


def _check_delivery(settings: DistrictSettings) -> None:
    """Each institution's delivery method exists and has the address it needs; 422 naming
    every institution that does not."""
    errors = []
    for n, inst in enumerate(settings.institutions):
        method = delivery_methods.METHODS.get(inst.send_method)
        if method is None:
            errors.append({"code": "unknown_send_method", "field": f"institutions.{n}.send_method",
                           "message": "Gönderim yolu tanınmıyor; geçerli değerler: "
                                      + ", ".join(sorted(delivery_methods.METHODS)) + "."})
            continue
        problem = method.address_problem(inst)
        if problem:
            errors.append({"code": "unreachable_institution", "field": f"institutions.{n}.endpoint"
                           if inst.send_method != "email_link" else f"institutions.{n}.liaison_email",
                           "message": problem})
    if errors:
        raise ValidationFailed(errors)


def _district_view(s: DistrictSettings) -> dict:
    return {"district": s.district, "version": s.version, "auto_forward": bool(s.auto_forward),
            "office_email": s.office_email, "supervisor_email": s.supervisor_email,
            "institutions": [{"id": i.id, "kind": i.kind, "name": i.name, "liaison_email": i.liaison_email,
                              "sla_days": i.sla_days, "send_method": i.send_method, "endpoint": i.endpoint}
                             for i in s.institutions]}


def _forbidden() -> Forbidden:
    return forbidden()


def get_district(ports: Ports, p, district: str) -> dict:
    if p.role != "admin":
        raise _forbidden()
    settings = ports.reference.district(district)
    if settings is None:
        raise NotFound("not_found", "Bu ilçe için ayar yok.")
    return _district_view(settings)


def put_district(ports: Ports, p, district: str, data, *, if_match, client) -> dict:
    from ..domain.schemas import DistrictIn, parse
    if p.role != "admin":
        raise _forbidden()
    if district not in catalog().districts:
        raise AppError("unknown_district", "İlçe tanınmıyor.", field="district", status=404)
    req = parse(DistrictIn, data)
    ids = [i.id for i in req.institutions]
    if len(ids) != len(set(ids)):
        raise AppError("duplicate_institution", "Kurum kimlikleri tekrar ediyor.", field="institutions", status=422)
    settings = _settings(district, req.model_dump())
    _check_delivery(settings)
    existing = ports.reference.district(district)
    settings.version = existing.version if existing else None
    save_seen_version(req, if_match, settings.version, lambda: ports.reference.save_district(settings), "Ayarlar")
    ports.reference.register_district(district)
    ports.audit.record(AuditEntry(f"DISTRICT-{district}", p.username, p.role, "update_district",
                                  ports.clock.now(), client))
    return _district_view(settings)
