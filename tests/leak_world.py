"""A small organisation for the leak suite and the browser tests: three documents at three access
levels, four accounts, and a restricted fact that only some of them may read."""

from __future__ import annotations

import json

import httpx

from server.local import ServerThread

PUBLIC = (
    "Hội nghị tổng kết công tác Đảng năm 2024 của Chi bộ Phòng Tổ chức\n\n"
    "Ngày 10/01/2025, Chi bộ Phòng Tổ chức tổ chức Hội nghị tổng kết công tác xây dựng Đảng năm 2024. "
    "Trong năm, chi bộ kết nạp 03 đảng viên mới và hoàn thành tốt nhiệm vụ chính trị được giao."
)
INTERNAL = (
    "Thông báo nội bộ về lịch sinh hoạt chi bộ quý I năm 2025\n\n"
    "Chi bộ Phòng Tổ chức sinh hoạt thường kỳ vào chiều thứ Năm tuần đầu tiên hằng tháng tại phòng họp tầng 3."
)
RESTRICTED = (
    "Báo cáo kết quả kiểm tra đảng viên khi có dấu hiệu vi phạm năm 2025\n\n"
    "Ngày 14/3/2025, Ủy ban Kiểm tra Đảng ủy kết luận đảng viên Trịnh Quang Vỹ vi phạm quy định về bảo vệ bí mật "
    "nội bộ, đề nghị thi hành kỷ luật bằng hình thức khiển trách; hồ sơ lưu số HS-4471-KT."
)
# Words only the restricted document holds (the question names the person; these it must never get back).
SECRETS = ("HS-4471", "khiển trách", "bảo vệ bí mật", "Ủy ban Kiểm tra Đảng ủy kết luận")
QUESTION = "Đảng viên Trịnh Quang Vỹ bị đề nghị kỷ luật bằng hình thức gì?"
PASSWORD = "mat-khau-thu-nghiem"


def leaks(output: object) -> list[str]:
    """The restricted document's words found in ``output`` (text, or anything JSON-able)."""
    text = output if isinstance(output, str) else json.dumps(output, ensure_ascii=False, default=str)
    return [secret for secret in SECRETS if secret.lower() in text.lower()]


def write_corpus(corpus) -> None:
    """One folder per collection, one document in each."""
    for collection, text in (("cong-khai", PUBLIC), ("noi-bo", INTERNAL), ("mat-kiem-tra", RESTRICTED)):
        (corpus / collection).mkdir(parents=True)
        (corpus / collection / f"{collection}.txt").write_text(text, encoding="utf-8")


def populate(services) -> None:
    """Collections, accounts and grants, and each document ingested into its collection by the administrator."""
    accounts = services.accounts
    accounts.add_collection("noi-bo", "internal")
    accounts.add_collection("mat-kiem-tra", "restricted")
    accounts.add_user("quantri", "admin", PASSWORD)
    accounts.add_user("bientap", "editor", PASSWORD, ["mat-kiem-tra"])
    accounts.add_user("dangvien", "member", PASSWORD)
    accounts.add_user("dangvien2", "member", PASSWORD)
    accounts.add_user("bientap2", "editor", PASSWORD, ["noi-bo"])  # an editor, but of another collection
    admin = services.acting_as(accounts.get("quantri"), "test")
    for collection in ("cong-khai", "noi-bo", "mat-kiem-tra"):
        report = admin.ingest([services.settings.corpus_dir / collection], collection)
        assert not report.errors, report.errors


def login(url: str, name: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=120)
    response = client.post("login", data={"name": name, "password": PASSWORD})
    assert response.status_code == 303, response.text
    return client


def organisation(leak_index, url: str, **settings_changes):
    """The leak world on the database at ``url``, served by a real server: yields (services, server url)."""
    from server.app import create_app
    from services import build_services

    settings, index = leak_index
    services = build_services(settings.model_copy(update={"database_url": url, "auth": True, **settings_changes}), index=index)
    populate(services)
    with ServerThread(create_app(services)) as server:
        yield services, server.url
