"""The CLI in-process, on the fake pack."""

import json
import os

import pytest

from studio.cli.main import main


@pytest.fixture(autouse=True)
def _cpu(monkeypatch, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.json").write_text(json.dumps({"device": "cpu"}))


def run_json(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


def test_generate_json_reports_artifacts_and_writes_out_dir(capsys, fake_entry_points, tmp_path):
    code, data, err = run_json(
        capsys, "generate", "image", "--generator", "fake.image", "--prompt", "a fox",
        "--seed", "4", "--set", "batch_size=2", "--set", "steps=3",
        "--out", str(tmp_path / "out"), "--json",
    )
    assert code == 0, err
    arts = data["artifacts"]
    assert [a["seed"] for a in arts] == [4, 5]
    assert all(a["kind"] == "image" and os.path.isfile(a["path"]) for a in arts)
    assert all(a["path"].startswith(str(tmp_path / "out")) for a in arts)
    assert arts[0]["metadata"]["request"]["params"]["steps"] == 3
    assert data["seconds"] >= 0
    assert "step 3/3" in err  # progress goes to stderr


def test_text_artifacts_carry_text(capsys, fake_entry_points):
    code, data, _ = run_json(capsys, "generate", "text", "--prompt", "Once", "--seed", "1",
                             "--json")
    assert code == 0
    assert data["artifacts"][0]["text"].startswith("Once w1")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--set", "steps=-5"], "studio: steps must be >= 1, got -5"),
        (["--set", "colour=red"], "studio: unknown parameter 'colour'"),
        (["--set", "steps=ten"], "studio: steps must be an integer, got 'ten'"),
        (["--input", "/no/such.png"], "does not exist"),
        (["--model", "x", "--task", "inpaint"], "cannot do task 'inpaint'"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(capsys, fake_entry_points, argv,
                                                            message, tmp_path):
    code = main(["generate", "image", "--generator", "fake.image", "--prompt", "x",
                 "--out", str(tmp_path / "out"), *argv])
    _out, err = capsys.readouterr()
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
    lib = tmp_path / "data" / "library"
    assert not lib.exists() or not any(p.is_file() for p in lib.rglob("*"))


def test_failed_job_exits_1(capsys, fake_entry_points):
    code = main(["generate", "image", "--generator", "fake.image", "--set", "fail=true"])
    assert code == 1
    assert "asked to fail" in capsys.readouterr().err


def test_plugins_disable_persists_and_list_shows_it(capsys, fake_entry_points):
    assert main(["plugins", "disable", "fake"]) == 0
    capsys.readouterr()
    _code, data, _ = run_json(capsys, "plugins", "list", "--json")
    fake = next(p for p in data if p["name"] == "fake")
    assert fake["status"] == "disabled"
    assert main(["plugins", "enable", "fake"]) == 0
    capsys.readouterr()
    _, data, _ = run_json(capsys, "plugins", "list", "--json")
    assert next(p for p in data if p["name"] == "fake")["status"] == "ok"


def test_library_list_search_delete_restore(capsys, fake_entry_points):
    main(["generate", "image", "--generator", "fake.image", "--prompt", "red fox", "--json"])
    main(["generate", "image", "--generator", "fake.image", "--prompt", "blue whale", "--json"])
    capsys.readouterr()
    _, found, _ = run_json(capsys, "library", "list", "--search", "whale", "--json")
    assert [a["prompt"] for a in found] == ["blue whale"]
    assert main(["library", "delete", found[0]["id"]]) == 0
    _, listed, _ = run_json(capsys, "library", "list", "--json")
    assert [a["prompt"] for a in listed] == ["red fox"]
    assert main(["library", "restore", found[0]["id"]]) == 0
    _, listed, _ = run_json(capsys, "library", "list", "--json")
    assert len(listed) == 2


def test_models_list_marks_default(capsys, fake_entry_points):
    _, data, _ = run_json(capsys, "models", "list", "--json")
    fake = [m for m in data if m["generator"] == "fake.image"]
    assert [m["default"] for m in fake] == [True, False]


def test_settings_set_validates_and_persists(capsys, tmp_path):
    assert main(["settings", "set", "device", "cuda:1"]) == 0
    assert main(["settings", "set", "device", "gpu"]) == 2
    assert "device must be auto, cpu, cuda, cuda:N or mps" in capsys.readouterr().err
    assert main(["settings", "set", "allow_pickle", "true"]) == 0
    assert main(["settings", "set", "allow_pickle", "maybe"]) == 2
    assert main(["settings", "set", "nonsense", "1"]) == 2
    saved = json.loads((tmp_path / "data" / "settings.json").read_text())
    assert saved["device"] == "cuda:1" and saved["allow_pickle"] is True


def test_models_download_refuses_bad_ids_and_offline_mode(capsys, monkeypatch):
    assert main(["models", "download", "not-a-repo"]) == 2
    assert "not a Hugging Face repo id" in capsys.readouterr().err
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert main(["models", "download", "someone/model"]) == 2
    assert "HF_HUB_OFFLINE is set" in capsys.readouterr().err


def test_gui_without_a_display_says_so_instead_of_aborting():
    from studio.api import StudioError
    from studio.cli.gui_cmd import check_display

    with pytest.raises(StudioError, match="no display found"):
        check_display({}, "linux")
    check_display({"DISPLAY": ":0"}, "linux")
    check_display({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    check_display({}, "darwin")
