"""DOCX reader: body paragraphs and tables in document order, Word auto-numbering
rendered as labels, text boxes, headers and footers, as :class:`RawBlock`.

python-docx opens the package and resolves relationships; the WordprocessingML itself
is walked with lxml because python-docx has no API for numbering, text boxes,
content controls or revisions. Text is returned as found (no Unicode normalisation).

Conventions:
- Body paragraphs: ``kind`` is ``heading`` (style "Heading N"/"Title", or a style
  based on one), else ``list_item`` when Word numbers it (``label`` = visible label), else
  ``paragraph``. Whitespace-only paragraphs are dropped (they still advance counters).
- Table cells: one block per cell, its paragraphs joined with "\\n" (trailing empty
  ones dropped); a numbered paragraph inside a cell gets its label written in front
  of its text (a cell has one ``label`` slot but several paragraphs). ``col`` is the
  grid column (merged cells counted by ``gridSpan``); vertical-merge continuation
  cells are empty and dropped.
  Nested tables get their own ``table`` index and follow the cell that holds them.
  Tables are numbered in the body first, then in headers and footers.
- Text boxes follow the paragraph that anchors them (``part="textbox"`` in the body,
  the header's/footer's own part inside those).
- Headers come before the body and footers after it, each part once.
- Footnotes and endnotes (``word/footnotes.xml``, ``word/endnotes.xml``) are read at their
  anchor: the reference mark becomes visible text where Word shows it, ``[1]`` for a
  footnote (numbered 1, 2, … in order of first reference) and ``[i]`` for an endnote
  (i, ii, …, Word's default), and the note follows the paragraph that holds the mark
  (after the whole cell when the mark is in a table cell) as a paragraph
  ``[1] note text``. A note referenced twice is written once; separator notes are not
  notes.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Iterator

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.package import OpcPackage
from lxml import etree

from pipeline.document.limits import DEFAULT, Limits
from pipeline.document.model import RawBlock, VanbanError
from pipeline.readers.base import BlockReader
from pipeline.readers.common import MB, open_checked
from pipeline.readers.docx.numbering import Numbering, Styles
from pipeline.readers.docx.ooxml import (
    ALT,
    BREAK_TAGS,
    CHAR_TAGS,
    CHOICE,
    CUSTOM_XML,
    FALLBACK,
    FLDCHAR,
    OLE_MAGIC,
    P,
    PPR,
    RATIO_MIN_BYTES,
    REL,
    RPR,
    SDT,
    SDT_CONTENT,
    SECTPR,
    SKIP_TAGS,
    SYM,
    TAB_TAGS,
    TBL,
    TC,
    TCPR,
    TEXT_TAGS,
    TR,
    TRPR,
    TXBX,
    R,
    child_val,
    is_on,
    is_on_attr,
    to_int,
    wtag,
)


def check_docx_zip(path: Path, limits: Limits = DEFAULT) -> None:
    """Refuse files that are not a DOCX zip or that would expand beyond ``limits``."""
    name = str(path)
    head = open_checked(path, limits, 8)
    if head.startswith(OLE_MAGIC):
        raise VanbanError(name, "tài liệu OLE có mật khẩu hoặc định dạng cũ, không phải DOCX",
                          kind="unsupported")
    if not zipfile.is_zipfile(path):
        raise VanbanError(name, "không phải tệp DOCX (không phải tệp nén zip)", kind="unsupported")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise VanbanError(name, f"tệp nén zip bị hỏng: {exc}") from exc
    if "word/document.xml" not in {i.filename for i in infos}:
        raise VanbanError(name, "không phải tệp DOCX (không có word/document.xml)",
                          kind="unsupported")
    total = sum(i.file_size for i in infos)
    if total > limits.max_unzipped_mb * MB:
        raise VanbanError(name, f"từ chối: tệp zip giải nén ra {total / MB:.0f} MB, vượt "
                          f"giới hạn {limits.max_unzipped_mb:g} MB (VANBAN_MAX_UNZIPPED_MB)",
                          kind="too_large")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_BYTES and ratio > limits.max_zip_ratio:
            raise VanbanError(name, f"từ chối: phần {info.filename} trong zip giải nén ra "
                              f"gấp {ratio:.0f} lần, vượt giới hạn {limits.max_zip_ratio:g} "
                              "(VANBAN_MAX_ZIP_RATIO)", kind="too_large")


# ---------------------------------------------------------------- styles


def _choose(alt: etree._Element) -> etree._Element | None:
    """One branch of ``mc:AlternateContent``: the first Choice, else the Fallback."""
    branch = alt.find(CHOICE)
    return branch if branch is not None else alt.find(FALLBACK)


def _hidden(run: etree._Element) -> bool:
    rpr = run.find(RPR)
    return rpr is not None and is_on(rpr.find(wtag("vanish")))


_NOTE_REFS = {wtag("footnoteReference"): "footnote", wtag("endnoteReference"): "endnote"}


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"),
                           (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"),
                           (4, "iv"), (1, "i")):
        while n >= value:
            out, n = out + letters, n - value
    return out


class _Notes:
    """The document's footnotes and endnotes by id, and the marks given out so far."""

    def __init__(self, footnotes: etree._Element | None, endnotes: etree._Element | None):
        self.by_kind: dict[str, dict[str, etree._Element]] = {"footnote": {}, "endnote": {}}
        for kind, root in (("footnote", footnotes), ("endnote", endnotes)):
            if root is None:
                continue
            for note in root.iter(wtag(kind)):
                if note.get(wtag("type"), "normal") == "normal" and note.get(wtag("id")):
                    self.by_kind[kind][note.get(wtag("id"))] = note
        self.marks: dict[tuple[str, str], str] = {}
        self.count = {"footnote": 0, "endnote": 0}

    def mark(self, kind: str, note_id: str) -> tuple[str, bool]:
        """The visible mark of a note, and whether this is its first reference."""
        key = (kind, note_id)
        if key in self.marks:
            return self.marks[key], False
        self.count[kind] += 1
        n = self.count[kind]
        self.marks[key] = str(n) if kind == "footnote" else _roman(n)
        return self.marks[key], True


class _Walker:
    """Turns one story (body, header, text box...) into blocks, in document order."""

    def __init__(self, numbering: Numbering, styles: Styles, tables: list[int],
                 notes: _Notes | None = None):
        self.numbering = numbering
        self.styles = styles
        self.tables = tables  # one shared counter, boxed so stories continue it
        self.notes = notes
        self.pending: list[tuple[str, etree._Element]] = []  # notes referenced, not yet written

    def _flush_notes(self, part: str, out: list[RawBlock]) -> None:
        """The notes referenced so far, each as one paragraph ``[mark] text``."""
        pending, self.pending = self.pending, []
        for mark, note in pending:
            inner = _Walker(self.numbering.fresh(), self.styles, self.tables)
            texts = [b.text for b in inner.blocks(note, part)]
            text = " ".join(t.strip() for t in texts if t.strip())
            if text:
                out.append(RawBlock(text=f"[{mark}] {text}", kind="paragraph", part=part))

    # -- block level
    def blocks(self, container: etree._Element, part: str) -> list[RawBlock]:
        out: list[RawBlock] = []
        for child in self._block_children(container):
            if child.tag == P:
                self._paragraph(child, part, out)
            else:
                self._table(child, part, out)
        return out

    def _block_children(self, container: etree._Element) -> Iterator[etree._Element]:
        """w:p and w:tbl, looking through content controls and custom XML."""
        for child in container:
            tag = child.tag
            if tag in (P, TBL):
                yield child
            elif tag == SDT:
                content = child.find(SDT_CONTENT)
                if content is not None:
                    yield from self._block_children(content)
            elif tag == CUSTOM_XML or tag == wtag("ins") or tag == wtag("moveTo"):
                yield from self._block_children(child)
            elif tag == ALT:
                branch = _choose(child)
                if branch is not None:
                    yield from self._block_children(branch)

    def _paragraph(self, p: etree._Element, part: str, out: list[RawBlock]) -> None:
        text, boxes = self.paragraph_text(p)
        label = self.label(p)
        if self._is_heading(p):
            kind = "heading"
        elif label is not None:
            kind = "list_item"
        else:
            kind = "paragraph"
        if text.strip():
            out.append(RawBlock(text=text, kind=kind, label=label, part=part))
        self._flush_notes(part, out)
        self._boxes(boxes, part, out)

    def _boxes(self, boxes: list[etree._Element], part: str, out: list[RawBlock]) -> None:
        box_part = "textbox" if part in ("body", "textbox") else part
        for box in boxes:
            out.extend(self.blocks(box, box_part))

    def _is_heading(self, p: etree._Element) -> bool:
        return self.styles.is_heading(child_val(p.find(PPR), "pStyle") or self.styles.default)

    # -- numbering
    def label(self, p: etree._Element) -> str | None:
        """The auto-numbering label of ``p`` (advances the list counters)."""
        ppr = p.find(PPR)
        style = child_val(ppr, "pStyle") or self.styles.default
        num_pr = ppr.find(wtag("numPr")) if ppr is not None else None
        num_id = child_val(num_pr, "numId")
        ilvl = child_val(num_pr, "ilvl")
        s_num, s_ilvl, owner = self.styles.num_pr(style)
        if num_id is None:
            num_id = s_num
        if ilvl is None:
            ilvl = s_ilvl
        if num_id is None or num_id == "0":
            return None
        level = to_int(ilvl)
        if level is None:
            level = self.numbering.level_for_style(num_id, owner or style) or 0
        return self.numbering.next_label(num_id, level)

    # -- inline level
    def paragraph_text(self, p: etree._Element) -> tuple[str, list[etree._Element]]:
        """Visible text of one paragraph and the text boxes anchored in it."""
        buf: list[str] = []
        boxes: list[etree._Element] = []
        fields: list[bool] = []  # open complex fields: True while in their instructions
        self._inline(p, buf, boxes, fields)
        return "".join(buf), boxes

    def _inline(self, el: etree._Element, buf: list[str], boxes: list[etree._Element],
                fields: list[bool]) -> None:
        for ch in el:
            tag = ch.tag
            if tag in _NOTE_REFS and self.notes is not None and not any(fields):
                kind = _NOTE_REFS[tag]
                note = self.notes.by_kind[kind].get(ch.get(wtag("id"), ""))
                if note is not None:
                    mark, first = self.notes.mark(kind, ch.get(wtag("id"), ""))
                    if is_on_attr(ch.get(wtag("customMarkFollows"))):
                        mark = "*"  # the run's own text is the mark
                    else:
                        buf.append(f"[{mark}]")
                    if first:
                        self.pending.append((mark, note))
                continue
            if not isinstance(tag, str) or tag in SKIP_TAGS:
                continue
            if tag == FLDCHAR:
                kind = ch.get(wtag("fldCharType"))
                if kind == "begin":
                    fields.append(True)
                elif kind == "separate" and fields:
                    fields[-1] = False
                elif kind == "end" and fields:
                    fields.pop()
                continue
            if tag == TXBX:
                boxes.append(ch)
                continue
            if tag == ALT:
                branch = _choose(ch)
                if branch is not None:
                    self._inline(branch, buf, boxes, fields)
                continue
            if tag == R and _hidden(ch):
                continue
            if tag == P or tag == TBL:  # block content where inline was expected
                continue
            shown = not any(fields)
            if tag in TEXT_TAGS:
                if shown:
                    buf.append(ch.text or "")
            elif tag in TAB_TAGS:
                if shown:
                    buf.append("\t")
            elif tag in BREAK_TAGS:
                if shown:
                    buf.append("\n")
            elif tag in CHAR_TAGS:
                if shown:
                    buf.append(CHAR_TAGS[tag])
            elif tag == SYM:
                code = ch.get(wtag("char"), "")
                if shown and re.fullmatch(r"[0-9A-Fa-f]{1,6}", code) and int(code, 16) < 0x110000:
                    buf.append(chr(int(code, 16)))
            else:
                self._inline(ch, buf, boxes, fields)

    # -- tables
    def _table(self, tbl: etree._Element, part: str, out: list[RawBlock]) -> None:
        index = self.tables[0]
        self.tables[0] += 1
        for r, tr in enumerate(self._rows(tbl)):
            col = to_int(child_val(tr.find(TRPR), "gridBefore"), 0) or 0
            for tc in self._cells(tr):
                span = to_int(child_val(tc.find(TCPR), "gridSpan"), 1) or 1
                lines: list[str] = []
                after: list[RawBlock] = []
                self._cell_content(tc, part, lines, after)
                while lines and not lines[-1]:  # a cell ends with a paragraph, often empty
                    lines.pop()
                text = "\n".join(lines)
                if text.strip():
                    out.append(RawBlock(text=text, kind="table_cell", table=index,
                                        row=r, col=col, part=part))
                out.extend(after)
                col += span

    def _rows(self, tbl: etree._Element) -> Iterator[etree._Element]:
        for child in tbl:
            if child.tag == TR:
                if child.find(f"{TRPR}/{wtag('del')}") is None:
                    yield child
            elif child.tag in (SDT, CUSTOM_XML):
                inner = child.find(SDT_CONTENT) if child.tag == SDT else child
                if inner is not None:
                    yield from self._rows(inner)

    def _cells(self, tr: etree._Element) -> Iterator[etree._Element]:
        for child in tr:
            if child.tag == TC:
                yield child
            elif child.tag in (SDT, CUSTOM_XML):
                inner = child.find(SDT_CONTENT) if child.tag == SDT else child
                if inner is not None:
                    yield from self._cells(inner)

    def _cell_content(self, container: etree._Element, part: str, lines: list[str],
                      after: list[RawBlock]) -> None:
        for child in self._block_children(container):
            if child.tag == P:
                text, boxes = self.paragraph_text(child)
                label = self.label(child)
                lines.append(f"{label} {text}" if label and text.strip() else label or text)
                self._flush_notes(part, after)
                self._boxes(boxes, part, after)
            else:
                self._table(child, part, after)


# ---------------------------------------------------------------- the package

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _xml(part: object) -> etree._Element:
    element = getattr(part, "element", None)
    if element is not None:
        return element
    return etree.fromstring(part.blob, _PARSER)  # type: ignore[attr-defined]


def _related(part: object, reltype: str) -> object | None:
    for rel in part.rels.values():  # type: ignore[attr-defined]
        if rel.reltype == reltype and not rel.is_external:
            return rel.target_part
    return None


def _header_footer_parts(main: object, body: etree._Element,
                         even_pages: bool) -> tuple[list[object], list[object]]:
    """Header and footer parts referenced by the sections, in order, each once."""
    headers: list[object] = []
    footers: list[object] = []
    seen: set[str] = set()
    order = {"first": 0, "default": 1, "even": 2}
    for sect in body.iter(SECTPR):
        if sect.getparent() is not None and sect.getparent().tag == wtag("sectPrChange"):
            continue
        title_page = is_on(sect.find(wtag("titlePg")))
        refs = [ref for ref in sect if ref.tag in (wtag("headerReference"), wtag("footerReference"))]
        refs.sort(key=lambda ref: order.get(ref.get(wtag("type"), "default"), 1))
        for ref in refs:
            kind = ref.get(wtag("type"), "default")
            if (kind == "first" and not title_page) or (kind == "even" and not even_pages):
                continue
            rel = main.rels.get(ref.get(f"{{{REL}}}id", ""))  # type: ignore[attr-defined]
            if rel is None or rel.is_external:
                continue
            target = rel.target_part
            if str(target.partname) in seen:
                continue
            seen.add(str(target.partname))
            (headers if ref.tag == wtag("headerReference") else footers).append(target)
    return headers, footers


def read_docx(path: Path, limits: Limits = DEFAULT) -> list[RawBlock]:
    """Blocks of a .docx: headers, body (paragraphs, tables, text boxes), footers."""
    path = Path(path)
    check_docx_zip(path, limits)
    try:
        package = OpcPackage.open(str(path))
        main = package.main_document_part
        root = _xml(main)
    except VanbanError:
        raise
    except Exception as exc:  # python-docx/lxml raise many kinds on broken packages
        raise VanbanError(str(path), f"không mở được DOCX: {type(exc).__name__}: {exc}") from exc
    body = root.find(wtag("body"))
    if body is None:
        raise VanbanError(str(path), "DOCX không có phần thân văn bản")
    styles_part = _related(main, RT.STYLES)
    numbering_part = _related(main, RT.NUMBERING)
    settings_part = _related(main, RT.SETTINGS)
    styles = Styles(_xml(styles_part) if styles_part is not None else None)
    numbering = Numbering(_xml(numbering_part) if numbering_part is not None else None, styles)
    settings = _xml(settings_part) if settings_part is not None else None
    even_pages = settings is not None and is_on(settings.find(wtag("evenAndOddHeaders")))

    notes = _Notes(*(_xml(part) if part is not None else None
                     for part in (_related(main, RT.FOOTNOTES), _related(main, RT.ENDNOTES))))
    tables = [0]
    blocks = _Walker(numbering, styles, tables, notes).blocks(body, "body")
    headers, footers = _header_footer_parts(main, body, even_pages)
    head = [b for part in headers
            for b in _Walker(numbering.fresh(), styles, tables).blocks(_xml(part), "header")]
    foot = [b for part in footers
            for b in _Walker(numbering.fresh(), styles, tables).blocks(_xml(part), "footer")]
    result = head + blocks + foot
    size = sum(len(b.text) for b in result)
    if size > limits.max_text_mb * 1_000_000:
        raise VanbanError(str(path), f"văn bản {size / 1e6:.0f} triệu ký tự, vượt giới hạn "
                          f"{limits.max_text_mb:g} triệu (VANBAN_MAX_TEXT_MB)", kind="too_large")
    return result


READER = BlockReader(("docx",), read_docx)
"""The :class:`~pipeline.readers.base.Reader` of DOCX files."""
