"""Designer engine: version diffs from BPMN XML, and moving running cases to a new version."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import deploy_file
from test_engine import TIMED

from engine.clock import clock
from engine.definitions.bundle import Bundle, bundle_from_file
from engine.designer.diff import diff_versions
from engine.designer.migration import migrate_cases, plan_migration
from engine.errors import Forbidden
from engine.instances import start_case
from engine.models import Case, Event, Task
from engine.runtime import Runtime
from engine.tasks import complete_task

REVIEW = Path(__file__).parent / "bpmn" / "review" / "review.bpmn"
FORMS = Path(__file__).parents[1] / "processes" / "forms"
NOTIFY = ('<bpmn:userTask id="notify_rep" name="通知提案人">'
          '<bpmn:extensionElements><spiffworkflow:properties>'
          '<spiffworkflow:property name="candidateGroups" value="committee"/>'
          '</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>')


def review_v2_xml() -> str:
    """v2: a 'notify_rep' task between registering and the committee review; the review is renamed."""
    xml = REVIEW.read_text(encoding="utf-8")
    xml = xml.replace('<bpmn:sequenceFlow id="f2" sourceRef="register_proposal" targetRef="committee_review"/>',
                      '<bpmn:sequenceFlow id="f2" sourceRef="register_proposal" targetRef="notify_rep"/>' + NOTIFY +
                      '<bpmn:sequenceFlow id="f2b" sourceRef="notify_rep" targetRef="committee_review"/>')
    xml = xml.replace("</bpmndi:BPMNPlane>", '<bpmndi:BPMNShape id="notify_rep_di" bpmnElement="notify_rep">'
                      '<dc:Bounds x="170" y="230" width="100" height="80"/></bpmndi:BPMNShape></bpmndi:BPMNPlane>')
    return xml.replace('name="提案委员会审查"', 'name="提案委员会初审"')


def review_without_register_xml() -> str:
    xml = REVIEW.read_text(encoding="utf-8")
    return xml.replace('id="register_proposal"', 'id="register_v3"').replace(
        'targetRef="register_proposal"', 'targetRef="register_v3"').replace(
        'sourceRef="register_proposal"', 'sourceRef="register_v3"').replace(
        "<bpmn:flowNodeRef>register_proposal<", "<bpmn:flowNodeRef>register_v3<").replace(
        'bpmnElement="register_proposal"', 'bpmnElement="register_v3"').replace(
        "name=\"填写提案\"", "name=\"填写提案（新）\"")


def deploy_xml(rt: Runtime, xml: str) -> object:
    bundle = bundle_from_file(REVIEW, FORMS)
    return deploy_file(rt, Bundle(bpmn=xml.encode("utf-8"), filename="review.bpmn", forms=bundle.forms))


def _open(rt: Runtime, case_id: int) -> list[Task]:
    with rt.reading() as s:
        return list(s.scalars(sa.select(Task).where(Task.case_id == case_id, Task.state.in_(("open", "claimed")))))


REGISTER = {"title": "食堂延长供餐", "category": "welfare", "cause": "加班教师多",
            "proposal": "晚餐供应时间延长到晚上八点"}


def test_diff_reports_added_removed_and_changed_elements() -> None:
    old = REVIEW.read_text(encoding="utf-8")
    diff = diff_versions(old, review_v2_xml())
    assert {e.id for e in diff.added} == {"notify_rep", "f2b"}
    assert diff.removed == []
    changed = {d.element.id: d for d in diff.changed}
    assert set(changed) == {"f2", "committee_review"}
    assert [(c.field, c.old, c.new) for c in changed["committee_review"].changes] == [
        ("name", "提案委员会审查", "提案委员会初审")]
    assert [(c.field, c.old, c.new) for c in changed["f2"].changes] == [
        ("targetRef", "committee_review", "notify_rep")]
    back = diff_versions(review_v2_xml(), old)
    assert {e.id for e in back.removed} == {"notify_rep", "f2b"}
    assert diff_versions(old, old).empty


def test_diff_sees_property_and_script_changes_but_not_layout() -> None:
    old = REVIEW.read_text(encoding="utf-8")
    new = old.replace('name="dueIn" value="P2M"', 'name="dueIn" value="P1M"').replace(
        "rehandled = True", "rehandled = True\ncount = 1").replace('x="', 'x="1')
    changed = {d.element.id: d for d in diff_versions(old, new).changed}
    assert set(changed) == {"dept_handle", "mark_rehandle"}
    assert changed["dept_handle"].changes[0].field == "property dueIn"
    assert changed["mark_rehandle"].changes[0].field == "script"


def test_migration_dry_run_then_move_safe_case(rt: Runtime, people: dict, review_process: object) -> None:
    waiting = start_case(rt, people["wang"], "proposal_review", {"title": "等待填写"})
    reviewed = start_case(rt, people["wang"], "proposal_review", {"title": "已提交"})
    complete_task(rt, people["wang"], _open(rt, reviewed.id)[0].id, REGISTER)
    v2 = deploy_xml(rt, review_v2_xml())

    with pytest.raises(Forbidden):
        plan_migration(rt, people["wang"], v2.id)
    plans = {p.case_id: p for p in plan_migration(rt, people["zhou"], v2.id)}
    assert set(plans) == {waiting.id, reviewed.id}
    assert plans[waiting.id].ok and plans[waiting.id].reset == ["填写提案"]
    assert plans[reviewed.id].ok and plans[reviewed.id].changed == ["提案委员会审查"]
    with rt.reading() as s:  # a dry run changes nothing
        assert s.get(Case, waiting.id).definition_id == review_process.id

    results = migrate_cases(rt, people["zhou"], v2.id, [waiting.id])
    assert results[0].ok
    with rt.reading() as s:
        case = s.get(Case, waiting.id)
        assert case.definition_id == v2.id
        event = s.scalars(sa.select(Event).where(Event.case_id == waiting.id, Event.kind == "case_migrated")).one()
        assert event.actor == "zhou" and event.data["from_version"] == 1 and event.data["to_version"] == 2
    register = _open(rt, waiting.id)
    assert [t.name for t in register] == ["register_proposal"]  # the same task row, still open
    complete_task(rt, people["wang"], register[0].id, REGISTER)
    assert [(t.name, t.candidate_groups) for t in _open(rt, waiting.id)] == [("notify_rep", ["committee"])]

    migrate_cases(rt, people["admin"], v2.id, [reviewed.id])  # current task's title follows the new version
    assert [t.title for t in _open(rt, reviewed.id)] == ["提案委员会初审"]


def test_migration_refuses_case_whose_completed_task_is_missing(rt: Runtime, people: dict,
                                                               review_process: object) -> None:
    fresh = start_case(rt, people["wang"], "proposal_review", {"title": "新案"})
    done = start_case(rt, people["wang"], "proposal_review", {"title": "已提交"})
    complete_task(rt, people["wang"], _open(rt, done.id)[0].id, REGISTER)
    v3 = deploy_xml(rt, review_without_register_xml())
    plans = {p.case_id: p for p in plan_migration(rt, people["zhou"], v3.id)}
    assert plans[fresh.id].blockers == [{"reason": "current_missing", "element": "register_proposal",
                                         "title": "填写提案"}]
    assert plans[done.id].blockers == [{"reason": "completed_missing", "element": "register_proposal",
                                        "title": "填写提案"}]
    results = migrate_cases(rt, people["zhou"], v3.id, [fresh.id, done.id])
    assert not any(r.ok for r in results)
    with rt.reading() as s:
        assert {s.get(Case, c.id).definition_id for c in (fresh, done)} == {review_process.id}
        assert s.scalar(sa.select(sa.func.count()).select_from(Event).where(Event.kind == "case_migrated")) == 0


TIMED_DUE = TIMED.replace('<bpmn:userTask id="review" name="Review"/>', (
    '<bpmn:userTask id="review" name="Review"><bpmn:extensionElements><spiffworkflow:properties>'
    '<spiffworkflow:property name="dueIn" value="PT30H"/></spiffworkflow:properties></bpmn:extensionElements>'
    "</bpmn:userTask>"))


def test_migration_keeps_due_times_unless_restarted(rt: Runtime, people: dict) -> None:
    deploy_file(rt, Bundle(bpmn=TIMED_DUE.encode(), filename="timed.bpmn"))
    kept, restarted = start_case(rt, people["zhao"], "timed", {}), start_case(rt, people["zhao"], "timed", {})
    with rt.reading() as s:
        first_wake = {c.id: s.get(Case, c.id).wake_at for c in (kept, restarted)}
    clock.advance(timedelta(days=3))
    task_due = {c.id: _open(rt, c.id)[0].due_at for c in (kept, restarted)}
    v2 = deploy_file(rt, Bundle(bpmn=TIMED_DUE.replace('name="Review"', 'name="Review v2"').encode(),
                                filename="timed.bpmn"))
    plan = next(p for p in plan_migration(rt, people["admin"], v2.id) if p.case_id == kept.id)
    assert plan.ok and plan.timers and not plan.restart
    assert [(d["kind"], d["due_at"]) for d in plan.due] == [("timer", first_wake[kept.id].isoformat()),
                                                           ("task", task_due[kept.id].isoformat())]
    assert plan_migration(rt, people["admin"], v2.id, [restarted.id], restart=True)[0].restart
    migrate_cases(rt, people["admin"], v2.id, [kept.id])
    migrate_cases(rt, people["admin"], v2.id, [restarted.id], restart=True)
    with rt.reading() as s:
        assert s.get(Case, kept.id).wake_at == first_wake[kept.id]  # the timer keeps its due time
        moved = s.get(Case, restarted.id).wake_at - first_wake[restarted.id]
        event = s.scalars(sa.select(Event).where(Event.case_id == restarted.id, Event.kind == "case_migrated")).one()
        assert event.data["restart"] is True
    assert timedelta(days=3) <= moved < timedelta(days=3, minutes=1)  # restarted: the 14 days count from now
    assert _open(rt, kept.id)[0].due_at == task_due[kept.id]  # the open task keeps its due date
    task_moved = _open(rt, restarted.id)[0].due_at - task_due[restarted.id]
    assert timedelta(days=3) <= task_moved < timedelta(days=3, minutes=1)  # ... or counts again from now


def test_completed_case_is_not_migrated(rt: Runtime, people: dict) -> None:
    deploy_file(rt, Bundle(bpmn=TIMED.encode(), filename="timed.bpmn"))
    case = start_case(rt, people["zhao"], "timed", {})
    complete_task(rt, people["zhao"], _open(rt, case.id)[0].id, {})
    v2 = deploy_file(rt, Bundle(bpmn=TIMED.replace('name="Review"', 'name="R2"').encode(), filename="timed.bpmn"))
    assert plan_migration(rt, people["admin"], v2.id) == []  # only running cases are listed
    plan = plan_migration(rt, people["admin"], v2.id, [case.id])[0]
    assert plan.blockers[0]["reason"] == "not_running"
