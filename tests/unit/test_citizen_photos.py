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


def _png_header(width: int, height: int) -> bytes:
    """A PNG that declares its size and carries almost no pixels: what a decompression bomb
    looks like until it is decoded (74 bytes for 13,000 × 13,000)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b""))


def _jpeg_declaring(width: int, height: int) -> bytes:
    import struct
    out = BytesIO()
    Image.new("RGB", (16, 16)).save(out, "JPEG")
    raw = bytearray(out.getvalue())
    sof = raw.find(b"\xff\xc0")
    struct.pack_into(">HH", raw, sof + 5, height, width)
    return bytes(raw)


def _heic(width: int, height: int) -> bytes:
    import pillow_heif
    pillow_heif.register_heif_opener()
    out = BytesIO()
    Image.new("RGB", (width, height), (10, 200, 10)).save(out, "HEIF")
    return out.getvalue()


import pytest  # noqa: E402


@pytest.mark.parametrize("body,content_type", [
    (_png_header(13_000, 13_000), "image/png"),          # 169 MP: Pillow's own bomb check, now an error
    (_png_header(8_000, 6_000), "image/png"),            # 48 MP: over our limit, under Pillow's
    (_jpeg_declaring(13_000, 13_000), "image/jpeg"),
    (_jpeg_declaring(8_000, 6_000), "image/jpeg"),
])
def test_an_image_with_too_many_pixels_is_refused_before_it_is_decoded(body, content_type):
    """Issue 36: a 13,000 × 13,000 PNG of 0.5 MB took the API process from 0.22 to 2.2 GB."""
    import tracemalloc
    tracemalloc.start()
    with pytest.raises(att.ImageTooLarge):
        att.strip_metadata(body, content_type)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 20_000_000                                 # no pixel buffer was allocated


def test_every_image_type_is_held_to_the_pixel_limit_and_pillows_bomb_warning_is_an_error(monkeypatch):
    heic = _heic(64, 64)
    assert att.strip_metadata(heic, "image/heic")[1] == "image/jpeg"
    monkeypatch.setattr(att, "MAX_PIXELS", 64 * 48 - 1)            # one pixel short of the smallest
    for body, content_type in ((heic, "image/heic"), (jpeg_with_gps(), "image/jpeg"),
                               (_png_header(64, 64), "image/png")):
        with pytest.raises(att.ImageTooLarge):
            att.strip_metadata(body, content_type)
    monkeypatch.setattr(att, "MAX_PIXELS", 10**9)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)    # Pillow warns past this; the warning refuses
    with pytest.raises(att.ImageTooLarge):
        att.strip_metadata(jpeg_with_gps(), "image/jpeg")


def test_the_jpeg_comment_segment_is_dropped():
    out = BytesIO()
    Image.new("RGB", (32, 32), (1, 2, 3)).save(out, "JPEG", comment=b"Ali Kaya, Camlik Sokak 7")
    raw = out.getvalue()
    assert b"Ali Kaya" in raw and Image.open(BytesIO(raw)).info.get("comment")
    body, _, _ = att.strip_metadata(raw, "image/jpeg")
    assert b"Ali Kaya" not in body and b"\xff\xfe" not in body[:body.find(b"\xff\xda")]     # no COM before the scan
    assert not Image.open(BytesIO(body)).info.get("comment")
