"""The model picker's list, the reasons a model cannot run yet, the first-run advice."""

from studio.api import GeneratorInfo, ModelRef
from studio.app import model_catalog as mc

GB = mc.GB


def _cache_repo(cache, ref, size=10, partial=False):
    repo = cache / f"models--{ref.replace('/', '--')}"
    (repo / "snapshots" / "abc").mkdir(parents=True)
    (repo / "blobs").mkdir()
    (repo / "blobs" / ("x.incomplete" if partial else "x")).write_bytes(b"0" * size)


def _info(gid, modality, models, default=""):
    return GeneratorInfo(id=gid, name=gid, modality=modality, tasks=("t",), factory="m:C",
                         models=tuple(models), default_model=default)


def test_cache_listing_has_sizes_and_skips_partial_downloads(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    _cache_repo(tmp_path, "a/one", 1234)
    _cache_repo(tmp_path, "b/two", 99, partial=True)
    (tmp_path / "datasets--c--d").mkdir()
    assert mc.cached_repos() == {"a/one": 1234}


def test_picker_lists_recommended_then_cache_then_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    _cache_repo(tmp_path / "hub", "a/one", 2000)
    folder = tmp_path / "models"
    (folder / "saved").mkdir(parents=True)
    (folder / "saved" / "config.json").write_text("{}")
    (folder / "w.safetensors").write_bytes(b"1" * 50)
    (folder / "notes.txt").write_text("no")
    info = _info("g", "image", [ModelRef("a/one", "One", 3.0), ModelRef("z/big", "Big", 7.0)])
    entries = mc.picker_entries(info, mc.cached_repos(), mc.local_models([str(folder)]))
    assert [(e.ref, e.source, e.available) for e in entries] == [
        ("a/one", "recommended", True), ("z/big", "recommended", False),
        (str(folder / "saved"), "folder", True), (str(folder / "w.safetensors"), "folder", True)]
    assert entries[0].size_bytes == 2000  # on disk wins over the declared size
    assert entries[1].size_bytes == 7 * GB and "not downloaded" in entries[1].label()
    assert "7.0 GB" in entries[1].label()


def test_reasons_name_offline_no_space_and_the_last_download_failure(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    _cache_repo(tmp_path, "a/here")
    assert mc.unavailable_reason("a/here") is None
    assert mc.unavailable_reason("a/here:model-q4.gguf") is None
    assert mc.unavailable_reason(str(tmp_path)) is None
    assert mc.unavailable_reason("smollm2-135m-instruct") is None  # the pack decides
    assert "does not exist" in mc.unavailable_reason(str(tmp_path / "nope.safetensors"))
    assert "Download fetches it (2.0 GB)" in mc.unavailable_reason("a/gone", 2 * GB)
    monkeypatch.setattr(mc, "free_bytes", lambda _p: GB)
    text = mc.unavailable_reason("a/gone", 2 * GB)
    assert "needs about 2.0 GB" in text and "1.0 GB is free" in text
    gated = "401 Client Error: access to model a/gone is restricted (gated)"
    assert gated in mc.unavailable_reason("a/gone", 2 * GB, last_failure=gated)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert "HF_HUB_OFFLINE is set" in mc.unavailable_reason("a/gone", 2 * GB)


def test_recommendations_fit_the_gpu(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    image = _info("img", "image", [ModelRef("s/turbo", "Turbo", 6.9),
                                   ModelRef("s/small", "Small", 2.0),
                                   ModelRef("s/mid", "Mid", 4.0)], default="s/turbo")
    text = _info("txt", "text", [ModelRef("tiny", "Tiny", 0.1, bundled=True),
                                 ModelRef("q/big", "Big", 3.0)], default="tiny")
    big = {r.modality: r for r in mc.recommend([image, text], 24 * GB)}
    assert big["image"].model.ref == "s/turbo" and "fits" in big["image"].why
    assert big["text"].model.ref == "tiny" and big["text"].available
    mid = {r.modality: r for r in mc.recommend([image, text], 6 * GB)}
    assert mid["image"].model.ref == "s/mid" and "largest that fits" in mid["image"].why
    tiny = {r.modality: r for r in mc.recommend([image], 1 * GB)}
    assert tiny["image"].model.ref == "s/small" and "offloaded" in tiny["image"].why
    cpu = {r.modality: r for r in mc.recommend([image], None)}
    assert cpu["image"].model.ref == "s/small" and "CPU" in cpu["image"].why
    assert not cpu["image"].available


def test_anything_downloaded_ignores_bundled_models(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    text = _info("txt", "text", [ModelRef("tiny", "Tiny", 0.1, bundled=True),
                                 ModelRef("q/big", "Big", 3.0)])
    assert not mc.anything_downloaded([text])
    _cache_repo(tmp_path, "q/big")
    assert mc.anything_downloaded([text])


def test_gpu_memory_is_read_from_nvidia_smi(monkeypatch):
    import subprocess
    import sys

    from studio.app import hardware

    monkeypatch.delitem(sys.modules, "torch", raising=False)
    monkeypatch.setattr(hardware, "probe", lambda: hardware.Hardware("linux", "x86_64"))
    monkeypatch.setattr(mc.shutil, "which", lambda _n: "/usr/bin/nvidia-smi")
    monkeypatch.setattr(mc.subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(
        a, 0, stdout="8192\n24576\n"))
    assert mc.gpu_memory_bytes() == 24576 * 2**20
    monkeypatch.setattr(mc.shutil, "which", lambda _n: None)
    assert mc.gpu_memory_bytes() is None


def test_gpu_memory_prefers_the_nvml_probe(monkeypatch):
    import sys

    from studio.app import hardware

    monkeypatch.delitem(sys.modules, "torch", raising=False)
    gpus = [hardware.GpuInfo(0, "A", (8, 6), 12 * GB), hardware.GpuInfo(1, "B", (8, 9), 24 * GB)]
    monkeypatch.setattr(hardware, "probe", lambda: hardware.Hardware(
        "linux", "x86_64", vendor="nvidia", gpus=gpus))
    monkeypatch.setattr(mc.shutil, "which", lambda _n: None)
    assert mc.gpu_memory_bytes() == 24 * GB


def serves_only_a(ref):
    if ref == "boom/x":
        raise RuntimeError("a faulty check")
    return ref.startswith("a/")


def test_the_generators_serves_check_filters_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    for ref in ("a/one", "b/two", "boom/x"):
        _cache_repo(tmp_path, ref)
    info = GeneratorInfo(id="g", name="g", modality="music", tasks=("t",), factory="m:C",
                         serves="tests.test_model_catalog:serves_only_a")
    entries = mc.picker_entries(info, mc.cached_repos(), {}, serves=mc.serves_check(info))
    assert [e.ref for e in entries] == ["a/one"]
    plain = _info("h", "music", [])
    assert mc.serves_check(plain) is None
    assert len(mc.picker_entries(plain, mc.cached_repos(), {})) == 3


def test_a_package_model_whose_package_is_missing_is_not_recommended(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    text = _info("txt", "text", [ModelRef("tiny-gguf", "Tiny", 0.1),
                                 ModelRef("q/small", "Small", 1.0)], default="tiny-gguf")
    (rec,) = mc.recommend([text], None)
    assert rec.model.ref == "q/small" and not rec.available
    only = _info("o", "text", [ModelRef("tiny-gguf", "Tiny", 0.1)])
    assert mc.recommend([only], None) == []
