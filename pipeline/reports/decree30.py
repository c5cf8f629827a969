"""The layout of an administrative document under Decree 30/2020/NĐ-CP (Appendix I), for
the drafts vanban writes with python-docx: the gap report (:mod:`pipeline.reports.docx`)
and the reminder letter (:mod:`pipeline.reports.remind`). And how a duty row reads in
every file a person signs or files (the DOCX, the XLSX, the letter): its place in the
plan, its due date with the inferred one marked, its evidence, its reason.

A4 portrait, margins 2 cm top and bottom, 3 cm left, 2 cm right; Times New Roman (East
Asian slot too), black; the national header as a borderless two-column table; the
"Nơi nhận" block and the signature block side by side at the end. python-docx is imported
inside the functions that build a document, as the writers do, so that reading a row's
text loads nothing.
"""
from __future__ import annotations

import re
from typing import Union

from pipeline.document import labels
from pipeline.document.collation import vi_key
from pipeline.document.labels import vn_date

FONT = "Times New Roman"
SIZE = 13  # body text (Decree 30: 13–14)
TABLE_SIZE = 12
HEADER_SIZE = 12  # the issuing body, its number and the national name (12–13)
PAGE_CM = (21.0, 29.7)
MARGINS_CM = {"top": 2.0, "bottom": 2.0, "left": 3.0, "right": 2.0}
TEXT_CM = PAGE_CM[0] - MARGINS_CM["left"] - MARGINS_CM["right"]  # 16 cm of line

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
BLANK = "……"

Run = tuple[str, str]  # (text, style letters: "b" bold, "i" italic, "u" underline)
Para = Union[str, list[Run]]
Cell = Union[str, list[Para]]

# ── how a duty row reads ───────────────────────────────────────────────────────────

_OUTLINE = re.compile(r"(?:[IVXLC]+|\d+)(?:\.(?:\d+|[a-zđ]))*")
_BULLETS = re.compile(r"(?:\.-\d+)+")


def place_label(row: dict) -> str:
    """Where a duty sits in the plan: its ``place`` ("Mục IV.12"); else ``Mục`` and its
    id when the id is a plain outline number (a dash item ``II.1.3.-1`` is in ``Mục
    II.1.3``); else nothing (``end.1``: the plan's closing paragraphs have no number)."""
    if row.get("place"):
        return row["place"]
    tid = row.get("task_id") or ""
    if _BULLETS.search(tid) and _BULLETS.search(tid).end() == len(tid):
        tid = tid[:_BULLETS.search(tid).start()]
    return f"Mục {tid}" if _OUTLINE.fullmatch(tid) else ""


def due_of(row: dict) -> tuple[str | None, str | None]:
    """(ISO due date, where it comes from) of a duty row. A row that has a ``due`` but no
    ``due_source`` (a report made before the field) is read as the contract says: its
    own deadline is stated, otherwise the date is the plan's reporting deadline."""
    due = row.get("due") or row.get("deadline")
    source = row.get("due_source")
    if due and not source:
        source = "stated" if row.get("deadline") else "plan_reporting_deadline"
    return due, (source if due else None)


def due_note(source: str | None) -> str:
    """The marker of a due date that is not written for the duty itself ("" if it is)."""
    return labels.DUE_SOURCE.get(source, "") if source and source != "stated" else ""


def due_text(row: dict, missing: str = "Không có") -> str:
    """``10/12/2020 (suy ra từ hạn gửi báo cáo)``; ``missing`` when no date is known."""
    due, source = due_of(row)
    if not due:
        return missing
    note = due_note(source)
    return f"{vn_date(due)} ({note})" if note else vn_date(due)


def vn_reason(reason: str | None) -> str:
    """The cross-check's reason in words a reader knows (the ranking's name is not one)."""
    text = re.sub(r"\bBM25\s+", "điểm tương đồng ", reason or "")
    return text[:1].upper() + text[1:]


def report_label(label: str | None) -> str:
    """A report as a reader names it: its number (``198/BC-SNV``); a report without one
    (the cross-check then names it by its file) is ``báo cáo chưa có số``."""
    return label if label and "/" in label else ("báo cáo chưa có số" if label else "")


def evidence_parts(row: dict) -> list[tuple[str, str]]:
    """Each quoted passage of a duty row as (quote, "report, place")."""
    out = []
    for ev in row.get("evidence") or []:
        where = ev.get("place") or ev.get("section") or ""
        out.append((ev.get("text") or "",
                    ", ".join(x for x in (report_label(ev.get("report")), where) if x)))
    return out


def evidence_text(row: dict) -> str:
    """The evidence of a duty as one text: each quote in full with its report and place;
    the reason when nothing is quoted."""
    parts = [f"“{q}” ({w})" if w else f"“{q}”" for q, w in evidence_parts(row)]
    return "\n".join(parts) if parts else vn_reason(row.get("reason"))


def in_order(duties: list[dict]) -> list[dict]:
    """Duty rows by owner in Vietnamese order, then in the plan's order."""
    indexed = list(enumerate(duties))
    indexed.sort(key=lambda x: (vi_key(x[1].get("owner") or ""),
                                x[1].get("start") if x[1].get("start") is not None else x[0],
                                x[0]))
    return [d for _, d in indexed]


def plan_name(plan: dict) -> str:
    """``Kế hoạch số 580/KH-UBND ngày 02/03/2020 của UBND tỉnh Hải Dương``."""
    symbol = plan.get("symbol") or ""
    kind = labels.doc_type(symbol.split("/")[-1].split("-")[0] if "/" in symbol else "KH")
    out = f"{kind} số {symbol}" if symbol else kind
    if plan.get("date"):
        out += f" ngày {vn_date(plan['date'])}"
    if plan.get("issuer"):
        out += f" của {plan['issuer']}"
    return out


def about(title: str | None) -> str:
    """A plan's title after ``về``: first letter lower-cased unless it starts an acronym."""
    t = (title or "").strip()
    if len(t) > 1 and not t[1].isupper():
        t = t[0].lower() + t[1:]
    return t


# ── the issuer's lines ─────────────────────────────────────────────────────────────

def full_name(agency: str | None) -> str:
    """``UBND tỉnh X`` → ``Ủy ban nhân dân tỉnh X`` (a header and an address write it out)."""
    return re.sub(r"^UBND\b", "Ủy ban nhân dân", (agency or "").strip())


def body_name(issuer: str | None) -> str:
    """The issuing body as the header prints it: upper case, ``UBND`` written out, a
    people's committee on two lines (``ỦY BAN NHÂN DÂN`` / ``TỈNH HẢI DƯƠNG``)."""
    if not issuer:
        return BLANK * 3
    name = full_name(issuer).upper()
    return re.sub(r"^ỦY BAN NHÂN DÂN ", "ỦY BAN NHÂN DÂN\n", name)


def symbol_code(symbol: str | None) -> str:
    """The issuer's code in a symbol: ``580/KH-UBND`` → ``UBND``; ``…`` when unknown."""
    m = re.search(r"/[^-/\s]+-([^\s/]+)$", symbol or "")
    return m.group(1) if m else BLANK


def place_of(issuer: str | None) -> str:
    """The place in the place-date line: the province or city an issuer is named after."""
    m = re.search(r"\b(?:tỉnh|thành phố|huyện|quận|thị xã)\s+(.+)$", issuer or "")
    return m.group(1).strip() if m else BLANK


def authority(issuer: str | None) -> list[str]:
    """The lines above a signature: a people's committee signs collectively, a department
    by its director's deputy, anyone else as the report's author."""
    name = full_name(issuer)
    if name.startswith("Ủy ban nhân dân"):
        return ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    if name.startswith("Sở "):
        return ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]
    return ["NGƯỜI LẬP BÁO CÁO"]


# ── the document ───────────────────────────────────────────────────────────────────

def _fonts(rpr) -> None:
    """Times New Roman in every slot of a run-properties element (no theme font)."""
    from docx.oxml.ns import qn

    rfonts = rpr.get_or_add_rFonts()
    for attr in list(rfonts.attrib):
        if attr.endswith("Theme"):
            del rfonts.attrib[attr]
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(slot), FONT)


def new_document(title: str, author: str):
    """An empty A4 document with the decree's margins, font and page numbers (from the
    second page, centred at the top)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(PAGE_CM[0]), Cm(PAGE_CM[1])
    sec.top_margin, sec.bottom_margin = Cm(MARGINS_CM["top"]), Cm(MARGINS_CM["bottom"])
    sec.left_margin, sec.right_margin = Cm(MARGINS_CM["left"]), Cm(MARGINS_CM["right"])
    sec.header_distance = Cm(1.0)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            _fonts(rpr)
    for style in doc.styles:
        rpr = getattr(style.element, "rPr", None)
        if rpr is not None and rpr.rFonts is not None:
            _fonts(rpr)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(SIZE)
    normal.font.color.rgb = RGBColor(0, 0, 0)
    _fonts(normal.element.get_or_add_rPr())
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    lang.set(qn("w:eastAsia"), "vi-VN")
    normal.element.get_or_add_rPr().append(lang)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1
    sec.different_first_page_header_footer = True
    head = sec.header.paragraphs[0]
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    head._p.append(field)
    props = doc.core_properties
    short = _fit(title, 255)  # python-docx refuses longer core properties (QĐ 773's title)
    props.title, props.author, props.last_modified_by = short, _fit(author, 255), _fit(author, 255)
    props.comments, props.subject, props.keywords, props.language = "", short, "", "vi-VN"
    return doc


def _fit(text: str | None, most: int) -> str:
    """``text`` cut at a word to at most ``most`` characters, "…" marking the cut."""
    text = text or ""
    if len(text) <= most:
        return text
    return text[:most - 1].rsplit(" ", 1)[0] + "…"


def _runs(par, content: Para, size: float | None = None) -> None:
    from docx.shared import Pt

    for text, fmt in ([(content, "")] if isinstance(content, str) else content):
        run = par.add_run(_safe(text))
        run.bold = "b" in fmt or None
        run.italic = "i" in fmt or None
        run.underline = "u" in fmt or None
        if size:
            run.font.size = Pt(size)


def _safe(x: object) -> str:
    """XML-safe text (python-docx rejects control characters)."""
    return "".join(c for c in ("" if x is None else str(x)) if c >= " " or c in "\t\n")


def paragraph(doc, content: Para, align: str = "justify", indent: bool = True,
              size: float | None = None, after: float = 6):
    """A body paragraph: justified with its first line indented, unless told otherwise."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    par = doc.add_paragraph()
    par.alignment = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "center": WD_ALIGN_PARAGRAPH.CENTER,
                     "left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
    if indent:
        par.paragraph_format.first_line_indent = Cm(1.0)
    par.paragraph_format.space_after = Pt(after)
    _runs(par, content, size)
    return par


def _borderless(table) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    table._tbl.tblPr.append(borders)


def _widths(table, widths_cm: list[float]) -> None:
    from docx.shared import Cm

    table.autofit = False
    for col, w in zip(table.columns, widths_cm):
        col.width = Cm(w)
    for row in table.rows:
        for cell, w in zip(row.cells, widths_cm):
            cell.width = Cm(w)


def _fill(cell, content: Cell, align: str = "left", size: float | None = None,
          after: float = 0) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paras = [content] if isinstance(content, str) else content
    for i, p in enumerate(paras or [""]):
        par = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        par.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                         "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
        par.paragraph_format.space_after = Pt(after)
        par.paragraph_format.first_line_indent = None
        _runs(par, p, size)


def national_header(doc, body: str, number: str, place: str, about_line: str | None = None):
    """The two header columns: the issuing body (bold, upper case) over its number (and a
    letter's ``V/v`` line); the national name, the motto and the place-date line."""
    from docx.shared import Pt

    tab = doc.add_table(rows=1, cols=2)
    _borderless(tab)
    _widths(tab, [6.0, TEXT_CM - 6.0])
    left: list[Para] = [[(body, "b")], "―――――", number]
    if about_line:
        left.append([(about_line, "")])
    _fill(tab.cell(0, 0), left, align="center", size=HEADER_SIZE)
    right: list[Para] = [[(NATION, "b")], [(MOTTO, "bu")], "",
                         [(f"{place}, ngày {BLANK} tháng {BLANK} năm {BLANK}", "i")]]
    _fill(tab.cell(0, 1), right, align="center", size=HEADER_SIZE)
    for run in tab.cell(0, 1).paragraphs[1].runs + tab.cell(0, 1).paragraphs[3].runs:
        run.font.size = Pt(SIZE)  # the motto and the place-date line: 13–14
    doc.add_paragraph()
    return tab


def title(doc, kind: str, subject: str) -> None:
    """``BÁO CÁO`` and its subject, bold and centred."""
    paragraph(doc, [(kind, "b")], align="center", indent=False, size=14, after=0)
    paragraph(doc, [(subject, "b")], align="center", indent=False, size=14, after=12)


def table(doc, headers: list[str], widths_cm: list[float], rows: list[list[Cell]],
          size: float = TABLE_SIZE, centred: tuple[int, ...] = (0,)):
    """A ruled table whose header row repeats on every page; cells may split across
    pages (a long duty is never cut, only continued). A row of one cell is a group's
    heading, merged across the table."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    tab = doc.add_table(rows=1, cols=len(headers))
    tab.style = "Table Grid"
    for cell, h in zip(tab.rows[0].cells, headers):
        _fill(cell, [[(h, "b")]], align="center", size=size)
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    tab.rows[0]._tr.get_or_add_trPr().append(flag)
    _widths(tab, widths_cm)
    for row in rows:
        cells = tab.add_row().cells
        for cell, w in zip(cells, widths_cm):
            cell.width = Cm(w)
        if len(row) == 1:  # a group's heading across the whole row
            _fill(cells[0].merge(cells[-1]), row[0], size=size, after=2)
            continue
        for i, (cell, content) in enumerate(zip(cells, row)):
            _fill(cell, content, align="center" if i in centred else "left", size=size, after=2)
    return tab


def closing(doc, recipients: list[str], signer: list[str],
            name: str = "……………………………") -> None:
    """"Nơi nhận" (left, 12 pt bold italic label, 11 pt list) and the signature block
    (right: authority and position in bold, room to sign, the signer's name)."""
    tab = doc.add_table(rows=1, cols=2)
    _borderless(tab)
    _widths(tab, [7.0, TEXT_CM - 7.0])
    _fill(tab.cell(0, 0), [[("Nơi nhận:", "bi")]], size=12)
    for r in recipients:
        _fill_more(tab.cell(0, 0), r, size=11)
    lines: list[Para] = [[(s, "b")] for s in signer]
    lines += [[("(Dự thảo)", "i")], "", "", "", [(name, "b")]]
    _fill(tab.cell(0, 1), lines, align="center", size=SIZE)


def _fill_more(cell, text: str, size: float) -> None:
    from docx.shared import Pt

    par = cell.add_paragraph()
    par.paragraph_format.space_after = Pt(0)
    _runs(par, text, size)
