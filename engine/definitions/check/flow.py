"""The file's structure and its flow: unique ids, flows that join existing elements, supported element kinds,
conditions on every gateway branch, executable processes."""

from __future__ import annotations

from lxml import etree

from ..meta import (
    executable_processes,
)
from ..parse import DefinitionError, main_process
from ..xml import BPMN, NS, SPIFF, bpmn, local
from .report import Report, owner_id
from .scripts import check_condition, check_script
from .timers import check_timer

SUPPORTED = {
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "businessRuleTask", "sendTask", "receiveTask",
    "exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway",
    "subProcess", "transaction", "callActivity",
}
FLOW_NODES = SUPPORTED | {"complexGateway", "adHocSubProcess", "choreographyTask",
                          "subChoreography", "callChoreography"}
UNSUPPORTED_REASON = {
    "complexGateway": "is not supported by the engine (use an inclusive or exclusive gateway)",
    "adHocSubProcess": "is not supported by Docket yet",
}


def check_nodes(report: Report, process: etree._Element) -> None:
    if not process.get("id"):
        report.flag(process, "process_no_id")
    for node in process.iter():
        if not isinstance(node.tag, str):  # entity references, processing instructions
            continue
        name = local(node.tag)
        if node.tag == f"{{{SPIFF}}}property" and node.get("value") is None:
            report.flag(node, "property_no_value", element=owner_id(node), name=node.get("name"))
        if not node.tag.startswith(f"{{{BPMN}}}"):
            continue
        if name in FLOW_NODES | {"sequenceFlow"} and not node.get("id"):
            report.flag(node, "node_no_id", element=owner_id(node), tag=name)
        if name in FLOW_NODES and name not in SUPPORTED:
            report.add(node, f"{name} {UNSUPPORTED_REASON.get(name, 'is not supported')}")
        if name == "scriptTask":
            check_script(report, node)
        elif name in ("exclusiveGateway", "inclusiveGateway"):
            _check_gateway(report, process, node)
        elif name == "sequenceFlow":
            cond = node.find(bpmn("conditionExpression"))
            if cond is not None and (cond.text or "").strip():
                check_condition(report, node, cond)
        elif name == "timerEventDefinition":
            if not any((child.text or "").strip() for child in node.iterchildren(
                    bpmn("timeDate"), bpmn("timeDuration"), bpmn("timeCycle"))):
                report.flag(None, "timer_empty", element=owner_id(node.getparent()), line=node.sourceline or 0)
            else:
                check_timer(report, node)
        elif name == "dataStoreReference" and not _data_store_exists(node):
            report.flag(node, "data_store_missing", store=node.get("dataStoreRef") or "")


def check_structure(report: Report, root: etree._Element) -> None:
    """Ids unique in the file (both lines named); sequence flows between elements of their process; message
    flows between elements of the file."""
    seen: dict[str, list[etree._Element]] = {}
    for node in root.iter():  # BPMN model elements (extensions such as camunda:property use "id" as a name)
        if isinstance(node.tag, str) and node.tag.startswith(f"{{{BPMN}}}") and node.get("id"):
            seen.setdefault(node.get("id"), []).append(node)
    for eid, nodes in seen.items():
        if len(nodes) > 1:
            lines = ", ".join(str(n.sourceline or 0) for n in nodes)
            report.flag(nodes[0], "duplicate_id", element=eid, id=eid, lines=lines)
    for process in root.iterfind("bpmn:process", NS):
        ids = {n.get("id") for n in process.iter() if isinstance(n.tag, str) and n.get("id")}
        for flow in process.iter(bpmn("sequenceFlow")):
            for attr, missing, dangling in (("sourceRef", "flow_no_source", "flow_source_missing"),
                                            ("targetRef", "flow_no_target", "flow_target_missing")):
                ref = (flow.get(attr) or "").strip()
                if not ref:
                    report.flag(flow, missing)
                elif ref not in ids:
                    report.flag(flow, dangling, ref=ref)
    for flow in root.iter(bpmn("messageFlow")):
        for attr in ("sourceRef", "targetRef"):
            ref = (flow.get(attr) or "").strip()
            if ref and ref not in seen:
                report.flag(flow, "message_flow_missing", ref=ref)


def _data_store_exists(reference: etree._Element) -> bool:
    store = (reference.get("dataStoreRef") or "").strip()
    root = reference.getroottree().getroot()
    return bool(store) and bool(root.xpath("//bpmn:dataStore[@id=$i]", namespaces=NS, i=store))


def _check_gateway(report: Report, process: etree._Element, gateway: etree._Element) -> None:
    gid = gateway.get("id")
    outgoing = [f for f in process.iter(bpmn("sequenceFlow")) if f.get("sourceRef") == gid]
    if len(outgoing) < 2:
        return
    for flow in outgoing:
        if flow.get("id") == gateway.get("default"):
            continue
        cond = flow.find(bpmn("conditionExpression"))
        if cond is None or not (cond.text or "").strip():
            report.flag(flow, "gateway_branch", gateway=gid)


def check_definitions(report: Report, root: etree._Element) -> list[etree._Element]:
    """The executable processes to check; reports why there are none, or no single one to start."""
    processes = executable_processes(root)
    if not processes:
        others = list(root.iterfind("bpmn:process", NS))
        for proc in others:
            report.flag(proc, "not_executable")
        if not others:
            report.flag(root, "no_process")
        return []
    try:
        main_process(root)
    except DefinitionError:
        report.flag(root, "call_cycle")
    return processes
