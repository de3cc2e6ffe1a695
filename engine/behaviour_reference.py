"""The reference of every named behaviour (connectors, helpers, properties), written from the registry.

``docket behaviours`` prints it; ``docs/designer.md`` holds it between the ``behaviours:begin`` and
``behaviours:end`` markers, and a test keeps the two equal, so the guide documents every behaviour there is.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from .behaviours import KINDS, Behaviour, behaviours
from .definitions import properties  # noqa: F401  (the properties the core reads)
from .features import load_features

BEGIN, END = "<!-- behaviours:begin -->", "<!-- behaviours:end -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _connector(b: Behaviour) -> list[str]:
    out = [f"#### `{b.name}`", ""]
    if b.extra.get("zh"):
        out += [b.extra["zh"], ""]
    out += [b.doc, "", "| 参数 parameter | 必填 required | 说明 meaning |", "|---|---|---|"]
    out += [f"| `{p.name}` | {'是 yes' if p.required else '否 no'} | {_cell(p.doc)} |" for p in b.params]
    out.append("")
    if b.extra.get("result"):
        out += [f"结果 result: `{b.extra['result']}`", ""]
    if b.errors:
        out += [f"出错 fails when: {b.errors}", ""]
    example = b.extra.get("example_params") or {}
    if example:
        params = "".join(f"\n        <spiffworkflow:parameter id=\"{k}\" type=\"any\" value={quoteattr(v)}/>"
                         for k, v in example.items())
        out += ["```xml", f'<bpmn:serviceTask id="{b.name}_step" name="…">', "  <bpmn:extensionElements>",
                f'    <spiffworkflow:serviceTaskOperator id="{b.name}" resultVariable="{b.name}_result">',
                f"      <spiffworkflow:parameters>{params}", "      </spiffworkflow:parameters>",
                "    </spiffworkflow:serviceTaskOperator>", "  </bpmn:extensionElements>", "</bpmn:serviceTask>",
                "```", ""]
    return out


def _helper(b: Behaviour) -> list[str]:
    args = ", ".join(p.name for p in b.params)
    out = [f"#### `{b.name}({args})`", ""]
    if b.extra.get("zh"):
        out += [b.extra["zh"], ""]
    out += [b.doc, ""]
    if b.params:
        out += ["| 参数 parameter | 说明 meaning |", "|---|---|"]
        out += [f"| `{p.name}` | {_cell(p.doc)} |" for p in b.params]
        out.append("")
    if b.errors:
        out += [f"出错 fails when: {b.errors}", ""]
    if b.extra.get("example"):
        out += [f"例 example: `{b.extra['example']}`", ""]
    return out


def _other(b: Behaviour) -> list[str]:
    out = [f"#### `{b.name}`", ""]
    if b.extra.get("zh"):
        out += [b.extra["zh"], ""]
    out += [b.doc, ""]
    if b.params:
        out += ["| 参数 parameter | 说明 meaning |", "|---|---|"]
        out += [f"| `{p.name}` | {_cell(p.doc)} |" for p in b.params]
        out.append("")
    if b.errors:
        out += [f"出错 fails when: {b.errors}", ""]
    return out


OTHER_KINDS = {"rule": ("规则 Rules", "用户任务的 `rule` 属性调用的规则。Rules a user task's `rule` property runs."),
               "casework": ("案件类别 Casework", "流程的 `casework` 属性指明其案件归哪个功能。A process's `casework` "
                                                "property says which feature follows its cases.")}


def reference() -> str:
    """Markdown for every registered behaviour, connectors first, then helpers, properties and the rest."""
    load_features()
    out = ["### 连接器 Connectors", "",
           "服务任务（service task）调用的连接器。Connectors that service tasks call.", ""]
    for b in behaviours.all("connector"):
        out += _connector(b)
    out += ["### 辅助函数 Helpers", "",
            "条件、脚本、前后置脚本、表达式和连接器参数中可调用的函数。Functions conditions, scripts, pre/post "
            "scripts, expressions and connector parameters may call.", ""]
    for b in behaviours.all("helper"):
        out += _helper(b)
    out += ["### 属性 Properties", "",
            "`spiffworkflow:property` / `camunda:property` 的名称。Names of process, step and lane properties.", "",
            "| 名称 name | 用于 on | 说明 | meaning |", "|---|---|---|---|"]
    for b in behaviours.all("property"):
        out.append(f"| `{b.name}` | {b.extra.get('on', '')} | {_cell(b.extra.get('zh', ''))} | {_cell(b.doc)} |")
    for kind in KINDS:
        if kind in ("connector", "helper", "property"):
            continue
        title, intro = OTHER_KINDS.get(kind, (kind, ""))
        out += ["", f"### {title}", "", intro, ""]
        for b in behaviours.all(kind):
            out += _other(b)
    return "\n".join(out).rstrip() + "\n"


def with_reference(guide: str) -> str:
    """``guide`` with the text between its markers replaced by the current reference."""
    head, rest = guide.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{reference()}{END}{tail}"
