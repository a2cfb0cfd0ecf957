"""The video pack's cheap parts: descriptor, family table, model locating, estimates."""

from __future__ import annotations

import json
import struct
import subprocess
import sys

import pytest
from studio_video.families import (
    FAMILIES,
    family_for,
    nearest_multiple,
    round_frames,
    tasks_of,
)

from studio.api import ModelError


def test_entry_module_imports_no_torch():
    code = ("import sys, studio_video.plugin; "
            "print('torch' in sys.modules or 'diffusers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("asked,temporal,top,expected", [
    (9, 4, 121, 9), (10, 4, 121, 9), (11, 4, 121, 13), (12, 4, 121, 13), (1, 4, 121, 1),
    (20, 8, 257, 17), (21, 8, 257, 25), (16, None, 32, 16), (200, 4, 121, 121),
    (120, 6, 163, 121),
])
def test_frames_round_to_the_model_rule(asked, temporal, top, expected):
    assert round_frames(asked, temporal, top) == expected


def test_nearest_multiple_never_goes_below_the_minimum():
    assert nearest_multiple(72, 16) == 64
    assert nearest_multiple(90, 32) == 96
    assert nearest_multiple(20, 16) == 64


def test_each_pipeline_class_has_one_family():
    names = [c for f in FAMILIES for c in f.classes]
    assert len(names) == len(set(names))
    assert family_for("WanImageToVideoPipeline").name == "wan"
    assert family_for("StableDiffusionPipeline") is None


def test_tasks_follow_the_declared_class():
    wan, ltx = family_for("WanPipeline"), family_for("LTXPipeline")
    assert tasks_of(wan, "WanPipeline") == ("txt2video", "video2video")
    assert tasks_of(wan, "WanImageToVideoPipeline") == ("img2video", "firstlast2video")
    assert tasks_of(ltx, "LTXPipeline") == ("txt2video", "img2video")


def test_rules_come_from_the_saved_configs():
    ltx = family_for("LTXPipeline")
    real = {"vae": {"spatio_temporal_scaling": [True, True, True, False], "patch_size": 4,
                    "patch_size_t": 1}, "transformer": {"patch_size": 1, "patch_size_t": 1}}
    tiny = {"vae": {"spatio_temporal_scaling": [True, True, False, False], "patch_size": 1,
                    "patch_size_t": 1}, "transformer": {"patch_size": 1, "patch_size_t": 1}}
    assert (ltx.allowed_frames(real), ltx.spatial(real)) == (8, 32)
    assert ltx.allowed_frames(tiny) == 4
    wan = family_for("WanPipeline")
    assert wan.spatial({"vae": {"scale_factor_spatial": 8},
                        "transformer": {"patch_size": [1, 2, 2]}}) == 16


def _folder(tmp_path, class_name, weights=None):
    folder = tmp_path / "model"
    (folder / "transformer").mkdir(parents=True)
    (folder / "model_index.json").write_text(json.dumps({"_class_name": class_name}))
    (folder / "transformer" / "config.json").write_text("{}")
    for name, data in (weights or {}).items():
        (folder / "transformer" / name).write_bytes(data)
    return folder


def _safetensors(shape, dtype="F32") -> bytes:
    header = json.dumps({"w": {"dtype": dtype, "shape": shape,
                               "data_offsets": [0, 4 * shape[0] * shape[1]]}}).encode()
    return struct.pack("<Q", len(header)) + header + b"\0" * (4 * shape[0] * shape[1])


def test_locate_refuses_what_it_cannot_drive(tmp_path):
    from studio_video.models import locate

    with pytest.raises(ModelError, match="not a video pipeline this pack drives"):
        locate(str(_folder(tmp_path, "StableDiffusionPipeline")))
    with pytest.raises(ModelError, match=r"no model_index\.json"):
        locate(str(tmp_path))
    with pytest.raises(ModelError, match="not downloaded yet"):
        locate("nobody/no-such-video-model")


def test_pickle_weights_are_refused(tmp_path):
    from studio_video.models import locate

    folder = _folder(tmp_path, "WanPipeline", {"diffusion_pytorch_model.bin": b"x"})
    with pytest.raises(ModelError, match="pickle"):
        locate(str(folder))
    assert locate(str(folder), allow_pickle=True).family.name == "wan"


def test_estimate_reads_safetensors_headers(tmp_path):
    from studio_video.loading import ACTIVATION_FACTOR, estimate

    from studio.api import LoadPlan

    folder = _folder(tmp_path, "WanPipeline",
                     {"diffusion_pytorch_model.safetensors": _safetensors([100, 10])})
    assert estimate(str(folder), LoadPlan(dtype="float32")) == int(1000 * 4 * ACTIVATION_FACTOR)
    assert estimate(str(folder), LoadPlan(dtype="bfloat16")) == int(1000 * 2 * ACTIVATION_FACTOR)
    assert estimate("nobody/missing", LoadPlan()) is None


def test_damaged_header_is_named(tmp_path):
    from studio_video.loading import estimate

    from studio.api import LoadPlan

    bad = struct.pack("<Q", 10**12) + b"{}"
    folder = _folder(tmp_path, "WanPipeline", {"diffusion_pytorch_model.safetensors": bad})
    with pytest.raises(ModelError, match="not a valid safetensors file"):
        estimate(str(folder), LoadPlan())


def test_check_request_leaves_pickles_to_the_load_plan(tmp_path):
    # The allow_pickle setting reaches the generator only in the load plan, so the
    # checks before queueing must not refuse a pickle model the user has allowed.
    from studio_video.generator import VideoGenerator
    from studio_video.plugin import studio_register_generators

    from studio.api import GenerationRequest

    infos = []
    studio_register_generators(register=infos.append)
    folder = _folder(tmp_path, "WanPipeline", {"diffusion_pytorch_model.bin": b"x"})
    request = GenerationRequest(modality="video", task="txt2video", model=str(folder),
                                params={"num_frames": 9})
    VideoGenerator(infos[0]).check_request(request)  # no error


def test_locate_sees_a_changed_config_and_an_added_pickle(tmp_path):
    # locate answers unchanged folders from memory (it runs for every job); any change
    # to what it read must be seen.
    import os

    from studio_video import models

    folder = _folder(tmp_path, "WanPipeline")
    config = folder / "transformer" / "config.json"
    old = 1_000_000_000_000_000_000  # settled long ago
    for path in (folder, folder / "model_index.json", folder / "transformer", config):
        os.utime(path, ns=(old, old))
    first = models.locate(str(folder))
    assert models.locate(str(folder)) is first  # remembered
    assert first.spatial == 16
    config.write_text('{"patch_size": [1, 4, 4]}')
    assert models.locate(str(folder)).spatial == 32
    (folder / "transformer" / "diffusion_pytorch_model.bin").write_bytes(b"x")
    with pytest.raises(ModelError, match="pickle"):
        models.locate(str(folder))


def test_locate_rereads_a_file_changed_twice_within_one_clock_tick(tmp_path):
    import os

    from studio_video import models

    folder = _folder(tmp_path, "WanPipeline")
    config = folder / "transformer" / "config.json"
    config.write_text('{"patch_size": [1, 2, 2]}')
    stat = config.stat()
    assert models.locate(str(folder)).spatial == 16
    # Same size and the same mtime (a coarse clock): nothing in the stat changed.
    config.write_text('{"patch_size": [1, 4, 4]}')
    os.utime(config, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert models.locate(str(folder)).spatial == 32
