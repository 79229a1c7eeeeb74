"""The one typed settings object of the application.

Every tunable lives here and is read from the environment (prefix ``RAG_``) or
a ``.env`` file, so a deployment changes behaviour without touching code.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent


class Settings(BaseSettings):
    """Application settings; see README "Cấu hình" for the full list."""

    model_config = SettingsConfigDict(env_prefix="RAG_", env_file=".env", extra="ignore")

    # --- paths -------------------------------------------------------------
    corpus_dir: Path = PROJECT_ROOT / "corpus"
    data_dir: Path = PROJECT_ROOT / "data"
    prompts_dir: Path = PROJECT_ROOT / "prompts"
    abbreviations_file: Path = PROJECT_ROOT / "vectorstore" / "abbreviations.tsv"
    model_cache_dir: Path = Field(
        default_factory=lambda: Path.home() / ".cache" / "party-rag" / "models",
        description="Where assembled, verified model weights are kept.",
    )

    # --- models ------------------------------------------------------------
    embedding_model: str = Field(
        default="embeddinggemma-300m",
        description="A built-in model name (see `app.py models list`), a local "
        "sentence-transformers folder, or a hub id (needs internet).",
    )
    embedding_backend: Literal["sentence_transformers", "openai"] = Field(
        default="sentence_transformers", description="openai: an OpenAI-compatible /v1/embeddings server running the same model."
    )
    embedding_runtime: Literal["auto", "torch", "bf16", "onnx", "openvino", "int8"] = Field(
        default="auto",
        description="torch: fp32 (the reference); bf16: torch in bfloat16, fast only on CPUs with AMX or AVX512-BF16; "
        "onnx: the model's body in ONNX Runtime (exported at set-up); openvino: that body compiled by OpenVINO, in bf16 "
        "where the CPU computes it natively; int8: that body's matrix products quantised to int8 at set-up; auto: int8 "
        "where the CPU has int8 dot products (VNNI, AMX), else openvino where it computes bf16 natively, else torch.",
    )
    embedding_batch_size: int = 8
    embedding_threads: int = 0  # 0 = let torch decide
    embedding_base_url: str = "http://127.0.0.1:8081/v1"
    embedding_api_key: str = "sk-no-key"
    embedding_server_batch: int = 64
    # The model's own prompts (EmbeddingGemma's), applied here when a server embeds.
    embedding_query_prompt: str = "task: search result | query: "
    embedding_document_prompt: str = "title: none | text: "

    # --- chunking ----------------------------------------------------------
    chunk_size: int = 900
    chunk_overlap: int = 150

    # --- store ---------------------------------------------------------------
    collection: str = "party_docs"
    chroma_host: str | None = None
    chroma_port: int = 8000

    # --- retrieval -----------------------------------------------------------
    search_k: int = 5
    dense_candidates: int = 30
    lexical_candidates: int = 30
    fusion: Literal["weighted", "rrf"] = Field(
        default="weighted",
        description="weighted: mix of rescaled cosine and BM25 scores; rrf: reciprocal rank fusion.",
    )
    dense_share: float = Field(default=0.7, ge=0.0, le=1.0, description="Weighted fusion: weight of the dense score.")
    dense_share_unaccented: float = Field(
        default=0.3,
        ge=0.0,
        le=1.0,
        description="The same for a query typed without diacritics, which the embedding model understands poorly.",
    )
    rrf_k: int = 60

    # --- generation ----------------------------------------------------------
    llm_backend: Literal["llama_cpp", "openai", "extractive"] = "llama_cpp"
    llm_model: str = Field(
        default="qwen2.5-coder-1.5b-instruct",
        description="A built-in GGUF name or a path to a .gguf file (llama_cpp backend).",
    )
    llm_context_tokens: int = 4096
    llm_max_tokens: int = 384
    llm_threads: int = 0  # 0 = number of cores
    llm_repeat_penalty: float = Field(
        default=1.1, ge=1.0, le=2.0,
        description="llama_cpp backend: tokens among the last llm_repeat_window written are made less likely by this "
        "factor (llama.cpp's repeat penalty; 1.0 = plain greedy). Loops that still get through are caught in code.",
    )
    llm_repeat_window: int = Field(default=64, ge=1, description="How many of the last written tokens the repeat penalty looks at.")
    llm_flash_attention: bool = Field(
        default=True, description="llama_cpp backend: llama.cpp's fused attention (first token ~8 % sooner on 2 cores, same answers)."
    )
    llm_amx_formats: bool = Field(
        default=True,
        description="llama_cpp backend built with AMX: load the built-in model with its matrices in the formats AMX "
        "multiplies (same weights to fp16 rounding; first token ~15 % sooner on 2 Xeon cores).",
    )
    llm_batch: int = Field(
        default=4,
        ge=1,
        description="llama_cpp backend: questions answered at once, their next tokens decoded in one batch. On 2 cores, "
        "8 members asking together: the last done ×0.84 of one after another, the first later (18 s, not 6 s); "
        "1 = strictly one after another. Each costs a context of llm_context_tokens (~115 MB of KV per 4096).",
    )
    openai_base_url: str = "http://127.0.0.1:8080/v1"
    openai_model: str = "local"
    openai_api_key: str = "sk-no-key"
    llm_parallel: int = Field(
        default=4, ge=1, description="openai backend: questions sent to the server at once (match its parallel slots)."
    )
    shared_answers: int = Field(
        default=256,
        ge=0,
        description="The model's last N answers, shared with members whose prompt is identical (same question, same "
        "passages): they get it at once, or wait for it while it is being written, instead of for a turn. 0 = off.",
    )
    answer_k: int = 4
    llm_context_chars: int = Field(
        default=1200,
        ge=0,
        description="Send the model only the best sentences of the passages, up to this many characters (0 = whole passages). "
        "1200 reads ~16 % fewer prompt tokens than 1500 with the same dev and UIT-60 results (measured 2026-12-07).",
    )
    # Below either floor the assistant refuses instead of answering (see chat/support.py).
    min_similarity: float = 0.35
    min_coverage: float = 0.25
    # A person, number or date given as the answer must come from a cited sentence covering this share of the
    # question's topic words (see chat/focus.py); below it the assistant refuses and shows the closest passages.
    min_focus_coverage: float = 0.3
    # A provision quoted as the answer must cover this share of the question's topic words (chat/assistant.py).
    min_quote_coverage: float = 0.3

    # --- web -------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = 7860
    auth: bool = Field(
        default=False,
        description="Accounts and login. Off = personal mode: one local administrator, loopback only.",
    )
    cookie_secure: bool = Field(default=False, description="Send the session cookie over HTTPS only (behind a TLS proxy).")
    session_hours: int = 12
    forwarded_allow_ips: str = Field(
        default="127.0.0.1", description="Proxies whose X-Forwarded-For/-Proto uvicorn trusts (the reverse proxy)."
    )
    allowed_hosts: list[str] = Field(
        default=["127.0.0.1", "localhost", "::1"],
        description="With RAG_AUTH=true: the names the server answers to in the Host header, any port, besides RAG_HOST "
        "(a request naming another is refused, against DNS rebinding; pages on these names may post to it); add the name "
        'users type, e.g. RAG_ALLOWED_HOSTS=\'["tailieu.example.vn"]\' (JSON), or "*" for any. Personal mode answers only '
        "127.0.0.1, localhost and [::1], whatever this says.",
    )
    cors_origins: list[str] = Field(
        default=[],
        description="Origins (scheme://host[:port]) of other sites whose pages may call this server with the user's "
        "session (CORS with credentials) and post to it; none by default. JSON, e.g. "
        'RAG_CORS_ORIGINS=\'["https://cong.example.vn"]\'.',
    )

    # --- accounts, access, audit ---------------------------------------------------
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the accounts/audit database; default: SQLite file in the data dir."
    )
    default_collection: str = Field(default="cong-khai", description="Collection of documents ingested without --collection.")
    login_max_failures: int = Field(
        default=5,
        description="Failed logins for one account from one address within the window before that address is locked out of "
        "it (an address failing 4× as often is locked out of every account); other addresses still get in.",
    )
    login_window_minutes: int = 15
    api_rate_per_minute: int = Field(default=60, description="Requests per minute one API key may send.")
    max_upload_mb: int = Field(default=100, description="Largest file accepted by upload (REST and the web page).")
    audit_retention_days: int = Field(default=730, description="Audit rows older than this are purged at start-up.")

    # --- limits on every input (every channel: web page, REST, OpenAI-compatible API, CLI) ---------------------------
    max_question_chars: int = Field(default=4000, ge=1, description="Longer questions, search queries and draft topics are refused.")
    max_history_turns: int = Field(default=20, ge=0, description="Earlier turns a follow-up question may carry (the web chat sends only the last ones).")
    max_history_chars: int = Field(default=40_000, ge=0, description="Characters of those earlier turns together.")
    max_search_k: int = Field(default=50, ge=1, description="Most passages one search may ask for.")
    max_embedding_inputs: int = Field(default=64, ge=1, description="/v1/embeddings: most texts in one request.")
    max_embedding_chars: int = Field(default=8000, ge=1, description="/v1/embeddings: longest text (the model reads ~2k tokens).")
    max_prose_chars: int = Field(default=10_000, ge=1, description="Drafting: longest lead-in text of a section.")
    max_request_kb: int = Field(default=1024, ge=1, description="Largest body of a web-page event or API request (uploads excepted).")
    max_pdf_pages: int = Field(default=1000, ge=1, description="PDFs with more pages are refused (RAG_MAX_PDF_PAGES).")
    max_ocr_pages: int = Field(default=200, ge=0, description="PDFs with more scanned pages to OCR are refused (~3 s per page on 2 cores).")
    user_rate_per_minute: int = Field(
        default=30, ge=1, description="Questions, searches, drafts and embedding requests one user may make per minute, on any channel."
    )
    user_concurrency: int = Field(default=2, ge=1, description="Of those, how many one user may have running at once.")

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    def lexical_folder(self, collection: str) -> Path:
        return self.data_dir / "lexical" / collection

    def catalogue_file(self, collection: str) -> Path:
        """A collection's documents' records, so a start-up need not read them from Chroma."""
        return self.data_dir / "catalogue" / f"{collection}.json"

    @property
    def library_dir(self) -> Path:
        """Uploaded originals, one folder per collection."""
        return self.data_dir / "library"

    def source_path(self, source: str) -> Path:
        """Where a stored document's original file lies: uploads under the library folder, the rest in corpus/."""
        path = Path(source)
        if path.is_absolute():
            return path
        return self.data_dir / path if path.parts[0] == self.library_dir.name else self.corpus_dir / path

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'app.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings are read once per process; tests build their own ``Settings``."""
    return Settings()
