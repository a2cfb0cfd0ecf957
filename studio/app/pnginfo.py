"""Read a generation request back from a PNG: Studio's own chunk, A1111 text, ComfyUI graphs.

Studio's ``studio`` chunk holds the full request and reproduces the image exactly.
The other two are best effort: they map what the common fields mean onto the
parameter names Studio's image generators share (steps, guidance_scale, width,
height, negative_prompt, scheduler, strength) and leave the rest out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from studio.api import GenerationRequest, RequestError
from studio.app.writers import PNG_JSON_KEY

#: A1111/Civitai sampler names -> Studio scheduler names.
A1111_SAMPLERS = {
    "euler": "euler", "euler a": "euler_a", "dpm++ 2m": "dpmpp_2m",
    "dpm++ 2m karras": "dpmpp_2m", "ddim": "ddim", "unipc": "unipc", "lcm": "lcm",
}
#: ComfyUI KSampler sampler_name -> Studio scheduler names.
COMFY_SAMPLERS = {
    "euler": "euler", "euler_ancestral": "euler_a", "dpmpp_2m": "dpmpp_2m",
    "ddim": "ddim", "uni_pc": "unipc", "uni_pc_bh2": "unipc", "lcm": "lcm",
}
# A1111's own field pattern (modules/infotext_utils.py): "Key: value" or 'Key: "quoted"'.
_FIELD = re.compile(r'\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)')
_SIZE = re.compile(r"^(\d+)x(\d+)$")


def request_from_png(path: Path) -> GenerationRequest:
    """The request stored in ``path``; ``RequestError`` if it is unreadable or holds none."""
    chunks = _text_chunks(Path(path))
    if PNG_JSON_KEY in chunks:
        return _from_studio(chunks[PNG_JSON_KEY], path)
    if "parameters" in chunks:
        return parse_a1111(chunks["parameters"])
    if "prompt" in chunks:
        return parse_comfyui(chunks["prompt"])
    raise RequestError(
        f"{path} carries no generation metadata (no studio, parameters or prompt text "
        "chunk); it may have been re-saved by a program that drops metadata"
    )


def _text_chunks(path: Path) -> dict[str, str]:
    from PIL import Image, UnidentifiedImageError

    if not path.is_file():
        raise RequestError(f"{path} does not exist")
    try:
        with Image.open(path) as im:
            if im.format != "PNG":
                raise RequestError(f"{path} is a {im.format} image; only PNG metadata is read")
            text = dict(getattr(im, "text", {}))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise RequestError(f"{path} is not a readable PNG image: {exc}") from exc
    return {k: v for k, v in text.items() if isinstance(v, str)}


def _from_studio(text: str, path: Path) -> GenerationRequest:
    try:
        meta = json.loads(text)
        request = GenerationRequest.from_dict(meta["request"])
    except (ValueError, KeyError, TypeError) as exc:
        raise RequestError(f"{path}: the studio metadata is damaged ({exc})") from exc
    if not request.modality:
        raise RequestError(f"{path}: the studio metadata names no modality")
    return request


# -- AUTOMATIC1111 / Civitai ---------------------------------------------------------


def parse_a1111(text: str) -> GenerationRequest:
    """``prompt\\nNegative prompt: ...\\nSteps: 20, Sampler: ..., Seed: 1, ...`` -> request."""
    lines = text.strip().split("\n")
    if not lines or not lines[-1].strip():
        raise RequestError("the A1111 parameters text is empty")
    fields = _a1111_fields(lines[-1])
    if "Steps" not in fields:
        # No settings line: the whole text is a prompt (A1111 writes it so when empty).
        fields, body = {}, lines
    else:
        body = lines[:-1]
    prompt_lines: list[str] = []
    negative_lines: list[str] = []
    target = prompt_lines
    for line in body:
        if line.startswith("Negative prompt:"):
            target = negative_lines
            line = line[len("Negative prompt:"):].strip()
        target.append(line)
    params: dict[str, Any] = {}
    negative = "\n".join(negative_lines).strip()
    if negative:
        params["negative_prompt"] = negative
    _put_int(params, "steps", fields.get("Steps"))
    _put_float(params, "guidance_scale", fields.get("CFG scale"))
    _put_float(params, "strength", fields.get("Denoising strength"))
    sampler = A1111_SAMPLERS.get(fields.get("Sampler", "").strip().lower())
    if sampler:
        params["scheduler"] = sampler
    size = _SIZE.match(fields.get("Size", "").strip())
    if size:
        params["width"], params["height"] = int(size.group(1)), int(size.group(2))
    seed = _int(fields.get("Seed"))
    return GenerationRequest(
        modality="image",
        prompt="\n".join(prompt_lines).strip(),
        task="txt2img",
        model=fields.get("Model", "").strip(),
        params=params,
        seed=seed,
    )


def _a1111_fields(line: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in _FIELD.findall(line):
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            try:
                value = json.loads(value)
            except ValueError:
                value = value[1:-1]
        out[key.strip()] = value
    return out


# -- ComfyUI ---------------------------------------------------------------------


def parse_comfyui(text: str) -> GenerationRequest:
    """A ComfyUI API graph (the ``prompt`` chunk) -> request, from its first KSampler."""
    try:
        graph = json.loads(text)
    except ValueError as exc:
        raise RequestError(f"the ComfyUI prompt chunk is not JSON: {exc}") from exc
    if not isinstance(graph, Mapping):
        raise RequestError("the ComfyUI prompt chunk is not a node graph")
    nodes = {str(k): v for k, v in graph.items() if isinstance(v, Mapping)}
    sampler = next((n for n in nodes.values()
                    if str(n.get("class_type", "")).startswith("KSampler")), None)
    if sampler is None:
        raise RequestError("the ComfyUI graph has no KSampler node to read settings from")
    inputs = sampler.get("inputs", {})
    params: dict[str, Any] = {}
    _put_int(params, "steps", inputs.get("steps"))
    _put_float(params, "guidance_scale", inputs.get("cfg"))
    scheduler = COMFY_SAMPLERS.get(str(inputs.get("sampler_name", "")))
    if scheduler:
        params["scheduler"] = scheduler
    denoise = inputs.get("denoise")
    if isinstance(denoise, (int, float)) and 0 < denoise < 1:
        params["strength"] = float(denoise)
    negative = _comfy_text(nodes, inputs.get("negative"))
    if negative:
        params["negative_prompt"] = negative
    latent = _comfy_node(nodes, inputs.get("latent_image"))
    if latent is not None and latent.get("class_type") == "EmptyLatentImage":
        _put_int(params, "width", latent.get("inputs", {}).get("width"))
        _put_int(params, "height", latent.get("inputs", {}).get("height"))
    model = ""
    for node in nodes.values():
        if "ckpt_name" in node.get("inputs", {}):
            model = str(node["inputs"]["ckpt_name"])
            break
    seed = inputs.get("seed", inputs.get("noise_seed"))
    return GenerationRequest(
        modality="image",
        prompt=_comfy_text(nodes, inputs.get("positive")),
        task="txt2img",
        model=model,
        params=params,
        seed=seed if isinstance(seed, int) and not isinstance(seed, bool) else None,
    )


def _comfy_node(nodes: Mapping[str, Any], link: Any) -> Mapping[str, Any] | None:
    # A link is [node_id, output_index].
    if isinstance(link, list) and link:
        return nodes.get(str(link[0]))
    return None


def _comfy_text(nodes: Mapping[str, Any], link: Any, depth: int = 0) -> str:
    """The text of the CLIPTextEncode a conditioning link leads to (following simple chains)."""
    node = _comfy_node(nodes, link)
    if node is None or depth > 8:
        return ""
    inputs = node.get("inputs", {})
    for key in ("text", "text_g", "text_l"):
        value = inputs.get(key)
        if isinstance(value, str):
            return value
        if isinstance(value, list):  # the text comes from another node (a primitive)
            source = _comfy_node(nodes, value)
            if source is not None:
                for v in source.get("inputs", {}).values():
                    if isinstance(v, str):
                        return v
    for key in ("conditioning", "conditioning_1", "conditioning_to"):
        if key in inputs:
            return _comfy_text(nodes, inputs[key], depth + 1)
    return ""


# -- small converters -----------------------------------------------------------


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _put_int(params: dict[str, Any], key: str, value: Any) -> None:
    number = _int(value)
    if number is not None:
        params[key] = number


def _put_float(params: dict[str, Any], key: str, value: Any) -> None:
    try:
        params[key] = float(str(value).strip())
    except (TypeError, ValueError):
        pass
