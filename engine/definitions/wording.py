"""The checker's problems in words.

A problem carries a code and parameters; its text comes from the template of that code, in English or
translated through the project's message catalog (``webui/translations``, read with Babel's
``support.Translations``, so the engine needs no Flask). Templates use ``%(name)s`` placeholders; the
parameters are element ids, names and values from the file, never translated.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations

CATALOG_DIR = Path(__file__).resolve().parents[2] / "webui" / "translations"


def N_(text: str) -> str:
    """Marks a template for extraction into the catalog (``pybabel extract`` knows ``N_``)."""
    return text


TEMPLATES: dict[str, str] = {
    "severity_warning": N_("warning"),
    # the file
    "unparseable_xml": N_("unparseable XML: %(detail)s"),
    "not_utf8": N_("the file is not UTF-8 encoded: save it as UTF-8"),
    "doctype": N_("the file declares a DOCTYPE; entities are not read: remove it"),
    "not_bpmn": N_("not a BPMN 2.0 file: root element is <%(tag)s>, expected bpmn:definitions"),
    "not_executable": N_("process is not executable (isExecutable=\"false\"): nothing to run"),
    "no_process": N_("the file defines no process: nothing to run"),
    "call_cycle": N_("every executable process is called by another one (a cycle of call activities): no "
                     "top-level process to start"),
    "duplicate_id": N_("id '%(id)s' is used more than once, on lines %(lines)s: ids must be unique in the file"),
    "flow_source_missing": N_("sequence flow starts at '%(ref)s', which is not an element of this process"),
    "flow_target_missing": N_("sequence flow ends at '%(ref)s', which is not an element of this process"),
    "flow_no_source": N_("sequence flow has no sourceRef: connect it to the element it leaves"),
    "flow_no_target": N_("sequence flow has no targetRef: connect it to the element it leads to"),
    "message_flow_missing": N_("message flow names '%(ref)s', which is not an element of this file"),
    "engine_says": N_("%(detail)s"),
    "engine_cannot_parse": N_("the engine cannot parse this process: %(detail)s"),
    # elements
    "process_no_id": N_("process has no id"),
    "node_no_id": N_("%(tag)s has no id"),
    "property_no_value": N_("property '%(name)s' has no value"),
    "expression_problem": N_("%(what)s: %(detail)s"),
    "builtin_unavailable": N_("%(what)s: Python's %(name)s() is not available in scripts: use the case data and "
                              "the functions the engine provides"),
    "condition_language": N_("condition language '%(language)s' is not supported (write a Python expression)"),
    "condition_camunda": N_("condition %(text)s: %(detail)s"),
    "condition_feel": N_("condition %(text)s is a FEEL expression (Camunda 8), not supported: write it in Python or "
                         "as a Camunda ${...} comparison"),
    "script_format_unsupported": N_("script format '%(format)s' is not supported (scripts are Python)"),
    "script_format_other": N_("script format '%(format)s' is not Python; the script runs as Python"),
    "script_missing": N_("script task has no script"),
    "timer_empty": N_("timer has no date, duration or cycle"),
    "timer_duration_invalid": N_("timer duration %(value)s is not an ISO 8601 duration such as PT4H or P14D"),
    "timer_date_invalid": N_("timer date %(value)s is not an ISO 8601 date-time such as 2026-03-01T09:00:00+08:00"),
    "timer_cycle_invalid": N_("timer cycle %(value)s is not an ISO 8601 repetition such as R3/P7D"),
    "gateway_branch": N_("branch of gateway '%(gateway)s' has no condition (add one or make it the default flow)"),
    "call_no_target": N_("call activity names no process to call (calledElement)"),
    "call_external": N_("called process '%(key)s' is not in this file: it is looked up by key when the call "
                        "starts, so deploy it before a case gets there"),
    "call_not_executable": N_("called process '%(key)s' is not executable (isExecutable=\"false\")"),
    "call_recursive": N_("calling '%(key)s' from '%(caller)s' is recursive; recursive call activities are not "
                         "supported"),
    "decision_not_named": N_("business rule task names no decision (camunda:decisionRef or "
                             "spiffworkflow:calledDecisionId)"),
    "decision_missing": N_("decision '%(ref)s' is not in any DMN file (DMN files given: %(files)s)"),
    "decision_missing_no_dmn": N_("decision '%(ref)s' is not in any DMN file (no DMN file given)"),
    "decision_problem": N_("decision '%(ref)s' (%(file)s:%(dmn_line)s %(dmn_element)s): %(detail)s"),
    "dmn_unparseable": N_("DMN file %(name)s is unparseable XML: %(detail)s"),
    # user tasks: forms, assignment, deadlines
    "form_unknown": N_("unknown form key '%(key)s' (no %(key)s.json given)"),
    "summary_field_unlabelled": N_("%(property)s names '%(field)s', which no form of the process (caseForm "
                                   "included) labels: it would not be shown"),
    "start_form_twice": N_("only one step of a process may be its startForm"),
    "property_not_flag": N_("%(property)s '%(value)s' must be true or false"),
    "return_to_unknown": N_("returnTo names '%(step)s', which is not a user task of this process"),
    "form_problem": N_("form '%(key)s': %(detail)s"),
    "task_setting": N_("%(detail)s"),
    "due_date_invalid": N_("dueDate %(value)s is not an ISO date or date-time (nor a ${...} or =expression)"),
    "due_in_invalid": N_("dueIn '%(value)s' is not an ISO 8601 duration such as P10D or PT4H"),
    "due_from_field": N_("dueFrom '%(field)s' must name a case-data field (e.g. sanction_known_on)"),
    "due_from_needs_due_in": N_("dueFrom '%(field)s' needs a dueIn duration to count from that date"),
    "due_from_and_date": N_("dueFrom and dueDate exclude each other (dueDate already gives the date)"),
    "extension_max": N_("extensionMax '%(value)s' is not an ISO 8601 duration such as P1M or P15D"),
    "lock_after_due": N_("lockAfterDue '%(value)s' must be true or false"),
    "setting_days": N_("setting %(name)s '%(value)s' must be a whole number of days"),
    "calendar_invalid": N_("calendar '%(value)s' must be one of: %(choices)s"),
    "task_no_group": N_("user task has no lane or candidate groups: only administrators can do it"),
    "group_missing": N_("group '%(group)s' does not exist (create it or map the lane to a group)"),
    "lane_unmapped": N_("lane has neither a name nor a group property: no group to assign its tasks to"),
    "lane_by_name": N_("lane lists node '%(ref)s', which is a name, not an id: the lane does not apply to it"),
    "lane_short_id": N_("lane lists node '%(ref)s', which is short for %(meant)s, not an id: the lane does not "
                        "apply to it"),
    "lane_missing_node": N_("lane lists node '%(ref)s', which is not in the process"),
    "data_store_missing": N_("data store reference names no data store of this file ('%(store)s'): declare it "
                             "with bpmn:dataStore"),
    # Camunda Modeler extensions
    "camunda_listener": N_("%(what)s listeners are not supported: put the work in a script task in the flow, or "
                           "use task properties (candidateGroups, dueIn) for assignment and deadlines"),
    "camunda_delegate": N_("camunda:%(attribute)s runs Java code, which Docket cannot do: use a script task, or a "
                           "service task with a connector (camunda:type=\"external\" camunda:topic=\"...\")"),
    "camunda_external": N_("camunda:type=\"%(value)s\" works on service tasks only: make %(task)s a service task"),
    "camunda_io_on_event": N_("camunda:inputOutput on a %(tag)s is not supported: set the variables in a script "
                              "task before it"),
    "camunda_io_script": N_("camunda:%(kind)s parameter '%(name)s' uses a script: write the value as a ${...} "
                            "expression, or compute it in a script task before the activity"),
    "camunda_io_value": N_("camunda:%(kind)s parameter '%(name)s': %(reason)s"),
    "camunda_mapping": N_("%(mapping)s: %(reason)s"),
    "camunda_mapping_outside": N_("camunda:%(what)s belongs on a call activity; on a %(tag)s it does nothing: "
                                  "remove it"),
    "camunda_result_script": N_("camunda:resultVariable on a script task needs a one-expression script: assign "
                                "'%(name)s' in the script instead"),
    "camunda_map_decision": N_("camunda:mapDecisionResult '%(value)s' is not one of singleEntry, singleResult, "
                               "collectEntries, resultList"),
    "camunda_binding": N_("camunda:calledElementBinding '%(value)s' is not supported: use 'latest' or 'version' "
                          "with camunda:calledElementVersion"),
    "camunda_binding_deployment": N_("camunda:calledElementBinding 'deployment' needs the called process '%(key)s' "
                                     "in this file"),
    "camunda_called_version": N_("camunda:calledElementVersion '%(value)s' must be a version number"),
    "camunda_unsupported_attribute": N_("camunda:%(name)s is not supported: %(advice)s"),
    "camunda_unsupported_element": N_("camunda:%(name)s is not supported: %(advice)s"),
}

# What an expression problem is about (the ``what`` of ``expression_problem``).
SUBJECTS = (N_("condition"), N_("script"), N_("due date"), N_("candidate groups"), N_("candidate users"),
            N_("assignee"), N_("timer"), N_("pre-script"), N_("post-script"))
TRANSLATED_PARAMS = ("advice", "what")

ADVICE: dict[str, str] = {
    "connector": N_("HTTP connectors run on service tasks only; use camunda:type=\"external\" with a connector topic"),
    "field": N_("field injection serves Java delegates; pass values as camunda:inputOutput parameters"),
    "formRef": N_("Camunda Forms (.form files) cannot be shown: use camunda:formKey with a JSON form, or "
                  "camunda:formData"),
    "candidateStarterUsers": N_("name the groups that may start the process in camunda:candidateStarterGroups"),
    "errorCodeVariable": N_("the error's code is not stored in a variable: branch on the error event instead"),
    "errorMessageVariable": N_("the error's message is not stored in a variable: branch on the error event instead"),
    "escalationCodeVariable": N_("the escalation's code is not stored in a variable: branch on the escalation "
                                 "event instead"),
    "calledElementVersionTag": N_("pin a version number with camunda:calledElementVersion instead"),
    "calledElementTenantId": N_("Docket has no tenants: remove it"),
    "decisionRefBinding": N_("the decision is deployed with the process: remove the binding"),
    "decisionRefVersion": N_("the decision is deployed with the process: remove the version"),
    "decisionRefVersionTag": N_("the decision is deployed with the process: remove the version tag"),
    "decisionRefTenantId": N_("Docket has no tenants: remove it"),
    "caseRef": N_("CMMN cases are not supported: call a BPMN process"),
    "variableMappingClass": N_("Java variable mappings cannot run: use camunda:in and camunda:out"),
    "variableMappingDelegateExpression": N_("Java variable mappings cannot run: use camunda:in and camunda:out"),
    "potentialStarter": N_("name the groups that may start the process in camunda:candidateStarterGroups"),
    "formProperty": N_("use camunda:formData or a JSON form named by camunda:formKey"),
    "script": N_("write the value as a ${...} expression, or compute it in a script task"),
    "errorEventDefinition": N_("error handling of external tasks belongs to service tasks with a connector"),
    "*": N_("remove it, or model the behaviour with BPMN elements Docket runs"),
}


def english(code: str, params: dict[str, Any]) -> str:
    """The problem's text in English."""
    return TEMPLATES[code] % params


@functools.lru_cache(maxsize=8)
def _translations(locale: str) -> NullTranslations:
    if not locale or locale.split("_")[0].lower() == "en":
        return NullTranslations()
    return Translations.load(str(CATALOG_DIR), [locale, "zh_CN"] if locale.lower().startswith("zh") else [locale])


def worded(code: str, params: dict[str, Any], locale: str | None) -> str:
    """The problem's text in ``locale`` (``zh_CN``, ``zh``, ``en``...); English when there is no translation."""
    translations = _translations(normal_locale(locale))
    template = translations.gettext(TEMPLATES[code])
    shown = {k: (translations.gettext(v) if k in TRANSLATED_PARAMS else v) for k, v in params.items()}
    return template % shown


def normal_locale(locale: str | None) -> str:
    """``zh``, ``zh-CN``, ``zh_CN.UTF-8``, ``zh_Hans_CN`` -> ``zh_CN``; other languages -> ``en``."""
    text = (locale or "").split(".")[0].replace("-", "_")
    return "zh_CN" if text.lower().startswith("zh") else "en"
