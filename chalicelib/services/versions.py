"""The version an editor saw: every change of a versioned record (a case, district
settings, a staff member) names it, and a change made on a stale view is refused with
409 rather than overwriting what someone else did meanwhile."""
from __future__ import annotations

from ..domain.errors import AppError, Conflict
from .ports import StaleCase


def seen_version(req, if_match: str | None) -> int:
    if req.version is not None:
        return req.version
    if if_match:
        try:
            return int(if_match.strip().removeprefix("W/").strip('"'))
        except ValueError:
            pass
    raise AppError("version_required", "Değişiklik için görülen sürüm (version ya da If-Match) gereklidir.",
                   field="version", status=428)


def save_seen_version(req, if_match: str | None, current: int | None, save, what: str) -> None:
    """An edit of a versioned record (district settings, a staff member): the version
    the editor saw must still be the current one, and the save itself is version-checked
    against an edit in between. `what` names the record in the Turkish message."""
    if current is not None and seen_version(req, if_match) != current:
        raise Conflict("stale_version", f"{what} siz görüntüledikten sonra değişmiş.",
                       details={"current_version": current})
    try:
        save()
    except StaleCase:
        raise Conflict("stale_version", f"{what} aynı anda değiştirildi.") from None
