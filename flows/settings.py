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
}


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
    for key, value in _DEFAULTS.items():
        os.environ.setdefault(key, value)
    return root


def prefect_imported() -> bool:
    """True when prefect was imported before :func:`configure` could take effect."""
    import sys

    return "prefect" in sys.modules
