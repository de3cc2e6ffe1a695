"""Documents generated from case data (DOCX) and stored with the case: the 调解协议书 (three copies),
notices (refusal; right to arbitration with the limitation date; 一次性告知 of missing materials; not
accepted) and the 复核 / 申诉 / 再申诉 decisions. Generated inside the command's transaction and kept through the
document service (``engine.documents.store``), like every process's documents."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor
from engine.documents.models import CaseDocument
from engine.documents.store import store as keep
from engine.errors import NotFound
from engine.models import Case

from . import rules
from .access import dispute_case
from .docx_writer import Writer

COMMITTEE = "劳动人事争议调解委员会"
MATERIALS = {"application": "复核（申诉）申请书", "decision_copy": "处分决定书复印件", "evidence": "相关证据材料",
             "id_copy": "身份证明", "authorization": "近亲属代为申请的证明"}
CHECKS = {"procedure": "程序严谨", "basis": "依据明确", "evidence": "证据充分", "characterisation": "定性准确",
          "proportionality": "处分恰当"}
OUTCOMES = {"uphold": "维持", "quash": "撤销", "vary": "变更"}
STAGES = {"review": ("复核决定书", "复核"), "appeal": ("申诉处理决定书", "申诉"),
          "re_appeal": ("再申诉处理决定书", "再申诉")}
ENDINGS = {"failed": "经调解未能达成协议，调解不成",
           "expired": "自收到调解申请之日起在规定期限内未达成调解协议，视为调解不成",
           "abandoned": "申请人无正当理由未参加调解，视为放弃调解，调解终止",
           "withdrawn": "申请人撤回调解申请，调解终止",
           "refused": "本委员会决定不予受理或对方当事人不同意调解",
           "not_performed": "调解协议达成后，对方当事人未履行协议"}


def _day(value: Any) -> str:
    try:
        day = rules.as_date(value)
    except ValueError:
        return str(value or "")
    return f"{day.year}年{day.month}月{day.day}日"


def _sanction(data: dict[str, Any], key: str = "sanction_type") -> str:
    value = data.get(key)
    return rules.SANCTION_NAMES.get(str(value), str(value or ""))


def _rating(data: dict[str, Any], key: str = "appraisal_rating") -> str:
    value = data.get(key)
    return rules.RATING_NAMES.get(str(value), str(value or ""))


def _parties(w: Writer, case: Case, d: dict[str, Any]) -> None:
    w.field("案号", case.business_key)
    w.field("申请人", f"{d.get('applicant_name', '')}（{d.get('department', '')}）")
    if d.get("collective"):
        w.field("共同申请人", "、".join(x.strip() for x in str(d.get("co_applicants", "")).splitlines() if x.strip()))
        w.field("代表人", d.get("representatives"))
    w.field("被申请人", d.get("respondent"))
    w.field("争议事项", f"{rules.MATTER_NAMES.get(str(d.get('matter')), d.get('matter'))}：{d.get('title', '')}")


def _arbitration_right(w: Writer, d: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    years = rules.setting(settings, "limitationYears")
    w.para(f"你可以依法向劳动人事争议仲裁委员会申请仲裁。劳动人事争议申请仲裁的时效期间为{years}年，自当事人知道或者应当知道"
           f"其权利被侵害之日起计算。根据本案记录，你知道权利受侵害之日为{_day(d.get('known_on'))}，仲裁时效期间至"
           f"{_day(d.get('limitation_ends'))}届满。向有关部门请求权利救济的，仲裁时效可能中断，具体以仲裁机构认定为准，"
           "请及时主张权利。")
    return {"known_on": d.get("known_on"), "limitation_ends": d.get("limitation_ends")}


def agreement(case: Case, d: dict[str, Any], settings: dict[str, Any]) -> tuple[str, bytes, dict[str, Any]]:
    """调解协议书: one document holding the three copies (applicant, respondent, committee archive)."""
    level = "二级单位分工会调解小组" if d.get("settled_level") == "department" else f"学校{COMMITTEE}"
    confirm_days = rules.setting(settings, "confirmationDays")
    confirm_by = rules.plus_days(rules.today(), confirm_days)
    mediators = "、".join(d.get("mediator_list") or []) or "—"
    w = Writer()
    for n, holder in enumerate(("申请人执", "被申请人执", "调解委员会存档"), start=1):
        if n > 1:
            w.page_break()
        w.title("调解协议书", f"第{n}联（{holder}） 一式三份")
        _parties(w, case, d)
        w.field("调解组织", level)
        w.field("调解员", mediators)
        w.field("申请人请求", d.get("claim"))
        w.field("争议事实", d.get("facts"))
        w.field("协议内容", d.get("agreement_terms"))
        w.para("本协议经双方当事人签名或者盖章，经调解员签名并加盖调解组织印章后生效，对双方当事人具有约束力，当事人应当履行。")
        w.para(f"双方当事人可以自本协议生效之日起{confirm_days}日内（即{_day(confirm_by)}前）共同向仲裁委员会提出仲裁审查确认申请。"
               "一方当事人在协议约定期限内不履行调解协议的，另一方当事人可以依法申请仲裁。")
        w.signature(["申请人（签名）：__________", "被申请人（签章）：__________", "调解员（签名）：__________",
                     f"{level}（盖章）", _day(rules.today())])
    facts = {"copies": 3, "terms": d.get("agreement_terms"), "level": d.get("settled_level"),
             "confirmation_due": confirm_by.isoformat()}
    return "调解协议书", w.bytes(), facts


def application_record(case: Case, d: dict[str, Any], settings: dict[str, Any]) -> tuple[str, bytes, dict[str, Any]]:
    """调解申请书, or for an oral application the 口头申请记录 the applicant signs."""
    oral = d.get("application_mode") == "oral"
    title = "劳动人事争议调解口头申请记录" if oral else "劳动人事争议调解申请书"
    w = Writer()
    w.title(title)
    _parties(w, case, d)
    w.field("请求事项", d.get("claim"))
    w.field("事实与理由", d.get("facts"))
    w.field("知道或应当知道权利受侵害之日", _day(d.get("known_on")))
    w.field("收到申请之日", _day(d.get("received_on")))
    days = rules.setting(settings, "mediationDays")
    w.field("调解期限", f"自收到申请之日起{days}日内，至{_day(d.get('mediation_deadline'))}")
    if oral:
        w.para("以上内容经向申请人宣读（或交其阅读），确认无误。")
        w.signature(["申请人（签名）：__________", f"记录人：{case.started_by or ''}", _day(d.get("received_on"))])
    else:
        w.signature(["申请人（签名）：__________", _day(d.get("received_on"))])
    return title, w.bytes(), {"oral": oral, "received_on": d.get("received_on")}


def mediation_notice(case: Case, d: dict[str, Any], settings: dict[str, Any], reason: str
                     ) -> tuple[str, bytes, dict[str, Any]]:
    """Refusal, or the end of mediation without agreement: with the right to arbitration and its limitation."""
    title = "不予受理调解申请通知书" if reason == "refused" else "调解终止及申请仲裁权利告知书"
    w = Writer()
    w.title(title)
    w.para(f"{d.get('applicant_name', '')}：", indent=False)
    w.para(f"你于{_day(d.get('received_on'))}提出的调解申请（{case.business_key}，{d.get('title', '')}），"
           f"{ENDINGS.get(reason, '调解终止')}。")
    if reason == "refused" and d.get("acceptance_note"):
        w.field("理由", d.get("acceptance_note"))
    facts = _arbitration_right(w, d, settings)
    w.signature([f"学校{COMMITTEE}", _day(rules.today())])
    return title, w.bytes(), {"reason": reason, **facts}


def correction_notice(case: Case, d: dict[str, Any], settings: dict[str, Any]) -> tuple[str, bytes, dict[str, Any]]:
    """一次性告知: every missing item in one notice; the decision clock waits until they are supplied."""
    days = rules.setting(settings, "correctionDays")
    missing = [MATERIALS.get(m, m) for m in d.get("missing_materials") or []]
    w = Writer()
    w.title("补正材料通知书", "（一次性告知）")
    w.para(f"{d.get('appellant_name', '')}：", indent=False)
    w.para(f"你于{_day(d.get('received_on'))}提出的复核申请（{case.business_key}）材料不齐全。现一次性告知需补正的全部材料如下：")
    for i, item in enumerate(missing, start=1):
        w.para(f"{i}. {item}")
    w.para(f"请于收到本通知之日起{days}日内补正。补正期间不计入复核决定期限，自补齐材料之日起继续计算。")
    w.signature(["申诉处理委员会", _day(rules.today())])
    return "补正材料通知书", w.bytes(), {"missing": missing, "paused_on": d.get("paused_on")}


def not_accepted_notice(case: Case, d: dict[str, Any], settings: dict[str, Any]) -> tuple[str, bytes, dict[str, Any]]:
    from .validate import CONDITIONS

    failed = [name for key, name in CONDITIONS.items() if d.get(key) is not True]
    w = Writer()
    w.title("不予受理通知书")
    w.para(f"{d.get('appellant_name', '')}：", indent=False)
    w.para(f"你于{_day(d.get('received_on'))}提出的复核申请（{case.business_key}）经审查，不符合受理条件："
           f"{'、'.join(failed) or '见审查意见'}不满足，决定不予受理。")
    w.field("审查意见", d.get("acceptance_note"))
    w.signature(["申诉处理委员会", _day(rules.today())])
    return "不予受理通知书", w.bytes(), {"failed_conditions": failed}


def decision(case: Case, d: dict[str, Any], settings: dict[str, Any], unit_name: str = ""
             ) -> tuple[str, bytes, dict[str, Any]]:
    """复核决定书 / 申诉处理决定书 / 再申诉处理决定书 with the five checks and the route onward. A 复核 decision is
    signed by the unit that made the original decision (``unit_name``, from the office's unit table); an appraisal
    case speaks of the rating (考核等次), never of a sanction."""
    stage = str(d.get("stage", "review"))
    title, word = STAGES.get(stage, STAGES["review"])
    outcome = str(d.get("outcome"))
    appraisal = d.get("subject") == "appraisal"
    original = "原考核结论" if appraisal else "原处理决定"
    w = Writer()
    w.title(title)
    w.field("案号", case.business_key)
    w.field("申请人", d.get("appellant_name"))
    if appraisal:
        w.field("原考核等次", f"{_rating(d)}（{_day(d.get('sanction_date'))}，{d.get('decision_no') or '文号未填'}）")
    else:
        w.field("原处分", f"{_sanction(d)}（{_day(d.get('sanction_date'))}，{d.get('decision_no') or '文号未填'}）")
    w.para(f"经审查，对{'原考核结论' if appraisal else '原处分'}逐项审查意见如下：", indent=False)
    checks = {**CHECKS, "proportionality": "等次评定恰当"} if appraisal else CHECKS
    w.table(["审查事项", "结论", "说明"],
            [[name, "符合" if d.get(f"check_{key}") == "pass" else "存在问题", str(d.get(f"check_{key}_note") or "")]
             for key, name in checks.items()])
    if outcome == "vary":
        varied = _rating(d, "varied_rating") if appraisal else _sanction(d, "varied_sanction")
        result = f"变更{original}，改为{varied}" if varied else f"变更{original}"
    else:
        result = f"{OUTCOMES.get(outcome, outcome)}{original}"
    w.field("决定", result)
    w.field("理由", d.get("decision_reasons"))
    if stage == "review" and d.get("union_has_opinion"):
        w.field("工会意见", d.get("union_opinion"))
        w.field("对工会意见的答复", d.get("union_reply"))
    if appraisal:
        w.para(f"{word}期间不停止{original}的执行；依法不因申请{word}而作出更低的考核等次。")
    else:
        w.para(f"{word}期间不停止{original}的执行；依法不因申请{word}而加重处分。")
    if stage == "review":
        w.para(f"如对本决定不服，可以自收到本决定之日起{rules.setting(settings, 'appealFilingDays')}日内提出申诉。")
    elif stage == "appeal":
        w.para(f"如对本决定不服，可以自收到本决定之日起{rules.setting(settings, 'reAppealFilingDays')}日内提出再申诉。")
    else:
        w.para("本决定为最终决定。")
    signer = "申诉处理委员会" if stage != "review" else (unit_name or "【待补：作出决定的单位】")
    w.signature([signer, _day(rules.today())])
    return title, w.bytes(), {"stage": stage, "outcome": outcome, "varied": d.get("varied_sanction"),
                              "varied_rating": d.get("varied_rating") if appraisal else None}


Builder = Callable[[Case, dict[str, Any], dict[str, Any]], tuple[str, bytes, dict[str, Any]]]


def store(session: so.Session, case: Case, kind: str, built: tuple[str, bytes, dict[str, Any]],
          by: str | None, now: datetime | None = None) -> CaseDocument:
    """Keep a generated document with its case, through the document service (listed with the case's other
    documents at ``GET /api/v1/cases/<id>/documents``)."""
    title, content, facts = built
    return keep(session, case, kind=kind, title=title, content=content, facts=facts, by=by, now=now)


def list_documents(session: so.Session, actor: Actor, case_id: int) -> list[CaseDocument]:
    """The documents of a dispute case the caller may read, oldest first (404 / 403 otherwise)."""
    dispute_case(session, actor, case_id)
    return list(session.scalars(sa.select(CaseDocument).where(CaseDocument.case_id == case_id)
                                .order_by(CaseDocument.id)))


def get_document(session: so.Session, actor: Actor, document_id: int) -> CaseDocument:
    """A document of a dispute case the caller may read (404 / 403 otherwise)."""
    row = session.get(CaseDocument, document_id)
    if row is None:
        raise NotFound(f"document {document_id} does not exist")
    dispute_case(session, actor, row.case_id)
    return row


def document_json(row: CaseDocument) -> dict[str, Any]:
    return {"id": row.id, "case_id": row.case_id, "kind": row.kind, "title": row.title, "filename": row.filename,
            "size": row.size, "facts": row.facts, "created_by": row.created_by,
            "created_at": row.created_at.isoformat(), "download": f"/api/v1/disputes/documents/{row.id}"}
