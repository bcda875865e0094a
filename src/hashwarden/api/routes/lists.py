"""Lists and their entries (curators), imports and exports, and the change feed."""

from __future__ import annotations

import io
from itertools import islice
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from hashwarden.accounts.models import Permission, Principal, Role
from hashwarden.api.auth import require, services
from hashwarden.api.export_stream import stream_text
from hashwarden.api.problems import ProblemError
from hashwarden.api.schemas import (
    ChangeOut,
    ChangesOut,
    EntriesIn,
    ImportSummaryOut,
    ListIn,
    ListOut,
    ListPatchIn,
    RemoveIn,
)
from hashwarden.api.services import ApiServices
from hashwarden.api.uploads import read_upload
from hashwarden.audit.models import AuditRecord
from hashwarden.core.errors import ImportFormatError
from hashwarden.core.lists.models import EntryData, HashList, ListKind
from hashwarden.core.lists.services import ImportSummary
from hashwarden.formats.base import FormatOptions
from hashwarden.formats.jsonl import entry_from_json, entry_to_json
from hashwarden.formats.registry import default_registry

router = APIRouter(prefix="/v1/lists", tags=["lists"])
_FORMATS = default_registry()
_MEDIA_TYPES = {"jsonl": "application/x-ndjson", "csv": "text/csv", "plain": "text/plain"}


def _log(api: ApiServices, caller: Principal, action: str, name: str, **details: Any) -> None:
    api.log(AuditRecord(caller.actor, action, f"list:{name}", details))


def _list_out(api: ApiServices, hash_list: HashList) -> ListOut:
    return ListOut(
        name=hash_list.name,
        description=hash_list.description,
        kind=str(hash_list.kind),
        thresholds=dict(hash_list.thresholds),
        classification_scheme=hash_list.classification_scheme,
        sequence=hash_list.sequence,
        entries=api.lists.count_entries(hash_list.name),
        created_at=hash_list.created_at,
    )


def _summary(summary: ImportSummary) -> ImportSummaryOut:
    return ImportSummaryOut(
        added=summary.added,
        merged=summary.merged,
        unchanged=summary.unchanged,
        records=summary.records,
        sequence=summary.sequence,
        removed=summary.removed,
    )


@router.get("", response_model=list[ListOut])
def all_lists(
    caller: Principal = Depends(require(Permission.LISTS_READ)),
    api: ApiServices = Depends(services),
) -> list[ListOut]:
    api.log(AuditRecord(caller.actor, "lists.index"))
    return [_list_out(api, hash_list) for hash_list in api.lists.lists()]


@router.post("", response_model=ListOut, status_code=201)
def create_list(
    body: ListIn,
    caller: Principal = Depends(require(Permission.LISTS_WRITE)),
    api: ApiServices = Depends(services),
) -> ListOut:
    created = api.lists.create_list(
        body.name,
        description=body.description,
        kind=ListKind(body.kind),
        thresholds=body.thresholds,
        classification_scheme=body.classification_scheme,
    )
    _log(api, caller, "lists.create", created.name, kind=str(created.kind))
    return _list_out(api, created)


@router.get("/{name}", response_model=ListOut)
def get_list(
    name: str,
    caller: Principal = Depends(require(Permission.LISTS_READ)),
    api: ApiServices = Depends(services),
) -> ListOut:
    found = api.lists.get_list(name)
    _log(api, caller, "lists.read", name)
    return _list_out(api, found)


@router.patch("/{name}", response_model=ListOut)
def update_list(
    name: str,
    body: ListPatchIn,
    caller: Principal = Depends(require(Permission.LISTS_WRITE)),
    api: ApiServices = Depends(services),
) -> ListOut:
    updated = api.lists.update_list(
        name,
        description=body.description,
        kind=ListKind(body.kind) if body.kind is not None else None,
        thresholds=body.thresholds,
        classification_scheme=body.classification_scheme,
    )
    _log(api, caller, "lists.update", name, fields=sorted(body.model_fields_set))
    return _list_out(api, updated)


@router.delete("/{name}", status_code=204)
def delete_list(
    name: str,
    caller: Principal = Depends(require(Permission.LISTS_WRITE)),
    api: ApiServices = Depends(services),
) -> Response:
    api.lists.delete_list(name)
    _log(api, caller, "lists.delete", name)
    return Response(status_code=204)


@router.get("/{name}/entries")
def list_entries(
    name: str,
    after_id: int = Query(default=0, ge=0, description="Only entries with a larger id."),
    limit: int = Query(default=1000, ge=1, le=10_000),
    include_removed: bool = False,
    caller: Principal = Depends(require(Permission.LISTS_READ)),
    api: ApiServices = Depends(services),
) -> dict[str, Any]:
    """A page of entries in id order; pass the last id as ``after_id`` for the next page."""
    entries = (e for e in api.lists.entries(name, include_removed) if e.id > after_id)
    page = [entry_to_json(e, with_removed=include_removed) for e in islice(entries, limit)]
    _log(api, caller, "entries.read", name, count=len(page), after_id=after_id)
    return {"list": name, "entries": page, "next_after_id": page[-1]["id"] if page else None}


def _entry_data(raw: dict[str, Any], number: int) -> EntryData:
    try:
        data = entry_from_json(raw)
    except ValueError as exc:
        raise ImportFormatError("entries", [(number, str(exc))]) from exc
    if data is None:
        raise ImportFormatError("entries", [(number, "not an entry object")])
    return data


@router.post("/{name}/entries", response_model=ImportSummaryOut)
def add_entries(
    name: str,
    body: EntriesIn,
    caller: Principal = Depends(require(Permission.LISTS_WRITE)),
    api: ApiServices = Depends(services),
) -> ImportSummaryOut:
    """Add entries (merged with live entries sharing a signal); all or nothing."""
    data = [_entry_data(raw, number) for number, raw in enumerate(body.entries, 1)]
    summary = api.lists.add_entries(name, data, actor=caller.actor)
    _log(api, caller, "entries.add", name, records=summary.records, added=summary.added)
    return _summary(summary)


@router.get("/{name}/entries/{entry_id}")
def get_entry(
    name: str,
    entry_id: int,
    caller: Principal = Depends(require(Permission.LISTS_READ)),
    api: ApiServices = Depends(services),
) -> dict[str, Any]:
    entry = api.lists.get_entry(name, entry_id)
    reviews = api.review.decision_counts(entry.id)
    _log(api, caller, "entries.read", name, entry_id=entry_id)
    # How reviewers judged this entry's hits: many false positives mark an entry to fix.
    # ``feedback``: the same, as subscribers' reviewers judged it on their mirrors.
    return {
        **entry_to_json(entry, with_removed=True),
        "reviews": reviews.as_json(),
        "feedback": api.feedback.for_entry(entry.id),
    }


@router.put("/{name}/entries/{entry_id}")
def replace_entry(
    name: str,
    entry_id: int,
    body: dict[str, Any],
    caller: Principal = Depends(require(Permission.LISTS_WRITE)),
    api: ApiServices = Depends(services),
) -> dict[str, Any]:
    change = api.lists.update_entry(name, entry_id, _entry_data(body, 1), caller.actor)
    _log(api, caller, "entries.update", name, entry_id=entry_id, sequence=change.sequence)
    return entry_to_json(change.entry, with_removed=True)


@router.delete("/{name}/entries/{entry_id}", status_code=204)
def delete_entry(
    name: str,
    entry_id: int,
    caller: Principal = Depends(require(Permission.LISTS_WRITE)),
    api: ApiServices = Depends(services),
) -> Response:
    api.lists.get_entry(name, entry_id)  # 404 for an unknown entry
    api.lists.remove_entries(name, [entry_id], actor=caller.actor)
    _log(api, caller, "entries.remove", name, entry_id=entry_id)
    return Response(status_code=204)


@router.post("/{name}/entries/remove")
def remove_entries(
    name: str,
    body: RemoveIn,
    caller: Principal = Depends(require(Permission.LISTS_WRITE)),
    api: ApiServices = Depends(services),
) -> dict[str, int]:
    changes = api.lists.remove_entries(name, body.ids, actor=caller.actor)
    _log(api, caller, "entries.remove", name, removed=len(changes))
    return {"removed": len(changes)}


def _format_options(signal_type: str | None, scheme: str) -> FormatOptions:
    # Exchange deletion notices (NCMEC) remove entries; the list service applies them.
    return FormatOptions(signal_type=signal_type, default_scheme=scheme, with_removals=True)


@router.post("/{name}/import", response_model=ImportSummaryOut)
async def import_file(
    name: str,
    request: Request,
    format: str = Query(description="jsonl, csv or plain"),
    signal_type: str | None = Query(default=None, description="plain: the type of every line"),
    default_scheme: str = Query(default="", description="scheme for bare categories"),
    caller: Principal = Depends(require(Permission.LISTS_WRITE)),
    api: ApiServices = Depends(services),
) -> ImportSummaryOut:
    """Import a file (raw body or multipart ``file``); all or nothing, every bad line reported."""
    list_format = _FORMATS.get(format)
    upload = await read_upload(request, api.settings.max_upload_bytes)
    options = _format_options(signal_type, default_scheme)

    def run() -> ImportSummary:
        stream = io.TextIOWrapper(
            io.BytesIO(upload.data), encoding="utf-8-sig", errors="surrogateescape", newline=""
        )
        records = list_format.read(stream, source=upload.name, options=options)
        return api.lists.import_records(name, records, actor=caller.actor, source_name=upload.name)

    summary = await run_in_threadpool(run)
    _log(api, caller, "lists.import", name, format=format, records=summary.records)
    return _summary(summary)


@router.get("/{name}/export")
def export_list(
    name: str,
    format: str = Query(default="jsonl", description="jsonl, csv or plain"),
    include_removed: bool = False,
    caller: Principal = Depends(require(Permission.LISTS_READ)),
    api: ApiServices = Depends(services),
) -> StreamingResponse:
    """The whole list in a file format, streamed."""
    list_format = _FORMATS.get(format)
    hash_list = api.lists.get_list(name)
    options = FormatOptions(include_removed=include_removed, list_header=hash_list)
    _log(api, caller, "lists.export", name, format=format)
    chunks = stream_text(
        lambda stream: list_format.write(
            api.lists.entries(name, include_removed), stream, options  # type: ignore[arg-type]
        )
    )
    return StreamingResponse(
        chunks,
        media_type=_MEDIA_TYPES.get(format, "application/octet-stream"),
        headers={"Content-Disposition": f'attachment; filename="{name}.{format}"'},
    )


@router.get("/{name}/changes", response_model=ChangesOut)
def changes(
    name: str,
    since: int = Query(default=0, ge=0, description="Changes after this sequence number."),
    limit: int = Query(default=1000, ge=1, le=10_000),
    caller: Principal = Depends(require(Permission.CHANGES_READ)),
    api: ApiServices = Depends(services),
) -> ChangesOut:
    """The list's changes after ``since``, a page at a time (subscribers: granted lists only)."""
    if caller.role is Role.SUBSCRIBER and name not in caller.granted_lists:
        raise ProblemError(403, f"this token is not granted list {name!r}")
    hash_list = api.lists.get_list(name)
    page = api.lists.changes_since(name, since, limit)
    _log(api, caller, "lists.changes", name, since=since, count=len(page))
    return ChangesOut(
        list=name,
        changes=[
            ChangeOut(
                sequence=change.sequence,
                op=str(change.op),
                at=change.at,
                entry=entry_to_json(change.entry, with_removed=True),
            )
            for change in page
        ],
        next_since=page[-1].sequence if page else since,
        sequence=hash_list.sequence,
    )
