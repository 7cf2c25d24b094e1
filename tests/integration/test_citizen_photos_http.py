"""Citizen photos on moto S3 through the real routes: the presigned POST, the checks,
the stripped object that the office and the institution then download, the limit of 3."""
from __future__ import annotations

import json
from io import BytesIO

import requests
from PIL import Image

from tests.integration.helpers import H, detail, forwarded_case
from tests.unit.test_citizen_photos import jpeg_with_gps


def _upload(client, receipt, content, content_type="image/jpeg", filename="IMG_2041 Ayşe.jpg"):
    code = {"X-Access-Code": receipt["access_code"]}
    form = client.http.post(f"/v1/applications/{receipt['application_no']}/attachments", headers={**H, **code},
                            body=json.dumps({"filename": filename, "content_type": content_type, "size": len(content)}))
    assert form.status_code == 201, form.body
    upload = form.json_body["upload"]
    r = requests.post(upload["url"], data=upload["fields"], files={"file": (filename, content, content_type)})
    assert r.status_code in (200, 204), r.text
    return client.http.post(f"/v1/applications/{receipt['application_no']}/attachments/"
                            f"{form.json_body['attachment_id']}", headers={**H, **code},
                            body=json.dumps({"share_location": True}))


def test_a_photo_is_stripped_and_seen_by_the_office_the_institution_and_the_citizen(client, staff, application,
                                                                                 aws):
    application.pop("location", None)
    receipt, token = forwarded_case(client, application, aws)
    resp = _upload(client, receipt, jpeg_with_gps())
    assert resp.status_code == 200, resp.body
    [mine] = resp.json_body["attachments"]
    assert mine["filename"].startswith("basvuru-eki-") and "Ayşe" not in json.dumps(resp.json_body)
    view = detail(client, staff, receipt["application_no"])
    [f] = view["citizen_attachments"]
    assert view["location"] == {"lat": 40.923611, "lon": 29.131111}      # the citizen chose to share it
    body = requests.get(f["url"]).content
    assert dict(Image.open(BytesIO(body)).getexif()) == {} and b"Telefonum" not in body
    inst = client.http.get("/v1/institution/assignment", headers={"X-Link-Token": token}).json_body
    assert [x["id"] for x in inst["citizen_attachments"]] == [f["id"]]


def test_a_wrong_file_is_refused_and_deleted_and_a_fourth_is_409(client, application, aws):
    from tests.integration.helpers import submit
    receipt = submit(client, application)
    fake = _upload(client, receipt, b"<html>not a photo</html>" + b"x" * 100, "image/jpeg")
    assert fake.status_code == 422 and fake.json_body["error"]["code"] == "attachment_content_mismatch"
    for _ in range(3):
        assert _upload(client, receipt, jpeg_with_gps()).status_code == 200
    code = {"X-Access-Code": receipt["access_code"]}
    fourth = client.http.post(f"/v1/applications/{receipt['application_no']}/attachments", headers={**H, **code},
                              body=json.dumps({"filename": "a.jpg", "content_type": "image/jpeg", "size": 10}))
    assert fourth.status_code == 409 and fourth.json_body["error"]["code"] == "too_many_files"
    gif = client.http.post(f"/v1/applications/{receipt['application_no']}/attachments", headers={**H, **code},
                           body=json.dumps({"filename": "a.gif", "content_type": "image/gif", "size": 10}))
    assert gif.status_code == 422 and gif.json_body["error"]["field"] == "content_type"
    wrong_code = client.http.post(f"/v1/applications/{receipt['application_no']}/attachments",
                                  headers={**H, "X-Access-Code": "AAAAA-AAAAA"},
                                  body=json.dumps({"filename": "a.jpg", "content_type": "image/jpeg", "size": 10}))
    assert wrong_code.status_code == 404


def test_nothing_is_attached_to_a_closed_case(client, staff, application, aws):
    from tests.integration.helpers import act, submit
    receipt = submit(client, application)
    r = act(client, staff, receipt["application_no"], "not-processed",
            {"reason_code": "no_clear_subject", "explanation": "Konu anlaşılamadı."})
    assert r.status_code == 200
    code = {"X-Access-Code": receipt["access_code"]}
    form = client.http.post(f"/v1/applications/{receipt['application_no']}/attachments", headers={**H, **code},
                            body=json.dumps({"filename": "a.jpg", "content_type": "image/jpeg", "size": 10}))
    assert form.status_code == 409 and form.json_body["error"]["code"] == "case_closed"


def test_a_re_post_to_the_upload_form_during_the_check_cannot_change_what_is_kept(client, staff, application, aws,
                                                                                  monkeypatch):
    """Issue 36: upload a valid PDF, attach, and re-post the same presigned form with HTML
    within a second: the stored file was HTML served as PDF. The upload is taken (copied to
    a key only the server writes) before the check, and the copy is what is checked and kept."""
    from chalicelib.adapters.storage import S3Storage
    from tests.integration.helpers import submit
    from tests.integration.test_institution import PDF
    receipt = submit(client, application)
    code = {"X-Access-Code": receipt["access_code"]}
    form = client.http.post(f"/v1/applications/{receipt['application_no']}/attachments", headers={**H, **code},
                            body=json.dumps({"filename": "dilekce.pdf", "content_type": "application/pdf",
                                             "size": len(PDF)})).json_body
    upload = form["upload"]
    assert requests.post(upload["url"], data=upload["fields"],
                         files={"file": ("dilekce.pdf", PDF, "application/pdf")}).status_code in (200, 204)
    html = b"%PDF-1.4 <html><script>alert(1)</script></html>"
    real_read = S3Storage.read

    def read_then_repost(self, key):
        body = real_read(self, key)
        requests.post(upload["url"], data=upload["fields"], files={"file": ("dilekce.pdf", html, "application/pdf")})
        return body
    monkeypatch.setattr(S3Storage, "read", read_then_repost)
    resp = client.http.post(f"/v1/applications/{receipt['application_no']}/attachments/{form['attachment_id']}",
                            headers={**H, **code}, body=json.dumps({}))
    assert resp.status_code == 200, resp.body
    monkeypatch.setattr(S3Storage, "read", real_read)
    [f] = detail(client, staff, receipt["application_no"])["citizen_attachments"]
    kept = requests.get(f["url"]).content
    assert kept == PDF and b"<script>" not in kept
    again = client.http.post(f"/v1/applications/{receipt['application_no']}/attachments/{form['attachment_id']}",
                             headers={**H, **code}, body=json.dumps({}))
    assert again.status_code == 200 and len(again.json_body["attachments"]) == 1     # attached once
    [f] = detail(client, staff, receipt["application_no"])["citizen_attachments"]
    assert requests.get(f["url"]).content == PDF


def test_a_bomb_is_refused_and_leaves_nothing_behind(client, application, aws):
    import boto3

    from tests.integration.helpers import submit
    from tests.unit.test_citizen_photos import _png_header
    receipt = submit(client, application)
    bomb = _upload(client, receipt, _png_header(13_000, 13_000), "image/png", "bomba.png")
    assert bomb.status_code == 422 and bomb.json_body["error"]["code"] == "image_too_large"
    assert "piksel" in bomb.json_body["error"]["message"]
    s3 = boto3.client("s3", region_name="eu-central-1")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=aws["ATTACHMENTS_BUCKET"]).get("Contents", [])]
    assert not [k for k in keys if receipt["application_no"].replace("-", "") in k]
