"""Application services: engine, plugins, library, profile, suggestions. No Qt, no torch at import."""
