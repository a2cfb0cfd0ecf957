"""The job queue: each job's state in words, progress with ETA, and what can be done with it.

Rows run top to bottom in the order things happen: finished jobs, the running one,
then the queued ones in the order they will run (drag a queued row to change that).
Cancel says "Cancelling…" at once; the engine confirms with a "cancelled" event.
With several execution slots (devices, Ray actors) each active row names its slot and
the top line says what every slot is doing.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.api import StudioError
from studio.app.pack_i18n import PackTexts
from studio.ui import i18n
from studio.ui.actions import view_action

FINISHED = ("done", "failed", "cancelled", "interrupted")
_ACTIVE = ("started", "loading", "generating", "saving", "cancelling")

#: The bar's words for each phase (steps are shown as "Step n/N").
PHASE_TEXT = {
    "queued": QT_TRANSLATE_NOOP("JobsView", "Queued"),
    "started": QT_TRANSLATE_NOOP("JobsView", "Starting…"),
    "loading": QT_TRANSLATE_NOOP("JobsView", "Loading model…"),
    "saving": QT_TRANSLATE_NOOP("JobsView", "Saving…"),
    "cancelling": QT_TRANSLATE_NOOP("JobsView", "Cancelling…"),
    "done": QT_TRANSLATE_NOOP("JobsView", "Done"),
    "failed": QT_TRANSLATE_NOOP("JobsView", "Failed"),
    "cancelled": QT_TRANSLATE_NOOP("JobsView", "Cancelled"),
    "interrupted": QT_TRANSLATE_NOOP("JobsView", "Interrupted"),
}

_finish_counter = itertools.count()


def eta_text(seconds: float | None) -> str:
    """"12 s left", "3 min 5 s left"; empty while the first steps give no estimate."""
    if seconds is None:
        return ""
    s = max(0, round(seconds))
    if s < 60:
        return QCoreApplication.translate("JobsView", "{s} s left").format(s=s)
    if s % 60:
        left = QCoreApplication.translate("JobsView", "{m} min {s} s left")
        return left.format(m=s // 60, s=s % 60)
    return QCoreApplication.translate("JobsView", "{m} min left").format(m=s // 60)


@dataclass
class RowState:
    """What a row shows; kept apart from the widget so a row can be rebuilt when moved."""

    phase: str = "queued"
    step: int = 0
    total: int = 0
    eta: float | None = None
    error: str = ""
    artifacts: tuple[Any, ...] = ()
    finished_order: int = -1
    slot: str = ""  # the execution slot running it
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.phase in FINISHED

    @property
    def active(self) -> bool:
        return self.phase in _ACTIVE

    def text(self) -> str:
        if self.phase == "generating":
            if not self.total:
                return QCoreApplication.translate("JobsView", "Generating…")
            eta = eta_text(self.eta)
            step = QCoreApplication.translate("JobsView", "Step {step}/{total}")
            step = step.format(step=self.step, total=self.total)
            if self.extra.get("loss"):  # a training job's smoothed loss (image.train)
                step = f"{step} · {self.extra['loss']}"
            return f"{step} · {eta}" if eta else step
        if self.phase in PHASE_TEXT:
            return QCoreApplication.translate("JobsView", PHASE_TEXT[self.phase])
        return self.phase.capitalize()

    def apply(self, event: Any) -> None:
        kind = event.kind
        if kind == "progress":
            if self.phase == "cancelling":
                return  # the steps still in flight must not hide that cancel was asked
            self.phase = event.stage or "generating"
            if self.phase == "generating":
                self.step, self.total = event.step, event.total or self.total
                self.eta = event.eta
                if isinstance(event.text, str) and event.text.startswith("loss "):
                    self.extra["loss"] = event.text
        elif kind == "started":
            self.slot = getattr(event, "slot", "") or self.slot
            if self.phase != "cancelling":
                self.phase = "started"
        elif kind == "requeued":
            # Its slot was lost (a Ray actor or node): it waits to run again.
            self.phase, self.step, self.total, self.eta = "queued", 0, 0, None
            self.error = event.error or ""
        elif kind in FINISHED:
            self.phase, self.error = kind, event.error or ""
            self.artifacts = tuple(event.artifacts or ())
            self.finished_order = next(_finish_counter)
        elif kind == "queued" and self.phase not in (*FINISHED, "cancelling"):
            # A "queued" still on its way when cancel was pressed must not undo it.
            self.phase = "queued"


class JobRow(QWidget):
    """One job: its title, state in words, a progress bar and its buttons."""

    def __init__(self, job: Any, state: RowState, view: JobsView) -> None:
        super().__init__()
        self.job_id = job.id
        self.state = state
        names = view.pack_texts  # the packs' modality and task names, in the user's language
        prompt = job.request.prompt or names.task(job.request.task)
        self.title = QLabel(f"{names.modality(job.request.modality)}: {prompt[:60]}")
        self.title.setToolTip(prompt)
        self.where = QLabel()
        self.where.setStyleSheet("color: #777")
        self.where.hide()
        self.detail = QLabel()
        self.detail.setStyleSheet("color: #b3261e")
        self.detail.setWordWrap(False)
        self.detail.hide()
        self.bar = QProgressBar()
        self.bar.setFixedWidth(200)
        self.cancel = QPushButton(self.tr("Cancel"))
        self.cancel.clicked.connect(lambda: view.cancel_job(self.job_id))
        self.retry = QPushButton(self.tr("Retry"))
        self.retry.clicked.connect(lambda: view.retry_job(self.job_id))
        self.open = QPushButton(self.tr("Open"))
        self.open.clicked.connect(lambda: view.open_job(self.job_id))
        self.remove = QToolButton()
        self.remove.setText("✕")
        self.remove.setToolTip(self.tr("Remove from the queue"))
        self.remove.setAccessibleName(self.tr("Remove job: {prompt}").format(prompt=prompt[:60]))
        self.remove.clicked.connect(lambda: view.remove_job(self.job_id))
        # Each row's buttons look alike: their names say which job they act on.
        for button, what in ((self.cancel, self.tr("Cancel job: {prompt}")),
                             (self.retry, self.tr("Retry job: {prompt}")),
                             (self.open, self.tr("Open result: {prompt}"))):
            button.setAccessibleName(what.format(prompt=prompt[:60]))
        self.show_slot = len(getattr(view.engine, "slots", ())) > 1
        text = QVBoxLayout()
        text.setSpacing(0)
        heading = QHBoxLayout()
        heading.setSpacing(8)
        heading.addWidget(self.title)
        heading.addWidget(self.where)
        heading.addStretch(1)
        text.addLayout(heading)
        text.addWidget(self.detail)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addLayout(text, 1)
        layout.addWidget(self.bar)
        for w in (self.cancel, self.retry, self.open, self.remove):
            layout.addWidget(w)
        self.render()

    def update_from(self, event: Any) -> None:
        self.state.apply(event)
        self.render()

    def render(self) -> None:
        st = self.state
        if st.phase in ("started", "loading", "saving") or (
                st.phase == "generating" and not st.total):
            self.bar.setRange(0, 0)  # busy: no step count to show
        elif st.phase == "generating":
            self.bar.setRange(0, st.total)
            self.bar.setValue(st.step)
        elif st.phase == "cancelling":
            if self.bar.maximum() == 0:
                self.bar.setRange(0, 1)
                self.bar.setValue(0)
        else:
            self.bar.setRange(0, 1)
            self.bar.setValue(1 if st.phase == "done" else 0)
        self.bar.setFormat(st.text())
        self.bar.setToolTip(st.error or st.text())
        if st.error:
            self.title.setToolTip(st.error)
            self.detail.setText(_elide(f"{st.text()}: {st.error}", 110))
            self.detail.setToolTip(st.error)
        self.detail.setVisible(bool(st.error) and st.phase == "failed")
        self.where.setText(self.tr("on {slot}").format(slot=st.slot))
        self.where.setVisible(self.show_slot and bool(st.slot) and st.phase != "queued")
        self.cancel.setVisible(not st.finished)
        self.cancel.setEnabled(st.phase != "cancelling")
        self.retry.setVisible(st.phase in ("failed", "cancelled", "interrupted"))
        self.open.setVisible(st.phase == "done" and bool(st.artifacts))
        self.remove.setEnabled(not st.active)


class _JobList(QListWidget):
    """The rows; a queued row dragged elsewhere asks the engine to move the job."""

    def __init__(self, view: JobsView) -> None:
        super().__init__()
        self.view = view
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)

    def dropEvent(self, event: Any) -> None:  # Qt override: the engine owns the order
        item = self.currentItem()
        if event.source() is not self or item is None:
            event.ignore()
            return
        pos = event.position().toPoint()
        target = self.itemAt(pos)
        if target is None:
            row = self.count()
        else:
            row = self.row(target)
            if pos.y() > self.visualItemRect(target).center().y():
                row += 1
        # Not a move for Qt: the rows are rearranged when the engine says "reordered",
        # and a MoveAction would make the source delete the dragged row.
        event.setDropAction(Qt.DropAction.IgnoreAction)
        event.accept()
        self.view.move_to_row(item.data(Qt.ItemDataRole.UserRole), row)


class JobsView(QWidget):
    """The queue panel: rows stay after finishing, so errors remain readable."""

    #: emitted with an Artifact when the user opens a finished job's result
    openResult = Signal(object)
    #: one line for the status bar (a retry refused, a job that cannot be removed)
    message = Signal(str)

    def __init__(self, engine: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.pack_texts = PackTexts(getattr(engine, "host", None), i18n.language())
        self.rows: dict[str, JobRow] = {}
        self._jobs: dict[str, Any] = {}
        self._states: dict[str, RowState] = {}
        self._items: dict[str, QListWidgetItem] = {}
        self._added = itertools.count()
        self._add_order: dict[str, int] = {}
        self.list = _JobList(self)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        self.list.currentItemChanged.connect(lambda *_: self._update_actions())
        self.summary = QLabel(self.tr("No jobs yet"))
        self.summary.setStyleSheet("color: #777")
        self.slots_label = QLabel()
        self.slots_label.setStyleSheet("color: #777")
        self.slots_label.setAccessibleName(self.tr("Execution slots"))
        self.slots_label.hide()
        self.clear_button = QPushButton(self.tr("Clear finished"))
        self.list.setAccessibleName(self.tr("Jobs"))
        self._build_actions()
        self.clear_button.clicked.connect(self.clear_action.trigger)
        top = QHBoxLayout()
        top.setContentsMargins(4, 0, 4, 0)
        top.addWidget(self.summary, 1)
        top.addWidget(self.slots_label)
        top.addSpacing(8)
        top.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)
        self._update_summary()

    # -- actions (QActions, so menus and shortcuts can reuse them) ------------------

    def _build_actions(self) -> None:
        def action(text: str, slot: Any, shortcut: Any = None) -> QAction:
            return view_action(self, text, slot, shortcut)

        self.cancel_action = action(self.tr("Cancel"), lambda: self._on_current(self.cancel_job))
        self.retry_action = action(self.tr("Retry"), lambda: self._on_current(self.retry_job))
        self.open_action = action(self.tr("Open result"),
                                  lambda: self._on_current(self.open_job))
        self.remove_action = action(self.tr("Remove"), lambda: self._on_current(self.remove_job),
                                    QKeySequence.StandardKey.Delete)
        self.move_up_action = action(self.tr("Run earlier"), lambda: self._on_current(
            lambda jid: self._shift(jid, -1)), "Alt+Up")
        self.move_down_action = action(self.tr("Run later"), lambda: self._on_current(
            lambda jid: self._shift(jid, 1)), "Alt+Down")
        self.clear_action = action(self.tr("Clear finished"), self.clear_finished)

    def _on_current(self, fn: Any) -> None:
        jid = self.current_job_id()
        if jid is not None:
            fn(jid)

    def current_job_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _update_actions(self) -> None:
        jid = self.current_job_id()
        st = self._states.get(jid) if jid else None
        self.cancel_action.setEnabled(st is not None and not st.finished
                                      and st.phase != "cancelling")
        self.retry_action.setEnabled(st is not None and st.phase in FINISHED[1:])
        self.open_action.setEnabled(st is not None and st.phase == "done"
                                    and bool(st.artifacts))
        self.remove_action.setEnabled(st is not None and not st.active)
        queued = st is not None and st.phase == "queued"
        self.move_up_action.setEnabled(queued)
        self.move_down_action.setEnabled(queued)
        self.clear_action.setEnabled(any(s.finished for s in self._states.values()))

    def _menu(self, pos: Any) -> None:
        item = self.list.itemAt(pos)
        if item is None:
            return
        self.list.setCurrentItem(item)
        self._update_actions()
        menu = QMenu(self)
        for act in (self.cancel_action, self.retry_action, self.open_action,
                    self.move_up_action, self.move_down_action, self.remove_action):
            if act.isEnabled():
                menu.addAction(act)
        menu.addSeparator()
        menu.addAction(self.clear_action)
        menu.exec(self.list.viewport().mapToGlobal(pos))

    # -- rows ------------------------------------------------------------------------

    def add_job(self, job: Any) -> None:
        if job.id in self.rows:
            return
        state = RowState(phase=job.state if job.state in FINISHED else "queued",
                         error=getattr(job, "error", "") or "")
        if state.finished:
            state.finished_order = next(_finish_counter)
        self._jobs[job.id] = job
        self._states[job.id] = state
        self._add_order[job.id] = next(self._added)
        self._insert(job.id, self.list.count())
        self._arrange()
        self.list.scrollToItem(self._items[job.id])

    def _insert(self, job_id: str, row_index: int) -> None:
        row = JobRow(self._jobs[job_id], self._states[job_id], self)
        item = QListWidgetItem()
        item.setData(Qt.ItemDataRole.UserRole, job_id)
        item.setSizeHint(row.sizeHint())
        self.list.insertItem(row_index, item)
        self.list.setItemWidget(item, row)
        self.rows[job_id] = row
        self._items[job_id] = item
        self._set_flags(job_id)

    def _set_flags(self, job_id: str) -> None:
        item = self._items[job_id]
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._states[job_id].phase == "queued":
            flags |= Qt.ItemFlag.ItemIsDragEnabled  # only waiting jobs can be reordered
        item.setFlags(flags)

    def order(self) -> list[str]:
        """The job ids in the order the rows show them."""
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def _desired(self) -> list[str]:
        queued_rank = {j.id: i for i, j in enumerate(self.engine.queued())}

        def key(jid: str) -> tuple:
            st = self._states[jid]
            if st.finished:
                return (0, st.finished_order, 0)
            if st.active or jid not in queued_rank:
                # Not waiting any more for the engine, whose events are still on the way.
                return (1, self._add_order[jid], 0)
            return (2, queued_rank[jid], self._add_order[jid])

        return sorted(self._states, key=key)

    def _arrange(self) -> None:
        """Move rows whose place changed (moved rows are rebuilt; the others stay)."""
        desired = self._desired()
        current = self.order()
        for index, jid in enumerate(desired):
            if current[index] == jid:
                continue
            selected = self.current_job_id() == jid
            self.list.takeItem(self.list.row(self._items[jid]))
            self._insert(jid, index)
            current.remove(jid)
            current.insert(index, jid)
            if selected:
                self.list.setCurrentItem(self._items[jid])
        self._update_summary()
        self._update_actions()

    def _update_summary(self) -> None:
        states = [s.phase for s in self._states.values()]
        queued = states.count("queued")
        running = sum(p in _ACTIVE for p in states)
        failed = states.count("failed")
        parts = [self.tr("{n} running").format(n=running)] if running else []
        parts += [self.tr("{n} queued").format(n=queued)] if queued else []
        parts += [self.tr("{n} failed").format(n=failed)] if failed else []
        others = sum(p in FINISHED for p in states) - failed
        parts += [self.tr("{n} finished").format(n=others)] if others else []
        self.summary.setText(" · ".join(parts) if parts else self.tr("No jobs yet"))
        self.clear_button.setEnabled(any(s in FINISHED for s in states))
        self._update_slots()

    def _update_slots(self) -> None:
        """One word per slot (busy, idle, down) when jobs run on more than one."""
        status = getattr(self.engine, "slot_status", None)
        slots = status() if status is not None else []
        self.slots_label.setVisible(len(slots) > 1)
        if len(slots) <= 1:
            return
        words = []
        tips = []
        for s in slots:
            state = (self.tr("down") if s["health"] != "ok" else
                     self.tr("busy") if s["job"] else self.tr("idle"))
            words.append(f"{s['name']} {state}")
            tips.append(" · ".join(x for x in (s["name"], s["device"], s["node"],
                                               s["model"], *s["problems"]) if x))
        self.slots_label.setText(self.tr("Slots: {slots}").format(slots=", ".join(words)))
        self.slots_label.setToolTip("\n".join(tips))

    def on_event(self, event: Any) -> None:
        row = self.rows.get(event.job_id)
        if row is None:
            return
        before = row.state.phase
        if event.kind != "reordered":
            row.update_from(event)
            # The reason line of a failed job makes the row taller.
            self._items[event.job_id].setSizeHint(row.sizeHint())
        if event.kind == "reordered" or (before == "queued") != (row.state.phase == "queued") \
                or row.state.finished != (before in FINISHED):
            self._set_flags(event.job_id)
            self._arrange()

    # -- what the user does ------------------------------------------------------------

    def cancel_job(self, job_id: str) -> None:
        row = self.rows.get(job_id)
        if row is None or row.state.finished:
            return
        row.state.phase = "cancelling"
        row.render()  # at once: the engine's confirmation may take a step
        self._update_summary()
        self._update_actions()
        self.engine.cancel(job_id)

    def retry_job(self, job_id: str) -> Any:
        try:
            job = self.engine.retry(job_id)
        except (StudioError, KeyError) as exc:
            # The model or an input file may be gone since: say so, keep the row.
            self.message.emit(self.tr("Retry refused: {error}").format(error=exc))
            return None
        self.add_job(job)
        return job

    def open_job(self, job_id: str) -> None:
        st = self._states.get(job_id)
        if st is not None and st.artifacts:
            self.openResult.emit(st.artifacts[0])

    def remove_job(self, job_id: str) -> None:
        st = self._states.get(job_id)
        if st is None:
            return
        try:
            self.engine.forget(job_id)
        except StudioError as exc:
            self.message.emit(str(exc))
            return
        self._drop_row(job_id)

    def clear_finished(self) -> None:
        self.engine.forget_finished()
        for jid in [j for j, s in self._states.items() if s.finished]:
            self._drop_row(jid)

    def _drop_row(self, job_id: str) -> None:
        item = self._items.pop(job_id)
        self.list.takeItem(self.list.row(item))
        for table in (self.rows, self._jobs, self._states, self._add_order):
            table.pop(job_id, None)
        self._update_summary()
        self._update_actions()

    def move_to_row(self, job_id: str, row: int) -> None:
        """Run ``job_id`` where a drop at display row ``row`` puts it among the queued."""
        st = self._states.get(job_id)
        if st is None or st.phase != "queued":
            return
        job = self._jobs[job_id]
        display = self.order()
        peers = [j for j in self.engine.queued()
                 if j.priority == job.priority and j.id != job_id]
        index = sum(1 for j in peers if j.id in display and display.index(j.id) < row)
        self.engine.move(job_id, index)

    def _shift(self, job_id: str, delta: int) -> None:
        job = self._jobs[job_id]
        peers = [j.id for j in self.engine.queued() if j.priority == job.priority]
        if job_id in peers:
            self.engine.move(job_id, max(0, peers.index(job_id) + delta))


def _elide(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
