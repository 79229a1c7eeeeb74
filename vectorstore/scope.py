"""Which collections a reader may see: the one access filter, applied inside every search.

The retriever is the single path from the store to anything a user sees (answers,
citations, closest passages, search results, drafting excerpts, follow-ups), so the
filter lives here and nowhere else. Knows nothing of users: ``access`` computes a
scope from a user's role and grants.
"""

from __future__ import annotations

from dataclasses import dataclass

# Chroma rejects an empty ``$in``; a name no collection can have stands for "none".
_NO_COLLECTION = "\x00"


@dataclass(frozen=True)
class Scope:
    """``collections=None`` admits every collection (administrator, personal mode)."""

    collections: frozenset[str] | None = None

    @classmethod
    def everything(cls) -> Scope:
        return cls(None)

    @classmethod
    def only(cls, names: set[str] | frozenset[str] | list[str]) -> Scope:
        return cls(frozenset(names))

    @property
    def is_everything(self) -> bool:
        return self.collections is None

    def admits(self, collection: str) -> bool:
        return self.collections is None or collection in self.collections

    def where(self) -> dict | None:
        """The Chroma ``where`` clause of this scope; None (no clause) when it admits everything,
        so an unrestricted search is exactly the search the store always did."""
        if self.collections is None:
            return None
        return {"collection": {"$in": sorted(self.collections) or [_NO_COLLECTION]}}
