"""The main window: generate panel, canvas, writing desk, library, job queue."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any

# Only what the first paint needs: PySide6 builds a class's enums when the class is
# first imported (the Qt namespace alone took 110 ms); the rest is imported in _build.
from PySide6.QtWidgets import QApplication, QMainWindow

from studio import __version__
from studio.api import StudioError
from studio.ui.startup import AfterFirstPaint, open_in_background

if TYPE_CHECKING:
    from studio.ui.welcome import WelcomePage

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    def __init__(self, studio: Any, *, deferred: bool = False) -> None:
        """``deferred``: paint an empty window first and build its workspaces in the
        event loop's next turn (``launch``: the window appears in about the time a bare
        Qt window takes; the views' modules, the packs and the engine load after)."""
        super().__init__()
        self.studio = studio
        self.setWindowTitle(f"Studio {__version__}")
        self.after_paint = AfterFirstPaint(self)  # fills that wait for the first paint
        self.resize(1280, 820)
        self._built = False
        self._sized = False
        if deferred:
            self.statusBar().showMessage(self.tr("Starting…"))
            self.after_paint.later(self._build)
        else:
            self._build()

    def _build(self) -> None:
        # Imported here, not at the top: these modules (numpy among them) cost more
        # than the bare window does, and a deferred window is painted before them.
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QDockWidget, QTabWidget

        from studio.app.embed_process import ProcessEmbedder
        from studio.app.jobs import JobEvent
        from studio.app.ui_state import STATE_FILE, UiState
        from studio.app.voice import for_studio as voice_for_studio
        from studio.ui.bridge import EngineBridge
        from studio.ui.canvas import Canvas
        from studio.ui.drop import DropHandler
        from studio.ui.generate_panel import GeneratePanel
        from studio.ui.jobs_view import JobsView
        from studio.ui.library_view import LibraryView
        from studio.ui.model_scan import ModelScan
        from studio.ui.music_view import MusicView
        from studio.ui.profile_view import ProfileView
        from studio.ui.suggestions_view import (
            SuggestionsView,
            panel_state,
            restore_panel_state,
        )
        from studio.ui.video_view import VideoView
        from studio.ui.welcome import should_welcome
        from studio.ui.writing_view import WritingView

        studio = self.studio
        self.bridge = EngineBridge(studio.engine, self)
        try:
            # Opened here, once, before the profile and suggestion workers both reach
            # for it from their own threads (opening is cheap; replaying is theirs).
            studio.history  # noqa: B018
        except StudioError as exc:
            self._history_error = str(exc)
        else:
            self._history_error = ""

        # The last settings per modality, the desk's model, the welcome (issue #13).
        self.ui_state = UiState.load(studio.root / STATE_FILE)
        self.model_scan = ModelScan(studio.settings.model_dirs, self)
        self.panel = GeneratePanel(studio.plugins, state=self.ui_state, scan=self.model_scan)
        self.panel.requested.connect(self.submit)
        left = QDockWidget(self.tr("Generate"), self)
        left.setObjectName("generate")
        left.setWidget(self.panel)
        left.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, left)

        self.canvas = Canvas(studio.library)
        self.canvas.task_name = self.panel.pack_texts.task  # "txt2img" reads 文生图
        self.canvas.sendTo.connect(self.start_from_artifact)
        self.canvas.status.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.panel.mask_source = self.canvas.mask_inputs  # a painted mask goes with inpaint
        self.panel.task.currentTextChanged.connect(
            lambda _t: self.canvas.follow_task("mask" in self.panel.inputs))
        self.writing = WritingView(host=studio.plugins, state=self.ui_state,
                                   folder=None if studio.incognito else studio.root,
                                   scan=self.model_scan,
                                   voice=voice_for_studio(studio, ProcessEmbedder()))
        self.writing.requested.connect(self.submit)
        self.writing.stopped.connect(studio.engine.cancel)
        self.library = LibraryView(studio.library)
        self.library.opened.connect(self.open_artifact)
        self.library.startFrom.connect(self.start_from_artifact)
        self.library.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.tabs = QTabWidget()
        self.tabs.addTab(self.canvas, self.tr("Canvas"))
        self.tabs.addTab(self.writing, self.tr("Writing"))
        # A workspace for each medium an installed pack makes (issue #13).
        makes = studio.plugins.generators_for
        self.music = MusicView(studio.settings, engine=studio.engine) if makes("music") else None
        self.video = VideoView() if makes("video") else None
        for view, label in ((self.music, self.tr("Music")), (self.video, self.tr("Video"))):
            if view is not None:
                self.tabs.addTab(view, label)
        self.tabs.addTab(self.library, self.tr("Library"))
        self.profile = ProfileView(studio)
        self.tabs.addTab(self.profile, self.tr("Profile"))
        from studio.ui.plugin_manager import PluginManager

        self.plugin_page = PluginManager(studio)  # enable, disable, install (issue #14)
        self.tabs.addTab(self.plugin_page, self.tr("Plugins"))
        self.setCentralWidget(self.tabs)
        self.welcome: WelcomePage | None = None
        if should_welcome(studio.plugins.generators.values(), self.ui_state,
                          studio.settings.default_models.values()):
            self.show_welcome()

        self.jobs = JobsView(studio.engine)
        self.jobs.openResult.connect(self.open_artifact)
        self.jobs.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        for job in sorted(studio.engine.jobs(), key=lambda j: j.created):
            # Jobs restored from the last session: queued ones will run, interrupted
            # ones are shown so the user knows what did not finish.
            self.jobs.add_job(job)
            if job.state == "interrupted":
                self.jobs.on_event(JobEvent("interrupted", job.id, error=job.error))
        bottom = QDockWidget(self.tr("Queue"), self)
        bottom.setObjectName("queue")
        bottom.setWidget(self.jobs)
        self.jobs.setMinimumHeight(60)
        self._queue_dock = bottom
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, bottom)

        self.suggestions = SuggestionsView(studio)
        self.suggestions.applied.connect(self.apply_suggestion)
        self.suggestions.showProfile.connect(lambda: self.tabs.setCurrentWidget(self.profile))
        self.suggestions.bind_undo(lambda: panel_state(self),
                                   lambda state: restore_panel_state(self, state))
        right = QDockWidget(self.tr("Suggestions"), self)
        right.setObjectName("suggestions")
        right.setWidget(self.suggestions)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, right)
        self.panel.prompt.textChanged.connect(self._prompt_context)
        self.panel.modality.currentTextChanged.connect(self._prompt_context)
        self.writing.editor.textChanged.connect(self._writing_context)
        self.writing.editor.selectionChanged.connect(self._writing_context)

        self.bridge.jobEvent.connect(self.on_event)
        self.statusBar().showMessage(self._history_error or self.ui_state.problem
                                     or self._status_text())
        # An image dropped here restores its settings; a folder is imported (issue #19).
        self.drops = DropHandler(self)
        self.library.filesDropped.connect(self.drops.handle)  # the grid takes drops itself
        self.setAcceptDrops(True)
        self._prompt_context()
        from studio.ui import desktop

        # Menus, one Undo, shortcuts, the icon and the last layout (issue #14).
        self._sized = desktop.install(self) or self._sized
        self._built = True
        if self.isVisible():
            self._size_docks()
        # Not at the first Generate, on this thread (issue #14).
        self.after_paint.later(lambda: open_in_background(studio.library))

    def _status_text(self) -> str:
        ok = sum(r.status == "ok" for r in self.studio.plugins.plugins())
        failed = sum(r.status == "error" for r in self.studio.plugins.plugins())
        if failed:
            return self.tr("%n plugin pack(s) loaded, {failed} failed (see Plugins)", "",
                           ok).format(failed=failed)
        return self.tr("%n plugin pack(s) loaded", "", ok)

    # -- actions ----------------------------------------------------------------

    def submit(self, request: Any, on_submitted: Any = None) -> Any:
        try:
            job = self.studio.engine.submit(request)
        except StudioError as exc:
            # Bad input: say what is wrong where it was typed, keep everything typed.
            where = self.writing if self.sender() is self.writing else self.panel
            where.show_error(str(exc))
            self.statusBar().showMessage(str(exc), 8000)
            return None
        self.jobs.add_job(job)
        if self._media_for(request.modality) is not None:
            self.tabs.setCurrentWidget(self._media_for(request.modality))
        if on_submitted is not None:
            on_submitted(job)
        return job

    def on_event(self, event: Any) -> None:
        self.jobs.on_event(event)
        self.writing.on_event(event)
        media = self._media_job(event.job_id)
        if media is not None:
            media.on_event(event)
        # A music preview is (samples, rate), not a picture: only pictures go on the canvas.
        if event.kind == "progress" and media is None and hasattr(event.preview, "convert"):
            from studio.ui.bridge import pil_to_pixmap

            self.canvas.show_preview(pil_to_pixmap(event.preview))
        elif event.kind == "done":
            images = [a for a in event.artifacts if a.kind == "image"]
            if images:
                self.canvas.show_results(images)
            self.library.refresh()
            self.suggestions.set_context()  # the profile learned something: re-rank
            self.profile.refresh()
        elif event.kind == "failed":
            self.statusBar().showMessage(self.tr("Job failed: {error}").format(error=event.error),
                                         15000)

    def _media_for(self, modality: str) -> Any:
        return {"music": self.music, "video": self.video}.get(modality)

    def _media_job(self, job_id: str) -> Any:
        """The music or video workspace following this job, if it is such a job."""
        try:
            return self._media_for(self.studio.engine.job(job_id).request.modality)
        except KeyError:
            return None

    def _prompt_context(self) -> None:
        modality = self.panel.modality.currentText() or None
        prompt = self.panel.prompt.toPlainText().strip()
        self.suggestions.set_context(modality=modality, prompt=prompt or None)

    def _writing_context(self) -> None:
        cursor = self.writing.editor.textCursor()
        selection = cursor.selectedText().replace("\u2029", "\n") if cursor.hasSelection() else None
        # The paragraphs around the cursor are what a cross-modal idea should illustrate.
        self.suggestions.set_context(document=self.writing.editor.toPlainText()[-4000:] or None,
                                     selection=selection)

    def apply_suggestion(self, suggestion: Any) -> None:
        """Put an accepted suggestion where it belongs; the user still presses Generate."""
        if suggestion.modality and not self.studio.plugins.generators_for(suggestion.modality):
            # Pasted into another modality's prompt, a music idea would make a picture.
            pack = {"text": "writing"}.get(suggestion.modality, suggestion.modality)
            self.statusBar().showMessage(
                self.tr("No {kind} generator is installed: install a {pack} pack (see Plugins)")
                .format(kind=suggestion.modality, pack=pack), 10000)
            return
        if suggestion.kind == "direction":
            self.writing.instruction.setText(suggestion.text)
            self.tabs.setCurrentWidget(self.writing)
            return
        if suggestion.modality and suggestion.modality != self.panel.modality.currentText():
            if self.panel.modality.findText(suggestion.modality) >= 0:
                self.panel.modality.setCurrentText(suggestion.modality)
        if suggestion.kind in ("params", "negative") and suggestion.params:
            self.panel.params.set_values(dict(suggestion.params))
        elif suggestion.kind == "negative":
            self.panel.params.set_values({"negative_prompt": suggestion.text})
        else:
            self.panel.prompt.setPlainText(suggestion.text)
            if suggestion.params:  # a profile-aware expansion's usual settings (issue #18)
                self.panel.params.set_values(dict(suggestion.params))
        self.statusBar().showMessage(self.tr("Applied: {reason}").format(reason=suggestion.reason),
                                     6000)

    def start_from_artifact(self, art: Any, task: str) -> None:
        modality = "video" if task == "img2video" else art.modality or "image"
        if not self.panel.start_from(art.id, modality, task):
            self.statusBar().showMessage(
                self.tr("No installed generator can do {task}").format(task=task), 8000)
            return
        if art.prompt and not self.panel.prompt.toPlainText().strip():
            self.panel.prompt.setPlainText(art.prompt)
        if task == "inpaint":
            self.canvas.paint_mask_on(art)
            self.tabs.setCurrentWidget(self.canvas)
        self.statusBar().showMessage(
            self.tr("{task} from {id}: adjust and press Generate").format(task=task, id=art.id),
            8000)

    def open_artifact(self, art: Any) -> None:
        from studio.api import GenerationRequest

        request = art.metadata.get("request")
        if request:
            self.panel.load_request(GenerationRequest.from_dict(request))
        if art.kind == "image":
            self.canvas.show_artifact(art)
            self.tabs.setCurrentWidget(self.canvas)
        elif art.kind == "text":
            self.writing.open_text(art.text or "")
            self.tabs.setCurrentWidget(self.writing)
        elif art.kind in ("audio", "video"):
            media = self.music if art.kind == "audio" else self.video
            if media is None:
                self.statusBar().showMessage(
                    self.tr("No music pack is installed to play this (see Plugins)")
                    if art.kind == "audio" else
                    self.tr("No video pack is installed to play this (see Plugins)"), 8000)
                return
            media.open_file(art.path, art.prompt)
            self.tabs.setCurrentWidget(media)

    def show_view(self, name: str) -> None:
        """Bring a workspace to the front by name (canvas, writing, library, profile,
        music, video); used by ``studio gui --screenshot --view``."""
        widget = getattr(self, name, None)
        if widget is None or self.tabs.indexOf(widget) < 0:
            raise StudioError(f"there is no {name} workspace: no installed pack makes {name}")
        self.tabs.setCurrentWidget(widget)

    def showEvent(self, event: Any) -> None:  # Qt override: dock sizes need a shown window
        super().showEvent(event)
        if self._built:
            self._size_docks()

    def _size_docks(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QDockWidget

        if not self._sized:
            self._sized = True
            docks = {d.objectName(): d for d in self.findChildren(QDockWidget)}
            sides = [docks[n] for n in ("generate", "suggestions") if n in docks]
            width, height = self.width(), self.height()
            # On a small screen the prompt panel keeps room for its fields; the
            # sidebar and the queue give way (a saved layout, if any, wins later).
            wanted = {"generate": max(270, width // 4),
                      "suggestions": min(300, max(200, width // 5))}
            self.resizeDocks(sides, [wanted[d.objectName()] for d in sides],
                             Qt.Orientation.Horizontal)
            self.resizeDocks([self._queue_dock], [150 if height >= 800 else 100],
                             Qt.Orientation.Vertical)

    def dragEnterEvent(self, event: Any) -> None:  # Qt override: files and folders only
        if self.drops.accepts(event.mimeData()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event: Any) -> None:  # Qt override
        if self.drops.accepts(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: Any) -> None:  # Qt override
        if self.drops.handle(event.mimeData()):
            event.acceptProposedAction()

    def show_welcome(self, **kwargs: Any) -> WelcomePage:
        """The first-run page (``gpu_bytes=`` skips reading the GPU's memory)."""
        from studio.ui.welcome import WelcomePage

        page = WelcomePage(self.studio.plugins, self.ui_state,
                           self.studio.settings.default_generators, **kwargs)
        if self.welcome is not None:
            self._close_welcome()
        self.welcome = page
        page.dismissed.connect(self._close_welcome)
        page.downloaded.connect(lambda _ref: self.model_scan.rescan())
        page.tryNow.connect(self._try_modality)
        self.tabs.insertTab(0, page, self.tr("Welcome"))
        self.tabs.setCurrentWidget(page)
        return page

    def _try_modality(self, modality: str) -> None:
        """From the welcome: the workspace of a model that works now, ready to use."""
        if modality == "text":
            self.tabs.setCurrentWidget(self.writing)
            self.writing.editor.setFocus()
            return
        if self.panel.modality.findText(modality) >= 0:
            self.panel.modality.setCurrentText(modality)
        self.tabs.setCurrentWidget(self._media_for(modality) or self.canvas)
        self.panel.prompt.setFocus()

    def _close_welcome(self) -> None:
        page, self.welcome = self.welcome, None
        if page is not None:
            self.tabs.removeTab(self.tabs.indexOf(page))
            page.shutdown(wait=False)  # a slow nvidia-smi must not hold the click
            page.deleteLater()

    def closeEvent(self, event: Any) -> None:
        if not self._built:  # closed before its first paint: nothing was started
            super().closeEvent(event)
            return
        from studio.ui import desktop

        desktop.shutdown(self)  # the layout, while the docks are still there
        self.writing.shutdown()  # the desk's model goes into the state saved next
        message = self.panel.save_state()
        if message:
            log.warning("%s", message)
        if self.welcome is not None:
            self.welcome.shutdown()
        self.model_scan.close()
        self.drops.shutdown()
        self.library.shutdown()
        self.canvas.shutdown()
        self.bridge.close()
        self.suggestions.shutdown()
        self.profile.shutdown()
        for media in (self.music, self.video):
            if media is not None:
                media.shutdown()
        super().closeEvent(event)


def launch(argv: list[str] | None = None) -> int:
    from studio.app.studio import Studio

    app = QApplication.instance() or QApplication(argv or sys.argv)
    app.setApplicationName("Studio")
    try:
        studio = Studio(backend="process")
    except StudioError as exc:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(None, "Studio", str(exc))
        return 2
    from studio.ui import theme
    from studio.ui.i18n import install_translator

    install_translator(app, studio.settings.language)  # before any widget is made

    theme.apply(app, studio.settings.theme)  # light, dark or the desktop's (issue #14)
    window = MainWindow(studio, deferred=True)
    window.show()
    # After the first paint: loading the SVG icon engine took 8 ms of the start-up.
    window.after_paint.later(lambda: _set_icon(app))

    def warm() -> None:
        for slot in studio.engine.slots:  # warm every worker while the user types
            if hasattr(slot.backend, "start"):
                slot.backend.start()

    window.after_paint.later(warm)
    try:
        return app.exec()
    finally:
        studio.close()


def _set_icon(app: QApplication) -> None:
    from studio.ui.icons import app_icon

    app.setWindowIcon(app_icon())
