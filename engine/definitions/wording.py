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
    shown = {k: (translations.gettext(v) if k == "advice" else v) for k, v in params.items()}
    return template % shown


def normal_locale(locale: str | None) -> str:
    """``zh``, ``zh-CN``, ``zh_CN.UTF-8``, ``zh_Hans_CN`` -> ``zh_CN``; other languages -> ``en``."""
    text = (locale or "").split(".")[0].replace("-", "_")
    return "zh_CN" if text.lower().startswith("zh") else "en"
