"""The national institution registry: the standard institutions of every place,
generated from the geography with their official names, and the CSV form the registry is
imported and exported in. Pure. Where the lists come from: docs/domain-rules.md §8.

Every district has the district units of the ministries' provincial organisation (Law
3046 art. 28; Presidential Decree no. 1): the municipality, police and gendarmerie,
health, national education, population, land registry, the mufti, agriculture and
forestry, the social assistance foundation (Law 3294), a social services centre, and the
chief public prosecutor's office. The province as a whole ("İl geneli") has the il
müdürlükleri, the metropolitan or provincial municipality, and the SGK and İŞKUR
provincial directorates (they have district units only in some districts, which an office
adds through the registry). A generated row has no liaison address: nothing is forwarded
to it until an office confirms one.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from . import offices as O
from .assignment import Institution
from .spreadsheet import row

# (kind, district unit's name pattern, province unit's name pattern); None: no unit at that level
STANDARD_UNITS: tuple[tuple[str, str | None, str | None], ...] = (
    ("belediye", "{district} Belediye Başkanlığı", "{municipality} Belediye Başkanlığı"),
    ("emniyet", "{district} İlçe Emniyet Müdürlüğü", "{province} İl Emniyet Müdürlüğü"),
    ("jandarma", "{district} İlçe Jandarma Komutanlığı", "{province} İl Jandarma Komutanlığı"),
    ("saglik", "{district} İlçe Sağlık Müdürlüğü", "{province} İl Sağlık Müdürlüğü"),
    ("egitim", "{district} İlçe Milli Eğitim Müdürlüğü", "{province} İl Milli Eğitim Müdürlüğü"),
    ("nufus", "{district} İlçe Nüfus Müdürlüğü", "{province} İl Nüfus ve Vatandaşlık Müdürlüğü"),
    ("tapu", "{district} Tapu Müdürlüğü", None),
    ("muftu", "{district} İlçe Müftülüğü", "{province} İl Müftülüğü"),
    ("tarim", "{district} İlçe Tarım ve Orman Müdürlüğü", "{province} İl Tarım ve Orman Müdürlüğü"),
    ("sosyal_yardim", "{district} Sosyal Yardımlaşma ve Dayanışma Vakfı", None),
    ("aile", "{district} Sosyal Hizmet Merkezi Müdürlüğü", "{province} Aile ve Sosyal Hizmetler İl Müdürlüğü"),
    ("savcilik", "{district} Cumhuriyet Başsavcılığı", "{province} Cumhuriyet Başsavcılığı"),
    ("kaymakamlik", "{district} Kaymakamlığı Yazı İşleri Müdürlüğü", "{province} Valiliği Yazı İşleri Müdürlüğü"),
    ("sgk", None, "{province} Sosyal Güvenlik İl Müdürlüğü"),
    ("iskur", None, "{province} Çalışma ve İş Kurumu İl Müdürlüğü"),
    ("cevre", None, "{province} Çevre, Şehircilik ve İklim Değişikliği İl Müdürlüğü"),
)


def institution_id(place: str, kind: str) -> str:
    return f"{place}.{kind}"


def standard_institutions(place: str, district_name: str, province_name: str, metropolitan: bool) -> list[Institution]:
    """The standard institutions of one place, with no confirmed liaison address."""
    province_level = O.is_province_wide(place)
    central = place.endswith("-merkez")
    label = f"{province_name} Merkez" if central else district_name
    municipality = f"{province_name} Büyükşehir" if metropolitan else province_name
    out = []
    for kind, district_pattern, province_pattern in STANDARD_UNITS:
        pattern = province_pattern if province_level else district_pattern
        if pattern is None:
            continue
        if central and kind == "belediye":        # the central district's municipality is the province's
            pattern = "{province} Belediye Başkanlığı"
        if central and kind == "kaymakamlik":     # a central district has no kaymakam: the valilik's own
            pattern = "{province} Valiliği Yazı İşleri Müdürlüğü"
        name = pattern.format(district=label, province=province_name, municipality=municipality)
        out.append(Institution(institution_id(place, kind), kind, name, None, confirmed=False))
    return out


# --- the registry as CSV (python -m tools.ops registry import|export) ----------------------

COLUMNS = ("district", "id", "kind", "name", "liaison_email", "confirmed", "detsis", "send_method", "endpoint",
           "sla_days", "active")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ID = re.compile(r"^[0-9]{2}-[a-z0-9_-]+\.[a-z0-9_]+$")
_TRUE, _FALSE = {"1", "true", "evet", "e"}, {"0", "false", "hayır", "hayir", "h", ""}


@dataclass(frozen=True)
class Row:
    district: str
    institution: Institution


@dataclass(frozen=True)
class RowError:
    line: int            # 1-based, the header is line 1
    column: str
    message: str

    def __str__(self) -> str:
        return f"satır {self.line}, sütun {self.column}: {self.message}"


def _flag(raw: str) -> bool | None:
    value = raw.strip().casefold()
    return True if value in _TRUE else False if value in _FALSE else None


def parse_csv(text: str, *, places: dict, kinds: dict, methods: set[str]) -> tuple[list[Row], list[RowError]]:
    """Rows of the registry CSV (UTF-8, a BOM allowed, comma separated), and every error
    with its line and column. `places`: the catalogue's districts; `kinds`: institution
    kinds; `methods`: delivery methods."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in ("district", "id", "kind", "name") if c not in header]
    if missing:
        return [], [RowError(1, c, "zorunlu sütun yok") for c in missing]
    unknown = [c for c in header if c not in COLUMNS]
    errors = [RowError(1, c, "tanınmayan sütun") for c in unknown]
    rows: list[Row] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(reader, start=2):
        r = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        here = len(errors)
        if r["district"] not in places:
            errors.append(RowError(n, "district", f"ilçe kodu tanınmıyor: {r['district']!r}"))
        if not _ID.match(r["id"]) or not r["id"].startswith(r["district"] + "."):
            errors.append(RowError(n, "id", "kimlik <ilçe kodu>.<ad> biçiminde olmalıdır (örnek: 01-aladag.belediye)"))
        elif r["id"] in seen:
            errors.append(RowError(n, "id", f"bu kimlik {seen[r['id']]}. satırda da var"))
        else:
            seen[r["id"]] = n
        if r["kind"] not in kinds:
            errors.append(RowError(n, "kind", f"kurum türü tanınmıyor: {r['kind']!r}"))
        if not 3 <= len(r["name"]) <= 200:
            errors.append(RowError(n, "name", "kurum adı 3-200 karakter olmalıdır"))
        email = r.get("liaison_email") or None
        if email and not _EMAIL.match(email):
            errors.append(RowError(n, "liaison_email", "geçerli bir e-posta adresi değil"))
        confirmed, active = _flag(r.get("confirmed", "")), _flag(r.get("active", "1") or "1")
        if confirmed is None:
            errors.append(RowError(n, "confirmed", "evet/hayır (1/0) olmalıdır"))
        elif confirmed and not email and (r.get("send_method") or "email_link") == "email_link":
            errors.append(RowError(n, "confirmed", "onaylı sayılan kurumun irtibat e-postası olmalıdır"))
        if active is None:
            errors.append(RowError(n, "active", "evet/hayır (1/0) olmalıdır"))
        method = r.get("send_method") or "email_link"
        if method not in methods:
            errors.append(RowError(n, "send_method", f"gönderim yolu tanınmıyor: {method!r}"))
        sla = r.get("sla_days") or ""
        if sla and not (sla.isdigit() and 1 <= int(sla) <= 60):
            errors.append(RowError(n, "sla_days", "1-60 arası bir iş günü sayısı olmalıdır"))
        detsis = r.get("detsis") or None
        if detsis and not (detsis.isdigit() and len(detsis) <= 12):
            errors.append(RowError(n, "detsis", "DETSİS numarası en çok 12 rakamdır"))
        if len(errors) == here:
            rows.append(Row(r["district"], Institution(
                r["id"], r["kind"], r["name"], email, int(sla) if sla else None, method, r.get("endpoint") or None,
                confirmed=bool(confirmed), detsis=detsis, active=bool(active))))
    return rows, errors


def to_csv(places: list[tuple[str, list[Institution]]]) -> str:
    """The registry as CSV, in the import's own columns (re-importing it changes nothing).
    Cells go through domain/spreadsheet.row: nothing a spreadsheet would run as a formula."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    for place, institutions in places:
        for i in institutions:
            w.writerow(row([place, i.id, i.kind, i.name, i.liaison_email or "", "1" if i.confirmed else "0",
                            i.detsis or "", i.send_method, i.endpoint or "", i.sla_days or "",
                            "1" if i.active else "0"]))
    return "\ufeff" + out.getvalue()


@dataclass
class Plan:
    """What an import would do, place by place."""
    added: list[tuple[str, Institution]]
    changed: list[tuple[str, Institution, Institution]]    # (place, before, after)
    disabled: list[tuple[str, Institution]]
    places: dict[str, list[Institution]]                   # each touched place's institutions after it

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.disabled)


def plan(rows: list[Row], current: dict[str, list[Institution]], *, disable_missing: bool) -> Plan:
    """The changes that make the registry say what the rows say. `current`: each place's
    institutions now (stored or generated) for every place the rows name. An institution
    of such a place that the file leaves out is disabled when `disable_missing` (never
    deleted: old cases keep it)."""
    by_place: dict[str, dict[str, Institution]] = {}
    for r in rows:
        by_place.setdefault(r.district, {})[r.institution.id] = r.institution
    added, changed, disabled, places = [], [], [], {}
    for place, wanted in sorted(by_place.items()):
        now = {i.id: i for i in current.get(place, [])}
        after = []
        for inst_id, inst in wanted.items():
            before = now.get(inst_id)
            if before is None:
                added.append((place, inst))
            elif before != inst:
                changed.append((place, before, inst))
            after.append(inst)
        for inst_id, before in now.items():
            if inst_id in wanted:
                continue
            if disable_missing and before.active:
                gone = Institution(**{**before.__dict__, "active": False})
                disabled.append((place, before))
                after.append(gone)
            else:
                after.append(before)
        if any(p == place for p, *_ in added + changed + disabled):
            places[place] = sorted(after, key=lambda i: i.id)
    return Plan(added, changed, disabled, places)
