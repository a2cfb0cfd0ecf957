"""Plugin faults counted: each must fail only its job (or its pack), in one line, and
leave the next job and the data folder as they were.

Generators that raise, fail, ``sys.exit()``, ``os._exit()``, die or ignore cancel run
through both backends (the CLI's threads, the window's worker process); packs that
raise, exit or sleep at import, or take a built-in generator id, through the CLI.
The fakes live in tests/fakes (params ``exit`` and ``hang`` where that pack has them).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.faults.harness import (
    TEST_PACKS,
    Ledger,
    check_state,
    committed_ids,
    generate_args,
    prepare_data_dir,
    run_cli,
)

#: name -> fake generator params that make the fault (skipped where the fake lacks them)
GENERATOR_FAULTS: dict[str, dict[str, Any]] = {
    "raises": {"crash": True},
    "studio_error": {"fail": True},
    "sys_exit": {"exit": "sys_exit"},
    "os_exit": {"exit": "os_exit"},
    "sigkill": {"die": True},  # the worker process only: in-process it is the kill suite
    "hang": {"hang": "h"},
}

#: name -> (entry point value, extra environment) of a faulty pack
PACK_FAULTS: dict[str, tuple[str, dict[str, str]]] = {
    "import_raises": ("tests.fakes.pack_import_raises", {}),
    "import_sys_exit": ("tests.fakes.pack_import_exits", {}),
    "import_sleeps": ("tests.fakes.pack_import_sleeps",
                      {"FAKE_PACK_SLEEP_S": "5", "STUDIO_PLUGIN_IMPORT_TIMEOUT_S": "1"}),
    "id_hijack": ("tests.fakes.pack_hijack", {}),
}


@dataclass
class Outcomes:
    run: int = 0
    contained: int = 0
    skipped: list[str] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)

    def record(self, case: str, problem: str | None) -> None:
        self.run += 1
        if problem:
            self.problems[case] = problem
        else:
            self.contained += 1

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _fake_params() -> set[str]:
    from tests.fakes import fake_pack

    names: set[str] = set()
    fake_pack.studio_register_generators(
        lambda info: names.update(p.name for p in info.params) if info.id == "fake.image"
        else None)
    return names


def _module_exists(value: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(value) is not None


def cli_generator_faults(base: Path, outcomes: Outcomes) -> None:
    """Each generator fault through ``studio generate`` (thread backend), then a clean run."""
    params = _fake_params()
    for name, sets in GENERATOR_FAULTS.items():
        if name in ("sigkill", "hang") or not set(sets) <= params:
            outcomes.skipped.append(f"cli:{name}")
            continue
        data_dir = base / f"cli-{name}"
        prepare_data_dir(data_dir)
        items = tuple(f"{k}={str(v).lower()}" for k, v in sets.items())
        run = run_cli(generate_args("a faulty fox", 1, sets=items), data_dir, timeout=120)
        lines = run.message_lines()
        problem = None
        if run.traceback:
            problem = "traceback: " + run.stderr.strip().splitlines()[-1]
        elif run.rc != 1 or len(lines) != 1 or not lines[0].startswith("studio: "):
            problem = f"rc {run.rc}, stderr {lines!r}"
        else:
            after = run_cli(generate_args("a fine fox", 2), data_dir)
            found = check_state(data_dir, Ledger(set(committed_ids(after))))
            if after.rc != 0:
                problem = f"the next run failed: {after.stderr.strip()[-200:]}"
            elif found.problems():
                problem = str(found.problems())
        if problem:
            problem += f"\nreproduce: {run.command(data_dir)}"
        outcomes.record(f"cli:{name}", problem)


def backend_generator_faults(base: Path, backend: str, outcomes: Outcomes) -> None:
    """Each generator fault through one engine on ``backend``, each followed by a clean job."""
    from studio.api import GenerationRequest
    from studio.app.backends import ThreadBackend
    from studio.app.engine import Engine
    from studio.app.library import Library
    from studio.app.plugins import PluginHost
    from studio.app.runner import Runner
    from studio.app.settings import Settings
    from studio.app.worker_process import ProcessBackend
    from tests.fakes import fake_pack

    params = _fake_params()
    host = PluginHost()
    host.register_module(fake_pack, "fake")
    settings = Settings(device="cpu")
    root = base / f"engine-{backend}"
    root.mkdir(parents=True, exist_ok=True)
    if backend == "thread":
        be: Any = ThreadBackend(Runner(host, settings), cancel_grace_s=0.5)
    else:
        be = ProcessBackend(root, settings, extra_plugins=["tests.fakes.fake_pack"],
                            cancel_grace_s=0.5)
    engine = Engine(host, Library(root), be, settings)

    def request(**extra: Any) -> GenerationRequest:
        return GenerationRequest(modality="image", generator="fake.image", prompt="a fox",
                                 seed=3, params={"steps": 1, **extra})

    try:
        for name, sets in GENERATOR_FAULTS.items():
            case = f"{backend}:{name}"
            if not set(sets) <= params or (name == "sigkill" and backend == "thread"):
                outcomes.skipped.append(case)
                continue
            problem = None
            try:
                if name == "hang":
                    started = threading.Event()
                    dispose = engine.subscribe(
                        lambda e, ev=started: ev.set() if e.kind == "started" else None)
                    job = engine.submit(request(**sets))
                    started.wait(60)
                    time.sleep(1.0)  # into the generator, which no longer looks at cancel
                    engine.cancel(job.id)
                    engine.wait(job.id, 30)
                    dispose()
                    if job.state != "cancelled":
                        problem = f"a hung job ended {job.state}: {job.error}"
                else:
                    job = engine.run(request(**sets), timeout=60)
                    if job.state != "failed" or "\n" in job.error or not job.error:
                        problem = f"ended {job.state} with {job.error!r}"
                if problem is None:
                    after = engine.run(request(), timeout=60)
                    if after.state != "done":
                        problem = f"the next job ended {after.state}: {after.error}"
            except Exception as exc:
                problem = f"{type(exc).__name__}: {exc}"
            outcomes.record(case, problem)
    finally:
        for gate in fake_pack.GATES.values():
            gate.set()
        engine.shutdown()
        engine.library.close()
        fake_pack.GATES.clear()


def pack_faults(base: Path, outcomes: Outcomes) -> None:
    """Each faulty pack installed beside the fake one is listed in one line; then, with
    all of them installed at once, the fake pack still generates."""
    present = {n: pv for n, pv in PACK_FAULTS.items() if _module_exists(pv[0])}
    outcomes.skipped += [f"pack:{n}" for n in PACK_FAULTS if n not in present]
    for name, (value, extra) in present.items():
        data_dir = base / f"pack-{name}"
        prepare_data_dir(data_dir)
        env = {**extra, "STUDIO_TEST_PACKS": f"{TEST_PACKS},faulty={value}"}
        listed = run_cli(["plugins", "list"], data_dir, env=env)
        problem = None
        if listed.traceback:
            problem = "traceback: " + listed.stderr.strip().splitlines()[-1]
        elif listed.rc != 0:
            problem = f"plugins list rc {listed.rc}: {listed.stderr.strip()[-300:]}"
        elif name != "id_hijack" and len(listed.message_lines()) != 1:
            problem = f"plugins list said {listed.message_lines()!r} (one line expected)"
        elif name == "id_hijack":
            row = [ln for ln in listed.stdout.splitlines() if ln.startswith("faulty")]
            if not row or " ok" in row[0]:
                problem = f"the hijacking pack was accepted: {row!r}"
        if problem:
            problem += f"\nreproduce: {listed.command(data_dir)}"
        outcomes.record(f"pack:{name}", problem)
    if not present:
        return
    data_dir = base / "pack-all"
    prepare_data_dir(data_dir)
    env = {k: v for _value, extra in present.values() for k, v in extra.items()}
    env["STUDIO_TEST_PACKS"] = ",".join(
        [TEST_PACKS, *(f"faulty{i}={value}" for i, (value, _e) in enumerate(present.values()))])
    gen = run_cli(generate_args("a fox beside broken packs", 1), data_dir, env=env)
    problem = None
    if gen.traceback:
        problem = "traceback: " + gen.stderr.strip().splitlines()[-1]
    elif gen.rc != 0:
        problem = f"generate rc {gen.rc}: {gen.stderr.strip()[-300:]}"
    elif check_state(data_dir, Ledger(set(committed_ids(gen)))).problems():
        problem = "the data folder is not consistent"
    if problem:
        problem += f"\nreproduce: {gen.command(data_dir)}"
    outcomes.record("pack:all_installed_generate", problem)


def all_plugin_faults(base: Path) -> Outcomes:
    outcomes = Outcomes()
    cli_generator_faults(base, outcomes)
    for backend in ("thread", "process"):
        backend_generator_faults(base, backend, outcomes)
    pack_faults(base, outcomes)
    return outcomes
