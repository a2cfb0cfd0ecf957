"""The Plugins page: packs, versions, status and errors; enable, disable, install and
uninstall (issue #14).

Packs are loaded once, at start: a pack enabled, disabled, installed or removed here
changes at the next start, and the page says so rather than pretend otherwise.
Installs and uninstalls run pip on a worker thread; the outcome is one line.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.app.pack_i18n import PackTexts
from studio.ui import i18n
from studio.ui.background import Background

COLUMNS = 4  # pack, version, what it makes, status
#: A pack's state (PluginRecord.status) in the user's language.
_STATUS = {"ok": QT_TRANSLATE_NOOP("PluginManager", "loaded"),
           "error": QT_TRANSLATE_NOOP("PluginManager", "failed to load"),
           "disabled": QT_TRANSLATE_NOOP("PluginManager", "disabled")}


class PluginManager(QWidget):
    def __init__(self, studio: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.studio = studio
        self.setObjectName("plugin-manager")
        self.work = Background(self)
        #: packs whose enabled state was changed here (they change at the next start)
        self.pending: set[str] = set()
        self.pack_texts = PackTexts(studio.plugins, i18n.language())

        self.table = QTableWidget(0, COLUMNS)
        self.table.setObjectName("plugins-table")
        self.table.setAccessibleName(self.tr("Installed plugin packs"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Pack"), self.tr("Version"), self.tr("Makes"), self.tr("Status")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)

        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setAccessibleName(self.tr("Details of the selected pack"))
        self.details.setMaximumHeight(120)
        self.toggle = QPushButton(self.tr("Disable"))
        self.toggle.setAccessibleName(self.tr("Enable or disable the selected pack"))
        self.toggle.clicked.connect(self.toggle_selected)
        self.install_button = QPushButton(self.tr("Install from a wheel file…"))
        self.install_button.clicked.connect(lambda: self.install())
        self.uninstall_button = QPushButton(self.tr("Uninstall"))
        self.uninstall_button.setAccessibleName(self.tr("Uninstall the selected pack"))
        self.uninstall_button.clicked.connect(lambda: self.uninstall())
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName(self.tr("Plugin manager message"))
        buttons = QHBoxLayout()
        for button in (self.toggle, self.uninstall_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.install_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addLayout(buttons)
        layout.addWidget(self.notice)
        self.fill()

    # -- the table --------------------------------------------------------------------

    def records(self) -> list[Any]:
        return list(self.studio.plugins.plugins())

    def status_text(self, record: Any) -> str:
        disabled = record.name in self.studio.settings.disabled_plugins
        if record.name in self.pending:
            return self.tr("disabled at next start") if disabled \
                else self.tr("enabled at next start")
        if record.status in _STATUS:
            return QCoreApplication.translate("PluginManager", _STATUS[record.status])
        return record.status

    def fill(self) -> None:
        selected = self.selected()
        self.table.setRowCount(0)
        for record in self.records():
            row = self.table.rowCount()
            self.table.insertRow(row)
            cells = (record.name + (self.tr(" (built in)") if record.builtin else ""),
                     record.version or "-",
                     ", ".join(self.pack_texts.modality(m) for m in record.modalities)
                     or "-",
                     self.status_text(record))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, record.name)
                if col == 3 and record.error:
                    item.setToolTip(record.error)
                self.table.setItem(row, col, item)
            if selected is not None and record.name == selected.name:
                self.table.selectRow(row)
        if self.table.rowCount() and not self.table.selectedItems():
            self.table.selectRow(0)
        self._selection_changed()

    def selected(self) -> Any:
        items = self.table.selectedItems() if hasattr(self, "table") else []
        if not items:
            return None
        name = items[0].data(Qt.ItemDataRole.UserRole)
        return next((r for r in self.records() if r.name == name), None)

    def select(self, name: str) -> bool:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(Qt.ItemDataRole.UserRole) == name:
                self.table.selectRow(row)
                return True
        return False

    def _selection_changed(self) -> None:
        record = self.selected()
        self.toggle.setEnabled(record is not None)
        self.uninstall_button.setEnabled(record is not None and not record.builtin
                                         and not self.work.busy)
        if record is None:
            self.details.setPlainText("")
            return
        disabled = record.name in self.studio.settings.disabled_plugins
        self.toggle.setText(self.tr("Enable") if disabled else self.tr("Disable"))
        lines = [f"{record.name} {record.version}".strip(),
                 self.tr("Distribution: {}").format(record.dist or "-"),
                 self.tr("Generators: {}").format(", ".join(record.generators) or "-"),
                 self.tr("Status: {}").format(self.status_text(record))]
        if record.error:
            lines.append(self.tr("Error: {}").format(record.error))
        self.details.setPlainText("\n".join(lines))

    # -- enable and disable -------------------------------------------------------------

    def toggle_selected(self) -> None:
        record = self.selected()
        if record is not None:
            disabled = record.name in self.studio.settings.disabled_plugins
            self.set_enabled(record.name, disabled)

    def set_enabled(self, name: str, on: bool) -> None:
        """Enable or disable ``name`` from the next start; persisted in the settings."""
        settings = self.studio.settings
        before = list(settings.disabled_plugins)
        if on:
            settings.disabled_plugins = [n for n in before if n != name]
        elif name not in before:
            settings.disabled_plugins = [*before, name]
        try:
            self.studio.save_settings()
        except OSError as exc:
            settings.disabled_plugins = before
            self.notice.setText(
                self.tr("Not changed: the settings cannot be written ({})").format(exc))
            return
        if self._changed(name):
            self.pending.add(name)
        else:
            self.pending.discard(name)
        self.notice.setText((self.tr("{} is enabled: restart Studio to load it.") if on else
                             self.tr("{} is disabled: restart Studio to unload it.")).format(name))
        self.fill()

    def _changed(self, name: str) -> bool:
        """Whether the setting differs from what this run loaded."""
        record = next((r for r in self.records() if r.name == name), None)
        loaded_disabled = record is not None and record.status == "disabled" \
            and record.error == "disabled in settings"
        return loaded_disabled != (name in self.studio.settings.disabled_plugins)

    # -- install and uninstall --------------------------------------------------------------

    def install(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, self.tr("Install a plugin pack"), "",
                                                  self.tr("Python wheels") + " (*.whl)")
        if not path:
            return
        from studio.app import pack_install

        self._busy(self.tr("Installing {}…").format(path))
        self.work.run("pack-install", lambda: pack_install.install(path), self._installed)

    def _installed(self, pack: Any, error: str) -> None:
        self._idle()
        if error:
            self.notice.setText(self.tr("Not installed: {}").format(error))
            return
        self.notice.setText(self.tr("Installed {} {}: restart Studio to load it.").format(
            pack.dist, pack.version))

    def uninstall(self) -> None:
        record = self.selected()
        if record is None or record.builtin:
            return
        from studio.app import pack_install

        name = record.dist or record.name
        self._busy(self.tr("Uninstalling {}…").format(name))
        self.work.run("pack-uninstall", lambda: pack_install.uninstall(name), self._uninstalled)

    def _uninstalled(self, dist: Any, error: str) -> None:
        self._idle()
        self.notice.setText(self.tr("Not uninstalled: {}").format(error) if error else
                            self.tr("Uninstalled {}: restart Studio to unload it.").format(dist))

    def _busy(self, text: str) -> None:
        self.notice.setText(text)
        self.install_button.setEnabled(False)
        self.uninstall_button.setEnabled(False)

    def _idle(self) -> None:
        self.install_button.setEnabled(True)
        self._selection_changed()
