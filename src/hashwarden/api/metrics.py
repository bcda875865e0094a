"""Prometheus metrics: a registry per app, a middleware timing every request."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)


class ApiMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "hashwarden_http_requests_total",
            "HTTP requests by route template, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "hashwarden_http_request_seconds",
            "HTTP request latency by route template.",
            ["route", "method"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.hits = Counter(
            "hashwarden_match_hits_total", "Match hits by list.", ["list"], registry=self.registry
        )
        self.index_size = Gauge(
            "hashwarden_index_signals", "Signals in this worker's index.", registry=self.registry
        )
        self.feed_lag = Gauge(
            "hashwarden_change_feed_lag_seconds",
            "Seconds since this worker's index last caught up with the database.",
            registry=self.registry,
        )

    def install(self, app: FastAPI) -> None:
        @app.middleware("http")
        async def _timed(
            request: Request, call_next: Callable[[Request], Awaitable[Response]]
        ) -> Response:
            start = time.perf_counter()
            response = await call_next(request)
            route = _route_template(request)
            self.latency.labels(route, request.method).observe(time.perf_counter() - start)
            self.requests.labels(route, request.method, str(response.status_code)).inc()
            return response


def _route_template(request: Request) -> str:
    """``/v1/lists/{name}`` rather than the concrete path, so label values stay few."""
    route = request.scope.get("route")
    return str(getattr(route, "path", None) or "unmatched")
