"""Preferences: device, memory, model folders, theme, language, audio, runtime (issue #14).

Every value is checked by ``studio.app.settings.check_setting`` before anything is
written: a bad one is named in one line and nothing is saved. The theme changes at
once; the device, dtype and memory budget apply to the next job (an idle worker is
restarted on them); the language and the data folder after a restart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from studio.app.paths import ENV_DATA_DIR
from studio.app.settings import CHOICES, SettingError, check_setting
from studio.ui import theme as themes
from studio.ui.background import Background
from studio.ui.keyed_combo import KeyedComboBox

DEVICES = ("auto", "cpu", "cuda", "cuda:0", "cuda:1", "mps")
THEMES = ("system", "light", "dark")
#: Each language named in itself, so it can be found whatever the window speaks now.
LANGUAGES = (("English", "en"), ("简体中文", "zh_CN"))
#: Settings that change how the worker runs models: the next job picks them up.
DEVICE_SETTINGS = ("device", "dtype", "memory_budget_gb")


def output_devices() -> list[str] | str:
    """Names of the audio outputs, or one line saying why there are none to list."""
    try:
        import sounddevice
    except (ImportError, OSError) as exc:
        return _tr("Audio output devices cannot be listed: {}").format(exc)
    try:
        devices = sounddevice.query_devices()
    except Exception as exc:  # PortAudio without a host API, a broken driver
        return _tr("Audio output devices cannot be listed: {}").format(exc)
    return [d["name"] for d in devices if d.get("max_output_channels", 0) > 0]


class SettingsDialog(QDialog):
    def __init__(self, studio: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.studio = studio
        self.setWindowTitle(self.tr("Preferences"))
        self.setObjectName("preferences")
        self.work = Background(self)
        s = studio.settings

        # -- generation --------------------------------------------------------------
        self.device = QComboBox()
        self.device.setEditable(True)
        self.device.addItems(DEVICES)
        self.device.setCurrentText(s.device)
        self.device.setToolTip(self.tr("auto, cpu, cuda, cuda:N or mps"))
        self.dtype = KeyedComboBox()  # "auto" reads in the user's language; the rest are names
        for dtype in CHOICES["dtype"]:
            self.dtype.add_keyed(dtype, self.tr("Auto") if dtype == "auto" else dtype)
        self.dtype.setCurrentText(s.dtype)
        self.budget = QDoubleSpinBox()
        self.budget.setRange(0, 4096)
        self.budget.setDecimals(1)
        self.budget.setSuffix(" GB")
        self.budget.setSpecialValueText(self.tr("Auto (from the device)"))
        self.budget.setValue(s.memory_budget_gb or 0)
        generation = QFormLayout()
        generation.addRow(self.tr("Device"), self.device)
        generation.addRow(self.tr("Precision"), self.dtype)
        generation.addRow(self.tr("Memory for models"), self.budget)
        generation.addRow(_note(self.tr("Used from the next job on.")))

        # -- models and storage ---------------------------------------------------------
        self.model_dirs = QListWidget()
        self.model_dirs.addItems(s.model_dirs)
        self.model_dirs.setMaximumHeight(90)
        add = QPushButton(self.tr("Add folder…"))
        add.clicked.connect(self._add_folder)
        remove = QPushButton(self.tr("Remove"))
        remove.clicked.connect(self._remove_folder)
        folder_buttons = QHBoxLayout()
        folder_buttons.addWidget(add)
        folder_buttons.addWidget(remove)
        folder_buttons.addStretch(1)
        self.data_folder = QLabel(str(studio.root))
        self.data_folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        change = QPushButton(self.tr("Change…"))
        change.clicked.connect(self._change_data_folder)
        self.data_note = _note("")
        data_row = QHBoxLayout()
        data_row.addWidget(self.data_folder, 1)
        data_row.addWidget(change)
        storage = QFormLayout()
        storage.addRow(self.tr("Model folders"), self.model_dirs)
        storage.addRow("", folder_buttons)
        storage.addRow(self.tr("Data folder"), data_row)
        storage.addRow(self.data_note)

        # -- appearance and sound -----------------------------------------------------------
        self.theme = QComboBox()
        for label, value in zip((self.tr("System"), self.tr("Light"), self.tr("Dark")),
                                THEMES, strict=True):
            self.theme.addItem(label, value)
        self.theme.setCurrentIndex(self.theme.findData(s.theme))
        self.language = QComboBox()
        self.language.addItem(self.tr("System language"), "system")
        for label, value in LANGUAGES:
            self.language.addItem(label, value)
        self.language.setCurrentIndex(max(0, self.language.findData(s.language)))
        self.output = QComboBox()
        self.output.addItem(self.tr("System default"), None)
        if s.audio_output_device:
            self.output.addItem(s.audio_output_device, s.audio_output_device)
            self.output.setCurrentIndex(1)
        self.output_note = _note(self.tr("Listing the audio outputs…"))
        appearance = QFormLayout()
        appearance.addRow(self.tr("Theme"), self.theme)
        appearance.addRow(self.tr("Language"), self.language)
        appearance.addRow(_note(self.tr("The language changes at the next start.")))
        appearance.addRow(self.tr("Audio output"), self.output)
        appearance.addRow(self.output_note)

        # -- runtime --------------------------------------------------------------------------
        self.runtime_state = QLabel(self.tr("Reading the runtime…"))
        self.runtime_state.setWordWrap(True)
        self.runtime_buttons: dict[str, QPushButton] = {}
        runtime_row = QHBoxLayout()
        for key, name, tip, access in (
                ("install", self.tr("Install"),
                 self.tr("Install the runtime recommended for this machine"),
                 self.tr("Install the torch runtime")),
                ("repair", self.tr("Repair"), self.tr("Clean up and re-verify the active runtime"),
                 self.tr("Repair the torch runtime")),
                ("remove", self.tr("Remove"), self.tr("Go back to the app's own Python"),
                 self.tr("Remove the torch runtime"))):
            button = QPushButton(name)
            button.setToolTip(tip)
            button.setAccessibleName(access)
            button.clicked.connect(lambda _c=False, key=key: self.runtime_action(key))
            self.runtime_buttons[key] = button
            runtime_row.addWidget(button)
        runtime_row.addStretch(1)
        self.runtime_log = QLabel()
        self.runtime_log.setWordWrap(True)
        self.work.line.connect(self.runtime_log.setText)
        runtime = QVBoxLayout()
        runtime.addWidget(self.runtime_state)
        runtime.addLayout(runtime_row)
        runtime.addWidget(self.runtime_log)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Preferences message"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Apply
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self.apply)
        self.buttons = buttons

        inner = QWidget()
        body = QVBoxLayout(inner)
        self.groups: dict[str, QGroupBox] = {}
        for key, title, layout in (
                ("generation", self.tr("Generation"), generation),
                ("storage", self.tr("Models and storage"), storage),
                ("appearance", self.tr("Appearance and sound"), appearance),
                ("runtime", self.tr("Torch runtime"), runtime)):
            box = QGroupBox(title)
            box.setLayout(layout)
            body.addWidget(box)
            self.groups[key] = box
        body.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.addWidget(self.scroll, 1)
        outer.addWidget(self.message)
        outer.addWidget(buttons)
        self.resize(560, 720)

        self.work.run("settings-audio", output_devices, self._show_outputs)
        self.refresh_runtime()

    # -- reading and writing ------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """The settings as the dialog shows them."""
        budget = self.budget.value()
        return {
            "device": self.device.currentText().strip(),
            "dtype": self.dtype.currentText(),
            "memory_budget_gb": budget if budget > 0 else None,
            "model_dirs": [self.model_dirs.item(i).text() for i in range(self.model_dirs.count())],
            "theme": self.theme.currentData(),
            "language": self.language.currentData(),
            "audio_output_device": self.output.currentData(),
        }

    def apply(self) -> bool:
        """Check every value, then save them all; False (nothing saved) on a bad one."""
        wanted = self.values()
        try:
            checked = {key: check_setting(key, value) for key, value in wanted.items()}
        except SettingError as exc:
            self.message.setText(self.tr("Not saved: {}").format(exc))
            return False
        settings = self.studio.settings
        changed = {k for k, v in checked.items() if getattr(settings, k) != v}
        old = {k: getattr(settings, k) for k in checked}
        for key, value in checked.items():
            setattr(settings, key, value)
        try:
            self.studio.save_settings()
        except OSError as exc:
            for key, value in old.items():
                setattr(settings, key, value)
            self.message.setText(
                self.tr("Not saved: the settings file cannot be written ({})").format(exc))
            return False
        if "model_dirs" in changed:
            from studio.ui.model_manager import rescan_pickers

            rescan_pickers(self.parent(), settings.model_dirs)
        if "theme" in changed:
            themes.apply(QApplication.instance(), settings.theme)
        notes = [self.tr("Saved.")]
        if changed & set(DEVICE_SETTINGS):
            notes.append(self._device_changed())
        if "language" in changed:
            notes.append(self.tr("The language changes when Studio starts again."))
        self.message.setText(" ".join(notes))
        return True

    def _device_changed(self) -> str:
        engine = self.studio.__dict__.get("engine")  # not started: nothing to restart
        if engine is None:
            return self.tr("The device settings apply to the first job.")
        if any(j.state == "running" for j in engine.jobs()):
            return self.tr("The device settings apply once the running job has finished.")
        for backend in [slot.backend for slot in getattr(engine, "slots", ())] or [
                engine.backend]:  # every execution slot, not only the first
            if hasattr(backend, "runner"):  # in-process: a fresh runner reads the settings
                backend.runner = backend.runner.fresh()
            elif hasattr(backend, "shutdown") and getattr(backend, "pid", None):
                # The worker process read the settings when it started: the next job
                # starts a new one on the new settings (its shutdown waits, so not here).
                self.work.run(f"settings-worker-{id(backend)}", backend.shutdown,
                              lambda _r, _e: None)
        return self.tr("The device settings apply from the next job.")

    def _ok(self) -> None:
        if self.apply():
            self.accept()

    # -- model folders and the data folder ------------------------------------------------

    def _add_folder(self, folder: str | None = None) -> None:
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, self.tr("A folder with models"))
        if folder and not self.model_dirs.findItems(folder, Qt.MatchFlag.MatchExactly):
            self.model_dirs.addItem(folder)

    def _remove_folder(self) -> None:
        for item in self.model_dirs.selectedItems():
            self.model_dirs.takeItem(self.model_dirs.row(item))

    def _change_data_folder(self, folder: str | None = None) -> None:
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, self.tr("Data folder"),
                                                      str(self.studio.root))
        if not folder or Path(folder) == Path(self.studio.root):
            return
        # The data folder holds the settings themselves, so it is chosen before they are
        # read: by the environment the app starts in.
        self.data_note.setText(self.tr(
            "To use {folder}, start Studio again with {env}={folder} (the folder in use "
            "changes only at a restart; nothing is moved).").format(folder=folder,
                                                                   env=ENV_DATA_DIR))

    # -- audio outputs --------------------------------------------------------------------

    def _show_outputs(self, result: Any, error: str) -> None:
        if error or isinstance(result, str):
            self.output_note.setText(error or result)
            return
        current = self.output.currentData()
        for name in result:
            if self.output.findData(name) < 0:
                self.output.addItem(name, name)
        if current:
            self.output.setCurrentIndex(max(0, self.output.findData(current)))
        n = len(result)
        self.output_note.setText(self.tr("No audio output device was found.") if n == 0 else
                                 self.tr("1 output device found.") if n == 1 else
                                 self.tr("{} output devices found.").format(n))

    # -- the torch runtime --------------------------------------------------------------------

    def show_runtime(self) -> None:
        box = self.groups["runtime"]
        self.scroll.ensureWidgetVisible(box)
        self.runtime_buttons["install"].setFocus()

    def refresh_runtime(self) -> None:
        from studio.app import runtime

        self.work.run("settings-runtime", runtime.status, self._show_runtime)

    def _show_runtime(self, status: Any, error: str) -> None:
        if error:
            self.runtime_state.setText(self.tr("The runtime cannot be read: {}").format(error))
            return
        active = status.active or self.tr("the app's own Python")
        lines = [self.tr("Active: {}").format(active)
                 + (f" (torch {status.torch})" if status.torch else ""),
                 self.tr("Recommended here: {variant} ({reason})").format(
                     variant=status.recommended, reason=status.reason)]
        if status.installed:
            lines.append(self.tr("Installed: {}").format(", ".join(status.installed)))
        if status.problem:
            lines.append(self.tr("Problem: {}").format(status.problem))
        self.runtime_state.setText("\n".join(lines))
        self.runtime_buttons["remove"].setEnabled(bool(status.active or status.installed))

    def runtime_action(self, what: str) -> None:
        from studio.app import runtime

        def report(*parts: str) -> None:
            self.work.line.emit(" ".join(parts)[-200:])

        calls = {"install": lambda: runtime.install(None, progress=report),
                 "repair": lambda: runtime.repair(progress=report),
                 "remove": lambda: runtime.remove(None)}
        for button in self.runtime_buttons.values():
            button.setEnabled(False)
        self.runtime_log.setText({"install": self.tr("Installing…"),
                                  "repair": self.tr("Repairing…"),
                                  "remove": self.tr("Removing…")}[what])
        self.work.run(f"runtime-{what}", calls[what],
                      lambda status, error: self._runtime_done(what, status, error))

    def _runtime_done(self, what: str, status: Any, error: str) -> None:
        for button in self.runtime_buttons.values():
            button.setEnabled(True)
        if error:
            self.runtime_log.setText(self.tr("Failed: {}").format(error))
        else:
            self.runtime_log.setText({
                "install": self.tr("Installed; the next job's worker uses it."),
                "repair": self.tr("Repaired; the next job's worker uses it."),
                "remove": self.tr("Removed; the next job's worker uses the app's own Python."),
            }[what])
        if status is not None:
            self._show_runtime(status, "")


def _tr(text: str) -> str:
    return QCoreApplication.translate("SettingsDialog", text)


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setEnabled(False)  # the palette's quieter text, in light and dark alike
    return label
