"""Case media read again from where they were scanned (the default: nothing is copied)."""

from __future__ import annotations

from pathlib import Path

from hashwarden.cases.media import CaseMediaMissingError
from hashwarden.core.media.limits import DEFAULT_LIMITS, DecodeLimits
from hashwarden.scanning.archives import Member, iter_archive
from hashwarden.scanning.items import MEMBER_SEPARATOR


class ReferencedCaseMedia:
    """Reads plain files by path and archive members (``a.zip!/b.jpg``) through the scanner's
    zip-bomb guards, so a viewer can never be made to inflate more than a scan would."""

    keeps_copies = False

    def __init__(self, limits: DecodeLimits = DEFAULT_LIMITS) -> None:
        self.limits = limits

    def keep(self, case_id: int, path: str, data: bytes) -> None:
        return None

    def read(self, case_id: int, path: str) -> bytes:
        if MEMBER_SEPARATOR in path:
            return self._member(path)
        return self._file(Path(path), path)

    def forget_case(self, case_id: int) -> None:
        return None

    def _file(self, file: Path, path: str) -> bytes:
        try:
            size = file.stat().st_size
            if size > self.limits.max_file_bytes:
                raise CaseMediaMissingError(
                    f"{path}: {size} bytes is over the {self.limits.max_file_bytes}-byte limit"
                )
            return file.read_bytes()
        except OSError as exc:
            raise CaseMediaMissingError(
                f"{path}: cannot be read where it was scanned ({exc.strerror}); "
                "reconnect the seized media or keep encrypted copies"
            ) from exc

    def _member(self, path: str) -> bytes:
        archive = Path(path.split(MEMBER_SEPARATOR, 1)[0])
        if not archive.is_file():
            raise CaseMediaMissingError(f"{path}: the archive {archive} is not there any more")
        for found in iter_archive(archive, str(archive)):
            if isinstance(found, Member) and found.id == path:
                return found.data
        raise CaseMediaMissingError(f"{path}: no such member in {archive} any more")
