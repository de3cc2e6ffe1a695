"""Reading an uploaded spreadsheet and boolean query flags for the import routes."""

from __future__ import annotations

from flask import request

from engine.errors import Invalid


def uploaded_file() -> tuple[str, bytes]:
    """The multipart part ``file``: its name and bytes, or an Invalid error naming the part."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise Invalid("send the spreadsheet (.xlsx or UTF-8 .csv) as the multipart part 'file'",
                      [{"field": "file", "message": "is required"}])
    return upload.filename, upload.read()


def flag(name: str) -> bool:
    """``?name=true`` (or 1, yes)."""
    return (request.args.get(name) or request.form.get(name) or "").lower() in ("1", "true", "yes", "on")


def optional_flag(name: str) -> bool | None:
    """``?name=true``/``false`` as a bool; None when absent or empty."""
    value = request.args.get(name)
    if value in (None, ""):
        return None
    return value.lower() in ("1", "true", "yes", "on")
