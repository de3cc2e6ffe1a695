"""The mediation and appeals API: confidentiality, documents, early warnings, recusal, consent, statistics."""

from __future__ import annotations

import json

from test_disputes_helpers import appeal_application, checks, disputes, mediation_application

from engine.disputes.docx_writer import text_of

__all__ = ["disputes"]


def _file(api, user, process, body):  # type: ignore[no-untyped-def]
    res = api.post(f"/api/v1/disputes/{process}", user, json={"data": body})
    assert res.status_code == 201, res.get_json()
    return res.get_json()


def _complete(api, user, case, name, data):  # type: ignore[no-untyped-def]
    task = next(t for t in api.get(f"/api/v1/disputes/cases/{case['id']}", user).get_json()["open_tasks"]
                if t["name"] == name)
    res = api.post(f"/api/v1/tasks/{task['id']}/complete", user, json={"data": data})
    assert res.status_code == 200, res.get_json()
    return res.get_json()["case"]


def test_outsider_cannot_read_a_case_or_its_documents(api, disputes):
    case = _file(api, "zhang", "mediation", mediation_application(request_school=True))
    _complete(api, "gao", case, "accept_case", {"acceptance": "respondent_refused", "acceptance_note": "对方不同意。"})
    for user in ("wei", "wang", "chen", "yang"):  # outsiders: another staff member, a delegate, a unit, appeals
        assert api.get(f"/api/v1/disputes/cases/{case['id']}", user).status_code == 403
        assert api.get(f"/api/v1/cases/{case['id']}", user).status_code == 403
        assert api.get(f"/api/v1/disputes/cases/{case['id']}/documents", user).status_code == 403
    for user in ("zhang", "gao", "ma", "sun"):  # the applicant, the committee, a supervisor
        assert api.get(f"/api/v1/disputes/cases/{case['id']}", user).status_code == 200
    docs = api.get(f"/api/v1/disputes/cases/{case['id']}/documents", "zhang").get_json()["items"]
    assert [d["kind"] for d in docs] == ["application", "refusal_notice"]
    assert api.get(docs[-1]["download"], "wei").status_code == 403
    res = api.get(docs[-1]["download"], "zhang")
    assert res.status_code == 200 and res.mimetype.endswith("wordprocessingml.document")
    assert "不予受理调解申请通知书" in text_of(res.data)
    assert api.get("/api/v1/disputes/documents/9999", "zhang").status_code == 404
    listing = api.get("/api/v1/disputes/cases", "wei").get_json()["items"]
    assert listing == []


def test_dispute_documents_are_case_documents_read_by_the_case_file_rule(api, disputes):
    """The notices of a mediation are listed and served by GET /api/v1/cases/<id>/documents and
    /api/v1/documents/<id> like every process's documents, under the case file's rule (the parties and handlers,
    here an applicant recorded from an oral application who did not file the case)."""
    case = _file(api, "xu", "mediation", mediation_application(application_mode="oral", applicant="zhang"))
    listed = api.get(f"/api/v1/cases/{case['id']}/documents", "zhang")
    assert listed.status_code == 200
    [doc] = listed.get_json()
    assert doc["title"] == "劳动人事争议调解口头申请记录" and doc["media_type"].endswith("wordprocessingml.document")
    assert [d["id"] for d in api.get(f"/api/v1/disputes/cases/{case['id']}/documents", "zhang")
            .get_json()["items"]] == [doc["id"]]
    res = api.get(f"/api/v1/documents/{doc['id']}", "zhang")
    assert res.status_code == 200 and "口头申请记录" in text_of(res.data)
    for user in ("wei", "wang", "chen"):
        assert api.get(f"/api/v1/cases/{case['id']}/documents", user).status_code == 403
        assert api.get(f"/api/v1/documents/{doc['id']}", user).status_code == 403


def test_oral_applicant_sees_own_case(api, disputes):
    case = _file(api, "xu", "mediation", mediation_application(application_mode="oral", applicant="zhang"))
    assert api.get(f"/api/v1/disputes/cases/{case['id']}", "zhang").status_code == 200
    assert [c["id"] for c in api.get("/api/v1/disputes/cases", "zhang").get_json()["items"]] == [case["id"]]


def test_statistics_show_counts_not_names(api, disputes):
    _file(api, "zhang", "mediation", mediation_application())
    settled = _file(api, "li", "mediation", mediation_application(applicant_name="李老师", department="化学系"))
    _complete(api, "xu", settled, "dept_mediate", {"dept_result": "settled", "dept_record": "协商一致。",
                                                  "agreement_terms": "补发。"})
    appeal = _file(api, "wang", "appeals", appeal_application())
    _complete(api, "yang", appeal, "acceptance_check", {
        "cond_eligible": True, "cond_scope": True, "cond_in_time": True, "cond_jurisdiction": True,
        "cond_materials": True, "acceptance_decision": "accept", "acceptance_note": "受理。"})
    _complete(api, "yang", appeal, "hear_union", {})
    _complete(api, "chen", appeal, "review_decision", {**checks(proportionality="偏重"), "outcome": "vary",
                                                       "varied_sanction": "warning", "decision_reasons": "改警告"})
    assert api.get("/api/v1/disputes/statistics", "wei").status_code == 403
    res = api.get("/api/v1/disputes/statistics", "sun")
    assert res.status_code == 200
    stats = res.get_json()
    assert stats["mediation"]["total"] == 2 and stats["mediation"]["settled_department"] == 1
    assert {"department": "化学系", "count": 1} in stats["mediation"]["by_department"]
    [row] = stats["appeals"]["by_sanction"]
    assert row["sanction"] == "demerit" and row["vary"] == 1
    text = json.dumps(stats, ensure_ascii=False)
    for name in ("张老师", "李老师", "王老师", "zhang", "wang", "li\""):
        assert name not in text


def test_early_warning_followed_up_and_converted(api, disputes):
    body = {"persons": "物理系青年教师3人", "department": "物理学系", "matter": "对新绩效办法意见较大",
            "category": "pay", "risk_level": "high", "source": "dept_union"}
    assert api.post("/api/v1/disputes/warnings", "wei", json=body).status_code == 403
    bad = api.post("/api/v1/disputes/warnings", "xu", json={**body, "risk_level": "extreme"})
    assert bad.status_code == 422 and bad.get_json()["error"]["details"][0]["field"] == "risk_level"
    warning = api.post("/api/v1/disputes/warnings", "xu", json=body).get_json()
    assert warning["status"] == "open"
    res = api.post(f"/api/v1/disputes/warnings/{warning['id']}/follow-up", "xu", json={"note": "已与学院沟通。"})
    assert res.get_json()["status"] == "following"
    assert api.get("/api/v1/disputes/warnings", "wei").status_code == 403
    case = api.post(f"/api/v1/disputes/warnings/{warning['id']}/convert", "gao", json={"data": {
        "applicant": "zhang", "applicant_name": "张老师", "respondent": "人事处", "claim": "按原办法发放绩效。",
        "known_on": mediation_application()["known_on"], "title": "绩效分配争议"}})
    assert case.status_code == 201, case.get_json()
    created = case.get_json()
    assert created["data"]["department"] == "物理学系" and created["data"]["matter"] == "pay"
    assert created["data"]["application_mode"] == "oral" and created["data"]["applicant"] == "zhang"
    items = api.get("/api/v1/disputes/warnings", "gao").get_json()["items"]
    assert items[0]["status"] == "converted" and items[0]["case_id"] == created["id"]
    again = api.post(f"/api/v1/disputes/warnings/{warning['id']}/follow-up", "xu", json={"note": "x"})
    assert again.status_code == 409


def test_recusal_and_consent_through_the_api(api, disputes):
    case = _file(api, "zhang", "mediation", mediation_application(request_school=True))
    _complete(api, "gao", case, "accept_case", {"acceptance": "accept", "respondent_consent": True,
                                                "mediation_mode": "panel", "mediators": "ma, he, feng",
                                                "acceptance_note": "受理。"})
    res = api.post(f"/api/v1/disputes/cases/{case['id']}/recusals", "zhang", json={"target": "ma", "reason": "亲属"})
    assert res.status_code == 201 and res.get_json()["status"] == "pending"
    recusal = res.get_json()["id"]
    assert api.post(f"/api/v1/disputes/recusals/{recusal}/decide", "he", json={"granted": True}).status_code == 403
    assert api.post(f"/api/v1/disputes/recusals/{recusal}/decide", "gao", json={"granted": "yes"}).status_code == 422
    assert api.post(f"/api/v1/disputes/recusals/{recusal}/decide", "gao", json={"granted": False,
                                                                                "note": "不成立"}).status_code == 200
    assert api.post(f"/api/v1/disputes/cases/{case['id']}/consents", "zhang",
                    json={"party": "applicant", "agreed": True, "days": "x"}).status_code == 422
    assert api.post(f"/api/v1/disputes/cases/{case['id']}/consents", "zhang",
                    json={"party": "applicant", "agreed": True, "days": 5}).status_code == 201
    assert api.post(f"/api/v1/disputes/cases/{case['id']}/consents", "zhang",
                    json={"party": "respondent", "agreed": True, "days": 5}).status_code == 403
    file = api.get(f"/api/v1/disputes/cases/{case['id']}", "gao").get_json()
    assert file["recusals"][0]["status"] == "refused" and file["consents"][0]["party"] == "applicant"
    assert any(d["key"] == "mediation_deadline" for d in file["deadlines"])


def test_routing_through_the_api_and_late_sanction_refused(api, disputes):
    from datetime import timedelta

    from test_disputes_helpers import local_today

    late = (local_today() - timedelta(days=40)).isoformat()
    res = api.post("/api/v1/disputes/mediation", "wang", json={"data": mediation_application(matter="sanction",
                                                                                             known_on=late)})
    assert res.status_code == 422 and res.get_json()["error"]["details"][0]["field"] == "known_on"
    case = _file(api, "wang", "mediation", mediation_application(matter="appraisal", title="年度考核不合格"))
    assert case["status"] == "completed" and case["links"][0]["process"] == "appeals"
    appeal_id = case["links"][0]["id"]
    appeal = api.get(f"/api/v1/disputes/cases/{appeal_id}", "wang").get_json()
    assert appeal["links"][0]["business_key"] == case["business_key"]
    assert appeal["open_tasks"][0]["name"] == "file_review"
