"""Tiny random-weight music models built from config, for tests and benchmarks.

Nothing comes from the network: the tokenizer is a word-level vocabulary built
here, the weights are random, and the folders are saved as the real ones are
(safetensors, config.json, processor files), so the pack loads them through its
real loader.
"""

from __future__ import annotations

from pathlib import Path

#: Tiny EnCodec: 16 kHz, hop 320 (50 frames a second, as MusicGen's 32 kHz/640).
TINY_RATE = 16000
TINY_FRAME_RATE = 50
TINY_CODEBOOK = 64
TINY_CODEBOOKS = 4
#: The tiny model's window: 3 s fits in one, longer requests are continued.
TINY_WINDOW_S = 4.0
WORDS = ("lofi hip hop rainy night piano drums bass guitar slow fast calm epic "
         "ambient synth strings jazz rock 80 bpm a the and with of").split()


def build_tokenizer():  # type: ignore[no-untyped-def]
    """A word-level tokenizer with T5's special ids (pad 0, eos 1, unk 2) and its ending."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = {"<pad>": 0, "</s>": 1, "<unk>": 2}
    for word in WORDS:
        vocab.setdefault(word, len(vocab))
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    # T5 ends every text with </s>, so even an empty prompt is one token.
    tok.post_processor = processors.TemplateProcessing(single="$A </s>",
                                                       special_tokens=[("</s>", 1)])
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="</s>",
                                   unk_token="<unk>")


def _sub_configs(vocab: int, window_s: float, channels: int,  # type: ignore[no-untyped-def]
                 causal: bool = True):
    from transformers import EncodecConfig, T5Config

    text = T5Config(vocab_size=vocab, d_model=8, d_kv=4, d_ff=16, num_layers=1,
                    num_decoder_layers=1, num_heads=2, relative_attention_num_buckets=8,
                    pad_token_id=0, eos_token_id=1, decoder_start_token_id=0)
    codec = EncodecConfig(sampling_rate=TINY_RATE, audio_channels=1, num_filters=2,
                          num_residual_layers=1, upsampling_ratios=[8, 5, 4, 2],
                          codebook_size=TINY_CODEBOOK, codebook_dim=8, hidden_size=8,
                          num_lstm_layers=1, kernel_size=3, last_kernel_size=3,
                          residual_kernel_size=3, chunk_length_s=None,
                          target_bandwidths=[1.2], use_causal_conv=causal)
    codebooks = TINY_CODEBOOKS * channels
    window = int(window_s * TINY_FRAME_RATE)
    return text, codec, codebooks, window


def save_tiny_musicgen(folder: Path, window_s: float = TINY_WINDOW_S, stereo: bool = False,
                       melody: bool = False, seed: int = 0, causal: bool = True) -> Path:
    """A MusicGen (or MusicGen-Melody) folder whose window is ``window_s`` seconds;
    ``causal=False`` gives its codec the look-ahead of the released 32 kHz EnCodec."""
    import torch
    from transformers import EncodecFeatureExtractor, GenerationConfig

    tokenizer = build_tokenizer()
    channels = 2 if stereo else 1
    text, codec, codebooks, window = _sub_configs(len(tokenizer), window_s, channels, causal)
    decoder_kwargs = dict(vocab_size=TINY_CODEBOOK, hidden_size=16, num_hidden_layers=2,
                          num_attention_heads=2, ffn_dim=32, num_codebooks=codebooks,
                          max_position_embeddings=window + codebooks + 64,
                          pad_token_id=TINY_CODEBOOK, bos_token_id=TINY_CODEBOOK,
                          audio_channels=channels,
                          # Wider than the 0.02 of the real models: with so few dimensions,
                          # small weights leave the logits flat, and the text and melody
                          # would then change nothing a test could see.
                          initializer_factor=0.5)
    torch.manual_seed(seed)
    if melody:
        from transformers import (
            MusicgenMelodyConfig,
            MusicgenMelodyFeatureExtractor,
            MusicgenMelodyForConditionalGeneration,
            MusicgenMelodyProcessor,
        )
        from transformers.models.musicgen_melody.configuration_musicgen_melody import (
            MusicgenMelodyDecoderConfig,
        )

        decoder = MusicgenMelodyDecoderConfig(**decoder_kwargs)
        config = MusicgenMelodyConfig(text_encoder=text, audio_encoder=codec, decoder=decoder,
                                      num_chroma=12, chroma_length=window)
        model = MusicgenMelodyForConditionalGeneration(config)
        features = MusicgenMelodyFeatureExtractor(sampling_rate=TINY_RATE, n_fft=512,
                                                  hop_length=TINY_RATE // TINY_FRAME_RATE * 4)
        processor = MusicgenMelodyProcessor(feature_extractor=features, tokenizer=tokenizer)
    else:
        from transformers import (
            MusicgenConfig,
            MusicgenForConditionalGeneration,
            MusicgenProcessor,
        )
        from transformers.models.musicgen.configuration_musicgen import MusicgenDecoderConfig

        decoder = MusicgenDecoderConfig(**decoder_kwargs)
        config = MusicgenConfig(text_encoder=text, audio_encoder=codec, decoder=decoder)
        model = MusicgenForConditionalGeneration(config)
        features = EncodecFeatureExtractor(feature_size=channels, sampling_rate=TINY_RATE)
        processor = MusicgenProcessor(feature_extractor=features, tokenizer=tokenizer)
    with torch.no_grad():
        # EnCodec's codebooks start as zeros (they are learnt by k-means): without
        # random entries every code would decode to the same sound.
        for layer in model.audio_encoder.quantizer.layers:
            layer.codebook.embed.normal_()
            layer.codebook.embed_avg.copy_(layer.codebook.embed)
            layer.codebook.cluster_size.fill_(1.0)
    model.generation_config = GenerationConfig(
        decoder_start_token_id=TINY_CODEBOOK, pad_token_id=TINY_CODEBOOK,
        bos_token_id=TINY_CODEBOOK, do_sample=True, guidance_scale=3.0,
        max_length=window + codebooks,
    )
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder


def save_musicgen_small_like(folder: Path, window_s: float = 30.0, seed: int = 0) -> Path:
    """musicgen-small's architecture at real size with random weights (for benchmarks):
    T5-base text encoder, 32 kHz EnCodec with 4 codebooks of 2048, a 24-layer decoder."""
    import torch
    from transformers import (
        EncodecConfig,
        EncodecFeatureExtractor,
        GenerationConfig,
        MusicgenConfig,
        MusicgenForConditionalGeneration,
        MusicgenProcessor,
        T5Config,
    )
    from transformers.models.musicgen.configuration_musicgen import MusicgenDecoderConfig

    tokenizer = build_tokenizer()
    text = T5Config(vocab_size=32128, d_model=768, d_kv=64, d_ff=3072, num_layers=12,
                    num_heads=12)
    codec = EncodecConfig(sampling_rate=32000, audio_channels=1, num_filters=64,
                          hidden_size=128, upsampling_ratios=[8, 5, 4, 4], codebook_size=2048,
                          target_bandwidths=[2.2], chunk_length_s=None, use_causal_conv=False,
                          num_lstm_layers=2, norm_type="weight_norm", pad_mode="constant",
                          compress=2, trim_right_ratio=1.0)
    decoder = MusicgenDecoderConfig(vocab_size=2048, hidden_size=1024, num_hidden_layers=24,
                                    num_attention_heads=16, ffn_dim=4096, num_codebooks=4,
                                    max_position_embeddings=2048, pad_token_id=2048,
                                    bos_token_id=2048, audio_channels=1)
    torch.manual_seed(seed)
    model = MusicgenForConditionalGeneration(
        MusicgenConfig(text_encoder=text, audio_encoder=codec, decoder=decoder))
    with torch.no_grad():
        for layer in model.audio_encoder.quantizer.layers:
            layer.codebook.embed.normal_()
            layer.codebook.embed_avg.copy_(layer.codebook.embed)
            layer.codebook.cluster_size.fill_(1.0)
    model.generation_config = GenerationConfig(
        decoder_start_token_id=2048, pad_token_id=2048, bos_token_id=2048, do_sample=True,
        guidance_scale=3.0, max_length=int(window_s * 50) + 4)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    MusicgenProcessor(feature_extractor=EncodecFeatureExtractor(sampling_rate=32000),
                      tokenizer=tokenizer).save_pretrained(folder)
    return folder


#: Tiny Stable Audio: 4 kHz stereo, hop 8, 512 latent frames: clips up to 1.024 s.
TINY_SA_RATE = 4000


def save_tiny_stable_audio(folder: Path, seed: int = 0) -> Path:
    """A Stable Audio folder in the diffusers layout with random weights."""
    import torch
    from diffusers import (
        AutoencoderOobleck,
        CosineDPMSolverMultistepScheduler,
        StableAudioDiTModel,
        StableAudioPipeline,
        StableAudioProjectionModel,
    )
    from transformers import T5Config, T5EncoderModel

    tokenizer = build_tokenizer()
    tokenizer.model_max_length = 16
    torch.manual_seed(seed)
    transformer = StableAudioDiTModel(
        sample_size=512, in_channels=3, num_layers=2, attention_head_dim=4,
        num_attention_heads=2, num_key_value_attention_heads=2, out_channels=3,
        cross_attention_dim=4, time_proj_dim=8, global_states_input_dim=16,
        cross_attention_input_dim=8)
    scheduler = CosineDPMSolverMultistepScheduler(
        solver_order=2, prediction_type="v_prediction", sigma_data=1.0,
        sigma_schedule="exponential")
    vae = AutoencoderOobleck(encoder_hidden_size=6, downsampling_ratios=[2, 4],
                             decoder_channels=3, decoder_input_channels=3, audio_channels=2,
                             channel_multiples=[2, 4], sampling_rate=TINY_SA_RATE)
    text_encoder = T5EncoderModel(T5Config(
        vocab_size=len(tokenizer), d_model=8, d_kv=4, d_ff=16, num_layers=1, num_heads=2,
        relative_attention_num_buckets=8))
    projection = StableAudioProjectionModel(text_encoder_dim=8, conditioning_dim=8,
                                            min_value=0, max_value=64)
    pipe = StableAudioPipeline(transformer=transformer, scheduler=scheduler, vae=vae,
                               text_encoder=text_encoder, tokenizer=tokenizer,
                               projection_model=projection)
    folder.mkdir(parents=True, exist_ok=True)
    pipe.save_pretrained(folder, safe_serialization=True)
    return folder


#: Tiny ACE-Step: 100 Hz stereo, hop 4, so the pipeline's 25 latent frames a second.
TINY_ACE_RATE = 100


def save_tiny_acestep(folder: Path, seed: int = 0) -> Path:
    """An ACE-Step folder in the diffusers layout with random weights."""
    import torch
    from diffusers import AceStepPipeline, AutoencoderOobleck, FlowMatchEulerDiscreteScheduler
    from diffusers.models.transformers.ace_step_transformer import AceStepTransformer1DModel
    from diffusers.pipelines.ace_step import AceStepConditionEncoder
    from transformers import Qwen3Config, Qwen3Model

    tokenizer = build_tokenizer()
    small = dict(hidden_size=32, intermediate_size=64, num_attention_heads=4,
                 num_key_value_heads=2, head_dim=8, rope_theta=10000.0, sliding_window=16)
    torch.manual_seed(seed)
    transformer = AceStepTransformer1DModel(num_hidden_layers=2, in_channels=24,
                                            audio_acoustic_hidden_dim=8, patch_size=2, **small)
    text_encoder = Qwen3Model(Qwen3Config(
        hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, head_dim=8, vocab_size=len(tokenizer),
        max_position_embeddings=256))
    condition_encoder = AceStepConditionEncoder(
        text_hidden_dim=32, timbre_hidden_dim=8, num_lyric_encoder_hidden_layers=2,
        num_timbre_encoder_hidden_layers=2, **small)
    # The encoder's output holds a mean and a scale per latent channel, so its width is
    # twice the decoder's input (Oobleck: 128 and 64): the latents of an encoded clip
    # then have the transformer's acoustic width, as repaint and extend need.
    vae = AutoencoderOobleck(encoder_hidden_size=16, downsampling_ratios=[2, 2],
                             decoder_channels=3, decoder_input_channels=8, audio_channels=2,
                             channel_multiples=[2, 4], sampling_rate=TINY_ACE_RATE)
    scheduler = FlowMatchEulerDiscreteScheduler(num_train_timesteps=1, shift=1.0)
    pipe = AceStepPipeline(transformer=transformer, condition_encoder=condition_encoder,
                           vae=vae, text_encoder=text_encoder, tokenizer=tokenizer,
                           scheduler=scheduler)
    folder.mkdir(parents=True, exist_ok=True)
    pipe.save_pretrained(folder, safe_serialization=True)
    return folder
