"""AUTOMATIC1111 / Forge metadata: PNG text, JPEG and WebP EXIF, stealth pixels."""

from __future__ import annotations

import pytest

from studio.app.metadata import LoraRef, read_file_metadata
from tests.test_metadata_samples import (
    A1111_TEXT,
    exif_image,
    png,
    stealth_png,
    user_comment,
)


def assert_a1111_fields(meta):
    request = meta.request
    assert meta.tool == "automatic1111"
    assert request.modality == "image" and request.task == "txt2img"
    assert request.prompt == "masterpiece, <lora:detail:0.7> a cat"
    assert request.seed == 42 and request.model == "v1-5-pruned-emaonly"
    assert request.params == {
        "negative_prompt": "dog, blurry", "steps": 20, "guidance_scale": 7.0,
        "scheduler": "euler_a", "width": 512, "height": 768, "loras": "detail:0.7",
    }
    assert meta.model_hash == "6ce0161689" and meta.sampler == "Euler a"
    assert meta.loras == (LoraRef("detail", 0.7, "1a2b3c4d"),)


def test_png_parameters_chunk(tmp_path):
    meta = read_file_metadata(png(tmp_path / "a.png", text={"parameters": A1111_TEXT}))
    assert_a1111_fields(meta)
    assert meta.raw == {"parameters": A1111_TEXT}
    assert meta.to_dict()["request"]["seed"] == 42


@pytest.mark.parametrize("charset", ["unicode-be", "unicode-le", "ascii"])
@pytest.mark.parametrize("fmt", ["JPEG", "WEBP"])
def test_exif_user_comment_in_every_charset(tmp_path, charset, fmt):
    path = exif_image(tmp_path / f"a.{fmt.lower()}", {},
                      exif_ifd={0x9286: user_comment(A1111_TEXT, charset)}, fmt=fmt)
    assert_a1111_fields(read_file_metadata(path))


def test_non_latin_prompt_survives_utf16(tmp_path):
    text = "猫と月、夜\nSteps: 12, Sampler: DDIM, CFG scale: 5, Seed: 7, Size: 64x64"
    path = exif_image(tmp_path / "a.jpg", {}, exif_ifd={0x9286: user_comment(text)})
    meta = read_file_metadata(path)
    assert meta.request.prompt == "猫と月、夜" and meta.request.params["scheduler"] == "ddim"


@pytest.mark.parametrize("signature", ["stealth_pnginfo", "stealth_pngcomp"])
def test_stealth_alpha(tmp_path, signature):
    meta = read_file_metadata(stealth_png(tmp_path / "s.png", A1111_TEXT, signature))
    assert_a1111_fields(meta)
    assert meta.raw == {"stealth": A1111_TEXT}


@pytest.mark.parametrize("signature", ["stealth_rgbinfo", "stealth_rgbcomp"])
@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_stealth_rgb(tmp_path, signature, mode):
    meta = read_file_metadata(stealth_png(tmp_path / "s.png", A1111_TEXT, signature,
                                          mode=mode, size=(64, 64)))
    assert_a1111_fields(meta)


def test_stealth_in_a_lossless_webp(tmp_path):
    from PIL import Image

    src = stealth_png(tmp_path / "s.png", A1111_TEXT, "stealth_pngcomp")
    with Image.open(src) as im:
        im.save(tmp_path / "s.webp", "WEBP", lossless=True)
    assert_a1111_fields(read_file_metadata(tmp_path / "s.webp"))


def test_text_chunk_wins_over_stealth_bits(tmp_path):
    from PIL import Image, PngImagePlugin

    src = stealth_png(tmp_path / "s.png", "hidden\nSteps: 1, Sampler: DDIM, Seed: 1")
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", A1111_TEXT)
    with Image.open(src) as im:
        im.save(tmp_path / "both.png", pnginfo=info)
    assert read_file_metadata(tmp_path / "both.png").request.seed == 42


def test_hires_denoising_is_not_img2img_strength(tmp_path):
    text = ("a tower\nSteps: 25, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6, "
            "Seed: 3, Size: 512x512, Denoising strength: 0.45, Hires upscale: 2, "
            "Hires upscaler: Latent")
    meta = read_file_metadata(png(tmp_path / "h.png", text={"parameters": text}))
    assert meta.request.task == "txt2img" and "strength" not in meta.request.params
    # DPM++ 2M on Karras sigmas is Studio's dpmpp_2m_karras, not plain dpmpp_2m.
    assert meta.sampler == "DPM++ 2M" and meta.request.params["scheduler"] == "dpmpp_2m_karras"


@pytest.mark.parametrize(("sampler", "expected"), [
    ("Sampler: DPM++ 2M Karras", "dpmpp_2m_karras"),  # before A1111 split out the schedule
    ("Sampler: DPM++ 2M, Schedule type: Automatic", "dpmpp_2m"),
    ("Sampler: Euler a, Schedule type: Karras", None),  # no Karras form of it in Studio
    ("Sampler: DPM++ 2M SDE, Schedule type: Karras", None),
])
def test_sampler_and_schedule_type_map_to_studio_schedulers(tmp_path, sampler, expected):
    text = f"a tower\nSteps: 25, {sampler}, CFG scale: 6, Seed: 3, Size: 512x512"
    meta = read_file_metadata(png(tmp_path / "s.png", text={"parameters": text}))
    assert meta.request.params.get("scheduler") == expected


def test_img2img_denoising_strength(tmp_path):
    text = "a tower\nSteps: 25, Sampler: Euler, CFG scale: 6, Seed: 3, Denoising strength: 0.4"
    meta = read_file_metadata(png(tmp_path / "i.png", text={"parameters": text}))
    assert meta.request.task == "img2img" and meta.request.params["strength"] == 0.4


def test_prompt_only_text_and_a_brace_prompt(tmp_path):
    meta = read_file_metadata(png(tmp_path / "p.png", text={"parameters": "just a prompt"}))
    assert meta.request.prompt == "just a prompt" and meta.request.params == {}
    wildcard = "{red|blue} car\nSteps: 5, Sampler: Euler, CFG scale: 7, Seed: 9"
    meta = read_file_metadata(png(tmp_path / "w.png", text={"parameters": wildcard}))
    assert meta.request.prompt == "{red|blue} car" and meta.request.seed == 9


@pytest.mark.parametrize(("signature", "mode"), [
    ("stealth_pngcomp", "RGBA"), ("stealth_pnginfo", "RGBA"), ("stealth_rgbinfo", "RGB"),
    ("stealth_rgbcomp", "RGBA"),
])
def test_stealth_in_tall_images_through_every_png_filter(tmp_path, signature, mode):
    # 150 rows: the signature sits in column 0 alone, where the cheap check looks.
    import numpy as np
    from PIL import Image

    from tests.test_metadata_samples import png_with_filters

    src = stealth_png(tmp_path / "s.png", A1111_TEXT, signature, size=(40, 150), mode=mode)
    with Image.open(src) as im:
        pixels = np.asarray(im)
    assert_a1111_fields(read_file_metadata(png_with_filters(tmp_path / "f.png", pixels)))


def test_png_without_stealth_is_not_decoded(tmp_path, monkeypatch):
    import numpy as np
    from PIL import Image

    from studio.app.metadata import NoMetadata, reader
    from tests.test_metadata_samples import png_with_filters

    decoded = []
    monkeypatch.setattr(reader, "read_stealth", lambda data: decoded.append(1))
    pixels = np.random.default_rng(2).integers(0, 256, (200, 180, 4), dtype=np.uint8)
    paths = [png_with_filters(tmp_path / "f.png", pixels)]
    Image.fromarray(pixels).save(tmp_path / "p.png")
    Image.fromarray(pixels[..., :3]).save(tmp_path / "rgb.png")
    paths += [tmp_path / "p.png", tmp_path / "rgb.png"]
    for path in paths:
        with pytest.raises(NoMetadata):
            read_file_metadata(path)
    assert decoded == []
    # A short image cannot be ruled out from its first column: it is decoded.
    with pytest.raises(NoMetadata):
        read_file_metadata(png(tmp_path / "short.png", mode="RGBA", size=(300, 60)))
    assert decoded == [1]


def test_extension_lines_after_the_settings_line(tmp_path):
    text = A1111_TEXT + "\nTemplate: {red|blue} cat\nNegative Template: dog"
    meta = read_file_metadata(png(tmp_path / "t.png", text={"parameters": text}))
    assert_a1111_fields(meta)
