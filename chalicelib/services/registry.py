"""The national institution registry as CSV: export every place's institutions (what an
office stored, else the standard ones), and import a file back: every error with its line
and column, a dry run that says what would be added, changed and disabled, an import of
the same file twice that changes nothing, every applied change audited, and writes paced
so that a national import stays within the table's capacity (operators run it through
`python -m tools.ops registry`)."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..domain import registry as R
from ..domain.assignment import DistrictSettings
from ..domain.audit import AuditEntry
from ..domain.catalog import catalog
from . import delivery_methods, reference
from .ports import Ports, StaleCase


def current(ports: Ports, places: list[str]) -> dict[str, DistrictSettings]:
    """Each place's institutions now: stored (read in batches), else the standard ones."""
    stored = ports.reference.districts(places)
    return {code: stored.get(code) or reference.standard_place(code) for code in places}


def export(ports: Ports, places: list[str] | None = None) -> str:
    codes = sorted(places or catalog().districts)
    now = current(ports, codes)
    return R.to_csv([(code, now[code].institutions) for code in codes])


@dataclass
class Report:
    errors: list[R.RowError] = field(default_factory=list)
    plan: R.Plan | None = None
    applied: int = 0                 # places written
    conflicts: list[str] = field(default_factory=list)   # places someone changed meanwhile: not written
    seconds: float = 0.0

    def lines(self) -> list[str]:
        """What an operator reads (Turkish, like every message people read)."""
        if self.errors:
            return [f"{len(self.errors)} hata; hiçbir şey değiştirilmedi:", *(f"  {e}" for e in self.errors)]
        assert self.plan is not None
        p = self.plan
        out = [f"eklenecek {len(p.added)}, değişecek {len(p.changed)}, devre dışı kalacak {len(p.disabled)} kurum "
               f"({len(p.places)} yer)"]
        out += [f"  + {place} {i.id} {i.name}" for place, i in p.added]
        for place, before, after in p.changed:
            fields = [k for k in ("kind", "name", "liaison_email", "confirmed", "detsis", "send_method", "endpoint",
                                  "sla_days", "active") if getattr(before, k) != getattr(after, k)]
            out.append(f"  ~ {place} {after.id}: " + ", ".join(f"{k} {getattr(before, k)!r} → {getattr(after, k)!r}"
                                                              for k in fields))
        out += [f"  - {place} {i.id} {i.name}" for place, i in p.disabled]
        if self.applied or self.conflicts:
            out.append(f"uygulandı: {self.applied} yer yazıldı ({self.seconds:.1f} sn)")
        out += [f"  ! {c}: bu sırada başkası değiştirdi, yazılmadı; dosyayı yeniden içe aktarınız" for c in self.conflicts]
        return out


def import_csv(ports: Ports, text: str, *, actor: str, apply: bool, disable_missing: bool = True,
               writes_per_second: float = 50.0, client: str = "ops") -> Report:
    """Reads the file; with `apply`, writes each place that changes (version-checked: a
    place edited meanwhile is left and reported) and audits it. Nothing is written when
    any line has an error."""
    cat = catalog()
    rows, errors = R.parse_csv(text, places=cat.districts, kinds=cat.institution_kinds,
                               methods=set(delivery_methods.METHODS))
    report = Report(errors=errors)
    if errors:
        return report
    places = sorted({r.district for r in rows})
    now = current(ports, places)
    report.plan = R.plan(rows, {code: s.institutions for code, s in now.items()}, disable_missing=disable_missing)
    if not apply:
        return report
    started = time.monotonic()
    interval = 1.0 / writes_per_second if writes_per_second > 0 else 0.0
    for code, institutions in sorted(report.plan.places.items()):
        tick = time.monotonic()
        settings = DistrictSettings(code, institutions, now[code].version)
        try:
            ports.reference.save_district(settings)
        except StaleCase:
            report.conflicts.append(code)
            continue
        touched = {"added": sorted(i.id for p, i in report.plan.added if p == code),
                   "changed": sorted(a.id for p, _, a in report.plan.changed if p == code),
                   "disabled": sorted(i.id for p, i in report.plan.disabled if p == code)}
        ports.audit.record(AuditEntry(f"DISTRICT-{code}", actor, "admin", "registry_import", ports.clock.now(),
                                      client, touched))
        report.applied += 1
        pause = interval - (time.monotonic() - tick)       # paced: at most `writes_per_second` places a second
        if pause > 0:
            time.sleep(pause)
    report.seconds = time.monotonic() - started
    return report
