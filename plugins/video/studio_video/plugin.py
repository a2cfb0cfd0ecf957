"""The video pack's entry module: a cheap descriptor, no torch or diffusers here.

Discovery imports this module at every start of the studio, so it only declares
what the generator can do; ``studio_video.generator`` loads on the first video job.
"""

from __future__ import annotations

from collections.abc import Callable

from studio.api import GeneratorInfo, ModelRef, Param, hookimpl

STUDIO_API_VERSION = 1

TASKS = ("txt2video", "img2video", "video2video", "firstlast2video")
FORMATS = ("mp4", "webm", "gif", "webp")

PARAMS = (
    Param("num_frames", "int", None, min=1, max=257, nullable=True, label="Frames",
          help="frames in the clip; rounded to the count the model needs (4k+1 for Wan, "
               "8k+1 for LTX-Video) and the job says so; empty: the family's usual length"),
    Param("fps", "float", None, min=1, max=120, nullable=True, label="Frames per second",
          help="playback rate, kept exactly (23.976 is stored as 24000/1001); "
               "empty: the family's rate (16 for Wan, 24 for LTX, 8 for AnimateDiff)"),
    Param("steps", "int", None, min=1, max=200, nullable=True, label="Steps",
          help="denoising steps; empty: the family's usual count"),
    Param("width", "int", None, min=64, max=2048, multiple_of=8, nullable=True,
          label="Width", help="pixels, a multiple of 8 (or of the model's own multiple, "
                              "16 for Wan, 32 for LTX); empty: the family's size"),
    Param("height", "int", None, min=64, max=2048, multiple_of=8, nullable=True,
          label="Height", help="pixels, a multiple of 8 (or of the model's own multiple); "
                               "empty: the family's size"),
    Param("guidance_scale", "float", None, min=0, max=30, nullable=True,
          label="Prompt strength (CFG)", help="how closely to follow the prompt; "
                                              "empty: the family's usual value"),
    Param("negative_prompt", "str", "", label="Negative prompt",
          help="what the clip should not show"),
    Param("strength", "float", None, min=0.01, max=1, nullable=True,
          label="Change strength", help="video2video: how much of the input clip is "
                                        "redrawn, from 0.01 (barely) to 1 (all); empty: 0.7"),
    Param("loras", "str", "", advanced=True, label="LoRAs",
          help="LoRA files with weights: path.safetensors:0.8;other.safetensors:0.5; a "
               "distilled few-step (Lightning) LoRA wants the steps and guidance it was "
               "made for (often 4 steps, guidance 1)"),
    Param("group_offload", "bool", False, advanced=True, label="Group offload (CUDA)",
          help="keep the transformer's layers in CPU memory and stream each to the GPU "
               "while the previous one runs: far less GPU memory, somewhat slower; CUDA "
               "only. Changing it reloads the model"),
    Param("fp8_storage", "bool", False, advanced=True, label="Store weights as float8",
          help="store the transformer's weights as float8 and cast each layer up as it "
               "runs: about half the weight memory of bfloat16, slightly lower quality. "
               "Changing it reloads the model"),
    Param("format", "choice", "mp4", choices=FORMATS, label="File format",
          help="mp4 (H.264, plays everywhere), webm (VP9), gif or webp (animated images)"),
)

#: Recommended downloads per GPU class, with the GPU memory each needs in its note.
#: Download sizes are left unknown rather than guessed; the hub page states them.
MODELS = (
    ModelRef("Wan-AI/Wan2.1-T2V-1.3B-Diffusers", "Wan 2.1 T2V 1.3B", None,
             "8-12 GB GPUs: 480p, about 8 GB with CPU offload"),
    ModelRef("Lightricks/LTX-Video", "LTX-Video 0.9", None,
             "8-12 GB GPUs: fast 24 fps clips, text or image to video"),
    ModelRef("guoyww/animatediff-motion-adapter-v1-5-3", "AnimateDiff motion adapter (SD 1.5)",
             None, "8 GB GPUs: use as 'stable-diffusion-v1-5/stable-diffusion-v1-5+"
                  "guoyww/animatediff-motion-adapter-v1-5-3'"),
    ModelRef("THUDM/CogVideoX-5b", "CogVideoX 5B", None,
             "16-24 GB GPUs: 720x480, 49 frames at 8 fps"),
    ModelRef("Wan-AI/Wan2.1-I2V-14B-480P-Diffusers", "Wan 2.1 I2V 14B 480p", None,
             "48 GB and more (or 24 GB with group offload): image to video"),
    ModelRef("Wan-AI/Wan2.2-T2V-A14B-Diffusers", "Wan 2.2 T2V A14B", None,
             "48 GB and more: two 14B experts, best quality"),
)


@hookimpl
def studio_register_generators(register: Callable[[GeneratorInfo], None]) -> None:
    register(
        GeneratorInfo(
            id="video.diffusers",
            name="Video (diffusers)",
            modality="video",
            tasks=TASKS,
            factory="studio_video.generator:VideoGenerator",
            params=PARAMS,
            models=MODELS,
            default_model="Wan-AI/Wan2.1-T2V-1.3B-Diffusers",
            description="Text to video and image to video with Wan 2.1/2.2, LTX-Video, "
                        "AnimateDiff, CogVideoX and the other video pipelines diffusers "
                        "ships, from the Hugging Face cache or a diffusers folder.",
            supports_preview=True,
            task_inputs={"img2video": ("image",), "video2video": ("video",),
                         "firstlast2video": ("image", "last_image")},
        )
    )
