"""The ledger as an official Word document (python-docx).

A4 landscape; title in 方正小标宋简体 and body in 仿宋_GB2312 set as East Asian
fonts (Word picks the Latin font for CJK text otherwise); the font table names
黑体/仿宋 as their stand-ins on machines without the official fonts. One table
per section under its heading, the header row repeated on every page, task
cells merged down (vMerge), page numbers —N— in the footer.

Tables are written as XML strings and parsed once: python-docx's cell API is
quadratic in the table size and a 100-task ledger must export in well under
a second.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt
from lxml import etree

from ledger.exports import clean
from ledger.selectors.ledger_table import LedgerTable, SectionBlock, merged_fields

TITLE_FONT = "方正小标宋简体"
TITLE_FALLBACK = "黑体"
BODY_FONT = "仿宋_GB2312"
BODY_FALLBACK = "仿宋"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"

PAGE_W, PAGE_H, MARGIN = 297, 210, 20  # mm
# Relative column widths by what a column holds.
WIDTHS = {
    "number": 5,
    "title": 12,
    "content": 22,
    "stretch_target": 16,
    "target": 16,
    "units": 11,
    "progress": 30,
    "problems": 14,
    "next_steps": 18,
}
TWIPS_PER_MM = 56.7
BODY_SIZE_HALF_PT = 21  # 五号 10.5 pt
HEADER_SIZE_HALF_PT = 21


def _rfonts(east_asia: str) -> str:
    latin = f'w:ascii="{LATIN_FONT}" w:hAnsi="{LATIN_FONT}" w:cs="{LATIN_FONT}"'
    return f'<w:rFonts {latin} w:eastAsia="{escape(east_asia)}"/>'


def set_run_font(run, *, east_asia: str, size_pt: float | None = None, bold: bool = False) -> None:
    """Latin and East Asian font of a run (run.font.name sets only the Latin one)."""
    run.font.name = LATIN_FONT
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), LATIN_FONT)
    rfonts.set(qn("w:eastAsia"), east_asia)
    if size_pt:
        run.font.size = Pt(size_pt)
    run.font.bold = bold or None


def _style_defaults(document) -> None:
    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(10.5)
    rpr = normal.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), BODY_FONT)
    pf = normal.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.line_spacing = 1.0


def _font_fallbacks(document) -> None:
    """Declare the official fonts with their common stand-ins (w:altName)."""
    for part in document.part.package.iter_parts():
        if str(part.partname) != "/word/fontTable.xml":
            continue
        root = etree.fromstring(part.blob)
        for name, alt, charset in ((TITLE_FONT, TITLE_FALLBACK, "86"), (BODY_FONT, BODY_FALLBACK, "86")):
            font = etree.SubElement(root, qn("w:font"))
            font.set(qn("w:name"), name)
            etree.SubElement(font, qn("w:altName")).set(qn("w:val"), alt)
            etree.SubElement(font, qn("w:charset")).set(qn("w:val"), charset)
            etree.SubElement(font, qn("w:family")).set(qn("w:val"), "modern")
            etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "fixed")
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_setup(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(PAGE_W), Mm(PAGE_H)
    section.left_margin = section.right_margin = Mm(MARGIN)
    section.top_margin, section.bottom_margin = Mm(25), Mm(20)
    section.footer_distance = Mm(10)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("—")
    page = footer.add_run()
    # A PAGE field: Word fills in the number of the page it lands on.
    page._element.append(parse_xml(f'<w:fldChar {nsdecls("w")} w:fldCharType="begin"/>'))
    instr = footer.add_run()
    instr._element.append(parse_xml(f'<w:instrText {nsdecls("w")} xml:space="preserve"> PAGE </w:instrText>'))
    sep = footer.add_run()
    sep._element.append(parse_xml(f'<w:fldChar {nsdecls("w")} w:fldCharType="separate"/>'))
    footer.add_run("1")
    end = footer.add_run()
    end._element.append(parse_xml(f'<w:fldChar {nsdecls("w")} w:fldCharType="end"/>'))
    footer.add_run("—")
    for run in footer.runs:
        set_run_font(run, east_asia=BODY_FONT, size_pt=14)


def _paragraphs(text: str, *, font: str, size: int, bold: bool = False, center: bool = False) -> str:
    """Cell paragraphs: one per line, so paragraph breaks survive a re-import."""
    jc = '<w:jc w:val="center"/>' if center else ""
    rpr = f'<w:rPr>{_rfonts(font)}{"<w:b/>" if bold else ""}<w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>'
    out = []
    for line in clean(text).split("\n") or [""]:
        run = f'<w:r>{rpr}<w:t xml:space="preserve">{escape(line)}</w:t></w:r>' if line else ""
        out.append(f"<w:p><w:pPr>{jc}</w:pPr>{run}</w:p>")
    return "".join(out)


def _cell(text: str, *, width: int, vmerge: str | None = None, header: bool = False, center: bool = False) -> str:
    merge = {"restart": '<w:vMerge w:val="restart"/>', "continue": "<w:vMerge/>"}.get(vmerge or "", "")
    tcpr = f'<w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{merge}<w:vAlign w:val="center"/></w:tcPr>'
    if vmerge == "continue":
        return f"<w:tc>{tcpr}<w:p/></w:tc>"
    font = HEADING_FONT if header else BODY_FONT
    return f"<w:tc>{tcpr}{_paragraphs(text, font=font, size=BODY_SIZE_HALF_PT, center=center or header)}</w:tc>"


def _widths(fields: list[str]) -> list[int]:
    usable = (PAGE_W - 2 * MARGIN) * TWIPS_PER_MM
    weights = [WIDTHS.get(f, 12) for f in fields]
    total = sum(weights)
    return [int(usable * w / total) for w in weights]


def _table_xml(section: SectionBlock) -> str:
    fields = [c.field for c in section.columns]
    widths = _widths(fields)
    borders = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    parts = [
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
        f'<w:jc w:val="center"/><w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
        "</w:tblPr><w:tblGrid>",
        "".join(f'<w:gridCol w:w="{w}"/>' for w in widths),
        "</w:tblGrid>",
        # tblHeader repeats the header row at the top of every page.
        "<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>",
        "".join(_cell(c.label, width=w, header=True) for c, w in zip(section.columns, widths, strict=True)),
        "</w:tr>",
    ]
    for task in section.tasks:
        merged = merged_fields(task)
        for i, row in enumerate(task.rows):
            parts.append("<w:tr>")
            for field, width in zip(fields, widths, strict=True):
                vmerge = None
                if field in merged and len(task.rows) > 1:
                    vmerge = "restart" if i == 0 else "continue"
                parts.append(_cell(row.cells.get(field, ""), width=width, vmerge=vmerge, center=field == "number"))
            parts.append("</w:tr>")
    parts.append("</w:tbl>")
    return "".join(parts)


def _add_paragraph(document, text: str, *, font: str, size_pt: float, center: bool, space_after: float = 6):
    para = document.add_paragraph()
    if center:
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    para.paragraph_format.space_after = Pt(space_after)
    run = para.add_run(clean(text))
    set_run_font(run, east_asia=font, size_pt=size_pt)
    return para


def build_document(table: LedgerTable):
    document = Document()
    _style_defaults(document)
    _font_fallbacks(document)
    _page_setup(document)
    document.core_properties.title = table.title
    # The default template starts with no paragraphs; the title comes first.
    _add_paragraph(document, table.title, font=TITLE_FONT, size_pt=18, center=True, space_after=12)
    body = document.element.body
    sect_pr = body.find(qn("w:sectPr"))
    for index, section in enumerate(table.sections):
        if section.heading:
            _add_paragraph(document, section.heading, font=HEADING_FONT, size_pt=14, center=False)
        elif index:
            document.add_paragraph()  # two adjacent tables would fuse into one
        sect_pr.addprevious(parse_xml(_table_xml(section)))
    return document


def write_docx(table: LedgerTable, *, out) -> None:
    build_document(table).save(out)
