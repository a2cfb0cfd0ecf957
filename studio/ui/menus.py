"""The window's menu bar and its standard shortcuts (issue #14).

The menus reuse the actions the widgets already own (the canvas's zoom, the docks'
toggles, Save as) rather than copies of them, so a menu item, a toolbar button and a
shortcut stay one action with one enabled state.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QMenu,
    QMessageBox,
    QWidget,
)

from studio import __version__

#: The documentation shipped beside the package (a source checkout or an install
#: that keeps it); Help says so when there is none.
DOCS_DIR = Path(__file__).resolve().parents[2] / "docs"


class Menus(QObject):
    """Builds the menu bar of ``window`` and holds its window-wide actions."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        bar = window.menuBar()
        self.file_menu = bar.addMenu(self.tr("&File"))
        self.edit_menu = bar.addMenu(self.tr("&Edit"))
        self.view_menu = bar.addMenu(self.tr("&View"))
        self.generate_menu = bar.addMenu(self.tr("&Generate"))
        self.tools_menu = bar.addMenu(self.tr("&Tools"))
        self.help_menu = bar.addMenu(self.tr("&Help"))
        self._file()
        self._edit()
        self._view()
        self._generate()
        self._tools()
        self._help()

    def _action(self, menu: QMenu | None, text: str, slot: Any,
                shortcut: Any = None, tip: str = "") -> QAction:
        action = QAction(text, self.window)
        action.triggered.connect(lambda _checked=False: slot())
        if shortcut is not None:
            keys = shortcut if isinstance(shortcut, list) else [shortcut]
            action.setShortcuts([QKeySequence(k) for k in keys])
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        # Added to the window too, so the shortcut works with the menu bar hidden
        # (full screen) and offscreen.
        self.window.addAction(action)
        if menu is not None:
            menu.addAction(action)
        return action

    # -- the menus ------------------------------------------------------------------------

    def _file(self) -> None:
        m, w = self.file_menu, self.window
        self.open_action = self._action(
            m, self.tr("&Open file…"), self.open_file, QKeySequence.StandardKey.Open,
            self.tr("Restore the settings stored in an image or a clip"))
        self.import_action = self._action(m, self.tr("&Import folder…"), self.import_folder,
                                          tip=self.tr("Add a folder of pictures to the library"))
        m.addSeparator()
        m.addAction(w.canvas.save_as_action)
        m.addSeparator()
        self.quit_action = self._action(m, self.tr("&Quit"), w.close, "Ctrl+Q")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)

    def _edit(self) -> None:
        m, w = self.edit_menu, self.window
        m.addAction(w.undo.undo_action)
        m.addAction(w.undo.redo_action)
        for action in (w.undo.undo_action, w.undo.redo_action):
            w.addAction(action)
        m.addSeparator()
        self.find_action = self._action(m, self.tr("&Find in library"), self.find_in_library,
                                        QKeySequence.StandardKey.Find,
                                        self.tr("Search the library's prompts and texts"))
        m.addSeparator()
        self.preferences_action = self._action(m, self.tr("&Preferences…"), self.preferences,
                                               "Ctrl+,")
        self.preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)

    def _view(self) -> None:
        m, w = self.view_menu, self.window
        self.workspace_menu = m.addMenu(self.tr("&Workspace"))
        self.workspace_menu.aboutToShow.connect(self._fill_workspaces)
        self._fill_workspaces()
        self.docks_menu = m.addMenu(self.tr("&Panels"))
        for dock in w.findChildren(QDockWidget):
            self.docks_menu.addAction(dock.toggleViewAction())
        m.addSeparator()
        keys = QKeySequence.keyBindings(QKeySequence.StandardKey.FullScreen)
        if QKeySequence("F11") not in keys:  # the platform's key, and F11 everywhere
            keys.append(QKeySequence("F11"))
        self.fullscreen_action = self._action(m, self.tr("&Full screen"),
                                              self.toggle_full_screen, keys)
        self.fullscreen_action.setCheckable(True)
        m.addSeparator()
        zoom = m.addMenu(self.tr("&Zoom"))
        # The canvas's own actions: their shortcuts stay the canvas's (Ctrl+1 is a
        # rating in the library).
        for action in (w.canvas.fit_action, w.canvas.actual_size_action,
                       w.canvas.zoom_in_action, w.canvas.zoom_out_action):
            zoom.addAction(action)

    def _fill_workspaces(self) -> None:
        tabs = self.window.tabs
        self.workspace_menu.clear()
        for i in range(tabs.count()):
            action = self.workspace_menu.addAction(tabs.tabText(i).replace("&", "&&"))
            action.setCheckable(True)
            action.setChecked(i == tabs.currentIndex())
            action.triggered.connect(lambda _c=False, i=i: tabs.setCurrentIndex(i))

    def _generate(self) -> None:
        m = self.generate_menu
        self.generate_action = self._action(
            m, self.tr("&Generate"), self.generate, ["Ctrl+Return", "Ctrl+Enter"],
            self.tr("Generate with the prompt panel (Continue on the writing desk)"))
        self.cancel_action = self._action(m, self.tr("&Cancel running job"), self.cancel_running,
                                          "Esc", self.tr("Stop the job that is running now"))
        # Esc belongs to the window, not to whichever popup is open: a combo box or a
        # menu closes itself first, as it takes the key before the window does.
        self.cancel_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)

    def _tools(self) -> None:
        m = self.tools_menu
        self.plugins_action = self._action(m, self.tr("&Plugin manager…"), self.plugin_manager)
        self.models_action = self._action(m, self.tr("&Model manager…"), self.model_manager)
        self.runtime_action = self._action(m, self.tr("&Runtime…"), self.runtime,
                                           tip=self.tr("The torch runtime the generators run on"))

    def _help(self) -> None:
        m = self.help_menu
        self.docs_action = self._action(m, self.tr("&Documentation folder"), self.open_docs,
                                        QKeySequence.StandardKey.HelpContents)
        self.about_action = self._action(m, self.tr("&About Studio"), self.about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)

    # -- what they do --------------------------------------------------------------------

    def open_file(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self.window, self.tr("Open a file made by Studio or another tool"), "",
                self.tr("Images and clips") + " (*.png *.jpg *.jpeg *.webp *.flac *.wav *.mp4);;"
                + self.tr("All files") + " (*)")
        if path:
            self.window.drops.restore_from(Path(path))

    def import_folder(self, folder: str | None = None) -> None:
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self.window, self.tr("Import a folder"))
        if folder:
            self.window.drops.start_import(Path(folder))

    def find_in_library(self) -> None:
        w = self.window
        w.tabs.setCurrentWidget(w.library)
        w.library.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        w.library.search.selectAll()

    def toggle_full_screen(self) -> None:
        w = self.window
        if w.isFullScreen():
            w.showNormal()
        else:
            w.showFullScreen()
        self.fullscreen_action.setChecked(w.isFullScreen())

    def generate(self) -> None:
        """The prompt panel's Generate; on the writing desk (unless the panel has the
        focus), the desk's Continue."""
        w = self.window
        if w.tabs.currentWidget() is w.writing and not _inside(QApplication.focusWidget(),
                                                               w.panel):
            w.writing.continue_button.click()
        elif w.panel.generate.isEnabled():
            w.panel.generate.click()

    def cancel_running(self) -> None:
        w = self.window
        running = [j.id for j in w.studio.engine.jobs() if j.state == "running"]
        if not running:
            w.statusBar().showMessage(self.tr("No job is running"), 4000)
            return
        for job_id in running:
            w.jobs.cancel_job(job_id)
        w.statusBar().showMessage(self.tr("Cancelling…"), 4000)

    def preferences(self) -> Any:
        from studio.ui.settings_dialog import SettingsDialog

        return self._show(SettingsDialog(self.window.studio, self.window))

    def runtime(self) -> Any:
        dialog = self.preferences()
        dialog.show_runtime()
        return dialog

    def plugin_manager(self) -> Any:
        w = self.window
        if w.plugin_page is not None:
            w.tabs.setCurrentWidget(w.plugin_page)
        return w.plugin_page

    def model_manager(self) -> Any:
        from studio.ui.model_manager import ModelManager

        return self._show(ModelManager(self.window.studio, self.window))

    def _show(self, dialog: Any) -> Any:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def open_docs(self) -> None:
        if not DOCS_DIR.is_dir():
            self.window.statusBar().showMessage(
                self.tr("The documentation folder is not installed with this copy of Studio"), 8000)
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(DOCS_DIR)))

    def about(self) -> None:
        QMessageBox.about(self.window, self.tr("About Studio"),
                          f"<b>Studio {__version__}</b><p>" + self.tr(
                              "An open-source creative studio: images, writing, music and "
                              "video made on your own machine, with suggestions that learn "
                              "from you and stay on it.") + "</p>")


def _inside(widget: QWidget | None, owner: QWidget) -> bool:
    """Whether ``widget`` is ``owner`` or in it (a floating dock's widgets included)."""
    while widget is not None:
        if widget is owner:
            return True
        widget = widget.parentWidget()
    return False
