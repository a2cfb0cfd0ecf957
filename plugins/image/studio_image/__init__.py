"""Studio's built-in image pack (diffusers). ``plugin`` is the cheap entry module."""
