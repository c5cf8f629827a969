"""``vanban run`` and ``vanban schedule``: the Prefect flow from the command line.

Prefect is imported inside the commands only (``vanban --help`` stays fast), after
:func:`flows.settings.configure` has set its environment. The lead adds these to the
``vanban`` group with ``main.add_command(run)`` / ``main.add_command(schedule)``.
"""
from __future__ import annotations

import importlib.util
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import click

_STATE_HELP = "Prefect's home and server database go here (env VANBAN_STATE_DIR)."


_stopped_by: list[int] = []  # the signal that stopped this run, once one has


def _sigterm_as_interrupt() -> None:
    """SIGTERM and Ctrl-C end the run within seconds: the worker processes are killed at
    once (a document's extraction is not waited for, and no worker is started again),
    then the run unwinds as on Ctrl-C, stopping Prefect's server. A second signal while
    it unwinds ends the process at once."""
    def handler(signum: int, frame: Any) -> None:
        if _stopped_by:
            os._exit(128 + signum)
        _stopped_by.append(signum)
        flows_main = sys.modules.get("flows.main")
        if flows_main is not None:
            flows_main.stop_workers()
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def _need_dask() -> None:
    if importlib.util.find_spec("prefect_dask") is None:
        raise click.UsageError("--workers runs the documents on Dask and needs prefect-dask, "
                               "which is not installed: pip install prefect-dask")


class _Bar:
    """A rich progress bar fed by the flow's progress callback."""

    def __init__(self, enabled: bool) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                 BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                 transient=False, disable=not enabled,
                                 console=None)
        self.task = self.progress.add_task("khởi động Prefect", total=None)

    def __call__(self, event: str, done: int, total: int, detail: str) -> None:
        if event == "planned":
            desc = "trích xuất" if total else "không có gì mới"
            self.progress.update(self.task, description=desc, total=total or 1,
                                 completed=0 if total else 1)
        elif event == "checking":
            self.progress.update(self.task, description="rà soát kế hoạch" if total
                                 else "kế hoạch đã cập nhật", total=total or 1,
                                 completed=0 if total else 1)
        else:
            self.progress.update(self.task, completed=done)
            if event == "failed":
                self.progress.console.print(f"[yellow]để riêng[/]: {detail.splitlines()[0]}",
                                            markup=True, highlight=False)

    def note(self, text: str) -> None:
        self.progress.update(self.task, description=text)


@click.command("run")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--out", default="outputs", show_default=True, type=click.Path(file_okay=False),
              help="Where <name>.json, quarantine/ and index.db go.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Run on a Dask cluster of N worker processes (prefect-dask's DaskTaskRunner; "
                   "needs `pip install prefect-dask`).")
@click.option("--dask-address", envvar="VANBAN_DASK_ADDRESS", default=None,
              help="Use this running Dask scheduler with --workers (env VANBAN_DASK_ADDRESS).")
@click.option("--state-dir", envvar="VANBAN_STATE_DIR", default=".state", show_default=True,
              type=click.Path(file_okay=False), help=_STATE_HELP)
@click.option("--progress/--no-progress", default=None,
              help="Progress bar (default: when the output is a terminal).")
@click.option("--as-of", "as_of", default=None,
              help="Judge duty statuses on this day, YYYY-MM-DD (default today).")
@click.option("-v", "--verbose", is_flag=True, help="Show Prefect's own log lines.")
def run(paths: tuple[str, ...], out: str, workers: int | None, dask_address: str | None,
        state_dir: str, progress: bool | None, as_of: str | None, verbose: bool) -> None:
    """The main job: read new and changed documents under PATHS (default: corpus/) into OUT.

    Runs the Prefect flow in embedded mode: no server to start (Prefect runs a temporary
    one for the run). Unchanged documents are skipped; a bad one is set aside in
    OUT/quarantine/ and the run goes on.
    """
    if not paths and not Path("corpus").is_dir():
        raise click.UsageError("no PATHS given and no corpus/ folder here")
    if as_of:
        import datetime as _dt

        try:
            _dt.date.fromisoformat(as_of)
        except ValueError:
            raise click.BadParameter(f"'{as_of}' is not a date YYYY-MM-DD",
                                     param_hint="--as-of") from None
    if workers or dask_address:
        _need_dask()
    # Find the work before paying for Prefect (its temporary server costs ~10 s): an
    # empty folder, or an inbox unchanged since the last run, is one line and no server.
    from flows import precheck

    inboxes = [str(Path(p)) for p in paths] or ["corpus"]
    looked = precheck.look(inboxes, out, as_of)
    if looked.empty:
        click.echo(f"Thư mục {', '.join(inboxes)} không có văn bản nào.")
        return
    if looked.current:
        last = looked.last or {}
        click.echo(f"Không có gì thay đổi từ lần chạy trước ({last.get('at', '?')}): "
                   f"{looked.files} văn bản; báo cáo tình hình thực hiện mới nhất ở "
                   f"{Path(out).resolve() / precheck.GAPS}/")
        return
    if verbose:
        click.echo(f"cần chạy: {looked.why}", err=True)
    before = precheck.overdue(Path(out).resolve())
    had_gaps = (Path(out).resolve() / precheck.GAPS / "index.json").exists()
    failed_before = precheck.failed_before(precheck.state_for(Path(out)))
    # Only documents changed since a run judged on the same day: the plans to check again
    # are those linked to them, so no more worker processes than documents (each worker
    # loads the NLP models, on the cores the server is starting on).
    pool_size = (min(os.cpu_count() or 1, max(1, len(looked.todo)))
                 if looked.todo and looked.last and looked.last.get("as_of") == looked.as_of
                 else None)
    os.environ["PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"] = "INFO" if verbose else "CRITICAL"
    from flows.settings import configure

    state = configure(state_dir)
    _sigterm_as_interrupt()
    server = None
    if (workers or dask_address) and not os.environ.get("PREFECT_API_URL"):
        from flows.server import LocalServer  # Dask workers need one shared API

        server = LocalServer(state)
        click.echo("starting a local Prefect server for the Dask workers…", err=True)
        os.environ["PREFECT_API_URL"] = server.start()
    try:
        summary = _run_flow(paths, out, workers, dask_address,
                            sys.stdout.isatty() if progress is None else progress, as_of,
                            pool_size)
    except KeyboardInterrupt:
        signum = _stopped_by[0] if _stopped_by else signal.SIGINT
        click.echo(f"vanban: the run was stopped ({signal.Signals(signum).name}); what was "
                   "done is kept, the next run goes on from there", err=True)
        sys.exit(128 + signum)
    finally:
        if server is not None:
            from flows.server import drain

            drain()
            server.stop()
    from flows.report import describe

    summary["new_set_aside"] = [f for f in summary.get("failures") or []
                                if f["path"] not in failed_before or f["path"] in looked.todo]
    summary["first_check"] = not had_gaps
    summary["newly_overdue"] = precheck.newly_overdue(before,
                                                      precheck.overdue(Path(out).resolve()))
    click.echo(describe(summary))
    if summary.get("failed") and not (summary.get("extracted") or summary.get("skipped")):
        sys.exit(1)


def _run_flow(paths: tuple[str, ...], out: str, workers: int | None,
              dask_address: str | None, show: bool, as_of: str | None = None,
              pool_size: int | None = None) -> dict[str, Any]:
    bar = _Bar(show)
    with bar.progress:
        t0 = time.perf_counter()
        startup = server = None
        if not os.environ.get("PREFECT_API_URL"):
            from flows.server import EmbeddedServer  # launched now, waited for below

            server = EmbeddedServer(Path(os.environ["PREFECT_HOME"])).launch()
        from flows import main as flows_main  # imports Prefect while the server starts

        if server is not None:
            if not (workers or dask_address):
                flows_main.prestart_pool(pool_size)  # the workers load their models meanwhile
            startup = server.wait()

        flow = flows_main.vanban_run
        if workers or dask_address:
            from prefect_dask import DaskTaskRunner

            kw: dict[str, Any] = ({"address": dask_address} if dask_address else
                                  {"cluster_kwargs": {"n_workers": workers,
                                                      "threads_per_worker": 1,
                                                      "processes": True}})
            flow = flow.with_options(task_runner=DaskTaskRunner(**kw))
        bar.note("quét")
        flows_main.set_progress(bar)
        try:
            st = flow([str(Path(p)) for p in paths] or ["corpus"], out, workers=workers,
                      as_of=as_of, return_state=True)
        finally:
            flows_main.set_progress(None)
    if not st.is_completed():
        raise click.ClickException(f"the run ended {st.type.value.lower()}: {st.message}")
    summary: dict[str, Any] = st.result()
    if server is not None:  # it records the last task runs as it stops
        seconds, recorded = server.settle(st.state_details.flow_run_id)
        summary["settle_seconds"] = round(seconds, 2)
        summary["recorded_task_runs"] = recorded
    summary["server_seconds"] = round(startup, 2) if startup is not None else None
    summary["wall_seconds"] = round(time.perf_counter() - t0, 2)
    return summary


@click.command("schedule")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--cron", required=True, help='When to run, e.g. "0 7 * * 1-5" (07:00 Mon–Fri).')
@click.option("--out", default="outputs", show_default=True, type=click.Path(file_okay=False))
@click.option("--name", default="vanban-scheduled", show_default=True, help="Deployment name.")
@click.option("--timezone", default=None, help="IANA time zone of the cron (default: UTC).")
@click.option("--state-dir", envvar="VANBAN_STATE_DIR", default=".state", show_default=True,
              type=click.Path(file_okay=False), help=_STATE_HELP)
def schedule(paths: tuple[str, ...], cron: str, out: str, name: str, timezone: str | None,
             state_dir: str) -> None:
    """Serve the run on a cron schedule until stopped (Ctrl-C).

    Scheduling needs a running Prefect server: PREFECT_API_URL's, or else one vanban
    starts on 127.0.0.1 (SQLite under the state dir) and stops on exit.
    """
    from flows.settings import configure

    state = configure(state_dir)
    _sigterm_as_interrupt()
    server = None
    if not os.environ.get("PREFECT_API_URL"):
        from flows.server import LocalServer

        server = LocalServer(state)
        os.environ["PREFECT_API_URL"] = server.api_url  # before prefect is imported
    from prefect.client.schemas.schedules import CronSchedule
    from prefect.schedules import Cron

    try:
        CronSchedule(cron=cron, timezone=timezone or "UTC")  # validates
        sched = Cron(cron, timezone=timezone or "UTC")
    except ValueError as exc:
        errors = getattr(exc, "errors", None)  # pydantic's ValidationError
        msg = errors()[0]["msg"] if callable(errors) else str(exc)
        raise click.BadParameter(msg, param_hint="--cron") from None
    try:
        if server is not None:
            click.echo(f"starting a Prefect server on {server.api_url[:-4]} "
                       f"(database under {server.home})…")
            server.start()
        from flows.main import vanban_run

        params = {"inboxes": [str(Path(p).resolve()) for p in paths],
                  "out": str(Path(out).resolve())}
        click.echo(f"serving '{name}' on cron {cron!r}; Ctrl-C stops it")
        # paused=False: resume a schedule the last shutdown paused (which also
        # dropped its pending runs, so no burst of late runs at restart)
        vanban_run.serve(name=name, schedule=sched, parameters=params, paused=False,
                         print_starting_message=False)
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        if server is not None:
            from flows.server import drain

            drain()
            server.stop()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """vanban's Prefect commands (also reachable as `vanban run` / `vanban schedule`)."""


cli.add_command(run)
cli.add_command(schedule)

COMMANDS = (run, schedule)

if __name__ == "__main__":  # pragma: no cover
    cli()
