"""The application factory: one Litestar app with its real parts wired in."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar, Request
from litestar.config.csrf import CSRFConfig
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware.base import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from lianyan import db
from lianyan.auth.middleware import CSRF_COOKIE, CSRF_HEADER, TokenAuthentication
from lianyan.files.local_s3 import LocalS3Server
from lianyan.files.store import ObjectStore
from lianyan.principal import Principal
from lianyan.settings import Settings
from lianyan.web import templating
from lianyan.web.access import routes_without_rule
from lianyan.web.openapi import complete_schema
from lianyan.web.params import parameter_guard, without_empty_query_values
from lianyan.web.problems import EXCEPTION_HANDLERS
from lianyan.web.security import add_security_headers

PACKAGE = Path(__file__).resolve().parent.parent


def _swagger_assets() -> Path:
    from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

    return Path(str(swagger_ui_path))


async def provide_actor(request: Request[Any, Any, Any]) -> Principal:
    """The signed-in caller; the access guard has already refused anonymous callers."""
    user = request.scope.get("user")
    if user is None:
        from litestar.exceptions import NotAuthorizedException

        raise NotAuthorizedException("请先登录。")
    return user


async def provide_store(state: State) -> ObjectStore:
    """The object store of this process."""
    return state.store


async def provide_settings(state: State) -> Settings:
    """The settings of this process."""
    return state.settings


def route_handlers() -> list[Any]:
    """Every controller and page of every domain."""
    from lianyan.audit.api import AuditController
    from lianyan.auth.account_pages import AccountPages
    from lianyan.auth.api import AuthController, MeController, PersonAccountController
    from lianyan.auth.pages import AuthPages
    from lianyan.evaluation.api import EvaluationController
    from lianyan.evaluation.pages import EvaluationPages
    from lianyan.exchanges import api as exchanges_api
    from lianyan.exchanges import pages as exchanges_pages
    from lianyan.exchanges import progress_pages as exchanges_progress_pages
    from lianyan.files.api import FileController
    from lianyan.files.upload_api import UploadController
    from lianyan.filings.api import (
        ComplianceController,
        DeadlineController,
        FilingController,
        LeadershipController,
        ThemeController,
    )
    from lianyan.filings.pages import FilingPages
    from lianyan.org.api import (
        CountyController,
        ImportController,
        KindergartenController,
        PeopleController,
        ZoneController,
    )
    from lianyan.org.pages import OrgPages
    from lianyan.reports.api import ReportController
    from lianyan.reports.pages import ReportPages, report_static
    from lianyan.robots.api import RobotController
    from lianyan.robots.pages import RobotPages
    from lianyan.search.api import SearchController
    from lianyan.search.pages import SearchPages
    from lianyan.statistics.api import StatisticsController
    from lianyan.statistics.pages import StatisticsPages, statistics_static
    from lianyan.topics.api import TopicController
    from lianyan.topics.pages import TopicPages, topic_static
    from lianyan.web.health import HealthController
    from lianyan.web.home import HomePages

    return [
        HealthController,
        AuthController,
        MeController,
        AuditController,
        FileController,
        UploadController,
        CountyController,
        ZoneController,
        KindergartenController,
        PeopleController,
        PersonAccountController,
        ImportController,
        AuthPages,
        HomePages,
        OrgPages,
        AccountPages,
        LeadershipController,
        ThemeController,
        DeadlineController,
        FilingController,
        ComplianceController,
        FilingPages,
        EvaluationController,
        EvaluationPages,
        *exchanges_api.CONTROLLERS,
        exchanges_pages.ExchangePages,
        exchanges_progress_pages.ProgressPages,
        exchanges_progress_pages.ProposalPages,
        TopicController,
        TopicPages,
        topic_static,
        ReportController,
        ReportPages,
        report_static,
        SearchController,
        SearchPages,
        StatisticsController,
        StatisticsPages,
        statistics_static,
        RobotController,
        RobotPages,
    ]


def template_directories() -> list[Path | os.PathLike[Any] | str]:
    """``templates/`` of the web shell and of every domain package."""
    return [p for p in sorted(PACKAGE.glob("*/templates")) if p.is_dir()]


def create_app(settings: Settings, *, store_settings_override: Any = None) -> Litestar:
    """Build the app. With no S3 endpoint configured it runs its own ``rclone serve s3``."""
    os.environ.setdefault("PICCOLO_CONF", "lianyan.piccolo_conf")
    from lianyan.search import index as search_index

    search_index.install()  # content domains' changes reach the search index
    local_s3: LocalS3Server | None = None

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        nonlocal local_s3
        store_settings = store_settings_override or settings.store
        if store_settings.embedded:
            local_s3 = LocalS3Server.from_settings(
                settings.data_dir,
                store_settings,
                allow_origin=os.environ.get("LIANYAN_PUBLIC_ORIGIN", "*"),
            )
            local_s3.start()
            store_settings = local_s3.settings()
        app.state.store = ObjectStore(store_settings)
        await app.state.store.ensure_bucket()
        await app.state.store.probe_ranges()
        owns_pool = await db.start()
        try:
            from lianyan.files.media_jobs import running as media_worker
            from lianyan.reminders import running as reminder_scheduler
            from lianyan.reports.worker import running as report_worker
            from lianyan.robots.delivery import SenderConfig
            from lianyan.robots.sender import running as robot_sender

            async with contextlib.AsyncExitStack() as workers:
                if settings.report_worker:
                    await workers.enter_async_context(report_worker(app.state.store, settings))
                await workers.enter_async_context(reminder_scheduler(settings.reminder_seconds))
                if settings.robot_sender:
                    await workers.enter_async_context(
                        robot_sender(SenderConfig.from_settings(settings)))
                if settings.media_worker:
                    await workers.enter_async_context(media_worker(
                        app.state.store, large_bytes=settings.video_preview_bytes
                    ))
                yield
        finally:
            if owns_pool:
                await db.stop()
            if local_s3 is not None:
                local_s3.stop()

    app = Litestar(
        route_handlers=[
            *route_handlers(),
            create_static_files_router(path="/static", directories=[PACKAGE / "web" / "static"],
                                       opt={"access": "public"}),
            create_static_files_router(path="/static/files",
                                       directories=[PACKAGE / "files" / "static"],
                                       name="files-static", opt={"access": "public"}),
            create_static_files_router(path="/static/exchanges",
                                       directories=[PACKAGE / "exchanges" / "static"],
                                       name="exchanges-static", opt={"access": "public"}),
            create_static_files_router(
                path="/schema/assets", directories=[_swagger_assets()],
                name="schema-assets", opt={"access": "public"},
            ),
        ],
        dependencies={
            "actor": Provide(provide_actor),
            "store": Provide(provide_store),
            "settings": Provide(provide_settings),
        },
        guards=[_guard()],
        middleware=[without_empty_query_values,
                    DefineMiddleware(TokenAuthentication,
                                     exclude=["^/static", "^/schema", "^/health"])],
        before_send=[add_security_headers],
        exception_handlers=EXCEPTION_HANDLERS,
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name=CSRF_COOKIE,
            header_name=CSRF_HEADER,
            cookie_secure=settings.secure_cookies,
            exclude=["^/api/", "^/health", "^/static", "^/schema"],
        ),
        template_config=TemplateConfig(
            directory=template_directories(),
            engine=JinjaTemplateEngine,
            engine_callback=templating.configure,
        ),
        openapi_config=OpenAPIConfig(
            title="联研 Lianyan API",
            version="1",
            path="/schema",
            render_plugins=[
                SwaggerRenderPlugin(
                    path="/",
                    js_url="/schema/assets/swagger-ui-bundle.js",
                    css_url="/schema/assets/swagger-ui.css",
                    standalone_preset_js_url="/schema/assets/swagger-ui-standalone-preset.js",
                    favicon="<link rel='icon' type='image/svg+xml' href='/static/favicon.svg'>",
                )
            ],
        ),
        lifespan=[lifespan],
        state=State({"settings": settings}),
        request_max_body_size=settings.uploads.document_bytes + 1024 * 1024,
        debug=settings.debug,
    )
    complete_schema(app)
    missing = routes_without_rule(app)
    if missing:
        raise RuntimeError(f"routes without an access rule: {missing}")
    templating.learn_pages(app)
    return app


def _guard() -> Any:
    from lianyan.web.access import access_guard

    async def guard(connection: Any, handler: Any) -> None:
        # One guard, and async: Litestar copies the handler for every guard and runs a
        # synchronous guard on a worker thread (a thread hop per request).
        access_guard(connection, handler)
        parameter_guard(connection, handler)

    return guard
