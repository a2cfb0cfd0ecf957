"""Two generators of one modality, each saying which models it serves (GeneratorInfo.serves)."""

from pathlib import Path

from studio.api import GeneratorInfo, hookimpl

STUDIO_API_VERSION = 1


def serves_alpha(model: str) -> bool:
    config = Path(model) / "kind.txt"
    return config.is_file() and config.read_text().strip() == "alpha"


def serves_beta(model: str) -> bool:
    config = Path(model) / "kind.txt"
    return config.is_file() and config.read_text().strip() == "beta"


def serves_broken(model: str) -> bool:
    raise RuntimeError("a faulty check")


def _info(gid: str, serves: str) -> GeneratorInfo:
    return GeneratorInfo(id=gid, name=gid, modality="video", tasks=("txt2video",),
                         factory="tests.fakes.fake_generator:FakeGenerator",
                         serves=f"tests.fakes.pack_routing:{serves}" if serves else "")


@hookimpl
def studio_register_generators(register):
    register(_info("route.plain", ""))
    register(_info("route.broken", "serves_broken"))
    register(_info("route.alpha", "serves_alpha"))
    register(_info("route.beta", "serves_beta"))
