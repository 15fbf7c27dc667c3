"""Sign-in state of the workbench: session cookie, CSRF tokens, the caller of a page.

The session cookie (``claims_ai_session``) is httpOnly and SameSite=Strict (Secure behind HTTPS); it carries a
random token whose sha256 names a ``web_sessions`` row. Every form post carries the session's CSRF token (a
hidden field, or the ``X-CSRF-Token`` header for scripts), checked in constant time. The sign-in form, which has
no session yet, uses a double-submit token: a random value in an httpOnly cookie and the same value in the form.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response

from api.service_deps import RuntimeDep
from api.web.i18n import Translate, request_lang, translator
from claims_ai.errors import ForbiddenError
from claims_ai.service.auth import Permission, Principal
from claims_ai.service.websessions import LIFETIME

__all__ = [
    "LOGIN_CSRF_COOKIE",
    "SESSION_COOKIE",
    "LoginRequired",
    "Page",
    "PageDep",
    "check_csrf",
    "safe_next",
    "set_cookie",
]

SESSION_COOKIE = "claims_ai_session"
LOGIN_CSRF_COOKIE = "claims_ai_login_csrf"


class LoginRequired(Exception):
    """No valid session: the page answers with a redirect to the sign-in form."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


@dataclass(frozen=True)
class Page:
    """What every signed-in page knows: who, in which language, and the session's CSRF token."""

    principal: Principal
    csrf_token: str
    key_name: str | None
    lang: str
    t: Translate

    def can(self, permission: Permission) -> bool:
        return self.principal.can(permission)


def safe_next(value: str | None) -> str:
    """Only a path inside the workbench (no scheme, no host, no ``//``) is followed after sign-in."""
    if value and value.startswith("/web") and not value.startswith("//") and "\\" not in value and "\n" not in value:
        return value
    return "/web/"


def _page(request: Request, runtime: RuntimeDep) -> Page:
    active = runtime.web_sessions.resolve(request.cookies.get(SESSION_COOKIE))
    if active is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(safe_next(target))
    lang = request_lang(request)
    return Page(active.principal, active.csrf_token, active.key_name, lang, translator(lang))


PageDep = Annotated[Page, Depends(_page)]


def check_csrf(request: Request, page: Page, form_token: str | None) -> None:
    token = form_token or request.headers.get("x-csrf-token") or ""
    if not hmac.compare_digest(token.encode(), page.csrf_token.encode()):
        raise ForbiddenError("The form expired or did not come from this site (CSRF check). Reload and try again.")


def new_login_token() -> str:
    return secrets.token_urlsafe(24)


def set_cookie(request: Request, response: Response, name: str, value: str, *, max_age: int | None = None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age if max_age is not None else int(LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
