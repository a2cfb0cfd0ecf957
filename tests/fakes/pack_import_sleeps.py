"""A pack that takes long to import (``FAKE_PACK_SLEEP_S`` seconds, default 3)."""

import os
import time

from studio.api import GeneratorInfo, hookimpl

time.sleep(float(os.environ.get("FAKE_PACK_SLEEP_S", "3")))

STUDIO_API_VERSION = 1


@hookimpl
def studio_register_generators(register):
    register(GeneratorInfo(id="sleepy.text", name="Sleepy", modality="text",
                           tasks=("continue",), factory="tests.fakes.fake_generator:FakeText"))
