"""The `ReferenceData` port on DynamoDB: a place's institutions in one item and an office's
settings in another (routing reads both with the case in one call), and the set of
onboarded offices (where applications go; what the daily digest walks)."""
from __future__ import annotations

from pynamodb.exceptions import TransactWriteError

from ...domain.assignment import DistrictSettings
from ...domain.offices import Office
from ...services.ports import StaleCase
from . import itemkeys as K
from . import mapping as M
from .base import conditional_put, full, reasons, run_transaction
from .models import DistrictRefItem, OfficeItem, RegistryItem
from .statistics import ensure_district


class DynamoReferenceData:
    def district(self, code: str) -> DistrictSettings | None:
        try:
            return M.district_from_item(DistrictRefItem.get(*K.district_key(code)))
        except DistrictRefItem.DoesNotExist:
            return None

    def districts(self, codes: list[str]) -> dict[str, DistrictSettings]:
        """The stored ones among these places (BatchGetItem, 100 a call)."""
        items = full(DistrictRefItem, [K.district_key(c) for c in dict.fromkeys(codes)]) if codes else []
        return {i.district: M.district_from_item(i) for i in items}

    def save_district(self, settings: DistrictSettings) -> None:
        item = M.district_to_item(settings)
        if not conditional_put(item):
            raise StaleCase()
        settings.version = item.version

    def office(self, code: str) -> Office | None:
        try:
            return M.office_from_item(OfficeItem.get(*K.office_key(code)))
        except OfficeItem.DoesNotExist:
            return None

    def save_office(self, office: Office) -> None:
        """Creates (version None) or replaces at its version, and keeps the onboarded set
        in step; the office's dashboard counters exist from its first day."""
        item = M.office_to_item(office)
        action = RegistryItem.offices.add({office.code}) if office.onboarded else \
            RegistryItem.offices.delete({office.code})

        def build(tx):          # the settings and the onboarded set change together
            tx.save(item)       # the item's version is checked
            tx.update(RegistryItem(*K.REGISTRY_KEY), actions=[action])
        try:
            run_transaction(build)
        except TransactWriteError as exc:
            if "ConditionalCheckFailed" in reasons(exc):
                raise StaleCase() from None
            raise
        office.version = item.version
        if office.onboarded:
            ensure_district(office.code)

    def onboarded_offices(self) -> frozenset[str]:
        try:
            return frozenset(RegistryItem.get(*K.REGISTRY_KEY).offices or ())
        except RegistryItem.DoesNotExist:
            return frozenset()
