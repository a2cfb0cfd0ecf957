"""Reading requests back from PNG metadata: Studio's own chunk, A1111 text and ComfyUI graphs."""

from __future__ import annotations

import json

import pytest
from PIL import Image, PngImagePlugin
from studio_image.infotext import format_parameters

from studio.api import GenerationRequest, RequestError
from studio.app.pnginfo import parse_a1111, parse_comfyui, request_from_png


def png_with(tmp_path, name="x.png", **chunks):
    info = PngImagePlugin.PngInfo()
    for key, value in chunks.items():
        info.add_text(key, value)
    path = tmp_path / name
    Image.new("RGB", (8, 8)).save(path, pnginfo=info)
    return path


def test_studio_chunk_is_read_back_exactly(tmp_path):
    request = GenerationRequest(modality="image", prompt="p", task="txt2img",
                                generator="image.diffusers", model="m",
                                params={"steps": 3, "scheduler": None}, seed=2**40)
    path = png_with(tmp_path, studio=json.dumps({"request": request.to_dict()}),
                    parameters="ignored\nSteps: 99")
    assert request_from_png(path) == request


def test_a1111_text_written_by_the_pack_parses_back():
    text = format_parameters(
        "a castle,\nat night", "low quality, blurry",
        {"Steps": 30, "Sampler": "DPM++ 2M", "CFG scale": 6.5, "Seed": 1234,
         "Size": "832x1216", "Model hash": "abc123", "Model": "sd_xl_base_1.0",
         "LoRAs": "style: 0.8, ink: 0.5", "Denoising strength": None},
    )
    assert '"style: 0.8, ink: 0.5"' in text  # commas inside a value are quoted
    request = parse_a1111(text)
    assert request.prompt == "a castle,\nat night" and request.seed == 1234
    assert request.model == "sd_xl_base_1.0"
    assert request.params == {"negative_prompt": "low quality, blurry", "steps": 30,
                              "guidance_scale": 6.5, "scheduler": "dpmpp_2m",
                              "width": 832, "height": 1216, "loras": "style:0.8;ink:0.5"}


def test_a1111_text_from_a1111_itself():
    text = ("masterpiece, <lora:detail:0.7> a cat\nNegative prompt: dog\n"
            "Steps: 20, Sampler: Euler a, Schedule type: Automatic, CFG scale: 7, "
            "Seed: 42, Size: 512x768, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, "
            'Denoising strength: 0.4, Lora hashes: "detail: 1a2b3c", Version: v1.10.1')
    request = parse_a1111(text)
    assert request.prompt.startswith("masterpiece") and request.seed == 42
    assert request.params["scheduler"] == "euler_a" and request.params["strength"] == 0.4
    assert (request.params["width"], request.params["height"]) == (512, 768)


COMFY = {
    "3": {"class_type": "KSampler", "inputs": {
        "seed": 156680208700286, "steps": 20, "cfg": 8.0, "sampler_name": "euler_ancestral",
        "scheduler": "normal", "denoise": 1.0, "model": ["4", 0], "positive": ["6", 0],
        "negative": ["7", 0], "latent_image": ["5", 0]}},
    "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "v1-5.safetensors"}},
    "5": {"class_type": "EmptyLatentImage",
          "inputs": {"width": 512, "height": 640, "batch_size": 1}},
    "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a bottle of stars",
                                                      "clip": ["4", 1]}},
    "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "text, watermark",
                                                      "clip": ["4", 1]}},
}


def test_comfyui_graph(tmp_path):
    path = png_with(tmp_path, prompt=json.dumps(COMFY))
    request = request_from_png(path)
    assert request.prompt == "a bottle of stars" and request.seed == 156680208700286
    assert request.model == "v1-5.safetensors"
    assert request.params == {"steps": 20, "guidance_scale": 8.0, "scheduler": "euler_a",
                              "negative_prompt": "text, watermark", "width": 512,
                              "height": 640}
    assert parse_comfyui(json.dumps(COMFY)).prompt == "a bottle of stars"


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda d: png_with(d), "no generation metadata"),
        (lambda d: png_with(d, studio="{not json"), "studio metadata is damaged"),
        (lambda d: png_with(d, prompt=json.dumps({"1": {"class_type": "VAEDecode"}})),
         "no KSampler"),
        (lambda d: d / "missing.png", "does not exist"),
        (lambda d: (d / "t.png").write_bytes(b"plain text") and d / "t.png",
         "not a readable PNG"),
    ],
)
def test_bad_files_raise_request_error(tmp_path, make, match):
    with pytest.raises(RequestError, match=match):
        request_from_png(make(tmp_path))


def test_jpeg_is_refused_clearly(tmp_path):
    path = tmp_path / "x.jpg"
    Image.new("RGB", (8, 8)).save(path)
    with pytest.raises(RequestError, match="only PNG metadata"):
        request_from_png(path)
