"""Cold start of ``studio gui`` to a painted window against a bare PySide6 window.

    .venv/bin/python -m bench.ui_start                # 7 rounds, both data folders
    .venv/bin/python -m bench.ui_start --rounds 3     # a quicker look
    .venv/bin/python -m bench.ui_start --importtime   # also the slowest imports

Each round starts, in fresh processes and in alternating order:

* ``bare``: ``import PySide6``, a ``QApplication`` and an empty ``QMainWindow``
  shown at 1280x820;
* ``studio_sample``: ``studio gui`` (the CLI's own path, the worker process
  backend) on a data folder holding the sample library (studio.app.sample_library);
* ``studio_empty``: the same on an empty data folder.

Time runs from ``time.perf_counter()`` on the child's first line to the first
paint event of the main window (printed by the window when STUDIO_FIRST_PAINT is
set; the bare child prints its own); the platform is offscreen. Printed: medians,
minima and each one's ratio to ``bare`` (target: at most 1.5), and ``ready``: the
median time until the workspaces, packs and engine built after that paint are in.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

_BARE = r"""
import time
T0 = time.perf_counter()
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

class Paint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and not getattr(self, "done", False):
            self.done = True
            print(f"first-paint {time.perf_counter():.6f}", flush=True)
            QTimer.singleShot(0, app.quit)
        return False

app = QApplication(["bare"])
window = QMainWindow()
window.resize(1280, 820)
paint = Paint()
window.installEventFilter(paint)
print(f"t0 {T0:.6f}", flush=True)
window.show()
app.exec()
"""

_STUDIO = r"""
import time
T0 = time.perf_counter()
print(f"t0 {T0:.6f}", flush=True)
import sys
from studio.cli.main import main
sys.exit(main(["gui"]))
"""


def _child_env(data: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["STUDIO_FIRST_PAINT"] = "quit"
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    if data is not None:
        env["STUDIO_DATA_DIR"] = str(data)
    return env


def run_child(code: str, data: Path | None, extra: list[str] | None = None,
              timeout: float = 120) -> tuple[float, float | None]:
    """Seconds from the child's first line to its window's first paint, and to the end
    of the work queued for after it (the workspaces built; None for the bare window)."""
    proc = subprocess.run([sys.executable, *(extra or []), "-c", code],
                          env=_child_env(data), capture_output=True, text=True,
                          timeout=timeout, check=False)
    marks = dict(line.split(" ", 1) for line in proc.stdout.splitlines()
                 if line.startswith(("t0 ", "first-paint ", "ready ")))
    if "t0" not in marks or "first-paint" not in marks:
        raise RuntimeError(f"the child never painted (exit {proc.returncode}):\n"
                           f"{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    t0 = float(marks["t0"])
    ready = float(marks["ready"]) - t0 if "ready" in marks else None
    return float(marks["first-paint"]) - t0, ready


def make_sample(folder: Path) -> int:
    """The sample library in ``folder``, written through the app's own paths."""
    from studio.app import sample_library
    from studio.app.studio import Studio

    studio = Studio(root=folder, backend="thread")
    try:
        return sample_library.build(studio)
    finally:
        studio.close()


def slowest_imports(data: Path, top: int = 25) -> list[tuple[int, str]]:
    """The ``top`` imports with the largest cumulative time (us) before the first paint."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", _STUDIO],
                          env=_child_env(data), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=120, check=False)
    before_paint = proc.stdout.split("first-paint ", 1)[0]  # one stream, in order
    rows = []
    for line in before_paint.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _self_us, cum_us, name = (part.strip() for part in line[12:].split("|"))
        rows.append((int(cum_us), name))
    return sorted(rows, reverse=True)[:top]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench.ui_start")
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--importtime", action="store_true",
                   help="also list the slowest imports of the studio child")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="studio-ui-start-") as tmp:
        sample, empty = Path(tmp) / "sample", Path(tmp) / "empty"
        items = make_sample(sample)
        empty.mkdir()
        workloads: dict[str, tuple[str, Path | None]] = {
            "bare": (_BARE, None),
            "studio_sample": (_STUDIO, sample),
            "studio_empty": (_STUDIO, empty),
        }
        names = list(workloads)
        for name in names:  # warm the file cache once for each, untimed
            run_child(*workloads[name])
        samples: dict[str, list[float]] = {n: [] for n in names}
        ready: dict[str, list[float]] = {n: [] for n in names}
        for r in range(args.rounds):
            order = names[r % len(names):] + names[: r % len(names)]
            for name in order:
                painted, built = run_child(*workloads[name])
                samples[name].append(painted)
                if built is not None:
                    ready[name].append(built)
        medians = {n: statistics.median(s) for n, s in samples.items()}
        result: dict[str, Any] = {
            "label": "cold start to the first paint (offscreen)",
            "rounds": args.rounds,
            "sample_items": items,
            "median_s": {n: round(v, 4) for n, v in medians.items()},
            "min_s": {n: round(min(s), 4) for n, s in samples.items()},
            "ratio_to_bare": {n: round(medians[n] / medians["bare"], 3)
                              for n in names if n != "bare"},
            "target_ratio": 1.5,
            "ready_median_s": {n: round(statistics.median(v), 4) for n, v in ready.items() if v},
        }
        if args.importtime:
            result["slowest_imports_us"] = slowest_imports(sample)
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
