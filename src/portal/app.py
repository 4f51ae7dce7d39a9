"""create_app(settings) -> Litestar: wiring only."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging

from litestar import Litestar
from litestar.datastructures import State
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from portal import links, mail, notify
from portal.accuracy.api import metric_readings as accuracy_readings
from portal.accuracy.api import reminders_forever
from portal.accuracy.routes import router as accuracy_router
from portal.admin.routes import router as admin_router
from portal.auth.middleware import must_change_middleware, session_middleware
from portal.auth.rate_limit import make_limiter
from portal.auth.routes import router as auth_router
from portal.auth.sessions import make_store
from portal.conduct.routes import router as conduct_router
from portal.db import engine as db_engine
from portal.documents.api import make_storage, sweep_forever
from portal.documents.routes import router as documents_router
from portal.events.routes import router as events_router
from portal.receipts.routes import router as receipts_router
from portal.settings import Settings
from portal.survey.routes import router as survey_router
from portal.web import health, metrics, pages
from portal.web.bodies import body_guard
from portal.web.compression import COMPRESSION
from portal.web.errors import EXCEPTION_HANDLERS
from portal.web.logs import request_log
from portal.web.middleware import STATIC_PATH, csrf_middleware, security_headers
from portal.web.page_cache import PageCache
from portal.web.proxies import forwarded, parse_networks
from portal.web.static import route as static_route
from portal.web.static import static_files
from portal.web.templates import make_environment

log = logging.getLogger("portal")

URLS_CACHED = 4096  # url_for results kept (a link per route and id)


# Each feature declares its routes once, as a Router with its prefix, guard and dependencies.
ROUTERS = [
    auth_router,
    events_router,
    documents_router,
    accuracy_router,
    survey_router,
    conduct_router,
    receipts_router,
    admin_router,
    pages.router,
    health.router,
    metrics.router,
]


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    environment = make_environment(settings.templates_dir)
    files = make_storage(settings)  # the data dir's files, or S3 (PORTAL_STORAGE_URL)
    # Hashed, pre-compressed copies of static/ in the (writable) data dir.
    static = static_files(settings.static_dir, settings.data_dir / "static", STATIC_PATH)

    async def on_startup(app: Litestar) -> None:
        app.state.engine = db_engine.bind(
            settings.effective_database_url,
            settings.db_pool_size,
            connect_timeout=settings.db_connect_timeout,
            statement_timeout=settings.db_statement_timeout,
        )
        if settings.mail_worker:
            app.state.mail_worker = asyncio.create_task(mail.worker(settings))
        # The accuracy check reminders, once across workers, now and every
        # reminder_seconds (0: only `portal send-reminders`, from cron). Background mail
        # work, so not where tests deliver mail themselves (mail_worker off).
        if settings.mail_worker and settings.reminder_seconds > 0:
            app.state.reminders = asyncio.create_task(
                reminders_forever(
                    settings.reminder_seconds,
                    redis_url=settings.redis_url,
                    redis_prefix=settings.redis_prefix,
                )
            )
        # What crashed uploads left in storage, swept now and every sweep_seconds.
        app.state.sweeper = asyncio.create_task(
            sweep_forever(
                files,
                settings.storage_grace_seconds,
                settings.sweep_seconds,
                redis_url=settings.redis_url,
                redis_prefix=settings.redis_prefix,
            )
        )

    async def on_shutdown(app: Litestar) -> None:
        worker = getattr(app.state, "mail_worker", None)
        if worker is not None:
            worker.cancel()
        reminders = getattr(app.state, "reminders", None)
        if reminders is not None:
            reminders.cancel()
        app.state.sweeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await app.state.sweeper
        await files.close()
        await app.state.sessions.close()
        await app.state.rate_limiter.close()
        await health.close(app)
        await db_engine.close(app.state.engine)

    limiter = make_limiter(settings.redis_url, settings.redis_prefix)
    app = Litestar(
        route_handlers=[
            *ROUTERS,
            static_route(static),
        ],
        # Who is signed in, then the CSRF check (bound to the session), then the forced
        # password change (after the check, so a forged POST is refused first).
        middleware=[session_middleware, csrf_middleware, must_change_middleware],
        openapi_config=None,  # no schema pages: they would list every route to anyone
        before_send=[security_headers],
        exception_handlers=EXCEPTION_HANDLERS,
        plugins=[HTMXPlugin()],
        compression_config=COMPRESSION,  # pages and fragments; not static files or downloads
        template_config=TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment)),
        state=State(
            {
                "settings": settings,
                "sessions": make_store(
                    settings.redis_url,
                    settings.session_hours,
                    settings.session_idle_seconds,
                    prefix=settings.redis_prefix,
                ),
                "rate_limiter": limiter,
                "files": files,
                "page_cache": PageCache(),  # event pages, keyed by event version
                # Gauges /metrics computes when scraped, one query each.
                "metric_sources": (mail.queue_readings, accuracy_readings),
            }
        ),
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        debug=False,
    )
    # Outside everything else, so that even an unknown path is logged: the client as a
    # trusted proxy names it, then one log line and a request id per request, then the
    # request's count and time by route name (metrics).
    app.asgi_handler = forwarded(
        request_log(
            metrics.observe(body_guard(app.asgi_handler, settings.upload_idle_seconds)),
            quiet_paths=(*health.PATHS, *metrics.PATHS),
        ),
        parse_networks(settings.trusted_proxies),
    )
    # Every URL in a template is built from a route name, never typed by hand.
    # Routes do not change while the app runs: a page's twenty-odd links are looked up
    # once each (Litestar's reverse compares parameter sets on every call).
    environment.globals["url_for"] = functools.lru_cache(maxsize=URLS_CACHED)(app.route_reverse)
    environment.globals["static"] = static.url  # the hashed name, cached for a year
    # Links in mail and from periodic tasks: route names and the public address.
    links.install(app.route_reverse, settings.base_url)
    notify.install(settings)
    return app
