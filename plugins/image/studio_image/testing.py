"""Random-weight Stable Diffusion pipelines built from config, for tests and benchmarks.

Nothing here touches the network: the CLIP tokenizer is written from a byte-level
vocabulary, so the pack's tests run offline (diffusers' own dummy tokenizer comes
from the Hub). ``save_tiny_pipeline`` writes a diffusers folder that the pack then
loads through its real loading path.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: Per preset: UNet/VAE channels, the text encoders' widths (two for SDXL) and extra
#: UNet settings. "tiny"/"tiny-xl" for unit tests, "small" for CPU benchmarks,
#: "sd15"/"sdxl" for real-size UNets with random weights (GPU benchmarks).
_SD_BLOCKS = {"down": ("CrossAttnDownBlock2D", "DownBlock2D"),
              "up": ("UpBlock2D", "CrossAttnUpBlock2D")}
PRESETS: dict[str, dict[str, Any]] = {
    "tiny": {"blocks": (4, 8), "groups": 2, "layers": 1, "text": (32,), "vae": (4, 8),
             "sample_size": 32, "unet": {"attention_head_dim": 2, **_SD_BLOCKS}},
    "small": {"blocks": (32, 64), "groups": 32, "layers": 2, "text": (64,), "vae": (32, 64),
              "sample_size": 32, "unet": {"attention_head_dim": 8, **_SD_BLOCKS}},
    "sd15": {"blocks": (320, 640, 1280, 1280), "groups": 32, "layers": 2, "text": (768,),
             "vae": (128, 256, 512, 512), "sample_size": 64,
             "unet": {"attention_head_dim": 8,
                      "down": ("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",),
                      "up": ("UpBlock2D",) + ("CrossAttnUpBlock2D",) * 3}},
    # SDXL: two text encoders whose widths add up to the cross-attention width, and
    # added time ids (6 of them, each embedded) next to the pooled text embedding.
    "tiny-xl": {"blocks": (8, 16), "groups": 4, "layers": 1, "text": (16, 16), "vae": (4, 8),
                "sample_size": 32,
                "unet": {"attention_head_dim": (2, 4), "use_linear_projection": True,
                         "addition_embed_type": "text_time", "addition_time_embed_dim": 8,
                         "transformer_layers_per_block": (1, 2),
                         "projection_class_embeddings_input_dim": 6 * 8 + 16,
                         "down": ("DownBlock2D", "CrossAttnDownBlock2D"),
                         "up": ("CrossAttnUpBlock2D", "UpBlock2D")}},
    "sdxl": {"blocks": (320, 640, 1280), "groups": 32, "layers": 2, "text": (768, 1280),
             "vae": (128, 256, 512, 512), "sample_size": 128,
             "unet": {"attention_head_dim": (5, 10, 20), "use_linear_projection": True,
                      "addition_embed_type": "text_time", "addition_time_embed_dim": 256,
                      "transformer_layers_per_block": (1, 2, 10),
                      "projection_class_embeddings_input_dim": 6 * 256 + 1280,
                      "down": ("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
                      "up": ("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D")}},
}

def write_tokenizer(folder: Path) -> None:
    """Write a CLIP tokenizer (byte-level characters, no merges) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    chars = _byte_chars()
    tokens = chars + [c + "</w>" for c in chars] + ["<|startoftext|>", "<|endoftext|>"]
    vocab = {tok: i for i, tok in enumerate(tokens)}
    (folder / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n", encoding="utf-8")


def _byte_chars() -> list[str]:
    # GPT-2/CLIP byte-level alphabet: printable bytes map to themselves, the rest
    # to code points from 256 up, so every byte is one visible character.
    keep = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1),
            *range(ord("®"), ord("ÿ") + 1)]
    shifted = [b for b in range(256) if b not in keep]
    table = {b: chr(b) for b in keep} | {b: chr(256 + i) for i, b in enumerate(shifted)}
    return [table[b] for b in range(256)]


def _tokenizer(folder: Path) -> Any:
    from transformers import CLIPTokenizer

    write_tokenizer(folder)
    return CLIPTokenizer.from_pretrained(str(folder), model_max_length=77)


def _text_encoder(dim: int, projection: bool, seed: int) -> Any:
    import torch
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    config = CLIPTextConfig(
        bos_token_id=512, eos_token_id=513, pad_token_id=513, hidden_size=dim,
        intermediate_size=dim * 2, layer_norm_eps=1e-5, num_attention_heads=4,
        num_hidden_layers=2, vocab_size=514, max_position_embeddings=77,
        projection_dim=dim, hidden_act="gelu",
    )
    torch.manual_seed(seed)
    return (CLIPTextModelWithProjection if projection else CLIPTextModel)(config).eval()


def tiny_components(preset: str = "tiny", scratch: Path | None = None) -> dict[str, Any]:
    """The components of a random-weight SD (or SDXL) pipeline; seed 0 before each one."""
    import tempfile

    import torch
    from diffusers import AutoencoderKL, PNDMScheduler, UNet2DConditionModel

    cfg = PRESETS[preset]
    unet_kwargs = dict(cfg["unet"])
    down, up = unet_kwargs.pop("down"), unet_kwargs.pop("up")
    text = cfg["text"]
    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=cfg["blocks"], layers_per_block=cfg["layers"],
        sample_size=cfg["sample_size"], in_channels=4, out_channels=4,
        down_block_types=down, up_block_types=up, cross_attention_dim=sum(text),
        norm_num_groups=cfg["groups"], **unet_kwargs,
    )
    scheduler = PNDMScheduler(
        beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
        skip_prk_steps=True, set_alpha_to_one=False, steps_offset=1,
    )
    torch.manual_seed(0)
    vae = AutoencoderKL(
        block_out_channels=cfg["vae"], in_channels=3, out_channels=3,
        down_block_types=("DownEncoderBlock2D",) * len(cfg["vae"]),
        up_block_types=("UpDecoderBlock2D",) * len(cfg["vae"]),
        latent_channels=4, norm_num_groups=cfg["groups"], sample_size=cfg["sample_size"] * 2,
    )
    folder = scratch or Path(tempfile.mkdtemp(prefix="studio-tokenizer-"))
    parts = {"unet": unet, "scheduler": scheduler, "vae": vae, "image_encoder": None,
             "feature_extractor": None, "tokenizer": _tokenizer(folder / "tokenizer"),
             "text_encoder": _text_encoder(text[0], False, 0)}
    if len(text) == 1:
        return {**parts, "safety_checker": None}
    return {**parts, "tokenizer_2": _tokenizer(folder / "tokenizer_2"),
            "text_encoder_2": _text_encoder(text[1], True, 0)}


def tiny_pipeline(preset: str = "tiny", scratch: Path | None = None) -> Any:
    """A random-weight pipeline object (not saved)."""
    from diffusers import StableDiffusionPipeline, StableDiffusionXLPipeline

    parts = tiny_components(preset, scratch)
    if len(PRESETS[preset]["text"]) == 2:
        return StableDiffusionXLPipeline(**parts)
    return StableDiffusionPipeline(**parts, requires_safety_checker=False)


def save_tiny_pipeline(folder: Path, preset: str = "tiny", dtype: str = "float32") -> Path:
    """Build a random-weight pipeline and ``save_pretrained`` it (safetensors) to ``folder``.

    ``dtype`` halves the files of the real-size presets (SDXL's UNet is 10 GB in fp32).
    """
    import torch

    folder = Path(folder)
    pipe = tiny_pipeline(preset, scratch=folder.parent / f".{folder.name}-scratch")
    if dtype != "float32":
        pipe.to(getattr(torch, dtype))
    pipe.save_pretrained(folder, safe_serialization=True)
    return folder
