"""Studio's built-in music pack."""
