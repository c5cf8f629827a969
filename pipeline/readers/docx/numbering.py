"""Word auto-numbering: styles, ``numbering.xml`` levels and counters → visible labels
("1.", "a)", "IV.", "-"). Counters follow Word: lists sharing an abstract definition
share counters, a start override restarts, deeper levels restart when a shallower one
moves on (unless ``lvlRestart`` says otherwise)."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable, Iterator

from lxml import etree

from pipeline.readers.docx.ooxml import (
    BULLET_LABEL,
    HEADING_STYLE,
    LITERAL_BULLETS,
    MAX_LEVELS,
    MAX_STYLE_DEPTH,
    NUM_FIELD,
    PPR,
    VAL,
    child_val,
    is_on,
    is_on_attr,
    to_int,
    wtag,
)

# ---------------------------------------------------------------- number formats

def _roman(n: int) -> str:
    if n <= 0 or n >= 4000:
        return str(n)
    out = []
    for value, digits in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                          (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"),
                          (5, "V"), (4, "IV"), (1, "I")):
        count, n = divmod(n, value)
        out.append(digits * count)
    return "".join(out)


def _letter(n: int) -> str:
    """Word's letter sequence: a..z, aa..zz, aaa..."""
    if n <= 0:
        return ""
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


NUMBER_FORMATS: dict[str, Callable[[int], str]] = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "lowerLetter": _letter,
    "upperLetter": lambda n: _letter(n).upper(),
    "lowerRoman": lambda n: _roman(n).lower(),
    "upperRoman": _roman,
    "decimalEnclosedParen": lambda n: f"({n})",
    "decimalEnclosedFullstop": lambda n: f"{n}.",
    "none": lambda n: "",
    "bullet": lambda n: "",
}


def format_number(n: int, fmt: str) -> str:
    """``n`` in Word's ``w:numFmt`` ``fmt``; unknown formats fall back to decimal."""
    return NUMBER_FORMATS.get(fmt, str)(n)


def bullet_label(lvl_text: str) -> str | None:
    """The label shown for a bullet level's ``w:lvlText``."""
    glyph = lvl_text.strip()
    if not glyph:
        return None
    return glyph if glyph in LITERAL_BULLETS else BULLET_LABEL


class Styles:
    """Paragraph styles: their numbering and whether they are headings."""

    def __init__(self, root: etree._Element | None):
        self.by_id: dict[str, etree._Element] = {}
        self.default: str | None = None
        if root is None:
            return
        for st in root.iterfind(wtag("style")):
            sid = st.get(wtag("styleId"))
            if sid is None:
                continue
            self.by_id[sid] = st
            if st.get(wtag("type")) == "paragraph" and is_on_attr(st.get(wtag("default"))):
                self.default = sid

    def chain(self, sid: str | None) -> Iterator[tuple[str, etree._Element]]:
        """The style and its ``basedOn`` ancestors, nearest first."""
        seen: set[str] = set()
        while sid and sid in self.by_id and sid not in seen and len(seen) < MAX_STYLE_DEPTH:
            seen.add(sid)
            st = self.by_id[sid]
            yield sid, st
            sid = child_val(st, "basedOn")

    def num_pr(self, sid: str | None) -> tuple[str | None, str | None, str | None]:
        """(numId, ilvl, id of the style that holds them) from the style chain."""
        for owner, st in self.chain(sid):
            num_pr = st.find(f"{PPR}/{wtag('numPr')}")
            if num_pr is not None:
                return child_val(num_pr, "numId"), child_val(num_pr, "ilvl"), owner
        return None, None, None

    def is_heading(self, sid: str | None) -> bool:
        """Style "Heading N"/"Title" or based on one. (Direct ``w:outlineLvl`` is not
        used: real documents put it on ordinary paragraphs and bullets.)"""
        return any(HEADING_STYLE.match(child_val(st, "name") or "") for _, st in self.chain(sid))


# ---------------------------------------------------------------- numbering

@dataclass(frozen=True)
class Level:
    """One ``w:lvl``: number format, label template, start value, restart rule."""

    fmt: str = "decimal"
    text: str = ""
    start: int = 0
    restart: int | None = None  # w:lvlRestart: 1-based level that restarts it; 0 = never
    legal: bool = False          # w:isLgl: show every level as decimal
    style: str | None = None     # w:pStyle: paragraph style bound to this level


def _parse_level(lvl: etree._Element, base: Level | None = None) -> Level:
    base = base or Level()
    text_el = lvl.find(wtag("lvlText"))
    return Level(
        fmt=child_val(lvl, "numFmt") or base.fmt,
        text=text_el.get(VAL, "") if text_el is not None else base.text,
        start=to_int(child_val(lvl, "start"), base.start),
        restart=to_int(child_val(lvl, "lvlRestart"), base.restart),
        legal=is_on(lvl.find(wtag("isLgl"))) or base.legal,
        style=child_val(lvl, "pStyle") or base.style,
    )


@dataclass(frozen=True)
class NumDef:
    """A resolved ``w:num``: the counter it shares and its effective levels."""

    key: str                      # abstractNumId whose counters it uses
    levels: dict[int, Level]
    start_overrides: tuple[int, ...]  # levels restarted when this num is first used


class Numbering:
    """Definitions from ``numbering.xml`` plus the running counters of one story.

    Counters live per abstractNum (Word continues a list across ``w:num`` instances
    of the same abstractNum); a ``w:num`` with ``w:startOverride`` restarts the
    overridden levels the first time it is used. Using a level resets the deeper
    levels unless their ``w:lvlRestart`` says otherwise.
    """

    def __init__(self, root: etree._Element | None, styles: Styles):
        self.styles = styles
        self.abstract: dict[str, etree._Element] = {}
        self.nums: dict[str, etree._Element] = {}
        if root is not None:
            for el in root.iterfind(wtag("abstractNum")):
                self.abstract[el.get(wtag("abstractNumId"), "")] = el
            for el in root.iterfind(wtag("num")):
                self.nums[el.get(wtag("numId"), "")] = el
        self._defs: dict[str, NumDef | None] = {}
        self.counts: dict[str, list[int | None]] = {}
        self.started: set[str] = set()

    def fresh(self) -> "Numbering":
        """Same definitions, counters at zero (for a header or footer story)."""
        other = Numbering(None, self.styles)
        other.abstract, other.nums, other._defs = self.abstract, self.nums, self._defs
        return other

    def _abstract_levels(self, abs_id: str, depth: int = 0) -> tuple[str, dict[int, Level]] | None:
        el = self.abstract.get(abs_id)
        if el is None or depth > 4:
            return None
        link = child_val(el, "numStyleLink")
        if link:  # levels live in the abstractNum behind the numbering style
            num_id, _, _ = self.styles.num_pr(link)
            num = self.nums.get(num_id or "")
            target = child_val(num, "abstractNumId") if num is not None else None
            if target is not None and target != abs_id:
                return self._abstract_levels(target, depth + 1)
        levels = {}
        for lvl in el.iterfind(wtag("lvl")):
            ilvl = to_int(lvl.get(wtag("ilvl")))
            if ilvl is not None and 0 <= ilvl < MAX_LEVELS:
                levels[ilvl] = _parse_level(lvl)
        return abs_id, levels

    def definition(self, num_id: str) -> NumDef | None:
        if num_id in self._defs:
            return self._defs[num_id]
        num = self.nums.get(num_id)
        resolved = None
        if num is not None:
            found = self._abstract_levels(child_val(num, "abstractNumId") or "")
            if found is not None:
                key, levels = found
                levels = dict(levels)
                restarts = []
                for ov in num.iterfind(wtag("lvlOverride")):
                    ilvl = to_int(ov.get(wtag("ilvl")))
                    if ilvl is None or not 0 <= ilvl < MAX_LEVELS:
                        continue
                    lvl = ov.find(wtag("lvl"))
                    if lvl is not None:  # Word ignores lvlRestart inside an override
                        base = levels.get(ilvl, Level())
                        levels[ilvl] = replace(_parse_level(lvl, base), restart=base.restart)
                    start = to_int(child_val(ov, "startOverride"))
                    if start is not None:
                        levels[ilvl] = replace(levels.get(ilvl, Level()), start=start)
                        restarts.append(ilvl)
                resolved = NumDef(key, levels, tuple(sorted(restarts)))
        self._defs[num_id] = resolved
        return resolved

    def level_for_style(self, num_id: str, style: str | None) -> int | None:
        """The level whose ``w:pStyle`` names ``style`` (styles bound to list levels)."""
        d = self.definition(num_id)
        if d is None or style is None:
            return None
        for ilvl, lvl in sorted(d.levels.items()):
            if lvl.style == style:
                return ilvl
        return None

    def next_label(self, num_id: str, ilvl: int) -> str | None:
        """Advance the counters for one numbered paragraph and return its label."""
        d = self.definition(num_id)
        if d is None or ilvl not in d.levels:
            return None
        counts = self.counts.setdefault(d.key, [None] * MAX_LEVELS)
        if num_id not in self.started:
            self.started.add(num_id)
            if d.start_overrides:
                for k in range(d.start_overrides[0], MAX_LEVELS):
                    counts[k] = None
        counts[ilvl] = d.levels[ilvl].start if counts[ilvl] is None else counts[ilvl] + 1
        for k in range(ilvl + 1, MAX_LEVELS):
            restart = d.levels[k].restart if k in d.levels else None
            if restart is None or (restart != 0 and ilvl < restart):
                counts[k] = None
        return self._render(d, counts, ilvl)

    @staticmethod
    def _render(d: NumDef, counts: list[int | None], ilvl: int) -> str | None:
        lvl = d.levels[ilvl]
        if lvl.fmt == "bullet":
            return bullet_label(lvl.text)

        def number(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            ref = d.levels.get(k, Level())
            n = counts[k] if counts[k] is not None else ref.start
            fmt = "decimal" if lvl.legal and ref.fmt not in ("none", "bullet") else ref.fmt
            return format_number(n, fmt)

        label = NUM_FIELD.sub(number, lvl.text).strip()
        return label or None


# ---------------------------------------------------------------- the walker
