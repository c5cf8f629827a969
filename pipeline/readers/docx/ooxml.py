"""WordprocessingML names and constants shared by the DOCX reader's modules."""
from __future__ import annotations

import re

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
MATH = "http://schemas.openxmlformats.org/officeDocument/2006/math"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


VAL = _w("val")
P, TBL, TR, TC, R = _w("p"), _w("tbl"), _w("tr"), _w("tc"), _w("r")
PPR, RPR, TRPR, TCPR = _w("pPr"), _w("rPr"), _w("trPr"), _w("tcPr")
SDT, SDT_CONTENT, CUSTOM_XML = _w("sdt"), _w("sdtContent"), _w("customXml")
TXBX = _w("txbxContent")
ALT, CHOICE, FALLBACK = f"{{{MC}}}AlternateContent", f"{{{MC}}}Choice", f"{{{MC}}}Fallback"
FLDCHAR, SYM, SECTPR = _w("fldChar"), _w("sym"), _w("sectPr")

MB = 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
# A member smaller than this cannot be a bomb, whatever its ratio (tiny XML parts
# full of repeated markup compress very well).
RATIO_MIN_BYTES = 1 * MB

# Inline elements whose text is what the reader sees.
_TEXT_TAGS = {_w("t"), f"{{{MATH}}}t"}
_TAB_TAGS = {_w("tab"), _w("ptab")}
_BREAK_TAGS = {_w("br"), _w("cr")}
_CHAR_TAGS = {_w("noBreakHyphen"): "-"}
# Subtrees never shown as text: properties, deleted or moved-away revisions, field
# instructions, footnote/comment references, content-control properties.
_SKIP_TAGS = {
    PPR, RPR, TRPR, TCPR, _w("tblPr"), _w("tblGrid"), _w("sdtPr"), _w("sdtEndPr"),
    _w("del"), _w("moveFrom"), _w("delText"), _w("instrText"), _w("delInstrText"),
    _w("softHyphen"), _w("footnoteReference"), _w("endnoteReference"),
    _w("commentReference"), _w("annotationRef"), _w("lastRenderedPageBreak"),
    SECTPR, _w("customXmlPr"), _w("smartTagPr"),
}

# Bullet levels: a normal dash or plus is kept; every other glyph (Symbol/Wingdings
# private-use characters, "•", "o", "§", arrows) is shown as "-".
LITERAL_BULLETS = {"-", "+"}
BULLET_LABEL = "-"
HEADING_STYLE = re.compile(r"^(heading\s*[1-9]|title)$", re.IGNORECASE)
NUM_FIELD = re.compile(r"%([1-9])")
MAX_STYLE_DEPTH = 32
MAX_LEVELS = 9
