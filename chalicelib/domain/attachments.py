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


MESSAGES = {
    "attachment_type_not_allowed": "Yalnızca PDF, JPEG veya PNG dosyası eklenebilir.",
    "attachment_empty": "Dosya boş.",
    "attachment_too_large": "Dosya 10 MB sınırını aşıyor.",
    "attachment_content_mismatch": "Dosyanın içeriği bildirilen türle (PDF, JPEG, PNG) uyuşmuyor.",
    "attachment_missing": "Ek bulunamadı; önce dosyayı yükleyiniz.",
}
