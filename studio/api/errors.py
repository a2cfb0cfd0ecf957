"""The small, user-facing error tree.

Messages are shown to the user as written, so each one says what is wrong and,
where it can, how to fix it. Anything that is not a ``StudioError`` is a bug: the
host logs its traceback and fails only the job that raised it.
"""

from __future__ import annotations


class StudioError(Exception):
    """An error whose message is meant for the user."""


class ParamError(StudioError, ValueError):
    """A request parameter is unknown, of the wrong type or out of range."""


class RequestError(StudioError, ValueError):
    """A request cannot be run: unsupported task, missing or unreadable input."""


class ModelError(StudioError):
    """A model cannot be found, is refused (pickle) or cannot be loaded."""


class OutOfMemory(StudioError):
    """The device ran out of memory even with the lighter plan."""


class PluginError(StudioError):
    """A plugin failed to load, declared a bad API version, or broke its contract."""


class Cancelled(StudioError):
    """The job was cancelled by the user. Raised from ``progress`` or ``cancel.check()``."""

    def __init__(self, message: str = "cancelled") -> None:
        super().__init__(message)
