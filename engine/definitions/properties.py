"""The process and step properties the core reads (``spiffworkflow:property`` / ``camunda:property``), as
documented behaviours: ``docket check --explain`` lists them and the designer's guide documents each one.

Camunda Modeler's own attributes mean the same (``camunda:formKey``, ``camunda:candidateGroups``,
``camunda:candidateUsers``, ``camunda:assignee``, ``camunda:dueDate``, ``camunda:candidateStarterGroups``).
"""

from __future__ import annotations

from engine.behaviours import behaviours

PROCESS, STEP, LANE = "process", "step", "lane"

for _name, _on, _doc in [
    ("starters", PROCESS, "groups that may start the process, comma-separated (empty: every signed-in user); "
                          "Camunda: camunda:candidateStarterGroups"),
    ("businessKeyPrefix", PROCESS, "the start of every case number, e.g. '提案 ' gives 提案 2026-017"),
    ("titleField", PROCESS, "the case-data field that gives the case its title (default: title)"),
    ("formKey", STEP, "the form of a user task: forms/<formKey>.json beside the BPMN; Camunda: camunda:formKey"),
    ("formJsonSchemaFilename", STEP, "spiff-arena's way to name the form file (<key>-schema.json or <key>.json)"),
    ("candidateGroups", STEP, "groups that may take the task: 'committee, presidium', an expression after = "
                              "(='dept:' + unit) or ${...}; on a lane, the group of the lane's tasks"),
    ("candidateUsers", STEP, "users that may take the task, written like candidateGroups"),
    ("assignee", STEP, "the one user the task is for (e.g. =initiator); the task is claimed by them at once"),
    ("dueIn", STEP, "an ISO 8601 duration from when the task opens (or from dueFrom) to its due time, e.g. P10D"),
    ("calendar", STEP, "how dueIn counts: calendar (default) or workdays (China's official working days)"),
    ("dueDate", STEP, "a fixed due date: an ISO date, =expression or ${...} on case data; Camunda: "
                      "camunda:dueDate"),
    ("dueFrom", STEP, "the case-data field holding the date the dueIn clock starts from (e.g. received_on)"),
    ("group", LANE, "the group whose members take the lane's tasks (default: the group named like the lane)"),
]:
    behaviours.property(_name, doc=_doc, on=_on)
