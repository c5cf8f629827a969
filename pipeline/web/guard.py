"""Security of every response: headers (a Content-Security-Policy that allows no script)
and, when the app has a token, the token check."""
from __future__ import annotations

import hmac
from urllib.parse import parse_qs

from starlette.responses import HTMLResponse

CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
CSP_GAPS = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


class Guard:
    """Security headers on every response; the token check when one is set."""

    def __init__(self, app, token: str | None) -> None:
        self.app = app
        self.token = token

    def _authorised(self, scope) -> tuple[bool, bool]:
        """(allowed, came as ?token= and should be kept in a cookie)"""
        if not self.token:
            return True, False
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        auth = headers.get("authorization", "")
        if auth.startswith("Bearer ") and hmac.compare_digest(auth[7:], self.token):
            return True, False
        for part in headers.get("cookie", "").split(";"):
            k, _, v = part.strip().partition("=")
            if k == "vanban_token" and hmac.compare_digest(v, self.token):
                return True, False
        qs = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        given = (qs.get("token") or [""])[0]
        if given and hmac.compare_digest(given, self.token):
            return True, True
        return False, False

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ok, set_cookie = self._authorised(scope)

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = [(b"x-content-type-options", b"nosniff"),
                         (b"referrer-policy", b"no-referrer"),
                         (b"x-frame-options", b"DENY"),
                         (b"cache-control", b"no-store")]
                if b"content-security-policy" not in names:
                    extra.append((b"content-security-policy", CSP.encode()))
                if set_cookie:
                    extra.append((b"set-cookie", f"vanban_token={self.token}; HttpOnly; "
                                  "SameSite=Strict; Path=/".encode("latin-1")))
                message = {**message, "headers": headers + extra}
            await send(message)

        if not ok:
            resp = HTMLResponse("<!doctype html><meta charset=utf-8><title>401</title>"
                                "<p>Cần mã truy cập (token).</p>", status_code=401)
            await resp(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)
