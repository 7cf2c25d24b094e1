"""A citizen's photo loses its metadata before anyone else sees it: checked on a real
JPEG with GPS EXIF made by Pillow; the type and magic checks of citizen files."""
from __future__ import annotations

from io import BytesIO

from PIL import Image

from chalicelib.domain import attachments as att


def jpeg_with_gps() -> bytes:
    img = Image.new("RGB", (64, 48), (180, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "Telefonum Marka"          # Make
    exif[0x0110] = "Model X"                  # Model
    exif[0x9003] = "2026:11:30 08:15:00"      # DateTimeOriginal (in the Exif IFD, kept simple here)
    exif[0x0112] = 6                          # Orientation: rotated
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (40.0, 55.0, 25.0), "E", (29.0, 7.0, 52.0)
    out = BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_gps_and_every_exif_tag_are_stripped_and_the_position_is_returned():
    raw = jpeg_with_gps()
    assert b"Telefonum" in raw and Image.open(BytesIO(raw)).getexif().get_ifd(0x8825)
    body, content_type, gps = att.strip_metadata(raw, "image/jpeg")
    assert content_type == "image/jpeg" and gps == {"lat": 40.923611, "lon": 29.131111}
    clean = Image.open(BytesIO(body))
    assert dict(clean.getexif()) == {} and b"Telefonum" not in body and b"Exif" not in body
    assert clean.size == (48, 64)             # turned upright before the orientation tag went


def test_a_png_loses_its_text_chunks():
    img = Image.new("RGB", (10, 10))
    from PIL.PngImagePlugin import PngInfo
    info = PngInfo()
    info.add_text("Author", "Ayşe Yılmaz")
    out = BytesIO()
    img.save(out, "PNG", pnginfo=info)
    body, content_type, _ = att.strip_metadata(out.getvalue(), "image/png")
    assert content_type == "image/png" and b"Author" not in body


def test_citizen_files_are_photos_or_pdfs_and_their_bytes_must_say_so():
    jpeg = jpeg_with_gps()
    assert att.citizen_problem(len(jpeg), "image/jpeg", jpeg[:16]) is None
    heic_head = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00"
    assert att.citizen_problem(1000, "image/heic", heic_head) is None
    assert att.citizen_problem(1000, "image/heic", jpeg[:16]) == "attachment_content_mismatch"
    assert att.citizen_problem(1000, "image/gif", b"GIF89a") == "citizen_type_not_allowed"
    assert att.citizen_problem(11 * 1024 * 1024, "image/jpeg", jpeg[:16]) == "attachment_too_large"
    assert att.citizen_problem(100, "image/png", jpeg[:16]) == "attachment_content_mismatch"
