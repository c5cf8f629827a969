"""Parameter types shared by the ``vanban`` commands (light: no pipeline import)."""
from __future__ import annotations

import datetime as _dt
import re

import click

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_VN = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")


def parse_date(text: str) -> _dt.date:
    """A day as people type it: ``2026-12-07`` or, day first as Vietnamese write it,
    ``07/12/2026``, ``7/12/2026``, ``07.12.2026``, ``07-12-2026``. Raises ValueError."""
    v = (text or "").strip()
    if m := _ISO.fullmatch(v):
        y, mo, d = m.groups()
    elif m := _VN.fullmatch(v):
        d, mo, y = m.groups()
    else:
        raise ValueError(text)
    return _dt.date(int(y), int(mo), int(d))


class DateType(click.ParamType):
    """A date option: ``dd/mm/yyyy`` or ``yyyy-mm-dd``; the command gets the ISO string."""

    name = "NGÀY"

    def convert(self, value, param, ctx):
        if isinstance(value, _dt.date):
            return value.isoformat()
        try:
            return parse_date(str(value)).isoformat()
        except ValueError:
            self.fail(f"“{value}” không phải một ngày; hãy viết dd/mm/yyyy (07/12/2026) "
                      f"hoặc yyyy-mm-dd (2026-12-07).", param, ctx)


DATE = DateType()
