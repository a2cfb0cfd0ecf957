"""Studio: a plugin-based desktop creative studio for artists and writers."""

__version__ = "0.1.0"
