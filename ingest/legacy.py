"""Legacy Vietnamese encodings (TCVN3/ABC and VNI) back to Unicode.

Older documents typed with TCVN3 (".VnTime") or VNI fonts reach us as Latin-1
mojibake, from text files or from pypdf: "§¶ng bé" (TCVN3) or "Ñaûng boä" (VNI)
for "Đảng bộ". We detect which, from characters such text is made of and real
Vietnamese text never contains in that pattern, and convert back.
"""

from __future__ import annotations

import re
import unicodedata

# TCVN3 (ABC): one byte per precomposed lower-case letter; capitals only for the shaped base letters.
_TCVN3 = dict(
    zip(
        "¸µ¶·¹¨¾»¼½Æ©ÊÇÈÉË®§ÐÌÎÏÑªÕÒÓÔÖÝ×ØÜÞãßáâä«èåæçé¬íêëìîóïñòô\u00adøõö÷ùýúûüþ¡¢£¤¥¦",
        "áàảãạăắằẳẵặâấầẩẫậđĐéèẻẽẹêếềểễệíìỉĩịóòỏõọôốồổỗộơớờởỡợúùủũụưứừửữựýỳỷỹỵĂÂÊÔƠƯ",
        strict=True,
    )
)
# VNI: base letter followed by mark characters; a few letters stand alone.
_VNI_LETTERS = {"ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư", "ñ": "đ", "Ñ": "Đ",
                "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "Í": "Í", "Ì": "Ì", "Æ": "Ỉ", "Ó": "Ĩ", "Ò": "Ị"}
_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_CIRCUMFLEX, _BREVE = "\u0302", "\u0306"
_VNI_MARKS = {
    "ù": _ACUTE, "ø": _GRAVE, "û": _HOOK, "õ": _TILDE, "ï": _DOT,
    "â": _CIRCUMFLEX, "ê": _BREVE,
    "á": _CIRCUMFLEX + _ACUTE, "à": _CIRCUMFLEX + _GRAVE, "å": _CIRCUMFLEX + _HOOK, "ã": _CIRCUMFLEX + _TILDE, "ä": _CIRCUMFLEX + _DOT,
    "é": _BREVE + _ACUTE, "è": _BREVE + _GRAVE, "ú": _BREVE + _HOOK, "ü": _BREVE + _TILDE, "ë": _BREVE + _DOT,
}
_VNI_MARKS |= {mark.upper(): combining for mark, combining in _VNI_MARKS.items()}
_VNI_SEQUENCE = re.compile("([aeouyơưAEOUYƠƯ])([" + "".join(_VNI_MARKS) + "])")

# Characters that give each encoding away: Latin-1 symbols used as TCVN3 letters,
# and vowel + mark pairs or stand-alone letters of VNI.
_TCVN3_SIGNS = re.compile("[¸µ¶·¹¨¾»¼½©®§ª«¬]")
_VNI_SIGNS = re.compile("[aeouyAEOUYôöÔÖ][" + "".join(_VNI_MARKS) + "]|[ñÑöÖ]")
_UNICODE_VIETNAMESE = re.compile("[ăđơưĂĐƠƯ\u1ea0-\u1ef9]")


def detect(text: str) -> str:
    """"tcvn3", "vni" or "" (Unicode or anything else): whichever signs clearly dominate."""
    genuine = len(_UNICODE_VIETNAMESE.findall(text))
    tcvn3 = len(_TCVN3_SIGNS.findall(text))
    vni = len(_VNI_SIGNS.findall(text))
    if tcvn3 >= 3 and tcvn3 > 2 * genuine and tcvn3 >= vni / 2:
        return "tcvn3"
    # "ñ" (đ) and "ö" (ư) are in almost every VNI sentence and in no cp1258 Vietnamese read as Latin-1.
    if vni >= 3 and vni > 2 * genuine and re.search("[ñÑöÖ]", text):
        return "vni"
    return ""


def tcvn3_to_unicode(text: str) -> str:
    return "".join(_TCVN3.get(char, char) for char in text)


def vni_to_unicode(text: str) -> str:
    """Stand-alone letters first ("ö" → "ư"), so that marks after them apply too ("öï" → "ự")."""
    text = "".join(_VNI_LETTERS.get(char, char) for char in text)
    text = _VNI_SEQUENCE.sub(lambda match: match.group(1) + _VNI_MARKS[match.group(2)], text)
    return unicodedata.normalize("NFC", text)


def convert_legacy_encoding(text: str) -> str:
    """Unicode text is returned as it is; TCVN3 or VNI mojibake is converted."""
    encoding = detect(text)
    if encoding == "tcvn3":
        return tcvn3_to_unicode(text)
    if encoding == "vni":
        return vni_to_unicode(text)
    return text
