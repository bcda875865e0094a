"""Request and response bodies (pydantic), i.e. the OpenAPI schema of ``/v1``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hashwarden.core.matching.models import Hit, MatchOutcome


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MatchRequest(Strict):
    signals: dict[str, list[str]] = Field(
        description="Signal type -> values, e.g. {\"pdq\": [\"<64 hex>\"], \"md5\": [\"...\"]}",
        examples=[{"pdq": ["f" * 64], "md5": ["d41d8cd98f00b204e9800998ecf8427e"]}],
    )
    lists: list[str] | None = Field(
        default=None, description="Only these block lists (default: all). Allow lists always apply."
    )


class HitOut(BaseModel):
    list: str
    list_kind: str
    entry_id: int
    signal_type: str
    #: Withheld from platform tokens: they learn that and how closely they matched, not the list.
    matched_value: str | None = None
    distance: int
    category: str | None
    source: str
    external_id: str
    variant: str

    @classmethod
    def of(cls, hit: Hit, *, reveal_value: bool) -> HitOut:
        return cls(
            list=hit.list_name,
            list_kind=str(hit.list_kind),
            entry_id=hit.entry_id,
            signal_type=hit.signal_type,
            matched_value=hit.matched_value if reveal_value else None,
            distance=hit.distance,
            category=hit.category,
            source=hit.source,
            external_id=hit.external_id,
            variant=hit.variant,
        )


class MatchResponse(BaseModel):
    matches: list[HitOut]
    allowed: list[HitOut] = []
    suppressed: list[HitOut] = []
    notes: list[str] = []

    @classmethod
    def of(cls, outcome: MatchOutcome, *, reveal_values: bool) -> MatchResponse:
        def convert(hits: list[Hit]) -> list[HitOut]:
            return [HitOut.of(hit, reveal_value=reveal_values) for hit in hits]

        return cls(
            matches=convert(outcome.hits),
            allowed=convert(outcome.allowed),
            suppressed=convert(outcome.suppressed),
            notes=list(outcome.notes),
        )


class PdqOut(BaseModel):
    hash: str
    quality: int


class MediaSignalsOut(BaseModel):
    media_type: str
    size: int
    md5: str
    sha1: str
    sha256: str
    pdq: PdqOut | None = None
    pdq_exif: PdqOut | None = None


class MediaMatchResponse(MatchResponse):
    signals: MediaSignalsOut


class ListIn(Strict):
    name: str
    description: str = ""
    kind: str = Field(default="block", pattern="^(block|allow)$")
    thresholds: dict[str, int] = {}
    classification_scheme: str = ""


class ListPatchIn(Strict):
    description: str | None = None
    kind: str | None = Field(default=None, pattern="^(block|allow)$")
    thresholds: dict[str, int] | None = None
    classification_scheme: str | None = None


class ListOut(BaseModel):
    name: str
    description: str
    kind: str
    thresholds: dict[str, int]
    classification_scheme: str
    sequence: int
    entries: int
    created_at: datetime | None


class EntriesIn(Strict):
    entries: list[dict[str, Any]] = Field(
        description="Entries in the JSON Lines export shape: signals, category, source, ...",
        max_length=100_000,
    )


class ImportSummaryOut(BaseModel):
    added: int
    merged: int
    unchanged: int
    records: int
    sequence: int


class RemoveIn(Strict):
    ids: list[int] = Field(max_length=100_000)


class ChangeOut(BaseModel):
    sequence: int
    op: str
    at: datetime
    entry: dict[str, Any]


class ChangesOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    list_name: str = Field(alias="list")
    changes: list[ChangeOut]
    #: Pass as ``since`` for the next page; equal to ``since`` when there was nothing new.
    next_since: int
    #: The list's newest sequence number.
    sequence: int


class TokenIn(Strict):
    name: str = Field(min_length=1, max_length=100)
    role: str
    lists: list[str] = []
    expires_in_seconds: int | None = Field(default=None, gt=0)


class TokenOut(BaseModel):
    id: int
    name: str
    role: str
    lists: list[str]
    created_at: datetime
    created_by: str
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class IssuedTokenOut(TokenOut):
    #: Shown once; store it now.
    token: str
