"""``vanban run``: the Prefect flow from the command line.

Prefect is imported inside the command only (``vanban --help`` stays fast), after
:func:`flows.settings.configure` has set its environment. Before that, :mod:`flows.precheck`
finds the work: an empty folder or an unchanged inbox is one line and no Prefect at all.
The run uses the Prefect server kept for the state folder (:mod:`flows.kept`), starting it
when there is none; ``VANBAN_SERVER_IDLE=0`` makes it a temporary one, stopped with the run.
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

from flows.cli.errors import Command
from flows.cli.index import DbType, shown
from flows.cli.types import DATE

_STATE_HELP = ("Thư mục của Prefect và cơ sở dữ liệu của máy chủ (biến môi trường "
               "VANBAN_STATE_DIR).")


_ENDED = {"FAILED": "thất bại", "CRASHED": "hỏng (tiến trình chết)", "CANCELLED": "bị huỷ",
          "CANCELLING": "bị huỷ"}

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
        pool = sys.modules.get("flows.pool")
        if pool is not None:
            pool.stop_workers()
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def _need_dask() -> None:
    if importlib.util.find_spec("prefect_dask") is None:
        raise click.UsageError("--workers chạy các văn bản trên Dask và cần prefect-dask, "
                               "chưa được cài: pip install prefect-dask")


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


@click.command("run", cls=Command)
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--out", default="outputs", show_default=True, type=click.Path(file_okay=False),
              help="Nơi ghi <tên>.json, quarantine/, gaps/ và index.db.")
@click.option("--db", default=None, envvar="VANBAN_DB", type=DbType(dir_okay=False),
              help="Chỉ mục: một tệp SQLite hoặc URL postgresql://… (biến môi trường "
                   "VANBAN_DB; mặc định OUT/index.db). Với PostgreSQL, mỗi tiến trình lưu "
                   "ngay văn bản nó trích xuất.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Chạy trên một cụm Dask N tiến trình (DaskTaskRunner của prefect-dask; "
                   "cần `pip install prefect-dask`).")
@click.option("--dask-address", envvar="VANBAN_DASK_ADDRESS", default=None,
              help="Dùng bộ lập lịch Dask đang chạy này với --workers (VANBAN_DASK_ADDRESS).")
@click.option("--state-dir", envvar="VANBAN_STATE_DIR", default=".state", show_default=True,
              type=click.Path(file_okay=False), help=_STATE_HELP)
@click.option("--progress/--no-progress", default=None,
              help="Thanh tiến độ (mặc định: khi in ra màn hình).")
@click.option("--as-of", "as_of", type=DATE, default=None,
              help="Xét tình trạng nhiệm vụ vào ngày này, dd/mm/yyyy hoặc yyyy-mm-dd "
                   "(mặc định: hôm nay).")
@click.option("-v", "--verbose", is_flag=True, help="In cả nhật ký của Prefect.")
def run(paths: tuple[str, ...], out: str, db: str | None, workers: int | None,
        dask_address: str | None, state_dir: str, progress: bool | None, as_of: str | None,
        verbose: bool) -> None:
    """Việc chính: đọc các văn bản mới và đã sửa trong PATHS (mặc định corpus/) vào OUT.

    Chạy luồng Prefect trên máy chủ Prefect giữ cho thư mục trạng thái (tự khởi động lần
    đầu, tự tắt sau VANBAN_SERVER_IDLE phút không dùng, mặc định 30). Văn bản không đổi
    được bỏ qua; văn bản hỏng được để riêng trong OUT/quarantine/ và lần chạy vẫn tiếp tục.
    """
    if not paths and not Path("corpus").is_dir():
        raise click.UsageError("chưa chỉ thư mục nào, và ở đây không có thư mục corpus/")
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
    default = str(Path(out).resolve() / "index.db")
    where = shown(db or default)
    if looked.current and (looked.last or {}).get("db", default) != where:
        looked.current = False  # the same outputs, but another index to bring up to date
        looked.why = f"chỉ mục khác lần chạy trước ({looked.last.get('db')})"
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
    from flows import kept

    if (workers or dask_address) and not os.environ.get("PREFECT_API_URL") \
            and not kept.idle_minutes():
        from flows.server import LocalServer  # Dask workers need one shared API

        server = LocalServer(state)
        click.echo("vanban: đang khởi động máy chủ Prefect cho các tiến trình Dask…", err=True)
        os.environ["PREFECT_API_URL"] = server.start()
    try:
        summary = _run_flow(paths, out, workers, dask_address,
                            sys.stdout.isatty() if progress is None else progress, as_of,
                            pool_size, looked.todo_hashes, db)
    except KeyboardInterrupt:
        signum = _stopped_by[0] if _stopped_by else signal.SIGINT
        name = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
        click.echo(f"vanban: đã dừng lần chạy ({name}); phần đã làm được giữ lại, lần chạy "
                   "sau làm tiếp từ đó.", err=True)
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


def _reachable(api_url: str) -> None:
    from flows.server import wait_healthy

    try:
        wait_healthy(api_url.rstrip("/"), timeout=5)
    except RuntimeError:
        raise click.ClickException(f"không kết nối được máy chủ Prefect ở {api_url} "
                                   "(PREFECT_API_URL); hãy khởi động nó, hoặc bỏ biến này "
                                   "để vanban tự dùng máy chủ của mình") from None


def _run_flow(paths: tuple[str, ...], out: str, workers: int | None,
              dask_address: str | None, show: bool, as_of: str | None = None,
              pool_size: int | None = None, todo: list[tuple[str, str]] | None = None,
              db: str | None = None) -> dict[str, Any]:
    bar = _Bar(show)
    with bar.progress:
        t0 = time.perf_counter()
        startup = server = kept_server = None
        home = Path(os.environ["PREFECT_HOME"])
        if os.environ.get("PREFECT_API_URL"):  # the user's server: say so if it is not there
            _reachable(os.environ["PREFECT_API_URL"])
        else:
            from flows import kept

            if kept.idle_minutes():  # the server kept for the state folder, or a new one
                kept_server = kept.acquire(home)
            else:  # a temporary server, stopped with the run: launched now, waited for below
                from flows.server import EmbeddedServer

                server = EmbeddedServer(home).launch()
        if not (workers or dask_address):
            # the workers load their models and start on the first documents while the
            # server starts and Prefect loads (a Dask run's workers are Dask's)
            from flows import pool, precheck

            pool.prestart(pool_size)
            pool.prefetch(todo or [], precheck.state_for(Path(out)))
        from flows import main as flows_main  # imports Prefect while the server starts

        if server is not None:
            startup = server.wait()
        elif kept_server is not None:
            t = time.perf_counter()
            kept.ready(kept_server)
            if kept_server.started:
                startup = time.perf_counter() - t0
            elif time.perf_counter() - t > 0.5:  # another run had just started it
                startup = time.perf_counter() - t

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
                      as_of=as_of, db=db, return_state=True)
        finally:
            flows_main.set_progress(None)
    if not st.is_completed():
        exc = st.result(raise_on_failure=False)
        why = f"{type(exc).__name__}: {exc}" if isinstance(exc, BaseException) else st.message
        raise click.ClickException(f"lần chạy {_ENDED.get(st.type.value, 'dừng')}: {why}")
    summary: dict[str, Any] = st.result()
    if server is not None:  # it records the last task runs as it stops
        seconds, recorded = server.settle(st.state_details.flow_run_id)
        summary["settle_seconds"] = round(seconds, 2)
        summary["recorded_task_runs"] = recorded
    if kept_server is not None:  # it records the last task runs within seconds
        from flows.server import drain

        drain()
        kept.touch(home)
        summary["prefect_ui"] = kept_server.ui_url
        summary["server_idle_minutes"] = kept.idle_minutes()
    summary["server_seconds"] = round(startup, 2) if startup is not None else None
    summary["wall_seconds"] = round(time.perf_counter() - t0, 2)
    return summary


COMMANDS = (run,)
