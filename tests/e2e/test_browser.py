"""The web app in a real browser (Debian's Chromium driven by Playwright)."""

import shutil
from pathlib import Path

import pytest

from chat import Assistant
from drafting import Drafter
from tests.helpers import launch_app
from web.ui import build

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (make test installs it with apt-get)")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="module")
def app_url(corpus_settings, corpus_index):
    settings = corpus_settings.model_copy(update={"llm_backend": "extractive"})
    app = build(settings, corpus_index, Assistant(settings, corpus_index, None), "", Drafter(settings, corpus_index, None))
    yield launch_app(app)
    app.close()


@pytest.fixture(scope="module")
def page(app_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1400})
        page.goto(app_url)
        page.get_by_text("Trợ lý tài liệu Đảng").first.wait_for()
        yield page
        browser.close()


def test_asking_in_the_browser_shows_the_answer_and_its_cited_passage(page, tmp_path: Path) -> None:
    page.get_by_label("Câu hỏi", exact=True).fill("Ai đại diện Đoàn Thư ký trình bày dự thảo Nghị quyết Đại hội?")
    page.get_by_role("button", name="Gửi").click()
    page.get_by_text("Nguồn:").first.wait_for(timeout=60_000)
    assert "Nguyễn Thị Hoàng Oanh" in page.inner_text("body")
    highlighted = page.locator(".citation mark").first
    assert "Nguyễn Thị Hoàng Oanh" in highlighted.text_content()
    page.screenshot(path=str(tmp_path / "chat.png"), full_page=True)
    assert (tmp_path / "chat.png").stat().st_size > 10_000


def test_unanswerable_question_in_the_browser_is_refused(page) -> None:
    page.get_by_label("Câu hỏi", exact=True).fill("Chi bộ Trung tâm Thông tin – Thư viện có bao nhiêu đảng viên dự bị?")
    page.get_by_role("button", name="Gửi").click()
    page.get_by_text("Tài liệu hiện có không đề cập").first.wait_for(timeout=60_000)
    assert page.get_by_text("Các đoạn gần nhất tìm được").first.is_visible()
