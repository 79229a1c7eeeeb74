"""TCVN3 and VNI text, on samples as they occur in old files (quiz data, forms), back to Unicode."""

from pathlib import Path

import pytest

from ingest import prepare
from ingest.legacy import convert_legacy_encoding, detect

# TCVN3 as found in a public quiz file of the .VnTime era; "\u00ad" is TCVN3's "ư".
TCVN3 = "Tæng bÝ th\u00ad ®Çu tiªn cña §¶ng céng s¶n ViÖt Nam. Vâ Nguyªn Gi¸p lµ thµnh viªn cña §¶ng nµo?"
TCVN3_UNICODE = "Tổng bí thư đầu tiên của Đảng cộng sản Việt Nam. Võ Nguyên Giáp là thành viên của Đảng nào?"
# VNI: the national motto as printed on VNI-typed forms, and a sentence of party news.
VNI = "Ñoäc laäp - Töï do - Haïnh phuùc. Thöïc hieän Keá hoaïch soá 60-KH/ÑUHV, Ñaûng uûy ñöôïc giao."
VNI_UNICODE = "Độc lập - Tự do - Hạnh phúc. Thực hiện Kế hoạch số 60-KH/ĐUHV, Đảng ủy được giao."


def test_tcvn3_is_detected_and_converted() -> None:
    assert detect(TCVN3) == "tcvn3"
    assert convert_legacy_encoding(TCVN3) == TCVN3_UNICODE


def test_vni_is_detected_and_converted() -> None:
    assert detect(VNI) == "vni"
    assert convert_legacy_encoding(VNI) == VNI_UNICODE


@pytest.mark.parametrize(
    "text",
    [TCVN3_UNICODE, VNI_UNICODE, "Café crème à la française, São Paulo, Zürich, Ñuñoa.", "Đại hội Chi bộ nhiệm kỳ 2025–2027."],
)
def test_unicode_and_western_text_are_left_alone(text: str) -> None:
    assert detect(text) == ""
    assert convert_legacy_encoding(text) == text


@pytest.mark.parametrize(("legacy", "unicode"), [(TCVN3, TCVN3_UNICODE), (VNI, VNI_UNICODE)])
def test_legacy_text_files_are_ingested_as_unicode(tmp_path: Path, legacy: str, unicode: str) -> None:
    path = tmp_path / "cu.txt"
    path.write_bytes(legacy.encode("latin-1"))  # the bytes such a file holds
    assert prepare(path, tmp_path, 900, 150).text == unicode
