"""The public plugin API of Studio. Plugins import only from this package.

Read ``hookspecs`` for the hooks, ``types`` for requests and descriptors,
``params`` for parameter schemas and ``generator`` for the class to implement.
Media helpers are submodules, imported by name: ``from studio.api import audio``.
"""

from studio.api.errors import (
    Cancelled,
    ModelError,
    OutOfMemory,
    ParamError,
    PluginError,
    RequestError,
    StudioError,
)
from studio.api.generator import CancelToken, Generator, LoadPlan, ProgressFn
from studio.api.hookspecs import hookimpl, hookspec
from studio.api.params import Param, ParamSchema
from studio.api.types import MODALITIES, GenerationRequest, GeneratorInfo, ModelRef, Output

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
