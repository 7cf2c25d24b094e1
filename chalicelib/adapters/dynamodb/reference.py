"""The `ReferenceData` port on DynamoDB: a district's settings and institutions in one
item (routing reads it with the case in one call), and the registry of districts that
run an office (what the daily digest walks)."""
from __future__ import annotations

from ...domain.assignment import DistrictSettings
from ...services.ports import StaleCase
from . import itemkeys as K
from . import mapping as M
from .base import conditional_put
from .models import DistrictRefItem, RegistryItem
from .statistics import ensure_district


class DynamoReferenceData:
    def district(self, code: str) -> DistrictSettings | None:
        try:
            return M.district_from_item(DistrictRefItem.get(*K.district_key(code)))
        except DistrictRefItem.DoesNotExist:
            return None

    def save_district(self, settings: DistrictSettings) -> None:
        item = M.district_to_item(settings)
        if not conditional_put(item):
            raise StaleCase()
        settings.version = item.version

    def register_district(self, code: str) -> None:
        RegistryItem(*K.REGISTRY_KEY).update(actions=[RegistryItem.districts.add({code})])
        ensure_district(code)

    def registered_districts(self) -> list[str]:
        try:
            return sorted(RegistryItem.get(*K.REGISTRY_KEY).districts or [])
        except RegistryItem.DoesNotExist:
            return []
