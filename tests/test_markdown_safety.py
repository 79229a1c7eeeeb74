"""Document text shown in the chat bubble: never an image from elsewhere, a link away, or HTML."""

import re

import pytest

from web.markdown import escape_markdown, safe_markdown

HOSTILE = [
    "![](http://evil.example/pixel.png)",
    "![ảnh](https://evil.example/p.gif \"t\")",
    "[bấm vào đây](http://evil.example/dang-nhap)",
    "[bấm](<http://evil.example/x>)",
    "[ref]: http://evil.example/ref",
    "<img src='http://evil.example/q.png'>",
    "<a href='http://evil.example'>x</a>",
    "<http://evil.example/auto>",
    "https://evil.example/bare",
    "www.evil.example",
    "<script>alert(1)</script>",
]
# What a renderer would act on: an image, a link target, an HTML tag, an address it would turn into a link itself.
ACTIVE = re.compile(r"!\[|\]\(\s*<?https?:|^\s*\[[^\]]*\]:|(?<!\\)<[a-zA-Z/]|(?<!\\)https?://|(?<![\\\w])www\.(?!\\)", re.MULTILINE)


@pytest.mark.parametrize("text", HOSTILE)
def test_the_models_text_loses_images_links_away_and_html(text: str) -> None:
    shown = safe_markdown(f"Theo tài liệu, {text} là đúng.")
    assert not ACTIVE.search(shown), shown
    assert shown.startswith("Theo tài liệu,")


@pytest.mark.parametrize("text", HOSTILE)
def test_titles_and_quotes_are_plain_text(text: str) -> None:
    shown = escape_markdown(f"Báo cáo *số 5* {text}")
    assert not ACTIVE.search(shown), shown
    assert "\\*số 5\\*" in shown  # emphasis shown as the characters typed


def test_the_answers_own_formatting_and_links_to_the_apps_documents_are_kept() -> None:
    text = "**Như vậy**, đảng viên phải đủ 18 tuổi [1].\n- ý một\n- ý hai\n[QĐ 294](api/v1/documents/ab12cd/file#page=3)"
    assert safe_markdown(text) == text


def test_an_answer_from_a_hostile_document_shows_no_remote_image_or_link(fresh_settings, fresh_index) -> None:
    """A real document whose title and text carry Markdown and HTML, ingested and asked about: the chat bubble
    (answer, warnings, sources) holds nothing a renderer would fetch or follow."""
    from chat.llm import ExtractiveBackend
    from services import build_services
    from web.ui import answer_markdown

    document = fresh_settings.corpus_dir / "bao-cao.md"
    document.write_text(
        "# Báo cáo ![](http://evil.example/pixel.png) <img src=http://evil.example/q.png>\n\n"
        "Ngày 12/3/2025, Chi bộ Phòng Hành chính kết nạp 02 đảng viên mới, xem [chi tiết](http://evil.example/phish) "
        "và <img src=http://evil.example/r.png> tại https://evil.example/s.\n",
        encoding="utf-8",
    )
    assert not fresh_index.indexer.sync([document]).errors
    settings = fresh_settings.model_copy(update={"llm_backend": "extractive", "database_url": f"sqlite:///{fresh_settings.data_dir / 'app.db'}"})
    services = build_services(settings, index=fresh_index, backend=ExtractiveBackend())
    from access import LOCAL_ADMIN

    answer = services.acting_as(LOCAL_ADMIN, "test").ask("Chi bộ Phòng Hành chính kết nạp bao nhiêu đảng viên mới?")
    assert answer.citations and "evil.example" in answer.citations[0].quote + answer.citations[0].title
    bubble = answer_markdown(answer)
    assert "02 đảng viên" in bubble
    assert not ACTIVE.search(bubble), bubble
