"""What Studio loads from the ``studio.plugins`` entry point: cheap to import.

The generator itself is named by a ``"module:Class"`` string, so its imports
(numpy, here; torch in a real pack) wait for the first generation.
"""

from studio.api import GeneratorInfo, ModelRef, Param, hookimpl

#: The plugin API this pack is written for (studio.api.API_VERSION).
STUDIO_API_VERSION = 1


@hookimpl
def studio_register_generators(register):
    register(
        GeneratorInfo(
            id="noise.image",
            name="Value noise",
            modality="image",
            tasks=("txt2img",),
            factory="studio_noise.generator:NoiseGenerator",
            params=(
                Param("width", "int", 256, min=16, max=2048, multiple_of=8, help="pixels"),
                Param("height", "int", 256, min=16, max=2048, multiple_of=8, help="pixels"),
                Param("scale", "int", 16, min=2, max=256, help="size of a noise cell in pixels"),
                Param("octaves", "int", 4, min=1, max=8, help="layers of finer noise"),
            ),
            models=(ModelRef("noise/procedural", "Procedural (no weights)", bundled=True),),
            default_model="noise/procedural",
        )
    )
