import importlib.metadata as md

import pytest

from studio.api import GenerationRequest, GeneratorInfo
from studio.app.backends import ThreadBackend
from studio.app.engine import Engine
from studio.app.library import Library
from studio.app.plugins import PluginHost
from studio.app.runner import Runner
from studio.app.settings import Settings

ROUTING_EP = md.EntryPoint(name="routing", value="tests.fakes.pack_routing",
                           group="studio.plugins")


@pytest.fixture
def engine(tmp_path, fake_entry_points):
    fake_entry_points.append(ROUTING_EP)
    host = PluginHost()
    host.discover()
    settings = Settings(device="cpu")
    eng = Engine(host, Library(tmp_path / "data"), ThreadBackend(Runner(host, settings)),
                 settings)
    yield eng
    eng.shutdown()
    eng.library.close()


def model(tmp_path, kind):
    folder = tmp_path / f"model-{kind}"
    folder.mkdir()
    (folder / "kind.txt").write_text(kind)
    return str(folder)


def video_ids(engine):
    return [g.id for g in engine.host.generators_for("video") if g.id.startswith("route.")]


@pytest.mark.parametrize("kind", ["alpha", "beta"])
def test_a_model_goes_to_the_generator_that_serves_it(engine, tmp_path, kind):
    assert video_ids(engine)[0] == "route.plain"  # the first in order would be wrong
    chosen = engine.pick_generator(GenerationRequest(modality="video",
                                                     model=model(tmp_path, kind)))
    assert chosen.id == f"route.{kind}"


def test_a_model_no_generator_claims_keeps_the_usual_choice(engine, tmp_path):
    first = engine.host.generators_for("video")[0].id
    chosen = engine.pick_generator(GenerationRequest(modality="video",
                                                     model=model(tmp_path, "gamma")))
    assert chosen.id == first


def test_the_users_default_is_asked_first(engine, tmp_path):
    engine.settings.default_generators["video"] = "route.beta"
    # The default claims nothing here, so the generator that does serve it wins...
    chosen = engine.pick_generator(GenerationRequest(modality="video",
                                                     model=model(tmp_path, "alpha")))
    assert chosen.id == "route.alpha"
    # ...and with no model, the default stands.
    assert engine.pick_generator(GenerationRequest(modality="video")).id == "route.beta"


def test_a_named_generator_is_never_rerouted(engine, tmp_path):
    chosen = engine.pick_generator(GenerationRequest(
        modality="video", generator="route.beta", model=model(tmp_path, "alpha")))
    assert chosen.id == "route.beta"


def test_serves_must_be_an_import_path():
    with pytest.raises(ValueError, match="module:function"):
        GeneratorInfo(id="x.y", name="x", modality="video", tasks=("txt2video",),
                      factory="a:B", serves="not_a_path")
