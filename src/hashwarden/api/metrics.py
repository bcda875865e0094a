"""Prometheus metrics: a registry per app, a middleware timing every request."""

from __future__ import annotations

import time

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
        app.add_middleware(_TimingMiddleware, metrics=self)


class _TimingMiddleware:
    """Pure ASGI (Starlette's ``BaseHTTPMiddleware`` costs a task group per request)."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def observe(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            route = str(getattr(scope.get("route"), "path", None) or "unmatched")
            method = scope.get("method", "")
            self.metrics.latency.labels(route, method).observe(time.perf_counter() - start)
            self.metrics.requests.labels(route, method, str(status)).inc()


