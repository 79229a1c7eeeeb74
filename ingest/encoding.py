"""Turn the bytes of a text file into str, whatever encoding it came in.

Vietnamese text files come as UTF-8 (with or without BOM), UTF-16 from Windows
tools, or the Windows code page cp1258 (tones as combining marks); Western
files as latin-1.
"""

from __future__ import annotations

import codecs
import unicodedata

# Letters and combining tone marks that cp1258 yields for Vietnamese but latin-1 text never needs.
_VIETNAMESE_MARKERS = set("ăđơưĂĐƠƯ\u0300\u0301\u0303\u0309\u0323")


def _looks_utf16(data: bytes) -> str | None:
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even_zeros = sample[0::2].count(0) / (len(sample) / 2)
    odd_zeros = sample[1::2].count(0) / (len(sample) / 2)
    if odd_zeros > 0.3 and even_zeros < 0.05:
        return "utf-16-le"
    if even_zeros > 0.3 and odd_zeros < 0.05:
        return "utf-16-be"
    return None


def detect_and_decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name). Raises UnicodeDecodeError when nothing fits."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(name), name
    utf16 = _looks_utf16(data)
    if utf16:
        return data.decode(utf16), utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        raw = data.decode("cp1258")
        if sum(ch in _VIETNAMESE_MARKERS for ch in raw) >= 3:
            return unicodedata.normalize("NFC", raw), "cp1258"
    except UnicodeDecodeError:
        pass
    return data.decode("latin-1"), "latin-1"
