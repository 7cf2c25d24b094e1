"""Issue 12 over HTTP, on moto: the lifecycle's new paths through the real routes, the
DynamoDB store and the notification worker."""
from __future__ import annotations

import json

from tests.integration.helpers import (ANSWER, act, detail, forwarded_case, inst_post, outbox, route_all,
                                       submit, tracked)


def test_closing_with_an_institution_still_waiting_tells_it_and_its_link_is_gone(client, staff, application, aws):
    receipt, token = forwarded_case(client, application, aws)
    no = receipt["application_no"]
    assert act(client, staff, no, "request-info", {"message": "Sokağın adını yazar mısınız?"}).status_code == 200
    r = act(client, staff, no, "not-processed", {"reason_code": "no_clear_subject",
                                                 "explanation": "Somut bir konu belirtilmedi."})
    assert r.status_code == 200 and r.json_body["assignments"][0]["status"] == "closed"
    route_all(aws)
    [mail] = [m for m in outbox()["email"] if "kapandı" in m["subject"] and no in m["subject"]]
    assert mail["to"] == ["acikkapi.belediye@maltepe.example"]
    assert "Belli bir konuyu içermeyen başvuru (3071 sayılı Kanun md. 6/a)" in mail["body"]
    gone = client.http.get("/v1/institution/assignment", headers={"X-Link-Token": token})
    assert gone.status_code == 410 and gone.json_body["error"]["code"] == "case_closed"
    assert "işleme alınmadan kapatıldı" in gone.json_body["error"]["message"]
    answered = inst_post(client, "answer", token, ANSWER)
    assert answered.status_code == 410


def test_a_thanks_is_received_without_a_legal_date_and_passed_on(client, staff, application, aws):
    application.update(type="tesekkur", subject="Zabıtaya teşekkür",
                       description="Pazar yerinde gösterdikleri ilgi için zabıta ekibine teşekkür ederim.")
    receipt = submit(client, application)
    assert receipt["legal_due_date"] is None
    route_all(aws)
    no = receipt["application_no"]
    view = detail(client, staff, no)
    assert view["status"] == "in_review" and view["legal_due_date"] is None and view["days_left"] is None
    assert "acknowledge" in view["allowed_actions"] and "forward" not in view["allowed_actions"]
    queue = client.http.get("/v1/staff/cases?district=34-maltepe", headers=staff.headers("masa.maltepe")).json_body
    [row] = [i for i in queue["items"] if i["application_no"] == no]
    assert row["legal_due_date"] is None and row["overdue"] is False
    r = act(client, staff, no, "acknowledge", {"message": "Teşekkürünüz ilgili ekibe iletildi; sağ olun.",
                                               "institution_ids": ["34-maltepe.belediye"]})
    assert r.status_code == 200 and r.json_body["status"] == "concluded"
    route_all(aws)
    [mail] = [m for m in outbox()["email"] if "teşekkür iletildi" in m["subject"]]
    assert mail["to"] == ["acikkapi.belediye@maltepe.example"] and "Pazar yerinde" in mail["body"]
    assert "Ayşe" not in mail["body"]
    t = tracked(client, receipt)
    assert t["legal_due_date"] is None and t["answer_owed"] is False and t["can_object"] is False
    assert t["history"][-1]["note"] == "Teşekkürünüz Maltepe Belediye Başkanlığına iletildi."


def test_the_office_extends_an_information_request_and_the_citizen_is_told(client, staff, application, aws):
    application.update(type="bilgi_edinme", category="okul_kayit")
    receipt = submit(client, application)
    route_all(aws)
    no = receipt["application_no"]
    view = detail(client, staff, no)
    assert "extend" in view["allowed_actions"] and view["extension_grounds"][0]["code"] == "other_unit"
    r = act(client, staff, no, "extend", {"ground": "other_unit", "explanation": "Arşiv biriminden bilgi alınıyor."})
    assert r.status_code == 200 and r.json_body["extended"] is True
    route_all(aws)
    box = outbox()
    assert any("uzatıldı" in s["body"] and no in s["body"] for s in box["sms"])
    assert any(m["to"] == ["ayse@example.com"] and "cevap süresi uzatıldı" in m["subject"] for m in box["email"])
    again = act(client, staff, no, "extend", {"ground": "other_unit", "explanation": "Bir kez daha uzatalım."})
    assert again.status_code == 409 and again.json_body["error"]["code"] == "already_extended"


def test_a_reconclusion_keeps_the_first_answer_and_a_reopen_of_an_open_case_is_refused(client, staff, application,
                                                                                       aws):
    receipt, token = forwarded_case(client, application, aws)
    no = receipt["application_no"]
    refused = act(client, staff, no, "reopen", {"reason": "Yeni bilgi ortaya çıktı."}, user="sorumlu.maltepe")
    assert refused.status_code == 409 and refused.json_body["error"]["code"] == "not_closed"
    assert inst_post(client, "answer", token, ANSWER).status_code == 200
    first = "Kaldırım onarımı bu hafta tamamlanacaktır; bilgilerinize sunulur."
    assert act(client, staff, no, "conclude", {"outcome": "positive", "answer": first}).status_code == 200
    assert act(client, staff, no, "reopen", {"reason": "Onarım yapılmamış."}, user="sorumlu.maltepe").status_code == 200
    second = "Onarım bütçe nedeniyle ertelenmiştir; gelecek ay yapılacaktır."
    r = act(client, staff, no, "conclude", {"outcome": "negative", "answer": second})
    assert r.status_code == 200 and [a["answer"] for a in r.json_body["final_answers"]] == [first, second]
    t = tracked(client, receipt)
    assert t["final_answer"]["text"] == second and len(t["final_answer"]["replaces"]) == 1
    assert r.json_body["history"][-1]["actor_name"] == "masa.maltepe"


def test_share_contact_is_refused_for_a_confidential_applicant_over_http(client, staff, application, aws):
    application.update(type="ihbar", confidential_identity=True)
    receipt, token = forwarded_case(client, application, aws)
    view = client.http.get("/v1/institution/assignment", headers={"X-Link-Token": token}).json_body
    assert view["applicant"] is None and "Ayşe" not in json.dumps(view, ensure_ascii=False)
    r = act(client, staff, receipt["application_no"], "share-contact",
            {"institution_id": "34-maltepe.belediye", "reason": "Ekip adresi bulamıyor."})
    assert r.status_code == 409 and r.json_body["error"]["code"] == "identity_confidential"
    dropped = act(client, staff, receipt["application_no"], "triage",
                  {"confidential_identity": False, "reason": "Gizlilik kalksın."})
    assert dropped.status_code == 422 and dropped.json_body["error"]["field"] == "confidential_identity"



def test_a_transaction_that_keeps_conflicting_is_409_busy_with_nothing_written(client, staff, application, aws,
                                                                              monkeypatch):
    """Two writers on a district's counters at once: the store runs the transaction again a
    few times; if it still conflicts, the clerk is told to try again, never a 500."""
    from chalicelib.bootstrap import ports
    from chalicelib.services.ports import TransientConflict
    receipt, _ = forwarded_case(client, application, aws)
    no = receipt["application_no"]
    before = detail(client, staff, no)["version"]

    def conflict(*a, **kw):
        raise TransientConflict()
    monkeypatch.setattr(type(ports().cases), "commit", conflict)
    r = act(client, staff, no, "request-info", {"message": "Sokağın adını yazar mısınız?"}, version=before)
    assert r.status_code == 409 and r.json_body["error"]["code"] == "busy" and r.headers["Retry-After"] == "1"
    monkeypatch.undo()
    assert detail(client, staff, no)["version"] == before and detail(client, staff, no)["status"] == "forwarded"
