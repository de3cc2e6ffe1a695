"""A designer edits the proposal BPMN without a programmer: the process gets a new key, a task a new id, and a
new step is added. The proposals feature follows the edited file by its properties (casework, stage, rule), so
the proposal's status, its outcome, the cutoff and the statistics stay right."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from conftest import ROOT, deploy_file
from test_proposals_helpers import REPLY, congress, do, open_tasks, row, submit

from engine.clock import clock
from engine.definitions.bundle import bundle_from_file
from engine.runtime import Runtime
from engine.scheduler import wake_due

__all__ = ["congress"]

NEW_STEP = """    <bpmn:userTask id="secretariat_check" name="秘书处初审">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="candidateGroups" value="=committee_group"/>
        <spiffworkflow:property name="stage" value="review"/>
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f_enough</bpmn:incoming>
      <bpmn:outgoing>f_checked</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f_checked" sourceRef="secretariat_check" targetRef="preliminary_review"/>
"""


def edited_proposals() -> Any:
    """The shipped proposal process as a designer might change it: key ``staff_proposals``, the committee's
    review renamed ``preliminary_review``, and a secretariat check before it."""
    bundle = bundle_from_file(ROOT / "processes" / "proposals" / "proposals.bpmn", ROOT / "processes" / "forms")
    xml = bundle.bpmn.decode("utf-8")
    xml = xml.replace('processRef="proposals"', 'processRef="staff_proposals"')
    xml = xml.replace('<bpmn:process id="proposals"', '<bpmn:process id="staff_proposals"')
    xml = re.sub(r'(["> ])committee_review(["<_])', r"\1preliminary_review\2", xml)
    xml = xml.replace('<bpmn:sequenceFlow id="f_enough" sourceRef="seconding_gw" targetRef="preliminary_review">',
                      '<bpmn:sequenceFlow id="f_enough" sourceRef="seconding_gw" targetRef="secretariat_check">')
    review = xml.index('<bpmn:userTask id="preliminary_review"')
    xml = xml[:review] + xml[review:].replace("<bpmn:incoming>f_enough</bpmn:incoming>",
                                              "<bpmn:incoming>f_checked</bpmn:incoming>", 1)
    anchor = '    <bpmn:userTask id="preliminary_review"'
    xml = xml.replace(anchor, NEW_STEP + anchor)
    assert "committee_review" not in xml and xml.count("secretariat_check") == 3
    bundle.bpmn, bundle.filename = xml.encode("utf-8"), "staff_proposals.bpmn"
    return bundle


def test_an_edited_proposal_process_keeps_status_outcome_and_statistics(rt: Runtime, congress: dict[str, Any],
                                                                        api: Any) -> None:
    definition = deploy_file(rt, edited_proposals())
    assert definition.key == "staff_proposals"
    a = congress["actors"]
    pid, case_id = submit(rt, a)  # publishing starts the process that declares casework="proposals"
    with rt.reading() as session:
        from engine.models import Case

        assert session.get(Case, case_id).process_key == "staff_proposals"
    assert row(rt, pid).status == "seconding"
    do(rt, a["zhao"], case_id, "collect_cosignatures", {})
    assert open_tasks(rt, case_id) == ["secretariat_check"] and row(rt, pid).status == "review"
    do(rt, a["qian"], case_id, "secretariat_check", {})
    assert open_tasks(rt, case_id) == ["preliminary_review"] and row(rt, pid).status == "review"
    do(rt, a["zhao"], case_id, "preliminary_review", {"decision": "register", "review_opinion": "符合立案条件。"})
    registered = row(rt, pid)
    assert (registered.status, registered.outcome) == ("assigning", "registered")
    do(rt, a["qian"], case_id, "assign", {"lead_department": "hr", "co_departments": []})
    assert row(rt, pid).lead_department == "hr"  # the assignment rule still records the department
    do(rt, a["chen"], case_id, "confirm_assignment", {"assignment": "accept"})
    do(rt, a["chen"], case_id, "draft_reply", REPLY)
    do(rt, a["he"], case_id, "sign_off", {"signoff": "approve"})
    assert row(rt, pid).status == "rating"
    do(rt, a["wang"], case_id, "proposer_rating", {"rating": "satisfied"})
    do(rt, a["chen"], case_id, "grade_implementation", {"grade": "A", "grade_note": "窗口已开放。"})
    do(rt, a["zhao"], case_id, "close_proposal", {})
    final = row(rt, pid)
    assert (final.status, final.rating, final.grade) == ("closed", "satisfied", "A")

    few, few_case = submit(rt, a, proposer="li", signers=("wang",))
    clock.advance(timedelta(days=11))
    assert wake_due(rt) == 1  # the edited file's cutoff timer
    opinion = row(rt, few)
    assert (opinion.outcome, opinion.status) == ("converted", "assigning")
    assert open_tasks(rt, few_case) == ["assign"]

    report = api.get("/api/v1/reports/proposals?congress=school", "zhao").get_json()
    expected = {"submitted": 2, "registered": 1, "converted": 1, "closed": 1, "grade_A": 1, "rated": 1, "satisfied": 1}
    assert {k: report[k] for k in expected} == expected
    assert report["completion_rate"] == 1.0 and report["satisfaction_rate"] == 1.0
