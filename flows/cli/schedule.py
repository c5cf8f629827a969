"""``vanban schedule``: serve the Prefect flow on a cron schedule until Ctrl-C.

Prefect is imported inside the command only (``vanban --help`` stays fast), after
:func:`flows.settings.configure` has set its environment.

Stopping: Ctrl-C (SIGINT, to the process or to its whole process group) and SIGTERM end it
within seconds. The first signal pauses the schedule (no burst of late runs at the next
start), stops the server vanban started and exits 130 (143 for SIGTERM) with one line; if
that takes longer than :data:`STOP_SECONDS`, the process ends anyway. A second signal ends
it at once.
"""
from __future__ import annotations

import datetime as _dt
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

import click

from flows.cli.errors import Command

STOP_SECONDS = 4.0
POLL_SECONDS = 5.0

_STATE_HELP = "Thư mục của Prefect và cơ sở dữ liệu của máy chủ (biến môi trường VANBAN_STATE_DIR)."
_SIGNAL_NAMES = {signal.SIGINT: "Ctrl-C", signal.SIGTERM: "SIGTERM"}

_OUTCOMES = {"COMPLETED": "xong", "FAILED": "lỗi", "CRASHED": "hỏng (tiến trình chết)",
             "CANCELLED": "đã huỷ", "CANCELLING": "đang huỷ"}


def _say(line: str, err: bool = False) -> None:
    try:
        click.echo(line, err=err)
        (sys.stderr if err else sys.stdout).flush()
    except Exception:  # a closed pipe must not keep the process alive
        pass


class _Stopper:
    """Turns SIGINT/SIGTERM into a prompt, bounded stop."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self.cleanup: list[Any] = []  # callables, run once, in order, each bounded
        self.done = threading.Event()

    def install(self) -> None:
        signal.signal(signal.SIGINT, self.handler)
        signal.signal(signal.SIGTERM, self.handler)

    def message(self) -> str:
        return f"vanban: đã dừng lịch chạy ({_SIGNAL_NAMES.get(self.signum, 'tín hiệu')})."

    def handler(self, signum: int, frame: Any) -> None:
        if self.signum is not None:  # a second signal: at once
            os._exit(128 + self.signum)
        self.signum = signum
        # whatever Prefect is doing (its event loop, its threads), the process ends in time
        threading.Thread(target=self._finish, daemon=True).start()
        raise KeyboardInterrupt

    def _finish(self) -> None:
        deadline = time.monotonic() + STOP_SECONDS
        for step in self.cleanup:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            t = threading.Thread(target=_quietly, args=(step,), daemon=True)
            t.start()
            t.join(left)
        _say(self.message(), err=True)
        self.done.set()
        os._exit(128 + (self.signum or signal.SIGINT))


def _quietly(step: Any) -> None:
    try:
        step()
    except Exception:
        pass


def _when(run: Any, tz: Any) -> str:
    t = run.expected_start_time or run.start_time
    if t is None:
        return "?"
    return t.astimezone(tz).strftime("%d/%m/%Y %H:%M")


def _outcome(run: Any, out: Path) -> str:
    st = run.state
    kind = st.type.value if st is not None else "?"
    words = _OUTCOMES.get(kind, kind.lower())
    msg = (st.message or "").strip() if st is not None else ""
    if kind == "COMPLETED":
        return f"{words}{_what_it_did(out)}"
    if not msg:
        return words
    return f"{words}: {' '.join(msg.split())[:200]}"


def _what_it_did(out: Path) -> str:
    """What the flow wrote in ``last_run.json`` when the run ended (empty if unreadable)."""
    try:
        from flows.precheck import read_last, state_for

        last = read_last(state_for(out)) or {}
    except Exception:
        return ""
    if not last:
        return ""
    overdue = (last.get("duties") or {}).get("overdue", 0)
    return (f": {len(last.get('inputs') or {})} văn bản, {len(last.get('set_aside') or [])} "
            f"để riêng, {last.get('plans', 0)} kế hoạch, {overdue} nhiệm vụ quá hạn "
            f"(kết quả trong {out})")


def _watch_runs(flow_name: str, name: str, tz: Any, since: _dt.datetime, out: Path,
                stop: threading.Event) -> None:
    """One line per finished run of the deployment: when it was due and how it ended."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (DeploymentFilter, DeploymentFilterId,
                                                FlowRunFilter, FlowRunFilterState,
                                                FlowRunFilterStateType)
    from prefect.client.schemas.objects import StateType

    terminal = [StateType.COMPLETED, StateType.FAILED, StateType.CRASHED, StateType.CANCELLED]
    seen: set[Any] = set()
    deployment_id = None
    while not stop.wait(POLL_SECONDS):
        try:
            with get_client(sync_client=True) as client:
                if deployment_id is None:
                    deployment_id = client.read_deployment_by_name(f"{flow_name}/{name}").id
                runs = client.read_flow_runs(
                    deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
                    flow_run_filter=FlowRunFilter(state=FlowRunFilterState(
                        type=FlowRunFilterStateType(any_=terminal))),
                    limit=50)
        except Exception:  # the server not ready yet, or going away: try again later
            continue
        for run in sorted(runs, key=lambda r: r.end_time or since):
            if run.id in seen or (run.end_time and run.end_time < since):
                continue
            seen.add(run.id)
            _say(f"lượt chạy {_when(run, tz)}: {_outcome(run, out)}")


def _pause(flow_name: str, name: str) -> None:
    """Pause the schedule (as Prefect's runner does on shutdown): the runs still pending
    are dropped, so the next start has no burst of late runs."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        dep = client.read_deployment_by_name(f"{flow_name}/{name}")
        client.pause_deployment(dep.id)


@click.command("schedule", cls=Command)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--cron", required=True,
              help='Khi nào chạy, ví dụ "0 7 * * 1-5" (07:00 thứ Hai – thứ Sáu).')
@click.option("--out", default="outputs", show_default=True, type=click.Path(file_okay=False),
              help="Thư mục kết quả.")
@click.option("--name", default="vanban-scheduled", show_default=True,
              help="Tên deployment trong Prefect.")
@click.option("--timezone", default="Asia/Ho_Chi_Minh", show_default=True,
              help="Múi giờ IANA của lịch cron.")
@click.option("--state-dir", envvar="VANBAN_STATE_DIR", default=".state", show_default=True,
              type=click.Path(file_okay=False), help=_STATE_HELP)
def schedule(paths: tuple[str, ...], cron: str, out: str, name: str, timezone: str,
             state_dir: str) -> None:
    """Chạy vanban theo lịch cron cho đến khi dừng (Ctrl-C); in một dòng cho mỗi lượt chạy.

    Lịch chạy cần một máy chủ Prefect: của PREFECT_API_URL, nếu không thì máy chủ vanban run
    giữ cho thư mục trạng thái (khởi động nếu chưa có; còn chạy sau khi dừng lịch). Với
    VANBAN_SERVER_IDLE=0: một máy chủ riêng, dừng khi thoát.
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        tz = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(f"“{timezone}” không phải múi giờ IANA "
                                 "(ví dụ Asia/Ho_Chi_Minh)", param_hint="--timezone") from None
    stopper = _Stopper()
    stopper.install()
    from flows.settings import configure

    state = configure(state_dir)
    server = kept_server = None
    from flows import kept

    if not os.environ.get("PREFECT_API_URL") and kept.idle_minutes():
        # the server vanban run keeps for this state folder (started now if there is none):
        # one history for the scheduled runs and the runs by hand; held while serving
        kept_server = kept.acquire(Path(os.environ["PREFECT_HOME"]))
    elif not os.environ.get("PREFECT_API_URL"):
        from flows.server import LocalServer

        server = LocalServer(state)
        os.environ["PREFECT_API_URL"] = server.api_url  # before prefect is imported
    watching = threading.Event()
    try:
        from prefect.client.schemas.schedules import CronSchedule
        from prefect.schedules import Cron

        try:
            CronSchedule(cron=cron, timezone=timezone)  # validates
            sched = Cron(cron, timezone=timezone)
        except ValueError as exc:
            errors = getattr(exc, "errors", None)  # pydantic's ValidationError
            msg = errors()[0]["msg"] if callable(errors) else str(exc)
            raise click.BadParameter(f"“{cron}” không phải lịch cron hợp lệ ({msg})",
                                     param_hint="--cron") from None
        if kept_server is not None:
            if kept_server.started:
                _say(f"vanban: đang khởi động máy chủ Prefect {kept_server.ui_url}…", err=True)
            kept.ready(kept_server)
        if server is not None:
            _say(f"vanban: đang khởi động máy chủ Prefect {server.api_url[:-4]} "
                 f"(dữ liệu trong {server.home})…", err=True)
            stopper.cleanup.append(server.stop)
            server.start()
        from flows.main import vanban_run

        flow_name = vanban_run.name
        stopper.cleanup.insert(0, lambda: _pause(flow_name, name))
        stopper.cleanup.insert(0, watching.set)
        params = {"inboxes": [str(Path(p).resolve()) for p in paths],
                  "out": str(Path(out).resolve())}
        threading.Thread(target=_watch_runs, daemon=True,
                         args=(flow_name, name, tz, _dt.datetime.now(_dt.timezone.utc),
                               Path(params["out"]), watching)).start()
        _say(f"vanban: đang phục vụ lịch '{name}' (cron {cron!r}, múi giờ {timezone}); "
             "Ctrl-C để dừng.", err=True)
        # Prefect's runner puts its own SIGTERM handler in place when it starts (a quiet
        # exit 0); SIGTERM must stop vanban's way, as Ctrl-C does
        from prefect.runner.runner import Runner

        Runner.handle_sigterm = lambda _self, *_a, **_k: stopper.handler(signal.SIGTERM, None)
        # paused=False: resume a schedule the last shutdown paused (which also
        # dropped its pending runs, so no burst of late runs at restart)
        vanban_run.serve(name=name, schedule=sched, parameters=params, paused=False,
                         print_starting_message=False)
    except KeyboardInterrupt:
        pass
    # serve() returns after it caught the interrupt (Prefect logs it and shuts its runner
    # down): the stopper thread pauses, stops the server, prints the line and exits
    if stopper.signum is None:  # serve() returned by itself
        watching.set()
        if server is not None:
            server.stop()
        return
    stopper.done.wait(STOP_SECONDS + 2)
    os._exit(128 + stopper.signum)


COMMANDS = (schedule,)
