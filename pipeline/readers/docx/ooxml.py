"""WordprocessingML names, constants and element helpers shared by the DOCX reader's
modules."""
from __future__ import annotations

import re

from lxml import etree

from pipeline.readers.common import MB

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
MATH = "http://schemas.openxmlformats.org/officeDocument/2006/math"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def wtag(name: str) -> str:
    """The qualified name of ``w:name``."""
    return f"{{{W}}}{name}"


VAL = wtag("val")
P, TBL, TR, TC, R = wtag("p"), wtag("tbl"), wtag("tr"), wtag("tc"), wtag("r")
PPR, RPR, TRPR, TCPR = wtag("pPr"), wtag("rPr"), wtag("trPr"), wtag("tcPr")
SDT, SDT_CONTENT, CUSTOM_XML = wtag("sdt"), wtag("sdtContent"), wtag("customXml")
TXBX = wtag("txbxContent")
ALT, CHOICE, FALLBACK = f"{{{MC}}}AlternateContent", f"{{{MC}}}Choice", f"{{{MC}}}Fallback"
FLDCHAR, SYM, SECTPR = wtag("fldChar"), wtag("sym"), wtag("sectPr")

OLE_MAGIC = b"\xd0\xcf\x11\xe0"
# A member smaller than this cannot be a bomb, whatever its ratio (tiny XML parts
# full of repeated markup compress very well).
RATIO_MIN_BYTES = 1 * MB

# Inline elements whose text is what the reader sees.
TEXT_TAGS = {wtag("t"), f"{{{MATH}}}t"}
TAB_TAGS = {wtag("tab"), wtag("ptab")}
BREAK_TAGS = {wtag("br"), wtag("cr")}
CHAR_TAGS = {wtag("noBreakHyphen"): "-"}
# Subtrees never shown as text: properties, deleted or moved-away revisions, field
# instructions, footnote/comment references, content-control properties.
SKIP_TAGS = {
    PPR, RPR, TRPR, TCPR, wtag("tblPr"), wtag("tblGrid"), wtag("sdtPr"), wtag("sdtEndPr"),
    wtag("del"), wtag("moveFrom"), wtag("delText"), wtag("instrText"), wtag("delInstrText"),
    wtag("softHyphen"), wtag("footnoteReference"), wtag("endnoteReference"),
    wtag("commentReference"), wtag("annotationRef"), wtag("lastRenderedPageBreak"),
    SECTPR, wtag("customXmlPr"), wtag("smartTagPr"),
}

# Bullet levels: a normal dash or plus is kept; every other glyph (Symbol/Wingdings
# private-use characters, "•", "o", "§", arrows) is shown as "-".
LITERAL_BULLETS = {"-", "+"}
BULLET_LABEL = "-"
HEADING_STYLE = re.compile(r"^(heading\s*[1-9]|title)$", re.IGNORECASE)
NUM_FIELD = re.compile(r"%([1-9])")
MAX_STYLE_DEPTH = 32
MAX_LEVELS = 9


# ---------------------------------------------------------------- element helpers


def child_val(el: etree._Element | None, child: str) -> str | None:
    """``w:val`` of the ``w:child`` element of ``el``, or None."""
    if el is None:
        return None
    found = el.find(wtag(child))
    return None if found is None else found.get(VAL)


def is_on(el: etree._Element | None) -> bool:
    """A WordprocessingML on/off property: present and not val="0/false/off"."""
    return el is not None and el.get(VAL, "true").lower() not in ("0", "false", "off")


def is_on_attr(value: str | None) -> bool:
    """An on/off attribute such as ``w:default="1"``."""
    return value is not None and value.lower() in ("1", "true", "on")


def to_int(value: str | None, default: int | None = None) -> int | None:
    """``value`` as an int; ``default`` when it is missing or not a number."""
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
