"""Random-weight video pipelines built from config, for tests and benchmarks.

Nothing touches the network: the tokenizers are word-level ones written here
(diffusers' own dummy tokenizers come from the Hub). ``save_tiny`` writes a
diffusers folder the pack then loads through its real loader. Each model is
seeded with 0 before it is built, as diffusers' ``get_dummy_components`` do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

FAMILIES = ("wan", "wan-i2v", "ltx", "ltx2", "animatediff", "cogvideox")
WORDS = ("a red fox in the snow paper boat on river cat dog runs jumps night day "
         "city forest sea sky bright dark slow fast").split()


def tokenizer(max_length: int = 77) -> Any:
    """A word-level fast tokenizer: known words, ``<unk>`` for the rest, ``</s>`` at the end."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    specials = ["<pad>", "</s>", "<unk>", "<s>"]
    vocab = {tok: i for i, tok in enumerate(specials + WORDS)}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(
        single="$A </s>", special_tokens=[("</s>", vocab["</s>"])])
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="</s>",
                                   unk_token="<unk>", bos_token="<s>",
                                   model_max_length=max_length)


def _t5(dim: int = 32, umt5: bool = False) -> Any:
    import torch
    from transformers import T5Config, T5EncoderModel, UMT5Config, UMT5EncoderModel

    torch.manual_seed(0)
    config = (UMT5Config if umt5 else T5Config)(
        vocab_size=64, d_model=dim, d_kv=8, d_ff=37, num_layers=2, num_heads=4,
        relative_attention_num_buckets=8, pad_token_id=0, eos_token_id=1,
        decoder_start_token_id=0)
    return (UMT5EncoderModel if umt5 else T5EncoderModel)(config).eval()


def wan_components() -> dict[str, Any]:
    import torch
    from diffusers import AutoencoderKLWan, FlowMatchEulerDiscreteScheduler, WanTransformer3DModel

    torch.manual_seed(0)
    vae = AutoencoderKLWan(base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
                           temperal_downsample=[False, True, True])
    torch.manual_seed(0)
    transformer = WanTransformer3DModel(
        patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=16,
        out_channels=16, text_dim=32, freq_dim=256, ffn_dim=32, num_layers=2,
        cross_attn_norm=True, qk_norm="rms_norm_across_heads", rope_max_seq_len=32)
    return {"transformer": transformer, "vae": vae,
            "scheduler": FlowMatchEulerDiscreteScheduler(shift=7.0),
            "text_encoder": _t5(umt5=True), "tokenizer": tokenizer(),
            "transformer_2": None}


def wan_i2v_components() -> dict[str, Any]:
    """Wan image to video without an image encoder (as Wan 2.2 A14B I2V): the first
    and last frames reach the transformer only through the VAE-encoded condition."""
    import torch
    from diffusers import WanTransformer3DModel

    parts = wan_components()
    torch.manual_seed(0)
    # 16 noise channels + 16 condition channels + 4 mask channels.
    parts["transformer"] = WanTransformer3DModel(
        patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=36,
        out_channels=16, text_dim=32, freq_dim=256, ffn_dim=32, num_layers=2,
        cross_attn_norm=True, qk_norm="rms_norm_across_heads", rope_max_seq_len=32)
    parts.update(image_encoder=None, image_processor=None)
    return parts


def ltx_components() -> dict[str, Any]:
    import torch
    from diffusers import (
        AutoencoderKLLTXVideo,
        FlowMatchEulerDiscreteScheduler,
        LTXVideoTransformer3DModel,
    )

    torch.manual_seed(0)
    transformer = LTXVideoTransformer3DModel(
        in_channels=8, out_channels=8, patch_size=1, patch_size_t=1, num_attention_heads=4,
        attention_head_dim=8, cross_attention_dim=32, num_layers=1, caption_channels=32)
    torch.manual_seed(0)
    vae = AutoencoderKLLTXVideo(
        latent_channels=8, block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8, 8),
        spatio_temporal_scaling=(True, True, False, False),
        decoder_spatio_temporal_scaling=(True, True, False, False),
        layers_per_block=(1, 1, 1, 1, 1), decoder_layers_per_block=(1, 1, 1, 1, 1),
        patch_size=1, patch_size_t=1, encoder_causal=True, decoder_causal=False)
    return {"transformer": transformer, "vae": vae,
            "scheduler": FlowMatchEulerDiscreteScheduler(), "text_encoder": _t5(),
            "tokenizer": tokenizer(128)}


def ltx2_components() -> dict[str, Any]:
    """LTX-2: a Gemma 3 text encoder, text connectors, and an audio VAE and vocoder
    beside the video VAE (the pipeline makes a sound track too)."""
    import torch
    from diffusers import (
        AutoencoderKLLTX2Audio,
        AutoencoderKLLTX2Video,
        FlowMatchEulerDiscreteScheduler,
        LTX2VideoTransformer3DModel,
    )
    from diffusers.pipelines.ltx2 import LTX2TextConnectors
    from diffusers.pipelines.ltx2.vocoder import LTX2Vocoder
    from transformers import Gemma3Config, Gemma3ForConditionalGeneration

    width = 32  # the text encoder's width, which the connectors and transformer take
    torch.manual_seed(0)
    text_encoder = Gemma3ForConditionalGeneration(Gemma3Config(
        text_config={"vocab_size": 64, "hidden_size": width, "intermediate_size": 37,
                     "num_hidden_layers": 2, "num_attention_heads": 2,
                     "num_key_value_heads": 1, "head_dim": 16, "max_position_embeddings": 256,
                     "sliding_window": 64, "pad_token_id": 0, "eos_token_id": 1,
                     "bos_token_id": 3},
        vision_config={"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1,
                       "num_attention_heads": 2, "image_size": 16, "patch_size": 8},
        mm_tokens_per_image=4, boi_token_index=60, eoi_token_index=61,
        image_token_index=62)).eval()
    torch.manual_seed(0)
    transformer = LTX2VideoTransformer3DModel(
        in_channels=4, out_channels=4, patch_size=1, patch_size_t=1, num_attention_heads=2,
        attention_head_dim=8, cross_attention_dim=16, audio_in_channels=4,
        audio_out_channels=4, audio_num_attention_heads=2, audio_attention_head_dim=4,
        audio_cross_attention_dim=8, num_layers=2, qk_norm="rms_norm_across_heads",
        caption_channels=width, rope_double_precision=False, rope_type="split")
    torch.manual_seed(0)
    connectors = LTX2TextConnectors(
        caption_channels=width, text_proj_in_factor=3,  # the encoder's layers + 1
        video_connector_num_attention_heads=4, video_connector_attention_head_dim=8,
        video_connector_num_layers=1, video_connector_num_learnable_registers=None,
        audio_connector_num_attention_heads=4, audio_connector_attention_head_dim=8,
        audio_connector_num_layers=1, audio_connector_num_learnable_registers=None,
        connector_rope_base_seq_len=32, rope_theta=10000.0, rope_double_precision=False,
        causal_temporal_positioning=False, rope_type="split")
    torch.manual_seed(0)
    # Two spatio-temporal stages: frames are 4k+1, sides multiples of 32 (the pipeline's).
    vae = AutoencoderKLLTX2Video(
        in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(8, 8),
        decoder_block_out_channels=(8, 8), layers_per_block=(1, 1, 1),
        decoder_layers_per_block=(1, 1, 1), spatio_temporal_scaling=(True, True),
        decoder_spatio_temporal_scaling=(True, True), decoder_inject_noise=(False,) * 3,
        downsample_type=("spatiotemporal", "spatiotemporal"), upsample_residual=(False, False),
        upsample_factor=(1, 1), timestep_conditioning=False, patch_size=1, patch_size_t=1,
        encoder_causal=True, decoder_causal=False)
    torch.manual_seed(0)
    audio_vae = AutoencoderKLLTX2Audio(
        base_channels=4, output_channels=2, ch_mult=(1,), num_res_blocks=1,
        attn_resolutions=None, in_channels=2, resolution=32, latent_channels=2,
        norm_type="pixel", causality_axis="height", dropout=0.0,
        mid_block_add_attention=False, sample_rate=16000, mel_hop_length=160,
        is_causal=True, mel_bins=8)
    torch.manual_seed(0)
    vocoder = LTX2Vocoder(
        in_channels=16, hidden_channels=32, out_channels=2, upsample_kernel_sizes=[4, 4],
        upsample_factors=[2, 2], resnet_kernel_sizes=[3], resnet_dilations=[[1, 3, 5]],
        leaky_relu_negative_slope=0.1, output_sampling_rate=16000)
    return {"transformer": transformer, "vae": vae, "audio_vae": audio_vae,
            "scheduler": FlowMatchEulerDiscreteScheduler(), "text_encoder": text_encoder,
            "tokenizer": tokenizer(128), "connectors": connectors, "vocoder": vocoder,
            "processor": None, "prompt_enhancer": None, "duration_head": None}


def cogvideox_components() -> dict[str, Any]:
    import torch
    from diffusers import (
        AutoencoderKLCogVideoX,
        CogVideoXDDIMScheduler,
        CogVideoXTransformer3DModel,
    )

    torch.manual_seed(0)
    # The pipeline pads prompts to 226 tokens, the transformer's text length.
    transformer = CogVideoXTransformer3DModel(
        num_attention_heads=4, attention_head_dim=8, in_channels=4, out_channels=4,
        time_embed_dim=2, text_embed_dim=32, num_layers=1, sample_width=8, sample_height=8,
        sample_frames=9, patch_size=2, temporal_compression_ratio=4, max_text_seq_length=226)
    torch.manual_seed(0)
    vae = AutoencoderKLCogVideoX(
        in_channels=3, out_channels=3, down_block_types=("CogVideoXDownBlock3D",) * 4,
        up_block_types=("CogVideoXUpBlock3D",) * 4, block_out_channels=(8, 8, 8, 8),
        latent_channels=4, layers_per_block=1, norm_num_groups=2,
        temporal_compression_ratio=4)
    return {"transformer": transformer, "vae": vae, "scheduler": CogVideoXDDIMScheduler(),
            "text_encoder": _t5(), "tokenizer": tokenizer(226)}


def animatediff_components() -> dict[str, Any]:
    import torch
    from diffusers import AutoencoderKL, DDIMScheduler, MotionAdapter, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(8, 16), layers_per_block=1, sample_size=16, in_channels=4,
        out_channels=4, down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"), cross_attention_dim=32,
        norm_num_groups=2, attention_head_dim=4)
    torch.manual_seed(0)
    vae = AutoencoderKL(block_out_channels=[8, 16], in_channels=3, out_channels=3,
                        down_block_types=["DownEncoderBlock2D"] * 2,
                        up_block_types=["UpDecoderBlock2D"] * 2, latent_channels=4,
                        norm_num_groups=2)
    torch.manual_seed(0)
    text_encoder = CLIPTextModel(CLIPTextConfig(
        bos_token_id=3, eos_token_id=1, pad_token_id=0, hidden_size=32, intermediate_size=37,
        layer_norm_eps=1e-5, num_attention_heads=4, num_hidden_layers=2, vocab_size=64,
        max_position_embeddings=77)).eval()
    torch.manual_seed(0)
    adapter = MotionAdapter(block_out_channels=(8, 16), motion_layers_per_block=1,
                            motion_norm_num_groups=2, motion_num_attention_heads=2)
    scheduler = DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="linear",
                              clip_sample=False, steps_offset=1)
    return {"unet": unet, "scheduler": scheduler, "vae": vae, "motion_adapter": adapter,
            "text_encoder": text_encoder, "tokenizer": tokenizer(77),
            "feature_extractor": None, "image_encoder": None}


def tiny_pipeline(family: str) -> Any:
    """A random-weight pipeline object of ``family`` (one of ``FAMILIES``)."""
    from diffusers import AnimateDiffPipeline, LTXPipeline, WanImageToVideoPipeline, WanPipeline

    if family == "wan":
        return WanPipeline(**wan_components())
    if family == "wan-i2v":
        return WanImageToVideoPipeline(**wan_i2v_components())
    if family == "ltx":
        return LTXPipeline(**ltx_components())
    if family == "animatediff":
        return AnimateDiffPipeline(**animatediff_components())
    if family == "ltx2":
        from diffusers import LTX2Pipeline

        return LTX2Pipeline(**ltx2_components())
    if family == "cogvideox":
        from diffusers import CogVideoXPipeline

        return CogVideoXPipeline(**cogvideox_components())
    raise ValueError(f"unknown family {family!r}: one of {', '.join(FAMILIES)}")


def save_tiny(folder: Path, family: str) -> Path:
    """Build a random-weight pipeline of ``family`` and save it (safetensors) to ``folder``."""
    folder = Path(folder)
    tiny_pipeline(family).save_pretrained(folder, safe_serialization=True)
    return folder


def save_tiny_base_and_adapter(folder: Path) -> tuple[Path, Path]:
    """An SD 1.5-style base folder and a motion adapter folder, for ``base+adapter``."""
    from diffusers import StableDiffusionPipeline

    parts = animatediff_components()
    adapter = parts.pop("motion_adapter")
    parts.pop("image_encoder")
    base = StableDiffusionPipeline(**parts, safety_checker=None,
                                   requires_safety_checker=False)
    folder = Path(folder)
    base.save_pretrained(folder / "base", safe_serialization=True)
    adapter.save_pretrained(folder / "adapter", safe_serialization=True)
    return folder / "base", folder / "adapter"
