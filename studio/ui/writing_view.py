"""The writing desk: a Markdown document where generated text streams in at the cursor.

Documents are opened and saved as files; a recovery copy is written to the data
folder a moment after each edit (on a worker thread) and when the window closes,
so the last document and its unsaved text come back on the next start. The text
generator, its model and parameters sit on the desk; Continue, Rewrite and Chat
run as ordinary jobs and Stop cancels them.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.api import GenerationRequest
from studio.app.exports import write_export
from studio.app.model_catalog import picker_entries, serves_check, unavailable_reason
from studio.app.pack_i18n import PackTexts
from studio.app.ui_state import DeskRecovery, UiState, restorable_params
from studio.ui import i18n
from studio.ui.download_row import DownloadRow
from studio.ui.model_labels import model_label, model_note
from studio.ui.model_scan import ModelScan
from studio.ui.params_form import ParamsForm

log = logging.getLogger(__name__)

#: How long after the last keystroke the recovery copy is written.
AUTOSAVE_MS = 1500
#: Larger files are refused: the desk is for writing, not for logs.
MAX_OPEN_BYTES = 20 * 2**20
#: Parameters a task takes from the direction line, in order of preference.
DIRECTION_PARAMS = {"continue": ("direction", "instruction"), "rewrite": ("instruction",
                                                                           "direction")}
#: Parameters the desk fills itself (from the direction line), not from the form.
_OWN_PARAMS = {"direction", "instruction", "system", "exemplars", "exemplar_ids"}
#: Tasks written in the user's voice when the switch (the ``my_voice`` parameter) is on.
_VOICE_TASKS = ("continue", "rewrite")
_FILTER = QT_TRANSLATE_NOOP("WritingView",
                            "Markdown (*.md *.markdown);;Text (*.txt);;All files (*)")


class WritingView(QWidget):
    #: emitted with (GenerationRequest, on_submitted callback taking the job)
    requested = Signal(object, object)
    #: emitted with the id of a running desk job the user stopped
    stopped = Signal(str)
    # From the desk's worker to the UI thread: a request with the user's passages
    # (request, cursor, replace, lead, status), and a fresh voice status.
    _voiced = Signal(object, object, bool, str, object)
    _voice_read = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, host: Any = None,
                 state: UiState | None = None, folder: Path | None = None,
                 model_dirs: list[str] | None = None, scan: ModelScan | None = None,
                 voice: Any = None) -> None:
        super().__init__(parent)
        self.host = host
        # studio.app.voice.Voice: the user's own passages (issue #18); read on the
        # worker only (it loads the history and, for retrieval, the embedding model).
        self.voice = voice
        self.voice_status: Any = None  # the last VoiceStatus read; None until then
        self.state = state
        self.folder = Path(folder) if folder else None  # where the recovery copy goes
        self.scan = scan or ModelScan(model_dirs, self)
        self._own_scan = scan is None
        self.path = ""  # the document's file; "" while untitled
        self._modified = False
        self._loading = False
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="studio-desk")
        self._closed = False
        self._entries: dict[str, Any] = {}

        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText(self.tr("Write here. Continue writes on from the cursor; "
                                               "select text and Rewrite to transform it; Chat "
                                               "answers the message in the line below."))
        self.editor.setAccessibleName(self.tr("Document"))
        self.open_button = QPushButton(self.tr("Open…"))
        self.save_button = QPushButton(self.tr("Save"))
        self.save_as_button = QPushButton(self.tr("Save as…"))
        self.open_button.clicked.connect(self._open_dialog)
        self.save_button.clicked.connect(self.save)
        self.save_as_button.clicked.connect(self._save_as_dialog)
        self.path_label = QLabel()
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.words = QLabel()
        self.words.setMinimumWidth(self.words.fontMetrics().horizontalAdvance(
            "99,999 words (9,999 selected)"))
        self.words.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        files = QHBoxLayout()
        for w in (self.open_button, self.save_button, self.save_as_button):
            files.addWidget(w)
        files.addWidget(self.path_label, 1)
        files.addWidget(self.words)

        # The model and its parameters, compact: the form folds away.
        self.generator = QComboBox()
        self.model = QComboBox()
        self.model.setEditable(True)
        self.model.setMinimumContentsLength(18)
        self.model.setToolTip(self.tr("A hub repo id, a local folder or a .gguf file"))
        self.params_button = QPushButton(self.tr("Parameters"))
        self.generator.setAccessibleName(self.tr("Generator"))
        self.model.setAccessibleName(self.tr("Model"))
        self.params_button.setCheckable(True)
        self.params = ParamsForm()
        self.params.setVisible(False)
        self.params_button.toggled.connect(self.params.setVisible)
        self.download = DownloadRow()
        self.download.finished.connect(lambda _r: self.refresh_models())
        self.scan.ready.connect(self._fill_models)
        model_row = QHBoxLayout()
        model_row.addWidget(QLabel(self.tr("Generator")))
        model_row.addWidget(self.generator)
        model_row.addWidget(QLabel(self.tr("Model")))
        model_row.addWidget(self.model, 1)
        model_row.addWidget(self.params_button)

        self.instruction = QLineEdit(placeholderText=self.tr(
            "A direction for Continue, an instruction for Rewrite, or a message for Chat"))
        self.instruction.setAccessibleName(self.tr("Direction, instruction or message"))
        self.continue_button = QPushButton(self.tr("Continue"))
        self.rewrite_button = QPushButton(self.tr("Rewrite selection"))
        self.chat_button = QPushButton(self.tr("Chat"))
        self.stop_button = QPushButton(self.tr("Stop"))
        self.stop_button.setEnabled(False)
        self.continue_button.clicked.connect(self.request_continue)
        self.rewrite_button.clicked.connect(self.request_rewrite)
        self.chat_button.clicked.connect(self.request_chat)
        self.stop_button.clicked.connect(self.stop)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c0392b")
        self.message.hide()
        self.voice_label = QLabel()
        self.voice_label.setAccessibleName(self.tr("Your voice"))
        self.voice_label.setStyleSheet("color: palette(mid)")
        self.voice_label.setVisible(voice is not None)
        self._voiced.connect(self._submit_voiced)
        self._voice_read.connect(self._show_voice)
        row = QHBoxLayout()
        row.addWidget(self.continue_button)
        row.addWidget(self.instruction, 1)
        row.addWidget(self.rewrite_button)
        row.addWidget(self.chat_button)
        row.addWidget(self.stop_button)

        layout = QVBoxLayout(self)
        layout.addLayout(files)
        layout.addLayout(model_row)
        layout.addWidget(self.download)
        layout.addWidget(self.params)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.voice_label)
        layout.addLayout(row)
        # job id -> (cursor where text goes, replace the selection when done?)
        self._targets: dict[str, tuple[QTextCursor, bool]] = {}

        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(self.write_recovery)
        self._count = QTimer(self)
        self._count.setSingleShot(True)
        self._count.setInterval(250)
        self._count.timeout.connect(self._update_words)
        self.editor.textChanged.connect(self._text_changed)
        self.editor.selectionChanged.connect(self._count.start)
        self.generator.currentIndexChanged.connect(lambda _i: self._generator_changed())
        self.model.currentTextChanged.connect(lambda _t: self._model_changed())

        self._fill_generators()
        self._restore()
        self._update_title()
        self._update_words()
        self.refresh_voice()

    # -- the model on the desk --------------------------------------------------------------

    def info(self) -> Any:
        gid = self.generator.currentData()
        return self.host.generators.get(gid) if (gid and self.host is not None) else None

    def _fill_generators(self) -> None:
        if self.host is None:
            self.generator.hide()
            self.model.hide()
            self.params_button.hide()
            return
        self.pack_texts = PackTexts(self.host, i18n.language())  # the packs' own words
        for info in self.host.generators_for("text"):
            self.generator.addItem(self.pack_texts.for_generator(info.id)(info.name), info.id)
        memory = self.state.desk() if self.state is not None else {}
        index = self.generator.findData(memory.get("generator"))
        if index >= 0:
            self.generator.setCurrentIndex(index)
        self._generator_changed()
        info = self.info()
        if info is not None and memory.get("generator") == info.id:
            if memory.get("model"):
                self._set_model(memory["model"])
            self.params.set_values(restorable_params(info.params, "continue",
                                                     memory.get("params", {})))

    def _generator_changed(self) -> None:
        info = self.info()
        if info is None:
            return
        # The form shows what every task shares; the direction line feeds the rest.
        shared = [p for p in info.params.for_task("continue") if p.name not in _OWN_PARAMS]
        self.params.set_schema(type(info.params)(tuple(shared)), "continue",
                               self.pack_texts.for_generator(info.id))
        if self.voice is not None and not self.voice.enabled():
            self.params.set_values({"my_voice": False})  # the setting is the default
        self._fill_models()
        for button, task in ((self.continue_button, "continue"),
                             (self.rewrite_button, "rewrite"), (self.chat_button, "chat")):
            button.setEnabled(task in info.tasks)
            button.setToolTip("" if task in info.tasks else
                              self.tr("{generator} cannot {task}").format(
                                  generator=self.generator.currentText(),
                                  task=self.pack_texts.task(task)))

    def refresh_models(self) -> None:
        """Read the cache and the model folders again (after a download)."""
        self.scan.rescan()

    def _fill_models(self) -> None:
        info = self.info()
        if info is None:
            return
        ref = self.model_ref() if self.model.count() else info.default_model
        cache, local = self.scan.listing
        entries = picker_entries(info, cache, local, serves=serves_check(info))
        self._entries = {e.ref: e for e in entries}
        self.model.blockSignals(True)
        self.model.clear()
        tr = self.pack_texts.for_generator(info.id)
        for e in entries:
            self.model.addItem(model_label(e, tr), e.ref)
            self.model.setItemData(self.model.count() - 1, model_note(e, tr),
                                   Qt.ItemDataRole.ToolTipRole)
        self.model.blockSignals(False)
        self._set_model(ref or info.default_model)

    def _set_model(self, ref: str) -> None:
        index = self.model.findData(ref)
        if index >= 0:
            self.model.setCurrentIndex(index)
        else:
            self.model.setEditText(ref)
        self.model.lineEdit().setCursorPosition(0)  # the model's name, not the tail

    def model_ref(self) -> str:
        index = self.model.findText(self.model.currentText())
        data = self.model.itemData(index) if index >= 0 else None
        return str(data or self.model.currentText().strip())

    def _model_changed(self) -> None:
        self.download.show_for(self.model_ref())

    def _model_problem(self) -> str | None:
        info = self.info()
        ref = self.model_ref() or (info.default_model if info else "")
        if info is None or not ref or ref in {m.ref for m in info.models if m.bundled}:
            return None
        entry = self._entries.get(ref)
        return unavailable_reason(ref, entry.size_bytes if entry else None,
                                  DownloadRow.failures.get(ref, ""))

    # -- requests ---------------------------------------------------------------------------

    def build_request(self, task: str, prompt: str, extra: dict[str, Any]) -> GenerationRequest:
        """The request for ``task`` with the desk's generator, model and parameters."""
        info = self.info()
        if info is None:
            return GenerationRequest(modality="text", task=task, prompt=prompt, params=extra)
        names = {p.name for p in info.params.for_task(task)}
        params = {k: v for k, v in self.params.values().items() if k in names}
        params.update({k: v for k, v in extra.items() if k in names})
        if "my_voice" in names:  # said either way: the switch is what the user sees
            params.setdefault("my_voice", info.params.get("my_voice").default)
        model = self.model_ref()
        return GenerationRequest(modality="text", task=task, prompt=prompt, generator=info.id,
                                 model=model if model != info.default_model else "",
                                 params=params)

    def _direction_param(self, task: str) -> str | None:
        info = self.info()
        if info is None:
            return "instruction" if task == "rewrite" else None
        names = {p.name for p in info.params.for_task(task)}
        return next((n for n in DIRECTION_PARAMS.get(task, ()) if n in names), None)

    def _submit(self, req: GenerationRequest, cursor: QTextCursor, replace: bool,
                lead: str = "") -> None:
        self._say("")
        problem = self._model_problem()
        if problem:
            self.download.show_for(self.model_ref())
            self._say(problem)
            return
        self.remember()
        info = self.info()
        status = self.voice_status
        if (self.voice is not None and info is not None and req.task in _VOICE_TASKS
                and req.params.get("my_voice") and "exemplars" in info.params
                and status is not None and status.enough and not self._closed):
            # Finding the closest passages embeds text: on the worker, never here.
            self._pool.submit(self._personalize, req, info.params, cursor, replace, lead)
            return
        self.requested.emit(req, lambda job: self._started(job.id, cursor, replace, lead))

    def _personalize(self, req: GenerationRequest, schema: Any, cursor: QTextCursor,
                     replace: bool, lead: str) -> None:
        status = None
        try:
            out = self.voice.personalize(req, schema)
            req, status = out.request, out.status
        except Exception:  # the job still runs, in the model's own voice
            log.warning("the desk could not read your own texts", exc_info=True)
        self._emit_safely(self._voiced, req, cursor, replace, lead, status)

    def _submit_voiced(self, req: GenerationRequest, cursor: QTextCursor, replace: bool,
                       lead: str, status: Any) -> None:
        if self._closed:
            return
        if status is not None:
            self._show_voice(status)
        self.requested.emit(req, lambda job: self._started(job.id, cursor, replace, lead))

    def refresh_voice(self) -> None:
        """Read how much of the user's own text there is again (on the worker)."""
        if self.voice is None or self._closed:
            return
        self._pool.submit(self._read_voice)

    def _read_voice(self) -> None:
        try:
            status = self.voice.status()
        except Exception:
            log.warning("the desk could not read your own texts", exc_info=True)
            return
        self._emit_safely(self._voice_read, status)

    def _emit_safely(self, signal: Any, *args: Any) -> None:
        if self._closed:
            return
        try:
            signal.emit(*args)
        except RuntimeError:  # the desk was deleted meanwhile
            pass

    def _show_voice(self, status: Any) -> None:
        self.voice_status = status
        self.voice_label.setText(self.voice_text(status))

    def voice_text(self, status: Any) -> str:
        """``VoiceStatus.reason`` in the window's language."""
        from studio.app.voice import MIN_PASSAGES, MIN_WORDS

        if not status.enabled:
            return self.tr("Your voice: off in the settings (writing_voice)")
        if status.words < MIN_WORDS:
            return self.tr("Your voice: needs {need} words of your own text, you have "
                           "{have}").format(need=MIN_WORDS, have=status.words)
        if status.passages < MIN_PASSAGES:
            return self.tr("Your voice: needs {need} passages of your own text, you have "
                           "{have}").format(need=MIN_PASSAGES, have=status.passages)
        return self.tr("Your voice: on, from {passages} passages ({words} words) of your "
                       "own text").format(passages=status.passages, words=status.words)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.refresh_voice()  # texts kept in the library since count now

    def _started(self, job_id: str, cursor: QTextCursor, replace: bool, lead: str) -> None:
        if lead:
            cursor.insertText(lead)  # only once the job is queued: a refusal adds nothing
        self._targets[job_id] = (cursor, replace)
        self.stop_button.setEnabled(True)

    def request_continue(self) -> None:
        cursor = self.editor.textCursor()
        cursor.clearSelection()
        before = self.editor.toPlainText()[: cursor.position()]
        extra: dict[str, Any] = {}
        direction = self.instruction.text().strip()
        if direction:
            name = self._direction_param("continue")
            if name is None:
                # Said, not silently dropped: this generator has nowhere to put it.
                self._say(self.tr("{generator} takes no direction for Continue; clear the line "
                                  "or use Rewrite").format(generator=self.generator.currentText()))
                return
            extra[name] = direction
        self._submit(self.build_request("continue", before, extra), cursor, False)

    def request_rewrite(self) -> None:
        cursor = self.editor.textCursor()
        if not cursor.hasSelection():
            self._say(self.tr("Select the text to rewrite first"))
            return
        extra: dict[str, Any] = {}
        instruction = self.instruction.text().strip()
        name = self._direction_param("rewrite")
        if instruction and name:
            extra[name] = instruction
        text = cursor.selectedText().replace("\u2029", "\n")
        self._submit(self.build_request("rewrite", text, extra), cursor, True)

    def request_chat(self) -> None:
        """Answer the message in the line (or the selection) below the cursor."""
        cursor = self.editor.textCursor()
        message = self.instruction.text().strip()
        if not message and cursor.hasSelection():
            message = cursor.selectedText().replace("\u2029", "\n")
        if not message:
            self._say(self.tr("Type a message in the line below, or select text to ask about"))
            return
        cursor.clearSelection()
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
        lead = "\n\n" if self.editor.toPlainText().strip() else ""
        self._submit(self.build_request("chat", message, {}), cursor, False, lead)

    def stop(self) -> None:
        """Cancel the desk's running jobs (the text written so far stays)."""
        for job_id in list(self._targets):
            self.stopped.emit(job_id)

    def on_event(self, event: Any) -> None:
        target = self._targets.get(event.job_id)
        if target is None:
            return
        cursor, replace = target
        if event.kind == "progress" and event.text and not replace:
            cursor.insertText(event.text)  # the cursor moves on, so pieces stay in order
        elif event.kind == "done":
            self._targets.pop(event.job_id, None)
            if replace and event.artifacts:
                cursor.insertText(event.artifacts[0].text or "")
        elif event.kind in ("failed", "cancelled", "interrupted"):
            self._targets.pop(event.job_id, None)
            if event.kind == "failed":
                self._say(self.tr("Writing failed: {error}").format(error=event.error))
        self.stop_button.setEnabled(bool(self._targets))

    def show_error(self, text: str) -> None:
        """A request the engine refused: say why and outline the parameter it names."""
        self._say(text)
        name = self.params.field_named_in(text)
        if name is not None:
            self.params_button.setChecked(True)  # the field must be seen to be fixed
            self.params.mark_error(name)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # -- documents --------------------------------------------------------------------------

    @property
    def modified(self) -> bool:
        return self._modified

    def open_path(self, path: str | Path) -> bool:
        """Open a Markdown or text file; False (and a message) when it cannot be read."""
        path = Path(path)
        try:
            if path.stat().st_size > MAX_OPEN_BYTES:
                raise ValueError(self.tr("it is larger than {size} MB").format(
                    size=MAX_OPEN_BYTES // 2**20))
            text = path.read_text(encoding="utf-8")
        except (OSError, ValueError) as exc:
            reason = self.tr("it is not UTF-8 text") if isinstance(exc, UnicodeDecodeError) else (
                getattr(exc, "strerror", None) or str(exc))
            self._say(self.tr("Cannot open {path}: {reason}").format(path=path, reason=reason))
            return False
        self._set_document(text, str(path.resolve()), modified=False)
        return True

    def open_text(self, text: str) -> None:
        """Show ``text`` as a new, unsaved document (a text from the library)."""
        self._set_document(text, "", modified=True)

    def save(self) -> bool:
        if not self.path:
            return self._save_as_dialog()
        return self.save_to(self.path)

    def save_to(self, path: str | Path) -> bool:
        path = Path(path)
        try:
            write_export(path, self.editor.toPlainText().encode("utf-8"))
        except OSError as exc:
            self._say(self.tr("Cannot save {path}: {error}").format(path=path,
                                                                   error=exc.strerror or exc))
            return False
        self.path = str(path.resolve())
        self._modified = False
        self._say("")
        self._update_title()
        self._autosave.start()
        return True

    def _open_dialog(self) -> None:
        if self._modified and not self._discard_ok():
            return
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open a document"),
                                              str(Path(self.path).parent) if self.path else "",
                                              self.tr(_FILTER))
        if path:
            self.open_path(path)

    def _save_as_dialog(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the document"),
                                              self.path or self.tr("Untitled") + ".md",
                                              self.tr(_FILTER))
        if not path:
            return False
        if not Path(path).suffix:
            path += ".md"
        return self.save_to(path)

    def _discard_ok(self) -> bool:
        answer = QMessageBox.question(
            self, self.tr("Unsaved changes"),
            self.tr("The document has unsaved changes. Open another one anyway? (They stay in "
                    "the recovery copy until the next edit.)"))
        return answer == QMessageBox.StandardButton.Yes

    def _set_document(self, text: str, path: str, modified: bool) -> None:
        self._loading = True
        self.editor.setPlainText(text)
        self._loading = False
        self.path = path
        self._modified = modified
        self._update_title()
        self._update_words()
        self._autosave.start()

    def _text_changed(self) -> None:
        if not self._loading:
            self._modified = True
            self._update_title()
        self._count.start()
        self._autosave.start()

    def _update_title(self) -> None:
        name = self.path or self.tr("Untitled")
        self.path_label.setText(self.tr("{name} (unsaved changes)").format(name=name)
                                if self._modified else name)
        self.path_label.setToolTip(self.path or self.tr("Not saved to a file yet"))

    def word_count(self) -> int:
        return len(self.editor.toPlainText().split())

    def _update_words(self) -> None:
        n = self.word_count()
        cursor = self.editor.textCursor()
        # Two source texts for English's singular; each is a plural form for translators.
        if cursor.hasSelection():
            text = (self.tr("%n word ({selected} selected)", "", n) if n == 1 else
                    self.tr("%n words ({selected} selected)", "", n))
            text = text.format(selected=len(cursor.selectedText().split()))
        else:
            text = self.tr("%n word", "", n) if n == 1 else self.tr("%n words", "", n)
        self.words.setText(text)

    # -- recovery and memory ----------------------------------------------------------------

    def _recovery(self) -> DeskRecovery:
        return DeskRecovery(self.path, self.editor.toPlainText(), self._modified,
                            self.editor.textCursor().position())

    def write_recovery(self) -> Future | None:
        """Write the recovery copy on the desk's worker thread (fsync stays off the UI)."""
        if self.folder is None or self._closed:
            return None
        return self._pool.submit(self._write, self._recovery())

    def _write(self, rec: DeskRecovery) -> None:
        try:
            rec.save(self.folder)
        except OSError as exc:
            log.warning("the writing desk's recovery copy was not written: %s", exc)

    def _restore(self) -> None:
        if self.folder is None:
            return
        rec = DeskRecovery.load(self.folder)
        if rec is None:
            return
        text, modified = rec.text, rec.modified
        if rec.path and not modified:
            # Saved when the window closed: the file is the truth (it may have been
            # edited elsewhere since).
            try:
                text = Path(rec.path).read_text(encoding="utf-8")
            except (OSError, ValueError):
                modified = True  # the file is gone: keep the text, unsaved
        self._set_document(text, rec.path, modified)
        cursor = self.editor.textCursor()
        cursor.setPosition(min(rec.cursor, len(text)))
        self.editor.setTextCursor(cursor)
        self._autosave.stop()

    def remember(self) -> None:
        info = self.info()
        if self.state is not None and info is not None:
            self.state.remember_desk(info.id, self.model_ref(), self.params.values())

    def shutdown(self) -> None:
        """Write the recovery copy now and stop the worker (the window is closing)."""
        if self._closed:
            return
        self._autosave.stop()
        self.remember()
        rec = self._recovery()
        self._closed = True
        self._pool.shutdown(wait=True)
        if self._own_scan:
            self.scan.close()
        if self.folder is not None:
            self._write(rec)
