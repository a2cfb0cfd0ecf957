"""Application services: engine, plugins, library, profile, suggestions.

No Qt, and no torch at import time.
"""
