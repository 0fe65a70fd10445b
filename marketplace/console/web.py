"""The console's pages: Starlette routes, Jinja2 templates (autoescaped), no JavaScript.

Security, in the order a request meets it:

- every answer carries a strict CSP (nothing but this origin's stylesheet; no
  script at all), ``X-Frame-Options: DENY``, ``no-store`` and ``nosniff``;
- every page but the login page needs a live session (cookie ``HttpOnly``,
  ``SameSite=Strict``, ``Secure`` over https, path ``/console``): otherwise a
  redirect to the login page;
- every POST carries the session's CSRF token in its form (the login form a
  double-submit token), and a POST whose ``Origin`` is another site is refused;
- wrong passwords are counted per client address, per account from that
  address and per account (``limits.FailureGuard``, a higher limit): past a
  limit, 429 without even checking. An attempt counts from its start (parallel
  guesses cannot all slip under the limit), and password hashes are checked
  at most ``PASSWORD_CHECKS`` at a time, in threads of their own: a burst of
  logins cannot take the database's worker threads from the customers.

Actions call the CLI's own functions with the operator as ``actor``, so each
writes its audit row in its own transaction; a change the counters see wakes
the shop's long-polls after commit.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit
from zoneinfo import ZoneInfo

import anyio
import anyio.to_thread
import jinja2
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import l10n
from marketplace import admin, audit, pairing
from marketplace.console import auth, kpis
from marketplace.console.auth import Operator
from marketplace.console.charts import Series, bar_chart
from marketplace.errors import ApiError
from marketplace.limits import FailureGuard, client_address, hidden
from marketplace.opening_hours import DAY_NAMES, DAYS, load_hours
from marketplace.shops import valid_time_zone
from marketplace.storage import Database, read_tx
from marketplace.validation import read_body
from sync.protocol import parse_iso, to_iso

__all__ = ["PREFIX", "COOKIE", "console_mount", "CSP"]

log = logging.getLogger(__name__)

PREFIX = "/console"
COOKIE = "comptoir_console"
LOGIN_COOKIE = "comptoir_console_login"  # the login form's double-submit CSRF token
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self';"
       " frame-ancestors 'none'; base-uri 'none'")
MAX_FORM_BYTES = 16 * 1024
PASSWORD_CHECKS = 2  # scrypt checks at once (16 MiB and ~50 ms of a core each)
TOP_SHOPS = 20
PAUSE_CHOICES = (("", "jusqu’à réouverture"), ("15", "15 min"), ("30", "30 min"),
                 ("60", "1 h"), ("240", "4 h"))
ACTIONS = {
    "shop.create": "Boutique créée", "shop.update": "Boutique modifiée",
    "shop.pause": "Boutique mise en pause", "shop.resume": "Boutique rouverte",
    "shop.hours": "Horaires modifiés",
    "code.issue": "Code d’appairage émis", "code.revoke": "Code d’appairage révoqué",
    "device.revoke": "Appareil révoqué", "operator.login": "Connexion",
    "operator.logout": "Déconnexion", "operator.add": "Opérateur créé",
    "operator.reset_password": "Mot de passe réinitialisé",
    "operator.disable": "Opérateur désactivé",
}
DETAIL_LABELS = {"name": "nom", "address": "adresse", "time_zone": "fuseau",
                 "device": "appareil n°", "code": "code n°", "all": "codes", "until": "jusqu’au",
                 "operator": "opérateur", "hours": "horaires"}
# What a redirect after an action says (keys only in the URL: no user text goes through it).
DONE = {
    "updated": "Boutique enregistrée.", "unchanged": "Rien à changer.",
    "hours": "Horaires enregistrés.",
    "paused": "Boutique en pause : elle ne prend plus de commandes.",
    "resumed": "Boutique rouverte.", "code_revoked": "Code révoqué.",
    "device_revoked": "Appareil révoqué : son jeton est refusé désormais.",
}
_HERE = Path(__file__).parent
_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(_HERE / "templates"),
                          autoescape=True, undefined=jinja2.StrictUndefined)
TEMPLATES = Jinja2Templates(env=_ENV)


# -- formatting (template filters) --------------------------------------------------------------

def _zone_of(request: Request, name: str | None = None) -> ZoneInfo:
    """A shop's zone, else the console's (settings.console_time_zone)."""
    fallback = request.app.state.market.settings.console_time_zone
    for candidate in (name, fallback, "UTC"):
        if candidate and valid_time_zone(candidate):
            return ZoneInfo(candidate)
    return ZoneInfo("UTC")


def _when(value: str | None, zone: ZoneInfo) -> str:
    local = l10n.to_local(value, zone) if value else None
    return l10n.day_month_time(local) if local else "—"


def _audit_rows(rows: list[dict[str, Any]], zone: ZoneInfo) -> list[dict[str, Any]]:
    """Times in the zone, details as (French label, text): a change reads "old → new"."""
    for row in rows:
        row["at_text"] = _when(row["at"], zone)
        details = []
        for key, value in row["detail"].items():
            if key == "until":
                value = _when(str(value), zone)
            elif isinstance(value, list) and len(value) == 2:
                value = f"{value[0] or '∅'} → {value[1] or '∅'}"
            details.append((DETAIL_LABELS.get(key, key), str(value)))
        row["details"] = details
    return rows


def _seconds(value: float | None) -> str:
    if value is None:
        return "—"
    value = round(value)
    return f"{value // 60} min {value % 60:02d} s" if value >= 60 else f"{value} s"


_ENV.filters["euros"] = lambda cents: l10n.euros(cents)
_ENV.filters["seconds"] = _seconds
_ENV.globals["ACTIONS"] = ACTIONS


# -- security headers ---------------------------------------------------------------------------

class ConsoleHeaders:
    """Security headers on every answer under /console (pages, redirects, errors, CSS)."""

    HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-frame-options", b"DENY"),
               (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
               (b"cache-control", b"no-store"),
               (b"cross-origin-opener-policy", b"same-origin")]

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *(h for h in self.HEADERS if h[0] not in names)]
            await send(message)

        await self.app(scope, receive, with_headers)


# -- sessions, CSRF -----------------------------------------------------------------------------

def _market(request: Request) -> Any:
    return request.app.state.market


async def _db(request: Request, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """On the console's own few threads: a heavy report never holds up an order."""
    if kwargs:
        return await _market(request).console_db(lambda db: fn(db, *args, **kwargs))
    return await _market(request).console_db(fn, *args)


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _same_origin(request: Request) -> bool:
    """A POST from this site: no Origin (older browsers, curl) or our own."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    own = urlsplit(str(request.url))
    return origin == f"{own.scheme}://{own.netloc}"


async def _form(request: Request) -> dict[str, str]:
    """The urlencoded form (first value of each field); 415 for another encoding."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/x-www-form-urlencoded":
        raise ApiError(415, "unsupported_media_type", "Formulaire attendu.")
    body = await read_body(request, MAX_FORM_BYTES,
                           _market(request).settings.body_timeout_s)
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=50,
                          strict_parsing=False)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError(400, "invalid_form", "Formulaire illisible.") from exc
    return {k: v[0] for k, v in fields.items()}


class Page:
    """What a handler of an operator's page gets: request, operator, session token, form."""

    def __init__(self, request: Request, operator: Operator, token: str,
                 form: dict[str, str] | None = None):
        self.request = request
        self.operator = operator
        self.token = token
        self.form = form or {}

    @property
    def actor(self) -> str:
        return audit.console_actor(self.operator.name)

    async def db(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return await _db(self.request, fn, *args, **kwargs)

    def render(self, template: str, status: int = 200, **context: Any) -> Response:
        done = self.request.query_params.get("fait", "")
        return TEMPLATES.TemplateResponse(self.request, template, {
            "operator": self.operator, "csrf": auth.csrf_token(self.token),
            "notice": DONE.get(done), "prefix": PREFIX, **context}, status_code=status)


Handler = Callable[[Page], Awaitable[Response]]


def _to_login(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{PREFIX}/login?suite={quote(target)}", status_code=303)


def _refused(request: Request, message: str, status: int) -> Response:
    return TEMPLATES.TemplateResponse(request, "error.html", {
        "message": message, "operator": None, "prefix": PREFIX, "csrf": "", "notice": None},
        status_code=status)


def operator_page(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """A page or action for a logged-in operator; POSTs must carry the CSRF token."""

    async def endpoint(request: Request) -> Response:
        token = request.cookies.get(COOKIE, "")
        operator = await _db(request, auth.session_of, token) if token else None
        if operator is None:
            if request.method == "POST":
                return _refused(request, "Session expirée : reconnectez-vous.", 403)
            return _to_login(request)
        form = None
        if request.method == "POST":
            form = await _form(request)
            if not _same_origin(request) or not hmac.compare_digest(
                    form.get("csrf", ""), auth.csrf_token(token)):
                log.warning("console: CSRF check failed for %s on %s", operator.name,
                            request.url.path)
                return _refused(request, "Jeton de sécurité invalide : rechargez la page et"
                                         " recommencez.", 403)
        try:
            return await handler(Page(request, operator, token, form))
        except KeyError:
            return _refused(request, "Boutique, appareil ou code introuvable.", 404)

    return endpoint


# -- login --------------------------------------------------------------------------------------

def _login_guard(request: Request) -> FailureGuard:
    """One per app, over the app's limiter (made at the first login attempt)."""
    state = request.app.state
    guard = getattr(state, "console_login_guard", None)
    if guard is None:
        market = _market(request)
        settings = market.settings
        guard = FailureGuard(
            market.limiter, settings.login_failures_per_address,
            settings.login_failures_per_account, scope="login", target_kind="account",
            per_target_and_address=settings.login_failures_per_account_and_address,
            hide_targets=True,
            message="Trop de tentatives de connexion : réessayez plus tard.")
        state.console_login_guard = guard
    return guard


def _password_limiter(request: Request) -> anyio.CapacityLimiter:
    """The password checks' own threads (made in the event loop, at the first login)."""
    state = request.app.state
    limiter = getattr(state, "console_password_limiter", None)
    if limiter is None:
        limiter = state.console_password_limiter = anyio.CapacityLimiter(PASSWORD_CHECKS)
    return limiter


def _next_page(raw: str | None) -> str:
    """Where to go after the login: a console path only (no open redirect)."""
    if raw and raw.startswith(PREFIX + "/") and "//" not in raw and "\\" not in raw:
        return raw
    return PREFIX + "/"


def _login_form(request: Request, status: int = 200, error: str | None = None,
                name: str = "") -> Response:
    # The form's token is kept while its cookie lives: a second tab's login page must not
    # void the first one's form.
    token = request.cookies.get(LOGIN_COOKIE, "")
    if not re.fullmatch(r"[A-Za-z0-9_-]{32}", token):
        token = secrets.token_urlsafe(24)
    response = TEMPLATES.TemplateResponse(request, "login.html", {
        "csrf": token, "error": error, "name": name, "operator": None, "prefix": PREFIX,
        "notice": None, "suite": _next_page(request.query_params.get("suite"))},
        status_code=status)
    response.set_cookie(LOGIN_COOKIE, token, path=PREFIX, httponly=True, samesite="strict",
                        secure=_secure(request), max_age=3600)
    return response


async def login_page(request: Request) -> Response:
    token = request.cookies.get(COOKIE, "")
    if token and await _db(request, auth.session_of, token) is not None:
        return RedirectResponse(PREFIX + "/", status_code=303)
    return _login_form(request)


async def login(request: Request) -> Response:
    form = await _form(request)
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not _same_origin(request) or not hmac.compare_digest(
            form.get("csrf", ""), expected):
        return _login_form(request, 403, "Formulaire expiré : recommencez.")
    name = form.get("name", "").strip().lower()[:40]
    address = client_address(request.scope)
    guard = _login_guard(request)
    try:
        guard.reserve(address, name)  # counted from now: parallel guesses meet the limit
    except ApiError as exc:
        response = _login_form(request, 429, exc.message, name)
        response.headers.update(exc.headers or {})
        return response
    try:
        operator, stored = await _db(request, auth.login_candidate, name)
        right = await anyio.to_thread.run_sync(
            auth.password_matches, form.get("password", ""), stored,
            limiter=_password_limiter(request))
    except BaseException:
        guard.succeeded(address, name)  # not checked (server error, client gone): not counted
        raise
    if not right or operator is None:
        guard.failed(address, name, reserved=True)
        # The typed name may be a password typed in the wrong field: logged hashed.
        log.warning("console: failed login for %s from %s", hidden(name), address)
        return _login_form(request, 401, "Nom ou mot de passe incorrect.", name)
    guard.succeeded(address, name)
    session = await _db(request, auth.open_session, operator,
                        request.cookies.get(COOKIE, "")[:100])
    response = RedirectResponse(_next_page(form.get("suite")), status_code=303)
    response.set_cookie(COOKIE, session, path=PREFIX, httponly=True, samesite="strict",
                        secure=_secure(request))
    response.delete_cookie(LOGIN_COOKIE, path=PREFIX)
    return response


@operator_page
async def logout(page: Page) -> Response:
    await page.db(auth.close_session, page.token, page.operator)
    response = RedirectResponse(PREFIX + "/login", status_code=303)
    response.delete_cookie(COOKIE, path=PREFIX, httponly=True, samesite="strict",
                           secure=_secure(page.request))
    return response


# -- reading the marketplace ----------------------------------------------------------------------

SHOPS_PAGE = 200


def shop_overview(db: Database, search: str = "", limit: int = SHOPS_PAGE,
                  ids: list[str] | None = None) -> list[dict[str, Any]]:
    """Shops (all, those whose name contains ``search``, or those of ``ids``) with their live
    devices and when one was last connected, in name order, at most ``limit``."""
    where: str = ""
    params: tuple[Any, ...] = ()
    if ids is not None:
        where, params = f"WHERE s.id IN ({', '.join('?' * len(ids))})", tuple(ids)
        if not ids:
            return []
    elif search:
        # What the operator typed is text: "%" and "_" match themselves (ESCAPE is portable).
        literal = re.sub(r"([\\%_])", r"\\\1", search.lower())
        where, params = "WHERE LOWER(s.name) LIKE ? ESCAPE '\\'", (f"%{literal}%",)
    with read_tx(db) as tx:
        return tx.rows(
            "SELECT s.id, s.name, s.address, s.paused, s.paused_until, s.time_zone,"
            " (SELECT COUNT(*) FROM devices d WHERE d.shop_id = s.id"
            "  AND d.revoked_at IS NULL) AS devices,"
            " (SELECT MAX(d.last_seen_at) FROM devices d WHERE d.shop_id = s.id"
            "  AND d.revoked_at IS NULL) AS last_seen"
            f" FROM shops s {where} ORDER BY s.name, s.id LIMIT ?", (*params, limit))


def shop_counts(db: Database, seen_since: str) -> dict[str, int]:
    """How many shops, paused, with a live counter seen since ``seen_since`` (ISO UTC)."""
    with read_tx(db) as tx:
        return tx.row(
            "SELECT COUNT(*) AS total, COALESCE(SUM(s.paused), 0) AS paused,"
            " COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM devices d WHERE d.shop_id = s.id"
            " AND d.revoked_at IS NULL AND d.last_seen_at >= ?) THEN 1 ELSE 0 END), 0)"
            " AS attended FROM shops s", (seen_since,)) or {}


def _recent(moment: str | None, within_s: float, now: dt.datetime) -> bool:
    seen = parse_iso(moment)
    return seen is not None and (now - seen).total_seconds() <= within_s


def _kpi_view(request: Request, db_result: tuple[list[kpis.Bucket], kpis.Bucket]
              ) -> dict[str, Any]:
    buckets, total = db_result
    labels = [b.period.label for b in buckets if b.period]
    delays = [v for b in buckets for v in (b.accept_p50_s, b.accept_p90_s) if v is not None]
    minutes = max(delays, default=0) >= 120  # an axis in minutes past two minutes
    charts = [
        bar_chart("Commandes", labels, [
            Series("commandes", [b.orders for b in buckets], "s1"),
            Series("refusées (délai)", [b.refused_timeout for b in buckets], "s3"),
            Series("annulées", [b.cancelled for b in buckets], "s4")], integer=True),
        bar_chart("Chiffre d’affaires", labels, [
            Series("CA", [b.revenue_cents / 100 for b in buckets], "s2")],
            fmt=lambda v: l10n.euros(round(v * 100)),
            tick_fmt=lambda v: f"{v:,.0f} €".replace(",", "\u202f")),
        bar_chart("Délai d’acceptation", labels, [
            Series("p50", [_in(b.accept_p50_s, minutes) for b in buckets], "s1"),
            Series("p90", [_in(b.accept_p90_s, minutes) for b in buckets], "s3")],
            fmt=(lambda v: _seconds(v * 60)) if minutes else _seconds,
            tick_fmt=(lambda v: f"{v:g} min") if minutes else (lambda v: f"{v:g} s")),
    ]
    return {"buckets": [b.to_dict() for b in buckets], "total": total.to_dict(),
            "charts": charts}


def _in(seconds: float | None, minutes: bool) -> float | None:
    return seconds / 60 if minutes and seconds is not None else seconds


def _unit(request: Request) -> tuple[str, int]:
    unit = "week" if request.query_params.get("par") == "semaine" else "day"
    return unit, (12 if unit == "week" else 14)


# -- pages --------------------------------------------------------------------------------------

# The whole marketplace's KPIs read every order of the period (bench/bench_console.py: about
# a second per 150,000 orders here): kept a minute per process, so reloads and several
# operators do not each pay for it.
KPI_CACHE_S = 60.0


async def _overall_kpis(page: Page, spans: list[kpis.Period]) -> Any:
    state = page.request.app.state
    if not hasattr(state, "console_kpi_cache"):
        state.console_kpi_cache = {}
    _kpi_cache: dict[tuple[str, ...], tuple[float, Any]] = state.console_kpi_cache
    key = (to_iso(spans[0].start), to_iso(spans[-1].end), str(len(spans)))
    now = time.monotonic()
    cached = _kpi_cache.get(key)
    if cached is not None and now - cached[0] < KPI_CACHE_S:
        return cached[1]
    per_shop: dict[str, kpis.Bucket] = {}
    result = await page.db(kpis.compute, spans, None, per_shop)
    value = (result, per_shop, dt.datetime.now(dt.UTC))
    if len(_kpi_cache) > 32:
        _kpi_cache.clear()
    _kpi_cache[key] = (now, value)
    return value


@operator_page
async def dashboard(page: Page) -> Response:
    zone = _zone_of(page.request)
    unit, count = _unit(page.request)
    spans = kpis.periods(unit, count, zone)
    result, per_shop, computed_at = await _overall_kpis(page, spans)
    market = _market(page.request)
    now = dt.datetime.now(dt.UTC)
    within = market.settings.unattended_after_s
    counts = await page.db(shop_counts, to_iso(now - dt.timedelta(seconds=within)))
    # The busiest shops of the period, side by side (each shop's page has its own charts).
    busiest = sorted(per_shop.items(), key=lambda item: -item[1].orders)[:TOP_SHOPS]
    shops = {s["id"]: s for s in await page.db(shop_overview, "", TOP_SHOPS,
                                               [shop_id for shop_id, _ in busiest])}
    ranking = []
    for shop_id, bucket in busiest:
        if shop_id in shops:
            shop = shops[shop_id]
            shop["connected"] = market.presence.holding(shop_id) or _recent(
                shop["last_seen"], within, now)
            ranking.append({**bucket.to_dict(), "shop": shop})
    return page.render("dashboard.html", unit=unit, zone=str(zone), ranking=ranking,
                       computed_at=_when(to_iso(computed_at), zone),
                       shops_total=counts["total"], shops_paused=counts["paused"],
                       shops_attended=counts["attended"], **_kpi_view(page.request, result))


@operator_page
async def shops_page(page: Page) -> Response:
    search = page.request.query_params.get("q", "")[:100]
    return await _shops_list(page, search)


async def _shops_list(page: Page, search: str = "", status: int = 200,
                      error: str | None = None, values: dict[str, str] | None = None
                      ) -> Response:
    rows = await page.db(shop_overview, search)
    now = dt.datetime.now(dt.UTC)
    market = _market(page.request)
    zone = _zone_of(page.request)
    for row in rows:
        row["connected"] = market.presence.holding(row["id"]) or _recent(
            row["last_seen"], market.settings.unattended_after_s, now)
        row["last_seen_text"] = _when(row["last_seen"], zone)
    return page.render("shops.html", status, shops=rows, search=search, error=error,
                       values=values or {}, truncated=len(rows) >= SHOPS_PAGE)


@operator_page
async def create_shop(page: Page) -> Response:
    form = page.form
    name, address, time_zone = (form.get(k, "") for k in ("name", "address", "time_zone"))
    try:
        shop_id, code = await page.db(admin.create_shop, name, address, time_zone=time_zone,
                                      actor=page.actor)
    except ValueError as exc:
        return await _shops_list(page, status=422, error=str(exc), values=form)
    shop = await page.db(admin.get_shop, shop_id)
    return _code_page(page, shop, code, created=True)


def _code_page(page: Page, shop: dict[str, Any], code: str, created: bool = False) -> Response:
    ttl = _market(page.request).settings.pairing_code_ttl_s
    until = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=ttl)
    return page.render("code.html", shop=shop, code=code, created=created,
                       until=_when(to_iso(until), _zone_of(page.request, shop["time_zone"])))


@operator_page
async def shop_page(page: Page) -> Response:
    return await _shop_detail(page)


async def _shop_detail(page: Page, status: int = 200, error: str | None = None,
                       values: dict[str, str] | None = None,
                       hours_values: dict[str, str] | None = None) -> Response:
    shop_id = page.request.path_params["shop_id"]
    shop = await page.db(admin.get_shop, shop_id)
    zone = _zone_of(page.request, shop["time_zone"])
    market = _market(page.request)
    now = dt.datetime.now(dt.UTC)
    held = market.presence.held_devices(shop_id)
    devices = await page.db(pairing.list_devices, shop_id)
    for device in devices:
        expired = device["expires_at"] is not None and device["expires_at"] <= to_iso(now)
        device["state"] = ("revoked" if device["revoked_at"] else "expired" if expired
                           else "live")
        device["connected"] = device["state"] == "live" and (
            device["id"] in held
            or _recent(device["last_seen_at"], market.settings.unattended_after_s, now))
        for key in ("created_at", "last_seen_at", "revoked_at"):
            device[key + "_text"] = _when(device[key], zone)
    codes = await page.db(pairing.list_pending_codes, shop_id)
    for code in codes:
        code["created_text"], code["expires_text"] = (_when(code["created_at"], zone),
                                                      _when(code["expires_at"], zone))
    unit, count = _unit(page.request)
    result = await page.db(kpis.compute, kpis.periods(unit, count, zone), shop_id)
    history = _audit_rows(await page.db(audit.recent, shop_id, 20), zone)
    shop["paused_until_text"] = _when(shop["paused_until"], zone)
    hours = ({day: hours_values.get(f"hours_{day}", "") for day in DAYS} if hours_values
             else hours_to_form(shop["opening_hours"]))
    return page.render("shop.html", status, shop=shop, zone=str(zone), devices=devices,
                       hours=hours, day_labels=DAY_NAMES,
                       codes=codes, unit=unit, history=history, error=error,
                       values=values or shop, pause_choices=PAUSE_CHOICES,
                       **_kpi_view(page.request, result))


def hours_to_form(text: str | None) -> dict[str, str]:
    """A shop's stored hours as the form shows them: day → "07:00-13:00, 15:00-19:30"."""
    hours = load_hours(text) or {}
    return {day: ", ".join(f"{a}-{b}" for a, b in hours.get(day, [])) for day in DAYS}


def _clock(text: str) -> str:
    """"7h", "7h30", "7:30", "07:30" → "07:30" (anything else is left for parse_hours to refuse)."""
    found = re.fullmatch(r"\s*(\d{1,2})\s*(?:[:hH]\s*(\d{2})?)?\s*", text)
    return f"{int(found.group(1)):02d}:{found.group(2) or '00'}" if found else text.strip()


def hours_from_form(form: dict[str, str]) -> dict[str, list[list[str]]] | None:
    """The form's hours for opening_hours.parse_hours (which checks them, in French); every
    day empty = no hours given (orders "as soon as possible" only)."""
    hours: dict[str, list[list[str]]] = {}
    for day in DAYS:
        raw = form.get(f"hours_{day}", "").strip()
        ranges = []
        for part in filter(None, (p.strip() for p in raw.replace(";", ",").split(","))):
            start, sep, end = part.replace("–", "-").partition("-")
            if not sep:
                raise ValueError(f"{DAY_NAMES[day]} : une plage s’écrit comme 07:00-13:00.")
            ranges.append([_clock(start), _clock(end)])
        hours[day] = ranges
    return hours if any(hours.values()) else None


def _back(page: Page, done: str) -> Response:
    shop_id = page.request.path_params["shop_id"]
    return RedirectResponse(f"{PREFIX}/shops/{quote(shop_id)}?fait={done}", status_code=303)


@operator_page
async def edit_shop(page: Page) -> Response:
    shop_id = page.request.path_params["shop_id"]
    fields = {k: page.form.get(k, "") for k in ("name", "address", "time_zone")}
    try:
        changed = await page.db(admin.update_shop, shop_id, **fields, actor=page.actor)
    except ValueError as exc:
        return await _shop_detail(page, 422, str(exc), values=fields)
    if changed:
        _market(page.request).hub.notify(shop_id)  # the counters show the new name/zone
    return _back(page, "updated" if changed else "unchanged")


@operator_page
async def edit_hours(page: Page) -> Response:
    shop_id = page.request.path_params["shop_id"]
    try:
        hours = hours_from_form(page.form)
        await page.db(admin.set_opening_hours, shop_id, hours, actor=page.actor)
    except ValueError as exc:
        return await _shop_detail(page, 422, str(exc), hours_values=page.form)
    return _back(page, "hours")


@operator_page
async def pause_shop(page: Page) -> Response:
    shop_id = page.request.path_params["shop_id"]
    if page.form.get("action") == "resume":
        await page.db(admin.pause_shop, shop_id, False, actor=page.actor)
        done = "resumed"
    else:
        minutes = page.form.get("minutes", "")
        if minutes not in {value for value, _ in PAUSE_CHOICES}:
            return await _shop_detail(page, 422, "Durée de pause inconnue.")
        until = (to_iso(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=int(minutes)))
                 if minutes else None)
        await page.db(admin.pause_shop, shop_id, True, until, actor=page.actor)
        done = "paused"
    _market(page.request).hub.notify(shop_id)  # the counters show the pause at once
    return _back(page, done)


@operator_page
async def issue_code(page: Page) -> Response:
    shop_id = page.request.path_params["shop_id"]
    code = await page.db(admin.new_pairing_code, shop_id, actor=page.actor)
    return _code_page(page, await page.db(admin.get_shop, shop_id), code)


def _int_param(page: Page, name: str) -> int:
    raw = page.request.path_params[name]
    if not raw.isdigit() or len(raw) > 18:
        raise KeyError(raw)
    return int(raw)


@operator_page
async def revoke_code(page: Page) -> Response:
    shop_id = page.request.path_params["shop_id"]
    await page.db(pairing.revoke_code, shop_id, _int_param(page, "code_id"), actor=page.actor)
    return _back(page, "code_revoked")


@operator_page
async def revoke_device(page: Page) -> Response:
    shop_id = page.request.path_params["shop_id"]
    device_id = _int_param(page, "device_id")
    await page.db(pairing.revoke_device_by_id, shop_id, device_id, actor=page.actor)
    _market(page.request).presence.forget(device_id)  # no longer says the shop is watched
    return _back(page, "device_revoked")


@operator_page
async def audit_page(page: Page) -> Response:
    zone = _zone_of(page.request)
    rows = _audit_rows(await page.db(audit.recent, None, audit.MAX_PAGE), zone)
    return page.render("audit.html", rows=rows, zone=str(zone))


def _routes() -> list[BaseRoute]:
    return [
        Route("/", dashboard, methods=["GET"]),
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/shops", shops_page, methods=["GET"]),
        Route("/shops", create_shop, methods=["POST"]),
        Route("/shops/{shop_id}", shop_page, methods=["GET"]),
        Route("/shops/{shop_id}/edit", edit_shop, methods=["POST"]),
        Route("/shops/{shop_id}/hours", edit_hours, methods=["POST"]),
        Route("/shops/{shop_id}/pause", pause_shop, methods=["POST"]),
        Route("/shops/{shop_id}/codes", issue_code, methods=["POST"]),
        Route("/shops/{shop_id}/codes/{code_id}/revoke", revoke_code, methods=["POST"]),
        Route("/shops/{shop_id}/devices/{device_id}/revoke", revoke_device, methods=["POST"]),
        Route("/audit", audit_page, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=_HERE / "static"), name="static"),
    ]


def console_mount() -> Mount:
    """The console, to add to the app's routes (``/console`` without a slash redirects)."""
    from starlette.routing import Router

    return Mount(PREFIX, app=ConsoleHeaders(Router(_routes())))

