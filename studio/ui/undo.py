"""One Edit > Undo for the whole window (issue #14).

Each part of the window keeps its own QUndoStack: the prompt panel's parameter
edits, the suggestions' Apply, the canvas's mask strokes and the library's delete,
favourite and rate. A QUndoGroup makes the stack of the part that last had the
focus the active one, so Ctrl+Z undoes what the user was just doing there. A text
field with the focus keeps its own undo (the prompt, the desk): Qt hands Ctrl+Z to
it first, and the menu's Undo goes to it as well.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoGroup, QUndoStack
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from studio.api import StudioError

_TEXT_EDITORS = (QLineEdit, QPlainTextEdit, QTextEdit)


class CallCommand(QUndoCommand):
    """A command made of two callables (the first run is ``push``'s redo)."""

    def __init__(self, text: str, do: Callable[[], None], undo: Callable[[], None]) -> None:
        super().__init__(text)
        self._do, self._undo = do, undo

    def redo(self) -> None:
        self._do()

    def undo(self) -> None:
        self._undo()


class ParamsCommand(QUndoCommand):
    """A change of the panel's parameters, as the values before and after it."""

    ID = 1401

    def __init__(self, router: UndoRouter, key: tuple[Any, str],
                 before: dict[str, Any], after: dict[str, Any]) -> None:
        changed = sorted(k for k in {*before, *after} if before.get(k) != after.get(k))
        super().__init__(QCoreApplication.translate("UndoRouter", "edit {}").format(
            ", ".join(changed)))
        self.router, self.key = router, key
        self.before, self.after, self.changed = before, after, changed
        self._first = True

    def id(self) -> int:  # Qt override: consecutive edits of one field merge
        return self.ID

    def mergeWith(self, other: QUndoCommand) -> bool:  # Qt override
        if not isinstance(other, ParamsCommand) or other.key != self.key \
                or other.changed != self.changed:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        if self._first:  # pushed after the edit: the form already shows it
            self._first = False
            return
        self.router.set_params(self.key, self.after)

    def undo(self) -> None:
        self.router.set_params(self.key, self.before)


class _UndoKeysToWindow(QObject):
    """A spin box hands Ctrl+Z to its line edit, whose history each new value clears:
    the key did nothing. Filtered here, it reaches the window's Undo instead."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # Qt override
        if event.type() == QEvent.Type.ShortcutOverride and (
                event.matches(QKeySequence.StandardKey.Undo)
                or event.matches(QKeySequence.StandardKey.Redo)
                or event.keyCombination().toCombined() in _REDO_KEYS):
            return True  # not accepted: the shortcut runs
        return False


_REDO_KEYS = {QKeySequence(k)[0].toCombined() for k in ("Ctrl+Shift+Z", "Ctrl+Y")}


class UndoRouter(QObject):
    """The window's Undo/Redo: a QUndoGroup over the stacks of its parts."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.group = QUndoGroup(self)
        self.panel_stack = QUndoStack(self)
        self.library_stack = QUndoStack(self)
        self._last_text: QWidget | None = None
        self._applying = False
        self._keys = _UndoKeysToWindow(self)
        #: (generator, task) -> the panel's values last seen; an edit is a change of them
        self._key, self._snapshot = self._panel_key(), window.panel.params.values()
        # Which part of the window each stack belongs to, in lookup order.
        self._owners: list[tuple[QWidget, QUndoStack]] = [
            (window.panel, self.panel_stack),
            (window.suggestions, window.suggestions.undo_stack),
            (window.canvas, window.canvas.mask.undo_stack),
            (window.library, self.library_stack),
        ]
        for _owner, stack in self._owners:
            self.group.addStack(stack)
        self.group.setActiveStack(self.panel_stack)

        window.panel.params.changed.connect(self._params_edited)
        window.panel.generator.currentIndexChanged.connect(lambda _i: self._resync())
        window.panel.task.currentTextChanged.connect(lambda _t: self._resync())
        QApplication.instance().focusChanged.connect(self._focus_changed)
        self._following = True
        self._take_over_library(window.library)
        # The window's Ctrl+Z is the one: a second one inside a part would make the
        # key ambiguous there (Qt then runs neither).
        window.suggestions.undo_action.setShortcuts([])

        self.undo_action = QAction(self.tr("Undo"), window)
        self.undo_action.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Undo))
        self.undo_action.triggered.connect(self.undo)
        self.redo_action = QAction(self.tr("Redo"), window)
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.redo_action.triggered.connect(self.redo)
        self.group.undoTextChanged.connect(self._label)
        self.group.redoTextChanged.connect(self._label)
        self.group.activeStackChanged.connect(lambda _s: self._label())
        self._label()

    # -- which stack ---------------------------------------------------------------------

    def stack_for(self, widget: QWidget | None) -> QUndoStack | None:
        while widget is not None:
            for owner, stack in self._owners:
                if widget is owner:
                    return stack
            widget = widget.parentWidget()
        return None

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is None:
            return
        stack = self.stack_for(new)  # a floating dock is a window of its own, and ours
        if stack is None and new.window() is not self.window:
            return  # a menu or a dialog: the part used last stays the one undone
        self._last_text = new if isinstance(new, _TEXT_EDITORS) and not new.isReadOnly() \
            else None
        if stack is not None:
            self.group.setActiveStack(stack)
        if isinstance(new, QAbstractSpinBox) and stack is self.panel_stack:
            new.installEventFilter(self._keys)  # once: installing again only reorders

    def activate(self, stack: QUndoStack) -> None:
        self._last_text = None
        self.group.setActiveStack(stack)

    def _label(self) -> None:
        undo, redo = self.group.undoText(), self.group.redoText()
        self.undo_action.setText(self.tr("Undo {}").format(undo) if undo else self.tr("Undo"))
        self.redo_action.setText(self.tr("Redo {}").format(redo) if redo else self.tr("Redo"))

    def undo(self) -> None:
        if self._last_text is not None and self._last_text.isVisible():
            self._last_text.undo()
            return
        self.group.undo()

    def redo(self) -> None:
        if self._last_text is not None and self._last_text.isVisible():
            self._last_text.redo()
            return
        self.group.redo()

    # -- the panel's parameters -------------------------------------------------------------

    def _panel_key(self) -> tuple[Any, str]:
        panel = self.window.panel
        return panel.generator.currentData(), panel.task.currentText()

    def _resync(self) -> None:
        # Another generator or task rebuilds the form: its values are no edit.
        if not self._applying:
            self._key, self._snapshot = self._panel_key(), self.window.panel.params.values()

    def _params_edited(self) -> None:
        if self._applying:
            return
        key, now = self._panel_key(), self.window.panel.params.values()
        by_hand = self.stack_for(QApplication.focusWidget()) is self.panel_stack
        if key != self._key or not by_hand:
            # A suggestion applied, a file's settings restored: theirs to undo, if
            # anyone's; the next edit by hand starts from what the form shows now.
            self._key, self._snapshot = key, now
            return
        if now == self._snapshot:
            return
        before, self._snapshot = self._snapshot, now
        self.panel_stack.push(ParamsCommand(self, key, before, now))
        self.activate(self.panel_stack)

    def set_params(self, key: tuple[Any, str], values: dict[str, Any]) -> None:
        """Put the panel's parameters back to ``values`` (only what differs from the defaults)."""
        panel = self.window.panel
        if self._panel_key() != key:
            self.window.statusBar().showMessage(
                self.tr("That edit belongs to another generator or task: nothing to undo here"),
                6000)
            return
        info = panel.info()
        defaults = info.params.defaults(key[1]) if info is not None else {}
        self._applying = True
        try:
            panel.params.set_values({**{n: defaults.get(n) for n in panel.params.names()},
                                     **values})
        finally:
            self._applying = False
        self._snapshot = panel.params.values()

    # -- the library ------------------------------------------------------------------------

    def _take_over_library(self, view: Any) -> None:
        """The library's delete, favourite and rate go through the library stack."""
        routes: list[tuple[QAction, Callable[[], None]]] = [
            (view.delete_action, self.delete_selected),
            (view.favourite_action, lambda: self.favourite_selected(True)),
            (view.unfavourite_action, lambda: self.favourite_selected(False)),
            (view.undo_action, self.library_stack.undo),
        ]
        routes += [(act, lambda n=n: self.rate_selected(n))
                   for n, act in enumerate(view.rate_actions, start=1)]
        for action, slot in routes:
            action.triggered.disconnect()
            action.triggered.connect(lambda _checked=False, slot=slot: slot())
        view.undo_action.setShortcuts([])
        view.undo_action.setEnabled(False)
        self.library_stack.canUndoChanged.connect(self._library_undo_state)
        self.library_stack.undoTextChanged.connect(self._library_undo_state)

    def _library_undo_state(self, *_: Any) -> None:
        # The library's own Undo button names what it undoes now: one stack for its
        # deletes, favourites and ratings.
        action = self.window.library.undo_action
        try:
            text = self.library_stack.undoText()
            action.setEnabled(self.library_stack.canUndo())
            action.setText(self.tr("Undo {}").format(text) if text else self.tr("Undo delete"))
        except RuntimeError:  # the window is being torn down: its views went first
            pass

    def _library_call(self, fn: Callable[..., None], *args: Any) -> bool:
        try:
            fn(*args)
        except StudioError as exc:
            self.window.library.message.emit(str(exc))
            return False
        return True

    def delete_selected(self) -> None:
        view = self.window.library
        ids = view.selected_ids()
        if not ids:
            return
        lib = view.library
        n = len(ids)

        def do() -> None:
            for aid in ids:
                self._library_call(lib.trash, aid)
            view.refresh()
            view.message.emit(self.tr("Deleted 1 item (Undo puts it back)") if n == 1 else
                              self.tr("Deleted {} items (Undo puts them back)").format(n))

        def undo() -> None:
            for aid in ids:
                self._library_call(lib.restore, aid)
            view.refresh()

        text = self.tr("delete 1 item") if n == 1 else self.tr("delete {} items").format(n)
        self.library_stack.push(CallCommand(text, do, undo))
        self.activate(self.library_stack)

    def favourite_selected(self, on: bool) -> None:
        view = self.window.library
        arts = view.selected()
        if not arts:
            return
        before = {a.id: bool(a.favourite) for a in arts}
        lib = view.library

        def do() -> None:
            for aid in before:
                self._library_call(lib.set_favourite, aid, on)
            view.refresh()

        def undo() -> None:
            for aid, was in before.items():
                self._library_call(lib.set_favourite, aid, was)
            view.refresh()

        self.library_stack.push(CallCommand(
            self.tr("favourite") if on else self.tr("remove favourite"), do, undo))
        self.activate(self.library_stack)

    def rate_selected(self, rating: int) -> None:
        view = self.window.library
        arts = view.selected()
        if not arts:
            return
        before = {a.id: a.rating for a in arts}
        lib = view.library

        def do() -> None:
            for aid in before:
                self._library_call(lib.rate, aid, rating)
            view.refresh()

        def undo() -> None:
            for aid, was in before.items():
                if was:
                    self._library_call(lib.rate, aid, was)
                else:
                    self._library_call(lib.unrate, aid)
            view.refresh()

        self.library_stack.push(CallCommand(self.tr("rate {}").format(rating), do, undo))
        self.activate(self.library_stack)

    def shutdown(self) -> None:
        app = QApplication.instance()
        if app is not None and self._following:  # a window can be closed twice
            self._following = False
            app.focusChanged.disconnect(self._focus_changed)
