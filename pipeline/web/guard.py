"""Security of every response, errors included: headers (a Content-Security-Policy that
allows no script), the Host check (against DNS rebinding; always on) and, when the app has
a token, the token check. :class:`Guard` wraps the whole app, outside Starlette's own
error handling, so a 500 carries the headers too; a redirect's ``Location`` is cut to its
path (with its query and fragment), so no answer ever echoes a Host header."""
from __future__ import annotations

import hmac
import re
import socket
from collections.abc import Iterable
from urllib.parse import quote, unquote_to_bytes, urlsplit

from starlette.responses import HTMLResponse

CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
CSP_GAPS = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
           (b"x-frame-options", b"DENY"), (b"cache-control", b"no-store")]
LOOPBACK = ("localhost", "127.0.0.1", "::1")
WILDCARD = ("0.0.0.0", "::", "")
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_NAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*|[0-9a-f:.]+")
_COOKIE = "vanban_token"


def host_name(value: str) -> str:
    """A Host header (or a name given on the command line) without its port, lower case,
    an IPv6 address without brackets: ``[::1]:8765`` → ``::1``."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else ""
    if value.count(":") == 1:
        value = value.partition(":")[0]
    return value.rstrip(".")


def allowed_hosts(listen: str, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """The Host names the app answers: loopback always, the address it listens on (for
    ``0.0.0.0`` or ``::``: this machine's own host name instead), and ``extra``
    (``--allow-host``, ``VANBAN_ALLOW_HOSTS``). Raises ValueError for a name that is not
    a host name (``*`` included: the check cannot be switched off)."""
    names = list(LOOPBACK)
    listen = host_name(listen)
    if listen in WILDCARD:
        own = host_name(socket.gethostname())
        if own:
            names.append(own)
    else:
        names.append(listen)
    for raw in extra:
        name = host_name(raw)
        if not name or not _NAME.fullmatch(name):
            raise ValueError(f"--allow-host {raw!r}: not a host name (no wildcards)")
        names.append(name)
    return tuple(dict.fromkeys(names))


def _page(status: int, message: str) -> HTMLResponse:
    return HTMLResponse("<!doctype html><html lang=vi><meta charset=utf-8>"
                        f"<title>Lỗi {status}</title><p>{message}</p>", status_code=status)


class Guard:
    """Headers on every response; the Host check; the token check when one is set.

    Tokens are compared as UTF-8 bytes, so a token in any alphabet works and any bytes a
    client sends are only ever a wrong token. The cookie holds the token percent-encoded."""

    def __init__(self, app, token: str | None, hosts: Iterable[str] = LOOPBACK) -> None:
        self.app = app
        self.token = token.encode("utf-8") if token else None
        self.hosts = frozenset(host_name(h) for h in hosts)

    def _token(self, scope) -> tuple[int, bool]:
        """(status: 200 let in, 401 no token, 403 a wrong one; keep it in a cookie)"""
        if not self.token:
            return 200, False
        given = False
        cookie_value = quote(self.token, safe="").encode("ascii")
        for k, v in scope.get("headers", []):
            k = k.lower()
            if k == b"authorization" and v.startswith(b"Bearer "):
                if hmac.compare_digest(v[7:], self.token):
                    return 200, False
                given = True
            elif k == b"cookie":
                for part in v.split(b";"):
                    name, _, value = part.strip().partition(b"=")
                    if name == _COOKIE.encode() and hmac.compare_digest(value, cookie_value):
                        return 200, False
        for part in scope.get("query_string", b"").split(b"&"):
            name, _, value = part.partition(b"=")
            if name == b"token" and value:
                if hmac.compare_digest(unquote_to_bytes(value.replace(b"+", b" ")),
                                       self.token):
                    return 200, True
                given = True
        return (403 if given else 401), False

    def _host_ok(self, scope) -> bool:
        for k, v in scope.get("headers", []):
            if k.lower() == b"host":
                return host_name(v.decode("latin-1")) in self.hosts
        return False

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        set_cookie = False

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = []
                for k, v in message.get("headers", []):
                    if k.lower() == b"location":  # never a host, only the path
                        u = urlsplit(v.decode("latin-1"))
                        v = ((u.path or "/") + (f"?{u.query}" if u.query else "")
                             + (f"#{u.fragment}" if u.fragment else "")).encode("latin-1")
                        v = b"/" + v.lstrip(b"/\\")
                    headers.append((k, v))
                names = {k.lower() for k, _ in headers}
                extra = [h for h in HEADERS if h[0] not in names]
                if b"content-security-policy" not in names:
                    extra.append((b"content-security-policy", CSP.encode()))
                if set_cookie:
                    extra.append((b"set-cookie", f"{_COOKIE}=".encode() +
                                  quote(self.token, safe="").encode("ascii") +
                                  b"; HttpOnly; SameSite=Strict; Path=/"))
                message = {**message, "headers": headers + extra}
            await send(message)

        if not self._host_ok(scope):
            await _page(400, "Tên máy (Host) không được phục vụ.")(scope, receive,
                                                                   send_with_headers)
            return
        status, set_cookie = self._token(scope)
        if status == 401:
            await _page(401, "Cần mã truy cập (token).")(scope, receive, send_with_headers)
            return
        if status == 403:
            await _page(403, "Mã truy cập không đúng.")(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)
