"""The music pack through ``studio generate music``, in-process, as a user would run it."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import soundfile as sf

from studio.cli.main import main


def generate(capsys, *args):
    code = main(["generate", "music", "--json", *args])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if code == 0 else None), out.err


def written_audio(tmp_path):
    data = tmp_path / "data"
    return [p for p in data.rglob("*") if p.suffix in (".flac", ".wav")] \
        if data.exists() else []


def test_generate_then_reproduce_from_file(capsys, tiny_musicgen):
    code, result, err = generate(capsys, "--prompt", "lofi hip hop, rainy night, 80 bpm",
                                 "--model", str(tiny_musicgen), "--seed", "3",
                                 "--set", "duration=1.0", "--set", "fade_in=0.1")
    assert code == 0, err
    first = result["artifacts"][0]
    assert first["path"].endswith(".flac") and result["request"]["seed"] == 3
    code, again, err = generate(capsys, "--from-file", first["path"])
    assert code == 0, err
    assert again["request"]["prompt"] == "lofi hip hop, rainy night, 80 bpm"
    assert again["request"]["params"] == result["request"]["params"]
    before, rate = sf.read(first["path"], dtype="float32")
    after, rate_again = sf.read(again["artifacts"][0]["path"], dtype="float32")
    assert rate == rate_again == 16000 and before.shape[0] == 16000
    np.testing.assert_array_equal(after, before)


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_a_non_audio_input_exits_2_and_writes_nothing(capsys, tiny_musicgen, tmp_path):
    fake = tmp_path / "notes.wav"
    fake.write_text("this is text, not sound")
    code, _r, err = generate(capsys, "--model", str(tiny_musicgen), "--task", "continue",
                             "--input", str(fake))
    assert code == 2
    assert "is not a readable audio file" in one_line(err) and "notes.wav" in err
    assert written_audio(tmp_path) == []


@pytest.mark.parametrize("duration", ["0", "-3"])
def test_a_duration_of_zero_or_less_exits_2(capsys, tiny_musicgen, tmp_path, duration):
    code, _r, err = generate(capsys, "--model", str(tiny_musicgen),
                             "--set", f"duration={duration}")
    assert code == 2 and "duration must be >= 0.5" in one_line(err)
    assert written_audio(tmp_path) == []


def test_melody_on_a_plain_musicgen_model_exits_2(capsys, tiny_musicgen, tmp_path):
    clip = tmp_path / "hum.wav"
    sf.write(clip, np.zeros(1600, dtype=np.float32), 16000)
    code, _r, err = generate(capsys, "--model", str(tiny_musicgen), "--task", "melody",
                             "--input", str(clip))
    assert code == 2 and "needs a MusicGen-Melody model" in one_line(err)
    assert written_audio(tmp_path) == []


def test_a_pickle_only_model_folder_exits_2(capsys, tiny_musicgen, tmp_path):
    folder = tmp_path / "old-musicgen"
    folder.mkdir()
    shutil.copy(tiny_musicgen / "config.json", folder / "config.json")
    (folder / "pytorch_model.bin").write_bytes(b"\x80\x04junk")
    code, _r, err = generate(capsys, "--model", str(folder))
    # Refused before queueing by check_load, under the plan that carries allow_pickle
    # (bad input: exit 2, one line, nothing queued or written).
    assert code == 2 and "Traceback" not in err
    line = err.strip()
    assert line.startswith("studio: ") and "\n" not in line
    assert "pickle" in line and "old-musicgen" in line and "safetensors" in line
    assert written_audio(tmp_path) == []


def test_the_generator_follows_what_the_folder_declares_not_its_name(capsys, tiny_musicgen,
                                                                     tmp_path):
    # A MusicGen folder with a misleading name is served as MusicGen...
    named = tmp_path / "stable-audio-open-1.0"
    shutil.copytree(tiny_musicgen, named)
    code, _result, err = generate(capsys, "--model", str(named), "--set", "duration=0.5",
                                 "--set", "loudness=none")
    assert code == 0, err
    # ...and a folder declaring a diffusers pipeline is refused by MusicGen, by its class
    # (named by hand: without --generator it would go to Stable Audio).
    other = tmp_path / "musicgen-small"
    other.mkdir()
    (other / "model_index.json").write_text(json.dumps({"_class_name": "StableAudioPipeline"}))
    code, _r, err = generate(capsys, "--generator", "music.musicgen", "--model", str(other))
    assert code == 2 and "Stable Audio model" in one_line(err)
