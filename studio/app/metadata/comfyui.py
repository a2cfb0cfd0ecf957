"""ComfyUI: the ``prompt`` chunk (API graph) and the ``workflow`` chunk (UI graph).

The API graph maps node ids to ``{"class_type", "inputs"}``; an input is a value or
a link ``[node_id, output_index]``. Settings are read from the sampler that feeds
the saved image, following links through the common core nodes. A file with only
the UI graph is first turned into the API shape from the widget values of the
nodes listed in ``WIDGETS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from studio.api import RequestError
from studio.app.metadata.model import FileMetadata, LoraRef, image_request, loads_object

Graph = dict[str, dict[str, Any]]

_SAMPLERS = ("KSampler", "KSamplerAdvanced", "SamplerCustom", "SamplerCustomAdvanced")
_MAX_DEPTH = 32
#: UI node type -> the names of its widget values, in order ("" for control widgets).
WIDGETS: dict[str, tuple[str, ...]] = {
    "KSampler": ("seed", "", "steps", "cfg", "sampler_name", "scheduler", "denoise"),
    "KSamplerAdvanced": ("add_noise", "noise_seed", "", "steps", "cfg", "sampler_name",
                         "scheduler", "start_at_step", "end_at_step",
                         "return_with_leftover_noise"),
    "SamplerCustom": ("add_noise", "noise_seed", "", "cfg"),
    "CLIPTextEncode": ("text",),
    "CLIPTextEncodeSDXL": ("width", "height", "crop_w", "crop_h", "target_width",
                           "target_height", "text_g", "text_l"),
    "CLIPTextEncodeSDXLRefiner": ("ascore", "width", "height", "text"),
    "CLIPTextEncodeFlux": ("clip_l", "t5xxl", "guidance"),
    "CheckpointLoaderSimple": ("ckpt_name",),
    "CheckpointLoader": ("config_name", "ckpt_name"),
    "UNETLoader": ("unet_name", "weight_dtype"),
    "LoraLoader": ("lora_name", "strength_model", "strength_clip"),
    "LoraLoaderModelOnly": ("lora_name", "strength_model"),
    "EmptyLatentImage": ("width", "height", "batch_size"),
    "EmptySD3LatentImage": ("width", "height", "batch_size"),
    "RandomNoise": ("noise_seed", ""),
    "KSamplerSelect": ("sampler_name",),
    "BasicScheduler": ("scheduler", "steps", "denoise"),
    "CFGGuider": ("cfg",),
    "FluxGuidance": ("guidance",),
    "PrimitiveNode": ("value", ""),
    "PrimitiveInt": ("value", ""),
    "PrimitiveFloat": ("value",),
    "PrimitiveString": ("value",),
    "PrimitiveStringMultiline": ("value",),
}


def parse(prompt_text: str | None, workflow_text: str | None) -> FileMetadata:
    """The metadata of a ComfyUI file from its ``prompt`` and/or ``workflow`` chunks."""
    raw: dict[str, Any] = {}
    graph: Graph | None = None
    if workflow_text is not None:
        workflow = loads_object(workflow_text)
        if workflow is None:
            raise RequestError("the ComfyUI workflow chunk is not a JSON object")
        raw["workflow"] = workflow
    if prompt_text is not None:
        prompt = loads_object(prompt_text)
        if prompt is None:
            raise RequestError("the ComfyUI prompt chunk is not a JSON node graph")
        raw["prompt"] = prompt
        graph = {str(k): dict(v) for k, v in prompt.items() if isinstance(v, Mapping)}
    if not graph and "workflow" in raw:
        graph = graph_from_workflow(raw["workflow"])
    return FileMetadata(tool="comfyui", raw=raw, **_settings(graph or {}))


def graph_from_workflow(workflow: Mapping[str, Any]) -> Graph:
    """The API-shaped graph of a UI workflow, for the node types in ``WIDGETS``."""
    nodes = workflow.get("nodes")
    links = workflow.get("links")
    if not isinstance(nodes, list):
        return {}
    sources: dict[Any, list[Any]] = {}
    for link in links if isinstance(links, list) else ():
        if isinstance(link, list) and len(link) >= 4:
            sources[link[0]] = [str(link[1]), link[2]]
        elif isinstance(link, Mapping) and "id" in link:
            sources[link["id"]] = [str(link.get("origin_id")), link.get("origin_slot", 0)]
    graph: Graph = {}
    for node in nodes:
        if not isinstance(node, Mapping) or node.get("mode") in (2, 4):
            continue  # muted or bypassed: it did not take part
        kind = str(node.get("type", ""))
        inputs: dict[str, Any] = {}
        values = node.get("widgets_values")
        if isinstance(values, Mapping):
            inputs.update(values)
        elif isinstance(values, list):
            for name, value in zip(WIDGETS.get(kind, ()), values, strict=False):
                if name:
                    inputs[name] = value
        for slot in node.get("inputs") or ():
            if isinstance(slot, Mapping) and slot.get("link") in sources:
                inputs[str(slot.get("name"))] = sources[slot["link"]]
        graph[str(node.get("id"))] = {"class_type": kind, "inputs": inputs}
    return graph


# -- reading the settings out of an API graph -----------------------------------------


def _settings(graph: Graph) -> dict[str, Any]:
    sampler = _main_sampler(graph)
    if sampler is None:
        raise RequestError(
            "the ComfyUI graph has no KSampler (or SamplerCustom) node to read settings from"
        )
    inputs = _inputs(sampler)
    guider = _node(graph, inputs.get("guider"))
    noise = _node(graph, inputs.get("noise"))
    select = _node(graph, inputs.get("sampler"))
    sigmas = _node(graph, inputs.get("sigmas"))

    def first(key: str, *nodes: dict[str, Any] | None) -> Any:
        for node in (sampler, *nodes):
            if node is not None and key in _inputs(node):
                return _value(graph, _inputs(node)[key])
        return None

    positive = inputs.get("positive")
    negative = inputs.get("negative")
    model_link = inputs.get("model")
    if guider is not None:
        g = _inputs(guider)
        positive = g.get("positive", g.get("conditioning", positive))
        negative = g.get("negative", negative)
        model_link = g.get("model", model_link)
    cfg = first("cfg", guider)
    if cfg is None:
        cfg = _guidance(graph, positive)
    model, loras = _model(graph, model_link)
    width, height = _size(graph, inputs.get("latent_image"))
    sampler_name = first("sampler_name", select)
    denoise = first("denoise", sigmas)
    request = image_request(
        prompt=_text(graph, positive),
        negative=_text(graph, negative),
        model=model,
        seed=first("seed", noise) if first("seed", noise) is not None
        else first("noise_seed", noise),
        steps=first("steps", sigmas),
        cfg=cfg,
        width=width,
        height=height,
        sampler=sampler_name if isinstance(sampler_name, str) else None,
        schedule=_str(first("scheduler", sigmas)),
        strength=denoise,
        loras=loras,
    )
    return {"request": request, "loras": tuple(loras),
            "sampler": sampler_name if isinstance(sampler_name, str) else None}


def _main_sampler(graph: Graph) -> dict[str, Any] | None:
    """The first-pass sampler behind the saved image (or the first sampler at all)."""
    samplers = [n for n in graph.values() if _is_sampler(n)]
    if not samplers:
        return None
    outputs = [n for n in graph.values() if "Save" in str(n.get("class_type", ""))
               or n.get("class_type") == "PreviewImage"]
    reached: list[dict[str, Any]] = []
    seen: set[str] = set()
    frontier = [link for n in outputs for link in _inputs(n).values()]
    while frontier and len(seen) < 10_000:
        link = frontier.pop(0)
        if not _is_link(link) or str(link[0]) in seen:
            continue
        seen.add(str(link[0]))
        node = graph.get(str(link[0]))
        if node is None:
            continue
        if _is_sampler(node):
            reached.append(node)
        frontier.extend(_inputs(node).values())
    # The pass that starts from an empty latent carries the size and the seed.
    for node in reached or samplers:
        latent = _node(graph, _inputs(node).get("latent_image"))
        if latent is not None and "Empty" in str(latent.get("class_type", "")):
            return node
    return (reached or samplers)[0]


def _is_sampler(node: Mapping[str, Any]) -> bool:
    kind = str(node.get("class_type", ""))
    return kind in _SAMPLERS or kind.startswith("KSampler")


def _inputs(node: Mapping[str, Any]) -> dict[str, Any]:
    inputs = node.get("inputs")
    return inputs if isinstance(inputs, dict) else {}


def _is_link(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and isinstance(value[0], (str, int)) \
        and not isinstance(value[0], bool)


def _node(graph: Graph, link: Any) -> dict[str, Any] | None:
    return graph.get(str(link[0])) if _is_link(link) else None


def _value(graph: Graph, value: Any, depth: int = 0) -> Any:
    """A widget value, following links to primitive / seed / string nodes."""
    while _is_link(value) and depth < _MAX_DEPTH:
        node = graph.get(str(value[0]))
        if node is None:
            return None
        inputs = _inputs(node)
        for key in ("value", "seed", "noise_seed", "int", "float", "number", "string",
                    "text", "Text"):
            if key in inputs:
                value = inputs[key]
                break
        else:
            scalars = [v for v in inputs.values() if not _is_link(v)]
            return scalars[0] if len(scalars) == 1 else None
        depth += 1
    return None if _is_link(value) else value


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _text(graph: Graph, link: Any, depth: int = 0) -> str:
    """The prompt text a conditioning link leads to, joining combined conditionings."""
    node = _node(graph, link)
    if node is None or depth > _MAX_DEPTH:
        return ""
    inputs = _inputs(node)
    kind = str(node.get("class_type", ""))
    if kind == "ConditioningZeroOut":
        return ""
    for key in ("text", "text_g", "t5xxl", "clip_l", "prompt", "positive", "text_l"):
        if key in inputs:
            value = _value(graph, inputs[key])
            if isinstance(value, str):
                # SDXL's second text box usually repeats the first.
                if key == "text_g":
                    other = _value(graph, inputs.get("text_l"))
                    if isinstance(other, str) and other.strip() and other != value:
                        return f"{value}\n{other}"
                return value
            if key in ("positive", "text") and _is_link(inputs[key]):
                break
    if kind == "ControlNetApplyAdvanced" or ("positive" in inputs and "negative" in inputs):
        # Two outputs: 0 passes the positive conditioning through, 1 the negative.
        key = "negative" if link[1] == 1 else "positive"
        return _text(graph, inputs.get(key), depth + 1)
    parts = []
    for key in ("conditioning", "conditioning_to", "conditioning_1", "conditioning_from",
                "conditioning_2"):
        if key in inputs:
            part = _text(graph, inputs[key], depth + 1)
            if part and part not in parts:
                parts.append(part)
    return ", ".join(parts)


def _guidance(graph: Graph, link: Any, depth: int = 0) -> Any:
    """The distilled guidance of a Flux graph (FluxGuidance or CLIPTextEncodeFlux)."""
    node = _node(graph, link)
    if node is None or depth > _MAX_DEPTH:
        return None
    inputs = _inputs(node)
    if "guidance" in inputs:
        return _value(graph, inputs["guidance"])
    return _guidance(graph, inputs.get("conditioning"), depth + 1)


def _model(graph: Graph, link: Any) -> tuple[str, list[LoraRef]]:
    """The checkpoint behind a model link, and the LoRAs loaded on the way."""
    loras: list[LoraRef] = []
    node = _node(graph, link)
    for _ in range(_MAX_DEPTH):
        if node is None:
            break
        inputs = _inputs(node)
        if "lora_name" in inputs:
            name = _value(graph, inputs["lora_name"])
            weight = _value(graph, inputs.get("strength_model"))
            if isinstance(name, str) and name:
                loras.append(LoraRef(name, float(weight) if isinstance(weight, (int, float))
                                     and not isinstance(weight, bool) else None))
        for key in ("ckpt_name", "unet_name", "model_name", "gguf_name"):
            value = _value(graph, inputs.get(key))
            if isinstance(value, str) and value:
                return value, loras[::-1]
        node = _node(graph, inputs.get("model"))
    # No chain to follow (a custom loader in between): any checkpoint loader will do.
    for other in graph.values():
        for key in ("ckpt_name", "unet_name"):
            value = _value(graph, _inputs(other).get(key))
            if isinstance(value, str) and value:
                return value, loras[::-1]
    return "", loras[::-1]


def _size(graph: Graph, link: Any) -> tuple[Any, Any]:
    node = _node(graph, link)
    for _ in range(_MAX_DEPTH):
        if node is None:
            return None, None
        inputs = _inputs(node)
        if "width" in inputs and "height" in inputs:
            return _value(graph, inputs["width"]), _value(graph, inputs["height"])
        node = _node(graph, inputs.get("samples", inputs.get("latent")))
    return None, None
