"""What an attachment may be, and how its name reaches a download header."""
from __future__ import annotations

import io

from chalicelib.domain import attachments as att


def _pdf() -> bytes:
    from pypdf import PdfWriter
    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=100, height=100)
    writer.write(out)
    return out.getvalue()


def test_a_real_pdf_parses_and_lookalikes_do_not():
    pdf = _pdf()
    assert att.problem(len(pdf), "application/pdf", pdf[:16]) is None and att.pdf_problem(pdf) is None
    for fake in (b"%PDF-1.4\n<html><script>x</script></html>", b"%PDF-", pdf[:-40], b"%PDF-1.4\n" + b"\x00" * 500):
        assert att.problem(len(fake), "application/pdf", fake[:16]) is None     # the magic bytes fool the sniff
        assert att.pdf_problem(fake) == "attachment_unreadable"


def test_the_download_name_is_encoded_never_copied():
    assert att.content_disposition("yanit.pdf") == "attachment; filename=\"yanit.pdf\"; filename*=UTF-8''yanit.pdf"
    header = att.content_disposition('Çağrı "özet";\r\nSet-Cookie: a=b\x00.pdf')
    assert "\r" not in header and "\n" not in header and "\x00" not in header
    assert header.startswith('attachment; filename="_a_r_ __zet__Set-Cookie: a=b.pdf"; ')
    assert header.endswith("filename*=UTF-8''%C3%87a%C4%9Fr%C4%B1%20%22%C3%B6zet%22%3BSet-Cookie%3A%20a%3Db.pdf")
    assert att.content_disposition("../../etc/passwd").startswith('attachment; filename=".._.._etc_passwd"')
    assert att.content_disposition("\u200b") == "attachment; filename=\"ek\"; filename*=UTF-8''ek"
