"""A form built from a generator's declared parameter schema."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from studio.api import Param, ParamSchema

_INT_LIMIT = 2**31 - 1
_AUTO = "Auto"


class ParamsForm(QWidget):
    """One editor per parameter; advanced ones sit in a collapsible group."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._editors: dict[str, tuple[Param, QWidget]] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._basic = QFormLayout()
        layout.addLayout(self._basic)
        self._advanced_box = QGroupBox("Advanced")
        self._advanced_box.setCheckable(True)
        self._advanced_box.setChecked(False)
        self._advanced = QFormLayout(self._advanced_box)
        self._advanced_box.toggled.connect(self._show_advanced)
        layout.addWidget(self._advanced_box)

    def set_schema(self, schema: ParamSchema, task: str) -> None:
        for form in (self._basic, self._advanced):
            while form.rowCount():
                form.removeRow(0)
        self._editors.clear()
        params = schema.for_task(task)
        for param in params:
            editor = _editor_for(param)
            editor.setToolTip(param.help)
            self._editors[param.name] = (param, editor)
            (self._advanced if param.advanced else self._basic).addRow(
                param.display_label, editor
            )
        self._advanced_box.setVisible(any(p.advanced for p in params))
        self._show_advanced(self._advanced_box.isChecked())

    def _show_advanced(self, shown: bool) -> None:
        for i in range(self._advanced.count()):
            item = self._advanced.itemAt(i)
            if item is not None and item.widget() is not None:
                item.widget().setVisible(shown)

    def values(self) -> dict[str, Any]:
        """Only values that differ from the defaults: the engine fills in the rest."""
        out: dict[str, Any] = {}
        for name, (param, editor) in self._editors.items():
            value = _read(param, editor)
            if value != param.default:
                out[name] = value
        return out

    def set_values(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            if name in self._editors:
                param, editor = self._editors[name]
                _write(param, editor, value)


def _editor_for(param: Param) -> QWidget:
    if param.type in ("int", "float"):
        w = _number_editor(param)
    elif param.type == "bool":
        w = QCheckBox()
    elif param.type == "choice":
        w = QComboBox()
        if param.nullable:
            w.addItem(_AUTO)
        w.addItems(list(param.choices))
    else:
        w = QLineEdit()
    _write(param, w, param.default)
    return w


def _number_editor(param: Param) -> QSpinBox | QDoubleSpinBox:
    """A spin box; a nullable parameter gets one extra step below its minimum shown as
    "Auto", because a spin box cannot be empty and "let the model decide" must stay
    distinguishable from any real value."""
    w: QSpinBox | QDoubleSpinBox
    if param.type == "int":
        w = QSpinBox()
        step = param.multiple_of or 1
        low = int(param.min) if param.min is not None else -_INT_LIMIT
        high = int(param.max) if param.max is not None else _INT_LIMIT
    else:
        w = QDoubleSpinBox()
        w.setDecimals(3)
        step = 0.05 if (param.max or 10) <= 2 else 0.5
        low = param.min if param.min is not None else -1e9
        high = param.max if param.max is not None else 1e9
    w.setSingleStep(step)
    if param.nullable:
        low -= step
        w.setSpecialValueText(_AUTO)
    w.setRange(low, high)
    return w


def _write(param: Param, w: QWidget, value: Any) -> None:
    if isinstance(w, QSpinBox | QDoubleSpinBox):
        if value is None:
            if param.nullable:
                w.setValue(w.minimum())
        else:
            w.setValue(value)
    elif isinstance(w, QCheckBox):
        w.setChecked(bool(value))
    elif isinstance(w, QComboBox):
        w.setCurrentText(_AUTO if value is None else str(value))
    elif isinstance(w, QLineEdit):
        w.setText("" if value is None else str(value))


def _read(param: Param, w: QWidget) -> Any:
    if isinstance(w, QSpinBox | QDoubleSpinBox):
        if param.nullable and w.value() == w.minimum():
            return None
        return w.value()
    if isinstance(w, QCheckBox):
        return w.isChecked()
    if isinstance(w, QComboBox):
        text = w.currentText()
        return None if text == _AUTO else text
    if isinstance(w, QLineEdit):
        text = w.text()
        return None if (param.nullable and not text) else text
    raise TypeError(type(w))
