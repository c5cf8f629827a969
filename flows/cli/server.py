"""``vanban server``: the Prefect server kept for a state folder (:mod:`flows.kept`).

``vanban run`` starts it and reuses it; these commands say where it is and stop it.
Light: no Prefect import.
"""
from __future__ import annotations

import os
from pathlib import Path

import click

from flows.cli.errors import OneLine

_STATE_HELP = ("Thư mục trạng thái của các lần chạy (biến môi trường VANBAN_STATE_DIR).")


def _home(state_dir: str) -> Path:
    from flows.settings import configure

    configure(state_dir)
    return Path(os.environ["PREFECT_HOME"])


class _Group(OneLine, click.Group):
    pass


@click.group("server", cls=_Group)
def server() -> None:
    """Máy chủ Prefect giữ cho thư mục trạng thái (vanban run khởi động và dùng lại nó)."""


@server.command("status")
@click.option("--state-dir", envvar="VANBAN_STATE_DIR", default=".state", show_default=True,
              type=click.Path(file_okay=False), help=_STATE_HELP)
def status(state_dir: str) -> None:
    """Máy chủ có đang chạy không, ở địa chỉ nào."""
    from flows import kept
    from flows.keeper import idle_for

    home = _home(state_dir)
    found = kept.find(home)
    if found is None:
        click.echo("Không có máy chủ Prefect nào đang chạy cho thư mục này; "
                   "lần `vanban run` sau sẽ khởi động một máy chủ.")
        return
    left = max(0.0, (found.idle_seconds - idle_for(home)) / 60)
    click.echo(f"Máy chủ Prefect đang chạy: {found.ui_url} (tiến trình {found.pid}; "
               f"tự tắt sau khoảng {left:.0f} phút nếu không có lần chạy nào).")


@server.command("stop")
@click.option("--state-dir", envvar="VANBAN_STATE_DIR", default=".state", show_default=True,
              type=click.Path(file_okay=False), help=_STATE_HELP)
def stop(state_dir: str) -> None:
    """Tắt máy chủ ngay (lần chạy sau tự khởi động lại)."""
    from flows import kept

    stopped = kept.stop(_home(state_dir))
    click.echo(f"Đã tắt máy chủ Prefect {stopped.ui_url}." if stopped else
               "Không có máy chủ Prefect nào đang chạy cho thư mục này.")


COMMANDS = (server,)
