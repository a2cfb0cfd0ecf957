"""The public plugin API of Studio. Plugins import only from this package.

Read ``hookspecs`` for the hooks, ``types`` for requests and descriptors,
``params`` for parameter schemas and ``generator`` for the class to implement.
Media helpers are submodules, imported by name: ``from studio.api import audio``.
"""

from typing import TYPE_CHECKING, Any

from studio.api.errors import (
    Cancelled,
    ModelError,
    OutOfMemory,
    ParamError,
    PluginError,
    RequestError,
    StudioError,
)

if TYPE_CHECKING:
    from studio.api.generator import CancelToken, Generator, LoadPlan, ProgressFn
    from studio.api.hookspecs import hookimpl, hookspec
    from studio.api.params import Param, ParamSchema
    from studio.api.types import (
        MODALITIES,
        GenerationRequest,
        GeneratorInfo,
        ModelRef,
        Output,
    )

#: Where each name is defined. Loaded on first use (PEP 562): ``studio gui`` needs
#: only the errors before its window is painted, and the rest (pluggy among it)
#: cost about 20 ms of that (bench/ui_start.py).
_LAZY = {
    "CancelToken": "generator", "Generator": "generator", "LoadPlan": "generator",
    "ProgressFn": "generator", "hookimpl": "hookspecs", "hookspec": "hookspecs",
    "Param": "params", "ParamSchema": "params", "MODALITIES": "types",
    "GenerationRequest": "types", "GeneratorInfo": "types", "ModelRef": "types",
    "Output": "types",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'studio.api' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"studio.api.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


#: Bumped only on breaking changes to the contract. Packs declare the version they
#: target with a module-level ``STUDIO_API_VERSION``.
API_VERSION = 1

__all__ = [
    "API_VERSION",
    "MODALITIES",
    "CancelToken",
    "Cancelled",
    "GenerationRequest",
    "Generator",
    "GeneratorInfo",
    "LoadPlan",
    "ModelError",
    "ModelRef",
    "Output",
    "OutOfMemory",
    "Param",
    "ParamError",
    "ParamSchema",
    "PluginError",
    "ProgressFn",
    "RequestError",
    "StudioError",
    "hookimpl",
    "hookspec",
]
