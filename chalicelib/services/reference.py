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
                               institutions=[InstitutionMap(**i) for i in d["institutions"]])
        try:
            existing = DistrictRefItem.get(item.pk, "REF")
            item.version = existing.version
        except DistrictRefItem.DoesNotExist:
            pass
        item.save()
        count += 1
    return count
