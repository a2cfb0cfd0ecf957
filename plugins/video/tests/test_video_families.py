"""LTX-2 and CogVideoX text to video, on tiny random-weight pipelines through the loader."""

from __future__ import annotations

from fractions import Fraction

import pytest

from studio.api.video import read_video


def _clip(path):
    with open(path, "rb") as f:
        return read_video(f.read())


@pytest.mark.parametrize("family,asked,made,rule,fps", [
    # LTX-2 reads its rule from the VAE (8k+1 for the released model; the tiny VAE
    # compresses time 4x, so 4k+1 here). CogVideoX's VAE compresses time 4x, yet its
    # decoder gives 4k+1 frames only for even k (5 frames come back as 8): 8k+1.
    ("ltx2", 6, 5, "4k+1", Fraction(24)),
    ("cogvideox", 6, 9, "8k+1", Fraction(8)),
])
def test_clip_follows_the_frame_rule_and_decodes_as_asked(engine, video_request, family, asked,
                                                         made, rule, fps):
    request = video_request(family, params={"num_frames": asked, "fps": float(fps)})
    job = engine.run(request, timeout=600)
    assert job.state == "done", job.error
    [art] = job.artifacts
    frames, rate, _tags = _clip(art.path)
    assert frames.shape == (made, 64, 64, 3)
    assert rate == fps
    assert f"num_frames {asked} rounded to {made}" in " ".join(art.metadata["notes"])
    assert rule in " ".join(art.metadata["notes"])
    assert art.metadata["pipeline"] == {"ltx2": "LTX2Pipeline",
                                        "cogvideox": "CogVideoXPipeline"}[family]
    # Same seed, same frames.
    again = engine.run(request, timeout=600)
    assert again.state == "done", again.error
    assert (_clip(again.artifacts[0].path)[0] == frames).all()


def test_ltx2_sides_are_multiples_of_32(engine, video_request):
    from studio.api import ParamError

    with pytest.raises(ParamError, match="width 80 is not a multiple of 32"):
        engine.submit(video_request("ltx2", params={"width": 80}))
    assert engine.jobs() == []


def test_ltx2_animates_a_still_with_the_same_weights(engine, video_request, tmp_path):
    # LTX-2's image-to-video pipeline is made from the text-to-video weights (from_pipe).
    from PIL import Image

    path = tmp_path / "still.png"
    Image.new("RGB", (96, 64), (200, 30, 30)).save(path)
    job = engine.run(video_request("ltx2", task="img2video", inputs={"image": str(path)},
                                   params={"width": None, "height": None, "num_frames": 5}),
                     timeout=600)
    assert job.state == "done", job.error
    frames, _rate, _tags = _clip(job.artifacts[0].path)
    assert frames.shape == (5, 64, 96, 3)  # the input's size, at the model's multiple of 32
