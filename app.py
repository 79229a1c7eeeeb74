"""Trợ lý tài liệu Đảng: the command line and the web app, thin over the packages.

    python app.py ingest [PATH…] [--prune]     nạp tài liệu vào kho
    python app.py search "…" --k 5 --json      tìm đoạn văn liên quan
    python app.py ask "…" --json               hỏi, nhận câu trả lời có trích dẫn
    python app.py chat                         hội thoại trong terminal
    python app.py serve                        mở máy chủ web (giao diện, đăng nhập, API)
    python app.py users|collections|audit …    tài khoản, bộ tài liệu và quyền, nhật ký
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


USER_OPTION = click.option("--user", "user", help="Thực hiện với quyền của tài khoản này (mặc định: quản trị/chế độ cá nhân).")


def _services(backend: str | None = None, *, generate: bool = True, settings=None):
    """The composition root for a command; ``generate=False`` loads no LLM (search, ingest need none)."""
    from services import build_services

    settings = settings or get_settings()
    if backend:
        settings.llm_backend = backend
    if not generate:
        settings = settings.model_copy(update={"llm_backend": "extractive"})
    return build_services(settings)


def _workspace(user: str | None, backend: str | None = None, *, generate: bool = True, settings=None):
    from access import LOCAL_ADMIN

    services = _services(backend, generate=generate, settings=settings)
    principal = services.accounts.get(user) if user else LOCAL_ADMIN
    return services.acting_as(principal, "cli")


def _accounts():
    """Accounts and audit without opening the index or any model (user and collection commands)."""
    from services import open_accounts

    return open_accounts(get_settings())


class FriendlyGroup(click.Group):
    """Known failures (missing weights, a store built with another model, a model server
    that does not answer, unreadable input) end in one Vietnamese line, not a stack trace."""

    def invoke(self, ctx: click.Context):
        from access import AccessError
        from chat import LLMError
        from ingest import IngestError
        from vectorstore import StoreError
        from weights import WeightsError

        try:
            return super().invoke(ctx)
        except (WeightsError, StoreError, LLMError, IngestError, AccessError) as error:
            fail(str(error))


@click.group(cls=FriendlyGroup)
def cli() -> None:
    """Trợ lý hỏi đáp tài liệu công tác Đảng (RAG, chạy offline)."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--prune", is_flag=True, help="Xoá khỏi kho các tài liệu không còn tệp nguồn.")
@click.option("--rebuild", is_flag=True, help="Xoá toàn bộ kho rồi nạp lại từ đầu.")
@click.option("--collection", help="Bộ tài liệu nhận các tệp này (mặc định: RAG_DEFAULT_COLLECTION).")
@USER_OPTION
@click.option("--report", "report_path", type=click.Path(path_type=Path), help="Ghi báo cáo từng tệp ra tệp JSON.")
def ingest(paths: tuple[Path, ...], prune: bool, rebuild: bool, collection: str | None, user: str | None, report_path: Path | None) -> None:
    """Nạp tệp .txt .md .html .pdf .docx (mặc định: thư mục corpus/)."""
    settings = get_settings()
    if rebuild:
        from services import drop_store

        drop_store(settings, user)
    workspace = _workspace(user, generate=False)
    report = workspace.ingest(list(paths) or [settings.corpus_dir], collection, prune=prune)
    index = workspace.services.index
    labels = {"added": "thêm", "replaced": "thay", "refreshed": "làm mới", "unchanged": "giữ nguyên", "failed": "LỖI"}
    for row in report.files:
        detail = row.error if row.status == "failed" else f"{row.chunks} đoạn" + (f", {row.pages} trang" if row.pages else "")
        ocr = f", OCR {len(row.ocr_pages)} trang" if row.ocr_pages else ""
        click.echo(f"  {labels[row.status]:10} {row.file}: {detail}{ocr}", err=row.status == "failed")
    if report_path:
        report_path.write_text(json.dumps([row.to_json() for row in report.files], ensure_ascii=False, indent=1), encoding="utf-8")
    click.echo(
        f"Thêm {len(report.added)}, thay {len(report.replaced)}, làm mới {len(report.refreshed)}, giữ nguyên {len(report.unchanged)}, "
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
@USER_OPTION
def search(
    query: str, k: int | None, as_json: bool, kind: str | None, after: date | None, before: date | None, source: str | None, mode: str,
    user: str | None,
) -> None:
    """Tìm các đoạn văn liên quan đến câu hỏi."""
    from vectorstore import SearchFilters

    if not query.strip():
        fail("câu truy vấn rỗng (empty query)")
    hits = _workspace(user, generate=False).search(query, k, SearchFilters(kind, after, before, source), mode=mode)
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


def _print_answer(answer) -> None:
    click.echo(answer.answer)
    _print_answer_sources(answer)


def _print_answer_sources(answer) -> None:
    for flag in answer.flags:
        click.echo(f"  ⚠ {flag}")
    for citation in answer.citations:
        click.echo(f"  [{citation.n}] {citation.title} — {citation.date or 'không rõ ngày'}, {citation.place}: “{citation.quote}”")
    for hit in answer.closest:
        click.echo(f"  • Đoạn gần nhất: {hit.meta.title} — {hit.text[:160]}…")


@cli.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="In JSON.")
@click.option("--backend", type=click.Choice(["llama_cpp", "openai", "extractive"]), help="Ghi đè RAG_LLM_BACKEND.")
@USER_OPTION
def ask(question: str, as_json: bool, backend: str | None, user: str | None) -> None:
    """Hỏi một câu; câu trả lời kèm trích dẫn đã kiểm tra."""
    if not question.strip():
        fail("câu hỏi rỗng (empty question)")
    answer = _workspace(user, backend).ask(question)
    if as_json:
        click.echo(json.dumps(answer.to_json(), ensure_ascii=False, indent=1))
    else:
        _print_answer(answer)


@cli.command()
@USER_OPTION
def chat(user: str | None) -> None:
    """Hội thoại nhiều lượt trong terminal (gõ 'thoát' để dừng)."""
    from chat import Answer, Preview, Turn

    workspace = _workspace(user)
    history: list[Turn] = []
    while True:
        try:
            question = click.prompt("Bạn", prompt_suffix=": ").strip()
        except (EOFError, click.Abort):
            break
        if question.lower() in {"thoát", "thoat", "exit", "quit"}:
            break
        click.echo("Trợ lý: ", nl=False)
        final, streamed = None, ""
        for event in workspace.stream(question, history):
            if isinstance(event, Answer):
                final = event
            elif not isinstance(event, Preview):  # the terminal shows the model's text as it comes
                streamed += event
                click.echo(event, nl=False)
        click.echo()
        if final.answer != streamed.strip():  # checked, repaired or refused: show what stands
            click.echo(f"→ {final.answer}")
        _print_answer_sources(final)
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
@USER_OPTION
def draft(topic: str | None, kind: str, list_kinds: bool, organisation: str, per_section: int, after: date | None,
          before: date | None, source: str | None, backend: str | None, as_json: bool, docx_path: Path | None, md_path: Path | None,
          user: str | None) -> None:
    """Soạn dàn ý bài phát biểu từ trích dẫn nguyên văn có nguồn."""
    from drafting import SpeechKinds
    from drafting.export import to_markdown

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
    from vectorstore import SearchFilters

    workspace = _workspace(user, backend)
    outline = workspace.draft(topic, kind, per_section, SearchFilters(after=after, before=before, source=source), organisation)
    for path in (docx_path, md_path):
        if path:
            workspace.export(outline, path)
    if as_json:
        click.echo(json.dumps(outline.to_json(), ensure_ascii=False, indent=1))
    elif not (docx_path or md_path):
        click.echo(to_markdown(outline))


@cli.group()
def models() -> None:
    """Trọng số mô hình: liệt kê, tải, kiểm tra."""


@models.command("list")
def models_list() -> None:
    from weights.provision import cached_models, is_ready, model_dir

    cache = get_settings().model_cache_dir
    for spec in cached_models():
        ready = "sẵn sàng" if is_ready(model_dir(spec, cache), spec) else "chưa tải"
        click.echo(f"{spec.name:32} {spec.kind:9} {ready:9} {spec.note}")


@models.command("fetch")
@click.argument("names", nargs=-1)
def models_fetch(names: tuple[str, ...]) -> None:
    """Tải, ghép và kiểm tra SHA-256 (mặc định: mô hình nhúng và LLM đang cấu hình; LLM ở dạng AMX nếu llama.cpp dùng AMX;
    thân mô hình nhúng cho ONNX Runtime/OpenVINO/int8 nếu đó là runtime nhúng)."""
    from vectorstore.embeddings import effective_runtime, make_embedder
    from weights import BUILTIN_MODELS, ensure_model, resolve_gguf

    settings = get_settings()
    wanted = names or tuple(n for n in (settings.embedding_model, settings.llm_model) if n in BUILTIN_MODELS)
    for name in wanted:
        if name not in BUILTIN_MODELS:
            fail(f"{name}: không phải mô hình có sẵn ({', '.join(BUILTIN_MODELS)})")
        path = resolve_gguf(settings) if name == settings.llm_model else ensure_model(BUILTIN_MODELS[name], settings.model_cache_dir)
        click.echo(f"{name}: {path}")
    runtime = effective_runtime(settings)
    if settings.embedding_model in wanted and settings.embedding_backend == "sentence_transformers" and runtime in ("onnx", "openvino", "int8"):
        make_embedder(settings)  # exports, converts (and quantises) the body once, here rather than at the first start
        click.echo(f"{settings.embedding_model} ({runtime}): {settings.model_cache_dir / runtime}")


@models.command("verify")
def models_verify() -> None:
    """Băm lại mọi tệp trọng số đã tải và so với SHA-256 công bố."""
    from weights.provision import cached_models, model_dir, verify

    cache = get_settings().model_cache_dir
    for spec in cached_models():
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
@click.option("--members", default=8, show_default=True, help="Số người hỏi cùng lúc khi đo tải đồng thời (1 = không đo).")
@click.option("--parity", "beir_folder", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Thư mục BEIR (vd. ../shared/eval/external/uit_qa): so sánh nhúng torch fp32, ONNX Runtime, OpenVINO và torch bf16 nếu CPU tính được (tốc độ, recall@1).")
@click.option("--scale", "sizes", multiple=True, type=int, help="Đo ở kho N đoạn (vd. --scale 10000 --scale 100000); lặp lại được.")
@click.option("--scale-server", is_flag=True, help="Đo quy mô cả với máy chủ Chroma (chroma run).")
@click.option("--json", "json_path", type=click.Path(path_type=Path, dir_okay=False), default=Path("bench.json"), show_default=True)
def bench(
    questions: Path, corpus: Path | None, backends: tuple[str, ...], members: int, beir_folder: Path | None,
    sizes: tuple[int, ...], scale_server: bool, json_path: Path,
) -> None:
    """Đo tốc độ: nạp, tìm kiếm, trả lời (một người và nhiều người cùng lúc), nhúng torch/ONNX, quy mô kho; in một bảng và ghi JSON."""
    from evaluation.bench import machine, run_benchmark
    from evaluation.scale_bench import run_scale_benchmark

    settings = get_settings()
    report = {"machine": machine(), "results": run_benchmark(settings, questions, corpus or settings.corpus_dir, backends, members, beir_folder)}
    if sizes:
        # the app's own memory with both models, where the local LLM is one of the backends measured
        app_backend = "llama_cpp" if "llama_cpp" in backends else None
        report["scale"] = run_scale_benchmark(settings, sorted(sizes), questions_file=questions, app_backend=app_backend)
        if scale_server:
            report["scale"] += run_scale_benchmark(settings, sorted(sizes), server=True, questions_file=questions)
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    click.echo(f"Máy: {report['machine']['cores']} lõi, {report['machine']['cpu']}, {report['machine']['memory_gib']} GiB")
    for key, value in report["results"].items():
        click.echo(f"{key:44} {value:.3f}" if isinstance(value, float) else f"{key:44} {value}")
    if sizes:
        columns = list(dict.fromkeys(column for row in report["scale"] for column in row))  # some only in some rows
        click.echo("\n" + " | ".join(columns))
        for row in report["scale"]:
            click.echo(" | ".join(f"{row[c]:.3f}" if isinstance(row.get(c), float) else str(row.get(c, "—")) for c in columns))
    click.echo(f"\nĐã ghi {json_path}")


@cli.command("eval")
@click.argument("questions_paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@click.option("--mode", type=click.Choice(["search", "ask"]), default="search")
@click.option("--k", default=10, help="Số kết quả tìm kiếm (chế độ search).")
@click.option("--retriever", type=click.Choice(["hybrid", "dense", "lexical"]), default="hybrid", help="Chế độ search.")
@click.option("--backend", type=click.Choice(["llama_cpp", "openai", "extractive"]), help="Ghi đè RAG_LLM_BACKEND.")
@click.option("--split", "split", type=click.Choice(["tune", "held"]), help="Chỉ chạy các câu thuộc phần này (tune: để chỉnh; held: chỉ để báo cáo).")
@click.option("--limit", type=int, help="Chỉ chạy N câu hỏi đầu tiên.")
@click.option("--output", type=click.Path(path_type=Path), help="Ghi các dòng JSON vào tệp thay vì stdout.")
@click.option("--report", type=click.Path(path_type=Path), help="Ghi tổng kết (theo dạng câu trả lời, kèm thông tin máy) vào tệp JSON.")
@USER_OPTION
def evaluate(
    questions_paths: tuple[Path, ...], mode: str, k: int, retriever: str, backend: str | None, split: str | None, limit: int | None,
    output: Path | None, report: Path | None, user: str | None,
) -> None:
    """Chạy bộ câu hỏi (tệp JSONL, hoặc thư mục BEIR: corpus.jsonl + queries + qrels): một dòng JSON mỗi câu, rồi tổng kết.
    Chế độ ask còn in bảng theo dạng câu trả lời (sự kiện, quy định, tình huống, liệt kê)."""
    from evaluation.harness import quality_by_shape, run_ask, run_search, summarise_ask, summarise_search
    from evaluation.questions import load_questions

    settings = get_settings()
    if backend:
        settings.llm_backend = backend
    by_document = questions_paths[0].is_dir()
    if by_document:
        from evaluation.beir import index_passages, load_beir_questions, load_corpus

        if len(questions_paths) > 1:
            fail("Thư mục BEIR chỉ chạy riêng, không chạy cùng tệp câu hỏi khác.")
        collection = f"beir-{questions_paths[0].name}".replace("_", "-")
        settings = settings.model_copy(update={"collection": collection})
        questions = load_beir_questions(questions_paths[0])
    else:
        questions = [question for path in questions_paths for question in load_questions(path)]
    workspace = _workspace(user, generate=mode == "ask", settings=settings)
    if by_document:
        index_passages(workspace.services.index, load_corpus(questions_paths[0] / "corpus.jsonl"), settings.chunk_size, settings.chunk_overlap)
    questions = [question for question in questions if not split or question.split == split]
    questions = questions[:limit] if limit else questions
    if mode == "search":
        stream = run_search(workspace.index.searcher, questions, k, retriever, by_document)
    else:
        stream = run_ask(workspace.assistant, questions, by_document)
    from tqdm import tqdm

    rows = []
    sink = output.open("w", encoding="utf-8") if output else None
    total = sum(1 for q in questions if q.answerable) if mode == "search" else len(questions)
    for row in tqdm(stream, total=total, desc="Đánh giá", unit="câu", file=sys.stderr):
        rows.append(row)
        if sink:  # per-question rows go to --output only; stdout keeps the summary
            sink.write(json.dumps(row.to_json(), ensure_ascii=False) + "\n")
    if sink:
        sink.close()
    summary = summarise_search(rows) if mode == "search" else summarise_ask(rows)
    click.echo(f"{'chỉ số':24} giá trị")
    for name, value in summary.items():
        click.echo(f"{name:24} {'—' if value is None else (f'{value:.3f}' if isinstance(value, float) else value)}")
    by_shape = quality_by_shape(rows) if mode == "ask" else {}
    if by_shape:
        _echo_quality(by_shape)
    if report:
        from evaluation.bench import machine

        report.write_text(json.dumps({"machine": machine(), "files": [str(path) for path in questions_paths], "split": split,
                                      "mode": mode, "backend": workspace.assistant.backend.name if mode == "ask" else None,
                                      "summary": summary, "by_shape": by_shape}, ensure_ascii=False, indent=1), encoding="utf-8")
    click.echo(json.dumps({"summary": summary, **({"by_shape": by_shape} if by_shape else {})}, ensure_ascii=False))


QUALITY_COLUMNS = {
    "questions": "số câu", "correct_cited": "đúng+dẫn", "false_refusals": "từ chối sai", "near_misses_refused": "từ chối đúng",
    "wrong_value": "sai giá trị", "verdict_right": "kết luận đúng", "verdict_wrong": "kết luận sai",
}


def _echo_quality(by_shape: dict[str, dict]) -> None:
    """The per-shape table: one row per answer shape, the shares as percentages."""
    click.echo("\n" + " | ".join(["dạng", *QUALITY_COLUMNS.values()]))
    for shape, quality in by_shape.items():
        cells = [str(quality[key]) if key == "questions" else ("—" if quality[key] is None else f"{quality[key]:.0%}") for key in QUALITY_COLUMNS]
        click.echo(" | ".join([shape, *cells]))


@cli.command()
@click.option("--no-ingest", is_flag=True, help="Không nạp corpus/ trước khi mở.")
@click.option("--host", help="Địa chỉ lắng nghe (ghi đè RAG_HOST); khác 127.0.0.1 thì phải bật RAG_AUTH.")
@click.option("--port", type=int, help="Cổng (ghi đè RAG_PORT).")
def serve(no_ingest: bool, host: str | None, port: int | None) -> None:
    """Nạp corpus/ (nếu có thay đổi) rồi mở máy chủ web (mặc định http://127.0.0.1:7860)."""
    from server.run import check_exposure
    from server.run import serve as run_server
    from services import build_services

    settings = get_settings()
    settings.host, settings.port = host or settings.host, port or settings.port
    check_exposure(settings.host, settings.auth)
    services = build_services(settings, lenient=True)
    if not no_ingest:
        report = services.index.indexer.sync([settings.corpus_dir])
        for error in report.errors:
            click.echo(f"Lỗi: {error}", err=True)
    services.warm()
    run_server(services)


@cli.group()
def documents() -> None:
    """Tài liệu trong thư viện."""


@documents.command("relations")
@USER_OPTION
def documents_relations(user: str | None) -> None:
    """Quan hệ giữa các văn bản (thay thế, bãi bỏ, sửa đổi, bổ sung, hướng dẫn thi hành) và ngày có hiệu lực."""
    from ingest.docnumbers import parse_numbers

    catalogue = [meta for meta in _workspace(user, generate=False).index.searcher.documents() if meta.number]
    held = {meta.number for meta in catalogue}
    for meta in sorted(catalogue, key=lambda m: m.number):
        force = f"có hiệu lực từ {meta.in_force}" if meta.in_force else "không nêu ngày có hiệu lực"
        click.echo(f"{meta.number:14} {meta.date or '':10} {force} — {meta.title[:70]}")
        for relation in meta.relation_list():
            click.echo(f"    {relation.phrase}" + ("" if relation.is_general or relation.target in held else " (không có trong thư viện)"))
        for other in catalogue:
            for relation in other.relation_list():
                if relation.target == meta.number:
                    click.echo(f"    bị {relation.verb} bởi {other.number}")
                elif (own := parse_numbers(meta.number)) and relation.covers(own[0]) and meta.date < other.date:
                    click.echo(f"    những nội dung trái với {other.number} bị bãi bỏ")


# --- accounts, collections, audit ------------------------------------------------------------
@cli.group()
def users() -> None:
    """Tài khoản: thêm, liệt kê, khoá, đổi mật khẩu."""


def _new_password() -> str:
    """Twice: hidden at a terminal, or two lines on stdin from a script."""
    if sys.stdin.isatty():
        return click.prompt("Mật khẩu", hide_input=True, confirmation_prompt="Nhập lại mật khẩu")
    first, second = sys.stdin.readline().rstrip("\r\n"), sys.stdin.readline().rstrip("\r\n")
    if first != second:
        fail("hai lần nhập mật khẩu không khớp (passwords differ)")
    return first


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["admin", "editor", "member"]), required=True)
@click.option("--collections", default="", help="Bộ tài liệu được cấp, cách nhau bởi dấu phẩy (biên tập viên được quản lý chúng).")
def users_add(name: str, role: str, collections: str) -> None:
    """Thêm tài khoản (mật khẩu nhập hai lần, hoặc hai dòng từ stdin)."""
    accounts = _accounts()
    accounts.add_user(name, role, _new_password(), [c.strip() for c in collections.split(",") if c.strip()])
    click.echo(f"Đã thêm tài khoản '{name.strip().lower()}' ({role}).")


@users.command("list")
def users_list() -> None:
    for user in _accounts().list_users():
        state = "khoá" if user.disabled else "hoạt động"
        click.echo(f"{user.name:24} {user.role:7} {state:10} {', '.join(user.collections)}")


@users.command("disable")
@click.argument("name")
def users_disable(name: str) -> None:
    """Khoá tài khoản (đăng xuất mọi phiên của nó)."""
    _accounts().set_disabled(name, True)
    click.echo(f"Đã khoá tài khoản '{name}'.")


@users.command("enable")
@click.argument("name")
def users_enable(name: str) -> None:
    _accounts().set_disabled(name, False)
    click.echo(f"Đã mở khoá tài khoản '{name}'.")


@users.command("passwd")
@click.argument("name")
def users_passwd(name: str) -> None:
    """Đặt mật khẩu mới (đăng xuất mọi phiên cũ)."""
    _accounts().set_password(name, _new_password())
    click.echo(f"Đã đổi mật khẩu của '{name}'.")


@cli.group()
def collections() -> None:
    """Bộ tài liệu và mức truy cập: public, internal (mọi tài khoản), restricted (chỉ người được cấp)."""


@collections.command("add")
@click.argument("name")
@click.option("--level", type=click.Choice(["public", "internal", "restricted"]), required=True)
@click.option("--description", default="")
def collections_add(name: str, level: str, description: str) -> None:
    _accounts().add_collection(name, level, description)
    click.echo(f"Đã tạo bộ tài liệu '{name.strip().lower()}' ({level}).")


@collections.command("list")
def collections_list() -> None:
    for item in _accounts().list_collections():
        click.echo(f"{item.name:20} {item.level:10} đọc: {', '.join(item.readers) or '—'}; quản lý: {', '.join(item.managers) or '—'}")


@collections.command("grant")
@click.argument("collection")
@click.argument("name")
@click.option("--manage", is_flag=True, help="Cho phép tải lên/xoá tài liệu của bộ này (biên tập viên).")
def collections_grant(collection: str, name: str, manage: bool) -> None:
    _accounts().grant(collection, name, manage)
    click.echo(f"Đã cấp quyền {'quản lý' if manage else 'đọc'} bộ '{collection}' cho '{name}'.")


@collections.command("revoke")
@click.argument("collection")
@click.argument("name")
def collections_revoke(collection: str, name: str) -> None:
    _accounts().revoke(collection, name)
    click.echo(f"Đã thu hồi quyền trên bộ '{collection}' của '{name}'.")


@cli.group()
def keys() -> None:
    """Khoá API: mỗi khoá có đúng quyền của tài khoản của nó."""


def _keys():
    from access.keys import ApiKeys

    accounts = _accounts()
    return ApiKeys(accounts.sessions, accounts)


@keys.command("create")
@click.option("--user", "user", required=True, help="Tài khoản mà khoá đại diện.")
@click.option("--name", "label", default="", help="Nhãn của khoá (ghi vào nhật ký), ví dụ 'zalo-bot'.")
@click.option("--expires", type=int, help="Hết hạn sau số ngày này.")
def keys_create(user: str, label: str, expires: int | None) -> None:
    """Tạo khoá; khoá chỉ in ra một lần, hệ thống chỉ lưu mã băm."""
    key, info = _keys().create(user, label, expires)
    click.echo(key)
    click.echo(f"Khoá số {info.id} ('{info.label}') của '{info.user}'" + (f", hết hạn {info.expires_at:%Y-%m-%d}" if info.expires_at else "")
               + ". Khoá chỉ hiện một lần: hãy lưu lại ngay.", err=True)


@keys.command("list")
@click.option("--user", "user", help="Chỉ khoá của tài khoản này.")
def keys_list(user: str | None) -> None:
    for info in _keys().list(user):
        state = "đã thu hồi" if info.revoked else (f"hết hạn {info.expires_at:%Y-%m-%d}" if info.expires_at else "không hết hạn")
        click.echo(f"{info.id:4} {info.user:20} {info.label:20} {info.prefix}… tạo {info.created_at:%Y-%m-%d} {state}")


@keys.command("revoke")
@click.argument("key_id", type=int)
def keys_revoke(key_id: int) -> None:
    _keys().revoke(key_id)
    click.echo(f"Đã thu hồi khoá số {key_id}.")


@cli.group()
def audit() -> None:
    """Nhật ký kiểm tra: xem, xuất CSV."""


@audit.command("list")
@click.option("--user")
@click.option("--action")
@click.option("--document", help="Một phần tên tệp nguồn.")
@click.option("--since", callback=_parse_date, help="Từ ngày (YYYY-MM-DD).")
@click.option("--until", callback=_parse_date, help="Đến ngày (YYYY-MM-DD).")
@click.option("--limit", default=50)
@click.option("--csv", "csv_path", type=click.Path(path_type=Path), help="Ghi ra tệp CSV.")
def audit_list(user, action, document, since, until, limit: int, csv_path: Path | None) -> None:
    from access import AuditFilter

    log = _accounts().audit
    events = log.events(AuditFilter(user, action, document, since, until), limit)
    if csv_path:
        csv_path.write_text(log.to_csv(events), encoding="utf-8")
        log.record("local", "audit_export", channel="cli", rows=len(events))
        click.echo(f"Đã ghi {len(events)} dòng vào {csv_path}.")
        return
    for event in events:
        click.echo(f"{event.id:6} {event.at:%Y-%m-%d %H:%M} {event.user:16} {event.action:14} {event.question[:60]!r} {event.chunk_ids[:60]}")


if __name__ == "__main__":
    cli()
