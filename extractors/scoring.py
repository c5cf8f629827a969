"""``vanban eval``: extracted facts against hand-written gold (tests/gold/README.md).

Matching is one-to-one and forgiving about form, strict about substance:
- references: same document (symbol; else type + number; else type + title) in order;
- dates: the multiset of values;
- duties: the gold quote (the duty's opening words) inside a predicted duty's text,
  in document order; then lead owners, owners (lead ∪ support) and deadlines are
  scored on the matched pairs.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from extractors.evaluate import METADATA_FIELDS, field_matches, norm_value
from pipeline.document.normalize import fold

KINDS = ("metadata", "header", "header_docs", "signature", "references", "dates", "duties",
         "lead", "owners", "deadlines", "lead_of_gold", "deadlines_given", "deadline_source")
HEADER_FIELDS = ("doc_type", "number", "symbol", "issuer", "date", "title", "signer.name")
"""The header fields measured on documents from other offices: type, number, symbol,
issuer, date, title, signer (``header``: field accuracy; ``header_docs``: documents with
every one of them right)."""
SIGNATURE_FIELDS = ("signature.signed_by", "signature.signed_at")


@dataclass
class Tally:
    tp: int = 0
    pred: int = 0
    gold: int = 0

    def add(self, other: "Tally") -> None:
        self.tp += other.tp
        self.pred += other.pred
        self.gold += other.gold

    @property
    def precision(self) -> float:
        return self.tp / self.pred if self.pred else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _key_text(s: str | None) -> str:
    return re.sub(r"[\s\-–—_.,;:()“”\"']+", " ", fold(s or "")).strip()


def _sym(s: str | None) -> str:
    return re.sub(r"\s+", "", fold(s or "")).replace("đ", "d")


def ref_key(r: dict) -> tuple:
    if r.get("symbol"):
        return ("sym", _sym(r["symbol"]))
    if r.get("number"):
        return ("num", (r.get("doc_type") or "").lower(), r["number"])
    return ("title", (r.get("doc_type") or "").lower(), _key_text(r.get("title")))


def match_references(pred: list[dict], gold: list[dict]) -> tuple[Tally, list[tuple[dict, dict]]]:
    used: set[int] = set()
    pairs = []
    for g in gold:
        k = ref_key(g)
        for i, p in enumerate(pred):
            if i not in used and ref_key(p) == k:
                used.add(i)
                pairs.append((p, g))
                break
    return Tally(len(pairs), len(pred), len(gold)), pairs


def match_dates(pred: list[dict], gold: list[dict]) -> Tally:
    pv = Counter(d.get("value") for d in pred if d.get("value"))
    gv = Counter(d.get("value") for d in gold if d.get("value"))
    return Tally(sum((pv & gv).values()), sum(pv.values()), sum(gv.values()))


def match_duties(pred: list[dict], gold: list[dict]) -> list[tuple[dict, dict]]:
    texts = [_key_text(p.get("text")) for p in pred]
    used: set[int] = set()
    pairs = []
    for g in gold:
        q = _key_text(g.get("quote"))
        if not q:
            continue
        cands = [i for i, t in enumerate(texts) if i not in used and q in t]
        if not cands and ":" in (g.get("quote") or ""):
            # "Sở X: Làm Y" — the head is the owner; the duty's text may start after it
            q2 = _key_text(g["quote"].split(":", 1)[1])
            cands = [i for i, t in enumerate(texts) if i not in used and q2 and q2 in t]
        if not cands:
            q6 = " ".join(q.split()[:6])
            cands = [i for i, t in enumerate(texts) if i not in used and q6 and t.find(q6) >= 0]
        if cands:
            best = min(cands, key=lambda i: texts[i].find(q[:30]))
            used.add(best)
            pairs.append((pred[best], g))
    return pairs


def _same_owner(a: str, b: str) -> bool:
    x, y = _key_text(norm_value(a)), _key_text(norm_value(b))
    return bool(x and y) and (x == y or x in y or y in x)


def owner_sets_equal(pred: list[str], gold: list[str]) -> bool:
    return all(any(_same_owner(p, g) for p in pred) for g in gold) and \
        all(any(_same_owner(p, g) for g in gold) for p in pred)


def owner_tally(pred: list[str], gold: list[str]) -> Tally:
    tp = sum(1 for g in gold if any(_same_owner(p, g) for p in pred))
    return Tally(tp, len(pred), len(gold))


def evaluate(gold_dir: Path, corpus_dir: Path, extract) -> dict[str, Tally | dict]:
    """Score ``extract(path) -> vanban.document/1 dict`` on every gold file."""
    totals: dict[str, Tally] = {k: Tally() for k in KINDS}
    meta_pairs = []
    per_doc: dict[str, dict[str, Tally]] = {}
    for gpath in sorted(gold_dir.glob("*.json")):
        gold = json.loads(gpath.read_text("utf-8"))
        doc = extract(corpus_dir / gold["document"])
        complete = gold.get("complete", {})
        mine: dict[str, Tally] = {}
        if complete.get("references"):
            mine["references"], _ = match_references(doc["references"], gold.get("references", []))
        if complete.get("dates"):
            mine["dates"] = match_dates(doc.get("dates", []), gold.get("dates", []))
        pairs = match_duties(doc["tasks"], gold.get("duties", []))
        if complete.get("duties"):
            mine["duties"] = Tally(len(pairs), len(doc["tasks"]), len(gold.get("duties", [])))
        mine["lead"] = Tally(sum(owner_sets_equal(p["lead"], g["lead"]) for p, g in pairs),
                             len(pairs), len(pairs))
        own = Tally()
        for p, g in pairs:
            own.add(owner_tally(p["lead"] + p["support"], g["lead"] + g.get("support", [])))
        mine["owners"] = own
        mine["deadlines"] = Tally(sum(p.get("deadline") == g.get("deadline") for p, g in pairs),
                                  len(pairs), len(pairs))
        if complete.get("duties"):
            gold_duties = gold.get("duties", [])
            right_lead = sum(owner_sets_equal(p["lead"], g["lead"]) for p, g in pairs)
            mine["lead_of_gold"] = Tally(right_lead, len(gold_duties), len(gold_duties))
            given = [(p, g) for p, g in pairs if g.get("deadline")]
            n_given = sum(1 for g in gold_duties if g.get("deadline"))
            mine["deadlines_given"] = Tally(sum(p.get("deadline") == g["deadline"]
                                                for p, g in given), n_given, n_given)
            sourced = [(p, g) for p, g in pairs if "deadline_source" in g]
            mine["deadline_source"] = Tally(
                sum(p.get("deadline_source") == g["deadline_source"] for p, g in sourced),
                len(sourced), len(sourced))
        for k, t in mine.items():
            totals[k].add(t)
        per_doc[gold["document"]] = mine
        golden = gold_dir.parent / "golden" / f"{Path(gold['document']).stem}.json"
        if golden.exists():
            meta_pairs.append((gold["document"], doc["metadata"],
                               json.loads(golden.read_text("utf-8"))))
    meta, header, docs, sig = Tally(), Tally(), Tally(), Tally()
    for name, p, g in meta_pairs:
        for f in METADATA_FIELDS:
            meta.add(Tally(int(field_matches(p, g, f)), 1, 1))
        right = [field_matches(p, g, f) for f in HEADER_FIELDS]
        header.add(Tally(sum(right), len(right), len(right)))
        docs.add(Tally(int(all(right)), 1, 1))
        per_doc[name]["header"] = Tally(sum(right), len(right), len(right))
        if "signature" in g:
            sig.add(Tally(sum(field_matches(p, g, f) for f in SIGNATURE_FIELDS),
                          len(SIGNATURE_FIELDS), len(SIGNATURE_FIELDS)))
    totals.update(metadata=meta, header=header, header_docs=docs, signature=sig)
    return {"totals": totals, "per_doc": per_doc}
