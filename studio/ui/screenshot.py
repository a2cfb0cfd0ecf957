"""Render the window offscreen on a sample library and save it as a PNG."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication

from studio.api import StudioError

SETTLE_S = 8.0  # upper bound; background work (thumbnails, profile, ranking) ends sooner


def _settle(app: QApplication, seconds: float = SETTLE_S) -> None:
    """Run the event loop until background work has finished (or the bound passes)."""
    pool = QThreadPool.globalInstance()
    start = time.monotonic()
    quiet_since = None
    while time.monotonic() - start < seconds:
        app.processEvents()
        busy = pool.activeThreadCount() > 0
        now = time.monotonic()
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since > 0.6 and now - start > 1.0:
            break
        time.sleep(0.02)
    app.processEvents()


def take(path: Path, *, view: str = "canvas", size: tuple[int, int] = (1440, 900),
         theme: str = "light", language: str = "en") -> Path:
    """Save a PNG of the window showing ``view`` in ``language`` (en, zh_CN); a temporary
    data folder, then gone."""
    from studio.app import sample_library
    from studio.app.studio import Studio
    from studio.ui import theme as themes
    from studio.ui.i18n import install_translator
    from studio.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(["studio"])
    app.setApplicationName("Studio")
    themes.apply(app, theme)
    install_translator(app, language)
    with tempfile.TemporaryDirectory(prefix="studio-screenshot-") as tmp:
        studio = Studio(root=Path(tmp), backend="thread")
        studio.settings.device = "cpu"
        try:
            sample_library.build(studio)
            window = MainWindow(studio)
            window.resize(*size)
            window.show()
            _settle(app, 1.0)
            window.show_view(view)
            # The workspace shows a sample of its own kind rather than its empty state.
            kind = {"canvas": "image", "music": "audio", "video": "video"}.get(view)
            samples = [a for a in studio.library.list() if a.kind == kind]
            if samples:
                window.open_artifact(samples[0])
            _settle(app)
            if not window.grab().save(str(path), "PNG"):
                raise StudioError(f"could not write the screenshot to {path}")
            window.close()
            _settle(app, 0.5)
        finally:
            studio.close()
    return path
