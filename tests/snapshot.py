"""Behaviour snapshot: what `vanban` emits on the corpus, to show a refactor changed nothing.

    python tests/snapshot.py dump DIR      # run the commands, keep their outputs under DIR
    python tests/snapshot.py compare A B   # exit 1 and list the differences, else say "same"

`dump` runs `vanban run corpus` (every `<name>.json`, every `gaps/*.json`), `vanban check
--json` on the corpus's two plan/report pairs, and `vanban search --json` for ten queries.
Fields that hold the time of the run (and the run's own folder) are blanked before saving.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-06-30"
QUERIES = ["bình đẳng giới", "binh dang gioi", "1696/QĐ-TTg", "quyet dinh 1696",
           "\"phòng, chống ma túy\"", "Sở Tư pháp", "kế hoạch 580", "tuyên truyền*",
           "ma túy -cai", "thông tư 118"]
CHECKS = [("kh_580_ubnd-haiduong_2020.txt", ["bc_dt-da06-t08_bcd-lamdong_2025.docx"]),
          ("kh_dt-tongket-clqg-pcmt_ubnd-lamdong_2025.doc",
           ["bc_dt-tongket-clqg-pcmt_ubnd-lamdong_2026.docx"])]
VOLATILE = {"at", "made_at", "generated_at", "extracted_at", "indexed_at", "seconds"}


def _scrub(obj, tmp: str):
    if isinstance(obj, dict):
        if isinstance(obj.get("made_from"), dict) and "code" in obj["made_from"]:
            # a gap report's code version: changes with the code (gaps/index.json)
            obj = {**obj, "made_from": {**obj["made_from"], "code": "…"}}
        return {k.replace(tmp, "<tmp>"): ("…" if k in VOLATILE else _scrub(v, tmp))
                for k, v in obj.items()}
    if isinstance(obj, list):
        return [_scrub(x, tmp) for x in obj]
    if isinstance(obj, str):
        return obj.replace(tmp, "<tmp>")
    return obj


def _vanban(*args: str, cwd: Path) -> str:
    exe = Path(sys.executable).with_name("vanban")
    res = subprocess.run([str(exe), *args], cwd=cwd, capture_output=True, text=True,
                         env={**os.environ, "VANBAN_STATE_DIR": str(cwd / ".state")})
    if res.returncode not in (0, 1):
        raise SystemExit(f"vanban {' '.join(args)} failed ({res.returncode}):\n{res.stderr}")
    return res.stdout


def dump(dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vanban-snap-") as t:
        work = Path(t)
        shutil.copytree(ROOT / "corpus", work / "corpus")
        _vanban("run", "corpus", "--out", "out", "--as-of", AS_OF, cwd=work)
        out = work / "out"
        for f in sorted(out.glob("*.json")) + sorted((out / "gaps").glob("*.json")):
            data = _scrub(json.loads(f.read_text("utf-8")), t)
            name = f.name if f.parent == out else f"gaps__{f.name}"
            (dest / name).write_text(json.dumps(data, ensure_ascii=False, indent=1,
                                                sort_keys=True), "utf-8")
        for i, (plan, reports) in enumerate(CHECKS):
            text = _vanban("check", "--plan", f"corpus/{plan}", *[f"corpus/{r}" for r in reports],
                           "--as-of", AS_OF, "--json", cwd=work)
            (dest / f"check__{i}.json").write_text(
                json.dumps(_scrub(json.loads(text), t), ensure_ascii=False, indent=1,
                           sort_keys=True), "utf-8")
        for i, q in enumerate(QUERIES):
            text = _vanban("search", q, "--db", "out/index.db", "--json", cwd=work)
            (dest / f"search__{i}.json").write_text(
                json.dumps(_scrub(json.loads(text), t), ensure_ascii=False, indent=1,
                           sort_keys=True), "utf-8")
    print(f"{len(list(dest.iterdir()))} files in {dest}")


def compare(a: Path, b: Path) -> int:
    names = sorted({p.name for p in a.iterdir()} | {p.name for p in b.iterdir()})
    bad = []
    for n in names:
        pa, pb = a / n, b / n
        if not pa.exists() or not pb.exists():
            bad.append(f"{n}: only in {'B' if not pa.exists() else 'A'}")
        elif pa.read_text("utf-8") != pb.read_text("utf-8"):
            bad.append(f"{n}: differs")
    for line in bad:
        print(line)
    print(f"{len(names)} files compared: " + ("same" if not bad else f"{len(bad)} differ"))
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "dump":
        dump(Path(sys.argv[2]))
    elif len(sys.argv) == 4 and sys.argv[1] == "compare":
        sys.exit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
    else:
        raise SystemExit(__doc__)
