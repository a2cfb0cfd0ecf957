"""``studio library import FOLDER`` and the app function behind it (issue #19)."""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from studio.api import CancelToken, GenerationRequest, Output, RequestError
from studio.app import library_import
from studio.app.history import EventLog
from studio.app.library_import import NO_METADATA, import_folder
from studio.app.studio import Studio
from studio.app.writers import encode
from studio.cli.main import main

OLD = 1_500_000_000.0  # 2017: long before the import


def noise(seed: int, size: int = 40):
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 255, (size, size, 3), dtype=np.uint8))


def a1111_text(prompt: str, seed: int) -> str:
    return (f"{prompt}\nNegative prompt: blurry, lowres\n"
            f"Steps: 24, Sampler: Euler a, CFG scale: 6.5, Seed: {seed}, Size: 40x40, "
            "Model: dreamshaper_8")


def write_png(path: Path, chunks: dict[str, str], seed: int, mtime: float | None = OLD) -> Path:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    for key, value in chunks.items():
        info.add_text(key, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    noise(seed).save(path, pnginfo=info)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def a1111_png(path: Path, prompt: str, seed: int, mtime: float | None = OLD) -> Path:
    return write_png(path, {"parameters": a1111_text(prompt, seed)}, seed, mtime)


def studio_png(path: Path, prompt: str, seed: int) -> Path:
    request = GenerationRequest(modality="image", prompt=prompt, task="txt2img",
                                generator="fake.image", params={"steps": 3}, seed=seed)
    data, _ext = encode(Output(kind="image", data=noise(seed)), {"request": request.to_dict()})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (OLD, OLD))
    return path


def make_folder(root: Path, n: int = 5) -> Path:
    for i in range(n):
        a1111_png(root / ("sub" if i % 2 else "") / f"img_{i}.png",
                  f"a watercolor fox number {i}", seed=1000 + i, mtime=OLD + 3600 * i)
    return root


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under ``folder``: its bytes' hash and its mtime (ns)."""
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(),
                                         p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def studio(tmp_path):
    s = Studio(root=tmp_path / "data", backend="thread")
    yield s
    s.close()


def generate_events(studio: Studio) -> list:
    return list(studio.history.events(types=["generate"]))


def test_event_log_append_keeps_a_given_time(tmp_path):
    log = EventLog(tmp_path / "h.sqlite")
    ev = log.append("generate", modality="image", prompt="p", artifacts=["a"], ts=OLD)
    assert ev.ts == OLD and [e.ts for e in log.events()] == [OLD]
    with pytest.raises(RequestError.__mro__[1], match="ts="):  # StudioError
        log.append("generate", modality="image", ts="yesterday")
    log.close()


def test_import_adds_each_image_with_a_generate_event_at_its_original_time(studio, tmp_path):
    src = make_folder(tmp_path / "src", 5)
    summary = import_folder(studio, src)
    assert (summary.seen, summary.imported, summary.duplicates, summary.events) == (5, 5, 0, 5)
    arts = {a.prompt: a for a in studio.library.list()}
    assert len(arts) == 5
    events = generate_events(studio)
    assert len(events) == 5
    for ev in events:
        (aid,) = ev.get("artifacts")
        art = studio.library.get(aid)
        assert ev.ts == art.created
        assert ev.get("prompt") == art.prompt and ev.get("modality") == "image"
        assert ev.get("seed") == art.seed and ev.get("model") == "dreamshaper_8"
        assert ev.get("params")["negative_prompt"] == "blurry, lowres"
        assert ev.get("params")["steps"] == 24
        assert studio.library.thumbnail_path(aid).stat().st_size > 0
        assert Path(art.path).is_relative_to(studio.root / "library") and not art.linked
    art = arts["a watercolor fox number 3"]
    assert art.created == OLD + 3 * 3600 and art.seed == 1003  # the file's mtime
    assert art.metadata["request"]["prompt"] == art.prompt
    assert sorted(e.ts for e in events) == [OLD + 3600 * i for i in range(5)]


def test_studio_own_pngs_keep_their_generator(studio, tmp_path):
    studio_png(tmp_path / "src" / "mine.png", "a lighthouse at dusk", 42)
    summary = import_folder(studio, tmp_path / "src")
    assert summary.imported == 1
    art = studio.library.list()[0]
    assert (art.generator, art.seed, art.params) == ("fake.image", 42, {"steps": 3})


def test_a_rerun_imports_nothing_twice_and_the_source_is_never_modified(studio, tmp_path):
    src = make_folder(tmp_path / "src", 4)
    a1111_png(src / "copy_of_0.png", "a watercolor fox number 0", seed=1000)  # same bytes
    before = snapshot(src)
    first = import_folder(studio, src)
    assert (first.imported, first.duplicates) == (4, 1)
    second = import_folder(studio, src)
    assert (second.seen, second.imported, second.duplicates, second.events) == (5, 0, 5, 0)
    assert studio.library.count() == 4 and len(generate_events(studio)) == 4
    assert snapshot(src) == before


def test_link_references_files_in_place_and_nothing_deletes_them(tmp_path, capsys):
    src = make_folder(tmp_path / "src", 3)
    before = snapshot(src)
    assert main(["library", "import", str(src), "--link", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["imported"] == 3
    studio = Studio()
    try:
        arts = studio.library.list()
        assert all(a.linked for a in arts)
        assert {Path(a.path) for a in arts} == {p.resolve() for p in src.rglob("*.png")}
        assert not list((studio.root / "library").rglob("*.png"))  # nothing copied
        studio.library.trash(arts[0].id)
        assert studio.library.empty_trash() == 1
        assert not studio.library.thumbnail_path(arts[0].id).exists()
    finally:
        studio.close()
    assert snapshot(src) == before
    assert main(["profile", "forget", "--yes", "--include-library"]) == 0
    assert "erased the library (2 artifact(s)" in capsys.readouterr().out
    assert snapshot(src) == before  # the user's own files survive "forget everything"
    assert main(["library", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_forget_include_library_erases_imported_copies(tmp_path, capsys):
    src = make_folder(tmp_path / "src", 2)
    before = snapshot(src)
    assert main(["library", "import", str(src), "--json"]) == 0
    capsys.readouterr()
    data = Path(os.environ["STUDIO_DATA_DIR"])
    assert len(list((data / "library").rglob("*.png"))) == 2
    assert main(["profile", "forget", "--yes", "--include-library"]) == 0
    assert "erased the library (2 artifact(s)" in capsys.readouterr().out
    assert not list((data / "library").rglob("*.png"))
    assert not list((data / "thumbs").glob("*"))
    studio = Studio()
    try:
        assert studio.history.count() == 0 and studio.library.count() == 0
    finally:
        studio.close()
    assert snapshot(src) == before


@pytest.mark.parametrize("how", ["incognito", "paused"])
def test_incognito_or_paused_imports_without_recording(tmp_path, monkeypatch, how):
    src = make_folder(tmp_path / "src", 3)
    if how == "incognito":
        monkeypatch.setenv("STUDIO_INCOGNITO", "1")
    else:
        s = Studio()
        s.set_recording(False)
        s.close()
    studio = Studio()
    try:
        summary = import_folder(studio, src)
        assert (summary.imported, summary.events) == (3, 0)
        assert studio.library.count() == 3
    finally:
        studio.close()
    monkeypatch.delenv("STUDIO_INCOGNITO", raising=False)
    studio = Studio()
    try:
        studio.set_recording(True)
        # What was imported unrecorded stays unrecorded: a later run does not catch up.
        again = import_folder(studio, src)
        assert (again.imported, again.events) == (0, 0)
        assert studio.history.count() == 0
    finally:
        studio.close()


def test_dry_run_reports_and_writes_nothing(tmp_path, capsys):
    src = make_folder(tmp_path / "src", 3)
    write_png(src / "plain.png", {}, 7)
    data = Path(os.environ["STUDIO_DATA_DIR"])
    assert main(["library", "import", str(src), "--dry-run", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["seen"], out["imported"], out["events"], out["dry_run"]) == (4, 3, 3, True)
    assert out["skipped"] == [{"path": str(src / "plain.png"), "reason": NO_METADATA}]
    assert not (data / "library.sqlite").exists() and not (data / "history.sqlite").exists()
    assert not (data / "library").exists() and not (data / "thumbs").exists()
    # Against an existing library: what is there already counts as duplicates.
    assert main(["library", "import", str(src), "--json"]) == 0
    capsys.readouterr()
    stamp = snapshot(data)
    assert main(["library", "import", str(src), "--dry-run", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["imported"], out["duplicates"]) == (0, 3)
    assert snapshot(data) == stamp


def test_bad_files_are_listed_with_reasons_and_the_import_goes_on(tmp_path, capsys):
    src = make_folder(tmp_path / "src", 2)
    good = (src / "img_0.png").read_bytes()
    (src / "empty.png").write_bytes(b"")
    (src / "truncated.png").write_bytes(good[: len(good) // 2])
    (src / "notes.png").write_text("not an image at all")
    write_png(src / "badjson.png", {"prompt": "{not json"}, 3)
    write_png(src / "zz_plain.png", {}, 4)
    before = snapshot(src)
    assert main(["library", "import", str(src)]) == 0
    out = capsys.readouterr().out
    assert "imported 2 of 7 image(s)" in out
    lines = {line.strip().split(": ", 1)[0]: line for line in out.splitlines()
             if line.startswith("  ")}
    assert set(lines) == {str(src / n) for n in ("empty.png", "truncated.png", "notes.png",
                                                  "badjson.png", "zz_plain.png")}
    assert "empty" in lines[str(src / "empty.png")]
    assert "truncated" in lines[str(src / "truncated.png")]
    assert "JSON" in lines[str(src / "badjson.png")]
    assert NO_METADATA in lines[str(src / "zz_plain.png")]
    assert main(["library", "import", str(src), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["duplicates"], len(summary["skipped"]), summary["no_metadata"]) == (2, 5, 1)
    assert {"seen", "imported", "duplicates", "skipped", "events", "seconds"} <= set(summary)
    assert snapshot(src) == before


def test_all_imports_images_without_metadata_but_records_no_event(studio, tmp_path):
    src = make_folder(tmp_path / "src", 1)
    write_png(src / "plain.png", {}, 4)
    from PIL import Image

    Image.new("RGB", (300, 200), "red").save(src / "photo.jpg", quality=90)
    summary = import_folder(studio, src, include_all=True)
    assert (summary.imported, summary.events, summary.skipped) == (3, 1, [])
    assert studio.library.count() == 3 and len(generate_events(studio)) == 1
    photo = next(a for a in studio.library.list() if a.path.endswith(".jpg"))
    with Image.open(studio.library.thumbnail_path(photo.id)) as thumb:
        assert max(thumb.size) == 256


def test_not_a_folder_is_one_line_and_exit_2(tmp_path, capsys):
    data = Path(os.environ["STUDIO_DATA_DIR"])
    file = a1111_png(tmp_path / "one.png", "x", 1)
    for target in (tmp_path / "missing", file):
        assert main(["library", "import", str(target)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("studio: ") and str(target) in err and err.count("\n") == 1
    assert not (data / "library.sqlite").exists()


def test_hidden_folders_are_skipped_and_symlink_loops_end(studio, tmp_path):
    src = make_folder(tmp_path / "src", 2)
    a1111_png(src / ".cache" / "hidden.png", "hidden thing", 5)
    (src / "sub" / "loop").symlink_to(src, target_is_directory=True)
    (src / "again").symlink_to(src / "sub", target_is_directory=True)
    found = list(library_import.walk_images(src))
    assert len(found) == 2 and not any(".cache" in str(p) for p in found)
    summary = import_folder(studio, src)
    assert (summary.seen, summary.imported) == (2, 2)


def test_an_interrupted_import_resumes_without_duplicates(studio, tmp_path, monkeypatch):
    monkeypatch.setattr(library_import, "BATCH", 3)
    src = make_folder(tmp_path / "src", 8)

    def stop_after_five(done, total, path):
        if done == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_folder(studio, src, progress=stop_after_five)
    assert studio.library.count() == 5  # what was written before the stop is indexed
    assert len(generate_events(studio)) == 5
    summary = import_folder(studio, src)
    assert (summary.imported, summary.duplicates) == (3, 5)
    per_artifact = Counter(a for ev in generate_events(studio) for a in ev.get("artifacts"))
    assert set(per_artifact) == {a.id for a in studio.library.list()}
    assert set(per_artifact.values()) == {1} and len(per_artifact) == 8


def test_rows_indexed_before_their_events_get_them_on_the_next_run(studio, tmp_path,
                                                                    monkeypatch):
    src = make_folder(tmp_path / "src", 3)
    monkeypatch.setenv("STUDIO_FAULT_POINT", "import.after_rows:raise")
    from studio.app import faults

    faults.reset()
    with pytest.raises(faults.InjectedFault):
        import_folder(studio, src)
    assert studio.library.count() == 3 and generate_events(studio) == []
    monkeypatch.delenv("STUDIO_FAULT_POINT")
    summary = import_folder(studio, src)
    assert (summary.imported, summary.duplicates, summary.events) == (0, 3, 3)
    events = generate_events(studio)
    assert sorted(a for e in events for a in e.get("artifacts")) == sorted(
        a.id for a in studio.library.list())
    assert {e.ts for e in events} == {OLD, OLD + 3600, OLD + 7200}
    assert studio.library.pending_events() == []


def test_events_stored_just_before_a_crash_are_not_written_twice(studio, tmp_path,
                                                                 monkeypatch):
    src = make_folder(tmp_path / "src", 3)
    real = studio.library.clear_pending
    monkeypatch.setattr(studio.library, "clear_pending",
                        lambda ids: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        import_folder(studio, src)
    assert len(generate_events(studio)) == 3 and len(studio.library.pending_events()) == 3
    monkeypatch.setattr(studio.library, "clear_pending", real)
    summary = import_folder(studio, src)
    assert summary.events == 0 and len(generate_events(studio)) == 3
    assert studio.library.pending_events() == []


def test_cancel_stops_between_files(studio, tmp_path):
    src = make_folder(tmp_path / "src", 6)
    token = CancelToken()

    def cancel_at_two(done, total, path):
        if done == 2:
            token.cancel()

    summary = import_folder(studio, src, progress=cancel_at_two, cancel=token)
    assert summary.cancelled and summary.imported == 2 and studio.library.count() == 2
    assert len(generate_events(studio)) == 2


def test_profile_and_suggestions_learn_the_imported_prompts(tmp_path, capsys):
    src = tmp_path / "src"
    for i in range(4):
        a1111_png(src / f"w{i}.png", f"misty harbour at dawn, gouache painting, boat {i}",
                  seed=i, mtime=None)
    assert main(["library", "import", str(src), "--json"]) == 0
    capsys.readouterr()
    studio = Studio()
    try:
        terms = json.dumps(studio.profile.to_dict()["terms"])
        assert "gouache" in terms and "harbour" in terms
    finally:
        studio.close()
    assert main(["suggest", "--modality", "image", "--json", "--k", "7"]) == 0
    assert "blurry, lowres" in capsys.readouterr().out  # the usual negative prompt


def test_the_progress_bar_draws_on_one_line(capsys):
    from studio.cli.library_cmd import _ProgressBar

    bar = _ProgressBar()
    for n in (1, 2, 3):
        bar(n, 3, Path(f"/x/img_{n}.png"))
    bar.end()
    err = capsys.readouterr().err
    assert err.startswith("\r importing 1/3") and "importing 3/3" in err
    assert err.endswith("\n") and err.count("\n") == 1


def test_the_import_bench_runs_small(capsys):
    from bench import import_speed

    result = import_speed.main(["--files", "8", "--size", "64", "--rounds", "1"])
    assert set(result["files_per_s"]) == {"plain", "plain_copy", "plain_decode", "studio"}
    assert result["speed_ratio_studio_to_plain"] > 0
    assert set(result["rss_mib"]) == {"before", "after_2_files", "after_4_files",
                                      "after_6_files", "after_8_files"}
    assert result["breakdown_per_1000_files"]["reader_threads_s"]["decode + thumbnail"] > 0


def test_pipes_and_oversized_files_are_skipped_not_read(studio, tmp_path, monkeypatch):
    src = make_folder(tmp_path / "src", 2)
    os.mkfifo(src / "pipe.png")  # reading it would wait forever
    big = src / "big.png"
    noise(77, size=160).save(big)
    limit = max(p.stat().st_size for p in src.rglob("img_*.png"))
    assert big.stat().st_size > limit
    monkeypatch.setattr(library_import, "MAX_BYTES", limit)
    summary = import_folder(studio, src)
    reasons = {Path(s["path"]).name: s["reason"] for s in summary.skipped}
    assert reasons == {"pipe.png": "not a regular file", "big.png": reasons["big.png"]}
    assert "larger than" in reasons["big.png"] and summary.imported == 2


def test_files_of_a_batch_the_index_refuses_are_removed(studio, tmp_path, monkeypatch):
    import sqlite3

    src = make_folder(tmp_path / "src", 3)
    real = studio.library.conn.executemany

    def refuse(sql, rows):
        if sql.startswith("INSERT INTO artifacts_fts"):
            raise sqlite3.OperationalError("database or disk is full")
        return real(sql, rows)

    monkeypatch.setattr(studio.library._conn, "executemany", refuse, raising=False)
    with pytest.raises(sqlite3.OperationalError):
        import_folder(studio, src)
    monkeypatch.undo()
    assert studio.library.count() == 0
    assert not [p for p in (studio.root / "library").rglob("*") if p.is_file()]
    assert not list((studio.root / "thumbs").glob("*"))
    assert import_folder(studio, src).imported == 3


def test_a_killed_import_resumes_with_one_event_per_image(tmp_path):
    import subprocess
    import sys

    src = make_folder(tmp_path / "src", 5)
    env = {**os.environ, "STUDIO_FAULT_POINT": "import.after_rows:kill"}
    cmd = [sys.executable, "-m", "studio", "library", "import", str(src), "--json"]
    killed = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert killed.returncode == -9  # SIGKILL between the index and the history
    env.pop("STUDIO_FAULT_POINT")
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert (summary["imported"], summary["duplicates"], summary["events"]) == (0, 5, 5)
    studio = Studio()
    try:
        per_artifact = Counter(a for ev in generate_events(studio) for a in ev.get("artifacts"))
        assert set(per_artifact) == {a.id for a in studio.library.list()}
        assert sorted(per_artifact.values()) == [1] * 5
    finally:
        studio.close()
