"""Shared fixtures: real settings in a temp folder, the real embedding model once
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
    from vectorstore import Embedder

    return Embedder(base_settings)


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
