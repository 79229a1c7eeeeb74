"""Trợ lý tài liệu Đảng: the command line and the web app, thin over the packages.

    python app.py ingest [PATH…] [--prune]     nạp tài liệu vào kho
    python app.py search "…" --k 5 --json      tìm đoạn văn liên quan
    python app.py ask "…" --json               hỏi, nhận câu trả lời có trích dẫn
    python app.py chat                         hội thoại trong terminal
    python app.py serve                        mở giao diện web
    python app.py models fetch                 tải và kiểm tra trọng số mô hình
    python app.py bench                        đo tốc độ
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from settings import PROJECT_ROOT, get_settings

DEV_QUESTIONS = PROJECT_ROOT.parent / "shared" / "eval" / "dev_questions.jsonl"


def fail(message: str) -> None:
    """One line on stderr and a non-zero exit: the contract for bad input."""
    click.echo(f"Lỗi: {message}", err=True)
    sys.exit(2)


def _parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(f"ngày phải có dạng YYYY-MM-DD, nhận '{value}'") from error


def _open_index():
    from vectorstore import open_index

    return open_index(get_settings())


class FriendlyGroup(click.Group):
    """Known failures (missing weights, a store built with another model, a model server
    that does not answer, unreadable input) end in one Vietnamese line, not a stack trace."""

    def invoke(self, ctx: click.Context):
        from chat import LLMError
        from ingest import IngestError
        from vectorstore import StoreError
        from weights import WeightsError

        try:
            return super().invoke(ctx)
        except (WeightsError, StoreError, LLMError, IngestError) as error:
            fail(str(error))


@click.group(cls=FriendlyGroup)
def cli() -> None:
    """Trợ lý hỏi đáp tài liệu công tác Đảng (RAG, chạy offline)."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--prune", is_flag=True, help="Xoá khỏi kho các tài liệu không còn tệp nguồn.")
@click.option("--rebuild", is_flag=True, help="Xoá toàn bộ kho rồi nạp lại từ đầu.")
def ingest(paths: tuple[Path, ...], prune: bool, rebuild: bool) -> None:
    """Nạp tệp .txt .md .html .pdf .docx (mặc định: thư mục corpus/)."""
    settings = get_settings()
    index = _open_index()
    if rebuild:
        from vectorstore import open_index

        index.store.drop()
        index.lexical.clear()
        index = open_index(settings, index.searcher.embedder)
    report = index.indexer.sync(list(paths) or [settings.corpus_dir], prune=prune)
    for error in report.errors:
        click.echo(f"Lỗi: {error}", err=True)
    click.echo(
        f"Thêm {len(report.added)}, thay {len(report.replaced)}, giữ nguyên {len(report.unchanged)}, "
        f"xoá {len(report.removed)} tài liệu; ghi {report.chunks_written} đoạn; {len(report.errors)} lỗi. "
        f"Kho có {index.store.count()} đoạn."
    )
    if report.errors:
        sys.exit(1)


@cli.command()
@click.argument("query")
@click.option("--k", default=None, type=int, help="Số kết quả.")
@click.option("--json", "as_json", is_flag=True, help="In JSON.")
@click.option("--kind", help="Loại văn bản: regulation, guideline, resolution, news, …")
@click.option("--after", callback=_parse_date, help="Từ ngày (YYYY-MM-DD).")
@click.option("--before", callback=_parse_date, help="Đến ngày (YYYY-MM-DD).")
@click.option("--source", help="Tên tệp nguồn, chấp nhận mẫu như '*.pdf'.")
@click.option("--mode", type=click.Choice(["hybrid", "dense", "lexical"]), default="hybrid")
def search(query: str, k: int | None, as_json: bool, kind: str | None, after: date | None, before: date | None, source: str | None, mode: str) -> None:
    """Tìm các đoạn văn liên quan đến câu hỏi."""
    from vectorstore import SearchFilters

    if not query.strip():
        fail("câu truy vấn rỗng (empty query)")
    hits = _open_index().searcher.search(query, k, SearchFilters(kind, after, before, source), mode=mode)
    if as_json:
        click.echo(json.dumps([hit.to_json() for hit in hits], ensure_ascii=False, indent=1))
        return
    if not hits:
        click.echo("Không tìm thấy đoạn văn nào.")
    for rank, hit in enumerate(hits, start=1):
        row = hit.to_json()
        where = f"tr. {row['page']}" if row["page"] else f"đoạn {row['paragraph']}"
        click.echo(f"[{rank}] {row['title']} — {row['date'] or 'không rõ ngày'}, {where} ({row['source']}) {row['score']:.4f}")
        click.echo("    " + hit.text[:300].replace("\n", " ") + ("…" if len(hit.text) > 300 else ""))


def _assistant():
    from chat import Assistant, make_backend

    settings = get_settings()
    return Assistant(settings, _open_index(), make_backend(settings))


def _print_answer(answer) -> None:
    click.echo(answer.answer)
    for flag in answer.flags:
        click.echo(f"  ⚠ {flag}")
    for citation in answer.citations:
        where = f"tr. {citation.page}" if citation.page else f"đoạn {citation.paragraph}"
        click.echo(f"  [{citation.n}] {citation.title} — {citation.date or 'không rõ ngày'}, {where}: “{citation.quote}”")
    for hit in answer.closest:
        click.echo(f"  • Đoạn gần nhất: {hit.metadata.get('title', '')} — {hit.text[:160]}…")


@cli.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="In JSON.")
@click.option("--backend", type=click.Choice(["llama_cpp", "openai", "extractive"]), help="Ghi đè RAG_LLM_BACKEND.")
def ask(question: str, as_json: bool, backend: str | None) -> None:
    """Hỏi một câu; câu trả lời kèm trích dẫn đã kiểm tra."""
    if not question.strip():
        fail("câu hỏi rỗng (empty question)")
    if backend:
        get_settings().llm_backend = backend
    answer = _assistant().ask(question)
    if as_json:
        click.echo(json.dumps(answer.to_json(), ensure_ascii=False, indent=1))
    else:
        _print_answer(answer)


@cli.command()
def chat() -> None:
    """Hội thoại nhiều lượt trong terminal (gõ 'thoát' để dừng)."""
    from chat import Answer, Turn

    assistant = _assistant()
    history: list[Turn] = []
    while True:
        try:
            question = click.prompt("Bạn", prompt_suffix=": ").strip()
        except (EOFError, click.Abort):
            break
        if question.lower() in {"thoát", "thoat", "exit", "quit"}:
            break
        click.echo("Trợ lý: ", nl=False)
        final = None
        for event in assistant.stream(question, history):
            if isinstance(event, Answer):
                final = event
            elif assistant.backend is not None:
                click.echo(event, nl=False)
        click.echo()
        _print_answer(final)
        history.append(Turn(question, final.answer))


@cli.command()
@click.argument("topic", required=False)
@click.option("--kind", default="dien-van-khai-mac", help="Loại bài (xem --list-kinds).")
@click.option("--list-kinds", is_flag=True, help="Liệt kê các loại bài phát biểu.")
@click.option("--org", "organisation", default="", help="Tên tổ chức (chi bộ, đảng bộ).")
@click.option("--per-section", default=2, help="Số trích dẫn mỗi mục.")
@click.option("--after", callback=_parse_date, help="Chỉ trích tài liệu từ ngày (YYYY-MM-DD).")
@click.option("--before", callback=_parse_date, help="Chỉ trích tài liệu đến ngày (YYYY-MM-DD).")
@click.option("--source", help="Chỉ trích từ tệp nguồn này (chấp nhận mẫu '*.pdf').")
@click.option("--backend", type=click.Choice(["llama_cpp", "openai", "extractive"]), help="Ghi đè RAG_LLM_BACKEND.")
@click.option("--json", "as_json", is_flag=True, help="In JSON.")
@click.option("--docx", "docx_path", type=click.Path(path_type=Path), help="Xuất tệp Word.")
@click.option("--md", "md_path", type=click.Path(path_type=Path), help="Xuất tệp Markdown.")
def draft(topic: str | None, kind: str, list_kinds: bool, organisation: str, per_section: int, after: date | None,
          before: date | None, source: str | None, backend: str | None, as_json: bool, docx_path: Path | None, md_path: Path | None) -> None:
    """Soạn dàn ý bài phát biểu từ trích dẫn nguyên văn có nguồn."""
    from drafting import Drafter, SpeechKinds
    from drafting.export import to_docx, to_markdown

    settings = get_settings()
    kinds = SpeechKinds(settings.prompts_dir)
    if list_kinds:
        for name in kinds.kinds:
            click.echo(f"{name:22} {kinds.label(name)}")
        return
    if not topic or not topic.strip():
        fail("cần chủ đề bài phát biểu (missing topic)")
    if kind not in kinds.kinds:
        fail(f"không có loại bài '{kind}' (có: {', '.join(kinds.kinds)})")
    if backend:
        settings.llm_backend = backend
    from chat import make_backend
    from vectorstore import SearchFilters

    drafter = Drafter(settings, _open_index(), make_backend(settings))
    outline = drafter.draft(topic, kind, per_section, SearchFilters(after=after, before=before, source=source), organisation)
    if docx_path:
        to_docx(outline, docx_path)
    if md_path:
        md_path.write_text(to_markdown(outline), encoding="utf-8")
    if as_json:
        click.echo(json.dumps(outline.to_json(), ensure_ascii=False, indent=1))
    elif not (docx_path or md_path):
        click.echo(to_markdown(outline))


@cli.group()
def models() -> None:
    """Trọng số mô hình: liệt kê, tải, kiểm tra."""


@models.command("list")
def models_list() -> None:
    from weights import BUILTIN_MODELS
    from weights.provision import is_ready, model_dir

    cache = get_settings().model_cache_dir
    for spec in BUILTIN_MODELS.values():
        ready = "sẵn sàng" if is_ready(model_dir(spec, cache), spec) else "chưa tải"
        click.echo(f"{spec.name:32} {spec.kind:9} {ready:9} {spec.note}")


@models.command("fetch")
@click.argument("names", nargs=-1)
def models_fetch(names: tuple[str, ...]) -> None:
    """Tải, ghép và kiểm tra SHA-256 (mặc định: mô hình nhúng và LLM đang cấu hình)."""
    from weights import BUILTIN_MODELS, ensure_model

    settings = get_settings()
    wanted = names or tuple(n for n in (settings.embedding_model, settings.llm_model) if n in BUILTIN_MODELS)
    for name in wanted:
        if name not in BUILTIN_MODELS:
            fail(f"{name}: không phải mô hình có sẵn ({', '.join(BUILTIN_MODELS)})")
        click.echo(f"{name}: {ensure_model(BUILTIN_MODELS[name], settings.model_cache_dir)}")


@models.command("verify")
def models_verify() -> None:
    """Băm lại mọi tệp trọng số đã tải và so với SHA-256 công bố."""
    from weights import BUILTIN_MODELS
    from weights.provision import model_dir, verify

    cache = get_settings().model_cache_dir
    for spec in BUILTIN_MODELS.values():
        folder = model_dir(spec, cache)
        if not folder.exists():
            continue
        verify(folder, spec)
        click.echo(f"{spec.name}: OK")


@cli.command()
@click.option("--questions", type=click.Path(path_type=Path, exists=True), default=DEV_QUESTIONS)
@click.option("--corpus", type=click.Path(path_type=Path, exists=True), default=None)
@click.option("--answers", "backends", multiple=True, type=click.Choice(["llama_cpp", "openai", "extractive"]),
              help="Đo thêm thời gian trả lời (token đầu tiên, tổng) với backend này; lặp lại được.")
def bench(questions: Path, corpus: Path | None, backends: tuple[str, ...]) -> None:
    """Đo tốc độ nạp (có/không nhúng), độ trễ tìm kiếm p50/p95, thời gian trả lời và bộ nhớ đỉnh."""
    from evaluation.bench import run_benchmark

    settings = get_settings()
    results = run_benchmark(settings, questions, corpus or settings.corpus_dir, backends)
    for key, value in results.items():
        click.echo(f"{key:34} {value:.3f}" if isinstance(value, float) else f"{key:34} {value}")


@cli.command("eval")
@click.argument("questions_path", type=click.Path(path_type=Path, exists=True))
@click.option("--mode", type=click.Choice(["search", "ask"]), default="search")
@click.option("--k", default=10, help="Số kết quả tìm kiếm (chế độ search).")
@click.option("--retriever", type=click.Choice(["hybrid", "dense", "lexical"]), default="hybrid", help="Chế độ search.")
@click.option("--backend", type=click.Choice(["llama_cpp", "openai", "extractive"]), help="Ghi đè RAG_LLM_BACKEND.")
@click.option("--limit", type=int, help="Chỉ chạy N câu hỏi đầu tiên.")
@click.option("--output", type=click.Path(path_type=Path), help="Ghi các dòng JSON vào tệp thay vì stdout.")
def evaluate(questions_path: Path, mode: str, k: int, retriever: str, backend: str | None, limit: int | None, output: Path | None) -> None:
    """Chạy bộ câu hỏi (tệp JSONL, hoặc thư mục BEIR: corpus.jsonl + queries + qrels): một dòng JSON mỗi câu, rồi tổng kết."""
    from evaluation.harness import run_ask, run_search, summarise_ask, summarise_search
    from evaluation.questions import load_questions

    settings = get_settings()
    if backend:
        settings.llm_backend = backend
    by_document = questions_path.is_dir()
    if by_document:
        from evaluation.beir import index_passages, load_beir_questions, load_corpus
        from vectorstore import open_index

        index = open_index(settings, collection=f"beir-{questions_path.name}".replace("_", "-"))
        index_passages(index, load_corpus(questions_path / "corpus.jsonl"), settings.chunk_size, settings.chunk_overlap)
        questions = load_beir_questions(questions_path)
    else:
        index = _open_index()
        questions = load_questions(questions_path)
    questions = questions[:limit] if limit else questions
    if mode == "search":
        stream = run_search(index.searcher, questions, k, retriever, by_document)
    else:
        from chat import Assistant, make_backend

        stream = run_ask(Assistant(settings, index, make_backend(settings)), questions, by_document)
    rows = []
    sink = output.open("w", encoding="utf-8") if output else None
    for row in stream:
        rows.append(row)
        click.echo(json.dumps(row.to_json(), ensure_ascii=False), file=sink)
        if mode == "ask":
            mark = "✓" if row.correct else "✗"
            click.echo(f"{mark} {row.question.id:14} {row.seconds:6.1f}s refused={row.refused} {row.result['answer'][:90]!r}", err=True)
    summary = summarise_search(rows) if mode == "search" else summarise_ask(rows)
    click.echo(json.dumps({"summary": summary}, ensure_ascii=False))
    if sink:
        sink.close()


@cli.command()
@click.option("--no-ingest", is_flag=True, help="Không nạp corpus/ trước khi mở.")
def serve(no_ingest: bool) -> None:
    """Nạp corpus/ (nếu có thay đổi) rồi mở giao diện web tại http://127.0.0.1:7860."""
    from web.ui import launch

    settings = get_settings()
    index = _open_index()
    if not no_ingest:
        report = index.indexer.sync([settings.corpus_dir])
        for error in report.errors:
            click.echo(f"Lỗi: {error}", err=True)
    launch(settings, index)


if __name__ == "__main__":
    cli()
