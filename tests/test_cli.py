"""The command line as a user runs it: real processes, real store, real model."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("cli")
    corpus = folder / "corpus"
    corpus.mkdir()
    (corpus / "dai-hoi.txt").write_text(
        "Đại hội Chi bộ Văn phòng nhiệm kỳ 2025–2027\n\nNgày 20/5/2025, Chi bộ Văn phòng tổ chức Đại hội, "
        "bầu đồng chí Trần Văn An làm Bí thư Chi bộ.",
        encoding="utf-8",
    )
    (corpus / "tong-ket.txt").write_text(
        "Hội nghị tổng kết công tác Đảng năm 2023\n\nChiều ngày 12/01/2024, Đảng bộ Trường tổng kết, kết nạp 07 đảng viên mới.",
        encoding="utf-8",
    )
    return {**os.environ, "RAG_DATA_DIR": str(folder / "data"), "RAG_CORPUS_DIR": str(corpus)}


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "app.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_ingest_then_search_json(cli_env) -> None:
    first = run(cli_env, "ingest")
    assert first.returncode == 0, first.stderr
    assert "Thêm 2" in first.stdout
    again = run(cli_env, "ingest")
    assert "giữ nguyên 2" in again.stdout and "ghi 0 đoạn" in again.stdout

    result = run(cli_env, "search", "Ai là Bí thư Chi bộ Văn phòng?", "--k", "2", "--json")
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert len(hits) == 2
    assert set(hits[0]) >= {"id", "score", "text", "title", "source", "date", "page"}
    assert hits[0]["source"] == "dai-hoi.txt" and "Trần Văn An" in hits[0]["text"]
    assert hits[0]["date"] == "2025-05-20"


def test_search_filters_from_the_command_line(cli_env) -> None:
    run(cli_env, "ingest")
    result = run(cli_env, "search", "đảng viên", "--json", "--before", "2024-12-31")
    assert {hit["source"] for hit in json.loads(result.stdout)} == {"tong-ket.txt"}


def test_bad_input_exits_non_zero_with_one_line(cli_env, tmp_path) -> None:
    empty = tmp_path / "rong.txt"
    empty.write_text("")
    result = run(cli_env, "ingest", str(empty))
    assert result.returncode != 0
    assert "rong.txt" in result.stderr and "tệp rỗng" in result.stderr
    bad_date = run(cli_env, "search", "x", "--after", "20/5/2025")
    assert bad_date.returncode != 0 and "YYYY-MM-DD" in bad_date.stderr


def test_models_list_shows_the_default_models(cli_env) -> None:
    result = run(cli_env, "models", "list")
    assert result.returncode == 0
    assert "embeddinggemma-300m" in result.stdout and "sẵn sàng" in result.stdout
    assert "qwen2.5-coder-1.5b-instruct-amx" in result.stdout  # the AMX rewrite is a cache entry of its own


def test_draft_lists_kinds_and_prints_json(cli_env, tmp_path) -> None:
    kinds = run(cli_env, "draft", "--list-kinds")
    assert "dien-van-khai-mac" in kinds.stdout and "bao-cao-tong-ket" in kinds.stdout
    run(cli_env, "ingest")
    docx_path, md_path = tmp_path / "b.docx", tmp_path / "b.md"
    result = run(cli_env, "draft", "đại hội chi bộ kết nạp đảng viên", "--kind", "bao-cao-tong-ket", "--backend", "extractive",
                 "--json", "--docx", str(docx_path), "--md", str(md_path))
    assert result.returncode == 0, result.stderr
    outline = json.loads(result.stdout)
    assert outline["kind"] == "bao-cao-tong-ket" and len(outline["sections"]) == 5
    quotes = [e for s in outline["sections"] for e in s["excerpts"]]
    assert quotes and all(set(e) >= {"quote", "id", "title", "date", "source", "page"} for e in quotes)
    assert docx_path.stat().st_size > 0 and "## Tài liệu trích dẫn" in md_path.read_text(encoding="utf-8")
    unknown = run(cli_env, "draft", "x", "--kind", "khong-co")
    assert unknown.returncode != 0 and "khong-co" in unknown.stderr


def test_ask_json_contract(cli_env) -> None:
    run(cli_env, "ingest")
    result = run(cli_env, "ask", "Ai được bầu làm Bí thư Chi bộ Văn phòng?", "--json", "--backend", "extractive")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert not answer["refused"] and "Trần Văn An" in answer["answer"]
    for citation in answer["citations"]:
        assert f"[{citation['n']}]" in answer["answer"]
        assert set(citation) >= {"n", "id", "title", "source", "date", "page", "quote"}


def test_a_store_built_with_another_model_is_a_one_line_error(cli_env, tmp_path) -> None:
    run(cli_env, "ingest")
    env = {**cli_env, "RAG_EMBEDDING_MODEL": str(tmp_path / "missing-model")}
    result = run(env, "search", "đảng viên")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and result.stderr.strip().startswith("Lỗi:")


def test_rebuild_replaces_a_store_built_with_another_model(cli_env, tmp_path) -> None:
    """The error for a store of another model says to rebuild; the rebuild must not trip over that same check."""
    import chromadb

    from settings import Settings

    env = {**cli_env, "RAG_DATA_DIR": str(tmp_path / "data")}
    settings = Settings(data_dir=tmp_path / "data")
    old = chromadb.PersistentClient(path=str(settings.chroma_path)).create_collection(
        settings.collection, metadata={"embedding_model": "mo-hinh-cu", "dimension": 3}
    )
    old.add(ids=["cu"], documents=["Đoạn cũ"], embeddings=[[1.0, 0.0, 0.0]], metadatas=[{"source": "cu.txt"}])
    refused = run(env, "search", "Bí thư")
    assert refused.returncode != 0 and "--rebuild" in refused.stderr

    rebuilt = run(env, "ingest", "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "Thêm 2" in rebuilt.stdout and "Kho có" in rebuilt.stdout
    hits = json.loads(run(env, "search", "Ai là Bí thư Chi bộ Văn phòng?", "--json").stdout)
    assert hits and {hit["source"] for hit in hits} <= {"dai-hoi.txt", "tong-ket.txt"}
    saved = json.loads(settings.catalogue_file(settings.collection).read_text(encoding="utf-8"))
    assert sorted(document["source"] for document in saved["documents"]) == ["dai-hoi.txt", "tong-ket.txt"]
    assert "rebuild" in run(env, "audit", "list", "--action", "rebuild").stdout


def test_bulk_import_prints_and_writes_a_per_file_report(cli_env, tmp_path) -> None:
    folder = tmp_path / "lo-tai-lieu"
    folder.mkdir()
    (folder / "tot.txt").write_text("Thông báo kết quả Hội nghị\n\nNgày 05/6/2025, Chi bộ Kho bạc họp và thống nhất kế hoạch quý III.",
                                    encoding="utf-8")
    (folder / "rong.txt").write_text("", encoding="utf-8")
    (folder / "hong.pdf").write_bytes(b"%PDF-1.4 day khong phai pdf")
    report = tmp_path / "bao-cao.json"
    result = run(cli_env, "ingest", str(folder), "--collection", "cong-khai", "--report", str(report))
    assert result.returncode == 1  # some files failed; the good one is in
    rows = {Path(row["file"]).name: row for row in json.loads(report.read_text(encoding="utf-8"))}
    assert rows["tot.txt"]["status"] == "added" and rows["tot.txt"]["chunks"] >= 1
    assert rows["rong.txt"]["status"] == "failed" and "rỗng" in rows["rong.txt"]["error"]
    assert rows["hong.pdf"]["status"] == "failed" and "PDF" in rows["hong.pdf"]["error"]
    assert "hong.pdf" in result.stderr and "tot.txt" in result.stdout
    unknown = run(cli_env, "ingest", str(folder / "tot.txt"), "--collection", "khong-co-bo-nay")
    assert unknown.returncode != 0 and "khong-co-bo-nay" in unknown.stderr


def test_users_collections_keys_and_audit_commands(cli_env, tmp_path) -> None:
    def with_input(text: str, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "app.py", *args], cwd=ROOT, env=cli_env, input=text, capture_output=True, text=True, timeout=600)

    added = with_input("mat-khau-dai-1\nmat-khau-dai-1\n", "users", "add", "thuky", "--role", "editor")
    assert added.returncode == 0, added.stderr
    mismatch = with_input("mat-khau-dai-1\nkhac-hoan-toan\n", "users", "add", "sai", "--role", "member")
    assert mismatch.returncode != 0
    assert with_input("ngan\nngan\n", "users", "add", "ngan", "--role", "member").stderr.startswith("Lỗi:")
    assert run(cli_env, "collections", "add", "chi-bo-kho-bac", "--level", "restricted").returncode == 0
    assert run(cli_env, "collections", "grant", "chi-bo-kho-bac", "thuky", "--manage").returncode == 0
    listing = run(cli_env, "collections", "list").stdout
    assert "chi-bo-kho-bac" in listing and "restricted" in listing and "thuky" in listing
    assert "thuky" in run(cli_env, "users", "list").stdout
    key = run(cli_env, "keys", "create", "--user", "thuky", "--name", "bot-thu")
    assert key.returncode == 0 and key.stdout.strip().startswith("rag_") and "một lần" in key.stderr
    assert "bot-thu" in run(cli_env, "keys", "list").stdout and key.stdout.strip() not in run(cli_env, "keys", "list").stdout
    assert run(cli_env, "keys", "revoke", "1").returncode == 0 and "thu hồi" in run(cli_env, "keys", "list").stdout
    assert with_input("mat-khau-moi-2\nmat-khau-moi-2\n", "users", "passwd", "thuky").returncode == 0
    assert run(cli_env, "users", "disable", "thuky").returncode == 0
    disabled = run(cli_env, "ask", "Ai là Bí thư?", "--user", "thuky", "--backend", "extractive")
    assert disabled.returncode != 0 and "khoá" in disabled.stderr
    assert run(cli_env, "users", "enable", "thuky").returncode == 0
    assert run(cli_env, "collections", "revoke", "chi-bo-kho-bac", "thuky").returncode == 0
    refused = run(cli_env, "ingest", "--collection", "chi-bo-kho-bac", "--user", "thuky")
    assert refused.returncode != 0 and "quyền" in refused.stderr
    csv = tmp_path / "nhat-ky.csv"
    assert run(cli_env, "audit", "list", "--csv", str(csv)).returncode == 0
    text = csv.read_text(encoding="utf-8")
    assert "user_add" in text and "grant" in text and "key_create" in text and "mat-khau" not in text


def test_bench_compares_members_at_once_with_the_same_questions_in_series_and_through_the_web(cli_env, tmp_path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        "\n".join(json.dumps(q, ensure_ascii=False) for q in [
            {"question": "Ai được bầu làm Bí thư Chi bộ Văn phòng?", "answers": ["Trần Văn An"]},
            {"question": "Đảng bộ Trường kết nạp bao nhiêu đảng viên mới năm 2023?", "answers": ["07"]},
            {"question": "Giá vé máy bay đi Đà Nẵng là bao nhiêu?", "answerable": False},
        ]),
        encoding="utf-8",
    )
    report_path = tmp_path / "bench.json"
    result = run(cli_env, "bench", "--questions", str(questions), "--corpus", cli_env["RAG_CORPUS_DIR"],
                 "--answers", "extractive", "--members", "3", "--json", str(report_path))
    assert result.returncode == 0, result.stderr
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["machine"]["cores"] == os.cpu_count()
    results = report["results"]
    assert (results["documents"], results["extractive_3_at_once_errors"]) == (2, 0)
    # the two answerable questions, asked by three members at once, and the same three one after another
    before, after = results["extractive_3_at_once_serial_before_s"], results["extractive_3_at_once_serial_after_s"]
    assert before > 0 and after > 0
    assert results["extractive_3_at_once_last_vs_serial"] == pytest.approx(results["extractive_3_at_once_answer_max_s"] / ((before + after) / 2))
    assert "extractive_3_at_once_last_vs_serial" in result.stdout
    # the same three again, each in a web chat of their own on the real server
    web = {key.removeprefix("extractive_3_at_once_web_"): value for key, value in results.items() if key.startswith("extractive_3_at_once_web_")}
    assert web["errors"] == 0, web
    assert 0 < web["first_seen_max_s"] <= web["first_useful_max_s"] <= web["answer_max_s"], web
    assert 0 < web["answer_p50_s"] <= web["answer_max_s"], web
