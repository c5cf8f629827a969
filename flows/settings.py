"""Environment for Prefect, set *before* ``import prefect``.

Prefect reads its settings from the environment once, at import. :func:`configure`
puts its home (profiles, the embedded server's SQLite database, local results) under
vanban's state dir instead of ``~/.prefect``, turns off every call home, and keeps
the console quiet (the run's own progress bar and summary are the output). Values
the user already set win, except the two telemetry switches, which are always off.
"""
from __future__ import annotations

import os
from pathlib import Path

STATE_ENV = "VANBAN_STATE_DIR"

# Never overridable: vanban makes no network calls beyond the Prefect API it is given.
_FORCED = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
}

# Defaults; an explicit environment variable wins.
_DEFAULTS = {
    "PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT": "false",
    "PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY": "false",
    "PREFECT_TELEMETRY_ENABLE_RESOURCE_METRICS": "false",
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING",
    "PREFECT_LOGGING_LEVEL": "INFO",  # still reaches the API (the UI shows task logs)
    "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_COLORS": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    # The embedded server's SQLite under concurrency: wait for the lock, do not fail.
    "PREFECT_API_DATABASE_TIMEOUT": "30",
    "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
    # The server records task runs from events: in batches, not one SQLite write each.
    # Measured on the corpus ×8: the server's CPU per task ≈ 125 ms → ≈ 20 ms. A part
    # batch is written every 5 s (Prefect's default): every second instead cost the
    # server 27 ms of CPU per task run against 20 at 5 tasks/s. The run does not wait
    # for the last one: its temporary server writes it on the way down (``settle``).
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "100",
    "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_BATCH_SIZE": "200",  # where it is on
}

# Off for the run's temporary server only (no automations, no UI to stream events to,
# no event feed kept: flow runs, task runs, logs and artifacts are still recorded);
# :class:`flows.server.LocalServer` turns them back on unless the user set them.
# Keeping every event cost the embedded server about 9 ms of CPU per task run
# (measured: 1,000 task runs, 20.5 → 11.5 ms of server CPU each without it).
EMBEDDED_ONLY = {
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
    "PREFECT_SERVER_EVENTS_STREAM_OUT_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED": "false",
}
_defaulted: set[str] = set()


def state_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The state dir: ``explicit``, else ``$VANBAN_STATE_DIR``, else ``./.state``."""
    raw = explicit or os.environ.get(STATE_ENV) or ".state"
    return Path(raw).expanduser().resolve()


def configure(state: str | os.PathLike[str] | None = None) -> Path:
    """Set Prefect's environment (idempotent) and return the state dir.

    Call before the first ``import prefect`` in the process; later calls only fix
    the environment handed to child processes.
    """
    root = state_dir(state)
    home = root / "prefect"
    home.mkdir(parents=True, exist_ok=True)
    os.environ[STATE_ENV] = str(root)
    os.environ.setdefault("PREFECT_HOME", str(home))
    os.environ.update(_FORCED)
    for key, value in {**_DEFAULTS, **EMBEDDED_ONLY}.items():
        if key not in os.environ:
            os.environ[key] = value
            _defaulted.add(key)
    return root


def server_env(env: dict[str, str]) -> dict[str, str]:
    """``env`` for a full Prefect server: the embedded-only defaults removed."""
    return {k: v for k, v in env.items() if not (k in EMBEDDED_ONLY and k in _defaulted)}


def prefect_imported() -> bool:
    """True when prefect was imported before :func:`configure` could take effect."""
    import sys

    return "prefect" in sys.modules
