"""The configured ``CaseMediaStore``: referenced by path, or encrypted copies (``config``)."""

from __future__ import annotations

from pathlib import Path

from hashwarden.cases.media import CaseMediaStore
from hashwarden.config import (
    CASE_MEDIA_ENV,
    CASE_MEDIA_KEY_FILE_ENV,
    case_media_folder,
    case_media_key_file,
    case_media_mode,
)
from hashwarden.core.errors import ConfigError
from hashwarden.storage.case_media_referenced import ReferencedCaseMedia
from hashwarden.storage.case_vault import EncryptedCaseMedia, forget_copies
from hashwarden.storage.case_vault_key import read_key_file


class ReferencedForgettingCopies(ReferencedCaseMedia):
    """Referencing, but deleting a case still removes copies kept while the deployment was set
    to ``encrypted``: switching modes must not leave personal data behind."""

    def __init__(self, copies: Path) -> None:
        super().__init__()
        self.copies = copies

    def forget_case(self, case_id: int) -> None:
        forget_copies(self.copies, case_id)


def open_case_media() -> CaseMediaStore:
    """The store the environment asks for; a missing or bad key is a ``ConfigError`` now, not
    at the first item a scan tries to keep."""
    folder = case_media_folder()
    if case_media_mode() == "reference":
        return ReferencedForgettingCopies(folder)
    key_file = case_media_key_file()
    if key_file is None:
        raise ConfigError(
            f"{CASE_MEDIA_ENV}=encrypted needs {CASE_MEDIA_KEY_FILE_ENV}: the path of a key "
            "made by 'hashwarden case media-key PATH' (keep it outside the data folder)"
        )
    return EncryptedCaseMedia(folder, read_key_file(key_file))
