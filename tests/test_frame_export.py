"""One frame of a studio video exported as a PNG with A1111 and studio metadata."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from PIL import Image

from studio.api import GenerationRequest, Output, RequestError
from studio.app.frame_export import export_frame
from studio.app.library import Library
from studio.app.metadata import a1111, read_file_metadata
from studio.cli.main import main


def _clip(frames: int = 6) -> np.ndarray:
    # Each frame a flat grey of its own level, so the exported frame is recognisable.
    levels = np.linspace(20, 230, frames).round().astype(np.uint8)
    return np.broadcast_to(levels[:, None, None, None], (frames, 48, 64, 3)).copy()


@pytest.fixture
def video_artifact(tmp_path):
    lib = Library(tmp_path / "lib")
    request = GenerationRequest(
        modality="video", task="txt2video", model="/models/tiny-wan", seed=11,
        prompt="a paper boat, slow river", generator="video.diffusers",
        params={"steps": 3, "guidance_scale": 4.5, "negative_prompt": "blurry",
                "num_frames": 6, "fps": 24})
    meta = {"seed": 11, "model": "/models/tiny-wan", "steps": 3, "guidance_scale": 4.5,
            "fps": "24000/1001", "num_frames": 6, "width": 64, "height": 48}
    [art] = lib.add([Output("video", (_clip(), Fraction(24000, 1001)), meta)], request)
    yield lib, art
    lib.close()


def test_frame_png_carries_a1111_parameters_and_the_studio_chunk(video_artifact, tmp_path):
    _lib, art = video_artifact
    out = export_frame(art.path, 3, tmp_path / "f.png")
    with Image.open(out) as im:
        pixels = np.asarray(im.convert("RGB"))
        text = im.text["parameters"]
    assert pixels.shape == (48, 64, 3)
    # H.264 is lossy: the frame is the fourth one's grey, not its neighbours'.
    assert abs(int(pixels.mean()) - int(_clip()[3].mean())) <= 3
    lines = text.split("\n")
    assert lines[0] == "a paper boat, slow river" and lines[1] == "Negative prompt: blurry"
    parsed = a1111.parse(text).request
    assert parsed.prompt == "a paper boat, slow river"
    assert parsed.params["negative_prompt"] == "blurry"
    assert parsed.params["steps"] == 3 and parsed.params["guidance_scale"] == 4.5
    assert parsed.seed == 11 and parsed.model == "tiny-wan"
    assert (parsed.params["width"], parsed.params["height"]) == (64, 48)
    # ``studio info`` reads the studio chunk first: the clip's request and the frame.
    meta = read_file_metadata(out)
    assert meta.tool == "studio" and meta.request.modality == "video"
    assert meta.request.seed == 11 and meta.request.params["num_frames"] == 6
    assert meta.raw["frame"] == 3 and meta.raw["frames"] == 6


def test_negative_index_counts_from_the_end(video_artifact, tmp_path):
    _lib, art = video_artifact
    out = export_frame(art.path, -1, tmp_path)
    assert out.name.endswith("-frame-1.png")
    assert read_file_metadata(out).raw["frame"] == 5
    with Image.open(out) as im:
        assert abs(np.asarray(im.convert("RGB")).mean() - _clip()[5].mean()) <= 3


def test_cli_exports_by_library_id(video_artifact, tmp_path, monkeypatch, capsys):
    lib, art = video_artifact
    monkeypatch.setenv("STUDIO_DATA_DIR", str(lib.root))
    monkeypatch.chdir(tmp_path)
    assert main(["library", "frame", art.id, "--index", "2"]) == 0, capsys.readouterr().err
    written = tmp_path / f"{art.id}-frame2.png"
    assert capsys.readouterr().out.strip() == str(written.name)
    assert read_file_metadata(written).raw["frame"] == 2


@pytest.mark.parametrize("index", [6, -7])
def test_frame_past_the_clip_exits_2_in_one_line_writing_nothing(video_artifact, tmp_path,
                                                                 capsys, index):
    _lib, art = video_artifact
    out = tmp_path / "x.png"
    code = main(["library", "frame", art.path, "--index", str(index), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "outside the clip (6 frames: 0 to 5" in err
    assert not out.exists() and list(tmp_path.glob("*.png")) == []


def test_a_file_without_studio_video_metadata_is_refused(tmp_path):
    path = tmp_path / "plain.png"
    Image.new("RGB", (8, 8)).save(path)
    with pytest.raises(RequestError):
        export_frame(path, 0, tmp_path / "out.png")
    assert not (tmp_path / "out.png").exists()
