"""video2video on the tiny pipelines: the input clip reaches the pipeline."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from studio.api import RequestError
from studio.api.video import encode_video, read_video
from studio.cli.main import main


def _input(path, frames=9, size=(64, 64), fps=12, seed=0, level=None):
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 255, (1, size[1], size[0], 3)) if level is None else \
        np.full((1, size[1], size[0], 3), level)
    # A slow drift, so the clip has motion but each frame is close to the first.
    clip = np.clip(base + np.arange(frames)[:, None, None, None] * 4, 0, 255)
    path.write_bytes(encode_video(clip.astype(np.uint8), fps))
    return str(path)


def _clip(path):
    with open(path, "rb") as f:
        return read_video(f.read())


@pytest.mark.parametrize("family", ["wan", "animatediff"])
def test_video2video_keeps_the_input_length_size_and_fps_and_is_deterministic(
        engine, video_request, tmp_path, family):
    clip = _input(tmp_path / "in.mp4", frames=9 if family == "wan" else 4, size=(64, 64))
    runs = []
    for _ in range(2):
        job = engine.run(video_request(family, task="video2video", inputs={"video": clip},
                                       params={"num_frames": None, "width": None,
                                               "height": None, "strength": 0.6}),
                         timeout=600)
        assert job.state == "done", job.error
        [art] = job.artifacts
        frames, fps, _tags = _clip(art.path)
        assert frames.shape == ((9 if family == "wan" else 4), 64, 64, 3)
        assert fps == Fraction(12)  # the input's rate when none is asked
        assert art.metadata["strength"] == 0.6 and art.task == "video2video"
        runs.append(frames)
    assert np.array_equal(runs[0], runs[1])


def test_video2video_output_depends_on_the_input(engine, video_request, tmp_path):
    outs = []
    for level in (10, 245):
        clip = _input(tmp_path / f"in{level}.mp4", frames=5, level=level)
        job = engine.run(video_request("wan", task="video2video", inputs={"video": clip},
                                       params={"num_frames": None, "strength": 0.2,
                                               "steps": 5}),
                         timeout=600)
        assert job.state == "done", job.error
        outs.append(_clip(job.artifacts[0].path)[0].astype(int))
    # The tiny random Wan VAE passes little of its input through (about 0.7 grey
    # levels apart for a black and a white clip); the same input gives identical
    # frames (test above), so any difference comes from the input.
    assert np.abs(outs[0] - outs[1]).mean() > 0.3


def test_video2video_cuts_the_input_to_the_frame_rule_and_says_so(engine, video_request,
                                                                  tmp_path):
    clip = _input(tmp_path / "in.mp4", frames=8)  # Wan makes 4k+1: 5 are used
    job = engine.run(video_request("wan", task="video2video", inputs={"video": clip},
                                   params={"num_frames": None, "fps": 10}), timeout=600)
    assert job.state == "done", job.error
    [art] = job.artifacts
    frames, fps, _ = _clip(art.path)
    assert frames.shape[0] == 5 and fps == 10
    assert "first 5 of 8 frames" in " ".join(art.metadata["notes"])


def test_unreadable_input_video_is_refused_before_queueing(engine, video_request, tmp_path):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video at all")
    with pytest.raises(RequestError, match="is not a readable video"):
        engine.submit(video_request("wan", task="video2video", inputs={"video": str(bad)}))
    assert engine.jobs() == [] and engine.library.count() == 0


def test_strength_leaving_no_step_is_refused_naming_the_nearest(engine, video_request,
                                                                tmp_path):
    from studio.api import ParamError

    clip = _input(tmp_path / "in.mp4", frames=5)
    with pytest.raises(ParamError, match=r"nearest allowed value is 0\.5"):
        engine.submit(video_request("wan", task="video2video", inputs={"video": clip},
                                    params={"strength": 0.2}))
    assert engine.jobs() == []


def test_text_only_family_refuses_video2video(engine, video_request, tmp_path):
    clip = _input(tmp_path / "in.mp4", frames=9)
    with pytest.raises(RequestError, match="video2video"):
        engine.submit(video_request("ltx", task="video2video", inputs={"video": clip}))
    assert engine.jobs() == []


def test_cli_input_goes_to_the_video_role(capsys, tiny_models, tmp_path):
    clip = _input(tmp_path / "in.mp4", frames=5)
    code = main(["generate", "video", "--json", "--task", "video2video", "--input", clip,
                 "--model", tiny_models("wan"), "--set", "steps=2"])
    assert code == 0, capsys.readouterr().err
    assert '"task": "video2video"' in capsys.readouterr().out
