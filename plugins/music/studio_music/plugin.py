"""The music pack's entry module: cheap descriptors, no torch or transformers here.

Discovery imports this module on every start of the studio, so it only declares
what each generator can do; the classes behind ``factory`` are imported on the
first music job.
"""

from __future__ import annotations

from collections.abc import Callable

from studio.api import GeneratorInfo, ModelRef, Param, hookimpl

STUDIO_API_VERSION = 1

FORMATS = ("flac", "wav")

#: Parameters every music generator shares: length and the studio-side processing.
COMMON = (
    Param("duration", "float", 10.0, min=0.5, max=600.0, label="Duration (s)",
          help="seconds of music to make (for continue: seconds added to the clip)"),
    Param("format", "choice", "flac", choices=FORMATS, label="File format",
          help="flac (lossless, smaller) or wav"),
    Param("loudness", "float", -14.0, min=-60.0, max=0.0, nullable=True,
          label="Loudness (LUFS)",
          help="normalize to this integrated loudness with a -1 dBTP peak limit; "
               "empty keeps the raw level"),
    Param("fade_in", "float", 0.0, min=0.0, max=60.0, label="Fade in (s)",
          help="seconds of fade-in at the start"),
    Param("fade_out", "float", 0.0, min=0.0, max=60.0, label="Fade out (s)",
          help="seconds of fade-out at the end"),
    Param("loop", "bool", False, label="Loop",
          help="crossfade the end into the start so the clip loops without a click"),
)

MUSICGEN_PARAMS = (
    COMMON[0],
    Param("guidance_scale", "float", 3.0, min=0.0, max=20.0, label="Prompt strength (CFG)",
          help="how closely to follow the prompt; 1 or less turns guidance off"),
    Param("temperature", "float", 1.0, min=0.05, max=2.0, advanced=True,
          help="randomness of each sampled audio token"),
    Param("top_k", "int", 250, min=0, max=4096, advanced=True, label="Top-k",
          help="sample only among the k most likely tokens; 0 turns it off"),
    Param("top_p", "float", 1.0, min=0.01, max=1.0, advanced=True, label="Top-p",
          help="sample only among the tokens covering this probability; 1 turns it off"),
    *COMMON[1:],
)

MUSICGEN = GeneratorInfo(
    id="music.musicgen",
    name="MusicGen (transformers)",
    modality="music",
    tasks=("txt2music", "continue", "melody"),
    factory="studio_music.musicgen:MusicgenGenerator",
    serves="studio_music.models:serves_musicgen",
    params=MUSICGEN_PARAMS,
    models=(
        ModelRef("facebook/musicgen-small", "MusicGen small", 2.4,
                 "32 kHz mono, 300M parameters; runs on CPU (slowly); non-commercial weights"),
        ModelRef("facebook/musicgen-medium", "MusicGen medium", 8.0,
                 "32 kHz mono, 1.5B parameters; a GPU helps; non-commercial weights"),
        ModelRef("facebook/musicgen-melody", "MusicGen melody", 6.2,
                 "follows the melody of an input clip (task melody); non-commercial weights"),
        ModelRef("facebook/musicgen-stereo-small", "MusicGen stereo small", 2.4,
                 "32 kHz stereo; non-commercial weights"),
    ),
    default_model="facebook/musicgen-small",
    description="Music from a text prompt with MusicGen; continue an input clip, or follow "
                "its melody with the melody models. Longer than the model's 30 s window by "
                "continuing each window from the end of the last.",
    supports_preview=True,
    task_inputs={"continue": ("audio",), "melody": ("audio",)},
)


STABLE_AUDIO_PARAMS = (
    Param("duration", "float", 10.0, min=0.5, max=47.0, label="Duration (s)",
          help="seconds of audio, up to the model's longest clip (47 s for Stable Audio Open)"),
    Param("steps", "int", 100, min=1, max=500, label="Steps",
          help="denoising steps; more is slower and cleaner"),
    Param("guidance_scale", "float", 7.0, min=0.0, max=20.0, label="Prompt strength (CFG)",
          help="how closely to follow the prompt; 1 or less turns guidance off"),
    Param("negative_prompt", "str", "", label="Negative prompt",
          help="what the audio should not sound like"),
    Param("strength", "float", 0.7, min=0.01, max=1.0, label="Strength",
          help="task variation: how far from the input clip to go; 1 keeps little of it"),
    *COMMON[1:],
)

STABLE_AUDIO = GeneratorInfo(
    id="music.stable_audio",
    name="Stable Audio (diffusers)",
    modality="music",
    tasks=("txt2music", "variation"),
    factory="studio_music.stable_audio:StableAudioGenerator",
    serves="studio_music.models:serves_stable_audio",
    params=STABLE_AUDIO_PARAMS,
    models=(
        ModelRef("stabilityai/stable-audio-open-1.0", "Stable Audio Open 1.0", 4.8,
                 "44.1 kHz stereo, up to 47 s; sound effects and loops; gated on Hugging Face"),
    ),
    default_model="stabilityai/stable-audio-open-1.0",
    description="Sounds and music from a text prompt with Stable Audio Open: 44.1 kHz "
                "stereo up to 47 s, with a negative prompt; a variation of an input clip.",
    supports_preview=True,
    task_inputs={"variation": ("audio",)},
)


ACESTEP_PARAMS = (
    Param("duration", "float", 30.0, min=0.5, max=600.0, label="Duration (s)",
          help="seconds of music, from a short loop to a whole song"),
    Param("lyrics", "str", "", label="Lyrics",
          help="the words to sing, with section tags such as [verse] and [chorus]; "
               "empty for an instrumental"),
    Param("bpm", "int", None, min=30, max=300, nullable=True, label="Tempo (BPM)",
          help="beats per minute; empty lets the model choose"),
    Param("keyscale", "str", "", label="Key",
          help="key and scale, for example 'C major' or 'F# minor'; empty lets the model "
               "choose"),
    Param("timesignature", "choice", None, choices=("2", "3", "4", "6"), nullable=True,
          label="Time signature", help="beats per bar; empty lets the model choose"),
    Param("vocal_language", "str", "en", advanced=True, label="Vocal language",
          help="language code of the lyrics (en, de, fr, ja, zh...)"),
    Param("steps", "int", 8, min=1, max=200, label="Steps",
          help="denoising steps; the turbo checkpoints need about 8"),
    Param("guidance_scale", "float", 7.0, min=0.0, max=20.0, label="Prompt strength (CFG)",
          help="how closely to follow the prompt; 1 or less turns guidance off"),
    Param("shift", "float", 3.0, min=0.1, max=10.0, advanced=True,
          help="timestep shift of the flow-matching schedule"),
    Param("repaint_start", "float", 0.0, min=0.0, max=3600.0, label="Repaint from (s)",
          help="task repaint: where the part of the clip to remake starts"),
    Param("repaint_end", "float", None, min=0.0, max=3600.0, nullable=True,
          label="Repaint to (s)",
          help="task repaint: where the part to remake ends; empty for the clip's end"),
    *COMMON[1:],
)

ACESTEP = GeneratorInfo(
    id="music.acestep",
    name="ACE-Step (diffusers)",
    modality="music",
    tasks=("txt2music", "continue", "repaint"),
    factory="studio_music.acestep:AceStepGenerator",
    serves="studio_music.models:serves_acestep",
    params=ACESTEP_PARAMS,
    models=(
        ModelRef("ACE-Step/acestep-v15-xl-turbo-diffusers", "ACE-Step 1.5 XL turbo", None,
                 "48 kHz stereo songs with lyrics, seconds to minutes in a few steps; "
                 "the recommended choice with a GPU (permissive licence)"),
    ),
    default_model="ACE-Step/acestep-v15-xl-turbo-diffusers",
    description="Songs with lyrics, tempo, key and time signature from ACE-Step: 48 kHz "
                "stereo, from short loops to several minutes; extend a clip (continue) "
                "or remake a part of it (repaint).",
    supports_preview=True,
    task_inputs={"continue": ("audio",), "repaint": ("audio",)},
)


@hookimpl
def studio_register_generators(register: Callable[[GeneratorInfo], None]) -> None:
    register(MUSICGEN)
    register(STABLE_AUDIO)
    register(ACESTEP)
