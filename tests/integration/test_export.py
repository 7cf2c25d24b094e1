"""Issue 17's CSV export on moto: what a supervisor gets, masked, audited, streamed from
the index page by page, and past the response limit a short-lived S3 link."""
from __future__ import annotations

import csv
import io

from tests.integration.helpers import route_all, submit


def _rows(resp):
    assert resp.headers["Content-Type"].startswith("text/csv")
    text = resp.body.decode("utf-8")
    assert text.startswith("\ufeff")                           # the BOM: Excel reads Turkish letters
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_a_supervisor_exports_without_ids_phones_or_addresses_and_names_only_with_a_reason(client, staff,
                                                                                       application, aws):
    nos = [submit(client, {**application, "subject": f"Kaldırım {i}. kez çöktü"})["application_no"] for i in range(3)]
    route_all(aws)
    assert client.http.get("/v1/staff/cases/export", headers=staff.headers("masa.maltepe")).status_code == 403
    rows = _rows(client.http.get("/v1/staff/cases/export", headers=staff.headers("sorumlu.maltepe")))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Başvuru numarası", "Alınma tarihi", "Sonuçlanma tarihi"] and "Ad soyad" not in header
    assert sorted(r[0] for r in body) == sorted(nos)
    assert body[0][4] == "Yol, kaldırım ve asfalt bozukluğu" and body[0][6] == "Maltepe Belediye Başkanlığı"
    flat = "\n".join(",".join(r) for r in rows)
    for secret in ("10000000146", "5321234567", "Bağdat Cad", "Ayşe"):
        assert secret not in flat
    no_reason = client.http.get("/v1/staff/cases/export?names=1", headers=staff.headers("sorumlu.maltepe"))
    assert no_reason.status_code == 422 and no_reason.json_body["error"]["field"] == "reason"
    named = _rows(client.http.get("/v1/staff/cases/export?names=1&reason=Valilik%20istatistik%20raporu%20i%C3%A7in",
                                  headers=staff.headers("sorumlu.maltepe")))
    assert named[0][-1] == "Ad soyad" and {r[-1] for r in named[1:]} == {"Ayşe Yılmaz"}
    forwarded = _rows(client.http.get("/v1/staff/cases/export?status=forwarded&type=sikayet",
                                      headers=staff.headers("sorumlu.maltepe")))
    assert len(forwarded) == 4
    assert client.http.get("/v1/staff/cases/export?from=dün", headers=staff.headers("sorumlu.maltepe")).status_code \
        in (400, 422)
    from chalicelib.bootstrap import ports
    trail = ports().audit.trail("EXPORT-34-maltepe")
    assert [(e["action"], e["detail"]["rows"], e["detail"]["names"]) for e in trail] == [
        ("export", 3, False), ("export", 3, True), ("export", 3, False)]


def test_a_large_export_goes_to_s3_as_a_short_lived_link(client, staff, application, aws, monkeypatch):
    from chalicelib.services.office import export
    monkeypatch.setattr(export, "MAX_INLINE_BYTES", 200)
    for i in range(3):
        submit(client, {**application, "subject": f"Kaldırım {i}. kez çöktü"})
    route_all(aws)
    resp = client.http.get("/v1/staff/cases/export", headers=staff.headers("sorumlu.maltepe"))
    assert resp.status_code == 200 and resp.json_body["rows"] == 3
    import requests
    body = requests.get(resp.json_body["download_url"]).content.decode("utf-8")
    assert body.startswith("\ufeff") and body.count("\n") == 4
