"""What an attachment may be: PDF, JPEG or PNG, at most 10 MB, and the bytes must say so."""
from __future__ import annotations

ALLOWED_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
MAX_BYTES = 10 * 1024 * 1024
_MAGIC = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}


def sniff(head: bytes) -> str | None:
    """The content type the first bytes prove, or None."""
    for content_type, signatures in _MAGIC.items():
        if any(head.startswith(sig) for sig in signatures):
            return content_type
    return None


def problem(size: int, declared_type: str, head: bytes) -> str | None:
    """None when acceptable, else an English code for the refusal."""
    if declared_type not in ALLOWED_TYPES:
        return "attachment_type_not_allowed"
    if size <= 0:
        return "attachment_empty"
    if size > MAX_BYTES:
        return "attachment_too_large"
    if sniff(head) != declared_type:
        return "attachment_content_mismatch"
    return None


def pdf_problem(body: bytes) -> str | None:
    """A file that starts like a PDF must also be one: its cross-reference table and
    trailer must parse and it must have a page. An HTML page behind a "%PDF-" prefix
    does not, and is refused. (pypdf: the standard pure-Python PDF reader, imported
    only here.)"""
    from io import BytesIO

    from pypdf import PdfReader
    try:
        reader = PdfReader(BytesIO(body), strict=True)
        return None if len(reader.pages) >= 1 else "attachment_unreadable"
    except Exception:  # noqa: BLE001 - any failure to parse untrusted bytes is a refusal
        return "attachment_unreadable"


def content_disposition(filename: str) -> str:
    """`attachment` with the name as RFC 6266 / RFC 5987 give it: an ASCII fallback in
    `filename` (anything else replaced) and the UTF-8 name, percent-encoded, in
    `filename*`. Nothing the uploader wrote reaches the header unencoded."""
    import unicodedata
    from urllib.parse import quote
    name = "".join(ch for ch in unicodedata.normalize("NFC", filename) if unicodedata.category(ch)[0] != "C")
    name = name.replace("/", "_").replace("\\", "_").strip() or "ek"
    fallback = "".join(ch if 0x20 <= ord(ch) < 0x7f and ch not in '"%;' else "_" for ch in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


MESSAGES = {
    "attachment_type_not_allowed": "Yalnızca PDF, JPEG veya PNG dosyası eklenebilir.",
    "attachment_empty": "Dosya boş.",
    "attachment_too_large": "Dosya 10 MB sınırını aşıyor.",
    "attachment_content_mismatch": "Dosyanın içeriği bildirilen türle (PDF, JPEG, PNG) uyuşmuyor.",
    "attachment_unreadable": "PDF dosyası okunamıyor ya da bozuk; dosyayı yeniden PDF olarak kaydedip yükleyiniz.",
    "attachment_missing": "Ek bulunamadı; önce dosyayı yükleyiniz.",
}
