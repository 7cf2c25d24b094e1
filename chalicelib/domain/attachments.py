"""What an attachment may be: PDF, JPEG or PNG, at most 10 MB, and the bytes must say so."""
from __future__ import annotations

import unicodedata
import warnings
from io import BytesIO
from urllib.parse import quote

ALLOWED_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
MAX_BYTES = 10 * 1024 * 1024
# An image is decoded only if it has at most this many pixels (a 40 MP phone photo is
# 7,300 × 5,500). A 13,000 × 13,000 PNG of 0.5 MB decodes to 2 GB and kills a 1 GB Lambda:
# the size is read from the header and checked before any pixel is decoded.
MAX_PIXELS = 40_000_000


class ImageTooLarge(ValueError):
    """More pixels than MAX_PIXELS, or Pillow's decompression-bomb check tripped."""
_MAGIC = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}


# a citizen's photos and documents: HEIC too (the iPhone camera's format), at most 3
CITIZEN_TYPES = {**ALLOWED_TYPES, "image/heic": "heic"}
MAX_CITIZEN_FILES = 3
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1")


def sniff(head: bytes) -> str | None:
    """The content type the first bytes prove, or None."""
    for content_type, signatures in _MAGIC.items():
        if any(head.startswith(sig) for sig in signatures):
            return content_type
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "image/heic"
    return None


def citizen_problem(size: int, declared_type: str, head: bytes) -> str | None:
    if declared_type not in CITIZEN_TYPES:
        return "citizen_type_not_allowed"
    if declared_type == "image/heic":
        if size <= 0:
            return "attachment_empty"
        if size > MAX_BYTES:
            return "attachment_too_large"
        return None if sniff(head) == "image/heic" else "attachment_content_mismatch"
    return problem(size, declared_type, head)


def strip_metadata(body: bytes, content_type: str) -> tuple[bytes, str, dict | None]:
    """A photo without its metadata (EXIF, GPS, XMP, ICC, comments, PNG text chunks), as
    (bytes, content type, the GPS position it carried or None). The pixels are re-encoded
    by Pillow (the standard imaging library, imported only here); a HEIC photo becomes a
    JPEG, which every office browser shows. PDFs pass unchanged.

    Raises ImageTooLarge for more than MAX_PIXELS, read from the header before decoding
    (every type: JPEG, PNG, HEIC), and for anything Pillow's own bomb check flags, which
    is an error here, not a warning; any other failure to open is the caller's refusal."""
    if content_type == "application/pdf":
        return body, content_type, None

    from PIL import Image, ImageOps
    if content_type == "image/heic":
        import pillow_heif
        pillow_heif.register_heif_opener()
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(BytesIO(body)) as opened:       # reads the header only
                width, height = opened.size
                if width * height > MAX_PIXELS:
                    raise ImageTooLarge(f"{width}x{height}")
                gps = _gps_of(opened)
                img = ImageOps.exif_transpose(opened)   # decodes; keeps the photo upright without the tag
                out = BytesIO()
                if content_type == "image/png":
                    clean = img.copy()
                    clean.info = {}                     # no text chunks, no eXIf, no ICC
                    clean.save(out, format="PNG", exif=b"")
                    return out.getvalue(), "image/png", gps
                rgb = img.convert("RGB")
                rgb.info = {}                           # no comment (COM segment), no ICC, no XMP
                rgb.save(out, format="JPEG", quality=90, exif=b"", icc_profile=None, comment=b"")
                return out.getvalue(), "image/jpeg", gps
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise ImageTooLarge(str(exc)) from None


def _gps_of(img) -> dict | None:
    try:
        gps = img.getexif().get_ifd(0x8825)
    except Exception:  # noqa: BLE001 - unreadable metadata is simply not used
        return None
    if not gps or 2 not in gps or 4 not in gps:
        return None

    def degrees(value, ref) -> float:
        d, m, s = (float(x) for x in value)
        sign = -1 if ref in ("S", "W") else 1
        return sign * (d + m / 60 + s / 3600)
    try:
        return {"lat": round(degrees(gps[2], gps.get(1, "N")), 6), "lon": round(degrees(gps[4], gps.get(3, "E")), 6)}
    except (TypeError, ValueError, ZeroDivisionError):
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
    "citizen_type_not_allowed": "Yalnızca fotoğraf (JPEG, PNG, HEIC) ya da PDF belgesi eklenebilir.",
    "too_many_files": "Bir başvuruya en fazla 3 dosya eklenebilir.",
    "image_unreadable": "Fotoğraf açılamıyor ya da bozuk; fotoğrafı yeniden çekip ya da kaydedip yükleyiniz.",
    "image_too_large": "Fotoğraf çok büyük (en fazla 40 milyon piksel); telefonun daha küçük bir boyutta kaydettiği "
                       "fotoğrafı yükleyiniz.",
}
