"""Reference data that changes at run time: districts' settings and institutions.
Seeded from chalicelib/data/institutions.json by the local stack and by the deploy
runbook (`python -m devstack seed`)."""
from __future__ import annotations

import json
from pathlib import Path

from ..domain.catalog import catalog

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


def seed(path: Path = SEED_FILE) -> int:
    from ..adapters.dynamo import DistrictRefItem, InstitutionMap

    count = 0
    for d in seed_documents(path):
        item = DistrictRefItem(f"DISTRICT#{d['district']}", "REF", district=d["district"],
                               auto_forward=d["auto_forward"], office_email=d["office_email"],
                               supervisor_email=d.get("supervisor_email"),
                               institutions=[InstitutionMap(**i) for i in d["institutions"]])
        try:
            existing = DistrictRefItem.get(item.pk, "REF")
            item.version = existing.version
        except DistrictRefItem.DoesNotExist:
            pass
        item.save()
        register(d["district"])
        count += 1
    return count


def register(district: str) -> None:
    """Adds a district to the registry of offices the daily digest walks."""
    from ..adapters.dynamo import RegistryItem
    RegistryItem("REF#DISTRICTS", "REF").update(actions=[RegistryItem.districts.add({district})])


def registered_districts() -> list[str]:
    from ..adapters.dynamo import RegistryItem
    try:
        return sorted(RegistryItem.get("REF#DISTRICTS", "REF").districts or [])
    except RegistryItem.DoesNotExist:
        return []


def _district_view(item) -> dict:
    return {"district": item.district, "version": item.version, "auto_forward": bool(item.auto_forward),
            "office_email": item.office_email, "supervisor_email": item.supervisor_email,
            "institutions": [{"id": i.id, "kind": i.kind, "name": i.name, "liaison_email": i.liaison_email,
                              "sla_days": int(i.sla_days) if i.sla_days else None} for i in item.institutions]}


def get_district(p, district: str) -> dict:
    from ..adapters.dynamo import DistrictRefItem
    from ..domain.errors import NotFound
    from .office import forbidden
    if p.role != "admin":
        raise forbidden()
    try:
        return _district_view(DistrictRefItem.get(f"DISTRICT#{district}", "REF"))
    except DistrictRefItem.DoesNotExist:
        raise NotFound("not_found", "Bu ilçe için ayar yok.") from None


def put_district(p, district: str, data, *, if_match, now, client) -> dict:
    from pynamodb.exceptions import PutError

    from ..adapters.audit import audit_item
    from ..adapters.dynamo import DistrictRefItem, InstitutionMap
    from ..domain.errors import AppError, Conflict
    from ..domain.schemas import DistrictIn, parse
    from .office import _version, forbidden
    if p.role != "admin":
        raise forbidden()
    if district not in catalog().districts:
        raise AppError("unknown_district", "İlçe tanınmıyor.", field="district", status=404)
    req = parse(DistrictIn, data)
    ids = [i.id for i in req.institutions]
    if len(ids) != len(set(ids)):
        raise AppError("duplicate_institution", "Kurum kimlikleri tekrar ediyor.", field="institutions", status=422)
    item = DistrictRefItem(f"DISTRICT#{district}", "REF", district=district, auto_forward=req.auto_forward,
                           office_email=req.office_email, supervisor_email=req.supervisor_email,
                           institutions=[InstitutionMap(**i.model_dump()) for i in req.institutions])
    try:
        existing = DistrictRefItem.get(item.pk, "REF")
        item.version = existing.version
        if _version(req, if_match) != existing.version:
            raise Conflict("stale_version", "Ayarlar siz görüntüledikten sonra değişmiş.",
                           details={"current_version": existing.version})
    except DistrictRefItem.DoesNotExist:
        pass
    try:
        item.save()
    except PutError:
        raise Conflict("stale_version", "Ayarlar aynı anda değiştirildi.") from None
    register(district)
    audit_item(f"DISTRICT-{district}", actor=p.username, role=p.role, action="update_district", at=now,
               source_ip=client).save()
    return _district_view(item)
