"""LoRA training as an engine job on a tiny random-weight pipeline, on the CPU."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.api import GenerationRequest, StudioError
from studio.app.jobs import CANCELLED, DONE, FAILED


@pytest.fixture(autouse=True)
def one_thread():
    """Two cores shared by several test runs: more torch threads only contend."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def striped(i: int, size: int = 64) -> Image.Image:
    """One of a family of images in a single synthetic style (coloured diagonal stripes)."""
    yy, xx = np.mgrid[0:size, 0:size]
    band = ((xx + yy + 3 * i) // 6) % 2
    rgb = np.stack([200 * band + 20, 40 + 10 * (i % 5) + 0 * band, 220 - 180 * band], -1)
    return Image.fromarray(rgb.astype(np.uint8))


def write_manifest(folder: Path, n: int = 8, key: str = "0123abcd", name: str = "stripes"
                   ) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    items = []
    for i in range(n):
        path = folder / f"img{i}.png"
        striped(i).save(path)
        items.append({"id": f"art{i}", "path": str(path), "caption": f"diagonal stripes {i}"})
    manifest = folder / "manifest.json"
    manifest.write_text(json.dumps({"name": name, "key": key,
                                    "checkpoint_dir": str(folder / "ckpt" / key),
                                    "items": items}), encoding="utf-8")
    return manifest


def train_request(tiny_model, manifest: Path, **params) -> GenerationRequest:
    return GenerationRequest(
        modality="image", generator="image.train", task="train_lora", model=str(tiny_model),
        params={"steps": 12, "learning_rate": 1e-2, "checkpoint_every": 100, **params},
        seed=5, inputs={"manifest": str(manifest)})


def progress_of(engine) -> list:
    events: list = []
    engine.subscribe(lambda e: events.append(e) if e.kind == "progress" and e.step else None)
    return events


def lora_tensors(path: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(str(path))


def test_training_reports_loss_lowers_it_and_the_lora_changes_the_output(
        engine, tiny_model, tmp_path, image_request, pixels):
    manifest = write_manifest(tmp_path / "set")
    events = progress_of(engine)
    job = engine.run(train_request(tiny_model, manifest, steps=24), timeout=600)
    assert job.state == DONE, job.error
    trained = [e for e in events if e.text]
    assert [e.step for e in trained] == list(range(1, 25))
    assert all(e.total == 24 and e.text.startswith("loss ") and float(e.text.split()[1]) > 0
               for e in trained)
    assert all(e.eta is not None for e in trained[1:])
    # Written to the models folder with its card, not to the library.
    root = engine.library.root
    lora = root / "models" / "loras" / "stripes.safetensors"
    card = json.loads(lora.with_suffix(".json").read_text())
    assert engine.library.count() == 0
    assert card["sources"] == [f"art{i}" for i in range(8)]
    assert card["steps"] == 24 and card["rank"] == 8 and card["base_model"] == str(tiny_model)
    # The fixed evaluation (same images, timesteps and noise) scores it lower than at start.
    assert card["final_loss"] < card["initial_loss"]
    assert all(k.startswith("unet.") and "lora" in k for k in lora_tensors(lora))
    # Read back by the pack's LoRA path, by name, it changes the image for the same seed.
    plain = engine.run(image_request(), timeout=300)
    styled = engine.run(image_request(params={"loras": "stripes:0.8"}), timeout=300)
    assert plain.state == DONE and styled.state == DONE, styled.error
    assert "stripes" in styled.request.params["loras"]
    assert Path(styled.request.params["loras"].rsplit(":", 1)[0]) == lora
    diff = np.abs(pixels(plain.artifacts[0].path).astype(int)
                  - pixels(styled.artifacts[0].path).astype(int))
    assert diff.mean() > 0


def test_cancel_then_rerun_resumes_from_that_step_and_matches_an_unbroken_run(
        make_engine, tiny_model, tmp_path):
    engine = make_engine()
    manifest = write_manifest(tmp_path / "set")
    events = progress_of(engine)
    job_holder: list = []

    def cancel_at_5(event):
        if event.kind == "progress" and event.step == 5 and job_holder:
            engine.cancel(job_holder[0].id)

    engine.subscribe(cancel_at_5)
    job_holder.append(engine.submit(train_request(tiny_model, manifest)))
    job = engine.wait(job_holder[0].id, timeout=600)
    assert job.state == CANCELLED
    lora = engine.library.root / "models" / "loras" / "stripes.safetensors"
    assert not lora.exists()
    assert (tmp_path / "set" / "ckpt" / "0123abcd" / "state.pt").is_file()
    job_holder.clear()
    events.clear()
    again = engine.run(train_request(tiny_model, manifest), timeout=600)
    assert again.state == DONE, again.error
    assert [e.step for e in events if e.text] == list(range(6, 13))  # from 5, not from 0
    assert lora.is_file()
    # The same training without a break, in another studio: the same LoRA.
    other = make_engine()
    whole = other.run(train_request(tiny_model, write_manifest(tmp_path / "set2")),
                      timeout=600)
    assert whole.state == DONE, whole.error
    resumed = lora_tensors(lora)
    unbroken = lora_tensors(other.library.root / "models" / "loras" / "stripes.safetensors")
    assert resumed.keys() == unbroken.keys()
    for k in resumed:
        assert np.allclose(resumed[k].numpy(), unbroken[k].numpy(), atol=1e-5), k


def test_a_crash_resumes_from_the_last_periodic_checkpoint(
        engine, tiny_model, tmp_path, monkeypatch):
    from studio_image import train

    manifest = write_manifest(tmp_path / "set")
    real_step = train._Run._step
    calls = {"n": 0}

    def crash_at_7(self, g):
        calls["n"] += 1
        if calls["n"] == 7:
            raise RuntimeError("the machine went down")
        return real_step(self, g)

    monkeypatch.setattr(train._Run, "_step", crash_at_7)
    job = engine.run(train_request(tiny_model, manifest, steps=10, checkpoint_every=3),
                     timeout=600)
    assert job.state == FAILED and "went down" in job.error
    monkeypatch.setattr(train._Run, "_step", real_step)
    events = progress_of(engine)
    again = engine.run(train_request(tiny_model, manifest, steps=10, checkpoint_every=3),
                       timeout=600)
    assert again.state == DONE, again.error
    assert next(e.step for e in events if e.text) == 7  # the checkpoint at step 6


def test_too_few_images_are_refused_with_the_count(engine, tiny_model, tmp_path):
    manifest = write_manifest(tmp_path / "set", n=5)
    with pytest.raises(StudioError, match="needs at least 8 images, you have 5"):
        engine.submit(train_request(tiny_model, manifest))


def test_too_little_free_memory_is_refused_naming_both_figures(
        engine, tiny_model, tmp_path, monkeypatch):
    from studio_image import train_state

    monkeypatch.setattr(train_state, "free_memory_bytes", lambda device: 3_000_000)
    job = engine.run(train_request(tiny_model, write_manifest(tmp_path / "set"),
                                   resolution=512), timeout=600)
    assert job.state == FAILED
    assert "training at 512 px needs about" in job.error
    assert "and 3 MB is free" in job.error
    assert not (engine.library.root / "models" / "loras").exists()


def test_a_half_precision_model_trains_with_fp32_lora_values(tiny_model, tmp_path):
    from studio.app.backends import ThreadBackend
    from studio.app.engine import Engine
    from studio.app.library import Library
    from studio.app.plugins import PluginHost
    from studio.app.runner import Runner
    from studio.app.settings import Settings

    host = PluginHost()
    host.discover()
    settings = Settings(device="cpu", dtype="bfloat16")
    engine = Engine(host, Library(tmp_path / "data"), ThreadBackend(Runner(host, settings)),
                    settings)
    try:
        job = engine.run(train_request(tiny_model, write_manifest(tmp_path / "set"), steps=3),
                         timeout=600)
        assert job.state == DONE, job.error
    finally:
        engine.shutdown()
        engine.library.close()
    tensors = lora_tensors(tmp_path / "data" / "models" / "loras" / "stripes.safetensors")
    assert tensors and all(str(t.dtype) == "torch.float32" for t in tensors.values())
