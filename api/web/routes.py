"""The adjuster workbench: server-rendered pages under ``/web`` on top of the claims service.

Pages: sign-in, review queue (filters, new claim), claim page (pages with OCR boxes, fields, materials,
severity, fraud, checks, decision form, upload, timeline, corrections, audit trail). Forms post back and
redirect (post/redirect/get); every post checks the session's CSRF token. Every page goes through the same
``ClaimService`` calls as the JSON API, so roles, tenant isolation, masking and the audit log are the API's.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from pydantic import ValidationError

from api.service_deps import RuntimeDep
from api.web import views
from api.web.i18n import LANG_COOKIE, LANGS, Translate, request_lang, translator
from api.web.session import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    LoginRequired,
    PageDep,
    check_csrf,
    new_login_token,
    safe_next,
    set_cookie,
)
from claims_ai.config import ClaimType
from claims_ai.errors import AuthError, ClaimsAIError, InputError
from claims_ai.service.auth import Permission
from claims_ai.service.claims import Upload
from claims_ai.service.corrections import CorrectionCreate
from claims_ai.service.models import ClaimStatus, CorrectionKind, DecisionOutcome
from claims_ai.service.schemas import ClaimCreate, DecisionCreate, Member
from claims_ai.service.workbench import OPEN_STATUSES, QueueFilters, review_queue

__all__ = ["router"]

log = logging.getLogger("api.web")
_HERE = Path(__file__).resolve().parent
_env = Environment(
    loader=FileSystemLoader(_HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.globals.update(label=views.label, fmt_time=views.fmt_time)

_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self'; form-action 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def render(
    request: Request, name: str, t: Translate, lang: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    html = _env.get_template(name).render(t=t, lang=lang, langs=LANGS, path=_current(request), **context)
    return HTMLResponse(html, status_code=status_code, headers=_SECURITY_HEADERS)


def _current(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


class WebRoute(APIRoute):
    """Answers like a web page: sign-in redirect instead of 401, an error page instead of JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def web_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired as exc:
                if request.method == "GET" and not request.url.path.endswith(".json"):
                    return RedirectResponse("/web/login?" + urlencode({"next": exc.next_url}), status_code=303)
                return JSONResponse({"error": {"code": "unauthorized", "message": "Sign in first."}}, 401)
            except (RequestValidationError, ValidationError) as exc:
                return _error_page(request, InputError(_validation_message(exc)))
            except ClaimsAIError as exc:
                return _error_page(request, exc)

        return web_handler


def _validation_message(exc: RequestValidationError | ValidationError) -> str:
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
        problems.append(f"{where or 'form'}: {err.get('msg', 'invalid')}")
    return "; ".join(problems)


def _error_page(request: Request, exc: ClaimsAIError) -> HTMLResponse:
    lang = request_lang(request)
    t = translator(lang)
    return render(
        request,
        "error.html",
        t,
        lang,
        status_code=exc.http_status,
        page=None,
        code=exc.code,
        message=exc.message,
        title=t(f"error.{exc.code}", t("error.title")),
    )


router = APIRouter(prefix="/web", route_class=WebRoute, include_in_schema=False)


# --------------------------------------------------------------------------- sign-in


@router.get("/login")
def login_form(request: Request, next: Annotated[str | None, Query(max_length=2000)] = None) -> Response:
    lang = request_lang(request)
    return _login_page(request, lang, safe_next(next), None)


def _login_page(request: Request, lang: str, next_url: str, error: str | None, status_code: int = 200) -> Response:
    token = new_login_token()
    response = render(
        request,
        "login.html",
        translator(lang),
        lang,
        status_code=status_code,
        page=None,
        next=next_url,
        csrf_token=token,
        error=error,
    )
    set_cookie(request, response, LOGIN_CSRF_COOKIE, token, max_age=3600)
    return response


@router.post("/login")
def login(
    request: Request,
    runtime: RuntimeDep,
    api_key: Annotated[str, Form(max_length=300)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/web/",
) -> Response:
    lang = request_lang(request)
    t = translator(lang)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    if not expected or not hmac.compare_digest(expected.encode(), csrf_token.encode()):
        return _login_page(request, lang, safe_next(next), t("login.expired"), status_code=403)
    try:
        principal = runtime.keys.authenticate(f"Bearer {api_key.strip()}")
    except AuthError:
        return _login_page(request, lang, safe_next(next), t("login.invalid"), status_code=401)
    token = runtime.web_sessions.create(principal)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(
    request: Request, page: PageDep, runtime: RuntimeDep, csrf_token: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    check_csrf(request, page, csrf_token)
    runtime.web_sessions.end(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/web/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/lang/{code}")
def switch_language(
    request: Request, code: str, next: Annotated[str | None, Query(max_length=2000)] = None
) -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LANGS:
        set_cookie(request, response, LANG_COOKIE, code, max_age=365 * 86400)
    return response


# --------------------------------------------------------------------------- queue


_SORTS = ("due", "risk", "newest")


@router.get("/")
def queue(
    request: Request,
    page: PageDep,
    runtime: RuntimeDep,
    status: Annotated[str, Query(max_length=40)] = "open",
    route: Annotated[str, Query(max_length=40)] = "",
    fraud_band: Annotated[str, Query(max_length=20)] = "",
    claim_type: Annotated[str, Query(max_length=40)] = "",
    tier: Annotated[str, Query(max_length=20)] = "",
    sort: Annotated[Literal["due", "risk", "newest"], Query()] = "due",
    done: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    statuses: list[ClaimStatus]
    if status == "open":
        statuses = list(OPEN_STATUSES)
    elif status == "all":
        statuses = []
    else:
        try:
            statuses = [ClaimStatus(status)]
        except ValueError:
            raise InputError(f"Unknown status {status!r}.") from None
    filters = QueueFilters(
        status=statuses,
        route=[route] if route else [],
        fraud_band=[fraud_band] if fraud_band else [],
        claim_type=[claim_type] if claim_type else [],
        tier=[tier] if tier else [],
        sort=sort,
    )
    result = review_queue(runtime.db, page.principal, filters)
    return render(
        request,
        "queue.html",
        page.t,
        page.lang,
        page=page,
        items=result["items"],
        total=result["total"],
        filters={
            "status": status,
            "route": route,
            "fraud_band": fraud_band,
            "claim_type": claim_type,
            "tier": tier,
            "sort": sort,
        },
        statuses=[s.value for s in ClaimStatus],
        routes=("auto_approve", "request_materials", "adjuster_review", "investigate"),
        bands=("low", "medium", "high"),
        tiers=("severe", "mild", "not_covered", "undetermined"),
        claim_types=[c.value for c in ClaimType],
        sorts=_SORTS,
        can_write=page.can(Permission.CLAIMS_WRITE),
        done=done,
    )


@router.post("/claims")
def create_claim(
    request: Request,
    page: PageDep,
    runtime: RuntimeDep,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    claim_type: Annotated[str, Form(max_length=40)] = "",
    external_ref: Annotated[str, Form(max_length=200)] = "",
    member_name: Annotated[str, Form(max_length=200)] = "",
    member_id_number: Annotated[str, Form(max_length=40)] = "",
    member_age: Annotated[str, Form(max_length=3)] = "",
    plan: Annotated[str, Form(max_length=100)] = "",
    policy_start_date: Annotated[str, Form(max_length=10)] = "",
    waiting_period_days: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    check_csrf(request, page, csrf_token)
    data = ClaimCreate(
        claim_type=ClaimType(claim_type) if claim_type else None,
        external_ref=external_ref or None,
        member=Member(name=member_name or None, id_number=member_id_number or None),
        member_age=int(member_age) if member_age.strip().isdigit() else None,
        plan=plan or None,
        policy_start_date=policy_start_date or None,  # type: ignore[arg-type]  # pydantic parses the ISO date
        waiting_period_days=int(waiting_period_days) if waiting_period_days.strip().isdigit() else None,
    )
    reply = runtime.claims.create_claim(page.principal, data)
    return RedirectResponse(f"/web/claims/{reply.body['id']}?done=created", status_code=303)


# --------------------------------------------------------------------------- claim page


@router.get("/claims/{claim_id}")
def claim_page(
    request: Request,
    claim_id: str,
    page: PageDep,
    runtime: RuntimeDep,
    done: Annotated[str | None, Query(max_length=40)] = None,
    error: Annotated[str | None, Query(max_length=60)] = None,
) -> Response:
    principal = page.principal
    claim = runtime.claims.get_claim(principal, claim_id)
    timeline = runtime.claims.timeline(principal, claim_id)
    corrections = runtime.corrections.list(principal, claim_id)
    audit = runtime.claims.audit_trail(principal, claim_id) if page.can(Permission.AUDIT_READ) else None
    names = {k.id: k.name or k.id for k in runtime.keys.list(principal.tenant)}
    names["system"] = page.t("common.system")

    def who(actor: str | None) -> str:
        return names.get(actor or "", actor or "")

    model = views.claim_page(page.t, page.lang, claim, timeline, corrections, audit, who)
    return render(
        request,
        "claim.html",
        page.t,
        page.lang,
        page=page,
        m=model,
        who=who,
        can_decide=page.can(Permission.DECIDE) and claim["status"] != ClaimStatus.DECIDED.value,
        can_correct=page.can(Permission.DECIDE) and claim["status"] != ClaimStatus.DECIDED.value,
        can_upload=page.can(Permission.CLAIMS_WRITE) and claim["status"] != ClaimStatus.DECIDED.value,
        done=done,
        error=error,
    )


@router.get("/claims/{claim_id}/progress.json")
def claim_progress(claim_id: str, page: PageDep, runtime: RuntimeDep) -> Response:
    """Whether the claim's documents are still being read (the claim page polls it, then reloads)."""
    timeline = runtime.claims.timeline(page.principal, claim_id)
    with runtime.db.tx() as s:
        from claims_ai.service.models import Claim

        row = s.get(Claim, timeline["claim_id"])
        pending = row is not None and row.assessed_revision < row.revision
        revision = row.revision if row is not None else 0
    return JSONResponse(
        {"status": timeline["status"], "pending": pending, "revision": revision},
        headers={"Cache-Control": "no-store"},
    )


@router.get("/claims/{claim_id}/documents/{document_id}/pages/{number}")
def page_image(claim_id: str, document_id: str, number: int, page: PageDep, runtime: RuntimeDep) -> Response:
    if not 1 <= number <= 10_000:
        raise InputError("There is no such page.")
    png = runtime.claims.page_image(page.principal, claim_id, document_id, number, 2400)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=300"})


def _back(claim_id: str, **query: str) -> RedirectResponse:
    return RedirectResponse(f"/web/claims/{claim_id}?{urlencode(query)}", status_code=303)


def _redirect_error(claim_id: str, exc: ClaimsAIError) -> RedirectResponse:
    return _back(claim_id, error=exc.code)


@router.post("/claims/{claim_id}/decision")
def decide(
    request: Request,
    claim_id: str,
    page: PageDep,
    runtime: RuntimeDep,
    outcome: Annotated[str, Form(max_length=40)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    reason_codes: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
    comment: Annotated[str, Form(max_length=4000)] = "",
    assessment_id: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    check_csrf(request, page, csrf_token)
    if not reason_codes:
        return _back(claim_id, error="reason_required")
    try:
        data = DecisionCreate(
            outcome=DecisionOutcome(outcome),
            reason_codes=reason_codes,
            comment=comment or None,
            assessment_id=assessment_id or None,
        )
    except ValueError:
        return _back(claim_id, error="invalid_request")
    try:
        runtime.claims.decide(page.principal, claim_id, data)
    except InputError as exc:
        return _redirect_error(claim_id, exc)
    return _back(claim_id, done="decided")


@router.post("/claims/{claim_id}/corrections")
def correct(
    request: Request,
    claim_id: str,
    page: PageDep,
    runtime: RuntimeDep,
    kind: Annotated[str, Form(max_length=20)],
    target: Annotated[str, Form(max_length=60)],
    value: Annotated[str, Form(max_length=500)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    document_id: Annotated[str, Form(max_length=40)] = "",
    page_number: Annotated[str, Form(alias="page", max_length=6)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    assessment_id: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    check_csrf(request, page, csrf_token)
    try:
        data = CorrectionCreate(
            kind=CorrectionKind(kind),
            target=target,
            value=value,
            document_id=document_id or None,
            page=int(page_number) if page_number.isdigit() else None,
            reason=reason or None,
            assessment_id=assessment_id or None,
        )
    except ValueError:
        return _back(claim_id, error="invalid_correction")
    try:
        runtime.corrections.correct(page.principal, claim_id, data)
    except InputError as exc:
        return _redirect_error(claim_id, exc)
    return _back(claim_id, done="corrected")


@router.post("/claims/{claim_id}/documents")
def upload(
    request: Request,
    claim_id: str,
    page: PageDep,
    runtime: RuntimeDep,
    files: Annotated[list[UploadFile], File()],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    check_csrf(request, page, csrf_token)
    limit = runtime.settings.limits.max_file_bytes
    uploads = [
        Upload(name=f.filename or f"file-{i + 1}", data=f.file.read(limit + 1))
        for i, f in enumerate(files)
        if f.filename or f.size
    ]
    try:
        runtime.claims.upload_documents(page.principal, claim_id, uploads)
    except InputError as exc:
        return _redirect_error(claim_id, exc)
    return _back(claim_id, done="uploaded")
