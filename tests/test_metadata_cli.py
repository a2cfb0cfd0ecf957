"""``studio info`` and ``studio generate --from-file`` (alias ``--from-png``)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from studio.cli.main import main
from tests.test_metadata_samples import A1111_TEXT, exif_image, png, user_comment


@pytest.fixture(autouse=True)
def _cpu(tmp_path):
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    (data / "settings.json").write_text(json.dumps({"device": "cpu"}))


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def generated_png(capsys) -> tuple[str, dict]:
    code, out, err = run(capsys, "generate", "image", "--generator", "fake.image",
                         "--prompt", "a red fox", "--seed", "4", "--set", "steps=3",
                         "--set", "scheduler=ddim", "--json")
    assert code == 0, err
    result = json.loads(out)
    return result["artifacts"][0]["path"], result["request"]


def test_info_json_round_trips_a_library_png(capsys, fake_entry_points):
    path, request = generated_png(capsys)
    code, out, err = run(capsys, "info", path, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["tool"] == "studio" and data["request"] == request
    assert data["raw"]["request"] == request


def test_info_human_output(capsys, tmp_path):
    path = png(tmp_path / "a.png", text={"parameters": A1111_TEXT})
    code, out, err = run(capsys, "info", str(path))
    assert code == 0, err
    lines = dict(line.split(":", 1) for line in out.splitlines()
                 if ":" in line and not line.startswith(" "))
    assert lines["tool"].strip() == "automatic1111"
    assert lines["prompt"].strip() == "masterpiece, <lora:detail:0.7> a cat"
    assert lines["negative prompt"].strip() == "dog, blurry"
    assert lines["seed"].strip() == "42" and lines["steps"].strip() == "20"
    assert lines["CFG"].strip() == "7.0" and lines["size"].strip() == "512x768"
    assert lines["sampler"].strip() == "Euler a (Studio: euler_a)"
    assert lines["model"].strip() == "v1-5-pruned-emaonly (hash 6ce0161689)"
    assert lines["LoRAs"].strip() == "detail 0.7 (hash 1a2b3c4d)"
    assert "raw metadata:" in out and "Lora hashes" in out


def test_info_escapes_terminal_controls_from_the_file(capsys, tmp_path):
    hostile = ("\x1b]0;owned\x07\x1b[2J a cat\x9b31m \u202e\nNegative prompt: \x1b[31mred\n"
               "Steps: 2, Sampler: Euler, Seed: 1")
    path = png(tmp_path / "h.png", itxt={"parameters": hostile})
    code, out, _err = run(capsys, "info", str(path))
    assert code == 0
    assert not any(c in out for c in "\x1b\x07\x9b\u202e")
    assert "a cat" in out and "red" in out
    code, out, _err = run(capsys, "info", str(path), "--json")
    assert code == 0 and "\x1b" not in out and "\u202e" not in out
    assert json.loads(out)["request"]["prompt"].endswith("a cat\x9b31m \u202e")


@pytest.mark.parametrize(("make", "message"), [
    (lambda d: d / "missing.png", "does not exist"),
    (lambda d: png(d / "bare.png"), "carries no generation metadata"),
    (lambda d: (d / "x.txt").write_bytes(b"\x00\x01binary") and d / "x.txt",
     "carries no generation metadata"),
    (lambda d: (d / "x.bin").write_bytes(b"\x00\x01binary") and d / "x.bin",
     "is not a PNG, JPEG"),
])
def test_info_bad_input_exits_2_with_one_line(capsys, tmp_path, make, message):
    path = make(tmp_path)
    code, out, err = run(capsys, "info", str(path))
    assert code == 2 and out == ""
    assert err.startswith(f"studio: {path}") and message in err and err.count("\n") == 1


@pytest.mark.parametrize("flag", ["--from-file", "--from-png"])
def test_generate_from_a_studio_png(capsys, fake_entry_points, flag):
    path, request = generated_png(capsys)
    code, out, err = run(capsys, "generate", "image", flag, path, "--json")
    assert code == 0, err
    again = json.loads(out)["request"]
    assert again["prompt"] == "a red fox" and again["seed"] == 4
    assert again["params"] == request["params"]


def test_generate_from_an_a1111_jpeg(capsys, fake_entry_points, tmp_path):
    text = "a blue heron\nSteps: 3, Sampler: DDIM, Seed: 5"
    path = exif_image(tmp_path / "h.jpg", {}, exif_ifd={0x9286: user_comment(text)})
    code, out, err = run(capsys, "generate", "image", "--generator", "fake.image",
                         "--from-file", str(path), "--json")
    assert code == 0, err
    request = json.loads(out)["request"]
    assert request["prompt"] == "a blue heron" and request["seed"] == 5
    assert request["params"]["steps"] == 3 and request["params"]["scheduler"] == "ddim"


def test_generate_from_file_with_the_wrong_modality(capsys, fake_entry_points, tmp_path):
    path = png(tmp_path / "a.png", text={"parameters": A1111_TEXT})
    code, _out, err = run(capsys, "generate", "text", "--from-file", str(path))
    assert code == 2 and "holds a image request, not text" in err


def test_info_loads_no_torch_and_no_qt(tmp_path):
    path = png(tmp_path / "a.png", text={"parameters": A1111_TEXT})
    code = (
        "import sys\n"
        "from studio.cli.main import main\n"
        f"rc = main(['info', {str(path)!r}, '--json'])\n"
        "heavy = [m for m in ('torch', 'diffusers', 'transformers', 'PySide6')"
        " if m in sys.modules]\n"
        "print('HEAVY', heavy, rc, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert "HEAVY [] 0" in proc.stderr, proc.stderr
    assert json.loads(proc.stdout)["tool"] == "automatic1111"
