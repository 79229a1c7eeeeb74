"""The document library: uploads ingested as server jobs while members keep asking."""

from __future__ import annotations

from access import AuditFilter
from tests.leak_world import organisation


def test_twenty_uploads_keep_the_chat_responsive(leak_index, tmp_path_factory) -> None:
    """A question asked while 20 documents are being ingested is answered before they are all done."""
    for services, _url in organisation(leak_index, f"sqlite:///{tmp_path_factory.mktemp('lib-db') / 'app.db'}"):
        editor = services.accounts.get("bientap2")
        job_ids = [
            services.jobs.submit(
                editor, "noi-bo", f"bien-ban-{number:02d}.txt",
                (f"Biên bản họp chi bộ số {number}\n\nNgày {number}/5/2025, chi bộ họp thường kỳ, "
                 f"thống nhất phân công {number + 2} đảng viên phụ trách công tác dân vận tại tổ dân phố {number}.").encode(),
            )
            for number in range(1, 21)
        ]
        answer = services.acting_as(services.accounts.get("dangvien"), "test").ask("Chi bộ Phòng Tổ chức kết nạp bao nhiêu đảng viên mới?")
        still_running = [job for job in services.jobs.jobs(editor) if job.status in ("queued", "running")]
        assert not answer.refused and "03" in answer.answer
        assert still_running, "all uploads finished before the answer: the test proved nothing"
        for job_id in job_ids:
            services.jobs.wait(job_id)
        jobs = services.jobs.jobs(editor)
        assert sum(job.status == "done" for job in jobs) >= 20
        assert len(services.audit.events(AuditFilter(user="bientap2", action="upload"))) >= 20
        for job_id in job_ids:  # leave the shared store as it was
            source = services.jobs.job(editor, job_id).source
            services.index.indexer.remove(source)
