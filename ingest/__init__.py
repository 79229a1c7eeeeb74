"""Turning files into normalised, described, chunked text (no embeddings here)."""

from ingest.errors import IngestError
from ingest.pipeline import PreparedDocument, discover, is_supported, prepare, prepare_all, source_name

__all__ = ["IngestError", "PreparedDocument", "discover", "is_supported", "prepare", "prepare_all", "source_name"]
