"""The mediation and appeal pages: case file with deadlines and documents, confidentiality, early warnings,
statistics, recusal and consent forms, all without JavaScript."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from test_disputes_helpers import accept_mediation, case_row, disputes, do, mediation_application

from engine.config import Settings
from engine.disputes import commands
from engine.models import Case
from engine.runtime import Runtime

__all__ = ["disputes"]


@pytest.fixture
def web(rt: Runtime, database_url: str, tmp_path: Path, disputes: dict) -> Any:
    from webui import create_app

    settings = Settings(database_url=database_url, secret_key="test-secret", home=tmp_path)
    return create_app(settings, runtime=rt, overrides={"TESTING": True, "WTF_CSRF_ENABLED": False})


def signed_in(web: Any, user: str) -> Any:
    client = web.test_client()
    res = client.post("/login", data={"username": user, "password": f"pw-{user}"})
    assert res.status_code in (302, 303)
    return client


def test_case_file_shows_deadlines_documents_and_is_confidential(rt: Runtime, web, disputes):
    case = commands.file_application(rt, disputes["zhang"], "mediation", mediation_application(request_school=True))
    do(rt, disputes["gao"], case.id, "accept_case", {"acceptance": "respondent_refused", "acceptance_note": "不同意。"})
    page = signed_in(web, "zhang").get(f"/disputes/cases/{case.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "调解期限" in html and "仲裁时效届满" in html and "不予受理调解申请通知书" in html
    outsider = signed_in(web, "wei")
    assert outsider.get(f"/disputes/cases/{case.id}").status_code == 403
    doc_link = html.split('class="doc-link"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert outsider.get(doc_link).status_code == 403
    download = signed_in(web, "zhang").get(doc_link)
    assert download.status_code == 200 and download.data[:2] == b"PK"
    listing = outsider.get("/disputes/").get_data(as_text=True)
    assert case.business_key not in listing and "暂无案件" in listing or "No cases yet" in listing


def test_apply_buttons_open_the_application_form(rt: Runtime, web, disputes):
    client = signed_in(web, "zhang")
    res = client.post("/disputes/apply/mediation")
    assert res.status_code == 302 and res.headers["Location"].endswith("/cases/new/mediation")
    form = client.get(res.headers["Location"]).get_data(as_text=True)
    assert "劳动人事争议调解申请" in form and "知道或应当知道权利受侵害之日" in form
    with rt.reading() as session:  # the form is open, but no case exists before it is submitted
        assert session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0
    done = client.post(res.headers["Location"], data=mediation_application())
    assert done.status_code == 302 and "/disputes/cases/" in done.headers["Location"]
    case_id = int(done.headers["Location"].rstrip("/").split("/")[-1])
    assert case_row(rt, case_id).title == "绩效工资发放争议"
    assert case_row(rt, case_id).data["mediation_deadline"]


def test_recusal_and_consent_forms(rt: Runtime, web, disputes):
    case = commands.file_application(rt, disputes["zhang"], "mediation", mediation_application(request_school=True))
    accept_mediation(rt, disputes, case.id)
    zhang = signed_in(web, "zhang")
    res = zhang.post(f"/disputes/cases/{case.id}/recusals", data={"target": "ma", "reason": "亲属关系"})
    assert res.status_code == 302
    zhang.post(f"/disputes/cases/{case.id}/consents", data={"party": "applicant", "agreed": "1", "days": "7"})
    assert zhang.post(f"/disputes/cases/{case.id}/consents", data={"party": "applicant", "agreed": "1",
                                                                  "days": "x"}).status_code == 422
    head = signed_in(web, "gao")
    html = head.get(f"/disputes/cases/{case.id}").get_data(as_text=True)
    assert "亲属关系" in html and "recusal-decide" in html
    recusal_id = html.split('/disputes/recusals/')[1].split('/')[0]
    assert head.post(f"/disputes/recusals/{recusal_id}/decide", data={"granted": "1",
                                                                      "note": "准予"}).status_code == 302
    html = zhang.get(f"/disputes/cases/{case.id}").get_data(as_text=True)
    assert "recusal-decide" not in html and "7" in html


def test_early_warning_pages(web, disputes):
    assert signed_in(web, "wei").get("/disputes/warnings").status_code == 403
    xu = signed_in(web, "xu")
    bad = xu.post("/disputes/warnings", data={"persons": "", "department": "化学系", "matter": "x", "category": "pay",
                                              "risk_level": "high", "source": "dept_union"})
    assert bad.status_code == 422
    xu.post("/disputes/warnings", data={"persons": "化学系教师2人", "department": "化学系",
                                        "matter": "岗位聘用争议苗头",
                                        "category": "contract", "risk_level": "medium", "source": "dept_union"})
    html = xu.get("/disputes/warnings").get_data(as_text=True)
    assert "岗位聘用争议苗头" in html and "risk-medium" in html
    convert = html.split("/convert")[0].rsplit('href="', 1)[1] + "/convert"
    page = signed_in(web, "gao").get(convert)
    assert page.status_code == 200 and "化学系" in page.get_data(as_text=True)
    res = signed_in(web, "gao").post(convert, data={"applicant": "zhang", "applicant_name": "张老师",
                                                    "department": "化学系", "respondent": "人事处",
                                                    "title": "岗位聘用争议",
                                                    "claim": "恢复原岗位。", "facts": "岗位聘用争议苗头",
                                                    "known_on": mediation_application()["known_on"]})
    assert res.status_code == 302 and "/disputes/cases/" in res.headers["Location"]


def test_statistics_page_counts_only(rt: Runtime, web, disputes):
    commands.file_application(rt, disputes["zhang"], "mediation", mediation_application(applicant_name="张三丰"))
    assert signed_in(web, "wei").get("/disputes/statistics").status_code == 403
    html = signed_in(web, "sun").get("/disputes/statistics").get_data(as_text=True)
    assert "kpis" in html and "张三丰" not in html and "物理学系" in html
    index = signed_in(web, "sun").get("/disputes/").get_data(as_text=True)
    assert "/disputes/statistics" in index and "/disputes/warnings" in index
