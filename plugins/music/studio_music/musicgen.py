"""MusicGen through transformers: text to music, continuation and melody, window by window.

MusicGen writes audio codes (EnCodec tokens) one frame per decoding step, up to
its window (30 s for the released models). Longer music is made the way its
authors extend it: the last part of what was made (``OVERLAP`` of a window) is
fed back as the codes prompt of the next window, and only the new frames are kept.
All codes are decoded in one pass at the end, so the joins are not seams in the
codec either. Meanwhile the frames already finished are decoded chunk by chunk and
sent with progress as the audio made so far (``studio_music.stream``).

Imported on the first music job only (``GeneratorInfo.factory``); torch and
transformers are imported inside the functions all the same.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.api import (
    CancelToken,
    GenerationRequest,
    Generator,
    LoadPlan,
    ModelError,
    Output,
    ProgressFn,
    RequestError,
)
from studio_music.models import (
    FAMILY_NAMES,
    ModelSource,
    declared_family,
    estimate_bytes,
    generator_hint,
    locate,
)
from studio_music.sound import encode_samples, read_audio
from studio_music.stream import AudioSoFar

log = logging.getLogger(__name__)

#: Share of a window given to the codes of the previous one when continuing.
OVERLAP = 0.4
MUSICGEN_FAMILIES = ("musicgen", "musicgen_melody")


@dataclass
class LoadedMusicgen:
    """What ``MusicgenGenerator.load`` returns."""

    source: ModelSource
    plan: LoadPlan
    family: str
    model: Any
    processor: Any
    #: How long the last preview decode on this model took (s); the next job's first
    #: preview waits until it fits the preview share (see stream.AudioSoFar).
    preview_s: float = 0.0

    @property
    def rate(self) -> int:
        return int(self.model.config.audio_encoder.sampling_rate)

    @property
    def frame_rate(self) -> float:
        return float(self.model.config.audio_encoder.frame_rate)

    @property
    def codebooks(self) -> int:
        return int(self.model.decoder.num_codebooks)

    @property
    def channels(self) -> int:
        return int(self.model.config.decoder.audio_channels)

    @property
    def window(self) -> int:
        """Frames one window makes: the decoder's length less its start and delay steps."""
        limit = int(self.model.generation_config.max_length or 0) or \
            int(self.model.config.decoder.max_position_embeddings)
        return max(2, limit - self.codebooks)


class MusicgenGenerator(Generator):
    """MusicGen and MusicGen-Melody checkpoints (mono or stereo) through transformers."""

    def check_load(self, request: GenerationRequest, plan: LoadPlan) -> None:
        # A pickle-only folder the settings do not allow: refused before queueing.
        locate(self.resolve_model(request), plan.allow_pickle)

    def check_request(self, request: GenerationRequest) -> None:
        task = request.task or "txt2music"
        audio = request.inputs.get("audio")
        if audio is not None:
            read_audio(Path(audio), header_only=True)
        try:
            # Pickles are judged at load time, under the plan that carries the setting.
            source = locate(self.resolve_model(request), allow_pickle=True)
        except ModelError:
            if Path(self.resolve_model(request)).exists():
                raise
            return  # not downloaded yet: the load says how to get it
        if source.path is None:
            return
        family = declared_family(source)
        if family not in MUSICGEN_FAMILIES:
            raise RequestError(f"{source.name} is a {FAMILY_NAMES[family]} model; "
                               f"{self.info.id} runs MusicGen models"
                               + generator_hint(family))
        if task == "melody" and family != "musicgen_melody":
            raise RequestError(f"task 'melody' needs a MusicGen-Melody model; {source.name} "
                               "is a plain MusicGen model (use txt2music or continue)")

    def estimate_bytes(self, model: str, plan: LoadPlan) -> int | None:
        return estimate_bytes(model, plan)

    def load(self, model: str, plan: LoadPlan) -> LoadedMusicgen:
        return load_musicgen(model, plan)

    def unload(self, loaded: LoadedMusicgen) -> None:
        loaded.model = None
        loaded.processor = None

    def generate(
        self,
        request: GenerationRequest,
        loaded: LoadedMusicgen,
        progress: ProgressFn,
        cancel: CancelToken,
    ) -> list[Output]:
        import numpy as np

        task = request.task or "txt2music"
        p = request.params
        seed = int(request.seed or 0)
        melody = None
        prompt_codes = None
        if task in ("continue", "melody"):
            path = request.inputs.get("audio")
            if not path:
                raise RequestError(f"task {task!r} needs an audio input")
            clip = read_audio(Path(path), rate=loaded.rate)
            if task == "melody":
                melody = clip
            else:
                prompt_codes = encode_samples(loaded, clip)
        cancel.check()
        codes = make_codes(loaded, request.prompt, float(p.get("duration", 10.0)), p, seed,
                           progress, prompt_codes=prompt_codes, melody=melody)
        samples = decode_codes(loaded, codes)
        samples = postprocess(samples, loaded.rate, p)
        meta = {
            "seed": seed, "model": request.model, "family": loaded.family,
            "sample_rate": loaded.rate, "channels": int(samples.shape[1]),
            "seconds": round(samples.shape[0] / loaded.rate, 3),
            "format": p.get("format", "flac"),
        }
        return [Output("audio", (np.ascontiguousarray(samples, dtype=np.float32), loaded.rate),
                       meta, {"title": request.prompt[:200]})]


# -- loading -------------------------------------------------------------------------


def load_musicgen(model: str, plan: LoadPlan) -> LoadedMusicgen:
    import torch
    from transformers import (
        AutoProcessor,
        MusicgenForConditionalGeneration,
        MusicgenMelodyForConditionalGeneration,
    )
    from transformers.utils import logging as transformers_logging

    # The host reports loading as a job stage; transformers' own bar would only
    # scribble over the CLI's stderr.
    transformers_logging.disable_progress_bar()
    source = locate(model, plan.allow_pickle)
    family = declared_family(source)
    if family not in MUSICGEN_FAMILIES:
        raise ModelError(f"{source.name} is a {FAMILY_NAMES[family]} model, not MusicGen")
    cls = MusicgenMelodyForConditionalGeneration if family == "musicgen_melody" \
        else MusicgenForConditionalGeneration
    dtype = {"float16": torch.float16, "bfloat16": torch.bfloat16}.get(plan.dtype,
                                                                        torch.float32)
    where = str(source.path)
    try:
        net = cls.from_pretrained(where, local_files_only=True, dtype=dtype,
                                  use_safetensors=not plan.allow_pickle)
        processor = AutoProcessor.from_pretrained(where, local_files_only=True)
    except (OSError, ValueError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ModelError(f"cannot load model {source.ref!r}: {first}") from exc
    net.eval()
    # With the offload plan the weights stay in RAM and the model runs there: MusicGen
    # decodes one frame at a time, so moving layers per step would cost far more.
    net.to("cpu" if plan.offload else plan.device)
    return LoadedMusicgen(source, plan, family, net, processor)


# -- generation ----------------------------------------------------------------------


class _StepHook:
    """A ``StoppingCriteria``: progress (in audio frames) on every decoding step, with
    the audio so far whenever ``stream`` has decoded more of it.

    ``progress`` raises ``Cancelled`` when the job was cancelled; it leaves
    ``generate`` from inside the decoding loop, so a cancel lands within one step.
    """

    def __init__(self, progress: ProgressFn, done: int, new: int, total: int,
                 stream: AudioSoFar | None = None) -> None:
        self.progress, self.done, self.new, self.total = progress, done, new, total
        self.stream = stream
        self.step = 0
        self.go_on: Any = None  # "not done", made once: this runs on every step

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        import torch

        self.step += 1
        made = min(self.done + self.step, self.done + self.new, self.total)
        audio = None if self.stream is None else self.stream.update(input_ids, made)
        if audio is None:
            self.progress(made, self.total)
        else:
            self.progress(made, self.total, audio=audio)
        if self.go_on is None:
            self.go_on = torch.zeros(input_ids.shape[0], dtype=torch.bool,
                                     device=input_ids.device)
        return self.go_on


class _CaptureCodes:
    """Stands in for the codec's ``decode`` during ``generate``: keeps the codes.

    ``generate`` decodes each window to audio before returning; the windows are
    decoded together at the end instead, so the call only records its codes (the
    left and right halves of a stereo model come as two calls).
    """

    def __init__(self) -> None:
        self.calls: list[Any] = []

    def __call__(self, audio_codes: Any, audio_scales: Any = None, *args: Any,
                 **kwargs: Any) -> Any:
        from types import SimpleNamespace

        self.calls.append(audio_codes)
        return SimpleNamespace(audio_values=audio_codes.new_zeros((audio_codes.shape[1], 1, 0),
                                                                  dtype=float_dtype()))

    def codes(self) -> Any:
        """(1, codebooks, frames) in the decoder's codebook order."""
        import torch

        if len(self.calls) == 1:
            return self.calls[0][0]
        left, right = self.calls[0][0], self.calls[1][0]
        out = torch.empty((left.shape[0], left.shape[1] * 2, left.shape[2]),
                          dtype=left.dtype, device=left.device)
        out[:, ::2], out[:, 1::2] = left, right
        return out


def float_dtype() -> Any:
    import torch

    return torch.float32


def make_codes(loaded: LoadedMusicgen, prompt: str, duration: float, params: Any, seed: int,
               progress: ProgressFn, prompt_codes: Any = None, melody: Any = None) -> Any:
    """The audio codes of ``duration`` seconds (after ``prompt_codes``, if given),
    made window by window; returns (1, codebooks, frames), the prompt codes included."""
    import torch

    total = max(1, round(duration * loaded.frame_rate))
    window = loaded.window
    keep = max(1, min(int(window * OVERLAP), window - 1))
    device = loaded.model.device
    codes = prompt_codes.to(device) if prompt_codes is not None else None
    stream = AudioSoFar(loaded, total, codes)
    made = 0
    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
        torch.manual_seed(seed)
        while made < total:
            context = None if codes is None else codes[..., -min(keep, codes.shape[-1]):]
            room = window - (0 if context is None else context.shape[-1])
            new = min(total - made, room)
            start_s = made / loaded.frame_rate
            cond = _conditioning(loaded, prompt, melody, start_s,
                                 (new + (0 if context is None else context.shape[-1]))
                                 / loaded.frame_rate)
            stream.start_window(codes, 0 if context is None else context.shape[-1], new)
            fresh = _window(loaded, cond, context, new, params,
                            _StepHook(progress, made, new, total, stream))
            codes = fresh if codes is None else torch.cat([codes, fresh], dim=-1)
            made += new
    progress(total, total)
    return codes


def _conditioning(loaded: LoadedMusicgen, prompt: str, melody: Any, start_s: float,
                  seconds: float) -> dict[str, Any]:
    """Processor outputs for one window: the text, and for melody models the part of
    the melody clip the window covers."""
    kwargs: dict[str, Any] = {"text": [prompt], "padding": True, "return_tensors": "pt"}
    if melody is not None:
        lo = int(start_s * loaded.rate)
        piece = melody[lo:lo + max(1, int(seconds * loaded.rate))]
        if piece.shape[0] == 0:
            piece = melody[-max(1, int(seconds * loaded.rate)):]
        kwargs.update(audio=piece.mean(axis=1), sampling_rate=loaded.rate)
    out = loaded.processor(**kwargs)
    if out["input_ids"].shape[-1] == 0:
        raise RequestError("the model's tokenizer makes no tokens of this prompt; "
                           "write a prompt with words it knows")
    return {k: v.to(loaded.model.device) for k, v in out.items() if hasattr(v, "to")}


def _window(loaded: LoadedMusicgen, cond: dict[str, Any], context: Any, new: int,
            params: Any, hook: _StepHook) -> Any:
    """``new`` frames after ``context`` (or from nothing): (1, codebooks, new)."""
    import torch
    from transformers import StoppingCriteriaList

    net = loaded.model
    k = loaded.codebooks
    top_k = int(params.get("top_k", 250) or 0)
    top_p = float(params.get("top_p", 1.0) or 1.0)
    kwargs: dict[str, Any] = dict(
        do_sample=True, guidance_scale=float(params.get("guidance_scale", 3.0)),
        temperature=float(params.get("temperature", 1.0)), top_k=top_k or None,
        top_p=top_p if top_p < 1.0 else None,
        max_new_tokens=new + k - 1, min_new_tokens=new + k - 1,
        stopping_criteria=StoppingCriteriaList([hook]),
    )
    if context is not None:
        kwargs["decoder_input_ids"] = context.reshape(k, context.shape[-1])
    capture = _CaptureCodes()
    net.audio_encoder.decode = capture
    try:
        with torch.inference_mode():
            net.generate(**cond, **kwargs)
    finally:
        del net.audio_encoder.decode
    out = capture.codes()
    skip = 0 if context is None else context.shape[-1]
    fresh = out[..., skip:skip + new]
    if fresh.shape[-1] != new:
        raise RuntimeError(f"MusicGen made {fresh.shape[-1]} frames, {new} were asked for")
    return fresh


def decode_codes(loaded: LoadedMusicgen, codes: Any) -> Any:
    """Audio codes (1, codebooks, frames) to float32 samples (frames, channels)."""
    import torch

    codec = loaded.model.audio_encoder
    # The class's own decode: inside ``generate`` the instance's is a _CaptureCodes.
    decode = type(codec).decode.__get__(codec)
    with torch.inference_mode():
        if loaded.channels == 1:
            audio = decode(codes[None], [None]).audio_values
        else:
            left = decode(codes[None, :, ::2], [None]).audio_values
            right = decode(codes[None, :, 1::2], [None]).audio_values
            audio = torch.cat([left, right], dim=1)
    return audio[0].float().cpu().numpy().T.copy()


def postprocess(samples: Any, rate: int, params: Any) -> Any:
    """Fades, loop and loudness with the studio's audio helpers, as the request asks."""
    loudness = params.get("loudness", -14.0)
    fade_in = float(params.get("fade_in") or 0.0)
    fade_out = float(params.get("fade_out") or 0.0)
    loop = bool(params.get("loop", False))
    if loudness is None and not (fade_in or fade_out or loop):
        return samples
    from studio.api import audio

    return audio.process(samples, rate, loudness=loudness, fade_in=fade_in,
                         fade_out=fade_out, loop=loop)
