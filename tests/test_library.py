"""The document library: uploads ingested as server jobs while members keep asking; duplicates, re-index."""

from __future__ import annotations

import json
from pathlib import Path

from gradio_client import Client, handle_file

from access import AuditFilter
from evaluation.questions import load_questions
from services import build_services
from tests.leak_world import login, organisation, populate


def test_twenty_uploads_from_the_library_tab_keep_the_chat_responsive(leak_index, tmp_path_factory) -> None:
    """20 files uploaded through the tab's endpoint; a member's question asked meanwhile is answered before they are done."""
    folder = tmp_path_factory.mktemp("hai-muoi")
    files = []
    for number in range(1, 21):
        path = folder / f"bien-ban-{number:02d}.txt"
        path.write_text(f"Biên bản họp chi bộ số {number}\n\nNgày {number}/5/2025, chi bộ họp thường kỳ, thống nhất phân công "
                        f"{number + 2} đảng viên phụ trách công tác dân vận tại tổ dân phố số {number}.", encoding="utf-8")
        files.append(path)
    for services, url in organisation(leak_index, f"sqlite:///{tmp_path_factory.mktemp('lib-db') / 'app.db'}"):
        editor = login(url, "bientap2")
        cookie = "; ".join(f"{name}={value}" for name, value in editor.cookies.items())
        Client(url, headers={"Cookie": cookie}, verbose=False).predict([handle_file(str(path)) for path in files], "noi-bo",
                                                                      api_name="/library_upload")
        member = login(url, "dangvien")
        answer = member.post("api/v1/ask", json={"question": "Chi bộ Phòng Tổ chức kết nạp bao nhiêu đảng viên mới?"}).json()
        principal = services.accounts.get("bientap2")
        still_running = [job for job in services.jobs.jobs(principal) if job.status in ("queued", "running")]
        assert not answer["refused"] and "03" in answer["answer"]
        assert still_running, "all uploads finished before the answer: the test proved nothing"
        jobs = services.jobs.jobs(principal)
        for job in jobs:
            services.jobs.wait(job.id)
        jobs = services.jobs.jobs(principal)
        assert len(jobs) == 20 and all(job.status == "done" for job in jobs), [(j.filename, j.status, j.message) for j in jobs]
        assert len(services.audit.events(AuditFilter(user="bientap2", action="upload"))) == 20
        workspace = services.acting_as(principal, "test")
        listed = {info.meta.source: info.meta for info in workspace.documents()}
        first = listed[jobs[-1].source]
        assert first.added_by == "bientap2" and first.added_at.startswith("20")
        for job in jobs:  # leave the shared store as it was
            services.index.indexer.remove(job.source)


def test_duplicates_are_refused_and_reindex_rebuilds(leak_index, tmp_path_factory) -> None:
    for services, _url in organisation(leak_index, f"sqlite:///{tmp_path_factory.mktemp('dup-db') / 'app.db'}"):
        editor = services.acting_as(services.accounts.get("bientap2"), "test")
        original = (services.settings.corpus_dir / "noi-bo" / "noi-bo.txt").read_bytes()
        copy = tmp_path_factory.mktemp("dup") / "ban-sao.txt"
        copy.write_bytes(original)
        report = editor.ingest([copy], "noi-bo")
        assert report.files[0].status == "failed" and "trùng nội dung" in report.files[0].error and "noi-bo/noi-bo.txt" in report.files[0].error
        doc_hash = next(info.meta.doc_hash for info in editor.documents() if info.meta.source == "noi-bo/noi-bo.txt")
        rebuilt = editor.reindex(doc_hash)
        assert rebuilt.added == ["noi-bo/noi-bo.txt"] and rebuilt.chunks_written >= 1
        assert services.acting_as(services.accounts.get("dangvien"), "test").ask("Chi bộ Phòng Tổ chức sinh hoạt thường kỳ vào lúc nào?").citations


def test_a_duplicate_is_named_only_to_an_uploader_who_may_read_it(leak_index, tmp_path_factory) -> None:
    """An editor without a grant who uploads a copy of a restricted document learns that the library holds it, never
    where (issue 40): the refusal names the twin only when the uploader may read its collection."""
    settings, index = leak_index
    database = f"sqlite:///{tmp_path_factory.mktemp('twin-db') / 'app.db'}"
    services = build_services(settings.model_copy(update={"database_url": database, "auth": True}), index=index)
    populate(services)
    secret = (settings.corpus_dir / "mat-kiem-tra" / "mat-kiem-tra.txt").read_bytes()
    outsider = services.accounts.get("bientap2")  # manages noi-bo, may not read mat-kiem-tra
    job_id = services.jobs.submit(outsider, "noi-bo", "ban-sao.txt", secret)
    services.jobs.wait(job_id)
    job = services.jobs.job(outsider, job_id)
    Path(job.path).unlink()  # a failed upload keeps its file for a retry; the shared store's library stays as it was
    assert job.status == "failed" and "trùng nội dung" in job.message, job.message
    assert "mat-kiem-tra" not in job.message, job.message
    copy = tmp_path_factory.mktemp("twin") / "ban-sao.txt"
    copy.write_bytes(secret)
    for name, collection in (("quantri", "cong-khai"), ("bientap", "mat-kiem-tra")):  # an administrator; an editor granted it
        report = services.acting_as(services.accounts.get(name), "test").ingest([copy], collection)
        assert report.files[0].status == "failed" and "mat-kiem-tra/mat-kiem-tra.txt" in report.files[0].error, name


def test_negative_feedback_exports_a_question_file_eval_can_run(leak_index, tmp_path_factory, tmp_path) -> None:
    for services, _url in organisation(leak_index, f"sqlite:///{tmp_path_factory.mktemp('fb-db') / 'app.db'}"):
        member = services.acting_as(services.accounts.get("dangvien"), "test")
        answer = member.ask("Chi bộ Phòng Tổ chức kết nạp bao nhiêu đảng viên mới?")
        member.feedback(answer.audit_id, False, "thiếu ý", "Thiếu thời gian kết nạp")
        rows = services.audit.negative_feedback_rows()
        assert rows[0]["question"] == answer.question and rows[0]["chunk_ids"] == " ".join(c.id for c in answer.citations)
        path = tmp_path / "gop-y.jsonl"
        path.write_text(services.audit.feedback_questions(rows), encoding="utf-8")
        questions = load_questions(path)
        assert [q.question for q in questions] == [answer.question]
        assert json.loads(path.read_text(encoding="utf-8").splitlines()[0])["feedback"]["reason"] == "thiếu ý"
        assert "thiếu ý" in services.audit.feedback_csv(rows)
