"""InvokeAI, three generations of it.

- ``invokeai_metadata`` (3.0 and later): JSON with positive_prompt, negative_prompt,
  seed, steps, cfg_scale, scheduler, width, height, model {name or model_name, hash}
  and loras [{lora or model: {...}, weight}].
- ``sd-metadata`` (2.x): JSON with "model_weights", "model_hash" and an "image"
  object (prompt as a string or a list of {prompt, weight}, seed, steps, cfg_scale,
  sampler, width, height, strength).
- ``Dream`` (1.x): a command line, ``"prompt [negative]" -s 50 -S 42 -W 512 ...``.

Before 3.0 the negative prompt is written inside the prompt in square brackets.
"""

from __future__ import annotations

import re
import shlex

from studio.api import RequestError
from studio.app.metadata.model import (
    FileMetadata,
    LoraRef,
    image_request,
    loads_object,
    to_float,
    to_str,
)

_BRACKETS = re.compile(r"\[([^\[\]]*)\]")


def parse_v3(text: str) -> FileMetadata:
    meta = loads_object(text)
    if meta is None:
        raise RequestError("the invokeai_metadata chunk is not a JSON object")
    model = meta.get("model") if isinstance(meta.get("model"), dict) else {}
    loras = []
    for item in meta.get("loras") or ():
        if not isinstance(item, dict):
            continue
        ref = item.get("lora", item.get("model"))
        ref = ref if isinstance(ref, dict) else {}
        name = to_str(ref.get("name")) or to_str(ref.get("model_name")) or to_str(ref.get("key"))
        if name:
            loras.append(LoraRef(name, to_float(item.get("weight")), to_str(ref.get("hash"))
                                 or None))
    mode = to_str(meta.get("generation_mode"))
    request = image_request(
        prompt=to_str(meta.get("positive_prompt")),
        negative=to_str(meta.get("negative_prompt")),
        model=to_str(model.get("name")) or to_str(model.get("model_name")),
        seed=meta.get("seed"), steps=meta.get("steps"), cfg=meta.get("cfg_scale"),
        width=meta.get("width"), height=meta.get("height"),
        sampler=to_str(meta.get("scheduler")) or None,
        strength=meta.get("strength") if "img2img" in mode or "image_to" in mode else None,
        loras=loras,
    )
    return FileMetadata(
        tool="invokeai", request=request, raw={"invokeai_metadata": meta},
        model_hash=to_str(model.get("hash")) or None, loras=tuple(loras),
        sampler=to_str(meta.get("scheduler")) or None,
    )


def parse_v2(text: str) -> FileMetadata:
    meta = loads_object(text)
    if meta is None:
        raise RequestError("the sd-metadata chunk is not a JSON object")
    image = meta.get("image") if isinstance(meta.get("image"), dict) else {}
    prompt = image.get("prompt")
    if isinstance(prompt, list):  # [{"prompt": ..., "weight": ...}, ...]
        prompt = " ".join(to_str(p.get("prompt")) for p in prompt if isinstance(p, dict))
    positive, negative = split_negative(to_str(prompt))
    request = image_request(
        prompt=positive, negative=negative,
        model=to_str(meta.get("model_weights")),
        seed=image.get("seed"), steps=image.get("steps"), cfg=image.get("cfg_scale"),
        width=image.get("width"), height=image.get("height"),
        sampler=to_str(image.get("sampler")) or None,
        strength=image.get("strength") if image.get("type") == "img2img" else None,
    )
    return FileMetadata(
        tool="invokeai", request=request, raw={"sd-metadata": meta},
        model_hash=to_str(meta.get("model_hash")) or None,
        sampler=to_str(image.get("sampler")) or None,
    )


#: Dream option -> field.
_DREAM_OPTIONS = {
    "-s": "steps", "--steps": "steps", "-S": "seed", "--seed": "seed",
    "-W": "width", "--width": "width", "-H": "height", "--height": "height",
    "-C": "cfg", "--cfg_scale": "cfg", "-A": "sampler", "--sampler": "sampler",
    "-f": "strength", "--strength": "strength",
}


def parse_dream(text: str) -> FileMetadata:
    try:
        words = shlex.split(text)
    except ValueError:
        raise RequestError("the Dream chunk is not a readable command line") from None
    fields: dict[str, str] = {}
    prompt_words: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        name, sep, inline = word.partition("=")
        key = _DREAM_OPTIONS.get(name if sep else word)
        if key is None:
            joined = re.fullmatch(r"(-[sSWHCAf])(.+)", word)  # "-s50"
            if joined:
                fields[_DREAM_OPTIONS[joined.group(1)]] = joined.group(2)
            elif not word.startswith("-"):
                prompt_words.append(word)
            i += 1
            continue
        if sep:
            fields[key] = inline
            i += 1
        else:
            if i + 1 < len(words):
                fields[key] = words[i + 1]
            i += 2
    positive, negative = split_negative(" ".join(prompt_words))
    request = image_request(
        prompt=positive, negative=negative, seed=fields.get("seed"),
        steps=fields.get("steps"), cfg=fields.get("cfg"), width=fields.get("width"),
        height=fields.get("height"), sampler=fields.get("sampler"),
        strength=fields.get("strength"),
    )
    return FileMetadata(tool="invokeai", request=request, raw={"Dream": text},
                        sampler=fields.get("sampler"))


def split_negative(prompt: str) -> tuple[str, str]:
    """``"a cat [dog, blurry]"`` -> ("a cat", "dog, blurry") (InvokeAI 1.x-2.x syntax)."""
    negative = ", ".join(part.strip() for part in _BRACKETS.findall(prompt) if part.strip())
    positive = " ".join(_BRACKETS.sub(" ", prompt).split())
    return positive, negative


