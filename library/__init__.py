"""The document library kept by editors: uploads ingested as background jobs."""

from library.jobs import SUPPORTED_SUFFIXES, JobQueue

__all__ = ["SUPPORTED_SUFFIXES", "JobQueue"]
