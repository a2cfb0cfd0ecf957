"""The heavy half of the fake pack: deterministic, instant, scriptable."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

from PIL import Image

from studio.api import Generator, Output, StudioError
from tests.fakes import fake_pack


class FakeGenerator(Generator):
    def load(self, model, plan):
        fake_pack.LOADS.append(model)
        return {"model": model, "device": plan.device, "offload": plan.offload}

    def generate(self, request, loaded, progress, cancel):
        p = request.params
        if p["fail"]:
            raise StudioError("the fake generator was asked to fail")
        if p["crash"]:
            raise RuntimeError("boom")
        if p["die"]:
            # Simulates a segfault or the kernel's OOM killer taking the worker down.
            os.kill(os.getpid(), signal.SIGKILL)
        if p["stall"]:
            progress(1, 2, preview=None)  # says the stall has begun (tests wait for it)
            time.sleep(p["stall"])  # a generator that never checks cancel
        if p["hang"]:
            # Ignores cancel until the test releases it (so no thread outlives the test).
            fake_pack.GATES.setdefault(p["hang"], threading.Event()).wait(60)
        if p["exit"] == "sys_exit":
            sys.exit(3)
        if p["exit"] == "os_exit":
            os._exit(3)
        if p["oom"] == "always" or (p["oom"] == "unless_offload" and not loaded["offload"]):
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")
        total = p["steps"]
        for step in range(1, total + 1):
            gate = fake_pack.GATES.get(p["gate"]) if p["gate"] else None
            if gate is not None and step == 2:
                gate.wait(10)
            if p["delay"]:
                time.sleep(p["delay"])
            progress(step, total, preview=None)
        outs = []
        for i in range(p["batch_size"]):
            seed = request.seed + i
            color = (seed % 256, (seed // 256) % 256, 7)
            img = Image.new("RGB", (p["width"], p["width"]), color)
            outs.append(Output("image", img, {"seed": seed, "model": loaded["model"],
                                              "steps_run": total}))
        return outs


class FakeText(Generator):
    def load(self, model, plan):
        return None

    def generate(self, request, loaded, progress, cancel):
        words = []
        n = request.params["max_new_tokens"]
        for i in range(n):
            piece = f" w{(request.seed + i) % 10}"
            words.append(piece)
            progress(i + 1, n, text=piece)
        return [Output("text", request.prompt + "".join(words))]
