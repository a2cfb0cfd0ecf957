"""ComfyUI, InvokeAI, NovelAI, Fooocus, SwarmUI, Draw Things and Easy Diffusion files."""

from __future__ import annotations

import html
import json
from datetime import datetime

import pytest

from studio.app.metadata import LoraRef, read_file_metadata
from tests.test_metadata_samples import (
    A1111_TEXT,
    COMFY_API,
    exif_image,
    png,
    stealth_png,
    user_comment,
)

# -- ComfyUI ----------------------------------------------------------------------


def test_comfyui_api_graph_through_a_lora_chain(tmp_path):
    meta = read_file_metadata(png(tmp_path / "c.png", text={"prompt": json.dumps(COMFY_API)}))
    assert meta.tool == "comfyui"
    r = meta.request
    assert r.prompt == "a bottle of stars" and r.seed == 156680208700286
    assert r.model == "v1-5.safetensors"
    assert r.params == {"steps": 20, "guidance_scale": 8.0, "scheduler": "euler_a",
                        "negative_prompt": "text, watermark", "width": 512, "height": 640,
                        "loras": "ink.safetensors:0.6"}
    assert meta.loras == (LoraRef("ink.safetensors", 0.6),)
    assert meta.sampler == "euler_ancestral" and meta.raw["prompt"] == COMFY_API


FLUX_API = {
    "1": {"class_type": "UNETLoader", "inputs": {"unet_name": "flux1-dev.safetensors",
                                                 "weight_dtype": "default"}},
    "2": {"class_type": "LoraLoaderModelOnly", "inputs": {
        "lora_name": "anime.safetensors", "strength_model": 0.9, "model": ["1", 0]}},
    "20": {"class_type": "PrimitiveStringMultiline", "inputs": {"value": "a lighthouse"}},
    "3": {"class_type": "CLIPTextEncode", "inputs": {"text": ["20", 0], "clip": ["30", 0]}},
    "4": {"class_type": "FluxGuidance", "inputs": {"guidance": 3.5, "conditioning": ["3", 0]}},
    "5": {"class_type": "BasicGuider", "inputs": {"model": ["2", 0], "conditioning": ["4", 0]}},
    "6": {"class_type": "RandomNoise", "inputs": {"noise_seed": 99}},
    "7": {"class_type": "KSamplerSelect", "inputs": {"sampler_name": "euler"}},
    "8": {"class_type": "BasicScheduler", "inputs": {"scheduler": "simple", "steps": 28,
                                                     "denoise": 1.0, "model": ["2", 0]}},
    "9": {"class_type": "EmptySD3LatentImage", "inputs": {"width": 1024, "height": 768,
                                                         "batch_size": 1}},
    "10": {"class_type": "SamplerCustomAdvanced", "inputs": {
        "noise": ["6", 0], "guider": ["5", 0], "sampler": ["7", 0], "sigmas": ["8", 0],
        "latent_image": ["9", 0]}},
    "11": {"class_type": "VAEDecode", "inputs": {"samples": ["10", 0], "vae": ["31", 0]}},
    "12": {"class_type": "SaveImage", "inputs": {"images": ["11", 0]}},
}


def test_comfyui_sampler_custom_advanced_flux_graph(tmp_path):
    meta = read_file_metadata(png(tmp_path / "f.png", text={"prompt": json.dumps(FLUX_API)}))
    r = meta.request
    assert r.prompt == "a lighthouse" and r.seed == 99 and r.model == "flux1-dev.safetensors"
    assert r.params == {"steps": 28, "guidance_scale": 3.5, "scheduler": "euler",
                        "width": 1024, "height": 768, "loras": "anime.safetensors:0.9"}


def test_comfyui_sdxl_encoder_and_combined_conditioning(tmp_path):
    graph = json.loads(json.dumps(COMFY_API))
    graph["6"] = {"class_type": "CLIPTextEncodeSDXL", "inputs": {
        "text_g": "a bottle of stars", "text_l": "a bottle of stars", "width": 4096,
        "height": 4096, "clip": ["4", 1]}}
    graph["3"]["inputs"]["negative"] = ["13", 0]
    graph["13"] = {"class_type": "ConditioningCombine",
                   "inputs": {"conditioning_1": ["7", 0], "conditioning_2": ["14", 0]}}
    graph["14"] = {"class_type": "CLIPTextEncode", "inputs": {"text": "blurry"}}
    meta = read_file_metadata(png(tmp_path / "x.png", text={"prompt": json.dumps(graph)}))
    assert meta.request.prompt == "a bottle of stars"
    assert meta.request.params["negative_prompt"] == "text, watermark, blurry"
    assert meta.request.params["width"] == 512  # the latent's size, not the encoder's


def workflow():
    """A UI-format workflow (what the ``workflow`` chunk holds), seed from a primitive."""
    def link(i, src, slot, dst, dst_slot, kind):
        return [i, src, slot, dst, dst_slot, kind]
    return {
        "nodes": [
            {"id": 4, "type": "CheckpointLoaderSimple", "mode": 0,
             "widgets_values": ["sdxl.safetensors"]},
            {"id": 6, "type": "CLIPTextEncode", "mode": 0, "widgets_values": ["a red fox"],
             "inputs": [{"name": "clip", "type": "CLIP", "link": 3}]},
            {"id": 7, "type": "CLIPTextEncode", "mode": 0, "widgets_values": ["blurry"],
             "inputs": [{"name": "clip", "type": "CLIP", "link": 5}]},
            {"id": 5, "type": "EmptyLatentImage", "mode": 0,
             "widgets_values": [1024, 832, 1]},
            {"id": 12, "type": "PrimitiveNode", "mode": 0, "widgets_values": [777, "fixed"],
             "outputs": [{"links": [10]}]},
            {"id": 3, "type": "KSampler", "mode": 0,
             "widgets_values": [42, "fixed", 30, 6.5, "dpmpp_2m", "karras", 1],
             "inputs": [{"name": "model", "link": 1}, {"name": "positive", "link": 4},
                        {"name": "negative", "link": 6}, {"name": "latent_image", "link": 2},
                        {"name": "seed", "link": 10, "widget": {"name": "seed"}}]},
            {"id": 8, "type": "VAEDecode", "mode": 0,
             "inputs": [{"name": "samples", "link": 7}]},
            {"id": 9, "type": "SaveImage", "mode": 0, "widgets_values": ["ComfyUI"],
             "inputs": [{"name": "images", "link": 9}]},
        ],
        "links": [link(1, 4, 0, 3, 0, "MODEL"), link(2, 5, 0, 3, 3, "LATENT"),
                  link(3, 4, 1, 6, 0, "CLIP"), link(4, 6, 0, 3, 1, "CONDITIONING"),
                  link(5, 4, 1, 7, 0, "CLIP"), link(6, 7, 0, 3, 2, "CONDITIONING"),
                  link(7, 3, 0, 8, 0, "LATENT"), link(9, 8, 0, 9, 0, "IMAGE"),
                  link(10, 12, 0, 3, 4, "INT")],
        "version": 0.4,
    }


def test_comfyui_workflow_only(tmp_path):
    meta = read_file_metadata(png(tmp_path / "w.png",
                                  text={"workflow": json.dumps(workflow())}))
    r = meta.request
    assert meta.tool == "comfyui"
    assert r.prompt == "a red fox" and r.params["negative_prompt"] == "blurry"
    assert r.seed == 777 and r.model == "sdxl.safetensors"
    assert (r.params["steps"], r.params["guidance_scale"]) == (30, 6.5)
    assert (r.params["width"], r.params["height"]) == (1024, 832)
    # ComfyUI's dpmpp_2m on the karras scheduler is Studio's dpmpp_2m_karras.
    assert meta.sampler == "dpmpp_2m" and r.params["scheduler"] == "dpmpp_2m_karras"


def test_comfyui_webp_keeps_graphs_in_exif_make_and_model(tmp_path):
    path = exif_image(tmp_path / "c.webp", {0x0110: "prompt:" + json.dumps(COMFY_API),
                                             0x010F: "workflow:" + json.dumps(workflow())},
                      fmt="WEBP")
    meta = read_file_metadata(path)
    assert meta.tool == "comfyui" and meta.request.prompt == "a bottle of stars"


# -- InvokeAI ---------------------------------------------------------------------


@pytest.mark.parametrize(("model", "lora"), [
    ({"key": "abc", "hash": "blake3:deadbeef", "name": "Juggernaut XL", "base": "sdxl",
      "type": "main"}, {"model": {"key": "k", "hash": "blake3:1", "name": "detail"}}),
    ({"model_name": "Juggernaut XL", "base_model": "sdxl", "model_type": "main"},
     {"lora": {"model_name": "detail", "base_model": "sdxl"}}),
])
def test_invokeai_v3_and_later(tmp_path, model, lora):
    meta_json = {"generation_mode": "txt2img", "positive_prompt": "a fox",
                 "negative_prompt": "ugly", "width": 768, "height": 512, "seed": 1234,
                 "cfg_scale": 7.5, "steps": 30, "scheduler": "euler_a", "model": model,
                 "loras": [{**lora, "weight": 0.75}], "app_version": "4.2.0"}
    meta = read_file_metadata(png(tmp_path / "i.png",
                                  text={"invokeai_metadata": json.dumps(meta_json)}))
    assert meta.tool == "invokeai"
    assert meta.request.prompt == "a fox" and meta.request.seed == 1234
    assert meta.request.model == "Juggernaut XL"
    assert meta.request.params == {"negative_prompt": "ugly", "steps": 30, "width": 768,
                                   "height": 512, "guidance_scale": 7.5,
                                   "scheduler": "euler_a", "loras": "detail:0.75"}
    assert meta.model_hash == model.get("hash")
    assert [lo.name for lo in meta.loras] == ["detail"]


def test_invokeai_v2_sd_metadata(tmp_path):
    meta_json = {"model": "stable diffusion", "model_weights": "stable-diffusion-1.5",
                 "model_hash": "cc6cb27103", "app_id": "invoke-ai/InvokeAI",
                 "image": {"prompt": [{"prompt": "a castle [fog, blurry]", "weight": 1.0}],
                           "steps": 50, "cfg_scale": 7.5, "height": 512, "width": 768,
                           "seed": 3357757885, "type": "txt2img", "sampler": "k_lms"}}
    meta = read_file_metadata(png(tmp_path / "v2.png",
                                  text={"sd-metadata": json.dumps(meta_json),
                                        "Dream": '"a castle [fog, blurry]" -s 50'}))
    r = meta.request
    assert meta.tool == "invokeai" and r.prompt == "a castle"
    assert r.params["negative_prompt"] == "fog, blurry" and r.seed == 3357757885
    assert r.model == "stable-diffusion-1.5" and meta.model_hash == "cc6cb27103"
    assert meta.sampler == "k_lms" and "scheduler" not in r.params  # no LMS in Studio


def test_invokeai_v1_dream_command_line(tmp_path):
    dream = '"a fantastic alien landscape [ugly, blurry]" -s 50 -S 42 -W 512 -H 640 ' \
            "-C 7.5 -A k_euler_a"
    meta = read_file_metadata(png(tmp_path / "d.png", text={"Dream": dream}))
    r = meta.request
    assert r.prompt == "a fantastic alien landscape" and r.seed == 42
    assert r.params == {"negative_prompt": "ugly, blurry", "steps": 50, "width": 512,
                        "height": 640, "guidance_scale": 7.5, "scheduler": "euler_a"}


# -- NovelAI ----------------------------------------------------------------------

NAI_COMMENT = {"prompt": "1girl, best quality", "steps": 28, "height": 1216, "width": 832,
               "scale": 5.0, "seed": 2718, "n_samples": 1, "noise_schedule": "native",
               "sampler": "k_euler_ancestral", "uc": "lowres, bad anatomy",
               "request_type": "PromptGenerateRequest"}
NAI_FIELDS = {"Title": "AI generated image", "Description": "1girl, best quality",
              "Software": "NovelAI", "Source": "NovelAI Diffusion V3 7BCCAA2C",
              "Generation time": "1.5", "Comment": json.dumps(NAI_COMMENT)}


def assert_novelai(meta):
    r = meta.request
    assert meta.tool == "novelai" and r.prompt == "1girl, best quality" and r.seed == 2718
    assert r.params == {"negative_prompt": "lowres, bad anatomy", "steps": 28, "width": 832,
                        "height": 1216, "guidance_scale": 5.0, "scheduler": "euler_a"}
    assert r.model == "NovelAI Diffusion V3" and meta.model_hash == "7BCCAA2C"


def test_novelai_text_chunks(tmp_path):
    assert_novelai(read_file_metadata(png(tmp_path / "n.png", text=NAI_FIELDS)))


def test_novelai_stealth_alpha(tmp_path):
    path = stealth_png(tmp_path / "n.png", json.dumps(NAI_FIELDS), "stealth_pngcomp",
                       size=(128, 128))
    assert_novelai(read_file_metadata(path))


# -- Fooocus ----------------------------------------------------------------------

FOOOCUS = {"adm_guidance": "(1.5, 0.8, 0.3)", "base_model": "juggernautXL_v8Rundiffusion",
           "base_model_hash": "aeb7e9e689", "clip_skip": 2, "full_negative_prompt": ["x"],
           "full_prompt": ["a cat, highly detailed"], "guidance_scale": 4,
           "loras": [["sd_xl_offset_example-lora_1.0", 0.1, "4852686128"]],
           "metadata_scheme": "fooocus", "negative_prompt": "", "performance": "Speed",
           "prompt": "a cat", "refiner_model": "None", "resolution": "(1152, 896)",
           "sampler": "dpmpp_2m_sde_gpu", "scheduler": "karras", "seed": "8739291834",
           "sharpness": 2, "steps": 30, "styles": "['Fooocus V2']", "vae": "Default (model)",
           "version": "Fooocus v2.5.5"}


def assert_fooocus(meta):
    r = meta.request
    assert meta.tool == "fooocus"
    assert r.prompt == "a cat" and r.seed == 8739291834 and r.model == FOOOCUS["base_model"]
    assert r.params == {"steps": 30, "width": 1152, "height": 896, "guidance_scale": 4.0,
                        "loras": "sd_xl_offset_example-lora_1.0:0.1"}
    assert meta.model_hash == "aeb7e9e689" and meta.sampler == "dpmpp_2m_sde_gpu"
    assert meta.loras == (LoraRef("sd_xl_offset_example-lora_1.0", 0.1, "4852686128"),)


def test_fooocus_json_is_not_taken_for_a_prompt(tmp_path):
    meta = read_file_metadata(png(tmp_path / "f.png", text={
        "parameters": json.dumps(FOOOCUS), "fooocus_scheme": "fooocus"}))
    assert_fooocus(meta)
    # Re-saved without the scheme chunk: still recognised by its keys.
    assert_fooocus(read_file_metadata(png(tmp_path / "g.png",
                                          text={"parameters": json.dumps(FOOOCUS)})))


def test_fooocus_jpeg_exif(tmp_path):
    path = exif_image(tmp_path / "f.jpg", {0x9286: json.dumps(FOOOCUS),
                                            0x0131: "Fooocus v2.5.5", 0x927C: "fooocus"})
    assert_fooocus(read_file_metadata(path))


def test_fooocus_in_a1111_scheme(tmp_path):
    meta = read_file_metadata(png(tmp_path / "f.png", text={
        "parameters": A1111_TEXT, "fooocus_scheme": "a1111"}))
    assert meta.tool == "fooocus" and meta.request.seed == 42


# -- SwarmUI ----------------------------------------------------------------------

SWARM = {"sui_image_params": {
    "prompt": "a robot", "negativeprompt": "text", "model": "sd_xl_base_1.0",
    "seed": 1690201393, "steps": 20, "cfgscale": 7, "aspectratio": "1:1", "width": 1024,
    "height": 1024, "sampler": "euler", "scheduler": "normal", "loras": ["ink"],
    "loraweights": ["0.8"], "swarm_version": "0.9.2.1"},
    "sui_extra_data": {"date": "2024-08-05", "prep_time": "1.2 sec"}}


def assert_swarm(meta):
    r = meta.request
    assert meta.tool == "swarmui" and r.prompt == "a robot" and r.seed == 1690201393
    assert r.model == "sd_xl_base_1.0"
    assert r.params == {"negative_prompt": "text", "steps": 20, "width": 1024, "height": 1024,
                        "guidance_scale": 7.0, "scheduler": "euler", "loras": "ink:0.8"}
    assert meta.created == datetime(2024, 8, 5).timestamp()


def test_swarmui_png(tmp_path):
    assert_swarm(read_file_metadata(png(tmp_path / "s.png",
                                        text={"parameters": json.dumps(SWARM)})))


def test_swarmui_jpeg(tmp_path):
    path = exif_image(tmp_path / "s.jpg", {},
                      exif_ifd={0x9286: user_comment(json.dumps(SWARM), "unicode-le")})
    assert_swarm(read_file_metadata(path))


# -- Draw Things ------------------------------------------------------------------

DRAW_THINGS = {"c": "a koi pond", "uc": "murky", "seed": 1418, "steps": 16, "scale": 5,
               "sampler": "Euler A", "size": "640x512", "model": "sd_xl_base_1.0_f16.ckpt",
               "strength": 1, "lora": [{"file": "koi_lora_f16.ckpt", "weight": 0.6}]}


def xmp(comment: dict) -> str:
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        'rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:xmp="http://ns.adobe.com/xap/1.0/">'
        f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{comment["c"]}</rdf:li>'
        "</rdf:Alt></dc:description><exif:UserComment><rdf:Alt>"
        f'<rdf:li xml:lang="x-default">{html.escape(json.dumps(comment))}</rdf:li></rdf:Alt>'
        "</exif:UserComment><xmp:CreatorTool>Draw Things</xmp:CreatorTool>"
        "<xmp:CreateDate>2024-03-01T10:00:00+00:00</xmp:CreateDate>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    )


def test_draw_things_xmp(tmp_path):
    meta = read_file_metadata(png(tmp_path / "d.png",
                                  itxt={"XML:com.adobe.xmp": xmp(DRAW_THINGS)}))
    r = meta.request
    assert meta.tool == "drawthings" and r.prompt == "a koi pond" and r.seed == 1418
    assert r.params == {"negative_prompt": "murky", "steps": 16, "width": 640, "height": 512,
                        "guidance_scale": 5.0, "scheduler": "euler_a",
                        "loras": "koi_lora_f16.ckpt:0.6"}
    assert r.model == "sd_xl_base_1.0_f16.ckpt" and meta.created == 1709287200.0


# -- Easy Diffusion ---------------------------------------------------------------


def test_easy_diffusion_plain_text_fields(tmp_path):
    meta = read_file_metadata(png(tmp_path / "e.png", text={
        "prompt": "a meadow", "negative_prompt": "people", "seed": "77",
        "num_inference_steps": "25", "guidance_scale": "7.5", "width": "512",
        "height": "512", "sampler_name": "euler_a", "use_stable_diffusion_model": "sd-v1-4"}))
    assert meta.tool == "easydiffusion" and meta.request.prompt == "a meadow"
    assert meta.request.seed == 77 and meta.request.params["steps"] == 25
    assert meta.request.model == "sd-v1-4"
