"""Case numbers on English pages: a process's ``businessKeyPrefixEn`` property replaces its ``businessKeyPrefix``
wherever a case number is shown (提案 2026-017 reads Proposal 2026-017). Case numbers are stored, searched and
sent through the API as they are; only the page's wording changes. Form values are printed escaped (``|e``,
which marks them safe) so that what a field holds is never rewritten.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, g, has_request_context
from markupsafe import Markup

from engine.queries import latest_definitions

from .language import english
from .runtime import rt


def _english() -> tuple[re.Pattern[str] | None, dict[str, str]]:
    if "docket_key_prefixes" not in g:
        with rt().reading() as session:
            pairs = {}
            for d in latest_definitions(session):
                settings = d.settings or {}
                zh, en = settings.get("businessKeyPrefix"), settings.get("businessKeyPrefixEn")
                if zh and en and zh.strip():
                    pairs[zh.strip()] = en.strip()
        pattern = re.compile(r"(?<![\w])(" + "|".join(map(re.escape, sorted(pairs, key=len, reverse=True)))
                             + r")\s?(?=\d{4}-\d+)") if pairs else None
        g.docket_key_prefixes = (pattern, pairs)
    return g.docket_key_prefixes


def english_case_numbers(text: str) -> str:
    """``text`` with every case number's prefix in English (when its process names one)."""
    pattern, pairs = _english()
    if pattern is None:
        return text
    return pattern.sub(lambda m: pairs[m.group(1)] + " ", text)


def _finalize(value: Any) -> Any:
    """Every value a template prints: case numbers in English on English pages."""
    if (isinstance(value, str) and not isinstance(value, Markup) and has_request_context()
            and any(c.isdigit() for c in value) and english()):
        return english_case_numbers(value)
    return value


def register(app: Flask) -> None:
    app.jinja_env.finalize = _finalize
