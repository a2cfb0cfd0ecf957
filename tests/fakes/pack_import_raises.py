"""A pack whose import raises, with a multi-line message (one line must reach the user)."""

raise RuntimeError("this pack is broken\nsecond line of the message")
