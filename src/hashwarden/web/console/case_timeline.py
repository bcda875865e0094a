"""The timeline page of a case: items by EXIF capture time, one section per day.

The order and the facts come from ``CaseGraphService.timeline`` (the CLI's ``case timeline``).
Times are the cameras' clocks as recorded, usually local time with no offset: they are shown as
they are, grouped by the date the camera showed, and never converted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from hashwarden.web.console.case_access import audit_case, open_case
from hashwarden.web.console.case_graph_pages import graph_of, render

router = APIRouter(prefix="/console/cases", include_in_schema=False)


@dataclass(frozen=True, slots=True)
class Moment:
    time: str
    #: The offset the file recorded, if any (most do not record one).
    offset: str
    path: str
    item_id: int | None
    camera: str
    serial: str
    series: tuple[str, ...]
    places: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Day:
    date: str
    weekday: str
    moments: tuple[Moment, ...]
    cameras: tuple[str, ...]


def by_day(rows: Sequence[Mapping[str, Any]], item_ids: Mapping[str, int]) -> list[Day]:
    """The timeline's rows (already in time order) grouped per camera date."""
    days: dict[str, list[Moment]] = {}
    weekdays: dict[str, str] = {}
    for row in rows:
        moment = datetime.fromisoformat(str(row["taken_at"]))
        date = moment.date().isoformat()
        weekdays[date] = moment.strftime("%A")
        offset = moment.strftime("%z")
        days.setdefault(date, []).append(Moment(
            time=moment.strftime("%H:%M:%S"),
            offset=f"{offset[:3]}:{offset[3:]}" if offset else "",
            path=str(row["path"]), item_id=item_ids.get(str(row["path"])),
            camera=str(row.get("camera", "")), serial=str(row.get("serial", "")),
            series=tuple(row.get("series", ())), places=tuple(row.get("places", ())),
        ))  # fmt: skip
    return [
        Day(date, weekdays[date], tuple(moments),
            tuple(sorted({m.camera + (f" (serial {m.serial})" if m.serial else "")
                          for m in moments if m.camera or m.serial})))
        for date, moments in days.items()
    ]


@router.get("/{name}/timeline", response_class=HTMLResponse)
def timeline_page(request: Request, name: str) -> Response:
    opened = open_case(request, name)
    if isinstance(opened, Response):
        return opened
    signed, case = opened
    graph = graph_of(request)
    rows = graph.timeline(case)
    item_ids = {item.path: item.id for item in graph.cases.items(case)}
    audit_case(request, signed, "cases.timeline.view", case.name, items=len(rows))
    return render("console/case_timeline.html", signed, case=case, days=by_day(rows, item_ids),
                  timed=len(rows), untimed=len(item_ids) - len(rows))
