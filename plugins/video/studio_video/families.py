"""One adapter per video model family: where diffusers' video pipelines disagree.

A family is one entry in ``FAMILIES``. It says which pipeline classes it covers
(by the ``_class_name`` in ``model_index.json``), what the frame-count and
frame-rate arguments are called, how the VAE's temporal and spatial compression
are read from the saved configs (so a frame count and a size can be checked before
anything loads), and the family's usual steps, guidance, fps and frame count.

Everything here is plain data and JSON reading: no torch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Configs = Mapping[str, Mapping[str, Any]]  # component name -> its config.json


@dataclass(frozen=True)
class Family:
    """How to drive one family of pipelines."""

    name: str
    #: ``model_index.json`` class names this family loads, text-only first.
    classes: tuple[str, ...]
    #: The image-to-video pipeline class of the family, if diffusers has one.
    img2video: str | None
    #: The video-to-video pipeline class (made from the text-to-video weights with
    #: ``from_pipe``), and the name of its strength argument.
    video2video: str | None = None
    strength_arg: str = "strength"
    #: The image-to-video pipeline's argument for a last frame to reach (first/last
    #: frame conditioning, task ``firstlast2video``); None: the family has none.
    last_image_arg: str | None = None
    #: Argument names: frame count, frame rate (None: the pipeline takes none).
    frames_arg: str = "num_frames"
    fps_arg: str | None = None
    #: Frame counts are ``temporal * k + 1`` (None: any count from 1 up).
    temporal: Callable[[Configs], int] | None = None
    #: Width and height are multiples of this.
    spatial: Callable[[Configs], int] = lambda configs: 8
    steps: int = 30
    guidance: float = 5.0
    fps: int = 16
    frames: int = 33
    max_frames: int = 257
    #: False where the pipeline has no ``callback_on_step_end`` (no preview or cancel
    #: within the denoise; cancel then acts between jobs only).
    step_callback: bool = True
    #: The text-to-video weights also drive the image-to-video pipeline (LTX); else
    #: image-to-video needs the family's own I2V model.
    shared_i2v: bool = False
    #: (width, height) when the request leaves them empty.
    size: tuple[int, int] = (832, 480)

    def allowed_frames(self, configs: Configs) -> int | None:
        """The k in ``k * n + 1`` for this model, or None when any count is fine."""
        return self.temporal(configs) if self.temporal else None


def _wan_temporal(configs: Configs) -> int:
    return int(configs.get("vae", {}).get("scale_factor_temporal", 4))


def _wan_spatial(configs: Configs) -> int:
    vae = int(configs.get("vae", {}).get("scale_factor_spatial", 8))
    patch = configs.get("transformer", {}).get("patch_size", (1, 2, 2))
    return vae * int(patch[-1])


def _ltx_ratio(configs: Configs, spatial: bool) -> int:
    vae = configs.get("vae", {})
    key = "spatial_compression_ratio" if spatial else "temporal_compression_ratio"
    if vae.get(key):
        return int(vae[key])
    scaling = vae.get("spatio_temporal_scaling", (True, True, True, False))
    patch = vae.get("patch_size", 4) if spatial else vae.get("patch_size_t", 1)
    return int(patch) * 2 ** sum(bool(s) for s in scaling)


def _ltx_temporal(configs: Configs) -> int:
    patch_t = int(configs.get("transformer", {}).get("patch_size_t", 1))
    return _ltx_ratio(configs, False) * patch_t


def _ltx_spatial(configs: Configs) -> int:
    patch = int(configs.get("transformer", {}).get("patch_size", 1))
    # The LTX pipelines refuse sides that are not multiples of 32, whatever the VAE.
    return max(32, _ltx_ratio(configs, True) * patch)


def _sd_spatial(configs: Configs) -> int:
    blocks = configs.get("vae", {}).get("block_out_channels", (128, 256, 512, 512))
    return 2 ** (len(blocks) - 1)


def _cog_temporal(configs: Configs) -> int:
    # The decoder doubles time twice and keeps the first frame apart only when the
    # count is odd: 13 latent frames give 49, 12 give 48. Exact counts are 8k+1.
    return 2 * int(configs.get("vae", {}).get("temporal_compression_ratio", 4))


def _cog_spatial(configs: Configs) -> int:
    blocks = configs.get("vae", {}).get("block_out_channels", (128, 256, 256, 512))
    patch = int(configs.get("transformer", {}).get("patch_size", 2))
    return 2 ** (len(blocks) - 1) * patch


def _const(n: int) -> Callable[[Configs], int]:
    return lambda configs: n


FAMILIES: tuple[Family, ...] = (
    Family("wan", ("WanPipeline", "WanImageToVideoPipeline"), "WanImageToVideoPipeline",
           video2video="WanVideoToVideoPipeline", last_image_arg="last_image",
           temporal=_wan_temporal, spatial=_wan_spatial, steps=30, guidance=5.0, fps=16,
           frames=33, max_frames=121),
    Family("ltx2", ("LTX2Pipeline", "LTX2ImageToVideoPipeline"), "LTX2ImageToVideoPipeline",
           fps_arg="frame_rate", temporal=_ltx_temporal, spatial=_ltx_spatial, steps=40,
           guidance=4.0, fps=24, frames=121, max_frames=257, shared_i2v=True,
           size=(768, 512)),
    Family("ltx", ("LTXPipeline", "LTXImageToVideoPipeline", "LTXConditionPipeline"),
           "LTXImageToVideoPipeline", fps_arg="frame_rate", temporal=_ltx_temporal,
           spatial=_ltx_spatial, steps=40, guidance=3.0, fps=24, frames=97, max_frames=257,
           shared_i2v=True, size=(704, 480)),
    Family("animatediff", ("AnimateDiffPipeline", "AnimateDiffSDXLPipeline"), None,
           video2video="AnimateDiffVideoToVideoPipeline",
           spatial=_sd_spatial, steps=25, guidance=7.5, fps=8, frames=16, max_frames=32,
           size=(512, 512)),
    Family("cogvideox", ("CogVideoXPipeline", "CogVideoXImageToVideoPipeline"),
           "CogVideoXImageToVideoPipeline", video2video="CogVideoXVideoToVideoPipeline",
           temporal=_cog_temporal, spatial=_cog_spatial,
           steps=50, guidance=6.0, fps=8, frames=49, max_frames=49, size=(720, 480)),
    Family("hunyuanvideo", ("HunyuanVideoPipeline",), None, temporal=_const(4),
           spatial=_const(16), steps=30, guidance=6.0, fps=24, frames=61, max_frames=129),
    Family("mochi", ("MochiPipeline",), None, temporal=_const(6), spatial=_const(16),
           steps=64, guidance=4.5, fps=30, frames=19, max_frames=163),
    Family("skyreels", ("SkyReelsV2Pipeline", "SkyReelsV2ImageToVideoPipeline"),
           "SkyReelsV2ImageToVideoPipeline", temporal=_const(4), spatial=_const(16),
           steps=30, guidance=6.0, fps=24, frames=97, max_frames=121),
    Family("sana-video", ("SanaVideoPipeline",), None, frames_arg="frames",
           temporal=_const(4), spatial=_const(32), steps=50, guidance=6.0, fps=16,
           frames=81, max_frames=81),
)


def tasks_of(family: Family, class_name: str) -> tuple[str, ...]:
    """The tasks a model of ``class_name`` can run."""
    last = ("firstlast2video",) if family.last_image_arg else ()
    if class_name == family.img2video and not family.shared_i2v:
        return ("img2video", *last)
    tasks = ["txt2video"]
    if family.shared_i2v and family.img2video:
        tasks += ["img2video", *last]
    # Video to video reuses the text-to-video weights (SDXL AnimateDiff has no such
    # pipeline in diffusers).
    if family.video2video and class_name == family.classes[0]:
        tasks.append("video2video")
    return tuple(tasks)


def family_for(class_name: str) -> Family | None:
    """The family whose pipelines include ``class_name``."""
    for family in FAMILIES:
        if class_name in family.classes:
            return family
    return None


def supported_classes() -> list[str]:
    return [name for family in FAMILIES for name in family.classes]


def round_frames(count: int, temporal: int | None, max_frames: int) -> int:
    """The allowed frame count nearest ``count`` (ties go up), at most ``max_frames``."""
    if not temporal:
        return max(1, min(count, max_frames))
    k = max(0, round((count - 1) / temporal + 1e-9))
    allowed = temporal * k + 1
    while allowed > max_frames and k > 0:
        k -= 1
        allowed = temporal * k + 1
    return allowed


def nearest_multiple(value: int, multiple: int, minimum: int = 64) -> int:
    """The multiple of ``multiple`` nearest ``value``, at least ``minimum`` rounded up."""
    low = max(multiple, -(-minimum // multiple) * multiple)
    return max(low, round(value / multiple) * multiple)
