"""Sentence-transformers embeddings with the model's own query/document prompts."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ingest.normalize import index_form
from settings import Settings
from weights import WeightsError, resolve_embedding_model


class Embedder:
    """Embeds queries and titled passages; both go through :func:`index_form` first,
    so "Uỷ ban" in a query and "Ủy ban" in a document become the same tokens."""

    def __init__(self, settings: Settings) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        if settings.embedding_threads > 0:
            torch.set_num_threads(settings.embedding_threads)
        self.name = settings.embedding_model
        reference = resolve_embedding_model(settings)
        try:
            self.model = SentenceTransformer(reference, device="cpu")
        except (OSError, ValueError) as error:  # no such folder, no network for a hub id, broken files
            raise WeightsError(f"{reference}: không nạp được mô hình nhúng ({type(error).__name__}: {error})") from error
        self.batch_size = settings.embedding_batch_size
        self.dimension = self.model.get_embedding_dimension()

    def _document_inputs(self, titles: Sequence[str], texts: Sequence[str]) -> list[str]:
        """EmbeddingGemma was trained with "title: … | text: …": give it the real title."""
        template = self.model.prompts.get("document", "")
        if "title: none" in template:
            return [template.replace("title: none", f"title: {index_form(t)}") + index_form(x) for t, x in zip(titles, texts, strict=True)]
        return [f"{template}{index_form(t)}\n{index_form(x)}" for t, x in zip(titles, texts, strict=True)]

    def embed_documents(self, titles: Sequence[str], texts: Sequence[str]) -> np.ndarray:
        inputs = self._document_inputs(titles, texts)
        return self.model.encode(
            inputs, prompt="", batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )

    def embed_query(self, query: str) -> np.ndarray:
        prompt_name = "query" if "query" in self.model.prompts else None
        return self.model.encode(
            [index_form(query)], prompt_name=prompt_name, normalize_embeddings=True, show_progress_bar=False
        )[0]
