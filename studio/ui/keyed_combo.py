"""A combo box that shows a translated label for each item and speaks in ids."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox


class KeyedComboBox(QComboBox):
    """Items are ids (a modality, a task) shown under a label in the user's language.

    ``currentText``, ``setCurrentText`` and ``findText`` take and return the ids, so
    the code (and its tests) that picks "image" or "img2img" keeps working whatever
    the window shows; an English window shows the ids themselves. The
    ``currentTextChanged`` signal still carries the label: read ``currentText()``.
    """

    def add_keyed(self, key: str, label: str | None = None) -> None:
        self.addItem(label or key, key)

    def key(self, index: int) -> str:
        data = self.itemData(index)
        return data if isinstance(data, str) else super().itemText(index)

    def currentText(self) -> str:
        index = self.currentIndex()
        return self.key(index) if index >= 0 else ""

    def findText(self, text: str, *args: object) -> int:
        found = self.findData(text)
        return found if found >= 0 else super().findText(text, *args)

    def setCurrentText(self, text: str) -> None:
        index = self.findText(text)
        if index >= 0:
            self.setCurrentIndex(index)
