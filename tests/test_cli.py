"""The ``vanban`` command as a user runs it: a real subprocess, real files."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import CORPUS, ROOT

VANBAN = [sys.executable, "-m", "flows.cli"]


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([*VANBAN, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_extract_json_follows_the_contract():
    res = run("extract", "corpus/kh_580_ubnd-haiduong_2020.txt", "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["schema"] == "vanban.document/1"
    assert doc["source"]["path"] == "corpus/kh_580_ubnd-haiduong_2020.txt"
    assert doc["source"]["format"] == "txt" and len(doc["source"]["sha256"]) == 64
    meta = doc["metadata"]
    assert meta["symbol"] == "580/KH-UBND" and meta["date"] == "2020-03-02"
    assert meta["signer"] == {"name": "Lương Văn Cầu", "position": "Phó Chủ tịch",
                              "authority": "KT. Chủ tịch"}
    for key in ("references", "tasks", "findings"):
        assert isinstance(doc[key], list)
    # spans point into the normalised text that `vanban text` prints
    text = run("text", "corpus/kh_580_ubnd-haiduong_2020.txt").stdout[:-1]
    s, e = meta["spans"]["symbol"]
    assert text[s:e] == "580/KH-UBND"


def test_outline_command():
    res = run("outline", "corpus/kh_580_ubnd-haiduong_2020.txt")
    assert res.returncode == 0
    assert any(line.split()[0] == "IV.1.b" for line in res.stdout.splitlines() if line.strip())


def test_bad_input_one_line_nonzero(tmp_path):
    cases = {
        "empty.txt": b"",
        "garbage.txt": bytes(range(256)) * 40,
        "notazip.docx": b"this is not a zip file at all" * 10,
        "broken.pdf": b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n",
        "thing.xyz": b"hello",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        res = run("extract", str(tmp_path / name), "--json")
        assert res.returncode != 0, name
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1, (name, res.stderr)
        assert name in lines[0] and ": " in lines[0], lines[0]
    res = run("extract", str(tmp_path / "missing.txt"))
    assert res.returncode != 0


def test_directory_run_sets_bad_files_aside_and_goes_on(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a_bad.pdf").write_bytes(b"%PDF-1.4 truncated")
    (inbox / "b_empty.txt").write_bytes(b"")
    (inbox / "kh_580.txt").write_bytes((CORPUS / "kh_580_ubnd-haiduong_2020.txt").read_bytes())
    out = tmp_path / "out"
    res = run("extract-all", str(inbox), "--out", str(out))
    assert (out / "kh_580.json").exists(), res.stdout + res.stderr
    assert "1 văn bản đã trích xuất, 2 để riêng, trong " in res.stdout
    reasons = sorted((out / "quarantine").glob("*.reason.json"))
    assert [p.name for p in reasons] == ["a_bad.reason.json", "b_empty.reason.json"]
    why = json.loads(reasons[1].read_text("utf-8"))
    assert why["reason"] == "tệp rỗng"


def test_pipeline_and_extractors_never_import_prefect():
    code = ("import sys, flows.cli, pipeline.readers, pipeline.outputs, extractors.metadata;"
            "from pipeline.readers import read_document;"
            "read_document('corpus/kh_580_ubnd-haiduong_2020.txt');"
            "print('prefect' in sys.modules)")
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert res.stdout.strip() == "False", res.stderr
