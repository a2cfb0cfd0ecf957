"""Light and dark colours for the whole application (Fusion style, one palette)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

_DARK = {
    QPalette.ColorRole.Window: "#2b2b2b",
    QPalette.ColorRole.WindowText: "#e6e6e6",
    QPalette.ColorRole.Base: "#1f1f1f",
    QPalette.ColorRole.AlternateBase: "#2f2f2f",
    QPalette.ColorRole.ToolTipBase: "#3a3a3a",
    QPalette.ColorRole.ToolTipText: "#e6e6e6",
    QPalette.ColorRole.Text: "#e6e6e6",
    QPalette.ColorRole.PlaceholderText: "#8c8c8c",
    QPalette.ColorRole.Button: "#353535",
    QPalette.ColorRole.ButtonText: "#e6e6e6",
    QPalette.ColorRole.BrightText: "#ff6b6b",
    QPalette.ColorRole.Link: "#6aa9ff",
    QPalette.ColorRole.Highlight: "#3d7bd9",
    QPalette.ColorRole.HighlightedText: "#ffffff",
}


#: The platform's style and palette, as they were before a theme was forced, so that
#: going back to "system" while the window is open restores them (issue #14).
_SYSTEM: tuple[str, QPalette] | None = None


def apply(app: QApplication, theme: str = "system") -> None:
    """``system`` keeps the platform's palette; ``light`` and ``dark`` force one."""
    global _SYSTEM
    if theme == "system":
        if _SYSTEM is not None:  # a theme was forced earlier: the platform's comes back
            app.setStyle(_SYSTEM[0])
            app.setPalette(_SYSTEM[1])
        # Otherwise the platform's are in place: copying its palette at start-up took
        # 130 ms before the first paint (bench/ui_start.py).
        return
    if _SYSTEM is None:
        _SYSTEM = (app.style().name(), QPalette(app.palette()))
    app.setStyle("Fusion")
    palette = app.style().standardPalette()
    if theme == "dark":
        for role, colour in _DARK.items():
            palette.setColor(role, QColor(colour))
        for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                     QPalette.ColorRole.WindowText):
            palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    app.setPalette(palette)
