"""Walk every page a signed-in user can reach and find text that is not in the page's language.

Used by ``tests/test_page_walk.py``. Only visible text counts (with placeholders, titles and alt texts):
scripts, styles, templates, ``<code>``, ``<pre>``, text areas, anything inside an element marked
``translate="no"`` (the HTML attribute for content not to be translated: raw process variables, login names on
the administration pages) and anything marked with another ``lang`` (the language switch) are left out. On
English pages, the texts people and designers wrote (``data_texts``) are taken out before looking for Chinese.
Links are followed breadth-first from the start page within the site (same-origin GET links, at most two pages of
one kind: the same path with other ids or query values), skipping downloads, the API, static files, sign-out and
language switches.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

SKIPPED_TAGS = {"script", "style", "template", "code", "pre", "textarea", "noscript"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SKIPPED_PATHS = re.compile(
    r"^/(static|api|logout|healthz|readyz|metrics)\b|\.(xlsx|csv|docx|pdf|bpmn|dmn|json|png|jpg|txt)$"
    r"|/(download|export|attachments?|files?|documents?)(/|$)")
NUMBER = re.compile(r"\d+")

ISO_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:")
ISO_DURATION = re.compile(r"\bP(?:T\d+[HMS]|\d+[DWMY])")
GROUP_KEY = re.compile(r"\b(?:dept|specialist|committee|unit):[a-z][\w-]*")
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
EN_SENTENCE = re.compile(r"[A-Za-z]{2,}(?:['’]?[ ]+[A-Za-z]{2,}){2,}")  # three words apart by spaces (not a list)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
HAN = re.compile(r"[\u3400-\u9fff]+")


class VisibleText(HTMLParser):
    """The text a reader sees, one chunk per text node, without skipped elements or untranslated data."""

    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = lang
        self.stack: list[bool] = []  # per open element: does it hide its content?
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            for name, value in attrs:  # placeholders and button values are read too
                if name in ("placeholder", "title", "alt") and value and not any(self.stack):
                    self.chunks.append(value)
            return
        named = dict(attrs)
        hidden = (tag in SKIPPED_TAGS or named.get("translate") == "no"
                  or bool(named.get("lang")) and not self.lang.startswith(str(named.get("lang"))[:2]))
        self.stack.append(hidden)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not any(self.stack) and data.strip():
            self.chunks.append(" ".join(data.split()))


def visible_text(html: str, lang: str) -> list[str]:
    parser = VisibleText(lang)
    parser.feed(html)
    return parser.chunks


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            named = dict(attrs)
            if named.get("href") and "download" not in named:
                self.hrefs.append(str(named["href"]))


@dataclass(frozen=True)
class Finding:
    user: str
    lang: str
    path: str
    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.user} [{self.lang}] {self.path}: {self.kind}: {self.text!r}"


def problems(chunks: list[str], lang: str, keys: set[str],
             data: re.Pattern[str] | None = None) -> list[tuple[str, str]]:
    """(kind, offending text) for each chunk in the wrong language or showing an internal key."""
    found = []
    for text in chunks:
        for kind, pattern in (("ISO timestamp", ISO_TIMESTAMP), ("ISO duration", ISO_DURATION),
                              ("group key", GROUP_KEY), ("data key", SNAKE)):
            if pattern.search(text):
                found.append((kind, text))
        if lang == "zh_CN":
            if EN_SENTENCE.search(text):
                found.append(("English on a zh page", text))
            words = set(re.findall(r"(?<![\w.@/(-])[a-z][a-z:-]*(?![\w.@/)-])", text))
            if words & keys:
                found.append(("internal name", text))
        elif HAN.search(text) and HAN.search(data.sub("", text) if data else text):
            found.append(("Chinese on an en page", text))
    return found


def _pattern(path: str) -> str:
    """Pages of one kind: ids replaced, the query reduced to its parameter names (sort orders are one page)."""
    where, _, query = path.partition("?")
    names = sorted({part.partition("=")[0] for part in query.split("&") if part})
    return NUMBER.sub("N", UUID.sub("U", where)) + "?" + "&".join(names)


def walk(app: Any, user: str | None, lang: str, keys: set[str], data: re.Pattern[str] | None = None,
         limit: int = 150, per_pattern: int = 2, start: str = "/") -> tuple[list[Finding], int]:
    """Sign ``user`` in (None: nobody), then fetch pages breadth-first from ``start``; the findings and pages seen."""
    client = app.test_client()
    client.get(f"/login?lang={lang}")
    if user:
        res = client.post("/login", data={"username": user, "password": "demo"})
        assert res.status_code == 302, (user, res.status_code)
    queue: deque[str] = deque([start])
    seen: set[str] = {start}
    patterns: dict[str, int] = {}
    findings: list[Finding] = []
    pages = 0
    while queue and pages < limit:
        path = queue.popleft()
        res = client.get(path, follow_redirects=True)
        pages += 1
        if "text/html" not in (res.content_type or ""):
            continue
        html = res.get_data(as_text=True)
        assert res.status_code < 500, (user, lang, path, res.status_code)
        for kind, text in problems(visible_text(html, lang), lang, keys, data):
            findings.append(Finding(user or "-", lang, path, kind, text[:160]))
        links = Links()
        links.feed(html)
        for href in links.hrefs:
            target = urlsplit(urljoin("http://localhost" + path, href))
            if target.netloc != "localhost" or SKIPPED_PATHS.search(target.path) or "lang=" in target.query:
                continue
            local = urlunsplit(("", "", target.path, target.query, ""))
            key = _pattern(local)
            if local in seen or patterns.get(key, 0) >= per_pattern:
                continue
            seen.add(local)
            patterns[key] = patterns.get(key, 0) + 1
            queue.append(local)
    return findings, pages


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


DATA_QUERIES = [  # what people and designers wrote: shown as written in every language
    "SELECT display_name FROM user_account", "SELECT name FROM user_group", "SELECT name FROM org_unit",
    "SELECT name FROM congress", "SELECT name FROM congress_session", "SELECT name FROM process_definition",
    "SELECT title FROM process_instance",
    "SELECT name FROM task", "SELECT title FROM task", "SELECT body FROM case_comment",
    "SELECT filename FROM attachment", "SELECT title FROM case_document",
    "SELECT filename FROM congress_proposal_attachment",
    "SELECT title FROM congress_proposal", "SELECT cause FROM congress_proposal",
    "SELECT suggestion FROM congress_proposal", "SELECT analysis FROM congress_proposal",
    "SELECT argument FROM congress_proposal", "SELECT reply FROM congress_proposal",
    "SELECT outcome_note FROM congress_proposal", "SELECT rating_comment FROM congress_proposal",
    "SELECT grade_note FROM congress_proposal", "SELECT name FROM saved_filter",
    "SELECT department FROM dispute_warning", "SELECT persons FROM dispute_warning",
    "SELECT matter FROM dispute_warning", "SELECT title FROM congress_duty_entry",
    "SELECT delegation FROM congress_delegate", "SELECT reason FROM dispute_recusal",
    "SELECT decision_note FROM dispute_recusal", "SELECT note FROM dispute_consent",
    # the texts a designer wrote into a process's notify connector
    "SELECT title FROM notification WHERE kind = 'process_notice'",
    "SELECT body FROM notification WHERE kind = 'process_notice'",
    # what people typed when they copied someone in, urged or returned a task (the body's typed part)
    "SELECT body FROM notification WHERE kind = 'case_copied'",
]
EVENT_TEXTS = ("reason", "message", "note", "text", "body")  # what people typed, as the case history keeps it
JSON_QUERIES = ["SELECT data FROM process_instance", "SELECT data FROM task", "SELECT follow_ups FROM dispute_warning"]
BPMN_NAME = re.compile(r'\bname="([^"]*[\u3400-\u9fff][^"]*)"')


def known_words(conn: Any) -> tuple[set[str], re.Pattern[str]]:
    """Login names and group keys (never shown alone), and the data shown as written."""
    from sqlalchemy import text

    keys = {u for (u,) in conn.execute(text("SELECT username FROM user_account"))}
    keys |= {g for (g,) in conn.execute(text("SELECT key FROM user_group"))}
    return keys, data_pattern(data_texts(conn))


def data_texts(conn: Any) -> list[str]:
    """Every text people or designers wrote (names, titles, form entries, BPMN element names), longest first."""
    import json

    import sqlalchemy as sa

    texts: set[str] = set()
    for sql in DATA_QUERIES:
        texts.update(str(v) for (v,) in conn.execute(sa.text(sql)) if v)
    for sql in JSON_QUERIES:
        for (raw,) in conn.execute(sa.text(sql)):
            if raw:
                texts.update(_strings(json.loads(raw) if isinstance(raw, str) else raw))
    for (raw,) in conn.execute(sa.text("SELECT data FROM event")):
        data = (json.loads(raw) if isinstance(raw, str) else raw) or {}
        texts.update(str(data[k]) for k in EVENT_TEXTS if isinstance(data, dict) and data.get(k))
    for (xml,) in conn.execute(sa.text("SELECT bpmn_xml FROM process_definition")):
        texts.update(BPMN_NAME.findall(xml or ""))
    texts.update(part for t in list(texts) for part in t.split(" · "))  # "提案 2026-001 · title": its parts too
    cleaned = {" ".join(t.split()) for t in texts}
    return sorted((t for t in cleaned if HAN.search(t)), key=len, reverse=True)


def data_pattern(texts: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(t) for t in texts) or "(?!)")
