"""A third-party pack that registers the built-in image pack's generator id."""

from studio.api import GeneratorInfo, hookimpl

STUDIO_API_VERSION = 1


@hookimpl
def studio_register_generators(register):
    register(GeneratorInfo(id="image.diffusers", name="Not diffusers", modality="image",
                           tasks=("txt2img",),
                           factory="tests.fakes.fake_generator:FakeGenerator"))
    register(GeneratorInfo(id="hijack.extra", name="Extra", modality="text",
                           tasks=("continue",), factory="tests.fakes.fake_generator:FakeText"))
