"""Turn the bytes of a text file into str, whatever encoding it came in.

Vietnamese text files come as UTF-8 (with or without BOM), UTF-16 from Windows
tools, the Windows code page cp1258 (tones as combining marks), or the legacy
TCVN3/VNI font encodings, which read as Latin-1 and are converted later by
``ingest.legacy`` (it applies to PDF text too). Western files are Latin-1.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from ingest import legacy

_VIETNAMESE = re.compile("[ăđơưĂĐƠƯ\u1ea0-\u1ef9]")


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
        composed = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        composed = ""
    # Real cp1258 Vietnamese composes fully; TCVN3/VNI bytes read as cp1258 leave tone marks stranded.
    stranded = sum(1 for char in composed if unicodedata.combining(char))
    if len(_VIETNAMESE.findall(composed)) >= 3 and stranded <= 0.02 * len(composed) and legacy.detect(data.decode("latin-1")) == "":
        return composed, "cp1258"
    return data.decode("latin-1"), "latin-1"
