"""Unicode and tone-mark normalisation for Vietnamese.

The same word reaches us as precomposed or decomposed Unicode and with the tone
mark on different vowels ("Uỷ"/"Ủy", "hoà"/"hòa"). Two forms are kept apart:

* :func:`clean_text` (NFC, tidy whitespace) is what we store and quote, so a
  citation stays a verbatim excerpt of the source document;
* :func:`index_form` additionally moves every tone mark to the traditional
  position ("hòa", "thủy", "Ủy ban"). Embeddings, the lexical index and every
  query use it, so both spellings meet at search time.
"""

from __future__ import annotations

import re
import unicodedata

# Combining marks that carry the tone, as opposed to the vowel shape (â ă ơ ...).
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_SHAPED_VOWELS = set("ăâêôơư")
_VOWELS = set("aăâeêioôơuưy")
WORD = re.compile(r"[^\W\d_]+")  # a run of letters: what tone placement, recasing and word counts work on
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def _split_tone(word: str) -> tuple[str, str | None]:
    """Return the word without its tone mark, and that mark (None when untoned)."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = [ch for ch in decomposed if ch in _TONES]
    if len(tones) != 1:
        return word, None
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    return bare, tones[0]


def _tone_position(bare: str) -> int | None:
    """Index of the vowel that takes the tone, by the traditional rule."""
    lower = bare.lower()
    start = 0
    if (lower.startswith("qu") and len(lower) > 2 and lower[2] in _VOWELS) or (lower.startswith("gi") and len(lower) > 2 and lower[2] in _VOWELS):
        start = 2
    while start < len(lower) and lower[start] not in _VOWELS:
        start += 1
    end = start
    while end < len(lower) and lower[end] in _VOWELS:
        end += 1
    nucleus = range(start, end)
    if not nucleus or any(ch in _VOWELS for ch in lower[end:]):
        return None  # not a single Vietnamese syllable: leave it alone
    shaped = [i for i in nucleus if lower[i] in _SHAPED_VOWELS]
    if shaped:
        return shaped[-1]  # "ươ" takes it on ơ; any other shaped vowel is unique
    if end < len(lower):  # closed syllable: the last vowel ("hoàng", "thuyền")
        return end - 1
    if len(nucleus) >= 3:  # "oai", "uyu": the middle one
        return start + 1
    return start  # open syllable of one or two vowels: the first ("hòa", "thủy")


def _retone(word: str) -> str:
    bare, tone = _split_tone(word)
    if tone is None:
        return word
    position = _tone_position(bare)
    if position is None:
        return word
    toned = unicodedata.normalize("NFC", bare[position] + tone)
    return bare[:position] + toned + bare[position + 1 :]


def normalize_tone_marks(text: str) -> str:
    return WORD.sub(lambda match: _retone(match.group(0)), text)


def clean_text(text: str) -> str:
    """NFC, unified line ends, no invisible characters, tidy spaces; idempotent."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\ufeff", "").replace("\u00ad", "")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def index_form(text: str) -> str:
    """The spelling used for matching: clean text with tone marks in one place."""
    return normalize_tone_marks(clean_text(text))


_FREE_I_Y = re.compile(r"(?:b|ch|c|d|đ|g|h|kh|k|l|m|nh|n|ph|p|r|s|th|tr|t|v|x)[iy]|qu[iy]")


def unify_i_y(syllable: str) -> str:
    """One spelling for syllables written with either i or y: "lý"/"lí", "kỹ"/"kĩ", "quí"/"quý".

    Both spellings are correct Vietnamese and both are common (the 1984 and 2018
    rules disagree), so a query with "đăng kí" must find "đăng ký". Only the
    onset + lone i/y syllables vary; "y tế", "tay", "thuyền" are left alone.
    Expects a lower-case syllable."""
    bare, tone = _split_tone(syllable)
    if not _FREE_I_Y.fullmatch(bare):
        return syllable
    vowel = "y" if bare.startswith("qu") else "i"
    return bare[:-1] + unicodedata.normalize("NFC", vowel + (tone or ""))


def strip_diacritics(text: str) -> str:
    """ASCII-folded Vietnamese ("Đảng viên" -> "Dang vien") for typed-without-marks queries."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
