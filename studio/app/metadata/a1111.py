"""AUTOMATIC1111 / Forge infotext: ``prompt\\nNegative prompt: ...\\nSteps: 20, ...``.

Written to the PNG ``parameters`` chunk, the JPEG/WebP EXIF UserComment, or stealth
pixels; Civitai, Fooocus (in its "a1111" scheme) and Studio's image pack write it too.
Field grammar from A1111's ``modules/infotext_utils.py``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from studio.api import RequestError
from studio.app.metadata.model import FileMetadata, LoraRef, image_request, to_float

# A1111's own field pattern: "Key: value" or 'Key: "quoted, with commas"'.
_FIELD = re.compile(r'\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)')
_SIZE = re.compile(r"^\s*(\d+)\s*x\s*(\d+)\s*$")
_LORA_TAG = re.compile(r"<(?:lora|lyco):([^:>]+)(?::([^:>]*))?(?::[^>]*)?>", re.IGNORECASE)


def parse(text: str, tool: str = "automatic1111", raw: dict[str, Any] | None = None
          ) -> FileMetadata:
    """The metadata an infotext holds; ``RequestError`` when it is empty."""
    stripped = text.strip()
    if not stripped:
        raise RequestError("the A1111 parameters text is empty")
    all_lines = stripped.split("\n")
    lines, fields = all_lines, {}
    # The settings line is the last but for extensions' extra lines after it
    # (Dynamic Prompts' "Template: ..."); without one the whole text is a prompt.
    for index in range(len(all_lines) - 1, max(-1, len(all_lines) - 6), -1):
        candidate = fields_of(all_lines[index])
        last = index == len(all_lines) - 1
        if (last and (len(candidate) >= 3 or "Steps" in candidate)) or (
                "Steps" in candidate and len(candidate) >= 3):
            lines, fields = all_lines[:index], candidate
            break
    prompt_lines: list[str] = []
    negative_lines: list[str] = []
    target = prompt_lines
    for line in lines:
        if line.startswith("Negative prompt:"):
            target = negative_lines
            line = line[len("Negative prompt:"):].strip()
        target.append(line)
    prompt = "\n".join(prompt_lines).strip()
    loras = _loras(prompt, fields)
    size = _SIZE.match(fields.get("Size", ""))
    hires = any(key.startswith("Hires") for key in fields)
    request = image_request(
        prompt=prompt,
        negative="\n".join(negative_lines).strip(),
        model=fields.get("Model", ""),
        seed=fields.get("Seed"),
        steps=fields.get("Steps"),
        cfg=fields.get("CFG scale"),
        width=size.group(1) if size else None,
        height=size.group(2) if size else None,
        sampler=fields.get("Sampler"),
        schedule=fields.get("Schedule type"),
        # With hires fix the denoising strength belongs to the second pass.
        strength=None if hires else fields.get("Denoising strength"),
        loras=loras,
    )
    return FileMetadata(
        tool=tool,
        request=request,
        raw=raw if raw is not None else {"parameters": text},
        model_hash=fields.get("Model hash") or None,
        loras=tuple(loras),
        sampler=fields.get("Sampler") or None,
    )


def fields_of(line: str) -> dict[str, str]:
    """The ``Key: value`` pairs of an infotext settings line."""
    out: dict[str, str] = {}
    for key, value in _FIELD.findall(line):
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            try:
                decoded = json.loads(value)
            except ValueError:
                decoded = value[1:-1]
            value = decoded if isinstance(decoded, str) else value[1:-1]
        out[key.strip()] = value
    return out


def _loras(prompt: str, fields: dict[str, str]) -> list[LoraRef]:
    hashes = _pairs(fields.get("Lora hashes", ""))
    loras: dict[str, LoraRef] = {}
    for name, weight in _LORA_TAG.findall(prompt):
        name = name.strip()
        if name and name not in loras:
            loras[name] = LoraRef(name, to_float(weight) if weight else 1.0, hashes.get(name))
    # Studio's image pack writes "LoRAs: name: weight, ..." instead of prompt tags.
    for name, weight in _pairs(fields.get("LoRAs", "")).items():
        if name not in loras:
            loras[name] = LoraRef(name, to_float(weight), hashes.get(name))
    for name, digest in hashes.items():
        if name not in loras:
            loras[name] = LoraRef(name, None, digest)
    return list(loras.values())


def _pairs(text: str) -> dict[str, str]:
    """``"a: 1, b: 2"`` -> {"a": "1", "b": "2"}."""
    out: dict[str, str] = {}
    for item in text.split(","):
        name, sep, value = item.rpartition(":")
        if sep and name.strip():
            out[name.strip()] = value.strip()
    return out
