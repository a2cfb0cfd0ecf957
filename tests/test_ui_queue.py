"""The queue panel, offscreen on the fake pack: states in words, cancel, retry, remove, reorder."""

import os
import threading

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("pytestqt")

from PySide6.QtCore import QObject, Slot

from studio.api import GenerationRequest
from studio.app.studio import Studio
from studio.ui.bridge import EngineBridge
from studio.ui.jobs_view import JobsView, eta_text
from tests.fakes import fake_pack


class _Recorder(QObject):
    """The bar's words after the view handled each event: (job id, words)."""

    def __init__(self, view):
        super().__init__()
        self.view, self.seen = view, []

    @Slot(object)
    def record(self, event):
        row = self.view.rows.get(event.job_id)
        if row is not None:
            self.seen.append((event.job_id, row.bar.format()))


@pytest.fixture
def queue(qtbot, fake_entry_points, tmp_path):
    studio = Studio(root=tmp_path / "data", backend="thread")
    studio.settings.device = "cpu"
    view = JobsView(studio.engine)
    bridge = EngineBridge(studio.engine)
    bridge.jobEvent.connect(view.on_event)
    # A QObject's method, so the call is queued to the GUI thread like the view's own
    # (a lambda would run on the engine's thread and read widgets from there).
    recorder = _Recorder(view)
    bridge.jobEvent.connect(recorder.record)
    view.seen = recorder.seen
    qtbot.addWidget(view)
    view.resize(900, 260)
    view.show()
    yield view
    for gate in fake_pack.GATES.values():
        gate.set()
    bridge.close()
    studio.close()


def submit(view, **params):
    req = GenerationRequest(modality="image", generator="fake.image", prompt="a fox",
                            seed=1, params=params)
    job = view.engine.submit(req)
    view.add_job(job)
    return job


def words(view, job):
    return [w for jid, w in view.seen if jid == job.id]


def test_states_read_as_words_from_queued_to_done(queue, qtbot):
    gate = fake_pack.GATES["ui1"] = threading.Event()
    first = submit(queue, steps=4, gate="ui1")
    second = submit(queue, steps=3)
    qtbot.waitUntil(lambda: queue.rows[first.id].bar.format().startswith("Step 1/4"),
                    timeout=10000)
    assert queue.rows[second.id].bar.format() == "Queued"
    assert queue.summary.text() == "1 running · 1 queued"
    assert queue.order() == [first.id, second.id]
    gate.set()
    qtbot.waitUntil(lambda: queue.rows[second.id].bar.format() == "Done", timeout=10000)
    shown = words(queue, first)
    assert shown[-1] == "Done"
    for phase in ("Starting…", "Loading model…", "Step 4/4", "Saving…"):
        assert any(w.startswith(phase) for w in shown), (phase, shown)
    assert shown.index("Loading model…") < shown.index("Saving…")
    assert not any("None" in w for w in shown)
    row = queue.rows[first.id]
    assert row.open.isVisibleTo(queue) and not row.cancel.isVisibleTo(queue)
    queue.grab().save("/tmp/ui_queue_done.png")


def test_eta_in_words():
    assert eta_text(None) == ""
    assert eta_text(4.4) == "4 s left"
    assert eta_text(125) == "2 min 5 s left"
    assert eta_text(120) == "2 min left"


def test_a_failed_job_shows_its_reason_and_retry_runs_it_again(queue, qtbot):
    job = submit(queue, fail=True)
    row = queue.rows[job.id]
    qtbot.waitUntil(lambda: row.bar.format() == "Failed", timeout=10000)
    assert row.detail.isVisibleTo(queue)
    assert row.detail.text() == "Failed: the fake generator was asked to fail"
    assert row.retry.isVisibleTo(queue)
    queue.grab().save("/tmp/ui_queue_failed.png")
    row.retry.click()
    assert len(queue.rows) == 2
    again = next(jid for jid in queue.rows if jid != job.id)
    assert queue.engine.job(again).request == job.request
    qtbot.waitUntil(lambda: queue.rows[again].bar.format() == "Failed", timeout=10000)


def test_cancel_says_cancelling_at_once_then_cancelled(queue, qtbot):
    gate = fake_pack.GATES["ui2"] = threading.Event()
    job = submit(queue, steps=5, gate="ui2")
    row = queue.rows[job.id]
    qtbot.waitUntil(lambda: row.bar.format().startswith("Step 1/5"), timeout=10000)
    row.cancel.click()
    # Before any event from the engine is delivered:
    assert row.bar.format() == "Cancelling…" and not row.cancel.isEnabled()
    assert queue.summary.text() == "1 running"
    gate.set()
    qtbot.waitUntil(lambda: row.bar.format() == "Cancelled", timeout=10000)
    assert row.retry.isVisibleTo(queue) and not row.cancel.isVisibleTo(queue)
    # No step reported after the cancel click may bring the steps back.
    after = words(queue, job)[words(queue, job).index("Cancelling…") + 1:] \
        if "Cancelling…" in words(queue, job) else words(queue, job)
    assert not any(w.startswith("Step") for w in after)


def test_a_queued_job_cancels_at_once_and_remove_and_clear_finished(queue, qtbot):
    gate = fake_pack.GATES["ui3"] = threading.Event()
    blocker = submit(queue, gate="ui3")
    waiting = submit(queue)
    doomed = submit(queue)
    qtbot.waitUntil(lambda: queue.rows[blocker.id].bar.format().startswith("Step 1"),
                    timeout=10000)
    queue.rows[waiting.id].cancel.click()
    qtbot.waitUntil(lambda: queue.rows[waiting.id].bar.format() == "Cancelled", timeout=5000)
    # Finished rows go above the running one.
    assert queue.order() == [waiting.id, blocker.id, doomed.id]
    queue.rows[doomed.id].remove.click()  # a queued job: cancelled and gone
    assert doomed.id not in queue.rows and queue.engine.queued() == []
    assert not queue.rows[blocker.id].remove.isEnabled()  # running: cancel it first
    gate.set()
    qtbot.waitUntil(lambda: queue.rows[blocker.id].bar.format() == "Done", timeout=10000)
    assert queue.clear_button.isEnabled()
    queue.clear_button.click()
    assert queue.rows == {} and queue.list.count() == 0
    assert queue.engine.jobs() == []
    assert queue.summary.text() == "No jobs yet"


def test_reorder_by_drop_position_and_by_keyboard(queue, qtbot):
    gate = fake_pack.GATES["ui4"] = threading.Event()
    blocker = submit(queue, gate="ui4")
    a, b, c = (submit(queue) for _ in range(3))
    qtbot.waitUntil(lambda: queue.rows[blocker.id].bar.format().startswith("Step 1"),
                    timeout=10000)
    assert queue.order() == [blocker.id, a.id, b.id, c.id]
    # Dropping c on the row of a (display row 1) runs c before a.
    queue.move_to_row(c.id, 1)
    qtbot.waitUntil(lambda: queue.order() == [blocker.id, c.id, a.id, b.id], timeout=5000)
    assert [j.id for j in queue.engine.queued()] == [c.id, a.id, b.id]
    # The running row cannot be dragged; queued rows can.
    from PySide6.QtCore import Qt
    drag = Qt.ItemFlag.ItemIsDragEnabled
    assert not queue._items[blocker.id].flags() & drag
    assert queue._items[a.id].flags() & drag
    # Keyboard: Alt+Down on the selected row runs it later.
    queue.list.setCurrentItem(queue._items[c.id])
    assert queue.move_down_action.isEnabled()
    queue.move_down_action.trigger()
    qtbot.waitUntil(lambda: [j.id for j in queue.engine.queued()] == [a.id, c.id, b.id],
                    timeout=5000)
    qtbot.waitUntil(lambda: queue.order() == [blocker.id, a.id, c.id, b.id], timeout=5000)
    queue.grab().save("/tmp/ui_queue_reorder.png")
    gate.set()
    qtbot.waitUntil(lambda: all(queue.rows[j.id].bar.format() == "Done"
                                for j in (blocker, a, b, c)), timeout=10000)
    started = [jid for jid, w in queue.seen if w == "Starting…"]
    assert started == [blocker.id, a.id, c.id, b.id]


def test_open_result_emits_the_artifact(queue, qtbot):
    job = submit(queue)
    row = queue.rows[job.id]
    qtbot.waitUntil(lambda: row.bar.format() == "Done", timeout=10000)
    with qtbot.waitSignal(queue.openResult, timeout=2000) as blocker:
        row.open.click()
    art = blocker.args[0]
    assert art.id == queue.engine.job(job.id).artifacts[0].id


def test_in_the_window_open_result_shows_it_and_a_refused_retry_says_why(
        qtbot, fake_entry_points, tmp_path, monkeypatch):
    from studio.api import RequestError
    from studio.ui.main_window import MainWindow

    studio = Studio(root=tmp_path / "data", backend="thread")
    studio.settings.device = "cpu"
    win = MainWindow(studio)
    qtbot.addWidget(win)
    try:
        win.panel.modality.setCurrentText("image")
        win.panel.generator.setCurrentIndex(win.panel.generator.findData("fake.image"))
        win.panel.prompt.setPlainText("a quiet harbour")
        win.panel.generate.click()
        row = next(iter(win.jobs.rows.values()))
        qtbot.waitUntil(lambda: row.bar.format() == "Done", timeout=10000)
        win.tabs.setCurrentWidget(win.library)
        row.open.click()
        assert win.tabs.currentWidget() is win.canvas
        assert win.panel.prompt.toPlainText() == "a quiet harbour"

        def refuse(job_id):
            raise RequestError("image input '/gone.png' does not exist or is not a file")

        monkeypatch.setattr(studio.engine, "retry", refuse)
        win.jobs.retry_job(row.job_id)
        assert win.statusBar().currentMessage() == (
            "Retry refused: image input '/gone.png' does not exist or is not a file")
        assert len(win.jobs.rows) == 1
        win.resize(1280, 820)
        win.show()
        win.grab().save("/tmp/ui_queue_window.png")
    finally:
        win.close()
        studio.close()


def test_events_still_on_their_way_do_not_undo_cancelling():
    from studio.app.jobs import JobEvent
    from studio.ui.jobs_view import RowState

    # Esc can land between the engine starting a job and the window receiving the
    # job's "queued" and first progress events.
    state = RowState(phase="cancelling")
    for event in (JobEvent("queued", "j"), JobEvent("started", "j"),
                  JobEvent("progress", "j", step=1, total=5)):
        state.apply(event)
        assert state.text() == "Cancelling…", event.kind
    state.apply(JobEvent("cancelled", "j"))
    assert state.text() == "Cancelled"
