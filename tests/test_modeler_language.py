"""The modeler speaks the reader's language: the properties panel's labels follow each request's language (whichever
language the app rendered first), the header names element types in that language and an element by its name (never
its id), a new process is named in that language, and the save button leaves the work area uncovered at 1280×800.
Screenshots: test-output/designer/language-*.png."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from browser_support import login, needs_chromium, shots
from conftest import sign_in

shot = shots("designer")
PANEL = "#properties-panel"
POOL = "教代会提案"  # the name of the review process's only pool (its collaboration has none)


def in_chromium(test: Callable[..., None]) -> Callable[..., None]:
    """Mark ``test`` as a browser test, skipped without Debian's chromium."""
    for mark in needs_chromium:
        test = mark(test)
    return test


@pytest.fixture
def web(form_app: Any, people: dict) -> Any:
    """A fresh app (nothing rendered yet); ``web.client(user)`` signs in through the form."""
    form_app.client = lambda user: sign_in(form_app.test_client(), user)
    return form_app


def catalog(app: Any, lang: str, *messages: str | tuple[str, str]) -> list[str]:
    """``messages`` as the catalog of ``lang`` words them (a tuple is a context and a message)."""
    from flask_babel import force_locale, gettext, pgettext

    with app.test_request_context("/"), force_locale(lang):
        return [pgettext(*m) if isinstance(m, tuple) else gettext(m) for m in messages]


def designer_words(body: str) -> dict[str, Any]:
    """The words the page hands to designer.js."""
    found = re.search(r'<script type="application/json" id="designer-i18n">(.*?)</script>', body, re.S)
    assert found, "the page has no designer-i18n table"
    return json.loads(found.group(1))


@pytest.mark.parametrize("order", [("en", "zh_CN"), ("zh_CN", "en"), ("zh_CN", "en", "zh_CN", "en")])
def test_each_request_gets_the_panel_labels_of_its_own_language(web: Any, order: tuple[str, ...]) -> None:
    zhou = web.client("zhou")
    for lang in order:
        body = zhou.get(f"/designer/modeler?lang={lang}").get_data(as_text=True)
        words = designer_words(body)
        labels, types = words["panel"]["labels"], words["panel"]["types"]
        if lang == "en":
            assert (labels["General"], labels["Candidate groups"], types["Process"]) == (
                "General", "Candidate groups", "Process"), lang
        else:
            assert (labels["General"], labels["Candidate groups"], types["Process"]) == ("常规", "候选用户组", "流程")
        assert words["name"] == catalog(web, lang, "Name")[0]
        assert words["untitled"] == catalog(web, lang, "Untitled")[0]
        kinds = words["panel"]["event_kinds"]
        assert kinds["Timer"] == catalog(web, lang, "Timer %(event)s")[0].replace("%(event)s", "{event}")


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_a_new_process_is_named_in_the_readers_language(web: Any, lang: str) -> None:
    body = web.client("zhou").get(f"/designer/modeler?lang={lang}").get_data(as_text=True)
    [name] = catalog(web, lang, "New process")
    assert f'id="new_process" name="{name}"' in html.unescape(body)  # the diagram's XML, in its text area
    if lang == "en":
        assert name == "New process"


def test_other_designer_pages_carry_no_panel_table(web: Any, review_process: Any) -> None:
    zhou = web.client("zhou")
    zhou.get("/designer/modeler?lang=en")
    words = designer_words(zhou.get("/designer/processes/proposal_review?lang=zh_CN").get_data(as_text=True))
    assert words["panel"] == {} and words["name"] == "名称"


def open_modeler(page: Any, server: str, query: str) -> None:
    page.goto(f"{server}/designer/modeler{query}")
    page.wait_for_selector("#modeler:not([data-state=loading])", timeout=30000)
    assert page.get_attribute("#modeler", "data-state") == "ok"


def header(page: Any) -> tuple[str, str]:
    """The panel header's type and label, as written (the style sheet shows the type in capitals)."""
    kind = page.locator(f"{PANEL} .bio-properties-panel-header-type").text_content() or ""
    label = page.locator(f"{PANEL} .bio-properties-panel-header-label")
    return kind.strip(), (label.text_content() or "").strip() if label.count() else ""


@in_chromium
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_modeler_header_names_types_and_elements_in_the_readers_language(
        server: str, page: Any, app: Any, review_process: Any, lang: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, server, "zhou")
    process, collaboration, new_name, timer, message, untitled = catalog(
        app, lang, "Process", "Collaboration", "New process", ("modeler panel", "Timer Boundary Event"),
        "Message %(event)s", "Untitled")

    open_modeler(page, server, f"?lang={lang}")
    assert header(page) == (process, new_name)
    assert page.locator("#props h3").inner_text() == new_name
    assert page.locator("#props .element-kind").inner_text() == f"{process} · new_process"
    shot(page, f"language-new-process-{lang}")

    open_modeler(page, server, "?process=proposal_review")
    assert header(page) == (collaboration, "")
    assert page.locator("#props h3").inner_text() == POOL  # not the collaboration's id
    assert page.locator("#props .element-kind").inner_text().startswith(collaboration)
    shot(page, f"language-collaboration-{lang}")

    # an unnamed event is "untitled", its type put together from its kind and place as the panel names it
    page.evaluate("""() => { const m = window.docketModeler, registry = m.get('elementRegistry');
      const task = registry.get('committee_review');
      const shape = m.get('modeling').createShape({ type: 'bpmn:BoundaryEvent', eventDefinitionType:
        'bpmn:TimerEventDefinition' }, { x: task.x + 10, y: task.y + task.height }, task, { attach: true });
      m.get('selection').select(shape); }""")
    page.wait_for_selector(f"{PANEL} [data-group-id='group-timer']")
    assert header(page) == (timer, "")
    assert page.locator("#props h3").inner_text() == untitled
    [start, place, suffix] = catalog(app, lang, ("modeler panel", "Start Event"), "Boundary Event",
                                     "%(event)s (non-interrupting)")
    translate = "(text) => window.docketModeler.get('translate')(text)"
    assert page.evaluate(translate, "Message Start Event") == message % {"event": start}
    assert page.evaluate(translate, "Timer Boundary Event (Non Interrupting)") == suffix % {"event": timer}
    assert page.evaluate(translate, "Boundary Event") == place
    assert page.evaluate(translate, "Frobnicate Boundary Event") == "Frobnicate Boundary Event"  # unknown: as is

    # a sub-process is named by its shape, as the panel names it
    page.evaluate("""() => { const m = window.docketModeler, task = m.get('elementRegistry').get('committee_review');
      const shape = m.get('modeling').createShape({ type: 'bpmn:SubProcess', isExpanded: true },
        { x: task.x + 60, y: task.y + task.height + 120 }, task.parent);
      m.get('selection').select(shape); }""")
    [expanded] = catalog(app, lang, ("modeler panel", "Expanded Sub Process"))
    page.wait_for_function("(want) => document.querySelector('#props .element-kind')?.innerText.startsWith(want)",
                           arg=expanded)
    assert errors == []


def box(page: Any, selector: str) -> dict[str, float]:
    found = page.locator(selector).bounding_box()
    assert found, selector
    return found


def apart(a: dict[str, float], b: dict[str, float]) -> bool:
    """Whether two boxes do not overlap."""
    return (a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"]
            or a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"])


def shown_at(page: Any, selector: str, x: float, y: float) -> bool:
    """Whether the point (x, y) of the window shows ``selector`` (or something inside it), not a cover."""
    return page.evaluate("([sel, x, y]) => { const hit = document.elementFromPoint(x, y);"
                         " return !!hit && !!hit.closest(sel); }", [selector, x, y])


@in_chromium
def test_the_save_button_leaves_the_canvas_and_the_properties_uncovered(server: str, page: Any,
                                                                       review_process: Any) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, server, "zhou")
    open_modeler(page, server, "?process=proposal_review")
    page.click('#modeler .djs-element[data-element-id="committee_review"]', position={"x": 12, "y": 12})
    page.wait_for_selector(f"{PANEL} [data-group-id='group-CamundaPlatform__UserAssignment']")
    page.evaluate("(panel) => document.querySelectorAll(panel + ' .bio-properties-panel-group-header:not(.open)')"
                  ".forEach((header) => header.click())", PANEL)  # every group open: taller than the window
    page.wait_for_timeout(300)
    save = box(page, "#save-deploy")
    assert save["y"] + save["height"] <= 800  # reachable without scrolling
    for part in ("#modeler", ".props-column"):
        assert apart(save, box(page, part)), part
    shot(page, "language-layout-top")

    page.evaluate("() => document.querySelector('.modeler-toolbar').scrollIntoView()")
    canvas, column, save = box(page, "#modeler"), box(page, ".props-column"), box(page, "#save-deploy")
    assert save["y"] > -1 and canvas["y"] + canvas["height"] <= 800 and column["y"] + column["height"] <= 800
    for selector, area in (("#modeler", canvas), (".props-column", column)):
        bottom = area["y"] + area["height"] - 4
        assert shown_at(page, selector, area["x"] + area["width"] / 2, bottom), selector
    page.locator(".props-column").evaluate("(c) => { c.scrollTop = c.scrollHeight; }")
    last = page.locator(f"{PANEL} .bio-properties-panel-group").last
    last_box = last.bounding_box()
    assert last_box and last_box["y"] + last_box["height"] <= column["y"] + column["height"] + 1
    assert shown_at(page, ".props-column", last_box["x"] + 20, last_box["y"] + last_box["height"] / 2)
    shot(page, "language-layout-working")


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_new_diagrams_name_is_not_a_name(web: Any, lang: str) -> None:
    """Saved as served (a key typed, the name left as the new diagram says it), the process is still unnamed."""
    zhou = web.client("zhou")
    body = html.unescape(zhou.get(f"/designer/modeler?lang={lang}").get_data(as_text=True))
    start, end = body.index("<?xml"), body.index("</bpmn:definitions>") + len("</bpmn:definitions>")
    served = body[start:end]
    res = zhou.post(f"/designer/modeler?lang={lang}", data={"process": "", "xml": served, "key": "leave", "name": ""})
    [wanted] = catalog(web, lang, "Give the process a name.")
    assert res.status_code == 422 and wanted in res.get_data(as_text=True)
