"""The image pack's entry module: a cheap descriptor, no torch or diffusers here.

Discovery imports this module for every start of the studio (``studio plugins
list`` included), so it only declares what the generator can do; the heavy class
behind ``factory`` is imported on the first image job.
"""

from __future__ import annotations

from collections.abc import Callable

from studio.api import GeneratorInfo, ModelRef, Param, hookimpl

STUDIO_API_VERSION = 1

TASKS = ("txt2img", "img2img", "inpaint", "variations", "upscale")
IMAGE_TASKS = ("img2img", "inpaint", "variations", "upscale")
SCHEDULERS = ("euler", "euler_a", "dpmpp_2m", "dpmpp_2m_karras", "ddim", "unipc", "lcm")

PARAMS = (
    Param("steps", "int", None, min=1, max=200, nullable=True, label="Steps",
          help="denoising steps; empty: the model family's usual count "
               "(25 for SD, 30 for SDXL, 4 for Turbo/LCM)"),
    Param("guidance_scale", "float", None, min=0, max=30, nullable=True,
          label="Prompt strength (CFG)",
          help="how closely to follow the prompt; empty: the family's usual value "
               "(7 for SD, 6 for SDXL, 0 for Turbo, 1 for LCM)"),
    Param("width", "int", None, min=64, max=4096, multiple_of=8, nullable=True,
          label="Width", help="pixels, a multiple of 8; empty: the model's native size "
                              "(or the input image's size)"),
    Param("height", "int", None, min=64, max=4096, multiple_of=8, nullable=True,
          label="Height", help="pixels, a multiple of 8; empty: the model's native size "
                               "(or the input image's size)"),
    Param("negative_prompt", "str", "", label="Negative prompt",
          help="what the image should not show"),
    Param("scheduler", "choice", None, choices=SCHEDULERS, nullable=True, advanced=True,
          label="Sampler", help="empty: the model's own scheduler, unchanged"),
    Param("strength", "float", None, min=0.01, max=1.0, nullable=True, tasks=IMAGE_TASKS,
          label="Change amount",
          help="how much of the input image to repaint; empty: 0.75 for img2img, "
               "1.0 for inpaint, 0.6 for variations, 0.35 for upscale"),
    Param("batch_size", "int", 1, min=1, max=16, label="Images",
          help="image i uses seed + i"),
    Param("loras", "str", "", advanced=True, label="LoRAs",
          help="LoRA files with weights: path.safetensors:0.8;other.safetensors:0.5"),
)

#: The LoRA trainer's settings (its own schema: its steps are training steps).
TRAIN_PARAMS = (
    Param("steps", "int", 500, min=1, max=20000, label="Training steps"),
    Param("rank", "int", 8, min=1, max=256, label="LoRA rank",
          help="capacity of the LoRA: higher learns more detail and makes a larger file"),
    Param("learning_rate", "float", 1e-4, min=1e-7, max=1.0, label="Learning rate"),
    Param("resolution", "int", None, min=64, max=2048, multiple_of=8, nullable=True,
          label="Resolution", help="square training size in pixels; empty: the model's own"),
    Param("checkpoint_every", "int", 100, min=1, max=100000, advanced=True,
          label="Checkpoint every", help="steps between the checkpoints a rerun resumes from"),
)


@hookimpl
def studio_register_generators(register: Callable[[GeneratorInfo], None]) -> None:
    register(
        GeneratorInfo(
            id="image.diffusers",
            name="Stable Diffusion (diffusers)",
            modality="image",
            tasks=TASKS,
            factory="studio_image.generator:DiffusersGenerator",
            params=PARAMS,
            models=(
                ModelRef("stabilityai/sdxl-turbo", "SDXL Turbo", 6.9,
                         "fast: 1-4 steps at 512 px, no guidance"),
                ModelRef("stable-diffusion-v1-5/stable-diffusion-v1-5", "Stable Diffusion 1.5",
                         5.2, "512 px, the widest choice of LoRAs"),
                ModelRef("stabilityai/stable-diffusion-xl-base-1.0", "SDXL 1.0", 6.9,
                         "1024 px, best quality, needs about 8 GB of GPU memory"),
            ),
            default_model="stabilityai/sdxl-turbo",
            description="Text to image, image to image, inpainting, variations and 2x "
                        "upscaling with Stable Diffusion 1.x/2.x, SDXL and Turbo/LCM models "
                        "from the Hugging Face cache, a folder or a .safetensors file.",
            supports_preview=True,
            task_inputs={
                "img2img": ("image",),
                "inpaint": ("image", "mask"),
                "variations": ("image",),
                "upscale": ("image",),
            },
        )
    )
    register(
        GeneratorInfo(
            id="image.train",
            name="Personal LoRA training",
            modality="image",
            tasks=("train_lora",),
            factory="studio_image.train:LoraTrainer",
            params=TRAIN_PARAMS,
            default_model="stabilityai/sdxl-turbo",
            description="Trains a LoRA on a Stable Diffusion model from images and their "
                        "captions (studio personalize train image).",
            task_inputs={"train_lora": ("manifest",)},
        )
    )
