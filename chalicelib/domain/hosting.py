"""Where the data is held, and on what basis it leaves Türkiye (KVKK art. 9 as amended by
Law 7499, in force 1 June 2024). Pure.

Where the data is follows from the deployment itself, the AWS region the functions run
in (Lambda sets AWS_REGION), never from a label someone could leave at its default. AWS
has no region in Türkiye, so an AWS deployment is a transfer abroad: it needs a basis,
which the deployment names (TRANSFER_BASIS=<kind>:<detail>, checked by `make package`),
and the KVKK notice names the country, the recipient and the basis. Presidential
Circular 2019/12 asks public bodies to keep their data on their own systems or on domestic
providers under their control (docs/kvkk.md): a real public deployment either runs in
Türkiye or records why not.
"""
from __future__ import annotations

from dataclasses import dataclass

# AWS regions by the country and city a citizen is told; none is in Türkiye.
REGIONS = {
    "eu-central-1": ("Almanya", "Frankfurt"), "eu-central-2": ("İsviçre", "Zürih"),
    "eu-west-1": ("İrlanda", "Dublin"), "eu-west-2": ("Birleşik Krallık", "Londra"),
    "eu-west-3": ("Fransa", "Paris"), "eu-south-1": ("İtalya", "Milano"), "eu-south-2": ("İspanya", "Aragon"),
    "eu-north-1": ("İsveç", "Stokholm"), "me-central-1": ("Birleşik Arap Emirlikleri", "Dubai"),
    "me-south-1": ("Bahreyn", "Manama"), "il-central-1": ("İsrail", "Tel Aviv"),
    "us-east-1": ("Amerika Birleşik Devletleri", "Virginia"), "us-east-2": ("Amerika Birleşik Devletleri", "Ohio"),
    "us-west-2": ("Amerika Birleşik Devletleri", "Oregon"),
}
DOMESTIC_REGIONS: frozenset[str] = frozenset()   # a region in Türkiye, when one serves this deployment

# KVKK art. 9: the bases on which personal data may be transferred abroad.
TRANSFER_BASES = {
    "adequacy": "Kişisel Verileri Koruma Kurulunun yeterlilik kararı (KVKK m. 9/1)",
    "standard_contract": "Kurulun ilan ettiği standart sözleşme; Kurula 5 iş günü içinde bildirildi (KVKK m. 9/4)",
    "binding_corporate_rules": "Kurulca onaylanmış bağlayıcı şirket kuralları (KVKK m. 9/4)",
    "undertaking": "Kurulun izin verdiği yazılı taahhütname (KVKK m. 9/4)",
}


@dataclass(frozen=True)
class DataLocation:
    country: str
    place: str                  # what the notice says of where
    abroad: bool
    recipient: str | None       # who receives the data abroad (the processor)
    basis: str | None           # the art. 9 basis, as the notice states it


class NoTransferBasis(ValueError):
    """A region outside Türkiye and no valid TRANSFER_BASIS."""


def parse_basis(raw: str | None) -> tuple[str, str] | None:
    """`<kind>:<detail>` (e.g. `standard_contract:2026-01-15`, the date it was notified to
    the Authority); None when empty. Raises ValueError naming what is wrong."""
    if not raw:
        return None
    kind, _, detail = raw.partition(":")
    if kind not in TRANSFER_BASES:
        raise ValueError(f"TRANSFER_BASIS: the kind must be one of {', '.join(TRANSFER_BASES)}, not {kind!r}")
    if not detail.strip():
        raise ValueError("TRANSFER_BASIS: after the kind, give its detail (a decision's reference or the date the "
                         "contract was notified), e.g. standard_contract:2026-01-15")
    return kind, detail.strip()


def data_location(region: str, *, stage: str, transfer_basis: str | None) -> DataLocation:
    if stage == "local":
        return DataLocation("Türkiye", "bu deneme ortamını çalıştıran bilgisayar (yerel geliştirme ortamı)", False,
                            None, None)
    if region in DOMESTIC_REGIONS:
        return DataLocation("Türkiye", f"Türkiye ({region})", False, None, None)
    country, city = REGIONS.get(region, (f"Türkiye dışı ({region})", region))
    basis = parse_basis(transfer_basis)
    if basis is None:
        raise NoTransferBasis(f"The region {region} is outside Türkiye: set TRANSFER_BASIS=<kind>:<detail> "
                              f"(kinds: {', '.join(TRANSFER_BASES)}), e.g. TRANSFER_BASIS=standard_contract:2026-01-15")
    kind, detail = basis
    recipient = ("Amazon Web Services EMEA SARL (Lüksemburg): barındırma, veri tabanı, kuyruk, e-posta ve SMS "
                 "gönderimi" if region.startswith("eu-") else "Amazon Web Services, Inc.: barındırma, veri tabanı, "
                 "kuyruk, e-posta ve SMS gönderimi")
    return DataLocation(country, f"{country} ({city}, AWS {region} bölgesi)", True, recipient,
                        f"{TRANSFER_BASES[kind]}: {detail}")
