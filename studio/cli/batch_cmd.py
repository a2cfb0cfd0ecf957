"""``studio batch FILE``: many requests from one file, queued at once, resumable.

Every entry is checked before any is queued (a bad one: ``FILE:LINE: what is wrong``,
exit 2). A journal in the data folder records each finished entry, so running the
same file again skips what is done and retries what failed; ``--restart`` ignores it.
Exit codes: 0 all done, 1 some failed, 2 bad input, 130 interrupted (docs/batch.md).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any, TextIO

from studio.api import StudioError
from studio.app.batch import BatchRun, Journal, Outcome, Progress
from studio.app.batch_files import prepare_entries, read_batch
from studio.app.jobs import CANCELLED, DONE
from studio.app.studio import Studio
from studio.cli.output import echo, one_line, print_json
from studio.cli.requests import artifact_json, cancel_grace

log = logging.getLogger(__name__)

BAR_WIDTH = 24


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "batch", help="queue many requests from a file; run it again to resume",
        description="Queue every request of FILE: JSONL or JSON/YAML requests in the shape "
                    "'generate --json' prints under 'request', or a prompt matrix "
                    "(docs/batch.md). Running the same file again skips what is done.")
    p.add_argument("file", metavar="FILE", help="the batch file (.jsonl, .json, .yaml, .txt)")
    p.add_argument("--restart", action="store_true",
                   help="run every entry again, ignoring what an earlier run finished")
    p.add_argument("--json", action="store_true",
                   help="no progress; print the summary as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    content, entries = read_batch(Path(args.file))
    studio = Studio(backend="thread")
    try:
        requests = prepare_entries(studio.engine, entries, args.file,
                                   base=Path(args.file).resolve().parent)
        journal = Journal.open(studio.root, content, str(Path(args.file).resolve()),
                               len(entries), restart=args.restart)
        if journal.warning:
            print(f"studio: {one_line(journal.warning)}", file=sys.stderr)
        view = _ProgressView(args.file, enabled=not args.json)
        batch = BatchRun(studio.engine, entries, requests, journal,
                         on_outcome=view.outcome, on_tick=view.tick)
        if batch.progress.earlier and not args.json:
            print(f"resuming: {batch.progress.earlier} of {len(entries)} already done",
                  file=sys.stderr)
        try:
            batch.run()
        except KeyboardInterrupt:
            view.clear()
            _stop(studio, batch)
            _summary(studio, batch, args)
            p = batch.progress
            print(f"studio: interrupted: {p.done} of {p.total} done, {p.failed} failed; run "
                  f"'studio batch {one_line(args.file)}' again to resume", file=sys.stderr)
            return 130
        view.clear()
        _summary(studio, batch, args)
        # Not "no failures": a job cancelled from elsewhere is not done either.
        return 0 if batch.progress.done == batch.progress.total else 1
    finally:
        studio.close()


def _stop(studio: Studio, batch: BatchRun) -> None:
    """After Ctrl-C: cancel the batch's jobs and give the running ones a few seconds;
    a second Ctrl-C, or a generator that ignores the cancel, abandons them."""
    grace = cancel_grace()
    try:
        if batch.stop(grace):
            return
        message = f"a job did not stop within {grace:g} s of the cancel and was abandoned"
    except KeyboardInterrupt:
        message = "interrupted again: the running job was abandoned"
    print(f"studio: {message}", file=sys.stderr)
    try:
        studio.engine.shutdown(timeout=1.0)
    except KeyboardInterrupt:
        pass


def _summary(studio: Studio, batch: BatchRun, args: argparse.Namespace) -> None:
    artifacts: list[dict[str, Any]] = []
    errors = []
    for index in sorted(batch.outcomes):
        outcome = batch.outcomes[index]
        if outcome.state == DONE:
            artifacts += [artifact_json(a) for a in _artifacts(studio, outcome)]
        elif not outcome.earlier and outcome.state != CANCELLED:
            errors.append({"index": index, "line": outcome.entry.line,
                           "job": outcome.job_id, "error": outcome.error})
    p = batch.progress
    if args.json:
        print_json({"jobs": p.total, "done": p.done, "failed": p.failed,
                    "artifacts": artifacts, "errors": errors})
        return
    for art in artifacts:
        echo(art["path"])
    earlier = f" ({p.earlier} in an earlier run)" if p.earlier else ""
    print(f"batch: {p.total} jobs, {p.done} done{earlier}, {p.failed} failed", file=sys.stderr)
    if p.failed:
        print(f"run 'studio batch {one_line(args.file)}' again to retry the failed ones",
              file=sys.stderr)


def _artifacts(studio: Studio, outcome: Outcome) -> list[Any]:
    if not outcome.earlier:
        return outcome.artifacts
    found = []
    for artifact_id in outcome.artifact_ids:
        try:
            found.append(studio.library.get(artifact_id))
        except StudioError:
            log.info("artifact %s of batch entry %d is no longer in the library",
                     artifact_id, outcome.entry.index)
    return found


class _ProgressView:
    """A bar redrawn in place on a terminal; a line per finished job elsewhere; nothing
    under ``--json``. Failures are one line each, above the bar."""

    def __init__(self, name: str, enabled: bool, stream: TextIO | None = None) -> None:
        self.name = name
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.shown = ""

    def outcome(self, outcome: Outcome, progress: Progress) -> None:
        if not self.enabled:
            return
        if outcome.state not in (DONE, CANCELLED):
            self.clear()
            print(f"studio: {one_line(self.name)}:{outcome.entry.line}: entry "
                  f"{outcome.entry.index + 1} {outcome.state}: {one_line(outcome.error)}",
                  file=self.stream)
        if not self.tty:
            print(status_line(progress), file=self.stream)
        else:
            self.tick(progress)

    def tick(self, progress: Progress) -> None:
        if not (self.enabled and self.tty):
            return
        text = status_line(progress)
        if text != self.shown:
            pad = " " * max(0, len(self.shown) - len(text))
            self.stream.write(f"\r{text}{pad}")
            self.stream.flush()
            self.shown = text

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * len(self.shown) + "\r")
            self.stream.flush()
            self.shown = ""


def status_line(progress: Progress) -> str:
    """``[#####     ] 12/40 done, 1 failed, ETA 3m``."""
    finished = progress.done + progress.failed
    filled = BAR_WIDTH * finished // progress.total if progress.total else BAR_WIDTH
    bar = "#" * filled + " " * (BAR_WIDTH - filled)
    text = f"[{bar}] {progress.done}/{progress.total} done, {progress.failed} failed"
    eta = progress.eta
    if eta is not None:
        text += f", ETA {format_eta(eta)}"
    return text


def format_eta(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{round(seconds / 60)}m"
    return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"
