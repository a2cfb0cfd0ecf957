"""main() is the last line of defence: closed pipes, bugs and killed writes (issue #10)."""

import json
import os
import stat
import subprocess
import sys

import pytest

from studio.app.faults import ENV_FAULT_POINT
from studio.cli import crashlog, plugins_cmd
from studio.cli.main import main


def run_cli(*argv, env=None, **kw):
    return subprocess.run([sys.executable, "-m", "studio.cli.main", *argv],
                          env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          timeout=120, **kw)


def run_into_closed_pipe(*argv):
    """Run the CLI with stdout a pipe whose reader has already gone (``| head`` exited)."""
    read, write = os.pipe()
    os.close(read)
    try:
        proc = subprocess.run([sys.executable, "-m", "studio.cli.main", *argv],
                              stdout=write, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write)
    return proc


@pytest.mark.parametrize("argv", [("plugins", "list"), ("library", "list", "--json"),
                                  ("settings", "show")])
def test_a_closed_pipe_ends_quietly(argv):
    proc = run_into_closed_pipe(*argv)
    assert proc.stderr == ""
    assert proc.returncode == 141


def test_head_reads_the_first_line_without_a_traceback(tmp_path):
    proc = subprocess.run(
        f"{sys.executable} -m studio.cli.main settings show | head -1",
        shell=True, capture_output=True, text=True, timeout=120)
    assert proc.stdout == "{\n"
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


def boom(args):
    raise RuntimeError("boom \x1b[31mred\nsecond line")


def test_a_bug_is_one_line_and_a_private_log(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(plugins_cmd, "run_list", boom)
    assert main(["plugins", "list"]) == 1
    err = capsys.readouterr().err
    log = tmp_path / "data" / "logs" / "studio.log"
    assert err == f"studio: internal error: RuntimeError: boom red second line (details in {log})\n"
    text = log.read_text()
    assert "Traceback" in text and "RuntimeError: boom" in text and "in boom" in text
    assert stat.S_IMODE(os.stat(log).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(log.parent).st_mode) == 0o700


def test_verbose_still_shows_the_traceback(capsys, monkeypatch):
    monkeypatch.setattr(plugins_cmd, "run_list", boom)
    assert main(["-v", "plugins", "list"]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert err.splitlines()[-1].startswith("studio: internal error: RuntimeError: boom")


def test_a_log_that_cannot_be_written_still_gives_one_line(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(plugins_cmd, "run_list", boom)
    data = tmp_path / "data"
    data.mkdir()
    (data / "logs").write_text("not a folder")
    assert main(["plugins", "list"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "details not saved" in err


def test_the_log_is_rotated_by_size(monkeypatch, tmp_path):
    monkeypatch.setattr(crashlog, "MAX_BYTES", 200)
    for _ in range(10):
        try:
            raise ValueError("x" * 150)
        except ValueError as exc:
            path = crashlog.record_crash(exc, "test")
    names = sorted(p.name for p in path.parent.iterdir())
    assert names == ["studio.log", "studio.log.1", "studio.log.2", "studio.log.3"]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in path.parent.iterdir())


def test_an_unexpected_error_in_a_subprocess_is_one_line(tmp_path):
    proc = run_cli("settings", "set", "device", "cpu",
                   env={ENV_FAULT_POINT: "write_atomic.before_rename:raise"})
    assert proc.returncode == 1
    assert proc.stderr.startswith("studio: internal error: InjectedFault: fault injected at "
                                  "write_atomic.before_rename (details in ")
    assert proc.stderr.count("\n") == 1
    data = tmp_path / "data"
    assert not (data / "settings.json").exists()
    assert [p.name for p in data.iterdir()] == ["logs"]  # the temp file was removed


def test_a_write_killed_before_the_rename_keeps_the_old_settings(tmp_path):
    data = tmp_path / "data"
    assert run_cli("settings", "set", "device", "cpu").returncode == 0
    proc = run_cli("settings", "set", "device", "mps",
                   env={ENV_FAULT_POINT: "write_atomic.before_rename:kill"})
    assert proc.returncode == -9
    assert json.loads((data / "settings.json").read_text())["device"] == "cpu"
    leftovers = [p for p in data.iterdir() if p.name != "settings.json"]
    # Only a temp file, under a temp name, private like everything else.
    assert all(p.name.startswith(".settings.json.") for p in leftovers)
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in leftovers)


def test_a_repair_killed_after_the_backup_completes_on_the_next_run(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    bad = json.dumps({"device": 5, "dtype": "float16"})
    (data / "settings.json").write_text(bad)
    proc = run_cli("settings", "show", env={ENV_FAULT_POINT: "settings.repair.after_backup"})
    assert proc.returncode == -9
    assert (data / "settings.json").read_text() == bad  # untouched: the backup came first
    assert (data / "settings.broken.json").read_text() == bad
    proc = run_cli("settings", "show")
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["dtype"] == "float16"
    assert "device must be" in proc.stderr and proc.stderr.count("\n") == 1
    # The same damage is backed up once, not once per run.
    assert sorted(p.name for p in data.iterdir()) == ["settings.broken.json", "settings.json"]
    assert json.loads((data / "settings.json").read_text()) == {"dtype": "float16"}
