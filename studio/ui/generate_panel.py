"""The generate panel: modality, generator, task, model, prompt, parameters, seed, inputs."""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from studio.api import GenerationRequest
from studio.app.model_catalog import (
    ModelEntry,
    picker_entries,
    serves_check,
    unavailable_reason,
)
from studio.app.pack_i18n import PackTexts
from studio.app.ui_state import UiState, restorable_params
from studio.ui import i18n
from studio.ui.download_row import DownloadRow
from studio.ui.keyed_combo import KeyedComboBox
from studio.ui.model_labels import model_label, model_note
from studio.ui.model_scan import ModelScan
from studio.ui.params_form import INVALID_STYLE, ParamsForm


class GeneratePanel(QWidget):
    #: emitted with a GenerationRequest when the user presses Generate
    requested = Signal(object)

    def __init__(self, host: Any, parent: QWidget | None = None, *,
                 state: UiState | None = None, model_dirs: list[str] | None = None,
                 scan: ModelScan | None = None) -> None:
        super().__init__(parent)
        self.host = host
        #: the last settings per modality, persisted (None: remembered for this session)
        self.state = state
        # What is on disk, listed on a worker: the list fills in when it is read.
        self.scan = scan or ModelScan(model_dirs, self)
        self._own_scan = scan is None
        self._entries: dict[str, ModelEntry] = {}
        self._bundled: set[str] = set()
        # modality -> generator, model, task, params and prompt, for this session
        self._memory: dict[str, dict[str, Any]] = {}
        self._shown = ""  # the modality the widgets hold now
        self._form_generator = ""  # the generator whose parameters the form shows
        self.setStyleSheet(INVALID_STYLE)
        #: the packs' names, labels and help texts in the window's language
        self.pack_texts = PackTexts(host, i18n.language())
        # Modalities and tasks are ids the code picks by; the user reads their names.
        self.modality = KeyedComboBox()
        self.generator = QComboBox()
        self.task = KeyedComboBox()
        self.model = QComboBox()
        self.model.setEditable(True)
        self.model.setToolTip(self.tr("A hub repo id, a local folder or a .safetensors/.gguf file"))
        for combo in (self.modality, self.generator, self.task, self.model):
            # Long model labels (name, size, "not downloaded") must not widen the dock.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)
        self.prompt = QPlainTextEdit()
        self.prompt.setPlaceholderText(self.tr("Describe what to make…"))
        self.prompt.setTabChangesFocus(True)  # Tab moves on to the parameters, as in a form
        self.prompt.setFixedHeight(96)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.random_seed = QCheckBox(self.tr("Random"))
        self.random_seed.setChecked(True)
        self.random_seed.toggled.connect(lambda on: self.seed.setEnabled(not on))
        self.seed.setEnabled(False)
        self.inputs: dict[str, QLineEdit] = {}
        self.inputs_box = QFormLayout()
        #: given the image input (or None), the "image" and "mask" inputs of a mask
        #: painted on the canvas, or {} (set by the window)
        self.mask_source: Callable[[str | None], dict[str, str]] | None = None
        self.params = ParamsForm()
        self.generate = QPushButton(self.tr("Generate"))
        self.generate.setDefault(True)
        self.generate.clicked.connect(self._emit_request)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c0392b")

        form = QFormLayout()
        for label, widget in ((self.tr("Make"), self.modality),
                              (self.tr("Generator"), self.generator),
                              (self.tr("Task"), self.task), (self.tr("Model"), self.model)):
            form.addRow(label, widget)
            widget.setAccessibleName(label)
        self.prompt.setAccessibleName(self.tr("Prompt"))
        self.seed.setAccessibleName(self.tr("Seed"))
        self.random_seed.setAccessibleName(self.tr("Random seed"))
        self.generate.setAccessibleDescription(self.tr("Queue the generation"))
        self.download = DownloadRow()
        form.addRow(self.download)
        self.model.currentTextChanged.connect(lambda _t: self.download.show_for(self.model_ref()))
        self.model.currentTextChanged.connect(lambda _t: self._model_changed())
        self.download.finished.connect(self._downloaded)
        self.scan.ready.connect(self._refill_models)
        self.prompt.textChanged.connect(lambda: _mark(self.prompt, False))
        self.seed.valueChanged.connect(lambda _v: _mark(self.seed, False))
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(self.random_seed)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("Prompt")))
        layout.addWidget(self.prompt)
        layout.addLayout(self.inputs_box)
        layout.addWidget(self.params)
        seed_form = QFormLayout()
        seed_form.addRow(self.tr("Seed"), seed_row)
        layout.addLayout(seed_form)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.addWidget(scroll, 1)
        outer.addWidget(self.message)
        outer.addWidget(self.generate)

        self.modality.currentIndexChanged.connect(
            lambda _i: self._fill_generators(self.modality.currentText()))
        self.generator.currentIndexChanged.connect(self._fill_generator)
        self.task.currentIndexChanged.connect(lambda _i: self._fill_task(self.task.currentText()))
        modalities = sorted({g.modality for g in host.generators.values()})
        for modality in modalities:
            self.modality.add_keyed(modality, self.pack_texts.modality(modality))
        if state is not None and state.last_modality in modalities:
            self.modality.setCurrentText(state.last_modality)
        if not modalities:
            self.generate.setEnabled(False)
            self.message.setText(self.tr("No generator is available: see Plugins for packs "
                                         "that failed to load."))

    # -- schema-driven widgets ---------------------------------------------------

    def info(self) -> Any:
        gid = self.generator.currentData()
        return self.host.generators.get(gid) if gid else None

    def _fill_generators(self, modality: str) -> None:
        self._remember()  # what the widgets hold belongs to the modality being left
        self._shown = ""
        self.generator.clear()
        for info in self.host.generators_for(modality):
            if set(info.tasks) <= PROFILE_TASKS:
                continue  # trained from the profile page, on the user's chosen images
            self.generator.addItem(self.pack_texts.for_generator(info.id)(info.name), info.id)
        self._shown = modality
        self._restore(modality)

    def _fill_generator(self) -> None:
        info = self.info()
        self.task.clear()
        self.model.clear()
        if info is None:
            return
        self._fill_models(info)
        index = self.model.findData(info.default_model)
        if index >= 0:
            self.model.setCurrentIndex(index)
        self.model.lineEdit().setCursorPosition(0)
        tr = self.pack_texts.for_generator(info.id)
        for task in info.tasks:
            self.task.add_keyed(task, tr(task))

    def _fill_task(self, task: str) -> None:
        info = self.info()
        if info is None or not task:
            return
        # Another task of the same generator keeps the values the two tasks share.
        kept = self.params.values() if self._form_generator == info.id else {}
        self.params.set_schema(info.params, task, self.pack_texts.for_generator(info.id))
        self._form_generator = info.id
        self.params.set_values(restorable_params(info.params, task, kept))
        while self.inputs_box.rowCount():
            self.inputs_box.removeRow(0)
        self.inputs.clear()
        tr = self.pack_texts.for_generator(info.id)
        for role in info.task_inputs.get(task, ()):
            label = _role_label(role, tr)
            edit = QLineEdit(placeholderText=self.tr("{role} file or artifact:<id>")
                             .format(role=label))
            edit.setAccessibleName(label)
            edit.textChanged.connect(lambda _t, e=edit: _mark(e, False))
            browse = QPushButton("…")
            browse.setAccessibleName(self.tr("Choose a file for {role}").format(role=label))
            browse.setToolTip(browse.accessibleName())
            browse.setFixedWidth(28)
            browse.clicked.connect(lambda _=False, e=edit: self._browse(e))
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(browse)
            self.inputs[role] = edit
            self.inputs_box.addRow(label, row)
        self._order_tabs()

    def _order_tabs(self) -> None:
        """Keyboard order: the pickers, the prompt, inputs, parameters, seed, Generate."""
        chain: list[QWidget] = [self.modality, self.generator, self.task, self.model,
                                self.prompt]
        for edit in self.inputs.values():
            chain.append(edit)
        chain += self.params.focus_chain()
        chain += [self.seed, self.random_seed, self.generate]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _browse(self, edit: QLineEdit) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose a file"))
        if path:
            edit.setText(path)

    # -- building the request -------------------------------------------------------

    def model_ref(self) -> str:
        index = self.model.findText(self.model.currentText())
        data = self.model.itemData(index) if index >= 0 else None
        return str(data or self.model.currentText().strip())

    def build_request(self) -> GenerationRequest:
        info = self.info()
        model = self.model_ref()
        inputs = {r: e.text().strip() for r, e in self.inputs.items() if e.text().strip()}
        if "mask" in self.inputs and "mask" not in inputs and self.mask_source is not None:
            inputs.update(self.mask_source(inputs.get("image")))  # a typed mask file wins
        return GenerationRequest(
            modality=info.modality,
            prompt=self.prompt.toPlainText().strip(),
            task=self.task.currentText(),
            generator=info.id,
            model=model if model != info.default_model else "",
            params=self.params.values(),
            seed=None if self.random_seed.isChecked() else self.seed.value(),
            inputs=inputs,
        )

    def load_request(self, request: GenerationRequest) -> None:
        """Fill the panel from a stored request (re-use the settings of a library item)."""
        self.modality.setCurrentText(request.modality)
        index = self.generator.findData(request.generator)
        if index >= 0:
            self.generator.setCurrentIndex(index)
        if request.task:
            self.task.setCurrentText(request.task)
        if request.model:
            self._set_model(request.model)
        self.prompt.setPlainText(request.prompt)
        self.params.set_values(dict(request.params))
        if request.seed is not None:
            self.random_seed.setChecked(False)
            self.seed.setValue(int(request.seed) % (2**31 - 1))

    def start_from(self, artifact_id: str, modality: str, task: str) -> bool:
        """Set up a task on a library artifact (variations, img2img, upscale).

        Returns False when no generator of that modality can do the task.
        """
        current = self.info()
        self.modality.setCurrentText(modality)
        # Keep the generator the user chose when it can do the task.
        order = list(range(self.generator.count()))
        if current is not None and self.generator.findData(current.id) >= 0:
            order.insert(0, self.generator.findData(current.id))
        for i in order:
            info = self.host.generators.get(self.generator.itemData(i))
            if info is not None and task in info.tasks:
                self.generator.setCurrentIndex(i)
                break
        else:
            return False
        self.task.setCurrentText(task)
        edit = self.inputs.get("image")
        if edit is not None:
            edit.setText(f"artifact:{artifact_id}")
        return True

    def _emit_request(self) -> None:
        self.message.clear()
        self.clear_errors()
        if self.info() is None:
            return
        problem = self.model_problem()
        if problem:
            # Caught here rather than by a job that fails once the worker has started.
            self.download.show_for(self.model_ref() or self.info().default_model)
            self.show_error(problem, field=self.model)
            return
        self.requested.emit(self.build_request())
        self.save_state()

    def show_error(self, text: str, field: QWidget | None = None) -> None:
        """Say what is wrong and outline the field it names (cleared on its next edit)."""
        self.message.setText(text)
        field = field or self._field_named_in(text)
        if field is not None:
            _mark(field, True)

    # -- the field in error ----------------------------------------------------------------

    def _field_named_in(self, text: str) -> QWidget | None:
        lower = text.lower()
        ref = self.model_ref()
        if (ref and ref in text) or lower.startswith(("model", "the model", "text model")):
            return self.model
        for role, edit in self.inputs.items():
            if f"'{role}'" in text or re.search(rf"\binput.*\b{re.escape(role)}\b", lower):
                return edit
        name = self.params.field_named_in(text)
        if name is not None:
            self.params.mark_error(name)
            return None
        if lower.startswith("seed"):
            return self.seed
        if "the prompt" in lower:
            return self.prompt
        return None

    def clear_errors(self) -> None:
        self.params.clear_errors()
        for w in (self.model, self.prompt, self.seed, *self.inputs.values()):
            _mark(w, False)

    def invalid_widgets(self) -> list[QWidget]:
        own = [w for w in (self.model, self.prompt, self.seed, *self.inputs.values())
               if w.property("invalid")]
        return own + [self.params.editor(n) for n in self.params.invalid_fields()]

    # -- the model picker ----------------------------------------------------------------------

    def _fill_models(self, info: Any) -> None:
        cache, local = self.scan.listing
        entries = picker_entries(info, cache, local, serves=serves_check(info))
        self._entries = {e.ref: e for e in entries}
        self._bundled = {m.ref for m in info.models if m.bundled}
        tr = self.pack_texts.for_generator(info.id)
        for e in entries:
            self.model.addItem(model_label(e, tr), e.ref)
            self.model.setItemData(self.model.count() - 1, model_note(e, tr),
                                   Qt.ItemDataRole.ToolTipRole)

    def refresh_models(self) -> None:
        """Read the cache and the model folders again (after a download)."""
        self.scan.rescan()

    def _refill_models(self) -> None:
        info = self.info()
        if info is None:
            return
        ref = self.model_ref()
        self.model.blockSignals(True)
        self.model.clear()
        self._fill_models(info)
        self.model.blockSignals(False)
        self._set_model(ref)

    def _set_model(self, ref: str) -> None:
        index = self.model.findData(ref)
        if index >= 0:
            self.model.setCurrentIndex(index)
        else:
            self.model.setEditText(ref)
        self.model.lineEdit().setCursorPosition(0)

    def _model_changed(self) -> None:
        _mark(self.model, False)
        self.model.lineEdit().setCursorPosition(0)  # the name, not the tail of the label
        if self.model_ref() in self._bundled:
            self.download.hide()  # ships in a package: nothing to download
        entry = self._entries.get(self.model_ref())
        info = self.info()
        tr = self.pack_texts.for_generator(info.id) if info is not None else (lambda t: t)
        self.model.setToolTip(model_note(entry, tr) if entry and entry.note else
                              self.tr("A hub repo id, a local folder or a "
                                      ".safetensors/.gguf file"))

    def model_problem(self) -> str | None:
        """Why the chosen model cannot run now (not downloaded, offline, no space, a
        refused download), or None."""
        info = self.info()
        ref = self.model_ref() or (info.default_model if info else "")
        if not ref or ref in self._bundled:
            return None
        entry = self._entries.get(ref)
        return unavailable_reason(ref, entry.size_bytes if entry else None,
                                  DownloadRow.failures.get(ref, ""))

    def _downloaded(self, ref: str) -> None:
        self.refresh_models()
        if ref in self.message.text():
            self.message.clear()
        _mark(self.model, False)

    # -- memory per modality -----------------------------------------------------------------

    def _remember(self) -> None:
        info = self.info()
        if not self._shown or info is None or info.modality != self._shown:
            return
        entry = {"generator": info.id, "model": self.model_ref(),
                 "task": self.task.currentText(), "params": self.params.values()}
        self._memory[self._shown] = {**entry, "prompt": self.prompt.toPlainText()}
        if self.state is not None:
            self.state.remember_make(self._shown, **entry)

    def _restore(self, modality: str) -> None:
        memory = self._memory.get(modality) or (
            self.state.make(modality) if self.state is not None else {})
        if not memory:
            return
        index = self.generator.findData(memory.get("generator"))
        if index < 0:
            return  # its pack is gone: the modality starts from the defaults
        self.generator.setCurrentIndex(index)
        info = self.info()
        if memory.get("task") in info.tasks:
            self.task.setCurrentText(memory["task"])
        if memory.get("model"):
            self._set_model(memory["model"])
        self.params.set_values(restorable_params(info.params, self.task.currentText(),
                                                 memory.get("params", {})))
        if "prompt" in memory:
            self.prompt.setPlainText(memory["prompt"])

    def shutdown(self) -> None:
        """Stop the panel's own model scan (a shared one belongs to its owner)."""
        if self._own_scan:
            self.scan.close()

    def save_state(self) -> str:
        """Persist the settings shown now; the reason in one line if it failed."""
        self._remember()
        if self.state is None:
            return ""
        self.state.last_modality = self.modality.currentText()
        return self.state.try_save()


def _mark(widget: QWidget, on: bool) -> None:
    if bool(widget.property("invalid")) == on:
        return
    widget.setProperty("invalid", on)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


#: Tasks the panel does not offer: the profile page runs them (docs/personalize.md).
PROFILE_TASKS = frozenset({"train_lora"})

#: The inputs tasks commonly take, named in the user's language; others as the pack's
#: catalogue names them, or as declared.
_ROLES = {"image": QT_TRANSLATE_NOOP("GeneratePanel", "Image"),
          "mask": QT_TRANSLATE_NOOP("GeneratePanel", "Mask"),
          "audio": QT_TRANSLATE_NOOP("GeneratePanel", "Audio"),
          "video": QT_TRANSLATE_NOOP("GeneratePanel", "Video"),
          "last_frame": QT_TRANSLATE_NOOP("GeneratePanel", "Last frame")}


def _role_label(role: str, translate: Callable[[str], str]) -> str:
    if role in _ROLES:
        return QCoreApplication.translate("GeneratePanel", _ROLES[role])
    shown = translate(role)  # a pack's own input, named in its catalogue
    return shown if shown != role else role.replace("_", " ").capitalize()
