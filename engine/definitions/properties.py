"""The process and step properties the core reads (``spiffworkflow:property`` / ``camunda:property``), as
documented behaviours: ``docket check --explain`` lists them and the designer's guide documents each one.

Camunda Modeler's own attributes mean the same (``camunda:formKey``, ``camunda:candidateGroups``,
``camunda:candidateUsers``, ``camunda:assignee``, ``camunda:dueDate``, ``camunda:candidateStarterGroups``).
"""

from __future__ import annotations

from engine.behaviours import behaviours

PROCESS, STEP, LANE = "process", "step", "lane"

for _name, _on, _zh, _doc in [
    ("starters", PROCESS, "可发起流程的用户组", "groups that may start the process, comma-separated (empty: every "
                                          "signed-in user); Camunda: camunda:candidateStarterGroups"),
    ("businessKeyPrefix", PROCESS, "案件编号前缀", "the start of every case number, e.g. '提案 ' gives 提案 2026-017"),
    ("businessKeyPrefixEn", PROCESS, "英文页面上的案件编号前缀", "the same start on English pages, e.g. 'Proposal ' "
                                                          "shows 提案 2026-017 as Proposal 2026-017"),
    ("titleField", PROCESS, "作为案件标题的数据字段", "the case-data field that gives the case its title (default: "
                                                "title); set by the start data or, later, by the first form that "
                                                "fills it"),
    ("formKey", STEP, "步骤使用的表单", "the form of a user task: forms/<formKey>.json beside the BPMN; Camunda: "
                                      "camunda:formKey"),
    ("formJsonSchemaFilename", STEP, "spiff-arena 风格的表单文件名",
     "spiff-arena's way to name the form file (<key>-schema.json or <key>.json)"),
    ("candidateGroups", STEP, "可办理的用户组", "groups that may take the task: 'committee, presidium', an expression "
                                             "after = (='dept:' + unit) or ${...}; on a lane, the group of the lane's "
                                             "tasks"),
    ("candidateUsers", STEP, "可办理的用户", "users that may take the task, written like candidateGroups"),
    ("assignee", STEP, "指定办理人", "the one user the task is for (e.g. =initiator); the task is claimed by them "
                                   "at once"),
    ("dueIn", STEP, "办理时限（ISO 8601 时长）", "an ISO 8601 duration from when the task opens (or from dueFrom) to "
                                              "its due time, e.g. P10D"),
    ("calendar", STEP, "时限按自然日或工作日计算", "how dueIn counts: calendar (default) or workdays (China's "
                                                "official working days)"),
    ("dueDate", STEP, "固定截止日期", "a fixed due date: an ISO date, =expression or ${...} on case data; Camunda: "
                                    "camunda:dueDate"),
    ("dueFrom", STEP, "时限起算日期所在字段", "the case-data field holding the date the dueIn clock starts from "
                                           "(e.g. received_on)"),
    ("group", LANE, "泳道对应的用户组", "the group whose members take the lane's tasks (default: the group named "
                                      "like the lane)"),
]:
    behaviours.property(_name, doc=_doc, on=_on, zh=_zh)
