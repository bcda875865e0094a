"""The console dashboard: reports per day by theme, queue age, time to removal, known versus new.

Charts are SVG rendered on the server (``web.charts``), each followed by its numbers as a table.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from hashwarden.accounts.staff_models import StaffSession
from hashwarden.hotline.dashboard import dashboard
from hashwarden.web import charts
from hashwarden.web.console.routes import KINDS, signed_in
from hashwarden.web.templating import SECURITY_HEADERS, environment

router = APIRouter(prefix="/console", include_in_schema=False)
DAYS = 30
#: Hour buckets for waiting and removal times: same day, days, weeks.
HOUR_EDGES = [0, 4, 24, 48, 96, 168, 336, 720]


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard_page(request: Request) -> Response:
    signed = signed_in(request)
    if not isinstance(signed, StaffSession):
        return signed
    api = request.app.state.services
    now = datetime.now(UTC)
    since = now - timedelta(days=DAYS)
    reports = await run_in_threadpool(api.casework.store.received_since, since - timedelta(days=90))
    counts = await run_in_threadpool(api.items.state_counts, since)
    figures = dashboard(reports, counts, now, DAYS)
    series = {KINDS[kind]: values for kind, values in figures.per_day.items()}
    panels = [
        (
            charts.stacked_bars(figures.days, series, title=f"Reports per day, last {DAYS} days",
                                x_label="Day received", y_label="Reports"),
            charts.stacked_bars_table(figures.days, series, caption="Reports per day by theme"),
        ),
        (
            charts.histogram(figures.queue_hours, bins=HOUR_EDGES, title="Age of the open queue",
                             x_label="Waiting", unit="h"),
            charts.histogram_table(figures.queue_hours, bins=HOUR_EDGES,
                                   caption="Open reports by waiting time", unit="h"),
        ),
        (
            charts.histogram(figures.removal_hours, bins=HOUR_EDGES, title="Time to removal",
                             x_label="From report to removal", unit="h",
                             marker=figures.removal_median),
            charts.histogram_table(figures.removal_hours, bins=HOUR_EDGES,
                                   caption="Removed material by time to removal", unit="h"),
        ),
        (
            charts.share_bar(figures.known_vs_new,
                             title=f"Triaged media, last {DAYS} days: known versus new"),
            charts.share_table(figures.known_vs_new, caption="Known versus new media"),
        ),
    ]  # fmt: skip
    html = environment("en").get_template("console/dashboard.html").render(
        session=signed,
        panels=[(Markup(chart), Markup(table)) for chart, table in panels],
        median=figures.removal_median,
    )
    return HTMLResponse(html, headers=SECURITY_HEADERS)
