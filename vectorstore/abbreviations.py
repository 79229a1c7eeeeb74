"""Query expansion with an editable list of abbreviations (vectorstore/abbreviations.tsv).

Members write "BCH", "UBKT", "ĐHQGHN" where documents often write them out.
A query gets the full form appended, so both spellings match.
"""

from __future__ import annotations

import re
from pathlib import Path

from ingest.normalize import index_form


class Abbreviations:
    def __init__(self, path: Path) -> None:
        self.pairs: list[tuple[str, str]] = []
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip() and not line.startswith("#") and "\t" in line:
                    short, long = line.split("\t", 1)
                    self.pairs.append((index_form(short.strip()), index_form(long.strip())))

    def expand(self, query: str) -> str:
        """The query plus the full form of each abbreviation it uses.

        Only short → long: appending "CB" to every query about "chi bộ" adds noise
        (measured: dev recall@5 fell from 12/12 to 11/12)."""
        text = index_form(query)
        lowered = text.lower()
        extra = [
            long
            for short, long in self.pairs
            if re.search(rf"(?<!\w){re.escape(short)}(?!\w)", text) and long.lower() not in lowered
        ]
        return f"{query} ({'; '.join(extra)})" if extra else query
