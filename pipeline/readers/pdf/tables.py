"""PDF reader tables: ruled tables found by pdfplumber, the body lines inside them
replaced by their cells, and one ``table_cell`` block per cell."""
from __future__ import annotations

from pipeline.document.model import RawBlock
from pipeline.readers.pdf.lines import Box, Line, cluster_lines
from pipeline.readers.pdf.paragraphs import Paragraphs, measure, nfc


def table_cells(plumber: object, index: int) -> list[list[list[tuple[float, float, float, float] | None]]]:
    """Cell boxes (PDF points, y up) of the ruled tables of page ``index`` (0-based),
    per table, row, column; only visible rules count (white fills are shading)."""
    page = plumber.pages[index]  # type: ignore[attr-defined]
    try:
        def visible(obj: dict) -> bool:
            if obj.get("object_type") not in ("rect", "line", "curve"):
                return True
            if obj.get("stroke"):
                return True
            color = obj.get("non_stroking_color")
            if not obj.get("fill") or color is None:
                return False
            vals = color if isinstance(color, (list, tuple)) else (color,)
            try:
                nums = [float(v) for v in vals]
            except (TypeError, ValueError):
                return True
            return not nums or min(nums) < 0.8 if len(nums) != 4 else max(nums) > 0.2
        filtered = page.filter(visible)
        tables = filtered.find_tables()
        top = page.bbox[3]
        out = []
        for tb in tables:
            rows = []
            for row in tb.rows:
                rows.append([None if c is None else (c[0], top - c[3], c[2], top - c[1])
                             for c in row.cells])
            if len(rows) >= 2 or (rows and len(rows[0]) >= 2):
                out.append(rows)
        return out
    finally:
        page.close()


def _in_box(ln_box: Box, cell: tuple[float, float, float, float]) -> bool:
    xc, yc = (ln_box.x0 + ln_box.x1) / 2, (ln_box.y0 + ln_box.y1) / 2
    return cell[0] <= xc <= cell[2] and cell[1] <= yc <= cell[3]


def with_tables(body: list[Line], tables: list) -> list:
    """Body lines, with the lines inside each table replaced by that table (a list of
    rows of (cell box, lines inside it)) where the table starts."""
    out: list = []
    placed: set[int] = set()
    for ln in body:
        hit = None
        for k, rows in enumerate(tables):
            if any(_in_box(b, c) for b in ln.boxes for row in rows for c in row if c is not None):
                hit = k
                break
        if hit is None:
            out.append(ln)
            continue
        if hit in placed:
            continue
        placed.add(hit)
        rows = tables[hit]
        boxes = [b for x in body for b in x.boxes]
        out.append([[None if c is None else [b for b in boxes if _in_box(b, c)] for c in row]
                    for row in rows])
    return out


def table_blocks(rows: list, number: int, table: int) -> list[RawBlock]:
    out = []
    for r, row in enumerate(rows):
        for c, inside in enumerate(row):
            if not inside:
                continue
            text = _cell_paragraphs(cluster_lines(inside))
            if text:
                out.append(RawBlock(text=text, kind="table_cell", page=number, table=table,
                                    row=r, col=c))
    return out


def _cell_paragraphs(lines: list[Line]) -> str:
    """A table cell's lines joined into its paragraphs (newline between paragraphs)."""
    if not lines:
        return ""
    sub = Paragraphs(None)
    lay = measure(lines, None)
    lay.left = min(ln.x0 for ln in lines)
    lay.right = max(ln.x1 for ln in lines)
    for ln in lines:
        sub.add(ln, lay)
    sub.close()
    return nfc("\n".join(b.text for b in sub.blocks))
