"""The generate panel: modality, generator, task, model, prompt, parameters, seed, inputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
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
from studio.ui.download_row import DownloadRow
from studio.ui.params_form import ParamsForm


class GeneratePanel(QWidget):
    #: emitted with a GenerationRequest when the user presses Generate
    requested = Signal(object)

    def __init__(self, host: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.modality = QComboBox()
        self.generator = QComboBox()
        self.task = QComboBox()
        self.model = QComboBox()
        self.model.setEditable(True)
        self.model.setToolTip("A hub repo id, a local folder or a .safetensors/.gguf file")
        self.prompt = QPlainTextEdit()
        self.prompt.setPlaceholderText("Describe what to make…")
        self.prompt.setFixedHeight(96)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.random_seed = QCheckBox("Random")
        self.random_seed.setChecked(True)
        self.random_seed.toggled.connect(lambda on: self.seed.setEnabled(not on))
        self.seed.setEnabled(False)
        self.inputs: dict[str, QLineEdit] = {}
        self.inputs_box = QFormLayout()
        #: given the image input (or None), the "image" and "mask" inputs of a mask
        #: painted on the canvas, or {} (set by the window)
        self.mask_source: Callable[[str | None], dict[str, str]] | None = None
        self.params = ParamsForm()
        self.generate = QPushButton("Generate")
        self.generate.setDefault(True)
        self.generate.clicked.connect(self._emit_request)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c0392b")

        form = QFormLayout()
        form.addRow("Make", self.modality)
        form.addRow("Generator", self.generator)
        form.addRow("Task", self.task)
        form.addRow("Model", self.model)
        self.download = DownloadRow()
        form.addRow(self.download)
        self.model.currentTextChanged.connect(lambda _t: self.download.show_for(self.model_ref()))
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(self.random_seed)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.addLayout(form)
        layout.addWidget(QLabel("Prompt"))
        layout.addWidget(self.prompt)
        layout.addLayout(self.inputs_box)
        layout.addWidget(self.params)
        seed_form = QFormLayout()
        seed_form.addRow("Seed", seed_row)
        layout.addLayout(seed_form)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.addWidget(scroll, 1)
        outer.addWidget(self.message)
        outer.addWidget(self.generate)

        self.modality.currentTextChanged.connect(self._fill_generators)
        self.generator.currentIndexChanged.connect(self._fill_generator)
        self.task.currentTextChanged.connect(self._fill_task)
        modalities = sorted({g.modality for g in host.generators.values()})
        self.modality.addItems(modalities)
        if not modalities:
            self.generate.setEnabled(False)
            self.message.setText("No generator is available: see Plugins for packs "
                                 "that failed to load.")

    # -- schema-driven widgets ---------------------------------------------------

    def info(self) -> Any:
        gid = self.generator.currentData()
        return self.host.generators.get(gid) if gid else None

    def _fill_generators(self, modality: str) -> None:
        self.generator.clear()
        for info in self.host.generators_for(modality):
            self.generator.addItem(info.name, info.id)

    def _fill_generator(self) -> None:
        info = self.info()
        self.task.clear()
        self.model.clear()
        if info is None:
            return
        for m in info.models:
            self.model.addItem(m.name or m.ref, m.ref)
        index = self.model.findData(info.default_model)
        if index >= 0:
            self.model.setCurrentIndex(index)
        self.task.addItems(list(info.tasks))

    def _fill_task(self, task: str) -> None:
        info = self.info()
        if info is None or not task:
            return
        self.params.set_schema(info.params, task)
        while self.inputs_box.rowCount():
            self.inputs_box.removeRow(0)
        self.inputs.clear()
        for role in info.task_inputs.get(task, ()):
            edit = QLineEdit(placeholderText=f"{role} file or artifact:<id>")
            browse = QPushButton("…")
            browse.setFixedWidth(28)
            browse.clicked.connect(lambda _=False, e=edit: self._browse(e))
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(browse)
            self.inputs[role] = edit
            self.inputs_box.addRow(role.capitalize(), row)

    def _browse(self, edit: QLineEdit) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a file")
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
            self.model.setEditText(request.model)
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
        if self.info() is None:
            return
        self.requested.emit(self.build_request())

    def show_error(self, text: str) -> None:
        self.message.setText(text)
