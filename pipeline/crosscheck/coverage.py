"""Coverage of one duty by one owner's reports: passages, BM25 ranking, decision.

A report is split into passages (its blocks, with the outline section each sits in).
Passages are ranked for a duty with BM25 over underthesea-segmented words, plus a
bonus when the passage's section title shares terms with the duty. A passage is
evidence only when it shares the duty's *specific* terms (generic verbs and report
boilerplate from ``data/coverage_cues.tsv`` do not count). Partial cues in the
evidence make the coverage ``partial``.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from extractors.words import segment
from pipeline.crosscheck.model import Coverage
from pipeline.document.collation import vi_key
from pipeline.document.model import Document


CUES_FILE = Path(__file__).resolve().parent.parent / "data" / "coverage_cues.tsv"
K1, B = 1.5, 0.75
SECTION_BONUS = 0.3
NEED_AT_MOST = 99  # no cap: tried 5, long duties then passed on a few common words
_DELIVERABLE = re.compile(r"(?i)\b(?:xây dựng|ban hành)\s+(?:và\s+)?(kế hoạch|đề án|quy chế|"
                          r"chương trình|văn bản|báo cáo)")


@dataclass(frozen=True)
class Cues:
    partial: tuple[str, ...]
    future: tuple[str, ...]
    generic: frozenset[str]
    stop: frozenset[str] = frozenset()


@lru_cache(maxsize=1)
def load_cues(path: Path = CUES_FILE) -> Cues:
    """Partial cues, next-step section cues and generic terms from the TSV."""
    rows: dict[str, list[str]] = {"partial": [], "future": [], "generic": [], "stop": []}
    for line in path.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, _, phrase = line.partition("\t")
        rows.setdefault(kind.strip(), []).append(phrase.strip().lower())
    return Cues(tuple(rows["partial"]), tuple(rows["future"]),
                frozenset(rows["generic"]) | frozenset(rows["stop"]), frozenset(rows["stop"]))


def tokens(text: str) -> list[str]:
    """Content words of ``text``: segmented, lower case, letters only, generic ones kept
    (filtering happens per use so BM25 sees true lengths)."""
    return list(_tokens(text))


@lru_cache(maxsize=20000)
def _tokens(text: str) -> tuple[str, ...]:
    out = []
    for w in segment(text):
        w = w.lower().strip()
        if len(w) > 1 and any(c.isalpha() for c in w):
            out.append(w)
    return tuple(out)


@dataclass(slots=True)
class Passage:
    report: str  # report label (symbol or file name)
    text: str
    start: int
    end: int
    section: str  # title path of the outline section it sits in
    future: bool  # in a "next steps" section
    toks: Sequence[str] = field(default_factory=list)
    sec_toks: frozenset[str] | set[str] = field(default_factory=set)
    date: str | None = None
    place: str = ""  # the section in the report's own numbering: "Mục I.2"
    _tf: Counter[str] | None = field(default=None, init=False, repr=False, compare=False)

    def tf(self) -> Counter[str]:
        """Term frequencies of :attr:`toks` (counted once: a report's passages are
        ranked for every duty of every plan it answers)."""
        if self._tf is None:
            self._tf = Counter(self.toks)
        return self._tf


def passages(label: str, doc: Document, plan_symbol: str | None, date: str | None) -> list[Passage]:
    """The report's body passages (blocks of ≥ 25 characters), with their section."""
    cues = load_cues()
    nodes = doc.flat_outline()
    first = min((n.start for n in nodes), default=0)
    out: list[Passage] = []
    sections: dict[tuple[int, ...], tuple[str, bool, frozenset[str], str]] = {}
    for b in doc.blocks:
        text = b.text.strip()
        if re.match(r"(?i)nơi nhận", text):
            break  # the distribution list and signature
        if len(text) < 25 or b.start < first:
            continue
        if plan_symbol and re.match(r"(?i)(thực hiện|căn cứ|theo)\b", text) and \
                plan_symbol.replace(" ", "") in text[:200].replace(" ", ""):
            continue  # the opening that cites the plan speaks of everything at once
        if any(n.start == b.start and n.end > b.end + 1 and len(text) < 150 for n in nodes):
            continue  # a heading: its words count through the section bonus instead
        path = tuple(i for i, n in enumerate(nodes) if n.start <= b.start < n.end)
        if path not in sections:  # one string and term set per section, shared
            titles = [(n.label + " " + n.title[:60].rsplit(" ", 1)[0] if len(n.title) > 60
                       else n.label + " " + n.title).strip() for n in (nodes[i] for i in path)]
            sec = " › ".join(titles)
            low = " ".join(titles).lower()
            labels = [n.label.strip().rstrip(".)").strip() for n in (nodes[i] for i in path)]
            labels = [x for x in labels if re.fullmatch(r"\w+", x)]  # not "-" or "+"
            where = "Mục " + ".".join(x for x in labels if x) if any(labels) else ""
            sections[path] = (sec, any(c in low for c in cues.future),
                              frozenset(_tokens(sec)) - cues.generic if sec else frozenset(),
                              where)
        sec, fut, sec_toks, where = sections[path]
        # the token tuple is the one _tokens keeps: shared, not copied (a report's
        # passages stay in memory while it answers plans, see check.pool)
        out.append(Passage(label, text, b.start, b.end, sec, fut, _tokens(text), sec_toks,
                           date, where))
    return out


def key_terms(duty_text: str, plan_title: str | None, owners: Sequence[str] = ()
              ) -> tuple[set[str], set[str], bool]:
    """(specific terms, plan-wide terms, strict) of a duty: non-generic words, split by
    whether they also occur in the plan's title (those speak of the whole plan). The
    words of the duty's owners' names are not among them ("Các Sở, ngành, UBND các
    huyện … tổ chức tuyên truyền …": what is done, not who). A duty made only of generic
    words falls back to its non-stop words (``strict`` False)."""
    cues = load_cues()
    title = set(tokens(plan_title or ""))
    who = set(tokens(" , ".join(owners)))
    words = set(tokens(duty_text)) - cues.generic - who
    if len(words - title) >= 2:
        return words - title, words & title, True
    words = set(tokens(duty_text)) - cues.stop - who
    return words - title, words & title, False


def has_cue(text: str, cues: tuple[str, ...]) -> str | None:
    """The first partial cue in ``text`` (not one negated by a preceding "đã")."""
    low = text.lower()
    for c in cues:
        for m in re.finditer(rf"(?<!\w){re.escape(c)}(?!\w)", low):
            if c.startswith("tiếp tục") and "đã" in low[max(0, m.start() - 12):m.start()]:
                continue
            return c
    return None


_SENTENCE = re.compile(r"[^.;!?\n]+(?:[.;!?]+|\n|$)")


def about(text: str, terms) -> str:
    """The sentences of ``text`` that hold one of ``terms``: a partial cue counts only
    there ("Hình thức tuyên truyền chưa đa dạng" in another sentence says nothing of
    this duty). The whole text when no sentence holds one (the terms are the heading's)."""
    low = text.lower()
    sents = [m.group() for m in _SENTENCE.finditer(low)]
    hits = [sum(1 for t in terms if re.search(rf"(?<!\w){re.escape(t)}(?!\w)", x))
            for x in sents]
    best = max(hits, default=0)
    if not best:
        return low
    # the sentences that speak of the duty as much as the best one does (half its words)
    return " ".join(x for x, h in zip(sents, hits) if h and h >= math.ceil(best / 2))


def bm25(query: list[str], tfs: list[Counter[str]]) -> list[float]:
    """Okapi BM25 of ``query`` against each document's term frequencies in ``tfs``."""
    n = len(tfs)
    if not n:
        return []
    lens = [tf.total() for tf in tfs]
    avg = sum(lens) / n or 1.0
    terms = set(query)
    df = Counter(q for tf in tfs for q in terms if q in tf)
    idf = {q: math.log(1 + (n - df[q] + 0.5) / (df[q] + 0.5)) for q in terms}
    scores = []
    for tf, length in zip(tfs, lens):
        s = 0.0
        norm = K1 * (1 - B + B * length / avg)
        for q in terms:
            f = tf.get(q)
            if f:
                s += idf[q] * f * (K1 + 1) / (f + norm)
        scores.append(s)
    return scores


@dataclass
class Decision:
    coverage: Coverage
    evidence: list[Passage]
    reason: str
    score: float = 0.0
    terms: frozenset[str] = frozenset()  # the duty's words the evidence shares (to mark)


def decide(duty_text: str, plan_title: str | None, section_title: str | None,
           pool: list[Passage], owners: Sequence[str] = ()) -> Decision:
    """addressed / partial / not_addressed for a duty over an owner's passages."""
    cues = load_cues()
    if not pool:
        return Decision(Coverage.NOT_ADDRESSED, [], "báo cáo không có đoạn nội dung")
    spec, wide, strict = key_terms(duty_text, plan_title, owners)
    deliverable = _DELIVERABLE.search(duty_text)
    query = [t for t in tokens(duty_text) if t in spec or t in wide]
    scores = bm25(query, [p.tf() for p in pool])
    sect = spec | (set(tokens(section_title or "")) - cues.generic)
    ranked = []
    for p, s in zip(pool, scores):
        toks = p.tf().keys()
        hit_spec = spec & (toks | p.sec_toks)  # a passage speaks of its heading's subject
        hit_wide = wide & toks
        extra = 0
        if deliverable and hit_wide and re.search(
                rf"(?i)\b(?:ban hành|xây dựng)\s+(?:\w+\s+){{0,2}}{deliverable.group(1)}", p.text):
            extra = 2  # the duty's deliverable (a plan, a scheme …) reported as issued
        bonus = SECTION_BONUS if p.sec_toks & sect else 0.0
        ranked.append((s * (1 + bonus), len(hit_spec) + extra, len(hit_wide), p, hit_spec))
    ranked.sort(key=lambda r: -r[0])
    need = (min(NEED_AT_MOST, max(2, math.ceil(0.3 * len(spec)))) if len(spec) >= 3 else 1) \
        if strict else max(3, len(spec) // 2)
    good = [r for r in ranked if not r[3].future and r[1] >= need and
            (r[1] + 0.5 * r[2]) >= min(3.0, 0.15 * (len(spec) + len(wide)) + 1)]
    if not good:
        best = max(ranked, key=lambda r: r[1], default=None)
        why = (f"không đoạn nào nêu đủ từ khóa riêng của nhiệm vụ (nhiều nhất trùng "
               f"{len(best[4])} trong {len(spec)} từ khóa riêng"
               + (f": {_listing(best[4])})" if best[4] else ")")) if best \
            else "báo cáo không có đoạn nào nói về nhiệm vụ"
        return Decision(Coverage.NOT_ADDRESSED, [], why, best[0] if best else 0.0)
    score, hits, _, p, hit_spec = good[0]
    cue = has_cue(about(p.text, hit_spec), cues.partial)
    ev = [p]
    if not cue:  # a duty in several parts: another strong passage may report one part undone
        for s2, h2, _w, p2, hs2 in ranked[1:6]:
            c2 = None if p2.future else has_cue(about(p2.text, hs2), cues.partial)
            if c2 and ((s2 >= 0.5 * score and h2 >= 0.5 * hits)
                       or (h2 >= 3 and len(hs2 - hit_spec) >= 2)):
                cue, ev = c2, [p, p2]  # a part the best passage does not speak of
                break
    marks = frozenset(hit_spec | (wide & set(p.tf())))
    shared = f"trùng {len(marks)} trong {len(spec | wide)} từ khóa: {_listing(marks)}"
    if cue:
        return Decision(Coverage.PARTIAL, ev, f"{shared}; có từ “{cue}”", score, marks)
    return Decision(Coverage.ADDRESSED, ev, f"{shared}; không có từ nào cho thấy việc còn dở dang",
                    score, marks)


def _listing(terms, most: int = 5) -> str:
    """Some of the terms, in Vietnamese order, for a reason a reviewer reads."""
    got = sorted(terms, key=vi_key)
    return ", ".join(got[:most]) + (" …" if len(got) > most else "")
