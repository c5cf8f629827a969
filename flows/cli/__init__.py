"""The ``vanban`` command. Each command is a thin shell over a Python function.

The commands that live with their stage are imported only when they run (:data:`HOMES`):
``vanban search`` loads the index's command module, not the check's, the flow's or the
reminders'. Their modules import what is heavy (spaCy, Prefect, the readers, numpy)
inside the command; ``vanban --help`` loads every command module, and nothing heavier.
"""
from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path

import click

from flows.cli.errors import OneLine
from pipeline.document.model import VanbanError


def _fail(err: VanbanError) -> None:
    click.echo(f"vanban: {err}", err=True)
    sys.exit(2)


def _read(path: str):
    from pipeline.readers import read_document

    try:
        return read_document(path)
    except VanbanError as err:
        _fail(err)
    except Exception as exc:  # an input we did not foresee: still one line, still non-zero
        if os.environ.get("VANBAN_DEBUG"):
            raise
        _fail(VanbanError(path, f"lỗi nội bộ: {type(exc).__name__}: {exc}", kind="internal"))


HOMES = {
    "run": "flows.cli.run", "schedule": "flows.cli.schedule", "server": "flows.cli.server",
    "index": "flows.cli.index", "search": "flows.cli.index", "cites": "flows.cli.index",
    "cited-by": "flows.cli.index", "not-held": "flows.cli.index", "serve": "flows.cli.index",
    "check": "flows.cli.check",
    "remind": "flows.cli.remind",
}
"""Where each command that lives with its stage is defined: a module whose ``COMMANDS``
are added to ``vanban`` when one of them is asked for. A name missing here still works
(every module is loaded to find it), only slower; tests/test_cli_imports.py checks it."""


class LazyGroup(OneLine, click.Group):
    """A group that imports a command's module (:data:`HOMES`) when the command runs, and
    every module when the list is needed (``--help``, completion)."""

    def load(self, module: str) -> None:
        for cmd in importlib.import_module(module).COMMANDS:
            if cmd.name not in self.commands:
                self.add_command(cmd)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            home = HOMES.get(cmd_name)
            for module in [home] if home else dict.fromkeys(HOMES.values()):
                self.load(module)
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        for module in dict.fromkeys(HOMES.values()):
            self.load(module)
        return super().list_commands(ctx)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vanban")
def main() -> None:
    """Đọc văn bản hành chính: ai phải làm gì, hạn nào, đã báo cáo chưa."""


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
def text(file: str) -> None:
    """In văn bản đã chuẩn hoá (mọi vị trí trong JSON trỏ vào văn bản này)."""
    doc = _read(file)
    click.echo(doc.text)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="In cây đề mục dạng JSON.")
def outline(file: str, as_json: bool) -> None:
    """In đề mục đánh số (I. / 1. / 1.1. / a) / -) với mã như IV.1.b."""
    from pipeline.document.contract import plain

    doc = _read(file)
    if as_json:
        click.echo(json.dumps(plain(list(doc.outline)), ensure_ascii=False, indent=2))
        return
    for node in doc.flat_outline():
        indent = "  " * (node.level - 1)
        click.echo(f"{indent}{node.id:<14} {node.label:<6} {node.title[:90]}")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="In JSON vanban.document/1.")
def extract(file: str, as_json: bool) -> None:
    """Trích thông tin văn bản, văn bản dẫn chiếu, nhiệm vụ và phát hiện của một văn bản."""
    from pipeline.document.contract import to_json
    from pipeline.outputs import SetAside, attempt

    extraction = attempt(file)
    if isinstance(extraction, SetAside):
        _fail(VanbanError(extraction.path, extraction.reason, extraction.kind))
    result = to_json(extraction)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    meta = result["metadata"]
    for key, label in _LABELS:
        click.echo(f"{label:>17}: {meta.get(key) or ''}")
    signer = meta.get("signer") or {}
    click.echo(f"{'Người ký':>17}: {signer.get('authority') or ''} "
               f"{signer.get('position') or ''} {signer.get('name') or ''}".rstrip())
    click.echo(f"{'Nơi nhận':>17}: {len(meta.get('recipients') or [])}")
    click.echo(f"{'Văn bản dẫn chiếu':>17}: {len(result['references'])}")
    click.echo(f"{'Nhiệm vụ':>17}: {len(result['tasks'])}")
    click.echo(f"{'Phát hiện':>17}: {len(result['findings'])}")


_LABELS = (("doc_type", "Loại văn bản"), ("symbol", "Số, ký hiệu"), ("issuer", "Cơ quan ban hành"),
           ("issuer_parent", "Cơ quan chủ quản"), ("place", "Địa danh"), ("date", "Ngày"),
           ("title", "Trích yếu"))


@main.command("eval")
@click.option("--kind", "kinds", multiple=True,
              type=click.Choice(["metadata", "header", "header_docs", "signature", "references",
                                 "dates", "duties", "lead", "owners", "deadlines",
                                 "lead_of_gold", "deadlines_given", "deadline_source",
                                 "coverage"]),
              help="Chỉ những loại này (lặp lại được). Mặc định: tất cả.")
@click.option("--gold", default="tests/gold", show_default=True, type=click.Path(file_okay=False))
@click.option("--corpus", default="corpus", show_default=True, type=click.Path(file_okay=False))
@click.option("--per-doc", is_flag=True, help="In thêm điểm của từng văn bản.")
@click.option("--json", "as_json", is_flag=True)
def eval_(kinds: tuple[str, ...], gold: str, corpus: str, per_doc: bool, as_json: bool) -> None:
    """So `extract` với bộ chuẩn viết tay: độ chính xác, độ phủ và F1 theo từng loại."""
    from extractors.scoring import KINDS, evaluate
    from pipeline.document.contract import to_json
    from pipeline.outputs import read_and_extract

    if kinds == ("coverage",):  # report coverage: `vanban check` against tests/gold/coverage
        from pipeline.crosscheck.evaluate import evaluate_coverage

        evaluate_coverage(Path(gold) / "coverage", Path.cwd(), echo=click.echo)
        return
    res = evaluate(Path(gold), Path(corpus), lambda p: to_json(read_and_extract(p)))
    wanted = [k for k in (kinds or KINDS) if k != "coverage"]
    rows = [(k, res["totals"][k]) for k in wanted]
    if as_json:
        click.echo(json.dumps({k: {"precision": t.precision, "recall": t.recall, "f1": t.f1,
                                   "tp": t.tp, "pred": t.pred, "gold": t.gold} for k, t in rows},
                              indent=2))
        return
    click.echo(f"{'kind':<16} {'prec':>6} {'recall':>6} {'F1':>6}   tp/pred/gold")
    for k, t in rows:
        click.echo(f"{k:<16} {t.precision:>6.3f} {t.recall:>6.3f} {t.f1:>6.3f}   "
                   f"{t.tp}/{t.pred}/{t.gold}")
    click.echo("(lead, deadlines: share right among matched duties; metadata: field accuracy; "
               "header: type, number, symbol, issuer, date, title, signer; header_docs: "
               "documents with all of those right; lead_of_gold: right lead among all gold duties; "
               "deadlines_given: right among gold duties whose plan gives a deadline)")
    if per_doc:
        for name, mine in res["per_doc"].items():
            click.echo(f"\n{name}")
            for k, t in mine.items():
                if k in wanted:
                    click.echo(f"  {k:<16} P {t.precision:.2f} R {t.recall:.2f}  "
                               f"{t.tp}/{t.pred}/{t.gold}")


@main.command("extract-all")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--out", default="outputs", show_default=True, type=click.Path(file_okay=False),
              help="Nơi ghi các tệp <tên>.json và quarantine/.")
def extract_all(paths: tuple[str, ...], out: str) -> None:
    """Trích mọi văn bản trong PATHS vào OUT (một vòng lặp thường, không Prefect)."""
    from pipeline.outputs import extract_batch

    summary = extract_batch([Path(p) for p in paths], Path(out), progress=click.echo)
    click.echo(summary.describe())
    sys.exit(0 if not summary.failed or summary.ok else 1)
