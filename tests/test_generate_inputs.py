"""Bad generation input is refused before queueing: one line, exit 2, nothing written
(issue #10, items 9 and 10)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from studio.api import GenerationRequest, RequestError
from studio.app.library import Library
from studio.app.plugins import PluginHost
from studio.cli.main import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def data(tmp_path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "settings.json").write_text(json.dumps({"device": "cpu"}))
    return folder


def _artifacts(data: Path) -> int:
    lib = Library(data)
    try:
        return lib.count()
    finally:
        lib.close()


def generate(capsys, *argv: str) -> tuple[int, list[str]]:
    code = main(["generate", *argv])
    err = capsys.readouterr().err
    return code, [line for line in err.splitlines() if line.strip()]


def _png(path: Path, size: tuple[int, int], mode: str = "RGB") -> str:
    Image.new(mode, size).save(path)
    return str(path)


def test_invalid_utf8_prompt_from_argv_is_refused_before_queueing(data, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDIO_")}
    env.update(STUDIO_DATA_DIR=str(data), HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable.encode(), b"-m", b"studio.cli.main", b"generate", b"text",
         b"--prompt", b"\xff\xfe"],
        cwd=ROOT, env=env, capture_output=True, timeout=120,
    )
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2, err
    assert err.count("\n") == 1 and err.startswith("studio: the prompt is not valid UTF-8")
    assert "byte 0xff" in err and "loading model" not in err
    assert _artifacts(data) == 0


def test_invalid_utf8_in_a_text_parameter_is_refused(capsys, data):
    code, lines = generate(capsys, "image", "--prompt", "a fox", "--set",
                           "negative_prompt=bad \udcfe")
    assert code == 2 and lines == [
        "studio: negative_prompt is not valid UTF-8 text (byte 0xfe at position 4); "
        "save or type it as UTF-8"
    ]


def test_non_image_input_exits_2(capsys, data, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("not pixels")
    code, lines = generate(capsys, "image", "--prompt", "x", "--input", str(notes))
    assert code == 2 and len(lines) == 1
    assert "image input" in lines[0] and "is not a readable image" in lines[0]
    assert _artifacts(data) == 0


def test_missing_lora_exits_2(capsys, data, tmp_path):
    missing = tmp_path / "nowhere" / "style.safetensors"
    code, lines = generate(capsys, "image", "--prompt", "x", "--set", f"loras={missing}:0.8")
    assert code == 2 and len(lines) == 1
    assert "LoRA file" in lines[0] and "style.safetensors" in lines[0]
    assert "does not exist" in lines[0]


def test_mask_of_another_size_is_refused_naming_both_sizes(capsys, data, tmp_path):
    image = _png(tmp_path / "in.png", (64, 48))
    mask = _png(tmp_path / "mask.png", (32, 32), "L")
    code, lines = generate(capsys, "image", "--prompt", "x", "--input", image, "--mask", mask)
    assert code == 2 and len(lines) == 1
    assert "32x32" in lines[0] and "64x48" in lines[0]
    assert _artifacts(data) == 0


def test_mask_without_input_is_refused(capsys, data, tmp_path):
    mask = _png(tmp_path / "mask.png", (64, 64), "L")
    code, lines = generate(capsys, "image", "--prompt", "x", "--mask", mask)
    assert code == 2 and lines == ["studio: --mask needs --input: the image the mask "
                                   "belongs to"]


def test_engine_refuses_an_input_the_task_does_not_take(tmp_path, fake_entry_points):
    # Through the engine (GUI, batch files): a mask with txt2img would be ignored.
    from studio.app.backends import ThreadBackend
    from studio.app.engine import Engine
    from studio.app.runner import Runner
    from studio.app.settings import Settings

    host = PluginHost()
    host.discover()
    settings = Settings(device="cpu")
    engine = Engine(host, Library(tmp_path), ThreadBackend(Runner(host, settings)), settings)
    try:
        mask = _png(tmp_path / "m.png", (16, 16), "L")
        with pytest.raises(RequestError, match="task 'txt2img' takes no 'mask' input"):
            engine.submit(GenerationRequest(modality="image", generator="image.diffusers",
                                            prompt="x", task="txt2img",
                                            inputs={"mask": mask}))
        not_image = tmp_path / "x.png"
        not_image.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
        with pytest.raises(RequestError, match="is not a readable image"):
            engine.submit(GenerationRequest(modality="image", generator="fake.image",
                                            prompt="x", inputs={"image": str(not_image)}))
        assert engine.jobs() == []
    finally:
        engine.shutdown()
        engine.library.close()


def test_input_as_names_a_role_the_task_takes(capsys, data, tmp_path):
    start = _png(tmp_path / "a.png", (64, 64))
    code, lines = generate(capsys, "image", "--prompt", "x", "--task", "img2img",
                           "--input-as", f"last_image={start}")
    assert code == 2 and len(lines) == 1
    assert "takes no input 'last_image'" in lines[0] and "it takes: image" in lines[0]
    code, lines = generate(capsys, "image", "--prompt", "x", "--input-as", "image")
    assert code == 2 and lines == ["studio: --input-as needs ROLE=PATH, not 'image'"]
    assert _artifacts(data) == 0


def test_input_as_fills_its_role_in_the_request(data, tmp_path, monkeypatch):
    import argparse

    from studio.app.studio import Studio
    from studio.cli import generate_cmd

    monkeypatch.setenv("STUDIO_DATA_DIR", str(data))
    parser = argparse.ArgumentParser()
    generate_cmd.add_parser(parser.add_subparsers())
    start = _png(tmp_path / "a.png", (64, 64))
    args = parser.parse_args(["generate", "image", "--prompt", "x", "--task", "img2img",
                              "--input-as", f"image={start}"])
    studio = Studio(backend="thread")
    try:
        request = generate_cmd.build_request(studio, args)
    finally:
        studio.close()
    assert dict(request.inputs) == {"image": start} and request.task == "img2img"
