"""Issue 17's repeat applications over HTTP on moto: routing flags a possible repeat with
one extra Query, the queue and the detail name the earlier case, the clerk dismisses it
with a reason (audited) or closes it as already answered, and the same applicant's
other applications are one audited Query, limited to what the clerk may read."""
from __future__ import annotations

from tests.integration.helpers import act, detail, route_all, submit


def test_a_repeat_is_flagged_named_in_queue_and_detail_and_dismissed_with_a_reason(client, staff, application, aws):
    first = submit(client, application)
    route_all(aws)
    second = submit(client, {**application, "subject": "KALDIRIM COKMUS"})
    route_all(aws)
    view = detail(client, staff, second["application_no"])
    assert view["possible_repeat"]["of"] == first["application_no"] and view["possible_repeat"]["score"] == 100
    assert "dismiss-repeat" in view["allowed_actions"]
    assert any(h["event"] == "possible_repeat" for h in view["history"])
    queue = client.http.get("/v1/staff/cases?district=34-maltepe", headers=staff.headers("masa.maltepe")).json_body
    rows = {r["application_no"]: r for r in queue["items"]}
    assert rows[second["application_no"]]["repeat_of"] == first["application_no"]
    assert rows[first["application_no"]]["repeat_of"] is None
    assert detail(client, staff, first["application_no"])["possible_repeat"] is None
    r = act(client, staff, second["application_no"], "dismiss-repeat", {"reason": "Farklı bir sokaktaki kaldırım."})
    assert r.status_code == 200 and r.json_body["possible_repeat"]["dismissed"]["by"] == "masa.maltepe"
    assert "dismiss-repeat" not in r.json_body["allowed_actions"]
    again = act(client, staff, second["application_no"], "dismiss-repeat", {"reason": "Farklı bir sokaktaki kaldırım."})
    assert again.status_code == 409
    audit = client.http.get(f"/v1/staff/cases/{second['application_no']}/audit",
                            headers=staff.headers("sorumlu.maltepe")).json_body
    assert "dismiss-repeat" in [e["action"] for e in audit["entries"]]
    queue = client.http.get("/v1/staff/cases?district=34-maltepe", headers=staff.headers("masa.maltepe")).json_body
    assert {r["application_no"]: r for r in queue["items"]}[second["application_no"]]["repeat_of"] is None


def test_a_closed_cases_repeat_flag_stays_as_it_was(client, staff, application, aws):
    application["category"] = "okul_servis"            # waits for the office
    application["subject"] = "Okul servisi gecikiyor"
    first = submit(client, application)
    route_all(aws)
    second = submit(client, application)
    route_all(aws)
    merged = act(client, staff, second["application_no"], "merge",
                 {"into": first["application_no"], "explanation": "Aynı konu önceki başvuruda inceleniyor."})
    assert merged.status_code == 200, merged.body
    r = act(client, staff, second["application_no"], "dismiss-repeat", {"reason": "Geç kalmış bir karar notu."})
    assert r.status_code == 409 and r.json_body["error"]["code"] == "case_closed"
    assert detail(client, staff, second["application_no"])["possible_repeat"].get("dismissed") is None


def test_a_repeat_is_merged_into_the_earlier_case_not_refused_on_a_ground_the_law_lacks(client, staff, application,
                                                                                          aws):
    """3071 art. 6 has no repetition ground: `already_answered` is no reason to leave an
    application unexamined. A repeat of an open case is merged into it."""
    application["category"] = "okul_servis"            # waits for the office: still in review
    application["subject"] = "Okul servisi gecikiyor"
    first = submit(client, application)
    route_all(aws)
    second = submit(client, application)
    route_all(aws)
    r = act(client, staff, second["application_no"], "not-processed",
            {"reason_code": "already_answered", "explanation": "Aynı konu önceki başvuruda cevaplandı."})
    assert r.status_code == 422 and r.json_body["error"]["field"] == "reason_code"
    assert detail(client, staff, second["application_no"])["status"] == "in_review"
    offered = [c["code"] for c in detail(client, staff, second["application_no"])["reason_codes"]]
    assert "already_answered" not in offered and "judicial_matter" in offered
    r = act(client, staff, second["application_no"], "merge",
            {"into": first["application_no"], "explanation": "Aynı konu önceki başvuruda inceleniyor."})
    assert r.status_code == 200 and r.json_body["merged_into"] == first["application_no"]


def test_the_same_applicants_other_applications_are_one_audited_query_within_scope(client, staff, application,
                                                                                aws, aws_calls):
    here = submit(client, application)
    other = submit(client, {**application, "category": "park_bahce", "subject": "Park bakımsız"})
    elsewhere = submit(client, {**application, "district": "06-cankaya"})
    route_all(aws)
    aws_calls.reset()
    resp = client.http.get(f"/v1/staff/cases/{here['application_no']}/same-applicant",
                           headers=staff.headers("masa.maltepe"))
    assert resp.status_code == 200
    nos = [a["application_no"] for a in resp.json_body["applications"]]
    assert nos == [other["application_no"]] and elsewhere["application_no"] not in nos   # Çankaya: not this clerk's
    assert aws_calls.operations("dynamodb").count("Query") == 2                  # the case's items, the index
    audit = client.http.get(f"/v1/staff/cases/{here['application_no']}/audit",
                            headers=staff.headers("sorumlu.maltepe")).json_body
    assert "applicant_lookup" in [e["action"] for e in audit["entries"]]
    assert client.http.get(f"/v1/staff/cases/{here['application_no']}/same-applicant",
                           headers=staff.headers("masa.cankaya")).status_code == 403


def test_the_same_subject_about_another_matter_is_not_flagged(client, staff, application, aws):
    submit(client, application)
    route_all(aws)
    other = submit(client, {**application, "description": "Okul önündeki kaldırım taşları söküldü, veliler araçlarını "
                                                          "kaldırıma park ediyor ve çocuklar yola iniyor."})
    route_all(aws)
    assert detail(client, staff, other["application_no"])["possible_repeat"] is None


def test_other_applicants_open_cases_nearby_are_related_in_one_query(client, staff, application, aws, aws_calls):
    here = {"lat": 40.9350, "lon": 29.1300}
    north = lambda m: {"lat": here["lat"] + m / 111_195, "lon": here["lon"]}  # noqa: E731
    other_person = {**application["applicant"], "national_id": "10000000214"}
    mine = submit(client, {**application, "location": here})
    near = submit(client, {**application, "applicant": other_person, "location": north(250),
                           "subject": "Kaldırım taşları kırık"})
    far = submit(client, {**application, "applicant": other_person, "location": north(2_000)})
    unlocated = submit(client, {**application, "applicant": other_person})
    park = submit(client, {**application, "applicant": other_person, "location": north(100), "category": "park_bahce"})
    route_all(aws)
    headers = staff.headers("masa.maltepe")
    aws_calls.reset()
    r = client.http.get(f"/v1/staff/cases/{mine['application_no']}/related", headers=headers)
    assert r.status_code == 200, r.body
    found = r.json_body["applications"]
    assert [(a["application_no"], a["distance_m"]) for a in found] == [(near["application_no"], 250)]
    assert r.json_body["radius_m"] == 400 and found[0]["subject"] == "Kaldırım taşları kırık"
    assert "Scan" not in aws_calls.operations("dynamodb")
    assert aws_calls.count("dynamodb", "Query") <= 2 and aws_calls.count("dynamodb", "BatchGetItem") <= 1
    for other in (far, unlocated, park):
        assert other["application_no"] not in str(found)
    # without a location there is nothing to relate, and no index is read
    aws_calls.reset()
    r = client.http.get(f"/v1/staff/cases/{unlocated['application_no']}/related", headers=headers)
    assert r.json_body["applications"] == [] and aws_calls.count("dynamodb", "BatchGetItem") == 0
    # another district's clerk cannot look
    r = client.http.get(f"/v1/staff/cases/{mine['application_no']}/related", headers=staff.headers("masa.cankaya"))
    assert r.status_code in (403, 404)


def test_the_clerk_sends_an_institution_attachment_out_with_the_final_answer(client, staff, application, aws):
    """Issue 18 (14): chosen at conclusion, downloaded by the citizen from the tracking page."""
    from tests.integration.helpers import ANSWER, forwarded_case, inst_post, tracked
    from tests.integration.test_institution import PDF, upload
    receipt, token = forwarded_case(client, application, aws)
    ref = upload(client, token, PDF, filename="keşif tutanağı.pdf")
    other = upload(client, token, PDF, filename="iç yazışma.pdf")
    assert inst_post(client, "answer", token, {**ANSWER, "attachments": [ref, other]}).status_code == 200
    route_all(aws)
    no = receipt["application_no"]
    files = detail(client, staff, no)["assignments"][0]["answers"][0]["attachments"]
    chosen = [f["id"] for f in files if f["filename"] == "keşif tutanağı.pdf"]
    bad = act(client, staff, no, "conclude", {"outcome": "positive", "answer": "Kaldırım onarıldı; tutanak ektedir.",
                                              "release_attachments": ["yok-boyle-bir-ek"]})
    assert bad.status_code == 422 and bad.json_body["error"]["field"] == "release_attachments.0"
    assert detail(client, staff, no)["status"] != "concluded"                 # nothing half-written
    assert tracked(client, receipt)["final_answer"] is None
    r = act(client, staff, no, "conclude", {"outcome": "positive", "answer": "Kaldırım onarıldı; tutanak ektedir.",
                                            "release_attachments": chosen})
    assert r.status_code == 200, r.body
    final = tracked(client, receipt)["final_answer"]
    assert [f["filename"] for f in final["attachments"]] == ["keşif tutanağı.pdf"]
    url = final["attachments"][0]["url"]
    assert "/files/" in url and ("Signature" in url or "X-Amz-Signature" in url)     # short-lived, signed
    assert "iç yazışma" not in str(final)                                         # not chosen: not sent


def test_the_applicant_index_copy_is_written_once_whatever_the_case_goes_through(client, staff, application, aws):
    """The applicant index keeps only what a case was filed with: DynamoDB rewrites an
    index copy only when what it projects changes, so routing, the institution's answer,
    the evaluation and the conclusion write nothing to it (issue 13's cost), while the
    repeat check and the same-applicant list still show the current status."""
    from chalicelib.adapters.dynamodb.itemkeys import applicant_index_pk
    from chalicelib.adapters.dynamodb.models import CaseItem
    from chalicelib.bootstrap import ports
    from tests.integration.helpers import ANSWER, forwarded_case, inst_post

    pk = applicant_index_pk(ports().keys.national_id_hash(application["applicant"]["national_id"]))

    def copies():
        return {i.application_no: i.attribute_values for i in CaseItem.by_applicant.query(pk)}

    from chalicelib.domain.numbers import normalise_application_no
    first, token = forwarded_case(client, application, aws)
    no = first["application_no"]
    filed = copies()
    assert set(filed[normalise_application_no(no)]) >= {"application_no", "subject", "category", "district",
                                                         "received_at"}
    assert inst_post(client, "answer", token, ANSWER).status_code == 200
    assert act(client, staff, no, "evaluate", {"institution_id": "34-maltepe.belediye",
                                               "decision": "accept"}).status_code == 200
    assert act(client, staff, no, "conclude", {"outcome": "positive",
                                               "answer": "Kaldırım onarıldı; gerekçeli cevabımız budur."}).status_code == 200
    assert copies() == filed
    second = submit(client, {**application, "subject": "KALDIRIM COKMUS"})
    route_all(aws)
    view = detail(client, staff, second["application_no"])
    assert view["possible_repeat"]["of"] == no and view["possible_repeat"]["status"] == "concluded"
    others = client.http.get(f"/v1/staff/cases/{second['application_no']}/same-applicant",
                             headers=staff.headers("masa.maltepe")).json_body["applications"]
    assert [(o["application_no"], o["status"]) for o in others] == [(no, "concluded")]
    assert others[0]["concluded_at"] is not None
