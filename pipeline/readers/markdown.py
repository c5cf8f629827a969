"""Markdown web copies of legal texts (vbpl / thuvienphapluat style), read with markdown-it.

A web copy saved as ``.txt`` or ``.md`` is often Markdown: ``**bold**`` and ``*italic*``
spans, ``#`` headings, pipe tables (``| a | b |``), footnotes (``[^1]`` or a plain ``[1]``
mark with its note at the end), and the two-column header and signature tables written
*one bar per line*::

    |
    **ỦY BAN NHÂN DÂN**
    TỈNH NGHỆ AN
    |
    **CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM**
    |
    |
    Số: 1026/KH-UBND
    |
    *Nghệ An, ngày 26 tháng 11 năm 2025*
    |

(two bars in a row close one row and open the next). They become the same raw blocks as
HTML: headings, paragraphs, list items (their typed marker kept: ``1.``, ``-``) and table
cells with their row and column, emphasis removed and its text kept.

Footnotes: each note's text is moved to its anchor, as a paragraph ``[1] note text`` right
after the block holding the first ``[1]`` mark (after the whole table when the mark is in
a table cell); the mark itself stays in the text. A note nobody cites stays where it is.
"""
from __future__ import annotations

import re
from functools import lru_cache

from pipeline.document.doctypes import type_line_re
from pipeline.document.model import RawBlock
from pipeline.document.normalize import normalize_text
from pipeline.document.paragraphs import join_cell_lines, join_lines
from pipeline.readers.encoding import repair_legacy

__all__ = ["looks_like_markdown", "markdown_to_blocks"]

_BOLD = re.compile(r"(\*\*|__)(?=\S)[^\n]*?\S\1")
_HEADING = re.compile(r"^#{1,6}[ \t]+\S", re.M)
_TABLE_SEP = re.compile(r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(\|[ \t]*:?-{3,}:?[ \t]*)+\|?[ \t]*$", re.M)
_FOOTNOTE = re.compile(r"\[\^\w{1,8}\]")
_NOTE_DEF = re.compile(r"^\[\d{1,3}\](?:[ \t]|$)", re.M)
_ITALIC = re.compile(r"(?<![*\w])\*(?=[^\s*])[^*\n]{1,200}?(?<=[^\s*])\*(?![*\w])")


def looks_like_markdown(text: str) -> bool:
    """Whether a plain-text file is a Markdown web copy. Plain text (KH 580's lone ``|``
    lines included) stays plain: it takes bold pairs, ``#`` headings, a pipe table's rule
    row, ``[^1]`` footnotes, or several italic spans or ``[1]`` note lines."""
    head = text[:200_000]
    if len(_BOLD.findall(head)) >= 2 or _TABLE_SEP.search(head) or _FOOTNOTE.search(head):
        return True
    if len(_HEADING.findall(head)) >= 2:
        return True
    weak = len(_ITALIC.findall(head)) + len(_NOTE_DEF.findall(head))
    return weak >= 3


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt  # lazy: only Markdown files need it

    # no indented code blocks: a web copy indents ordinary paragraphs
    return MarkdownIt("commonmark", {"html": False}).enable("table").disable("code")


# ---------------------------------------------------------------- source clean-up

def _prepare(text: str) -> list[str]:
    """Lines with the web copies' broken emphasis mended and footnotes made plain."""
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.I)
    # "[^1]: note" is a link definition to markdown-it; "[^1]" a link: make them "[1]"
    text = re.sub(r"^\[\^(\w{1,8})\]:[ \t]*", r"[\1] ", text, flags=re.M)
    text = _FOOTNOTE.sub(lambda m: "[" + m.group(0)[2:], text)
    out: list[str] = []
    for ln in text.split("\n"):
        s = ln.strip()
        # a closing "**" left alone on the next line: "**ỦY BAN NHÂN DÂN\n**"
        if re.fullmatch(r"\*{1,3}", s) and out and out[-1].strip():
            out[-1] = out[-1].rstrip() + s
            continue
        # a closing "**" after a space: "DÂN **", "năm 2025 *"
        ln = re.sub(r"(?<=\S)[ \t]+(\*{1,3})[ \t]*$", r"\1", ln)
        out.append(ln)
    return out


def _clean(s: str) -> str:
    """Leftover emphasis marks that markdown-it kept as text (unbalanced ``**``)."""
    s = re.sub(r"\*{2,}|_{2,}(?=\s|$)|(?<=\s)_{2,}", "", s)
    s = re.sub(r"(?:(?<=\s)|^)\*(?=\s|$)", "", s)
    return re.sub(r"[ \t]{2,}", " ", s).strip()


# ---------------------------------------------------------------- tokens → text

def _inline_text(tok, cell: bool) -> list[str]:
    """An inline token's text as lines: emphasis removed; a line break inside bold or
    italic is a wrap (a space), elsewhere a new line."""
    parts: list[str] = []
    depth = 0
    for ch in tok.children or ():
        t = ch.type
        if t in ("strong_open", "em_open"):
            depth += 1
        elif t in ("strong_close", "em_close"):
            depth = max(0, depth - 1)
        elif t == "softbreak":
            parts.append(" " if depth else "\n")
        elif t == "hardbreak":
            parts.append("\n")
        elif t in ("text", "code_inline", "html_inline"):
            parts.append(ch.content)
        elif t == "image":
            parts.append(ch.content)
    lines = [_clean(x) for x in "".join(parts).split("\n")]
    return [x for x in lines if x]


_ITEM = re.compile(r"^(?:[a-zđ]\)|\d{1,2}(?:\.\d{1,2})*[.)]|[IVXLC]{1,5}\.|Điều\s+\d+)\s")


def _paragraphs(lines: list[str]) -> list[str]:
    """A Markdown paragraph's lines (a web copy wraps them mid-phrase): one paragraph,
    except a type name line (``KẾ HOẠCH``) on its own, and an item label (``b)``, ``2.``,
    ``Điều 3``) after a line that ends a sentence."""
    types = type_line_re()
    paras: list[list[str]] = []
    for ln in lines:
        prev = paras[-1][-1] if paras and paras[-1] else ""
        if not paras or types.match(ln) or types.match(prev) or (
                _ITEM.match(ln) and re.search(r"[.;:!?…]$|/\.$", prev)):
            paras.append([ln])
        else:
            paras[-1].append(ln)
    return [" ".join(p) for p in paras]


def _bar_ahead(lines: list[str], i: int, reach: int = 12) -> bool:
    """Whether a lone ``|`` closes the cell within ``reach`` lines of the blank line at
    ``i``, with no two blank lines in a row before it."""
    blank = 0
    for ln in lines[i:i + reach]:
        s = ln.strip()
        if s == "|":
            return True
        blank = blank + 1 if not s else 0
        if blank >= 2:
            return False
    return False


class _Builder:
    """Raw blocks of one document, with its running table number."""

    def __init__(self) -> None:
        self.out: list[RawBlock] = []
        self.table_no = -1

    def markdown(self, src: str) -> None:
        tokens = _parser().parse(src)
        markers: list[str | None] = []   # the pending marker of each open list item
        ordered: list[bool] = []
        row = col = -1
        table = None
        in_heading = False
        for tok in tokens:
            t = tok.type
            if t in ("bullet_list_open", "ordered_list_open"):
                ordered.append(t == "ordered_list_open")
            elif t in ("bullet_list_close", "ordered_list_close"):
                ordered.pop()
            elif t == "list_item_open":
                markers.append(f"{tok.info}{tok.markup}" if ordered and ordered[-1] else tok.markup)
            elif t == "list_item_close":
                markers.pop()
            elif t == "heading_open":
                in_heading = True
            elif t == "heading_close":
                in_heading = False
            elif t == "table_open":
                self.table_no += 1
                table, row = self.table_no, -1
            elif t == "table_close":
                table = None
            elif t == "tr_open":
                row, col = row + 1, -1
            elif t in ("th_open", "td_open"):
                col += 1
            elif t == "inline" and table is not None:
                text = "\n".join(_inline_text(tok, cell=True))
                if text:
                    self.out.append(RawBlock(text, kind="table_cell", table=table, row=row,
                                             col=col))
            elif t == "inline":
                lines = _inline_text(tok, cell=False)
                if not lines:
                    continue
                if in_heading:
                    self.out.append(RawBlock(" ".join(lines), kind="heading"))
                    continue
                kind = "paragraph"
                if markers:
                    kind = "list_item"
                    if markers[-1] is not None:
                        lines[0] = f"{markers[-1]} {lines[0]}"
                        markers[-1] = None
                for para in _paragraphs(lines):
                    self.out.append(RawBlock(para, kind=kind))
            elif t in ("fence", "code_block"):
                for para in join_lines([x.strip() for x in tok.content.split("\n")],
                                       heading_types=type_line_re()):
                    self.out.append(RawBlock(para))

    def cell_text(self, lines: list[str]) -> str:
        """One cell of a one-bar-per-line table, itself Markdown (lists, emphasis)."""
        pieces: list[str] = []
        marker: str | None = None
        for tok in _parser().parse("\n".join(lines)):
            if tok.type == "list_item_open":
                marker = f"{tok.info}{tok.markup}"
            elif tok.type == "inline":
                got = _inline_text(tok, cell=True)
                if got and marker:
                    got[0] = f"{marker} {got[0]}"
                    marker = None
                pieces.extend(got)
        text = pieces
        return "\n".join(join_cell_lines([x.strip() for x in text if x.strip()]))

    def bar_table(self, lines: list[str], i: int) -> int:
        """Read the one-bar-per-line table that starts at ``lines[i]`` (a lone ``|``);
        return the index of the first line after it."""
        segs: list[list[str]] = []
        cur: list[str] = []
        i += 1
        while i < len(lines):
            s = lines[i].strip()
            if s == "|":
                segs.append(cur)
                cur = []
                i += 1
                if i < len(lines) and not lines[i].strip():
                    # blank lines after a bar: an empty cell when a bar follows them
                    j = i
                    while j < len(lines) and not lines[j].strip():
                        j += 1
                    if j < len(lines) and lines[j].strip() == "|":
                        i = j
                        continue
                    break
                continue
            if not s and cur and not _bar_ahead(lines, i):
                break  # a blank line, and no bar soon after it: the table stops here
            if s or cur:
                cur.append(s)  # a blank line inside a cell ("(Đã ký)" set apart) is kept
            i += 1
        if cur:
            segs.append(cur)
        segs = [seg if any(seg) else [] for seg in segs]
        rows: list[list[list[str]]] = [[]]
        k = 0
        while k < len(segs) and segs[k]:
            rows[0].append(segs[k])
            k += 1
        ncols = max(1, len(rows[0]))
        k += 1
        while k < len(segs):
            row = segs[k:k + ncols]
            k += ncols
            while k < len(segs) and segs[k]:
                row.append(segs[k])
                k += 1
            k += 1
            rows.append(row)
        self.table_no += 1
        for r, row in enumerate(x for x in rows if any(x)):
            for c, seg in enumerate(row):
                text = self.cell_text(seg) if seg else ""
                if text:
                    self.out.append(RawBlock(text, kind="table_cell", table=self.table_no,
                                             row=r, col=c))
        return i


def _place_notes(blocks: list[RawBlock]) -> list[RawBlock]:
    """Move each footnote ``[n] …`` to just after the block of its first ``[n]`` mark."""
    note_rx = re.compile(r"^\[(\w{1,8})\]\s*(?=\S)")
    notes: dict[str, int] = {}
    for i, b in enumerate(blocks):
        m = note_rx.match(b.text)
        if m and b.kind != "table_cell" and m.group(1) not in notes:
            notes[m.group(1)] = i
    if not notes:
        return blocks
    anchors: dict[int, list[int]] = {}  # block index → notes to put after it
    moved: set[int] = set()
    for label, ni in notes.items():
        mark = re.compile(r"(?<=\S)\[" + re.escape(label) + r"\]")
        for i, b in enumerate(blocks[:ni]):
            if mark.search(b.text):
                j = i
                if b.kind == "table_cell":  # after the whole table
                    while j + 1 < len(blocks) and blocks[j + 1].kind == "table_cell" \
                            and blocks[j + 1].table == b.table:
                        j += 1
                anchors.setdefault(j, []).append(ni)
                moved.add(ni)
                break
    out: list[RawBlock] = []
    for i, b in enumerate(blocks):
        if i in moved:
            continue
        out.append(b)
        for ni in anchors.get(i, ()):
            note = blocks[ni]
            out.append(RawBlock(note.text, kind="paragraph", page=note.page))
    return out


def markdown_to_blocks(text: str) -> list[RawBlock]:
    """Blocks of one Markdown text: paragraphs, headings, list items and table cells."""
    fixed, _ = repair_legacy(text)
    lines = _prepare(normalize_text(fixed))
    b = _Builder()
    chunk: list[str] = []
    i = 0
    while i < len(lines):
        if lines[i].strip() == "|":
            if chunk:
                b.markdown("\n".join(chunk))
                chunk = []
            i = b.bar_table(lines, i)
            continue
        chunk.append(lines[i])
        i += 1
    if chunk:
        b.markdown("\n".join(chunk))
    return _place_notes(b.out)
