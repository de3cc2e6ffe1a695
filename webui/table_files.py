"""Tables as downloadable files: xlsx with one sheet per table, or CSV with the tables one after another."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response

Table = tuple[str, list[Any], list[list[Any]]]  # (title, header, rows)
MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def to_csv(tables: list[Table]) -> str:
    """The tables one after another, a blank line between them and each under its title when there are several;
    with a BOM so that Excel reads UTF-8."""
    buf = io.StringIO()
    out = csv.writer(buf)
    for i, (title, head, rows) in enumerate(tables):
        if i:
            out.writerow([])
        if len(tables) > 1:
            out.writerow([title])
        out.writerow(head)
        out.writerows(rows)
    return "\ufeff" + buf.getvalue()


def to_xlsx(tables: list[Table]) -> bytes:
    """One sheet per table, its header bold and frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for title, head, rows in tables:
        sheet = book.create_sheet(title[:31])
        sheet.append(head)
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        sheet.column_dimensions["A"].width = 24
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def tables_response(tables: list[Table], fmt: str, name: str) -> Response:
    """``tables`` as a ``fmt`` download named ``name``.``fmt``."""
    body: str | bytes = to_csv(tables) if fmt == "csv" else to_xlsx(tables)
    return Response(body, mimetype=MIMETYPES[fmt],
                    headers={"Content-Disposition": f"attachment; filename={name}.{fmt}"})
