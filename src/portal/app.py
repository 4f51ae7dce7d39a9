"""create_app(settings) -> Litestar: wiring only."""

from __future__ import annotations

import asyncio
import logging

from litestar import Litestar
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.datastructures import State
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from portal import mail
from portal.accuracy import routes as accuracy_routes
from portal.admin import routes as admin_routes
from portal.auth import routes as auth_routes
from portal.auth.rate_limit import make_limiter
from portal.auth.sessions import make_store
from portal.conduct import routes as conduct_routes
from portal.db import engine as db_engine
from portal.documents import routes as document_routes
from portal.documents.storage import FileStore
from portal.events import routes as event_routes
from portal.settings import Settings
from portal.survey import routes as survey_routes
from portal.web import pages
from portal.web.errors import EXCEPTION_HANDLERS
from portal.web.middleware import security_headers, session_middleware
from portal.web.templates import make_environment

log = logging.getLogger("portal")


def route_handlers() -> list[object]:
    return [
        *auth_routes.route_handlers,
        *event_routes.route_handlers,
        *document_routes.route_handlers,
        *accuracy_routes.route_handlers,
        *survey_routes.route_handlers,
        *conduct_routes.route_handlers,
        *admin_routes.route_handlers,
        *pages.route_handlers,
    ]


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    environment = make_environment(settings.templates_dir)
    files = FileStore(settings.files_dir)

    async def on_startup(app: Litestar) -> None:
        engine = db_engine.bind(settings.effective_database_url)
        if settings.db_pool:
            await db_engine.start_pool(engine)
        app.state.engine = engine
        if settings.mail_worker:
            app.state.mail_worker = asyncio.create_task(mail.worker(settings))
        removed = files.remove_leftovers()
        if removed:
            log.warning("removed %d unfinished upload(s) left by a previous run", removed)
        from portal.documents.service import remove_orphans

        orphans = await remove_orphans(files)
        if orphans:
            log.warning("removed %d stored file(s) that no document points at", orphans)

    async def on_shutdown(app: Litestar) -> None:
        worker = getattr(app.state, "mail_worker", None)
        if worker is not None:
            worker.cancel()
        await app.state.sessions.close()
        await app.state.rate_limiter.close()
        if settings.db_pool:
            await db_engine.close_pool(app.state.engine)

    return Litestar(
        route_handlers=[
            *route_handlers(),
            create_static_files_router(
                path="/static", directories=[settings.static_dir], name="static"
            ),
        ],
        middleware=[session_middleware],
        before_send=[security_headers],
        exception_handlers=EXCEPTION_HANDLERS,
        plugins=[HTMXPlugin()],
        template_config=TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment)),
        state=State(
            {
                "settings": settings,
                "sessions": make_store(settings.redis_url, settings.session_hours),
                "rate_limiter": make_limiter(settings.redis_url),
                "files": files,
            }
        ),
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        debug=False,
    )
