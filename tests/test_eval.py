"""The extractors against the hand-written gold (tests/gold): the issue's bars."""
from __future__ import annotations

import pytest

from conftest import CORPUS, ROOT, extracted
from extractors.scoring import evaluate


@pytest.fixture(scope="module")
def scores():
    return evaluate(ROOT / "tests" / "gold", CORPUS, lambda p: extracted(p.name))["totals"]


def test_references_f1(scores):
    assert scores["references"].f1 >= 0.95


def test_duty_recall_and_lead(scores):
    assert scores["duties"].recall >= 0.90
    assert scores["lead"].recall >= 0.90


def test_deadlines(scores):
    assert scores["deadlines"].recall >= 0.90


def test_dates(scores):
    assert scores["dates"].f1 >= 0.95


def test_eval_command_prints_every_kind():
    import subprocess
    import sys

    res = subprocess.run([sys.executable, "-m", "flows.cli", "eval", "--kind", "references",
                          "--kind", "duties"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[1].split()[0] == "references" and lines[2].split()[0] == "duties"
