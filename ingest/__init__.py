"""Turning files into normalised, described, chunked text (no embeddings here)."""

from ingest.errors import IngestError
from ingest.pipeline import PreparedDocument, discover, prepare, prepare_all, source_name

__all__ = ["IngestError", "PreparedDocument", "discover", "prepare", "prepare_all", "source_name"]
