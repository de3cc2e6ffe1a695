"""The proposal process end to end, through engine commands as the right users."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from docx import Document
from test_proposals_helpers import BODY, REPLY, congress, do, open_task, open_tasks, row, submit, to_reply, to_review

from engine.access import Actor
from engine.documents.store import case_documents, document_file
from engine.errors import Conflict, Forbidden, NotFound
from engine.instances import wake_case
from engine.runtime import Runtime

__all__ = ["congress"]


def test_happy_path_to_closed(rt: Runtime, congress: dict[str, Any]) -> None:
    a = congress["actors"]
    pid, case_id = submit(rt, a)
    assert row(rt, pid).status == "seconding"
    with pytest.raises(Forbidden):
        do(rt, a["wang"], case_id, "collect_cosignatures", {})  # the proposer is not on the committee
    to_reply(rt, a, case_id)
    assert row(rt, pid).outcome == "registered"
    do(rt, a["chen"], case_id, "draft_reply", REPLY)
    do(rt, a["he"], case_id, "sign_off", {"signoff": "approve"})
    assert row(rt, pid).status == "rating"
    do(rt, a["wang"], case_id, "proposer_rating", {"rating": "satisfied"})
    do(rt, a["chen"], case_id, "grade_implementation", {"grade": "A", "grade_note": "窗口已开放。"})
    case = do(rt, a["zhao"], case_id, "close_proposal", {})
    assert case.status == "completed"
    final = row(rt, pid)
    assert (final.status, final.rating, final.grade, final.reply["reply_type"]) == ("closed", "satisfied", "A",
                                                                                    "adopted")


@pytest.mark.parametrize("decision,status", [("reject", "rejected"), ("withdraw", "withdrawn"),
                                             ("convert", "assigning")])
def test_review_outcomes(rt: Runtime, congress: dict[str, Any], decision: str, status: str) -> None:
    a = congress["actors"]
    pid, case_id = submit(rt, a)
    to_review(rt, a, case_id)
    extra = {"reject_reason": "out_of_scope"} if decision == "reject" else {}
    do(rt, a["zhao"], case_id, "committee_review", {"decision": decision, "review_opinion": "不属于教代会职权范围。",
                                                    **extra})
    final = row(rt, pid)
    assert final.status == status
    assert final.outcome == {"reject": "rejected", "withdraw": "withdrawn", "convert": "converted"}[decision]
    if decision == "reject":
        from engine.notifications import list_for

        with rt.reading() as session:
            note = [n for n in list_for(session, "wang") if n.kind == "proposal_review"][0]
        assert "不予立案" in note.title and note.body == "不属于教代会职权范围。"


def test_presidium_decides_a_disputed_proposal(rt: Runtime, congress: dict[str, Any]) -> None:
    a = congress["actors"]
    pid, case_id = submit(rt, a)
    to_review(rt, a, case_id)
    do(rt, a["zhao"], case_id, "committee_review", {"decision": "presidium", "review_opinion": "委员意见分歧。"})
    assert row(rt, pid).status == "presidium"
    do(rt, a["admin"], case_id, "presidium_decide", {"decision": "register", "review_opinion": "主席团同意立案。"})
    final = row(rt, pid)
    assert (final.status, final.outcome) == ("assigning", "registered")


def test_proposer_withdraws_before_registration(rt: Runtime, congress: dict[str, Any]) -> None:
    from engine.congress.proposals import withdraw_proposal

    a = congress["actors"]
    pid, case_id = submit(rt, a)
    with pytest.raises(NotFound):
        withdraw_proposal(rt, a["li"], pid, "不是我的")
    withdraw_proposal(rt, a["wang"], pid, "问题已解决")
    assert row(rt, pid).status == "withdrawn"


def test_merge_makes_proposers_co_proposers(rt: Runtime, congress: dict[str, Any]) -> None:
    a = congress["actors"]
    target_id, target_case = submit(rt, a, proposer="li", signers=("wang", "zheng", "wu"))
    to_review(rt, a, target_case)
    pid, case_id = submit(rt, a, proposer="feng", signers=("wang", "zheng", "wu"), title="关于食堂增设教工窗口的建议")
    to_review(rt, a, case_id)
    from engine.errors import Invalid

    with pytest.raises(Invalid) as bad:
        do(rt, a["zhao"], case_id, "committee_review", {"decision": "merge", "merge_into": "提案 1999-001",
                                              "review_opinion": "内容相同，并案。"})
    assert bad.value.details[0]["field"] == "merge_into"
    do(rt, a["zhao"], case_id, "committee_review", {"decision": "merge", "merge_into": row(rt, target_id).business_key,
                                          "review_opinion": "内容相同，并案。"})
    merged, target = row(rt, pid), row(rt, target_id)
    assert (merged.status, merged.outcome, merged.merged_into_id) == ("merged", "merged", target_id)
    assert target.co_proposers == ["feng"]


def test_specialist_consultation_in_parallel(rt: Runtime, congress: dict[str, Any]) -> None:
    a = congress["actors"]
    pid, case_id = submit(rt, a)
    to_review(rt, a, case_id)
    do(rt, a["zhao"], case_id, "committee_review", {"decision": "consult", "consult_groups": ["specialist:welfare",
                                                                                   "specialist:teaching"],
                                          "consult_due": "2099-01-31", "review_opinion": "请专门委员会论证。"})
    assert open_tasks(rt, case_id) == ["specialist_consultation", "specialist_consultation"]
    assert row(rt, pid).status == "consulting"
    from engine.tasks import complete_task

    with pytest.raises(Forbidden):  # each committee answers its own request only
        complete_task(rt, a["shi"], _task_for(rt, case_id, "specialist:welfare"), {"consult_result": "可行"})

    complete_task(rt, a["lu"], _task_for(rt, case_id, "specialist:welfare"), {"consult_result": "可行，建议立案。"})
    assert open_tasks(rt, case_id) == ["specialist_consultation"]
    complete_task(rt, a["shi"], _task_for(rt, case_id, "specialist:teaching"), {"consult_result": "同意。"})
    assert open_tasks(rt, case_id) == ["committee_review"]
    with rt.reading() as session:
        from engine.models import Case

        data = session.get(Case, case_id).data
    assert sorted(data["consult_opinions"]) == ["可行，建议立案。", "同意。"]


def _task_for(rt: Runtime, case_id: int, group: str) -> str:
    import sqlalchemy as sa

    from engine.models import Task

    with rt.reading() as session:
        for task in session.scalars(sa.select(Task).where(Task.case_id == case_id, Task.state == "open")):
            if group in task.candidate_groups:
                return task.id
    raise AssertionError(f"no open task for {group}")


def test_returned_assignment_is_reassigned(rt: Runtime, congress: dict[str, Any]) -> None:
    a = congress["actors"]
    pid, case_id = submit(rt, a)
    to_review(rt, a, case_id)
    do(rt, a["zhao"], case_id, "committee_review", {"decision": "register", "review_opinion": "立案。"})
    do(rt, a["zhao"], case_id, "assign", {"lead_department": "hr"})
    do(rt, a["chen"], case_id, "confirm_assignment", {"assignment": "return", "return_reason": "属后勤职责。"})
    assert open_tasks(rt, case_id) == ["assign"]
    do(rt, a["zhao"], case_id, "assign", {"lead_department": "logistics"})
    with pytest.raises(Forbidden):
        do(rt, a["chen"], case_id, "confirm_assignment", {"assignment": "accept"})
    do(rt, a["liu"], case_id, "confirm_assignment", {"assignment": "accept"})
    assert row(rt, pid).lead_department == "logistics"
    assert open_tasks(rt, case_id) == ["draft_reply"]


def test_return_window_closes_after_seven_workdays(rt: Runtime, congress: dict[str, Any]) -> None:
    from datetime import timedelta

    from engine.clock import clock

    a = congress["actors"]
    pid, case_id = submit(rt, a)
    to_review(rt, a, case_id)
    do(rt, a["zhao"], case_id, "committee_review", {"decision": "register", "review_opinion": "立案。"})
    do(rt, a["zhao"], case_id, "assign", {"lead_department": "hr"})
    clock.advance(timedelta(days=20))
    with pytest.raises(Conflict):
        do(rt, a["chen"], case_id, "confirm_assignment", {"assignment": "return", "return_reason": "不属本部门。"})


def test_co_departments_give_opinions_first(rt: Runtime, congress: dict[str, Any]) -> None:
    a = congress["actors"]
    pid, case_id = submit(rt, a)
    to_reply(rt, a, case_id, co=["logistics"])
    assert open_tasks(rt, case_id) == ["co_opinion"]
    do(rt, a["liu"], case_id, "co_opinion", {"co_department_opinion": "后勤可提供场地。"})
    assert open_tasks(rt, case_id) == ["draft_reply"]


def test_one_extension_approved_by_the_committee(rt: Runtime, congress: dict[str, Any]) -> None:
    from engine.workdays import as_due

    a = congress["actors"]
    pid, case_id = submit(rt, a)
    to_reply(rt, a, case_id)
    with rt.reading() as session:
        from engine.models import Task

        due_before = session.get(Task, open_task(rt, case_id, "draft_reply")).due_at
    do(rt, a["chen"], case_id, "draft_reply", {"reply_action": "extend", "extension_reason": "需要调研。",
                                               "extension_days": 30})
    do(rt, a["zhao"], case_id, "approve_extension", {"extension_approved": True})
    with rt.reading() as session:
        due_after = session.get(Task, open_task(rt, case_id, "draft_reply")).due_at
    assert (due_after - due_before).days == 30 and as_due(due_after.isoformat()) == due_after
    with pytest.raises(Conflict):
        do(rt, a["chen"], case_id, "draft_reply", {"reply_action": "extend", "extension_reason": "还要调研。",
                                                   "extension_days": 10})
    do(rt, a["chen"], case_id, "draft_reply", REPLY)
    assert open_tasks(rt, case_id) == ["sign_off"]


def test_reply_lock_refuses_late_replies(rt: Runtime, congress: dict[str, Any]) -> None:
    from datetime import timedelta

    from engine.clock import clock
    from engine.congress.models import Congress

    a = congress["actors"]
    with rt.transaction() as session:
        session.get(Congress, congress["ids"]["school"]).settings = {"reply_lock": True}
    pid, case_id = submit(rt, a)
    to_reply(rt, a, case_id)
    clock.advance(timedelta(days=70))
    with pytest.raises(Conflict):
        do(rt, a["chen"], case_id, "draft_reply", REPLY)


def test_unsatisfied_rehandled_then_satisfied(rt: Runtime, congress: dict[str, Any]) -> None:
    a = congress["actors"]
    pid, case_id = submit(rt, a)
    to_reply(rt, a, case_id)
    do(rt, a["chen"], case_id, "draft_reply", REPLY)
    do(rt, a["he"], case_id, "sign_off", {"signoff": "return", "signoff_note": "措施不够具体。"})
    do(rt, a["chen"], case_id, "draft_reply", REPLY)
    do(rt, a["he"], case_id, "sign_off", {"signoff": "approve"})
    do(rt, a["wang"], case_id, "proposer_rating", {"rating": "unsatisfied", "rating_comment": "窗口仍不够。"})
    assert open_tasks(rt, case_id) == ["draft_reply"]
    assert row(rt, pid).rehandled == 1
    do(rt, a["chen"], case_id, "draft_reply", REPLY)
    do(rt, a["he"], case_id, "sign_off", {"signoff": "approve"})
    do(rt, a["wang"], case_id, "proposer_rating", {"rating": "unsatisfied", "rating_comment": "仍不满意。"})
    assert open_tasks(rt, case_id) == ["grade_implementation"]  # re-handled at most once
    assert row(rt, pid).rating == "unsatisfied"


def test_unsatisfied_then_satisfied(rt: Runtime, congress: dict[str, Any]) -> None:
    a = congress["actors"]
    pid, case_id = submit(rt, a)
    to_reply(rt, a, case_id)
    do(rt, a["chen"], case_id, "draft_reply", REPLY)
    do(rt, a["he"], case_id, "sign_off", {"signoff": "approve"})
    do(rt, a["wang"], case_id, "proposer_rating", {"rating": "unsatisfied", "rating_comment": "窗口仍不够。"})
    do(rt, a["chen"], case_id, "draft_reply", REPLY)
    do(rt, a["he"], case_id, "sign_off", {"signoff": "approve"})
    do(rt, a["wang"], case_id, "proposer_rating", {"rating": "satisfied"})
    final = row(rt, pid)
    assert (final.rating, final.rehandled, final.status) == ("satisfied", 1, "implementation")


def test_silence_is_recorded_as_no_rating(rt: Runtime, congress: dict[str, Any]) -> None:
    from datetime import timedelta

    from engine.clock import clock

    a = congress["actors"]
    pid, case_id = submit(rt, a)
    to_reply(rt, a, case_id)
    do(rt, a["chen"], case_id, "draft_reply", REPLY)
    do(rt, a["he"], case_id, "sign_off", {"signoff": "approve"})
    clock.advance(timedelta(days=30))
    wake_case(rt, case_id)
    assert open_tasks(rt, case_id) == ["grade_implementation"]
    assert row(rt, pid).rating == "none"



def test_lead_department_updates_the_grade_until_the_self_check_date(rt: Runtime, congress: dict[str, Any]) -> None:
    from datetime import timedelta

    from engine.clock import clock, utcnow
    from engine.congress.models import CongressSession
    from engine.congress.proposals import update_grade

    a = congress["actors"]
    with rt.transaction() as session:
        session.get(CongressSession, congress["ids"]["school_session"]).self_check_on = \
            (utcnow() + timedelta(days=60)).date()
    pid, case_id = submit(rt, a)
    to_reply(rt, a, case_id)
    do(rt, a["chen"], case_id, "draft_reply", REPLY)
    do(rt, a["he"], case_id, "sign_off", {"signoff": "approve"})
    do(rt, a["wang"], case_id, "proposer_rating", {"rating": "satisfied"})
    do(rt, a["chen"], case_id, "grade_implementation", {"grade": "B", "grade_note": "列入明年计划。"})
    with pytest.raises(NotFound):
        update_grade(rt, a["liu"], pid, "A", "不是本部门")
    assert update_grade(rt, a["chen"], pid, "A", "已全部完成。").grade == "A"
    clock.advance(timedelta(days=90))
    with pytest.raises(Conflict):
        update_grade(rt, a["chen"], pid, "B", "晚了")
    assert row(rt, pid).grade == "A"


def _document_texts(rt: Runtime, actor: Any, case_id: int) -> dict[str, str]:
    """Title -> all the text of each document of the case, read as ``actor`` through the document service."""
    texts = {}
    with rt.reading() as session:
        for listed in case_documents(session, actor, case_id):
            found = document_file(session, actor, listed["id"])
            doc = Document(BytesIO(found.content))
            parts = [p.text for p in doc.paragraphs]
            parts += [cell.text for table in doc.tables for r in table.rows for cell in r.cells]
            texts[listed["title"]] = "\n".join(parts)
    return texts


def test_each_proposal_document_is_produced_on_its_step(rt: Runtime, congress: dict[str, Any]) -> None:
    """提案表 at registration (with the co-signers), 交办通知书 when the department accepts, 答复函 after the
    leader's sign-off, 提案人评价表 after the rating: names, unit names and labels, never usernames or codes."""
    a = congress["actors"]
    pid, case_id = submit(rt, a)
    to_review(rt, a, case_id)
    assert _document_texts(rt, a["wang"], case_id) == {}
    do(rt, a["zhao"], case_id, "committee_review", {"decision": "register", "review_opinion": "符合立案条件。"})
    docs = _document_texts(rt, a["wang"], case_id)
    form = docs[f"提案表（{BODY['title']}）"]
    assert "Wang" in form and all(name in form for name in ("Li", "Zheng", "Wu")) and "3人" in form
    assert "符合立案条件。" in form and "【待补" not in form
    do(rt, a["qian"], case_id, "assign", {"lead_department": "hr", "co_departments": ["logistics"],
                                          "assign_note": "请于一个月内答复。"})
    assert len(_document_texts(rt, a["wang"], case_id)) == 1  # the notice waits for the department's acceptance
    do(rt, a["chen"], case_id, "confirm_assignment", {"assignment": "accept"})
    notice = _document_texts(rt, a["chen"], case_id)[f"交办通知书（{BODY['title']}）"]
    assert "人事处：" in notice and "后勤保障处" in notice and "请于一个月内答复。" in notice
    do(rt, a["liu"], case_id, "co_opinion", {"co_department_opinion": "后勤可提供场地。"})
    do(rt, a["chen"], case_id, "draft_reply", REPLY)
    assert len(_document_texts(rt, a["wang"], case_id)) == 2  # the letter waits for the leader's sign-off
    do(rt, a["he"], case_id, "sign_off", {"signoff": "approve", "signoff_note": "同意。"})
    letter = _document_texts(rt, a["wang"], case_id)[f"答复函（{BODY['title']}）"]
    assert "Wang代表：" in letter and "采纳落实" in letter and "2027年3月1日" in letter and "同意。" in letter
    do(rt, a["wang"], case_id, "proposer_rating", {"rating": "satisfied", "rating_comment": "落实很快。"})
    rating = _document_texts(rt, a["zhao"], case_id)[f"提案人评价表（{BODY['title']}）"]
    assert "满意" in rating and "落实很快。" in rating and "人事处" in rating
    docs = _document_texts(rt, a["zhao"], case_id)
    assert len(docs) == 4
    for text in docs.values():
        for code in ("wang", "adopted", "satisfied", "hr\n", "logistics", "{", "【待补"):
            assert code not in text, (code, text)
    outsider = Actor("gao", frozenset({"delegate"}))
    with rt.reading() as session, pytest.raises(Forbidden):
        case_documents(session, outsider, case_id)


def test_optional_fields_left_empty_print_as_a_dash_not_a_blank(rt: Runtime, congress: dict[str, Any]) -> None:
    """A note a form may leave empty (交办说明, 审签意见, the proposer's comment) prints as —, never 【待补】."""
    a = congress["actors"]
    pid, case_id = submit(rt, a)
    to_review(rt, a, case_id)
    do(rt, a["zhao"], case_id, "committee_review", {"decision": "register"})
    do(rt, a["qian"], case_id, "assign", {"lead_department": "hr", "co_departments": []})
    do(rt, a["chen"], case_id, "confirm_assignment", {"assignment": "accept"})
    do(rt, a["chen"], case_id, "draft_reply", REPLY)
    do(rt, a["he"], case_id, "sign_off", {"signoff": "approve"})
    do(rt, a["wang"], case_id, "proposer_rating", {"rating": "basic"})
    docs = _document_texts(rt, a["zhao"], case_id)
    assert len(docs) == 4
    for title, text in docs.items():
        assert "【待补" not in text, (title, text)
    notice = docs[f"交办通知书（{BODY['title']}）"]
    assert "协办单位\n—" in notice and "交办说明\n—" in notice
    assert "基本满意" in docs[f"提案人评价表（{BODY['title']}）"]
