"""User actions arrive through Studio.record and land in the event log."""

import subprocess
import sys

import pytest

from studio.api import GenerationRequest
from studio.app.settings import Settings
from studio.app.studio import Studio


@pytest.fixture
def studio(tmp_path, fake_entry_points):
    s = Studio(root=tmp_path / "data", backend="thread", incognito=False)
    s.settings.device = "cpu"
    yield s
    s.close()


def generate(studio, prompt="a fox, watercolor"):
    job = studio.engine.run(GenerationRequest(modality="image", generator="fake.image",
                                              prompt=prompt, seed=1), timeout=10)
    assert job.state == "done", job.error
    return job


def test_generation_and_library_actions_are_recorded(studio):
    job = generate(studio)
    art = job.artifacts[0].id
    studio.library.set_favourite(art)
    studio.library.rate(art, 5)
    studio.library.trash(art)
    events = [e.to_dict() for e in studio.history.events()]
    assert [e["type"] for e in events] == ["generate", "favourite", "rate", "delete"]
    g = events[0]
    assert g["prompt"] == "a fox, watercolor" and g["modality"] == "image"
    assert g["artifacts"] == [art] and g["job_id"] == job.id and g["params"]["steps"] == 4
    assert events[2]["target"] == art and events[2]["value"] == 5


def test_the_profile_follows_the_log_as_actions_arrive(studio):
    profile = studio.profile
    job = generate(studio, "an owl, ink sketch")
    studio.library.set_favourite(job.artifacts[0].id)
    assert profile.subjects.evidence("owl") == {
        "prompts": 1, "favourites": 1, "keeps": 0, "high_ratings": 0, "low_ratings": 0,
        "deletes": 0}
    assert [x["artifact"] for x in profile.liked()] == [job.artifacts[0].id]


def test_paused_recording_stores_nothing_and_is_persisted(studio, tmp_path):
    studio.set_recording(False)
    generate(studio)
    assert studio.history.count() == 0
    assert Settings.load(tmp_path / "data" / "settings.json").recording is False
    studio.set_recording(True)
    generate(studio)
    assert studio.history.count() == 1


def test_incognito_session_records_nothing(tmp_path, fake_entry_points, monkeypatch):
    monkeypatch.setenv("STUDIO_INCOGNITO", "1")
    s = Studio(root=tmp_path / "data", backend="thread")
    s.settings.device = "cpu"
    try:
        assert s.incognito and not s.recording
        generate(s)
        s.record("keep", target="x")
        assert s.history.count() == 0
    finally:
        s.close()


def test_a_bad_event_is_logged_not_raised(studio, caplog):
    studio.record("rate", target="a", value=11)
    assert studio.history.count() == 0
    assert "rate was not recorded" in caplog.text


def test_importing_studio_app_and_the_history_loads_no_torch():
    code = ("import sys; import studio.app.studio, studio.app.history, studio.cli.profile_cmd; "
            "from studio.app.studio import Studio; "
            "bad = [m for m in ('torch', 'transformers', 'PySide6') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_a_damaged_history_is_backed_up_once_and_recording_stops(tmp_path, caplog):
    data = tmp_path / "data"
    data.mkdir()
    (data / "history.sqlite").write_bytes(b"not a database at all" * 100)
    s = Studio(root=data, incognito=False)
    try:
        s.record("keep", target="a")
        s.record("keep", target="b")
    finally:
        s.close()
    assert len(list(data.glob("history.sqlite.broken-*"))) == 1
    assert (data / "history.sqlite").read_bytes() == b"not a database at all" * 100
    assert "recording is off for this session" in caplog.text
