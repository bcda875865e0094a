"""The FastAPI application: routers, error handling, limits, metrics, start-up and shutdown."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from hashwarden import __version__
from hashwarden.api import problems
from hashwarden.api.body_limit import BodyLimit
from hashwarden.api.fast_match import FastMatch
from hashwarden.api.metrics import ApiMetrics
from hashwarden.api.routes import actions, federation, health, lists, match, review, tokens
from hashwarden.api.services import ApiServices
from hashwarden.web import public
from hashwarden.web.console import (
    assessment,
    case_graph,
    case_links,
    case_places,
    case_timeline,
    case_trace,
    cases,
    dashboard,
    holds,
    takedown,
    team,
)
from hashwarden.web.console import review as review_pages
from hashwarden.web.console import routes as console
from hashwarden.web.templating import STATIC


def create_app(open_services: Callable[[], ApiServices] = ApiServices.open) -> FastAPI:
    """An app whose services (database, index) open at start-up and close at shutdown."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        api = await run_in_threadpool(open_services)
        api.metrics = metrics
        app.state.services = api
        await run_in_threadpool(api.start)
        try:
            yield
        finally:
            await run_in_threadpool(api.stop)

    app = FastAPI(
        title="hashwarden",
        version=__version__,
        description=(
            "Screen uploads against known-material hash lists, curate lists, review hits. "
            "Authenticate with `Authorization: Bearer <token>` (see `hashwarden tokens create`)."
        ),
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    problems.install(app)
    app.add_middleware(FastMatch)
    metrics = ApiMetrics()
    metrics.install(app)  # added last, so it wraps (and times) the fast path too
    routers = (health.router, match.router, lists.router, actions.router, review.router)
    # Assessment first: its /reports/{ref}/triage is more specific than the console's actions.
    pages = (public.router, assessment.router, takedown.router, holds.router, console.router,
             dashboard.router, review_pages.router, team.router)  # fmt: skip
    case_pages = (cases.router, case_links.router, case_graph.router, case_places.router,
                  case_timeline.router, case_trace.router)  # fmt: skip
    for router in (*routers, tokens.router, federation.router, *pages, *case_pages):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def asgi_app() -> BodyLimit:
    """What ``hashwarden serve`` runs: the app behind the body-size limit."""
    from hashwarden.api.settings import ApiSettings

    settings = ApiSettings.from_env()
    app = create_app(lambda: ApiServices.open(settings=settings))
    return BodyLimit(
        app, settings.max_json_bytes, settings.max_upload_bytes, settings.max_video_upload_bytes
    )
