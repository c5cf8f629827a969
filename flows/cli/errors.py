"""Mistakes on the command line as one line: ``vanban: …`` on stderr, Vietnamese, exit 2,
instead of click's Usage/Try/Error block. Light: click and re only.

:class:`OneLine` gives a command (or the ``vanban`` group) that behaviour when it is run
on its own (``main``); a command run through the group is covered by the group's.
"""
from __future__ import annotations

import errno
import re
import sys

import click


class OneLine:
    """Mixin for :class:`click.Command`: a usage mistake is one line, exit 2."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra):
        """As click's, but a mistake is one line on stderr (``vanban: …``, in Vietnamese,
        exit 2) instead of click's Usage/Try/Error block."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.NoArgsIsHelpError as err:  # bare `vanban`: the help
            err.show()
            sys.exit(err.exit_code)
        except click.UsageError as err:
            click.echo(f"vanban: {usage_line(err)}", err=True)
            sys.exit(2)
        except click.ClickException as err:
            click.echo(f"vanban: {_one_line(err.format_message())}", err=True)
            sys.exit(err.exit_code)
        except (click.Abort, KeyboardInterrupt, EOFError):
            click.echo("vanban: đã dừng.", err=True)
            sys.exit(1)
        except OSError as err:
            if err.errno == errno.EPIPE:  # `vanban … | head`
                sys.exit(1)
            raise
        sys.exit(rv if isinstance(rv, int) else 0)



class Command(OneLine, click.Command):
    """``@click.command(cls=Command)``: a command whose mistakes are one line."""


def _one_line(text: str) -> str:
    return "; ".join(line.strip() for line in str(text).splitlines() if line.strip())


_VALUE_MESSAGES = (  # click's own messages for a bad value, in Vietnamese
    (r"(?:File|Directory|Path) '(.*)' does not exist\.?", "“{0}” không tồn tại"),
    (r"(?:File|Path) '(.*)' is a directory\.?", "“{0}” là thư mục, cần một tệp"),
    (r"Directory '(.*)' is a file\.?", "“{0}” là tệp, cần một thư mục"),
    (r"'(.*)' is not a valid integer(?: range)?\.?", "“{0}” không phải số nguyên"),
    (r"'(.*)' is not a valid float(?: range)?\.?", "“{0}” không phải một số"),
    (r"'(.*)' is not a valid boolean\.?", "“{0}” không phải có/không"),
    (r"'(.*)' is not one of (.*)\.", "“{0}” không có; chọn một trong {1}"),
    (r"'(.*)' is not (.*)\.", "“{0}” không có; chọn {1}"),
    (r"(.*) is not in the range (.*)\.", "{0} nằm ngoài khoảng {1}"),
    (r"(.*) is not (?:>=|<=|>|<) .*", "{0} nằm ngoài khoảng cho phép"),
)


def _value_message(message: str) -> str:
    for pattern, vn in _VALUE_MESSAGES:
        if m := re.fullmatch(pattern, message.strip()):
            return vn.format(*m.groups())
    return message


def usage_line(err: click.UsageError) -> str:
    """One line naming the mistake, Vietnamese for click's own messages."""
    ctx = err.ctx
    where = ""
    if ctx is not None and (ctx.parent is not None or not isinstance(ctx.command, click.Group)):
        name = ctx.info_name if ctx.parent is not None else ctx.command.name
        where = f" (vanban {name}; xem vanban {name} --help)"
    elif ctx is not None:
        where = " (xem vanban --help)"
    if isinstance(err, click.exceptions.NoSuchOption):
        guess = f"; có phải ý bạn là {', '.join(err.possibilities)}?" if err.possibilities else ""
        return f"không có tùy chọn {err.option_name}{guess}{where}"
    if isinstance(err, click.exceptions.NoSuchCommand):
        guess = (f"; có phải ý bạn là {', '.join(err.possibilities)}?" if err.possibilities
                 else "")
        return f"không có lệnh “{err.command_name}”{guess} (xem vanban --help)"
    if isinstance(err, click.MissingParameter):
        hint = err.param_hint or (err.param.get_error_hint(ctx) if err.param else "")
        if not isinstance(hint, str):
            hint = " / ".join(hint)
        kind = err.param_type or (err.param.param_type_name if err.param else "")
        what = {"argument": "tham số", "option": "tùy chọn"}.get(kind, "tham số")
        return f"thiếu {what} {hint.replace(chr(39), '')}{where}".replace("  ", " ")
    if isinstance(err, click.BadParameter):
        hint = err.param_hint or (err.param.get_error_hint(ctx) if err.param else "")
        if not isinstance(hint, str):
            hint = " / ".join(hint)
        hint = hint.replace("'", "")
        msg = _one_line(_value_message(err.message))
        return f"{hint}: {msg}{where}" if hint else f"giá trị không hợp lệ: {msg}{where}"
    msg = err.message
    if m := re.fullmatch(r"Option '(.*)' requires (?:an argument|(\d+) arguments)\.", msg):
        n = f"{m.group(2)} giá trị" if m.group(2) else "một giá trị"
        return f"tùy chọn {m.group(1)} cần {n}{where}"
    if m := re.fullmatch(r"Got unexpected extra arguments? \((.*)\)", msg):
        return f"thừa tham số: {m.group(1)}{where}"
    if m := re.fullmatch(r"Option '(.*)' does not take a value\.", msg):
        return f"tùy chọn {m.group(1)} không nhận giá trị{where}"
    return f"{_one_line(msg)}{where}"
