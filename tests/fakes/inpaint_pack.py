"""A pack with inpaint and img2video tasks, for the canvas tests (mask and send-to)."""

from __future__ import annotations

from PIL import Image

from studio.api import Generator, GeneratorInfo, Output, Param, hookimpl

STUDIO_API_VERSION = 1


class Inpainter(Generator):
    """Returns the input image with the mask's white parts painted white."""

    def load(self, model, plan):
        return None

    def generate(self, request, loaded, progress, cancel):
        progress(1, 1, preview=None)
        with Image.open(request.inputs["image"]) as im:
            image = im.convert("RGB")
        if "mask" in request.inputs:
            with Image.open(request.inputs["mask"]) as m:
                image.paste((255, 255, 255), mask=m.convert("L"))
        return [Output("image", image, {"seed": request.seed})]


@hookimpl
def studio_register_generators(register):
    register(GeneratorInfo(
        id="fakeinpaint.image", name="Fake inpaint", modality="image",
        tasks=("inpaint", "upscale"), factory="tests.fakes.inpaint_pack:Inpainter",
        params=(Param("strength", "float", 1.0, min=0.0, max=1.0, help="strength"),),
        task_inputs={"inpaint": ("image", "mask"), "upscale": ("image",)},
    ))
    register(GeneratorInfo(
        id="fakeinpaint.video", name="Fake video", modality="video",
        tasks=("img2video",), factory="tests.fakes.inpaint_pack:Inpainter",
        task_inputs={"img2video": ("image",)},
    ))
