"""API tokens, managed by admins (the same operations as ``hashwarden tokens``)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Response

from hashwarden.accounts.models import ApiToken, Permission, Principal, Role
from hashwarden.api.auth import require, services
from hashwarden.api.problems import ProblemError
from hashwarden.api.schemas import IssuedTokenOut, TokenIn, TokenOut
from hashwarden.api.services import ApiServices

router = APIRouter(prefix="/v1/tokens", tags=["tokens"])


def _out(token: ApiToken) -> TokenOut:
    return TokenOut(
        id=token.id,
        name=token.name,
        role=str(token.role),
        lists=list(token.granted_lists),
        created_at=token.created_at,
        created_by=token.created_by,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
        last_used_at=token.last_used_at,
    )


@router.get("", response_model=list[TokenOut])
def all_tokens(
    caller: Principal = Depends(require(Permission.TOKENS_MANAGE)),
    api: ApiServices = Depends(services),
) -> list[TokenOut]:
    return [_out(token) for token in api.tokens.list()]


@router.post("", response_model=IssuedTokenOut, status_code=201)
def create_token(
    body: TokenIn,
    caller: Principal = Depends(require(Permission.TOKENS_MANAGE)),
    api: ApiServices = Depends(services),
) -> IssuedTokenOut:
    """Create a token; the secret is in this response only."""
    try:
        role = Role(body.role)
    except ValueError as exc:
        known = ", ".join(role.value for role in Role)
        raise ProblemError(422, f"unknown role {body.role!r}; one of {known}") from exc
    expires = timedelta(seconds=body.expires_in_seconds) if body.expires_in_seconds else None
    issued = api.tokens.create(
        body.name, role, actor=caller.actor, granted_lists=tuple(body.lists), expires_in=expires
    )
    return IssuedTokenOut(**_out(issued.token).model_dump(), token=issued.secret)


@router.delete("/{token_id}", status_code=204)
def revoke_token(
    token_id: int,
    caller: Principal = Depends(require(Permission.TOKENS_MANAGE)),
    api: ApiServices = Depends(services),
) -> Response:
    api.tokens.revoke(token_id, actor=caller.actor)
    api.token_cache.forget(token_id)
    return Response(status_code=204)
