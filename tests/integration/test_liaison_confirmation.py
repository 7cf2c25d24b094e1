"""Issue 38: an institution's liaison address is confirmed by whoever reads that mailbox,
through a test link; an office cannot mark it confirmed by hand, and a changed address
starts unconfirmed again, so nothing is e-mailed to an unread or mistyped mailbox."""
from __future__ import annotations

import json

from tests.integration.helpers import drain, outbox, run_notifications

H = {"Content-Type": "application/json"}
PLACE = "/v1/staff/districts/34-maltepe"


def _put_belediye_email(client, headers, email, *, claim_confirmed=True):
    place = client.http.get(PLACE, headers=headers).json_body
    rows = [dict(i, liaison_email=email, confirmed=claim_confirmed) if i["kind"] == "belediye" else i
            for i in place["institutions"]]
    r = client.http.put(PLACE, headers={**H, **headers}, body=json.dumps({"institutions": rows,
                                                                          "version": place["version"]}))
    assert r.status_code == 200, r.json_body
    return next(i for i in r.json_body["institutions"] if i["kind"] == "belediye")


def _confirm_link(aws, email):
    run_notifications(drain(aws["NOTIFICATION_QUEUE_URL"]))
    mail, *_ = [m for m in outbox()["email"] if m["to"] == [email]]
    assert "onaylayınız" in mail["subject"]
    return next(link for link in mail["links"] if "kurum.html#c=" in link).split("#c=", 1)[1]


def test_a_new_liaison_address_is_confirmed_by_its_reader_and_only_then(client, staff, aws):
    sup = staff.headers("sorumlu.maltepe")
    belediye = _put_belediye_email(client, sup, "yeni.irtibat@maltepe.bel.example")
    assert belediye["confirmed"] is False                      # the request's "confirmed": true is not taken
    assert client.http.post(f"{PLACE}/institutions/{belediye['id']}/confirm-link", headers=staff.headers(
        "sorumlu.cankaya")).status_code == 403                 # another office's supervisor
    assert client.http.post(f"{PLACE}/institutions/34-maltepe.yok/confirm-link", headers=sup).status_code == 404
    sent = client.http.post(f"{PLACE}/institutions/{belediye['id']}/confirm-link", headers=sup)
    assert sent.status_code == 200 and sent.json_body["sent"] is True
    token = _confirm_link(aws, "yeni.irtibat@maltepe.bel.example")
    link = {"X-Link-Token": token}
    seen = client.http.get("/v1/institution/liaison", headers=link)
    assert seen.status_code == 200 and seen.json_body["institution"] == belediye["name"]
    assert seen.json_body["confirmed"] is False
    done = client.http.post("/v1/institution/liaison/confirm", headers=link)
    assert done.status_code == 200 and done.json_body["confirmed"] is True
    assert client.http.post("/v1/institution/liaison/confirm", headers=link).json_body["confirmed"] is True  # twice = once
    place = client.http.get(PLACE, headers=sup).json_body
    assert next(i for i in place["institutions"] if i["kind"] == "belediye")["confirmed"] is True
    # an unrelated save keeps the confirmation; a changed address loses it, and the old link is dead
    assert _put_belediye_email(client, sup, "yeni.irtibat@maltepe.bel.example")["confirmed"] is True
    assert _put_belediye_email(client, sup, "baska@maltepe.bel.example")["confirmed"] is False
    dead = client.http.post("/v1/institution/liaison/confirm", headers=link)
    assert dead.status_code == 410 and dead.json_body["error"]["code"] == "address_changed"
    forged = client.http.post("/v1/institution/liaison/confirm", headers={"X-Link-Token": token[:-4] + "AAAA"})
    assert forged.status_code == 401
    trail = client.http.get("/v1/staff/admin-audit?subject=DISTRICT-34-maltepe", headers=sup).json_body["entries"]
    assert [e["action"] for e in trail].count("confirm_liaison") == 1
    assert "send_confirm_link" in [e["action"] for e in trail]


def test_an_institution_reached_by_webhook_gets_no_mailed_link(client, staff, aws):
    sup = staff.headers("sorumlu.maltepe")
    place = client.http.get(PLACE, headers=sup).json_body
    rows = [dict(i, liaison_email=None, send_method="webhook", endpoint="https://ebys.maltepe.bel.example/acikkapi")
            if i["kind"] == "belediye" else i for i in place["institutions"]]
    r = client.http.put(PLACE, headers={**H, **sup}, body=json.dumps({"institutions": rows,
                                                                      "version": place["version"]}))
    assert r.status_code == 200, r.json_body
    belediye = next(i for i in rows if i["kind"] == "belediye")
    refused = client.http.post(f"{PLACE}/institutions/{belediye['id']}/confirm-link", headers=sup)
    assert refused.status_code == 422 and refused.json_body["error"]["field"] == "liaison_email"
