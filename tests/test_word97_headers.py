"""Header metadata of Word 97 files from other offices (issue 18, the third blind set:
gold in tests/blind/golden written before vanban read them; see tests/blind/FIGURES.md).
Each was wrong in a way of its own kind: the Standing Committee's number line ("Nghị
quyết số: 101/2025/UBTVQH15") and its name on two lines, a signature followed by annexed
forms and no "Nơi nhận", a people's council written out, recipients with "(báo cáo)", and
a circular on document form whose body talks about "Nơi nhận" and shows sample signatures."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from extractors import extract_json
from extractors.evaluate import METADATA_FIELDS, field_matches, get_field
from extractors.metadata import number_line_re
from pipeline.readers import read_document

MORE = ROOT / "tests" / "fixtures" / "more"
GOLDEN = ROOT / "tests" / "blind" / "golden"
DOCS = ["qd_09-2010_ubnd-cantho_2010", "nq_99-2025_hdnd-quangninh_2025",
        "nq_101-2025_ubtvqh_2025", "tt_01-2011_bnv_2011"]
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None,
                                   reason="LibreOffice is not installed")


@pytest.fixture(scope="module")
def extracted() -> dict[str, dict]:
    return {s: extract_json(read_document(MORE / f"{s}.doc"))["metadata"] for s in DOCS}


@needs_soffice
@pytest.mark.parametrize("stem", DOCS)
@pytest.mark.parametrize("field", METADATA_FIELDS)
def test_header_as_the_gold(extracted, stem, field):
    gold = json.loads((GOLDEN / f"{stem}.json").read_text("utf-8"))
    got = extracted[stem]
    assert field_matches(got, gold, field), (get_field(got, field), get_field(gold, field))


@pytest.mark.parametrize("line,rest", [
    ("Số: 09/2010/QĐ-UBND", "09/2010/QĐ-UBND"),
    ("Nghị quyết số: 101/2025/UBTVQH15", "101/2025/UBTVQH15"),
    ("Luật số: 120/2025/QH15", "120/2025/QH15"),
    ("Só: 23/BC-UBND", "23/BC-UBND"),
    # running text names a number without the colon: not the document's own
    ("Căn cứ Nghị định số 105/2020/NĐ-CP", None),
    ("Nghị quyết số 101/2025/UBTVQH15 ngày 26/9/2025", None),
    ("Căn cứ Quyết định số: 12/QĐ-UBND", None),  # no type name opens the line
])
def test_number_line(line, rest):
    m = number_line_re().search(line)
    assert (m.group("rest") if m else None) == rest
