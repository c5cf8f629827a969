"""The numbered outline: ``I.`` / ``1.`` / ``1.1.`` / ``a)`` / ``-`` → a tree with ids
like ``IV.1.b``.

Which level a label style sits at is not fixed in these documents (a letter may sit
under a Roman numeral or under ``1.``), so levels are found with a stack: a style
already open closes back to it (a sibling); a new style opens below the current item,
after closing any open styles that rank below it (``a)`` after a ``-`` bullet is a
sibling of that bullet's parent's children, not a child of the bullet).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from pipeline.document.doctypes import type_line_re
from pipeline.document.model import Block, OutlineNode

_RECIPIENTS = re.compile(r"^\W*Nơi\s*nhận\s*:?", re.I)
_RULE = re.compile(r"^[\s\-_–—=*.·•]{3,}$")
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def roman_value(s: str) -> int | None:
    total, prev = 0, 0
    for ch in reversed(s.upper()):
        v = _ROMAN.get(ch)
        if v is None:
            return None
        total = total - v if v < prev else total + v
        prev = max(prev, v)
    return total


@lru_cache(maxsize=1)
def _styles() -> list[tuple[str, re.Pattern[str]]]:
    raw = resources.files("pipeline.data").joinpath("outline_labels.tsv").read_text("utf-8")
    out = []
    for line in raw.splitlines():
        if line.strip() and not line.startswith("#"):
            style, rx = line.split("\t", 1)
            out.append((style, re.compile(r"^\s*" + rx)))
    return out


def _rank() -> dict[str, int]:
    return {s: i for i, (s, _) in enumerate(_styles())}


@dataclass(frozen=True)
class Label:
    style: str
    value: str   # "IV", "1", "1.2", "b", "-"
    printed: str  # "IV-", "1.", "b)"
    end: int      # offset just past the label in the paragraph


def label_at(text: str) -> Label | None:
    """The outline label at the start of ``text``, if any."""
    for style, rx in _styles():
        m = rx.match(text)
        if not m:
            continue
        n = m.group("n")
        if style == "roman" and (roman_value(n) is None or roman_value(n) > 40):
            continue
        if style == "dec" and int(n) > 99:
            continue
        return Label(style, n, m.group("label").strip(), m.end("label"))
    return None


_SEGMENT_PREFIX = {"phan": "P", "chuong": "C", "muc": "M", "dieu": "D"}


_ORDINALS = {"nhất": "1", "hai": "2", "ba": "3", "tư": "4", "bốn": "4", "năm": "5", "sáu": "6",
             "bảy": "7", "tám": "8", "chín": "9", "mười": "10"}


def _segment(label: Label, counter: int) -> str:
    if label.style in ("dash", "plus"):
        return f"-{counter}"
    if label.style in ("dec2", "dec3"):
        return label.value.split(".")[-1]
    prefix = _SEGMENT_PREFIX.get(label.style, "")
    value = label.value
    if value.lower().startswith("thứ"):  # "Phần thứ nhất" → P1
        value = _ORDINALS.get(value.split()[-1].lower(), value.split()[-1])
    return prefix + value


def build_outline(text: str, blocks: tuple[Block, ...]) -> tuple[OutlineNode, ...]:
    """Outline tree over the paragraph blocks of one normalised text."""
    rank = _rank()
    # each open entry: [style, node-dict, bullet-counter-for-children]
    stack: list[dict] = []
    roots: list[dict] = []

    def close(entry: dict, end: int) -> None:
        entry["end"] = end

    suspended = False  # after "Nơi nhận": recipients and signature are not the outline
    for i, b in enumerate(blocks):
        if _RECIPIENTS.match(b.text):
            suspended = True
            while stack:
                close(stack.pop(), b.start)
            continue
        if type_line_re().match(b.text):
            suspended = False
            while stack:  # an attached document (the plan a decision issues) starts anew
                close(stack.pop(), b.start)
            continue
        if suspended or b.kind == "table_cell" or _RULE.match(b.text):
            continue
        lab = label_at(b.text)
        if lab is None:
            continue
        if any(e["style"] == lab.style for e in stack):
            while stack[-1]["style"] != lab.style:
                close(stack.pop(), b.start)
            close(stack.pop(), b.start)
        else:
            while stack and rank[stack[-1]["style"]] > rank[lab.style]:
                close(stack.pop(), b.start)
        parent = stack[-1] if stack else None
        siblings = parent["children"] if parent else roots
        bullet_n = sum(1 for s in siblings if s["style"] == lab.style) + 1
        seg = _segment(lab, bullet_n)
        node_id = f"{parent['id']}.{seg}" if parent else seg
        if any(s["id"] == node_id for s in siblings):  # a repeated label: keep ids unique
            node_id = f"{node_id}~{bullet_n}"
        title = b.text[lab.end:].strip(" .:-–\n").split("\n", 1)[0][:200]
        if not title and i + 1 < len(blocks) and blocks[i + 1].kind != "table_cell":
            title = blocks[i + 1].text.split("\n", 1)[0][:200]  # "Chương I" / "QUY ĐỊNH CHUNG"
        entry = {"style": lab.style, "id": node_id, "label": lab.printed, "title": title,
                 "start": b.start, "head_end": b.end, "end": len(text), "children": []}
        siblings.append(entry)
        stack.append(entry)
    while stack:
        close(stack.pop(), len(text))

    def freeze(entry: dict, level: int) -> OutlineNode:
        return OutlineNode(
            id=entry["id"], label=entry["label"], level=level, title=entry["title"],
            start=entry["start"], end=entry["end"], head_end=entry["head_end"],
            children=tuple(freeze(c, level + 1) for c in entry["children"]),
        )

    return tuple(freeze(r, 1) for r in roots)
