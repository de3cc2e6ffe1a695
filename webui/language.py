"""The page's language in the small words around its content: the list separator and the colon after a label."""

from __future__ import annotations

from flask_babel import get_locale


def english() -> bool:
    """Whether the page is in English (else Chinese, the default)."""
    return str(get_locale() or "zh_CN").startswith("en")


def list_separator() -> str:
    """Between the items of a list in the page's language: 、 in Chinese, a comma in English."""
    return ", " if english() else "、"


def colon() -> str:
    """After a label in the page's language: a full-width colon in Chinese, ": " in English."""
    return ": " if english() else "："
