"""The web app in a real browser (Debian's Chromium driven by Playwright)."""

import re
import shutil
from pathlib import Path

import pytest

from server.app import create_app
from server.local import ServerThread
from tests.leak_world import PASSWORD, QUESTION, leaks, organisation

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (make test installs it with apt-get)")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page(corpus_services, browser):
    """Personal mode: no login, the local administrator."""
    with ServerThread(create_app(corpus_services)) as server:
        page = browser.new_page(viewport={"width": 1280, "height": 1400})
        page.goto(server.url)
        page.get_by_text("Trợ lý tài liệu Đảng").first.wait_for()
        page.get_by_text("Chế độ cá nhân").first.wait_for()
        yield page
        page.close()


@pytest.fixture(scope="module")
def org(leak_index, tmp_path_factory):
    """(services, url) of the leak world served for the browser."""
    yield from organisation(leak_index, f"sqlite:///{tmp_path_factory.mktemp('e2e-db') / 'app.db'}")


@pytest.fixture(scope="module")
def org_url(org) -> str:
    return org[1]


def ask_in_browser(page, question: str) -> None:
    page.get_by_label("Câu hỏi", exact=True).fill(question)
    page.get_by_role("button", name="Gửi").click()


def log_in(browser, url: str, name: str, password: str = PASSWORD):
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.goto(url)
    page.get_by_label("Tên đăng nhập").fill(name)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_text(f"Đăng nhập: {name}").first.wait_for(timeout=60_000)
    return page


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


def test_wrong_password_stays_on_the_login_page(browser, org_url) -> None:
    page = browser.new_page()
    page.goto(org_url)
    assert "Đăng nhập" in page.title()
    page.get_by_label("Tên đăng nhập").fill("dangvien")
    page.get_by_label("Mật khẩu").fill("khong-dung-123")
    page.get_by_role("button", name="Đăng nhập").click()
    assert "không đúng" in page.get_by_role("alert").inner_text()
    page.close()


def test_member_without_access_is_refused_in_the_browser(browser, org_url) -> None:
    page = log_in(browser, org_url, "dangvien")
    assert not page.get_by_role("tab", name="Quản trị").is_visible()  # administrators only
    ask_in_browser(page, QUESTION)
    page.get_by_text(REFUSED).first.wait_for(timeout=60_000)
    assert not leaks(page.content())
    page.get_by_role("tab", name="Tra cứu").click()
    page.get_by_label("Câu hỏi hoặc từ khoá").fill("kỷ luật Trịnh Quang Vỹ hồ sơ vi phạm")
    page.get_by_role("button", name="Tìm").click()
    page.locator(".source >> visible=true").first.wait_for(timeout=60_000)
    assert not leaks(page.content())
    page.close()


def test_editor_with_access_sees_the_answer_and_its_source(browser, org_url) -> None:
    page = log_in(browser, org_url, "bientap")
    ask_in_browser(page, QUESTION)
    page.get_by_text("Nguồn:").first.wait_for(timeout=60_000)
    assert "khiển trách" in page.locator(".citation mark").first.text_content()
    page.get_by_role("button", name="Đăng xuất").click()  # a form that posts: a link could be followed from anywhere
    page.get_by_label("Tên đăng nhập").wait_for()
    page.close()


SCANNED_QUESTION = "Đảng viên dự bị đủ điều kiện, chi bộ họp chậm thì được công nhận đảng viên chính thức vào thời điểm nào?"
REFUSED = re.compile("không đề cập|ngoài phạm vi")


@pytest.fixture(scope="module")
def three_files(tmp_path_factory) -> list[Path]:
    """A real text PDF (the last two pages of QĐ 294), a real page of QĐ 294 as an image-only scan, and a corrupt PDF."""
    from PIL import Image
    from pypdf import PdfReader, PdfWriter

    from ingest import ocr
    from settings import PROJECT_ROOT

    folder = tmp_path_factory.mktemp("uploads")
    writer = PdfWriter()
    for page in PdfReader(PROJECT_ROOT / "corpus" / "qd-294-qd-tw-2025-thi-hanh-dieu-le-dang.pdf").pages[-2:]:
        writer.add_page(page)
    good = folder / "qd-294-hai-trang-cuoi.pdf"
    with good.open("wb") as handle:
        writer.write(handle)
    _, image = next(ocr.render_pdf_pages(PROJECT_ROOT / "corpus" / "qd-294-qd-tw-2025-thi-hanh-dieu-le-dang.pdf", [4], dpi=300))
    scanned = folder / "qd-294-trang-4-ban-quet.pdf"
    image.rotate(0.6, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255).save(scanned, "PDF", resolution=300)
    corrupt = folder / "bien-ban-hong.pdf"
    corrupt.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF-cut")
    return [good, scanned, corrupt]


def test_editor_uploads_three_files_member_asks_the_scan_then_it_is_deleted(browser, org, three_files) -> None:
    from ingest import ocr

    if not ocr.tesseract_available():
        pytest.skip("tesseract-ocr + tesseract-ocr-vie are not installed (make test installs them)")
    services, org_url = org
    try:
        upload_ask_delete(browser, services, org_url, three_files)
    finally:  # the store is shared with other tests: leave none of the uploads behind
        for path in three_files:
            services.index.indexer.remove(f"library/noi-bo/{path.name}")


def upload_ask_delete(browser, services, org_url: str, three_files: list[Path]) -> None:
    editor = log_in(browser, org_url, "bientap2")
    editor.get_by_role("tab", name="Thư viện").click()
    editor.locator("input[type=file]").first.set_input_files([str(path) for path in three_files])
    editor.get_by_role("button", name="Tải lên và nạp").click()
    editor.locator(".job").nth(2).wait_for(timeout=60_000)
    assert editor.locator("#jobs progress").count() >= 4  # overall bar and one per file
    editor.get_by_text("3/3 tệp xong").wait_for(timeout=600_000)
    assert editor.locator(".job.done").count() == 2 and editor.locator(".job.failed").count() == 1
    failure = editor.locator(".job.failed .result").inner_text()
    assert "PDF" in failure and "bien-ban-hong.pdf" in editor.locator(".job.failed").inner_text()

    member = log_in(browser, org_url, "dangvien")
    ask_in_browser(member, SCANNED_QUESTION)
    member.get_by_text("Nguồn:").first.wait_for(timeout=120_000)
    body = member.inner_text("body")
    assert "12 tháng dự bị" in body and "OCR" in body  # QĐ 294 point 4.2.2, read from the scan

    editor.get_by_role("button", name="Tải danh sách").click()
    where = {"source": "library/noi-bo/qd-294-trang-4-ban-quet.pdf"}
    editor.get_by_label("Mã tài liệu").fill(str(services.index.store.all_chunks(where)[0][2]["doc_hash"]))
    editor.get_by_role("button", name="Xoá tài liệu").click()
    for _ in range(120):  # the click deletes it in the server: from Chroma, BM25 and the library folder
        if not services.index.store.all_chunks(where):
            break
        editor.wait_for_timeout(500)
    assert not services.index.store.all_chunks(where)

    member.get_by_role("button", name="Xoá hội thoại").click()
    member.get_by_text("Nguồn:").first.wait_for(state="hidden", timeout=10_000)  # the conversation is gone
    ask_in_browser(member, SCANNED_QUESTION)
    member.get_by_text(REFUSED).first.wait_for(timeout=120_000)
    editor.close()
    member.close()
