"""The same code against a real Chroma server (`chroma run`) on loopback."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from server.local import free_port, wait_for_http
from vectorstore import open_index

pytestmark = pytest.mark.server


@pytest.fixture
def chroma_server(tmp_path: Path):
    port = free_port()
    executable = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    process = subprocess.Popen(
        [executable, "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        if not wait_for_http(f"http://127.0.0.1:{port}/api/v2/heartbeat", 60):
            pytest.fail("chroma server did not start within 60 s")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_ingest_and_search_through_a_chroma_server(chroma_server: int, fresh_settings, embedder) -> None:
    settings = fresh_settings.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": chroma_server})
    (settings.corpus_dir / "a.txt").write_text(
        "Đại hội Chi bộ Văn phòng\n\nNgày 20/5/2025, Chi bộ Văn phòng bầu đồng chí Trần Văn An làm Bí thư.", encoding="utf-8"
    )
    index = open_index(settings, embedder)
    report = index.indexer.sync([settings.corpus_dir])
    assert report.added == ["a.txt"]
    assert not (settings.data_dir / "chroma").exists()  # nothing was written to the embedded store
    hits = index.searcher.search("Ai được bầu làm Bí thư Chi bộ Văn phòng?", 1)
    assert "Trần Văn An" in hits[0].text
    again = open_index(settings, embedder)  # a second client sees the same collection
    assert again.store.count() == index.store.count() > 0
