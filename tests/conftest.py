"""Shared fixtures: real settings in a temp folder, the real embedding model and the local LLM once
per session, and the real corpus ingested once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from settings import PROJECT_ROOT, Settings

SHARED = PROJECT_ROOT.parent / "shared"
DEV_QUESTIONS = SHARED / "eval" / "dev_questions.jsonl"


@pytest.fixture(scope="session")
def base_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    return Settings(data_dir=tmp_path_factory.mktemp("data"), chroma_host=None)


@pytest.fixture(scope="session")
def embedder(base_settings: Settings):
    from vectorstore import make_embedder

    return make_embedder(base_settings)


@pytest.fixture
def fresh_settings(tmp_path: Path, base_settings: Settings) -> Settings:
    """An empty store and corpus folder of the test's own."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    return base_settings.model_copy(update={"data_dir": tmp_path / "data", "corpus_dir": corpus})


@pytest.fixture
def fresh_index(fresh_settings: Settings, embedder):
    from vectorstore import open_index

    return open_index(fresh_settings, embedder)


@pytest.fixture(scope="session")
def corpus_settings(base_settings: Settings) -> Settings:
    return base_settings.model_copy(update={"data_dir": base_settings.data_dir / "corpus-store"})


@pytest.fixture(scope="session")
def corpus_index(corpus_settings: Settings, embedder):
    """The shipped corpus (seeds and the two regulations), ingested once."""
    from vectorstore import open_index

    index = open_index(corpus_settings, embedder)
    report = index.indexer.sync([corpus_settings.corpus_dir])
    assert not report.errors
    return index


POSTGRES_ADMIN_URL = os.environ.get("RAG_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def postgres_url():
    """A database of the test session's own on the real PostgreSQL server, dropped afterwards."""
    import uuid

    from sqlalchemy import create_engine, text

    name = f"rag_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path: Path) -> str:
    """Accounts, access and audit tests run on both databases the product supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app.db'}"
    url = request.getfixturevalue("postgres_url")
    from tests.helpers import empty_postgres_schema

    empty_postgres_schema(url)  # each test starts from an empty schema
    return url


@pytest.fixture(scope="session")
def corpus_services(corpus_settings: Settings, corpus_index, tmp_path_factory: pytest.TempPathFactory):
    """The composition root over the shipped corpus, extractive answers (deterministic, no LLM)."""
    from services import build_services

    settings = corpus_settings.model_copy(
        update={"llm_backend": "extractive", "database_url": f"sqlite:///{tmp_path_factory.mktemp('db') / 'app.db'}"}
    )
    return build_services(settings, index=corpus_index)


@pytest.fixture(scope="session")
def leak_index(tmp_path_factory: pytest.TempPathFactory, base_settings: Settings, embedder):
    """The leak-suite documents (public, internal, restricted), embedded once for the whole session."""
    from tests.leak_world import write_corpus
    from vectorstore import open_index

    folder = tmp_path_factory.mktemp("leak")
    write_corpus(folder / "corpus")
    settings = base_settings.model_copy(update={"data_dir": folder / "data", "corpus_dir": folder / "corpus", "llm_backend": "extractive"})
    return settings, open_index(settings, embedder)


@pytest.fixture(scope="session")
def llm_settings(corpus_settings: Settings) -> Settings:
    return corpus_settings.model_copy(update={"llm_backend": "llama_cpp"})


@pytest.fixture(scope="session")
def llm_backend(llm_settings: Settings):
    """The local LLM (llama.cpp), loaded once per session: every module that needs it shares it."""
    from chat import make_backend

    return make_backend(llm_settings)
