"""The one error type of ingestion: it always names the file and the cause."""

from __future__ import annotations

from pathlib import Path


class IngestError(Exception):
    """A file that cannot be ingested; other files go on."""

    def __init__(self, path: Path | str, cause: str) -> None:
        super().__init__(f"{path}: {cause}")
        self.path = Path(path)
        self.cause = cause
