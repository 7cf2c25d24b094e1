"""The citizen's photos and documents: up to 3 per application, through the same
presigned POST, size, type and magic-byte checks as the institutions' attachments.
A photo's metadata (EXIF, GPS) is stripped before anyone else sees it; its position is
kept only if the citizen chose to share it (and the application had none)."""
from __future__ import annotations

import secrets
from datetime import timedelta

from ..domain import attachments as att
from ..domain.calendar import iso_local
from ..domain.errors import AppError, Conflict, ValidationFailed
from ..domain.schemas import LAT_MAX, LAT_MIN, LON_MAX, LON_MIN
from .ports import Ports
from .tracking import checked_case, citizen_action, public_view
from .uploads import take_and_check

OWNER = "citizen"


def _open_case(case) -> None:
    if case.closed:
        raise Conflict("case_closed", "Başvurunuz sonuçlandığı için artık dosya eklenemez.")
    if len(case.citizen_files) >= att.MAX_CITIZEN_FILES:
        raise Conflict("too_many_files", att.MESSAGES["too_many_files"])


def start_upload(ports: Ports, raw_no: str, access_code: str | None, data, *, client: str,
                 session: str | None = None) -> dict:
    from ..domain.schemas import CitizenUploadIn, parse
    req = parse(CitizenUploadIn, data)
    now = ports.clock.now()
    case = checked_case(ports, raw_no, access_code, client=client, now=now, session=session)
    _open_case(case)
    attachment_id = secrets.token_hex(16)
    storage = ports.storage
    post = storage.presigned_upload(storage.attachment_key(case.application_no, OWNER, attachment_id),
                                    req.content_type)
    return {"attachment_id": attachment_id, "filename": req.filename, "upload": post,
            "expires_at": iso_local(now + timedelta(seconds=storage.UPLOAD_URL_SECONDS)), "max_bytes": att.MAX_BYTES}


def attach(ports: Ports, raw_no: str, access_code: str | None, attachment_id: str, data, *, client: str,
           session: str | None = None) -> dict:
    """Checks the uploaded file, strips a photo's metadata and records it on the case."""
    from ..domain.schemas import CitizenFileIn, parse
    req = parse(CitizenFileIn, data or {})
    if not (len(attachment_id) == 32 and all(c in "0123456789abcdef" for c in attachment_id)):
        raise AppError("invalid_attachment_id", "Ek numarası geçersiz.", field="attachment_id")
    now = ports.clock.now()
    state: dict = {}

    def apply(case, no, assignments):
        _open_case(case)
        if any(f["id"] == attachment_id for f in case.citizen_files):
            return
        if "file" not in state:
            state["file"] = _checked(ports, no, attachment_id)
        record, gps = state["file"]
        case.citizen_files.append({**record, "at": iso_local(now)})
        if req.share_location and gps and case.location is None and \
                LAT_MIN <= gps["lat"] <= LAT_MAX and LON_MIN <= gps["lon"] <= LON_MAX:
            case.location = gps

    try:
        case = citizen_action(ports, raw_no, access_code, action="citizen_attachment", client=client, now=now,
                              apply=apply, session=session)
    except Exception:
        # a concurrent attach took the last place (or the case closed) after this file was
        # checked and kept: it is attached to nothing, so it goes
        if "file" in state:
            ports.storage.delete(state["file"][0]["key"])
        raise
    return public_view(ports, case, now)


def _checked(ports: Ports, no: str, attachment_id: str) -> tuple[dict, dict | None]:
    checked = take_and_check(ports.storage, ports.storage.attachment_key(no, OWNER, attachment_id), citizen=True)
    if isinstance(checked, str):
        raise ValidationFailed([{"code": checked, "message": att.MESSAGES[checked], "field": "file"}])
    return {"id": attachment_id, "key": checked.key, "size": checked.size, "content_type": checked.content_type,
            "filename": _named(attachment_id, checked.content_type)}, checked.gps


def _named(attachment_id: str, content_type: str) -> str:
    """Our own file name: the uploader's may carry a name or a date, and it reaches headers."""
    ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[content_type]
    return f"basvuru-eki-{attachment_id[:8]}.{ext}"
