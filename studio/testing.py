"""A contract test suite every generator pack runs against its own generator.

Subclass ``GeneratorContractTests`` in a pack's tests (the class name must start
with ``Test``), set ``generator_id`` and implement ``make_request``; the suite
checks, through the real engine, what the host relies on:

* the descriptor is honest (defaults validate, declared inputs and tasks line up);
* an out-of-range option is refused before anything runs, naming the option;
* progress is monotonic and ends at its total;
* the same seed gives the same output;
* cancelling during step k stops within a step and stores nothing.

Only tests import this module (it needs pytest).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from studio.api import GenerationRequest, ParamError
from studio.app.backends import ThreadBackend
from studio.app.engine import Engine
from studio.app.library import Library
from studio.app.plugins import PluginHost
from studio.app.runner import Runner
from studio.app.settings import Settings


class GeneratorContractTests:
    #: The id the pack registers, e.g. "image.diffusers".
    generator_id: str = ""
    #: Cancel once progress reaches this step; the request must run more steps than this.
    cancel_at_step: int = 2

    def make_request(self, **overrides: Any) -> GenerationRequest:
        """A request for ``generator_id`` that runs quickly (tiny model, few steps),
        with ``overrides`` applied (``seed``, ``params``)."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement make_request(**overrides) returning a "
            "quick GenerationRequest for its generator (see studio/testing.py)"
        )

    def make_long_request(self) -> GenerationRequest:
        """A request with more than ``cancel_at_step + 2`` steps, for the cancel test."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement make_long_request() for the cancel test"
        )

    def output_signature(self, artifact: Any) -> Any:
        """What must be equal for two runs with one seed: pixels, text or samples."""
        if artifact.kind == "text":
            return artifact.text
        if artifact.kind == "image":
            from PIL import Image

            return Image.open(artifact.path).convert("RGB").tobytes()
        return Path(artifact.path).read_bytes()

    # -- fixtures ------------------------------------------------------------------

    @pytest.fixture
    def contract_engine(self, tmp_path: Path) -> Iterator[Engine]:
        host = PluginHost()
        host.discover()
        settings = Settings(device="cpu")
        engine = Engine(host, Library(tmp_path / "contract"),
                        ThreadBackend(Runner(host, settings, cache_dir=tmp_path / "cache")),
                        settings)
        yield engine
        engine.shutdown()
        engine.library.close()

    def _run(self, engine: Engine, request: GenerationRequest) -> Any:
        job = engine.run(request, timeout=600)
        assert job.state == "done", job.error
        return job

    # -- the contract ----------------------------------------------------------------

    def test_descriptor_is_honest(self, contract_engine: Engine) -> None:
        info = contract_engine.host.generator(self.generator_id)
        assert info.tasks and len(set(info.tasks)) == len(info.tasks)
        assert set(info.task_inputs) <= set(info.tasks), "inputs declared for unknown tasks"
        for task in info.tasks:
            info.params.resolve({}, task)  # every default validates for every task
        assert all(p.help for p in info.params), "every parameter needs help text"

    def test_out_of_range_option_is_refused_before_running(self,
                                                           contract_engine: Engine) -> None:
        info = contract_engine.host.generator(self.generator_id)
        bounded = next((p for p in info.params if p.type in ("int", "float")
                        and p.min is not None), None)
        if bounded is None:
            pytest.skip("no bounded numeric parameter")
        bad = bounded.min - (bounded.multiple_of or 1)
        with pytest.raises(ParamError, match=bounded.name):
            contract_engine.submit(self.make_request(params={bounded.name: bad}))
        assert contract_engine.jobs() == []

    def test_progress_is_monotonic_and_complete(self, contract_engine: Engine) -> None:
        events: list[Any] = []
        contract_engine.subscribe(events.append)
        job = self._run(contract_engine, self.make_request(seed=3))
        steps = [(e.step, e.total) for e in events
                 if e.job_id == job.id and e.kind == "progress" and e.stage == "generating"]
        assert steps, "the generator reported no progress"
        assert [s for s, _ in steps] == sorted(s for s, _ in steps)
        assert steps[-1][0] == steps[-1][1], "progress must end at its total"

    def test_same_seed_same_output(self, contract_engine: Engine) -> None:
        first = self._run(contract_engine, self.make_request(seed=11))
        again = self._run(contract_engine, self.make_request(seed=11))
        assert [self.output_signature(a) for a in first.artifacts] == \
            [self.output_signature(a) for a in again.artifacts]

    def test_cancel_stops_within_a_step(self, contract_engine: Engine) -> None:
        steps: list[int] = []

        def watch(event: Any) -> None:
            # Cancelling from the progress event itself makes "which step" exact: the
            # user's click lands while step k is being reported.
            if event.kind == "progress" and event.stage == "generating":
                steps.append(event.step)
                if event.step == self.cancel_at_step:
                    contract_engine.cancel(event.job_id)

        stop_watching = contract_engine.subscribe(watch)
        job = contract_engine.run(self.make_long_request(), timeout=600)
        stop_watching()
        assert job.state == "cancelled", job.error
        assert self.cancel_at_step in steps, "never reached the cancel step"
        assert max(steps) <= self.cancel_at_step + 1
        assert contract_engine.library.count() == 0
        # The engine and the generator's loaded model stay usable after a cancel.
        assert self._run(contract_engine, self.make_request(seed=1)).state == "done"
