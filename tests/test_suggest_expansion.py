"""Model-written expansions in suggestions: off by default, run on the engine, never awaited."""

import threading
import types

import pytest

from studio.api import Generator, GeneratorInfo, Output, Param, hookimpl
from studio.app.plugins import PluginHost
from studio.app.studio import Studio

#: Set by a test to hold an expansion mid-run until the test releases it.
GATE: dict[str, threading.Event] = {}
EXPANDER_ID = "tiny.expand"


class TinyExpander(Generator):
    def load(self, model, plan):
        return None

    def generate(self, request, loaded, progress, cancel):
        gate = GATE.get("hold")
        if gate is not None:
            gate.wait(10)
        if "explode" in request.prompt:
            raise RuntimeError("the tiny expander exploded")
        progress(1, 1)
        target = request.params["target"]
        return [Output("text", f"{request.prompt}, long shadows, {target} in your style")]


@hookimpl
def _register(register):
    register(GeneratorInfo(
        id=EXPANDER_ID, name="Tiny expander", modality="text", tasks=("continue", "expand"),
        factory=f"{__name__}:TinyExpander",
        params=(Param("target", "choice", "image", choices=("image", "music", "video"),
                      tasks=("expand",)),)))


@hookimpl
def _register_continue_only(register):
    register(GeneratorInfo(id="tiny.continue", name="Tiny", modality="text",
                           tasks=("continue",), factory=f"{__name__}:TinyExpander"))


def make_studio(tmp_path, hook=_register, enabled=True):
    studio = Studio(root=tmp_path / "data", backend="thread")
    host = PluginHost()
    mod = types.ModuleType("tiny_pack")
    mod.STUDIO_API_VERSION = 1
    mod.studio_register_generators = hook
    assert host.register_module(mod, "tiny").status == "ok"
    studio.__dict__["plugins"] = host  # the cached property, already "discovered"
    studio.settings.suggest_expansions = enabled
    studio.settings.device = "cpu"
    for i, p in enumerate(["a fox, snow", "a fox, snow, dusk"]):
        studio.record("generate", modality="image", prompt=p, artifacts=[f"a{i}"])
    return studio


@pytest.fixture
def hold():
    GATE["hold"] = threading.Event()
    yield GATE["hold"]
    GATE.pop("hold").set()  # never leave a job waiting on it


def expansions(sug, **ctx):
    return [s for s in sug.suggest(k=20, kinds=["prompt"], **ctx) if s.source == "expand"]


def test_expansion_arrives_on_a_later_refresh_and_is_not_recorded(tmp_path, hold):
    studio = make_studio(tmp_path)
    try:
        engine = studio.engine  # the GUI starts it at launch
        sug = studio.suggestions
        assert expansions(sug, modality="image") == []  # returned while the job waits
        (job,) = engine.jobs()
        assert (job.request.task, job.request.generator) == ("expand", EXPANDER_ID)
        assert job.request.prompt == "a fox, snow, dusk"
        assert job.request.params["target"] == "image"
        assert job.state in ("queued", "running")
        assert expansions(sug, modality="image") == []  # still running: still not waited for
        hold.set()
        engine.wait(job.id, timeout=10)
        (exp,) = expansions(sug, modality="image")
        assert "long shadows" in exp.text and "a fox" in exp.text
        assert len(engine.jobs()) == 1  # cached by prompt: asked once
        # The app's own job is not a user action: the history has only the two prompts.
        assert studio.history.count(types=["generate"]) == 2
        assert sug.state.step == 2
    finally:
        studio.close()


def test_expansions_are_off_unless_the_setting_enables_them(tmp_path):
    studio = make_studio(tmp_path, enabled=False)
    try:
        engine = studio.engine
        sug = studio.suggestions
        assert sug.expansion is None
        assert expansions(sug, modality="image") == [] and engine.jobs() == []
    finally:
        studio.close()


def test_no_expansion_without_a_generator_for_it_or_a_running_engine(tmp_path):
    studio = make_studio(tmp_path, hook=_register_continue_only)
    try:
        sug = studio.suggestions
        assert sug.suggest(modality="image", k=5)  # the other sources still answer
        assert "engine" not in studio.__dict__  # a one-shot `studio suggest` starts none
        engine = studio.engine
        assert sug.suggest(modality="image", k=5)
        assert engine.jobs() == []  # the text generator cannot expand
    finally:
        studio.close()


def test_a_failed_expansion_is_not_retried_for_the_same_prompt(tmp_path):
    studio = make_studio(tmp_path)
    try:
        engine = studio.engine
        sug = studio.suggestions
        calls = []
        submit = sug.expansion.submit
        sug.expansion.submit = lambda request: calls.append(request) or submit(request)
        # Refused before it runs ("text" is no expansion target): asked once, no job.
        for _ in range(2):
            assert sug.suggest(modality="text", prompt="a poem, rain", k=5)
        assert len(calls) == 1 and engine.jobs() == []
        # Fails while it runs: the failure is remembered, not submitted again.
        assert expansions(sug, modality="image", prompt="explode, now") == []
        (job,) = engine.jobs()
        engine.wait(job.id, timeout=10)
        assert job.state == "failed"
        for _ in range(2):
            assert expansions(sug, modality="image", prompt="explode, now") == []
        assert len(calls) == 2 and len(engine.jobs()) == 1
    finally:
        studio.close()
