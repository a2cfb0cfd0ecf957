"""The image pack through ``studio generate image``, in-process, as a user would run it."""

from __future__ import annotations

import json

import numpy as np
from PIL import Image, PngImagePlugin

from studio.cli.main import main


def generate(capsys, *args):
    code = main(["generate", "image", "--json", *args])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if code == 0 else None), out.err


def test_generate_then_reproduce_from_png(capsys, tiny_model, pixels):
    code, result, err = generate(capsys, "--prompt", "a lighthouse at dusk", "--model",
                                 str(tiny_model), "--seed", "3", "--set", "steps=2",
                                 "--set", "negative_prompt=fog, rain")
    assert code == 0, err
    first = result["artifacts"][0]
    assert result["request"]["seed"] == 3 and first["seed"] == 3
    code, again, err = generate(capsys, "--from-png", first["path"])
    assert code == 0, err
    assert again["request"]["prompt"] == "a lighthouse at dusk"
    assert again["request"]["params"] == result["request"]["params"]
    np.testing.assert_array_equal(pixels(again["artifacts"][0]["path"]), pixels(first["path"]))


def test_a1111_text_alone_reproduces_the_pixels(capsys, tiny_model, pixels, tmp_path):
    code, result, err = generate(capsys, "--prompt", "an old map", "--model", str(tiny_model),
                                 "--seed", "21", "--set", "steps=2")
    assert code == 0, err
    original = result["artifacts"][0]["path"]
    with Image.open(original) as im:
        info = PngImagePlugin.PngInfo()
        info.add_text("parameters", im.text["parameters"])  # what A1111 itself writes
        im.save(tmp_path / "a1111.png", pnginfo=info)
    # A1111 stores the model's name, not where it lives here: point --model at it.
    code, again, err = generate(capsys, "--from-png", str(tmp_path / "a1111.png"),
                                "--model", str(tiny_model))
    assert code == 0, err
    assert again["request"]["seed"] == 21 and again["request"]["params"]["steps"] == 2
    np.testing.assert_array_equal(pixels(again["artifacts"][0]["path"]), pixels(original))


def test_out_of_range_parameter_exits_2(capsys, tiny_model):
    code, _result, err = generate(capsys, "--model", str(tiny_model), "--set", "steps=-5")
    assert code == 2
    assert "steps must be >= 1, got -5" in err


def test_size_must_be_a_multiple_of_8(capsys, tiny_model):
    code, _result, err = generate(capsys, "--model", str(tiny_model), "--set", "width=100")
    assert code == 2 and "width must be a multiple of 8, got 100" in err


def test_png_without_metadata_exits_2(capsys, tmp_path):
    bare = tmp_path / "bare.png"
    Image.new("RGB", (8, 8)).save(bare)
    code, _result, err = generate(capsys, "--from-png", str(bare))
    assert code == 2 and "carries no generation metadata" in err


def test_pickle_model_is_refused_with_the_setting_to_change(capsys, tmp_path):
    ckpt = tmp_path / "dreamy.ckpt"
    ckpt.write_bytes(b"\x80\x04junk")
    code, _result, err = generate(capsys, "--model", str(ckpt), "--set", "steps=2")
    assert code == 1 and "allow_pickle" in err and "dreamy.ckpt" in err


def test_a_hub_model_that_is_not_downloaded_is_never_fetched(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    calls = []
    import socket

    def no_network(*args, **kwargs):
        calls.append(args)
        raise OSError("network used")

    monkeypatch.setattr(socket, "create_connection", no_network)
    code, _result, err = generate(capsys, "--model", "someone/not-here", "--set", "steps=2")
    assert code == 1
    assert "not downloaded yet" in err and "studio models download someone/not-here" in err
    assert calls == []


def test_an_input_that_is_not_an_image_is_refused_before_loading(capsys, tiny_model, tmp_path):
    fake = tmp_path / "notes.png"
    fake.write_text("this is text, not pixels")
    code, _result, err = generate(capsys, "--model", str(tiny_model), "--input", str(fake))
    assert code == 2  # refused before queueing, like any bad input (issue #10)
    assert "image input" in err and "is not a readable image" in err
    assert "loading model" not in err
