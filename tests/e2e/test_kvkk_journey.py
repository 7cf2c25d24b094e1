"""KVKK on the real local stack: a case is concluded; `python -m devstack sweep archive
--as-of` a year later moves it to the archive (S3 over HTTP), and tracking answers the
same; `python -m devstack kvkk sweep --as-of` eleven years later destroys its personal
data; tracking answers 410; the raw tables and the bucket hold none of it; the
destruction log shows it."""
from __future__ import annotations

import os

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import boto3
import pytest

from tests.conftest import VALID_APPLICATION
from tests.e2e.helpers import call, outbox_for, wait_for, inst_link, has_inst_link
from tests.e2e.test_office_journey import sign_in

pytestmark = pytest.mark.e2e


def _devstack(stack, *args):
    out = subprocess.run([sys.executable, "-m", "devstack", *args, "--moto-port", str(stack.moto_port)],
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "ACIKKAPI_LOCAL_STATE": stack.state_dir})
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_a_concluded_case_is_archived_a_year_on_and_destroyed_eleven_years_later(stack):
    application = dict(VALID_APPLICATION, subject="Kaldırım taşları kırık",
                       description="Gülbahar Sokak girişinde kaldırım taşları kırık, yaşlılar düşüyor.",
                       applicant=dict(VALID_APPLICATION["applicant"], first_name="Nurhayat", last_name="Kılıçarslan",
                                      address="Gülbahar Sok. No:7 Maltepe / İstanbul", phone="0533 765 43 21"))
    status, receipt, _ = call("POST", f"{stack.api}/v1/applications", application)
    assert status == 201
    no = receipt["application_no"]
    _, mails = wait_for(lambda: (o := outbox_for(stack, no))[1] and has_inst_link(o[1]) and o)
    link = {"X-Link-Token": inst_link(mails).split("#t=", 1)[1]}
    answer = {"text": "Kaldırım taşları yenilendi.", "outcome": "positive", "responder_name": "Selin Arslan",
              "responder_title": "Fen İşleri Müdürü"}
    assert call("POST", f"{stack.api}/v1/institution/answer", answer, link)[0] == 200
    desk = sign_in(stack, "masa.maltepe")
    case = call("GET", f"{stack.api}/v1/staff/cases/{no}", headers=desk)[1]
    status, case, _ = call("POST", f"{stack.api}/v1/staff/cases/{no}/conclude",
                           {"outcome": "positive", "answer": "Kaldırım taşları belediyece yenilenmiştir.",
                            "version": case["version"]}, desk)
    assert status == 200, case

    track = {"X-Access-Code": receipt["access_code"]}
    before = call("GET", f"{stack.api}/v1/applications/{no}", headers=track)[1]
    s3 = boto3.client("s3", endpoint_url=stack.moto, region_name="eu-central-1",
                      aws_access_key_id="local", aws_secret_access_key="local")
    bucket = next(b["Name"] for b in s3.list_buckets()["Buckets"] if "attachments" in b["Name"])
    archived = lambda: s3.list_objects_v2(Bucket=bucket, Prefix=f"archive/cases/{no.replace('-', '')}/")  # noqa: E731

    a_year_on = (datetime.now(timezone.utc) + timedelta(days=400)).isoformat(timespec="seconds")
    out = _devstack(stack, "sweep", "archive", "--as-of", a_year_on)    # the stack's other closed cases too
    assert "'archived': " in out and "'archived': 0" not in out, out
    assert archived().get("KeyCount") == 1
    status, after, _ = call("GET", f"{stack.api}/v1/applications/{no}", headers=track)
    assert status == 200
    for signed in (before, after):
        signed.pop("survey_token", None)
    assert after == before

    later = (datetime.now(timezone.utc) + timedelta(days=365 * 11)).isoformat(timespec="seconds")
    out = _devstack(stack, "kvkk", "sweep", "--as-of", later)
    assert "'cases': " in out and "'cases': 0" not in out, out
    assert archived().get("KeyCount") == 0

    status, body, _ = call("GET", f"{stack.api}/v1/applications/{no}", headers={"X-Access-Code": receipt["access_code"]})
    assert status == 410 and body["error"]["code"] == "anonymised"

    ddb = boto3.client("dynamodb", endpoint_url=stack.moto, region_name="eu-central-1",
                       aws_access_key_id="local", aws_secret_access_key="local")
    raw = []
    for table in ddb.list_tables()["TableNames"]:
        for page in ddb.get_paginator("scan").paginate(TableName=table):
            raw += [i for i in page["Items"] if no.replace("-", "") in json.dumps(i, default=str)]
    assert raw, "the case's items are still there, anonymised"
    text = json.dumps(raw, ensure_ascii=False, default=str)
    for secret in ("Nurhayat", "Kılıçarslan", "Gülbahar", "5337654321", "yaşlılar düşüyor", "Selin Arslan"):
        assert secret not in text, secret

    supervisor = sign_in(stack, "sorumlu.maltepe")
    log = call("GET", f"{stack.api}/v1/staff/destruction-log", headers=supervisor)[1]
    assert any(e["application_no"] == no and e["record"] == "case" for e in log["entries"])
