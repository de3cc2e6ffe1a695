"""A small DOCX writer on python-docx for official notices: Chinese fonts, centred titles, labelled lines."""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Pt

BODY_FONT, TITLE_FONT = "宋体", "黑体"


def _font(run, name: str, size: float, bold: bool = False) -> None:  # type: ignore[no-untyped-def]
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


class Writer:
    """Build one document: ``title``, ``para``, ``field``, ``table``, ``signature``, ``page_break``; ``bytes()``."""

    def __init__(self) -> None:
        self.doc = Document()
        style = self.doc.styles["Normal"]
        style.font.name = BODY_FONT
        style.font.size = Pt(12)
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    def title(self, text: str, subtitle: str | None = None) -> None:
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(p.add_run(text), TITLE_FONT, 18, bold=True)
        if subtitle:
            q = self.doc.add_paragraph()
            q.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(q.add_run(subtitle), BODY_FONT, 11)

    def para(self, text: str, bold: bool = False, indent: bool = True, right: bool = False) -> None:
        p = self.doc.add_paragraph()
        if right:
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif indent:
            p.paragraph_format.first_line_indent = Pt(24)
        _font(p.add_run(text), BODY_FONT, 12, bold=bold)

    def field(self, label: str, value: object) -> None:
        p = self.doc.add_paragraph()
        _font(p.add_run(f"{label}："), BODY_FONT, 12, bold=True)
        _font(p.add_run(str(value) if value not in (None, "") else "（未填写）"), BODY_FONT, 12)

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(text), BODY_FONT, 11, bold=True)
        for row in rows:
            cells = table.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.text = ""
                _font(cell.paragraphs[0].add_run(text or "—"), BODY_FONT, 11)

    def signature(self, lines: list[str]) -> None:
        self.doc.add_paragraph()
        for line in lines:
            self.para(line, indent=False, right=True)

    def page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def bytes(self) -> bytes:
        out = BytesIO()
        self.doc.save(out)
        return out.getvalue()


def text_of(content: bytes) -> str:
    """All the text of a DOCX (paragraphs and table cells), for tests and previews."""
    doc = Document(BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)
