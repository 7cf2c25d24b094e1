"""The citizen's files on the fakes: what is checked is what is kept, and a file that lost
the race for the last place is not left behind."""
from __future__ import annotations

import pytest

from chalicelib.domain.errors import Conflict
from chalicelib.services import citizen_files, uploads
from tests.unit.test_citizen_photos import jpeg_with_gps
from tests.unit.test_service_rules import submitted


def _uploaded(p, no: str, receipt: dict, body: bytes, content_type: str = "image/jpeg") -> str:
    form = citizen_files.start_upload(p, receipt["application_no"], receipt["access_code"],
                                      {"filename": "foto.jpg", "content_type": content_type, "size": len(body)},
                                      client="1.1.1.1")
    p.storage.write(form["upload"]["fields"]["key"], body, content_type)      # the browser's POST
    return form["attachment_id"]


def _attach(p, receipt, attachment_id):
    return citizen_files.attach(p, receipt["application_no"], receipt["access_code"], attachment_id, {},
                                client="1.1.1.1")


def test_a_file_that_loses_the_race_for_the_last_place_is_not_left_behind(p, monkeypatch):
    """Two attaches at once with one place left: both check and keep their file, one wins
    the case's write; the other is applied again to the fresh case, which now has no place:
    it is refused (409, with that reason) and its kept file is deleted."""
    no, receipt = submitted(p)
    for _ in range(2):
        _attach(p, receipt, _uploaded(p, no, receipt, jpeg_with_gps()))
    late, early = (_uploaded(p, no, receipt, jpeg_with_gps()) for _ in range(2))
    real = uploads.take_and_check

    def and_meanwhile(storage, key, **kw):
        result = real(storage, key, **kw)
        if late in key:                              # while `late` is being checked, `early` is attached
            monkeypatch.setattr(citizen_files, "take_and_check", real)
            _attach(p, receipt, early)
        return result
    monkeypatch.setattr(citizen_files, "take_and_check", and_meanwhile)
    with pytest.raises(Conflict) as exc:
        _attach(p, receipt, late)
    assert exc.value.code == "too_many_files"                   # the case changed under it: no place left
    kept = {f["key"] for f in p.cases.get(no).citizen_files}
    assert len(kept) == 3 and {k for k in p.storage.objects if k.startswith("files/")} == kept


def test_a_change_made_by_the_system_at_the_same_moment_does_not_refuse_the_citizens(p, monkeypatch):
    """Issue 41: a photo attached right after the receipt met routing's change of the same
    case and was refused with "aynı anda değiştirildi". The citizen's change is applied again
    to the fresh case instead."""
    no, receipt = submitted(p)
    attachment_id = _uploaded(p, no, receipt, jpeg_with_gps())
    real = p.cases.commit
    calls = []

    def routed_meanwhile(case, *args, **kwargs):
        calls.append(case.version)
        if len(calls) == 1:                               # the first commit loses to another writer
            from chalicelib.services.ports import StaleCase
            raise StaleCase()
        return real(case, *args, **kwargs)
    monkeypatch.setattr(p.cases, "commit", routed_meanwhile)
    view = _attach(p, receipt, attachment_id)
    assert len(view["attachments"]) == 1 and len(calls) == 2


def test_the_copy_taken_before_the_check_is_never_replaced_by_a_later_upload(p):
    no, receipt = submitted(p)
    attachment_id = _uploaded(p, no, receipt, jpeg_with_gps())
    _attach(p, receipt, attachment_id)
    [record] = p.cases.get(no).citizen_files
    kept = p.storage.objects[record["key"]]
    upload_key = p.storage.attachment_key(no, "citizen", attachment_id)
    p.storage.write(upload_key, b"\xff\xd8\xff<html>", "image/jpeg")        # a re-post after the attach
    assert p.storage.take(upload_key) == record["key"] and p.storage.objects[record["key"]] == kept
    assert upload_key not in p.storage.objects
