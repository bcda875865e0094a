"""The composition root for CLI commands: one engine, store, list service, matcher, token
service and audit log.

The database and matching stacks (SQLAlchemy, Alembic, the index) are imported on first use, so
commands that never touch the database, such as ``hash``, start quickly.
"""

from __future__ import annotations

import getpass
import os
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from hashwarden.accounts.services import TokenService
    from hashwarden.accounts.staff_services import StaffService
    from hashwarden.audit.services import AuditLog
    from hashwarden.cases.media import CaseMediaStore
    from hashwarden.core.lists.services import ListService
    from hashwarden.core.matching.matcher import Matcher
    from hashwarden.storage.list_store import SqlListStore


class Runtime:
    def __init__(self, database_url: str | None = None) -> None:
        self._url = database_url

    @cached_property
    def engine(self) -> Engine:
        from hashwarden.storage.database import create_engine

        return create_engine(self._url)

    @cached_property
    def store(self) -> SqlListStore:
        from hashwarden.storage.list_store import SqlListStore

        return SqlListStore(self.engine)

    @cached_property
    def lists(self) -> ListService:
        from hashwarden.core.lists.services import ListService
        from hashwarden.federation.mirror_guard import MirrorGuardedListStore

        self.store  # noqa: B018 (opening the store migrates the database first)
        # Mirrors of a publisher's list change only through ``hashwarden sync``.
        return ListService(MirrorGuardedListStore(self.engine))

    @cached_property
    def matcher(self) -> Matcher:
        from hashwarden.core.matching.matcher import Matcher

        return Matcher(self.store)

    @cached_property
    def audit(self) -> AuditLog:
        from hashwarden.audit.services import AuditLog
        from hashwarden.storage.audit_store import SqlAuditStore

        return AuditLog(SqlAuditStore(self.engine))

    @cached_property
    def tokens(self) -> TokenService:
        from hashwarden.accounts.services import TokenService
        from hashwarden.storage.token_store import SqlTokenStore

        return TokenService(SqlTokenStore(self.engine), self.audit)

    @cached_property
    def staff(self) -> StaffService:
        from hashwarden.accounts.staff_services import StaffService
        from hashwarden.storage.staff_store import SqlStaffStore

        return StaffService(SqlStaffStore(self.engine))

    @cached_property
    def case_media(self) -> CaseMediaStore:
        from hashwarden.storage.case_media_open import open_case_media

        return open_case_media()

    @cached_property
    def actor(self) -> str:
        """How the audit log names whoever runs the command: ``cli:`` and the OS user name."""
        try:
            user = getpass.getuser()
        except (OSError, KeyError):  # no login name and no passwd entry, e.g. in a container
            user = f"uid{os.getuid()}"
        return f"cli:{user}"
