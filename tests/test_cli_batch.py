"""``studio batch``: the file formats, all-or-nothing checks, the journal and resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from studio.app.batch_files import MAX_ENTRIES, expand_prompt, parse_seeds, read_batch
from studio.cli.main import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _cpu(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.json").write_text(json.dumps({"device": "cpu"}))


def run_batch(capsys, *argv):
    code = main(["batch", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv):
    code, out, err = run_batch(capsys, *argv, "--json")
    return code, (json.loads(out) if out.strip() else None), err


def library_files(tmp_path):
    lib = tmp_path / "data" / "library"
    return sorted(p for p in lib.rglob("*.png")) if lib.exists() else []


def jsonl(path, *requests):
    path.write_text("".join(json.dumps(r) + "\n" for r in requests))
    return str(path)


def fake(prompt, **fields):
    return {"modality": "image", "generator": "fake.image", "prompt": prompt, **fields}


# -- formats ------------------------------------------------------------------

def test_jsonl_requests_take_their_generators_defaults(capsys, fake_entry_points, tmp_path):
    path = jsonl(tmp_path / "b.jsonl",
                 fake("a fox", seed=3),
                 {"generator": "fake.image", "prompt": "a cat", "params": {"steps": 2}},
                 {"modality": "text", "prompt": "Once", "seed": 1})
    code, data, err = run_json(capsys, path)
    assert code == 0, err
    assert (data["jobs"], data["done"], data["failed"]) == (3, 3, 0)
    assert err == ""  # quiet under --json
    requests = [a["metadata"]["request"] for a in data["artifacts"]]
    assert [r["prompt"] for r in requests] == ["a fox", "a cat", "Once"]
    assert requests[0]["seed"] == 3 and requests[0]["params"]["steps"] == 4  # default
    assert requests[0]["params"]["width"] == 16 and requests[0]["model"] == "fake/model-a"
    assert requests[1]["params"]["steps"] == 2 and requests[1]["modality"] == "image"
    assert requests[2]["generator"] == "fake.text"
    assert data["artifacts"][2]["text"].startswith("Once")
    assert all(os.path.isfile(a["path"]) for a in data["artifacts"])


def test_jsonl_takes_what_generate_json_prints_under_request(capsys, fake_entry_points,
                                                             tmp_path):
    assert main(["generate", "image", "--generator", "fake.image", "--prompt", "a heron",
                 "--seed", "7", "--set", "steps=2", "--json"]) == 0
    request = json.loads(capsys.readouterr().out)["request"]
    code, data, err = run_json(capsys, jsonl(tmp_path / "again.jsonl", request, request))
    assert code == 0, err
    assert [a["metadata"]["request"] for a in data["artifacts"]] == [request, request]


def test_yaml_list_of_requests(capsys, fake_entry_points, tmp_path):
    path = tmp_path / "b.yaml"
    path.write_text("# two requests\n"
                    "- {modality: image, generator: fake.image, prompt: one, seed: 1}\n"
                    "- modality: image\n"
                    "  generator: fake.image\n"
                    "  prompt: two\n"
                    "  params:\n"
                    "    scheduler: ddim\n")
    code, data, err = run_json(capsys, str(path))
    assert code == 0, err
    requests = [a["metadata"]["request"] for a in data["artifacts"]]
    assert [(r["prompt"], r["params"]["scheduler"]) for r in requests] == \
        [("one", "euler"), ("two", "ddim")]


def test_matrix_expands_alternatives_and_seeds_in_order(capsys, fake_entry_points, tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"matrix": {
        "prompt": "a {red|blue} {cat|dog}", "seeds": "1-2,9", "modality": "image",
        "generator": "fake.image", "params": {"steps": 1}}}, indent=2))
    code, data, err = run_json(capsys, str(path))
    assert code == 0, err
    assert data["jobs"] == data["done"] == len(data["artifacts"]) == 12
    got = [(a["prompt"], a["seed"]) for a in data["artifacts"]]
    prompts = ["a red cat", "a red dog", "a blue cat", "a blue dog"]
    assert got == [(p, s) for p in prompts for s in (1, 2, 9)]
    assert {a["params"]["steps"] for a in data["artifacts"]} == {1}


def test_matrix_sweep_and_prompt_list(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("matrix:\n"
                    "  modality: image\n"
                    "  prompt: ['{a|b} x', plain]\n"
                    "  seeds: [5]\n"
                    "  sweep: {steps: [1, 2], scheduler: [euler, ddim]}\n")
    _content, entries = read_batch(path)
    assert len(entries) == (2 + 1) * 2 * 2
    first = entries[0].fields
    assert first["prompt"] == "a x" and first["seed"] == 5
    assert first["params"] == {"steps": 1, "scheduler": "euler"}
    assert [e.fields["prompt"] for e in entries[::4]] == ["a x", "b x", "plain"]
    assert len({e.key for e in entries}) == len(entries)


def test_prompt_list_text_file_with_directives(capsys, fake_entry_points, tmp_path):
    path = tmp_path / "prompts.txt"
    path.write_text("# a night of variations\n"
                    "@generator fake.image\n"
                    "@seeds 1-2\n"
                    "@set steps=3\n"
                    "a {small|big} house\n"
                    "\n"
                    "@seeds 10\n"
                    "@set scheduler=ddim\n"
                    "a tower\n")
    code, data, err = run_json(capsys, str(path))
    assert code == 0, err
    got = [(a["prompt"], a["seed"], a["params"]["steps"], a["params"]["scheduler"])
           for a in data["artifacts"]]
    assert got == [("a small house", 1, 3, "euler"), ("a small house", 2, 3, "euler"),
                   ("a big house", 1, 3, "euler"), ("a big house", 2, 3, "euler"),
                   ("a tower", 10, 3, "ddim")]


def test_expand_prompt_and_seeds():
    assert expand_prompt("{a|b}-{1|2|3}") == ["a-1", "a-2", "a-3", "b-1", "b-2", "b-3"]
    assert expand_prompt("{|very }big {braces}") == ["big {braces}", "very big {braces}"]
    assert parse_seeds("1-4") == [1, 2, 3, 4]
    assert parse_seeds("1,5,9") == [1, 5, 9]
    assert parse_seeds("3-4, 8") == [3, 4, 8]
    assert parse_seeds(None) == [None]
    assert parse_seeds(7) == [7]


# -- bad input: one line naming FILE:LINE, nothing queued ---------------------------

@pytest.mark.parametrize(
    ("lines", "bad_line", "message"),
    [
        (['{"modality": "image", "prompt": "ok"}', '{"modality": "image", "promt": "x"}'],
         2, "unknown field 'promt'"),
        (['{"modality": "image", "prompt": "ok"}', "", '{"modality": "image", '
          '"params": {"steps": -5}}'], 3, "steps must be >= 1, got -5"),
        (['{"modality": "image", "prompt": "ok"}', '{"modality": "image"'], 2,
         "not valid JSON"),
        (['{"modality": "image", "seed": "four"}'], 1, "seed must be a whole number"),
        (['{"modality": "painting"}'], 1, "modality must be one of"),
        (['["image"]'], 1, "expected a request"),
        (['{"modality": "image", "params": {"colour": "red"}}'], 1,
         "unknown parameter 'colour'"),
        (['{"matrix": {"modality": "image", "prompt": "x", "seeds": "4-1"}}'], 1,
         "not a range from low to high"),
        (['{"matrix": {"modality": "image", "seeds": "0-20000"}}'], 1, "more than"),
        (['{"modality": "image", "inputs": {"image": "/no/such.png"}, "task": "img2img"}'],
         1, "does not exist"),
    ],
)
def test_a_bad_entry_exits_2_naming_file_and_line_and_queues_nothing(
        capsys, fake_entry_points, tmp_path, lines, bad_line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    code, out, err = run_batch(capsys, str(path))
    assert code == 2, err
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"studio: {path}:{bad_line}: ") and message in err, err
    assert library_files(tmp_path) == []
    assert not (tmp_path / "data" / "batches").exists()  # no journal either


def test_bad_yaml_and_prompt_lines_are_named(capsys, fake_entry_points, tmp_path):
    yaml_file = tmp_path / "b.yaml"
    yaml_file.write_text("- {modality: image, prompt: fine}\n"
                         "- modality: image\n"
                         "  params: {steps: 0}\n")
    code, _, err = run_batch(capsys, str(yaml_file))
    assert code == 2 and err.strip() == f"studio: {yaml_file}:2: steps must be >= 1, got 0"
    text = tmp_path / "p.txt"
    text.write_text("@generator fake.image\na cat\n@set steps=many\na dog\n")
    code, _, err = run_batch(capsys, str(text))
    assert code == 2 and err.startswith(f"studio: {text}:4: ") and "steps" in err, err
    text.write_text("@colour red\n")
    code, _, err = run_batch(capsys, str(text))
    assert code == 2 and f"{text}:1: unknown directive @colour" in err, err
    assert library_files(tmp_path) == []


def test_empty_missing_and_oversized_files_exit_2(capsys, fake_entry_points, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n# nothing\n")
    assert run_batch(capsys, str(empty))[0] == 2
    code, _, err = run_batch(capsys, str(tmp_path / "missing.jsonl"))
    assert code == 2 and "cannot read it" in err
    big = tmp_path / "big.txt"
    big.write_text(f"@seeds 1-{MAX_ENTRIES}\n{{a|b}}\n")
    code, _, err = run_batch(capsys, str(big))
    assert code == 2 and f"{big}:2: " in err and str(MAX_ENTRIES) in err, err


# -- failures, the journal, resume ----------------------------------------------------

def test_failed_entries_exit_1_and_are_retried_on_resume(capsys, fake_entry_points, tmp_path):
    path = jsonl(tmp_path / "b.jsonl", fake("one", seed=1),
                 fake("two", seed=2, params={"fail": True}), fake("three", seed=3))
    code, data, err = run_json(capsys, path)
    assert code == 1, err
    assert (data["jobs"], data["done"], data["failed"]) == (3, 2, 1)
    assert [a["prompt"] for a in data["artifacts"]] == ["one", "three"]
    assert data["errors"] == [{"index": 1, "line": 2, "job": data["errors"][0]["job"],
                               "error": data["errors"][0]["error"]}]
    assert "asked to fail" in data["errors"][0]["error"]

    # The human form says which line failed and how to retry.
    code, _out, err = run_batch(capsys, path)
    assert code == 1
    assert "resuming: 2 of 3 already done" in err
    assert f"{path}:2: entry 2 failed" in err
    assert "again to retry" in err

    # Same content, so the same journal: only the failed entry runs again.
    runs = []
    from studio.app import engine as engine_mod

    submit = engine_mod.Engine.submit

    def counting(self, request, priority=0):
        runs.append(request.prompt)
        return submit(self, request, priority)

    mp = pytest.MonkeyPatch()
    mp.setattr(engine_mod.Engine, "submit", counting)
    try:
        code, data, _ = run_json(capsys, path)
    finally:
        mp.undo()
    assert runs == ["two"] and code == 1 and data["done"] == 2


def test_resume_skips_finished_entries_and_lists_each_artifact_once(
        capsys, fake_entry_points, tmp_path):
    """The process killed after k jobs: its journal holds k entries; the rerun does the
    rest, and the summary lists N artifacts, none twice."""
    path = jsonl(tmp_path / "b.jsonl", *[fake(f"p{i}", seed=i) for i in range(6)])
    code, first, _ = run_json(capsys, path)
    assert code == 0 and first["done"] == 6
    journal = next((tmp_path / "data" / "batches").glob("*.jsonl"))
    lines = journal.read_bytes().splitlines(keepends=True)
    assert len(lines) == 1 + 6  # the header, then one record per entry
    # Keep the header and three records, and a fourth cut short by the kill.
    journal.write_bytes(b"".join(lines[:4]) + lines[4][:25])

    code, _out, err = run_batch(capsys, path)
    assert code == 0, err
    assert "resuming: 3 of 6 already done" in err
    code, data, err = run_json(capsys, path)
    assert code == 0 and (data["jobs"], data["done"], data["failed"]) == (6, 6, 0)
    ids = [a["id"] for a in data["artifacts"]]
    assert len(ids) == len(set(ids)) == 6
    assert [a["prompt"] for a in data["artifacts"]] == [f"p{i}" for i in range(6)]
    assert ids[:3] == [a["id"] for a in first["artifacts"][:3]]  # not made again
    # The torn record was cut off, not glued to the next one nor taken for damage.
    assert err == ""
    assert [json.loads(line).get("state") for line in journal.read_bytes().splitlines()] == \
        [None] + ["done"] * 6
    code, again, _ = run_json(capsys, path)
    assert [a["id"] for a in again["artifacts"]] == ids


def test_restart_ignores_the_journal(capsys, fake_entry_points, tmp_path):
    path = jsonl(tmp_path / "b.jsonl", fake("a", seed=1), fake("b", seed=2))
    _, first, _ = run_json(capsys, path)
    _, again, _ = run_json(capsys, path)
    assert [a["id"] for a in again["artifacts"]] == [a["id"] for a in first["artifacts"]]
    _, restarted, _ = run_json(capsys, path, "--restart")
    assert restarted["done"] == 2
    assert not {a["id"] for a in restarted["artifacts"]} & {a["id"] for a in first["artifacts"]}


def test_a_changed_file_is_a_new_batch(capsys, fake_entry_points, tmp_path):
    target = tmp_path / "b.jsonl"
    jsonl(target, fake("a", seed=1))
    run_json(capsys, str(target))
    jsonl(target, fake("a", seed=1), fake("b", seed=2))
    code, data, _ = run_json(capsys, str(target))
    assert code == 0 and data["done"] == 2
    assert len(list((tmp_path / "data" / "batches").glob("*.jsonl"))) == 2


def test_a_damaged_journal_is_backed_up_once_and_its_entries_run_again(
        capsys, fake_entry_points, tmp_path):
    path = jsonl(tmp_path / "b.jsonl", fake("a", seed=1), fake("b", seed=2))
    run_json(capsys, path)
    journal = next((tmp_path / "data" / "batches").glob("*.jsonl"))
    lines = journal.read_text().splitlines()
    journal.write_text("\n".join([lines[0], "{garbage", lines[2]]) + "\n")
    code, data, err = run_json(capsys, path)
    assert code == 0 and data["done"] == 2
    assert "unreadable" in err and len(err.strip().splitlines()) == 1
    backup = journal.with_name(journal.name + ".damaged")
    assert "{garbage" in backup.read_text()
    code, _, err = run_json(capsys, path)  # backed up once, not on every run
    assert "{garbage" in backup.read_text()


def test_status_line_reads_as_a_bar():
    from studio.app.batch import Progress
    from studio.cli.batch_cmd import format_eta, status_line

    line = status_line(Progress(total=40, done=12, failed=1))
    assert line.startswith("[#######") and line.endswith("] 12/40 done, 1 failed")
    assert len(line.split("]")[0]) == 1 + 24
    assert format_eta(42) == "42s" and format_eta(180) == "3m" and format_eta(3900) == "1h 05m"


# -- Ctrl+C in a real process ------------------------------------------------------

def _fake_distribution(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    info = site / "batchpacks-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: batchpacks\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[studio.plugins]\nfake = tests.fakes.fake_pack\n")
    return site


def _start_batch(tmp_path: Path, path: str, after: int) -> tuple[subprocess.Popen, list[str]]:
    """The CLI in its own process, once ``after`` of its jobs have finished."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDIO_")}
    env.update(STUDIO_DATA_DIR=str(tmp_path / "data"), HF_HUB_OFFLINE="1",
               PYTHONPATH=os.pathsep.join([str(_fake_distribution(tmp_path)), str(ROOT)]))
    proc = subprocess.Popen([sys.executable, "-m", "studio.cli.main", "batch", path],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    seen: list[str] = []
    while not any(f"] {after}/" in line for line in seen):  # a line per finished job
        line = proc.stderr.readline()
        assert line, "".join(seen)
        seen.append(line)
    return proc, seen


def _ended(proc: subprocess.Popen, seen: list[str]) -> str:
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError("the CLI did not exit") from None
    err = "".join(seen) + proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    return err


def _slow_batch(tmp_path: Path) -> str:
    return jsonl(tmp_path / "b.jsonl",
                 *[fake(f"p{i}", seed=i, params={"steps": 4, "delay": 0.15}) for i in range(8)])


def _assert_complete_once(capsys, tmp_path: Path, path: str) -> dict:
    code, data, err = run_json(capsys, path)
    assert code == 0, err
    assert (data["jobs"], data["done"], data["failed"]) == (8, 8, 0)
    ids = [a["id"] for a in data["artifacts"]]
    assert len(ids) == len(set(ids)) == 8
    assert [a["prompt"] for a in data["artifacts"]] == [f"p{i}" for i in range(8)]
    return data


def test_ctrl_c_stops_cleanly_and_the_rerun_resumes(capsys, fake_entry_points, tmp_path):
    path = _slow_batch(tmp_path)
    proc, seen = _start_batch(tmp_path, path, after=2)
    proc.send_signal(signal.SIGINT)
    err = _ended(proc, seen)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("studio: interrupted: ") and "again to resume" in last, err
    done_before = int(last.split("interrupted: ")[1].split(" of ")[0])
    assert 2 <= done_before < 8

    _assert_complete_once(capsys, tmp_path, path)
    # Nothing made twice: the library holds exactly the 8 (the cancelled job left none).
    assert len(library_files(tmp_path)) == 8


def test_a_killed_batch_resumes_without_redoing_its_finished_jobs(
        capsys, fake_entry_points, tmp_path):
    path = _slow_batch(tmp_path)
    proc, seen = _start_batch(tmp_path, path, after=3)
    proc.kill()  # SIGKILL: no chance to clean up or journal anything more
    _ended(proc, seen)
    journal = next((tmp_path / "data" / "batches").glob("*.jsonl"))
    journaled = sum('"state": "done"' in line for line in journal.read_text().splitlines())
    assert 3 <= journaled < 8

    code, _out, err = run_batch(capsys, path)
    assert code == 0, err
    assert f"resuming: {journaled} of 8 already done" in err
    _assert_complete_once(capsys, tmp_path, path)
    # At most the job that ended as the kill came was made again.
    assert 8 <= len(library_files(tmp_path)) <= 9


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ('{"modality": "image", "prompt": "a"}\n{"modality": "image", "prompt": "b"}\n', 2),
        ('# JSON over several lines\n{\n  "matrix": {"modality": "image",\n'
         '  "prompt": "{a|b}", "seeds": [1, 2]}\n}\n', 4),
        ('[{"modality": "image"},\n {"modality": "text"}]', 2),
        ("- modality: image\n- modality: text\n", 2),
        ("matrix:\n  modality: image\n  prompt: '{a|b|c}'\n", 3),
        ("a {red|blue} cat\nplain\n", 3),
    ],
)
def test_the_format_comes_from_the_content_without_an_extension(tmp_path, text, count):
    path = tmp_path / "batch"
    path.write_text(text)
    assert len(read_batch(path)[1]) == count


def test_json_list_entries_are_named_by_their_line(capsys, fake_entry_points, tmp_path):
    path = tmp_path / "b.json"
    path.write_text('[\n  {"modality": "image"},\n\n  {"modality": "image",\n'
                    '   "params": {"steps": 0}}\n]\n')
    code, _, err = run_batch(capsys, str(path))
    assert code == 2 and err.startswith(f"studio: {path}:4: steps must be >= 1"), err


def test_eta_counts_down_from_the_last_finished_job():
    from studio.app.batch import Progress

    progress = Progress(total=10, done=2, finished_now=2)
    progress.last_finished = time.monotonic()
    progress.started = progress.last_finished - 10  # 5 s a job, 8 jobs left
    assert 30 < progress.eta <= 40
    assert Progress(total=10).eta is None  # nothing finished yet


def test_relative_inputs_are_taken_from_the_batch_files_folder(
        capsys, fake_entry_points, tmp_path, monkeypatch):
    from PIL import Image

    folder = tmp_path / "shots"
    folder.mkdir()
    Image.new("RGB", (16, 16), "red").save(folder / "in.png")
    path = jsonl(folder / "b.jsonl", fake("redo", seed=1, task="img2img",
                                          inputs={"image": "in.png"}))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, data, err = run_json(capsys, path)
    assert code == 0, err
    assert data["artifacts"][0]["metadata"]["request"]["inputs"]["image"] == \
        str(folder / "in.png")


def test_a_job_cancelled_from_elsewhere_is_not_done(capsys, fake_entry_points, tmp_path,
                                                    monkeypatch):
    from studio.app import engine as engine_mod

    submit = engine_mod.Engine.submit

    def cancel_b(self, request, priority=0):
        job = submit(self, request, priority)
        if request.prompt == "b":
            self.cancel(job.id)
        return job

    monkeypatch.setattr(engine_mod.Engine, "submit", cancel_b)
    path = jsonl(tmp_path / "b.jsonl", fake("a", seed=1), fake("b", seed=2))
    code, data, _ = run_json(capsys, path)
    assert code == 1
    assert (data["jobs"], data["done"], data["failed"]) == (2, 1, 0)
    monkeypatch.setattr(engine_mod.Engine, "submit", submit)
    code, data, _ = run_json(capsys, path)  # and it runs on the next try
    assert code == 0 and data["done"] == 2


def test_the_bar_is_redrawn_in_place_on_a_terminal_with_failures_above_it():
    import io

    from studio.app.batch import Outcome, Progress
    from studio.app.batch_files import Entry
    from studio.cli.batch_cmd import _ProgressView

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    term = Terminal()
    view = _ProgressView("b.jsonl", enabled=True, stream=term)
    progress = Progress(total=4, done=1)
    view.tick(progress)
    view.tick(progress)  # unchanged: not drawn again
    progress.failed = 1
    view.outcome(Outcome(Entry(1, 2, {}), "failed", error="out of\nmemory"), progress)
    view.clear()
    text = term.getvalue()
    bar = "[######                  ] 1/4 done, 0 failed"
    assert text.count("\r" + bar) == 1
    # The bar is blanked out, the failure printed on its own line, the bar drawn again.
    assert f"\r{' ' * len(bar)}\rstudio: b.jsonl:2: entry 2 failed: out of memory\n\r[" in text
    assert "] 1/4 done, 1 failed" in text and text.endswith("\r")
    quiet = Terminal()
    _ProgressView("b.jsonl", enabled=False, stream=quiet).outcome(
        Outcome(Entry(0, 1, {}), "failed", error="x"), progress)
    assert quiet.getvalue() == ""
