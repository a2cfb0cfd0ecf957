"""The plugin contract: every hook the host calls, grouped by lifecycle stage.

A plugin pack is a Python distribution with an entry point in the group
``studio.plugins`` pointing at a module (or object) that:

* sets ``STUDIO_API_VERSION = 1`` (the host refuses packs built for another
  version, and says so in ``studio plugins list``), and
* implements one or more of the hooks below with ``@hookimpl``.

Hooks must stay cheap: they run during discovery, before any job, and must
leave torch, diffusers and transformers unimported. Heavy code lives behind
``GeneratorInfo.factory`` and is imported on the first job.

Hook arguments are keyword-only and only ever added, never renamed, so a plugin
written against an older version of this module keeps working.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from collections.abc import Callable

    from studio.api.types import GeneratorInfo

PROJECT = "studio"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# --------------------------------------------------------------------------
# Registration (called once per pack during discovery)
# --------------------------------------------------------------------------


@hookspec
def studio_register_generators(register: Callable[[GeneratorInfo], None]) -> None:
    """Declare the generators this pack provides.

    Called once for each pack during plugin discovery, before any job runs.

    :param register: Call it once per generator with a ``GeneratorInfo``
        descriptor (id, modality, tasks, parameter schema, recommended models and
        the import path of the ``Generator`` class). Registering an id that is
        already taken fails this pack only.
    :returns: Nothing; results go through ``register``.
    """


@hookspec
def studio_register_styles(register: Callable[[dict], None]) -> None:
    """Contribute entries to the style catalogue used by suggestions and the GUI.

    Called once for each pack during plugin discovery.

    :param register: Call it once per style with a dict holding at least
        ``name`` and ``prompt`` (the words the style adds), and optionally
        ``tags`` (list of str), ``modalities`` (list of str) and ``negative``.
    :returns: Nothing; results go through ``register``.
    """
