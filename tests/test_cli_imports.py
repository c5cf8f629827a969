"""What `vanban search`, `cites`, `cited-by` and `not-held` load (issue 21): an archivist's
script calls them hundreds of times, so they import none of the extraction's, the flow's or
the web app's libraries, and do not hash the extraction's code. Checked in a real process
on a tiny index; the time per call is measured by benchmarks/bench_cli.py, not here."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from pipeline.index.sqlite.store import connect, index_document

ROOT = Path(__file__).resolve().parent.parent

HEAVY = ("spacy", "underthesea", "prefect", "pdfplumber", "pypdfium2", "docx", "openpyxl",
         "lxml", "rapidfuzz", "starlette", "jinja2", "uvicorn", "extractors.extraction",
         "extractors.nlp", "pipeline.web", "flows.cli.run", "flows.cli.check",
         "flows.cli.remind", "flows.cli.schedule", "flows.cli.server")
"""Never loaded by a reading command of the index (a data file of ``extractors.data`` or
a table of ``extractors.owners_data`` may be)."""

PROBE = """
import json, sys
from flows.cli import main
try:
    main(sys.argv[1:], prog_name="vanban")
except SystemExit as exc:
    code = exc.code
from pipeline.index.sqlite.store import index_code_version
print(json.dumps({"code": code, "modules": sorted(sys.modules),
                  "hashed": index_code_version.cache_info().currsize}))
"""


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory) -> str:
    db = tmp_path_factory.mktemp("cli") / "index.db"
    conn = connect(db)
    ref = {"text": "Quyết định số 1696/QĐ-TTg", "doc_type": "QĐ", "number": "1696",
           "symbol": "1696/QĐ-TTg", "issuer": "Thủ tướng Chính phủ", "date": "2015-09-23"}
    index_document(conn, {"source": {"path": "kh_10.txt"}, "references": [ref],
                          "metadata": {"doc_type": "KH", "number": "10", "symbol": "10/KH-UBND",
                                       "date": "2020-03-02", "issuer": "UBND tỉnh A",
                                       "title": "Kế hoạch bình đẳng giới"}},
                   "Kế hoạch thực hiện bình đẳng giới theo Quyết định số 1696/QĐ-TTg",
                   code_version="test")
    conn.close()
    return str(db)


def _probe(*args: str) -> tuple[dict, str]:
    res = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, capture_output=True,
                         text=True)
    assert res.returncode == 0, res.stderr
    *output, last = res.stdout.splitlines()
    return json.loads(last), "\n".join(output)


@pytest.mark.parametrize(("args", "expect"), [
    (["search", "binh dang"], "10/KH-UBND"),
    (["search", "1696/QĐ-TTg", "--json"], '"total": 1'),
    (["cites", "10/KH-UBND"], "1696/QĐ-TTg"),
    (["cited-by", "QĐ 1696"], "10/KH-UBND"),
    (["not-held"], "1696/QĐ-TTg"),
])
def test_reading_commands_load_nothing_heavy(tiny_db, args, expect):
    found, output = _probe(*args, "--db", tiny_db)
    assert found["code"] in (0, None) and expect in output, output
    loaded = set(found["modules"])
    assert sorted(m for m in loaded for h in HEAVY if m == h or m.startswith(h + ".")) == []
    assert found["hashed"] == 0  # the code version is for writing, not for reading
    if args[0] != "search":  # numpy (0.1 s) is the search's alone
        assert "numpy" not in loaded


def test_every_command_is_found_where_the_table_says():
    """flows.cli.HOMES names each command's module: a command missing there would still
    run, but by loading every module first."""
    import importlib

    from flows.cli import HOMES, main

    homes = {cmd.name: module for module in set(HOMES.values())
             for cmd in importlib.import_module(module).COMMANDS}
    assert homes == HOMES
    assert not set(HOMES) & {"text", "outline", "extract", "eval", "extract-all"}
    assert set(main.list_commands(click.Context(main))) >= set(HOMES)


@pytest.mark.parametrize("name", [None, "text", "outline", "extract", "eval", "extract-all",
                                  "run", "schedule", "index", "search", "cites", "cited-by",
                                  "not-held", "serve", "check", "remind", "server"])
def test_every_help_works(name):
    from flows.cli import main

    r = CliRunner().invoke(main, [name, "--help"] if name else ["--help"])
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"Usage: main {name + ' ' if name else ''}[OPTIONS]")
