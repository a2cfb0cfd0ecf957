"""A tiny in-repo pack for engine mechanics only (queue, cancel, errors, progress).

Real generators are tested with real models in their own packs' tests.
"""

from __future__ import annotations

import threading

from studio.api import GeneratorInfo, ModelRef, Param, hookimpl

STUDIO_API_VERSION = 1

#: Set by tests to block a job at a given step until released.
GATES: dict[str, threading.Event] = {}
LOADS: list[str] = []


@hookimpl
def studio_register_generators(register):
    register(
        GeneratorInfo(
            id="fake.image",
            name="Fake image",
            modality="image",
            tasks=("txt2img", "img2img"),
            factory="tests.fakes.fake_generator:FakeGenerator",
            params=(
                Param("steps", "int", 4, min=1, max=1000, help="denoising steps"),
                Param("width", "int", 16, min=8, max=256, multiple_of=8, help="square side"),
                Param("delay", "float", 0.0, min=0, max=5, advanced=True, help="seconds per step"),
                Param("fail", "bool", False, advanced=True, help="raise a StudioError"),
                Param("crash", "bool", False, advanced=True, help="raise a RuntimeError"),
                Param("gate", "str", "", advanced=True, help="wait at step 2 for this gate"),
                Param("die", "bool", False, advanced=True, help="kill the process"),
                Param("stall", "float", 0.0, min=0, max=60, advanced=True,
                      help="sleep without reporting progress"),
                Param("exit", "choice", "no", choices=("no", "sys_exit", "os_exit"),
                      advanced=True, help="call sys.exit(3) or os._exit(3) while generating"),
                Param("hang", "str", "", advanced=True,
                      help="ignore cancel and wait (up to 60 s) for this gate"),
                Param("oom", "choice", "never", choices=("never", "unless_offload", "always"),
                      advanced=True, help="simulate CUDA out-of-memory"),
                Param("batch_size", "int", 1, min=1, max=8, help="images per job"),
                Param("scheduler", "choice", "euler", choices=("euler", "ddim"), help="sampler"),
            ),
            # Nothing to download: the fake "weights" are made up in load().
            models=(ModelRef("fake/model-a", "Fake A", bundled=True),
                    ModelRef("fake/model-b", "Fake B", bundled=True)),
            default_model="fake/model-a",
            supports_preview=True,
            task_inputs={"img2img": ("image",)},
        )
    )
    register(
        GeneratorInfo(
            id="fake.text",
            name="Fake text",
            modality="text",
            tasks=("continue",),
            factory="tests.fakes.fake_generator:FakeText",
            params=(Param("max_new_tokens", "int", 5, min=1, max=100, help="length"),),
            supports_streaming=True,
        )
    )


@hookimpl
def studio_register_styles(register):
    register({"name": "Fake watercolor", "prompt": "watercolor", "tags": ["paint"]})
