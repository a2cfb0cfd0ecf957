"""``studio generate MODALITY --prompt TEXT ...``: one request through the engine.

``--out`` is checked (a writable folder, or one that can be made) before the job runs,
and each result is copied there atomically. Fault point (tests/faults):
``generate.out.before_rename``, the copy complete in its temp file.
"""

from __future__ import annotations

import argparse
import errno
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from studio.api import MODALITIES, GenerationRequest, RequestError
from studio.app.faults import fault_point
from studio.app.jobs import CANCELLED, DONE
from studio.app.studio import Studio
from studio.cli.output import clean, echo, one_line, print_json
from studio.cli.requests import artifact_json, cancel_grace


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("generate", help="generate an image, text, music or video")
    p.add_argument("modality", choices=MODALITIES)
    p.add_argument("--prompt", default="", help="what to make")
    p.add_argument("--task", default="", help="txt2img, img2img, inpaint, continue, ...")
    p.add_argument("--generator", default="", help="generator id (default: the modality's)")
    p.add_argument("--model", default="", help="hub repo id, local folder or file")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="a generator parameter; repeat for several")
    p.add_argument("--input", default=None, metavar="PATH",
                   help="input file, or artifact:<id> from the library")
    p.add_argument("--mask", default=None, metavar="PATH", help="inpainting mask")
    p.add_argument("--input-as", dest="named_inputs", action="append", default=[],
                   metavar="ROLE=PATH",
                   help="an input the task takes besides the first, by its name, e.g. "
                        "last_image=end.png for firstlast2video; repeat for several")
    p.add_argument("--from-file", "--from-png", dest="from_file", default=None,
                   metavar="FILE",
                   help="reproduce the request stored in a file (Studio's own, A1111, "
                        "ComfyUI, InvokeAI, NovelAI, Fooocus, SwarmUI, Draw Things)")
    p.add_argument("--out", default=None, metavar="DIR", help="also copy the results here")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=run)


def build_request(studio: Studio, args: argparse.Namespace) -> GenerationRequest:
    base = GenerationRequest(modality=args.modality)
    if args.from_file:
        from studio.app.metadata import read_file_metadata

        base = read_file_metadata(Path(args.from_file)).request
        if base.modality != args.modality:
            raise RequestError(f"{args.from_file} holds a {base.modality} request, "
                               f"not {args.modality}")
    inputs = dict(base.inputs)
    info = studio.engine.pick_generator(
        base.replace(generator=args.generator or base.generator,
                     model=args.model or base.model)
    )
    if args.input:
        # The named task's own input first (video2video takes a video, not an image).
        task = args.task or base.task
        roles = [r for r in info.task_inputs.get(task, ()) if r != "mask"] or \
            [r for t in info.tasks for r in info.task_inputs.get(t, ()) if r != "mask"]
        if not roles:
            raise RequestError(f"{info.id} takes no input file")
        inputs[roles[0]] = args.input
    for item in args.named_inputs:
        role, sep, path = item.partition("=")
        role, path = role.strip(), path.strip()
        task = args.task or base.task or (info.tasks[0] if info.tasks else "")
        takes = [r for r in info.task_inputs.get(task, ()) if r != "mask"]
        if not sep or not role or not path:
            raise RequestError(f"--input-as needs ROLE=PATH, not {item!r}")
        if role not in takes:
            raise RequestError(f"{info.id}'s {task} takes no input {role!r}; it takes: "
                               f"{', '.join(takes) or 'none'}")
        inputs[role] = path
    if args.mask:
        if not args.input and not inputs:
            raise RequestError("--mask needs --input: the image the mask belongs to")
        inputs["mask"] = args.mask
    params = dict(base.params)
    params.update(info.params.parse_assignments(args.set))
    return GenerationRequest(
        modality=args.modality,
        prompt=args.prompt or base.prompt,
        task=args.task or base.task,
        generator=info.id,
        model=args.model or base.model,
        params=params,
        seed=args.seed if args.seed is not None else base.seed,
        inputs=inputs,
        parent=base.parent,
    )


def run(args: argparse.Namespace) -> int:
    studio = Studio(backend="thread")
    out_dir = Path(args.out) if args.out else None
    try:
        from studio.app.voice import personalize_request

        # Continue and rewrite carry the user's own passages when they have enough
        # (issue #18); prepared either way.
        request = personalize_request(studio, build_request(studio, args)).request
        if out_dir is not None:
            check_out_dir(out_dir, args.out)  # before the job runs (issue #10)
        studio.engine.subscribe(_StderrProgress(stream_text=not args.json))
        t0 = time.perf_counter()
        job = studio.engine.submit(request)
        try:
            studio.engine.wait(job.id)
        except KeyboardInterrupt:
            if not _cancel_or_abandon(studio, job.id):
                return 130
        seconds = time.perf_counter() - t0
        if job.state == CANCELLED:
            print("studio: cancelled", file=sys.stderr)
            return 130
        if job.state != DONE:
            print(f"studio: {one_line(job.error)}", file=sys.stderr)
            return 1
        try:
            results = [_artifact_json(a, out_dir) for a in job.artifacts]
        except OSError as exc:
            print(f"studio: {_copy_error(exc, out_dir)}", file=sys.stderr)
            return 1
        if args.json:
            print_json({"artifacts": results, "seconds": round(seconds, 3),
                        "request": job.request.to_dict()})
        else:
            for r in results:
                if r["kind"] == "text" and sys.stdout.isatty():
                    continue  # already streamed
                if r["kind"] == "text":
                    echo(r["text"])
                echo(r["path"], file=sys.stderr if r["kind"] == "text" else sys.stdout)
        return 0
    finally:
        studio.close()


def _cancel_or_abandon(studio: Studio, job_id: str) -> bool:
    """After Ctrl-C: cancel, and give the job a few seconds to stop.

    True when it stopped (its state says how); False when it was abandoned, after
    saying so in one line. A second Ctrl-C abandons it at once. The engine is shut
    down without waiting for a generator that ignores cancel, so the process can exit.
    """
    grace = cancel_grace()
    try:
        studio.engine.cancel(job_id)
        studio.engine.wait(job_id, timeout=grace)
        return True
    except TimeoutError:
        message = f"the job did not stop within {grace:g} s of the cancel and was abandoned"
    except KeyboardInterrupt:
        message = "interrupted again: the job was abandoned"
    print(f"studio: {message}", file=sys.stderr)
    try:
        studio.engine.shutdown(timeout=1.0)
    except KeyboardInterrupt:
        pass
    return False


def _artifact_json(art: Any, out_dir: Path | None) -> dict[str, Any]:
    data = artifact_json(art)
    if out_dir is not None:
        target = out_dir / Path(art.path).name
        copy_atomic(Path(art.path), target)
        data["path"] = str(target)
    return data


def check_out_dir(out_dir: Path, given: str) -> None:
    """Refuse an ``--out`` that is not, or cannot become, a writable folder.

    Creates nothing: a missing folder is made only when the results are copied.
    """
    probe = out_dir
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        what = "exists and is not a folder" if probe == out_dir else \
            f"cannot be created: {str(probe)!r} is not a folder"
        raise RequestError(f"--out {given!r} {what}")
    try:
        fd, tmp = tempfile.mkstemp(dir=probe, prefix=".studio-out-check-")
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        where = "" if probe == out_dir else f" (in {str(probe)!r})"
        raise RequestError(f"--out {given!r} is not writable{where}: "
                           f"{exc.strerror or exc}") from None


def copy_atomic(source: Path, target: Path) -> None:
    """Copy via a temp file in the target folder and a rename: never a partial file
    under the final name (a full disk leaves only the temp file, removed here)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out)
            out.flush()
            os.fsync(out.fileno())
        shutil.copystat(source, tmp)
        fault_point("generate.out.before_rename")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _copy_error(exc: OSError, out_dir: Path | None) -> str:
    where = f"to --out {str(out_dir)!r}"
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return f"no space left on device while copying the results {where} (they are " \
               "in the library)"
    return f"could not copy the results {where}: {exc.strerror or exc} (they are in the " \
           "library)"


class _StderrProgress:
    def __init__(self, stream_text: bool) -> None:
        self.stream_text = stream_text and sys.stdout.isatty()
        self.last = 0.0

    def __call__(self, event: Any) -> None:
        if event.kind != "progress" or event.stage == "saving":
            return
        if event.text and self.stream_text:
            sys.stdout.write(clean(event.text))
            sys.stdout.flush()
            return
        now = time.monotonic()
        if event.stage == "loading":
            print("loading model...", file=sys.stderr)
        elif event.total and (now - self.last > 0.5 or event.step == event.total):
            self.last = now
            eta = f" eta {event.eta:.0f}s" if event.eta is not None else ""
            print(f"step {event.step}/{event.total}{eta}", file=sys.stderr)
