"""Packs whose registration hook misbehaves: ``sys.exit()`` or a long sleep."""

import os
import sys
import time

from studio.api import hookimpl

STUDIO_API_VERSION = 1


@hookimpl
def studio_register_generators(register):
    if os.environ.get("FAKE_PACK_REGISTER") == "sleep":
        time.sleep(2)
    else:
        sys.exit(5)
