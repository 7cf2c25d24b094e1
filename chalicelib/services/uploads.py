"""One check for every uploaded file, the citizen's and the institution's alike: the upload
is taken first (moved to a key only the server writes), and the copy is what is checked,
re-encoded and kept, so a re-post to the presigned form after the check changes nothing.

- PDF: parsed (domain/attachments.pdf_problem);
- JPEG, PNG, HEIC: the pixel count read from the header before decoding, Pillow's bomb
  check an error, then the pixels re-encoded without metadata (EXIF, GPS, XMP, ICC, JPEG
  comments, PNG text); a HEIC becomes a JPEG."""
from __future__ import annotations

from dataclasses import dataclass

from ..domain import attachments as att


@dataclass(frozen=True)
class Checked:
    key: str
    size: int
    content_type: str
    gps: dict | None


def take_and_check(storage, upload_key: str, *, citizen: bool) -> Checked | str:
    """The kept file, or the English code of the refusal (nothing is left behind then)."""
    key = storage.take(upload_key)
    if key is None:
        return "attachment_missing"
    info = storage.inspect(key)
    if info is None:
        return "attachment_missing"
    content_type = info["content_type"]
    problem = (att.citizen_problem if citizen else att.problem)(info["size"], content_type, info["head"])
    body, gps = b"", None
    if problem is None:
        body = storage.read(key)
        if content_type == "application/pdf":
            problem = att.pdf_problem(body)
        else:
            try:
                body, content_type, gps = att.strip_metadata(body, content_type)
            except att.ImageTooLarge:
                problem = "image_too_large"
            except Exception:  # noqa: BLE001 - bytes that do not open as an image are refused
                problem = "image_unreadable"
    if problem is not None:
        storage.delete(key)
        return problem
    if info["content_type"] != "application/pdf":
        storage.write(key, body, content_type)          # only the re-encoded photo is kept
    return Checked(key, len(body), content_type, gps)
