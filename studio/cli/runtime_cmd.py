"""``studio runtime status|install [VARIANT]|repair|remove``: the accelerated torch."""

from __future__ import annotations

import argparse

from studio.app import hardware, runtime
from studio.cli.output import clean, echo, print_json


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("runtime", help="the torch build the worker runs on (GPU runtimes)")
    psub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    st = psub.add_parser("status", help="the active runtime and what this machine should use")
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=run_status)
    ins = psub.add_parser("install", help="build, verify and switch to a runtime")
    ins.add_argument("variant", nargs="?", metavar="VARIANT",
                     help=f"one of {', '.join(hardware.VARIANTS)} (default: the recommended one)")
    ins.add_argument("--force", action="store_true",
                     help="install even when the probe says this machine cannot run it")
    ins.set_defaults(func=run_install)
    rep = psub.add_parser("repair", help="clean interrupted installs, re-verify, reinstall")
    rep.set_defaults(func=run_repair)
    rm = psub.add_parser("remove", help="remove a runtime (default: the active one)")
    rm.add_argument("variant", nargs="?", metavar="VARIANT")
    rm.set_defaults(func=run_remove)


def _progress(phase: str, line: str) -> None:
    echo(f"[{phase}] {line}")


def run_status(args: argparse.Namespace) -> int:
    hw = hardware.probe()
    state = runtime.status(hw)
    if args.json:
        print_json({**state.to_dict(), "hardware": hw.to_dict()})
        return 0
    gpus = ", ".join(f"{g.name} (compute capability {g.compute_capability[0]}."
                     f"{g.compute_capability[1]})" for g in hw.gpus) or "none"
    own = "none (the worker runs on the app's own Python)"
    print(f"active: {state.active or own}")
    print(f"python: {clean(state.python)}")
    if state.torch:
        print(f"torch: {clean(state.torch)}"
              + (f" on {clean(state.device_name)}" if state.device_name else ""))
    print(f"installed: {', '.join(state.installed) or 'none'}")
    print(f"gpu: {clean(gpus)}" + (f" (driver {clean(hw.driver_version)})"
                                   if hw.driver_version else ""))
    print(f"recommended: {state.recommended}: {state.reason}")
    if state.leftovers:
        print(f"interrupted installs: {', '.join(state.leftovers)} (`studio runtime repair`)")
    if state.problem:
        print(f"problem: {clean(state.problem)}")
    return 0


def run_install(args: argparse.Namespace) -> int:
    state = runtime.install(args.variant, progress=_progress, force=args.force)
    echo(f"the {state.active} runtime is active; the worker uses it from its next start")
    return 0


def run_repair(args: argparse.Namespace) -> int:
    state = runtime.repair(progress=_progress)
    echo(f"runtime: {state.active or 'none active'}"
         + (f"; problem: {state.problem}" if state.problem else ""))
    return 0


def run_remove(args: argparse.Namespace) -> int:
    state = runtime.remove(args.variant)
    own = "the app's own Python"
    echo(f"removed; the worker runs on {state.active or own}")
    return 0
