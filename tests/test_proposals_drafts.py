"""Proposal drafts save with whatever is filled in; the full check is made when a draft is published, through
the engine, the web pages and the API alike. Also the proposal pages' breadcrumbs and their print form."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import sign_in
from test_proposals_helpers import BODY, congress, row

from engine.clock import clock
from engine.congress import proposals as cp
from engine.congress.models import Congress, CongressSession, Proposal
from engine.errors import Invalid
from engine.runtime import Runtime

__all__ = ["congress"]

TITLE_ONLY = {"title": "关于延长图书馆开放时间的建议"}
MISSING = {"category", "cause", "suggestion"}  # what a draft with only its title lacks to be published


@pytest.fixture
def web(form_app: Any, congress: dict[str, Any]) -> Any:
    """``web(user)``: a client of the web pages (CSRF off) signed in as ``user``."""
    return lambda user: sign_in(form_app.test_client(), user)


def _drafts(rt: Runtime, proposer: str = "wang") -> list[Proposal]:
    with rt.reading() as session:
        found = list(session.scalars(sa.select(Proposal).where(Proposal.proposer == proposer)
                                     .order_by(Proposal.id)))
        session.expunge_all()
        return found


def _error_fields(page: str) -> set[str]:
    """The names of the form fields marked with an error on the draft form."""
    return set(re.findall(r'<label class="field has-error">\s*<span class="field-label">[^<]*</span>\s*'
                          r'(?:<span class="field-help">[^<]*</span>\s*)?<(?:textarea|input|select)[^>]*name="(\w+)"',
                          page))


# --- engine --------------------------------------------------------------------------------------------------


def test_a_draft_saves_with_only_its_title_and_publishing_names_what_is_missing(
        rt: Runtime, congress: dict[str, Any]) -> None:
    a = congress["actors"]
    draft = cp.save_draft(rt, a["wang"], "school", TITLE_ONLY)
    saved = row(rt, draft.id)
    assert (saved.status, saved.title, saved.category, saved.cause, saved.suggestion) == \
        ("draft", TITLE_ONLY["title"], "", "", "")
    with pytest.raises(Invalid) as refused:
        cp.publish(rt, a["wang"], draft.id)
    assert {d["field"] for d in refused.value.details} == MISSING
    assert {d["code"] for d in refused.value.details} == {"required"}
    assert all(name in refused.value.message for name in MISSING)
    assert row(rt, draft.id).status == "draft" and row(rt, draft.id).case_id is None
    cp.save_draft(rt, a["wang"], "school", BODY, draft.id)  # completed later
    case = cp.publish(rt, a["wang"], draft.id)
    assert row(rt, draft.id).status == "seconding" and row(rt, draft.id).case_id == case.id


def test_a_short_text_waits_for_publishing_but_a_wrong_value_is_refused_at_once(
        rt: Runtime, congress: dict[str, Any]) -> None:
    a = congress["actors"]
    short = cp.save_draft(rt, a["wang"], "school", {**TITLE_ONLY, "suggestion": "加开晚间"})
    with pytest.raises(Invalid) as refused:
        cp.publish(rt, a["wang"], short.id)
    problems = {d["field"]: d["code"] for d in refused.value.details}
    assert problems == {"category": "required", "cause": "required", "suggestion": "min_length"}
    cases = [({"suggestion": "很" * 5001}, "suggestion", "max_length"),
             ({"cause": 42}, "cause", "type"),
             ({"category": "nonsense"}, "category", "choice"),
             ({"attachments": "a.pdf"}, "attachments", "type"),
             ({"title": ""}, "title", "required"),
             ({"title": "短"}, "title", "min_length")]
    for change, field, code in cases:
        with pytest.raises(Invalid) as bad:
            cp.save_draft(rt, a["wang"], "school", {**TITLE_ONLY, **change})
        assert [(d["field"], d["code"]) for d in bad.value.details] == [(field, code)], change
    assert [d.id for d in _drafts(rt)] == [short.id]  # nothing else was saved


def test_an_incomplete_draft_cannot_start_its_case_through_the_api(rt: Runtime, congress: dict[str, Any],
                                                                   api: Any) -> None:
    a = congress["actors"]
    draft = cp.save_draft(rt, a["wang"], "school", TITLE_ONLY)
    with rt.reading() as session:
        c, s = session.get(Congress, draft.congress_id), session.get(CongressSession, draft.session_id)
        data = cp.start_data(draft, c, s)
    res = api.post("/api/v1/cases", "wang", json={"process": "proposals", "data": data})
    assert res.status_code == 422
    assert {d["field"] for d in res.get_json()["error"]["details"]} == MISSING
    assert row(rt, draft.id).status == "draft" and row(rt, draft.id).case_id is None


# --- web pages -----------------------------------------------------------------------------------------------


def test_save_draft_on_the_page_with_only_a_title_then_publish_when_complete(
        rt: Runtime, web: Any, congress: dict[str, Any]) -> None:
    wang = web("wang")
    res = wang.post("/proposals/new", data={"congress": "school", **TITLE_ONLY, "action": "save"})
    assert res.status_code == 302
    [draft] = _drafts(rt)
    assert draft.status == "draft" and res.headers["Location"].endswith(f"/proposals/{draft.id}")
    page = wang.get(f"/proposals/{draft.id}").get_data(as_text=True)
    assert TITLE_ONLY["title"] in page and 'id="draft-unfinished"' in page
    assert TITLE_ONLY["title"] in wang.get("/proposals/").get_data(as_text=True)  # listed among mine

    # publishing is refused, naming the fields; the draft is kept, and no second draft appears
    res = wang.post(f"/proposals/{draft.id}/edit", data={**TITLE_ONLY, "action": "publish"})
    text = res.get_data(as_text=True)
    assert res.status_code == 422 and _error_fields(text) == MISSING
    problem = re.search(r'id="form-problem">(.*?)</div>', text, re.S)
    assert problem and "类别、案由、主张（建议措施）" in problem.group(1)  # the missing fields, in the form's order
    assert f'action="/proposals/{draft.id}/edit"' in text
    assert row(rt, draft.id).status == "draft" and len(_drafts(rt)) == 1

    res = wang.post(f"/proposals/{draft.id}/edit", data={**BODY, "action": "publish"})
    assert res.status_code == 302 and row(rt, draft.id).status == "seconding"
    assert 'id="draft-unfinished"' not in wang.get(f"/proposals/{draft.id}").get_data(as_text=True)


def test_publishing_an_incomplete_new_proposal_names_every_field_and_saves_nothing(
        rt: Runtime, web: Any, congress: dict[str, Any]) -> None:
    wang = web("wang")
    res = wang.post("/proposals/new", data={"congress": "school", "cause": "闭馆太早。", "action": "publish"})
    text = res.get_data(as_text=True)
    assert res.status_code == 422 and _error_fields(text) == {"title", "category", "suggestion"}
    problem = re.search(r'id="form-problem">(.*?)</div>', text, re.S)
    assert problem and "标题、类别、主张（建议措施）" in problem.group(1)
    assert "闭馆太早。" in text and _drafts(rt) == []  # what was typed is still in the form; nothing saved


def test_a_draft_saved_but_refused_publication_is_edited_on_the_next_try(
        rt: Runtime, web: Any, congress: dict[str, Any]) -> None:
    clock.advance(timedelta(days=11))  # past the session's cutoff: the draft saves, publishing is refused
    wang = web("wang")
    res = wang.post("/proposals/new", data={"congress": "school", **BODY, "action": "publish"})
    text = res.get_data(as_text=True)
    [draft] = _drafts(rt)
    assert res.status_code == 422 and draft.status == "draft" and 'id="form-problem"' in text
    assert f'action="/proposals/{draft.id}/edit"' in text  # not a second draft
    assert wang.post(f"/proposals/{draft.id}/edit", data={**BODY, "action": "save"}).status_code == 302
    assert len(_drafts(rt)) == 1


def test_a_wrong_value_is_refused_on_the_page_without_saving(rt: Runtime, web: Any,
                                                             congress: dict[str, Any]) -> None:
    res = web("wang").post("/proposals/new", data={"congress": "school", **TITLE_ONLY, "suggestion": "很" * 5001,
                                                   "action": "save"})
    assert res.status_code == 422 and _error_fields(res.get_data(as_text=True)) == {"suggestion"}
    assert _drafts(rt) == []


def test_proposal_pages_name_the_current_page_in_their_breadcrumbs(rt: Runtime, web: Any,
                                                                   congress: dict[str, Any]) -> None:
    wang = web("wang")
    draft = cp.save_draft(rt, congress["actors"]["wang"], "school", TITLE_ONLY)
    expected = {"/proposals/statistics": "统计", "/proposals/new": "新建提案", "/proposals/duty": "履职档案",
                f"/proposals/{draft.id}/edit": "编辑草稿", f"/proposals/{draft.id}": "草稿"}
    for path, current in expected.items():
        page = wang.get(path).get_data(as_text=True)
        crumbs = re.search(r'<p class="crumbs">(.*?)</p>', page, re.S)
        assert crumbs, path
        text = re.sub(r"<[^>]+>", "", crumbs.group(1))
        assert text.startswith("提案 ›") and text.rstrip().endswith(current), (path, text)
        assert " /" not in text
