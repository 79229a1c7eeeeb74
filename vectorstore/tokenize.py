"""Vietnamese tokens for the lexical index: segmented words plus syllables.

pyvi joins the syllables of a word ("đảng_viên"); we keep that word and its
syllables, so "đảng viên" matches as a unit and "đảng" alone still matches.
Syllables spelt with either i or y ("kí"/"ký") get one spelling.
A second, diacritic-folded token stream serves queries typed without marks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from pyvi import ViTokenizer

from ingest.normalize import index_form, strip_diacritics, unify_i_y

_TOKEN = re.compile(r"[\w&]+(?:[-/][\w&]+)*", re.UNICODE)


def _release_segmenter_model_file() -> None:
    """pyvi's CRF model is unpickled into a temp file that outlives the process (640 KB per run).

    The tagger reads the whole file into memory when it opens it, so the file can go at once."""
    model = ViTokenizer.ViTokenizer.model
    if model.tagger_ is not None:
        model.modelfile.cleanup()


_release_segmenter_model_file()


def _tokens(text: str) -> list[str]:
    segmented = ViTokenizer.tokenize(index_form(text).lower())
    tokens: list[str] = []
    for word in _TOKEN.findall(segmented):
        syllables = [unify_i_y(s) for s in word.split("_") if s]
        tokens.extend(syllables)
        if len(syllables) > 1:
            tokens.append("_".join(syllables))
    return tokens


def words(text: str) -> list[str]:
    """The text's words as pyvi segments them ("chỉ_đạo" is one word, "chỉ" another), lower case."""
    return _TOKEN.findall(ViTokenizer.tokenize(index_form(text).lower()))


def accented_tokens(text: str) -> list[str]:
    return _tokens(text)


def fold(tokens: Iterable[str]) -> list[str]:
    """Accented tokens as a query typed without marks reads them: a text segmented once serves both fields
    (segmenting is most of what indexing a chunk costs outside the model)."""
    return [strip_diacritics(token) for token in tokens]


def folded_tokens(text: str) -> list[str]:
    return fold(_tokens(text))


def has_diacritics(text: str) -> bool:
    """True when the user typed Vietnamese letters with marks (then the accented field is used).

    Only letters count: an en dash or a curly quote in an unaccented query must not switch fields."""
    return any(char.isalpha() and not char.isascii() for char in unicodedata.normalize("NFC", text))
