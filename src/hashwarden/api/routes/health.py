"""Liveness, readiness and Prometheus metrics (unauthenticated, no list data)."""

from __future__ import annotations

import time

from fastapi import APIRouter, Depends, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from hashwarden.api.auth import services
from hashwarden.api.problems import problem
from hashwarden.api.services import ApiServices

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
def readyz(api: ApiServices = Depends(services)) -> dict[str, object] | Response:
    """The index is loaded, so matches are answered from the full lists."""
    if not api.matcher.ready:
        return problem(503, "the index is still loading")
    return {"status": "ready", "index_signals": api.matcher.index_size()}


@router.get("/metrics", include_in_schema=False)
def metrics(api: ApiServices = Depends(services)) -> Response:
    collected = api.metrics
    if api.matcher.ready:
        collected.index_size.set(api.matcher.index_size())
        collected.feed_lag.set(time.monotonic() - api.matcher.last_refresh)
    return Response(generate_latest(collected.registry), media_type=CONTENT_TYPE_LATEST)
