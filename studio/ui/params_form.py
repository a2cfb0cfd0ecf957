"""A form built from a generator's declared parameter schema."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from studio.api import Param, ParamSchema

_INT_LIMIT = 2**31 - 1
#: A field in error carries ``invalid="true"``; one rule on the form styles every such
#: field, so a theme can restyle it in one place.
INVALID_STYLE = '*[invalid="true"] { border: 2px solid #c0392b; border-radius: 3px; }'


class _Field:
    """One parameter's editor, and its Auto switch when the parameter is nullable."""

    def __init__(self, param: Param, editor: QWidget, auto: QCheckBox | None,
                 row: QWidget, label: str) -> None:
        self.param = param
        self.label = label  # in the user's language
        self.editor = editor
        self.auto = auto
        self.row = row


class ParamsForm(QWidget):
    """One editor per parameter; advanced ones sit in a collapsible group.

    A nullable parameter gets an "Auto" switch: on, the model decides (the value is
    None, so ``values()`` leaves it out when None is its default).
    """

    #: emitted whenever the user (or code) changes a value
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._editors: dict[str, tuple[Param, QWidget]] = {}
        self._fields: dict[str, _Field] = {}
        self.setStyleSheet(INVALID_STYLE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._basic = QFormLayout()
        layout.addLayout(self._basic)
        # A narrow dock puts the editor under its label rather than clipping it.
        self._basic.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        # A switch and a body below it: folded, the switch alone shows. The fold hides
        # the one body widget: walking the layout's items instead is unsafe in PySide
        # (a deleted QLayoutItem's wrapper can come back for a new widget).
        self._advanced_box = QCheckBox(self.tr("Advanced"))
        self._advanced_box.setChecked(False)
        self._advanced_body = QWidget()
        self._advanced = QFormLayout(self._advanced_body)
        self._advanced.setContentsMargins(12, 0, 0, 0)
        self._advanced.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self._advanced_box.toggled.connect(self._show_advanced)
        layout.addWidget(self._advanced_box)
        layout.addWidget(self._advanced_body)

    def set_schema(self, schema: ParamSchema, task: str,
                   translate: Callable[[str], str] | None = None) -> None:
        """Build the editors of ``task``'s parameters; ``translate`` puts the pack's
        labels, help texts and choices in the user's language (the values stay)."""
        tr = translate or (lambda text: text)
        for form in (self._basic, self._advanced):
            while form.rowCount():
                form.removeRow(0)
        self._editors.clear()
        self._fields.clear()
        params = schema.for_task(task)
        for param in params:
            field = self._make_field(param, tr)
            self._fields[param.name] = field
            self._editors[param.name] = (param, field.editor)
            (self._advanced if param.advanced else self._basic).addRow(field.label, field.row)
        has_advanced = any(p.advanced for p in params)
        self._advanced_box.setVisible(has_advanced)
        self._show_advanced(has_advanced and self._advanced_box.isChecked())

    def _make_field(self, param: Param, tr: Callable[[str], str]) -> _Field:
        label = tr(param.display_label)
        editor = _editor_for(param, tr)
        editor.setToolTip(tr(param.help))
        editor.setAccessibleName(label)
        auto = None
        row: QWidget = editor
        if param.nullable:
            auto = QCheckBox(_auto_text())
            # Only an English label is lowered: the word sits inside a sentence.
            inside = label.lower() if label == param.display_label else label
            auto.setToolTip(self.tr("Let the model decide {label}").format(label=inside))
            auto.setAccessibleName(f"{label}: {_auto_text()}")
            row = QWidget()
            box = QHBoxLayout(row)
            box.setContentsMargins(0, 0, 0, 0)
            box.addWidget(editor, 1)
            box.addWidget(auto)
        field = _Field(param, editor, auto, row, label)
        _write(field, param.default)
        if auto is not None:
            auto.toggled.connect(lambda on, f=field: self._auto_toggled(f, on))
        _connect_edits(editor, lambda *_a, n=param.name: self._edited(n))
        return field

    def _auto_toggled(self, field: _Field, on: bool) -> None:
        _show_auto(field, on)
        self._edited(field.param.name)

    def _edited(self, name: str) -> None:
        self.mark_error(name, False)
        self.changed.emit()

    def _show_advanced(self, shown: bool) -> None:
        self._advanced_body.setVisible(shown)

    def focus_chain(self) -> list[QWidget]:
        """The form's controls in the order Tab visits them: basic, then advanced."""
        basic = [f for f in self._fields.values() if not f.param.advanced]
        advanced = [f for f in self._fields.values() if f.param.advanced]
        chain: list[QWidget] = []
        for field in basic:
            chain += [field.editor, *([field.auto] if field.auto is not None else [])]
        chain.append(self._advanced_box)
        for field in advanced:
            chain += [field.editor, *([field.auto] if field.auto is not None else [])]
        return chain

    def names(self) -> list[str]:
        return list(self._fields)

    def editor(self, name: str) -> QWidget | None:
        field = self._fields.get(name)
        return field.editor if field else None

    def auto_switch(self, name: str) -> QCheckBox | None:
        field = self._fields.get(name)
        return field.auto if field else None

    def values(self) -> dict[str, Any]:
        """Only values that differ from the defaults: the engine fills in the rest."""
        out: dict[str, Any] = {}
        for name, field in self._fields.items():
            value = _read(field)
            if value != field.param.default:
                out[name] = value
        return out

    def set_values(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            field = self._fields.get(name)
            if field is not None:
                _write(field, value)

    # -- the field in error ---------------------------------------------------------------

    def field_named_in(self, message: str) -> str | None:
        """The parameter a one-line error names, if any.

        The host's messages start with the name ("steps must be <= 50, got 80"), or
        quote it ("unknown parameter 'x'"); a pack's own check may name it anywhere,
        or by its label.
        """
        text = message.strip()
        names = sorted(self._fields, key=len, reverse=True)
        for name in names:
            if re.match(rf"{re.escape(name)}\b", text) or f"'{name}'" in text:
                return name
        for name in names:
            # Anywhere in the text only for names that cannot be an ordinary word.
            if ("_" in name or len(name) > 3) and re.search(
                    rf"(?<![\w-]){re.escape(name)}(?![\w-])", text):
                return name
        lower = text.lower()
        for name in names:
            if lower.startswith(self._fields[name].param.display_label.lower() + " "):
                return name
        return None

    def mark_error(self, name: str, on: bool = True) -> None:
        """Outline ``name``'s editor in red (cleared when it is edited)."""
        field = self._fields.get(name)
        if field is None or bool(field.editor.property("invalid")) == on:
            return
        field.editor.setProperty("invalid", on)
        field.editor.style().unpolish(field.editor)
        field.editor.style().polish(field.editor)
        if on:
            if field.param.advanced and not self._advanced_box.isChecked():
                self._advanced_box.setChecked(True)  # the field must be seen to be fixed
            field.editor.setFocus()

    def clear_errors(self) -> None:
        for name in self._fields:
            self.mark_error(name, False)

    def invalid_fields(self) -> list[str]:
        return [n for n, f in self._fields.items() if f.editor.property("invalid")]


def _connect_edits(editor: QWidget, slot: Any) -> None:
    if isinstance(editor, QSpinBox | QDoubleSpinBox):
        editor.valueChanged.connect(slot)
    elif isinstance(editor, QCheckBox):
        editor.toggled.connect(slot)
    elif isinstance(editor, QComboBox):
        editor.currentTextChanged.connect(slot)
    elif isinstance(editor, QLineEdit):
        editor.textChanged.connect(slot)


def _editor_for(param: Param, tr: Callable[[str], str]) -> QWidget:
    if param.type in ("int", "float"):
        return _number_editor(param)
    if param.type == "bool":
        return QCheckBox()
    if param.type == "choice":
        w = QComboBox()
        for choice in param.choices:  # shown translated, the declared value kept
            w.addItem(tr(choice), choice)
        return w
    return QLineEdit()


def _number_editor(param: Param) -> QSpinBox | QDoubleSpinBox:
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
    w.setRange(low, high)
    return w


def _auto_text() -> str:
    return QCoreApplication.translate("ParamsForm", "Auto")


def _write(field: _Field, value: Any) -> None:
    w = field.editor
    if field.auto is not None:
        field.auto.setChecked(value is None)
        _show_auto(field, value is None)
        if value is None:
            return
    if isinstance(w, QSpinBox | QDoubleSpinBox):
        if value is not None:
            w.setValue(value)
    elif isinstance(w, QCheckBox):
        w.setChecked(bool(value))
    elif isinstance(w, QComboBox):
        index = w.findData(str(value)) if value is not None else -1
        if index >= 0:
            w.setCurrentIndex(index)
    elif isinstance(w, QLineEdit):
        w.setText("" if value is None else str(value))


def _show_auto(field: _Field, on: bool) -> None:
    """Grey the editor out and, for a number, show "Auto" in it instead of a value that
    would not be used; switching Auto off brings the last value back."""
    w = field.editor
    w.setEnabled(not on)
    if not isinstance(w, QSpinBox | QDoubleSpinBox) or bool(w.property("auto")) == on:
        return
    w.blockSignals(True)
    if on:
        w.setProperty("kept", w.value())
        w.setSpecialValueText(_auto_text())
        w.setValue(w.minimum())
    else:
        w.setSpecialValueText("")
        kept = w.property("kept")
        if kept is not None:
            w.setValue(kept)
    w.setProperty("auto", on)
    w.blockSignals(False)


def _read(field: _Field) -> Any:
    w, param = field.editor, field.param
    if field.auto is not None and field.auto.isChecked():
        return None
    if isinstance(w, QSpinBox | QDoubleSpinBox):
        return w.value()
    if isinstance(w, QCheckBox):
        return w.isChecked()
    if isinstance(w, QComboBox):
        return w.currentData()
    if isinstance(w, QLineEdit):
        text = w.text()
        return None if (param.nullable and not text) else text
    raise TypeError(type(w))
