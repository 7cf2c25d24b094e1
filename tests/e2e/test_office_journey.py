"""The office's complete journey over HTTP on the real local stack:
desk intake with a past received_at -> deadline from it -> forward -> answer ->
return -> answer again -> conclude -> the citizen tracks it."""
import os
from datetime import date, datetime, timedelta, timezone

import pytest

from tests.conftest import VALID_APPLICATION
from tests.e2e.helpers import call, has_inst_link, inst_link, outbox_for, own_phone, staff_headers, track, wait_for

pytestmark = pytest.mark.e2e


def sign_in(stack, username):
    return staff_headers(stack, username)


def test_desk_to_conclusion(stack):
    desk = sign_in(stack, "masa.cankaya")
    received = datetime.now(timezone.utc) - timedelta(days=3)
    application = dict(VALID_APPLICATION, district="06-cankaya", channel="face_to_face",
                       received_at=received.isoformat(), subject="Park aydınlatması yetersiz",
                       category="park_bahce", applicant=dict(VALID_APPLICATION["applicant"], phone=own_phone()))
    status, receipt, _ = call("POST", f"{stack.api}/v1/staff/intake", application, desk)
    assert status == 201, receipt
    from chalicelib.domain.calendar import default_calendar, local_date
    assert receipt["legal_due_date"] == default_calendar().legal_due_3071(local_date(received)).isoformat()
    no = receipt["application_no"]
    case = wait_for(lambda: (c := call("GET", f"{stack.api}/v1/staff/cases/{no}", headers=desk)[1])["status"]
                    == "in_review" and c)  # Çankaya waits for triage

    status, case, _ = call("POST", f"{stack.api}/v1/staff/cases/{no}/forward",
                           {"institution_ids": ["06-cankaya.belediye"], "version": case["version"]}, desk)
    assert status == 200 and case["status"] == "forwarded"
    _, mails = wait_for(lambda: (o := outbox_for(stack, no))[1] and has_inst_link(o[1]) and o)
    link = {"X-Link-Token": inst_link(mails).split("#t=", 1)[1]}
    answer = {"text": "Parka iki yeni aydınlatma direği eklenecek.", "outcome": "positive",
              "responder_name": "Selin Arslan", "responder_title": "Park ve Bahçeler Müdürü"}
    assert call("POST", f"{stack.api}/v1/institution/answer", answer, link)[0] == 200

    case = call("GET", f"{stack.api}/v1/staff/cases/{no}", headers=desk)[1]
    assert case["status"] == "institution_answered"
    status, case, _ = call("POST", f"{stack.api}/v1/staff/cases/{no}/evaluate",
                           {"institution_id": "06-cankaya.belediye", "decision": "return",
                            "note": "Uygulama tarihi belirtilmemiş.", "version": case["version"]}, desk)
    assert status == 200 and case["status"] == "forwarded"
    assert call("POST", f"{stack.api}/v1/institution/answer",
                dict(answer, text="Direkler 15 Aralık'ta dikilecek."), link)[0] == 200

    case = call("GET", f"{stack.api}/v1/staff/cases/{no}", headers=desk)[1]
    final = "Parka iki yeni aydınlatma direği 15 Aralık'ta belediyece dikilecektir."
    status, case, _ = call("POST", f"{stack.api}/v1/staff/cases/{no}/conclude",
                           {"outcome": "positive", "answer": final, "version": case["version"]}, desk)
    assert status == 200 and case["status"] == "concluded"

    view = track(stack, receipt)
    assert view["status"] == "concluded" and view["final_answer"]["text"] == final
    assert [h["status"] for h in view["history"]][0] == "received"
    wait_for(lambda: any("sonuçlandı" in m["body"] for m in outbox_for(stack, no)[0]))

    # the citizen answers the survey from the SMS link, then objects once
    [sms] = [m for m in outbox_for(stack, no)[0] if "sonuçlandı" in m["body"]]
    survey = {"X-Survey-Token": [x for x in sms["links"] if "anket.html#t=" in x][0].split("#t=", 1)[1]}
    assert call("POST", f"{stack.api}/v1/surveys", {"rating": 4, "comment": "Teşekkürler"}, survey)[0] == 201
    assert call("POST", f"{stack.api}/v1/surveys", {"rating": 4}, survey)[0] == 409
    status, view, _ = call("POST", f"{stack.api}/v1/applications/{no}/objection",
                           {"reason": "Direkler dikilmedi, itiraz ediyorum."},
                           {"X-Access-Code": receipt["access_code"]})
    assert status == 200 and view["status"] == "under_evaluation"
    assert call("POST", f"{stack.api}/v1/applications/{no}/objection", {"reason": "Yine itiraz ediyorum."},
                {"X-Access-Code": receipt["access_code"]})[0] == 409


def test_a_sweep_as_of_a_later_time_escalates_on_the_local_stack(stack):
    import subprocess
    import sys
    status, receipt, _ = call("POST", f"{stack.api}/v1/applications",
                              dict(VALID_APPLICATION, subject="Çöp konteyneri taşıyor", category="cop_toplama"))
    no = receipt["application_no"]
    wait_for(lambda: outbox_for(stack, no)[1])
    sla = call("GET", f"{stack.api}/v1/staff/cases/{no}", headers=sign_in(stack, "masa.maltepe"))[1]["sla_due_date"]
    as_of = f"{sla}T23:59:00+03:00"
    out = subprocess.run([sys.executable, "-m", "devstack", "sweep", "deadline", "--as-of", as_of,
                          "--moto-port", str(stack.moto_port)], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "ACIKKAPI_LOCAL_STATE": stack.state_dir})
    assert out.returncode == 0, out.stderr
    assert "'reminded': " in out.stdout and "'reminded': 0" not in out.stdout
    later = (date.fromisoformat(sla) + timedelta(days=1)).isoformat() + "T08:00:00+03:00"
    out = subprocess.run([sys.executable, "-m", "devstack", "sweep", "deadline", "--as-of", later,
                          "--moto-port", str(stack.moto_port)], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "ACIKKAPI_LOCAL_STATE": stack.state_dir})
    assert "'escalated': " in out.stdout and "'escalated': 0" not in out.stdout, out.stdout + out.stderr
    _, mails = wait_for(lambda: (o := outbox_for(stack, no)) and
                        any("cevap süresini aştı" in m["subject"] for m in o[1]) and o)
    assert any(m["subject"].startswith("Hatırlatma") for m in mails)


def test_an_operator_exports_the_registry_and_imports_it_back_with_a_dry_run_first(stack, tmp_path):
    """Issue 37 on the running local stack: the registry as CSV, through the operator's tool."""
    import csv
    import io
    import subprocess
    import sys
    from tests.e2e.conftest import ROOT
    env = {**os.environ, "ACIKKAPI_LOCAL_STATE": stack.state_dir}
    base = [sys.executable, "-m", "tools.ops", "registry"]
    where = ["--local", "--moto-port", str(stack.moto_port)]
    path = tmp_path / "registry.csv"
    out = subprocess.run([*base, "export", str(path), *where], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8").removeprefix("\ufeff"))))
    assert len({r["district"] for r in rows}) == 973 + 81 and len(rows) > 13_000
    aladag = [r for r in rows if r["district"] == "01-aladag"]
    for r in aladag:
        if r["kind"] == "belediye":
            r.update(liaison_email="yazi@aladag.bel.example", confirmed="1", detsis="24123456")
    edited = tmp_path / "aladag.csv"
    with edited.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(aladag)
    dry = subprocess.run([*base, "import", str(edited), "--dry-run", *where], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert dry.returncode == 0, dry.stderr
    assert "eklenecek 0, değişecek 1, devre dışı kalacak 0" in dry.stdout and "01-aladag.belediye" in dry.stdout
    for expected in ("değişecek 1", "değişecek 0"):          # applied, then the same file again changes nothing
        done = subprocess.run([*base, "import", str(edited), *where], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0 and expected in done.stdout, done.stdout + done.stderr
    admin = sign_in(stack, "yonetici")
    status, place, _ = call("GET", f"{stack.api}/v1/staff/districts/01-aladag", headers=admin)
    [belediye] = [i for i in place["institutions"] if i["kind"] == "belediye"]
    assert status == 200 and belediye["confirmed"] and belediye["detsis"] == "24123456"
    bad = tmp_path / "bad.csv"
    bad.write_text("district,id,kind,name\n01-aladag,01-aladag.x,ucak,Bir şey\n", encoding="utf-8")
    refused = subprocess.run([*base, "import", str(bad), *where], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=120)
    assert refused.returncode == 1 and "satır 2, sütun kind" in refused.stdout
