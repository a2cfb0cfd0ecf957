"""``studio profile show|export|forget|repair|import|pause|resume|encrypt|eval``.

Everything here reads and writes the local data folder only; docs/privacy.md
describes what is stored and how to erase it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

from studio.api import StudioError
from studio.app.settings import write_atomic
from studio.app.studio import Studio
from studio.cli.output import echo, print_json, print_table


def add_parser(sub: argparse._SubParsersAction) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--passphrase", default=None,
                        help="passphrase of an encrypted history (or set STUDIO_PASSPHRASE)")
    p = sub.add_parser("profile", help="what Studio has learned about you, and privacy controls")
    psub = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    show = psub.add_parser("show", parents=[common],
                           help="what Studio believes about you, with the evidence")
    show.add_argument("--json", action="store_true", help="machine-readable")
    show.add_argument("--no-embed", action="store_true",
                      help="skip computing embeddings (taste clusters) for new texts")
    show.set_defaults(func=run_show)

    exp = psub.add_parser("export", parents=[common],
                          help="write the whole history and profile to a JSON file")
    exp.add_argument("--out", required=True, type=Path, help="the JSON file to write")
    exp.set_defaults(func=run_export)

    forget = psub.add_parser(
        "forget", parents=[common],
        help="erase the history and everything derived from it (or one item / term)")
    what = forget.add_mutually_exclusive_group(required=True)
    what.add_argument("--yes", action="store_true",
                      help="erase everything: events, profile, embeddings, backups")
    what.add_argument("--item", metavar="ID",
                      help="erase the events about one artifact (or imported id)")
    what.add_argument("--term", metavar="WORD",
                      help="erase the events whose text contains WORD (whole words)")
    forget.add_argument("--include-library", action="store_true",
                        help="with --yes: also delete every artifact in the library and its "
                             "files (your images and texts), and the job queue")
    forget.set_defaults(func=run_forget)

    emb = psub.add_parser("embed", parents=[common],
                          help="compute the embeddings of new prompts and texts (taste "
                               "clusters); the window runs this in the background")
    emb.set_defaults(func=run_embed)

    rep = psub.add_parser(
        "repair", help="replace a damaged history by a new one with the events that can "
                       "still be read (the damaged file is kept as a copy)")
    rep.set_defaults(func=run_repair)

    imp = psub.add_parser(
        "import", parents=[common],
        help="import a JSONL history; all or nothing: any bad line (reported with its "
             "line number) means nothing is imported")
    imp.add_argument("--history", required=True, type=Path, metavar="FILE.jsonl")
    imp.add_argument("--user", default=None,
                     help="import only this user's lines (required if the file has several)")
    imp.add_argument("--again", action="store_true",
                     help="import a file that was imported before")
    imp.set_defaults(func=run_import)

    for name, helptext in (("pause", "stop recording your actions (persisted)"),
                           ("resume", "record your actions again")):
        a = psub.add_parser(name, help=helptext)
        a.set_defaults(func=run_recording, on=name == "resume")

    enc = psub.add_parser("encrypt", parents=[common],
                          help="encrypt the existing history with a passphrase")
    enc.set_defaults(func=run_encrypt)

    ev = psub.add_parser("eval", help="offline replay evaluation of the suggestions")
    ev.add_argument("--history", required=True, type=Path, metavar="FILE.jsonl")
    ev.add_argument("--k", type=int, default=5, help="list length scored (hit-rate@k)")
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(func=run_eval)


def _studio(args: argparse.Namespace) -> Studio:
    return Studio(passphrase=getattr(args, "passphrase", None))


def run_show(args: argparse.Namespace) -> int:
    studio = _studio(args)
    try:
        profile = studio.profile
        if not args.no_embed and profile.pending:
            profile.embed_pending()
        if args.json:
            data = profile.to_dict()
            data["recording"] = studio.recording
            data["encrypted"] = studio.history.encrypted
            print_json(data)
        else:
            for line in profile.describe():
                echo(line)  # prompts and terms the user typed (issue #10)
            print(f"Recording: {'on' if studio.recording else 'paused'}; encryption at rest: "
                  f"{'on' if studio.history.encrypted else 'off'}.")
    finally:
        studio.close()
    return 0


def run_embed(args: argparse.Namespace) -> int:
    studio = _studio(args)
    try:
        n = studio.profile.embed_pending() if studio.profile.pending else 0
        print(f"embedded {n} text(s).")
    finally:
        studio.close()
    return 0


def run_export(args: argparse.Namespace) -> int:
    studio = _studio(args)
    try:
        log = studio.history
        profile = studio.profile
        data: dict[str, Any] = {
            "format": "studio-history-export",
            "version": 1,
            "exported_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "encrypted_at_rest": log.encrypted,
            "settings": {"recording": studio.settings.recording,
                         "half_life_days": studio.settings.half_life_days},
            "events": [e.to_dict() for e in log.events()],
            "profile": profile.to_dict(),
            "embeddings": [{"hash": h, "model": m, "vector": [round(float(x), 6) for x in v]}
                           for h, m, v in log.vectors()],
        }
        payload = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
        write_atomic(args.out, payload)
        # The export holds everything, in clear: readable by the user only.
        os.chmod(args.out, 0o600)
    finally:
        studio.close()
    echo(f"exported {len(data['events'])} events and the profile to {args.out} "
          "(unencrypted: keep it somewhere safe)")
    return 0


def run_forget(args: argparse.Namespace) -> int:
    studio = _studio(args)
    try:
        log = studio.history
        if args.yes:
            removed = log.erase()
            print(f"erased the history, the profile, all embeddings and the suggestions "
                  f"({len(removed)} file(s) overwritten and removed).")
            from studio.app.personal_loras import forget_all

            loras = forget_all(studio.root)  # trained on the user's images: derived data
            if loras:
                print(f"deleted {loras} personal LoRA(s) trained on your images.")
            if args.include_library:
                n = studio.library.erase()
                queue = studio.root / "queue.sqlite"
                for suffix in ("", "-wal", "-shm"):
                    queue.with_name(queue.name + suffix).unlink(missing_ok=True)
                print(f"erased the library ({n} artifact(s) and their files) and the queue.")
            else:
                print("Your artifacts in the library are kept (they hold their prompts); "
                      "add --include-library to erase them too.")
            return 0
        if args.item is not None:  # "" is a (bad) item, not "no item": never a --term None
            if not args.item.strip():
                raise StudioError("--item needs the id of an artifact or imported item")
            n = log.forget_item(args.item)
            echo(f"erased {n} event(s) about {args.item}.")
            from studio.app.personal_loras import mark_stale

            for name in mark_stale(studio.root, args.item):
                echo(f"personal LoRA {name} was trained on it and is now marked stale: "
                     f"retrain it with `studio personalize train image --name {name}`.")
        else:
            n = log.forget_term(args.term)
            print(f"erased {n} event(s) mentioning {args.term!r}.")
            if n:
                from studio.app.personal_loras import mark_unrecorded

                recorded = {a for ev in log.events(types=["generate"])
                            for a in (ev.get("artifacts") or []) if isinstance(a, str)}
                for name in mark_unrecorded(studio.root, recorded):
                    echo(f"personal LoRA {name} was trained on an image whose events were "
                         f"erased and is now marked stale: retrain it with `studio "
                         f"personalize train image --name {name}`.")
        if n:
            studio.profile.rebuild()
    finally:
        studio.close()
    return 0


def run_import(args: argparse.Namespace) -> int:
    from studio.app.history.importer import import_history

    studio = _studio(args)
    try:
        report = import_history(studio.history, args.history, user=args.user,
                                allow_repeat=args.again)
        studio.profile  # noqa: B018 - catch up now, so the snapshot is saved on close
    finally:
        studio.close()
    kinds = ", ".join(f"{n} {t}" for t, n in sorted(report.by_type.items()))
    echo(f"imported {report.imported} events ({kinds}) from {args.history}")
    if report.other_users_skipped:
        print(f"skipped {report.other_users_skipped} lines of other users")
    if report.dangling_targets:
        print(f"note: {report.dangling_targets} actions target ids with no generate in the file")
    return 0


def run_repair(args: argparse.Namespace) -> int:
    from studio.app.history import HISTORY_FILE
    from studio.app.history.eventlog import repair
    from studio.app.suggest.service import forget_files

    root = Studio().root
    kept, copy = repair(root / HISTORY_FILE)
    # Derived files may describe events that were not salvaged: rebuilt on next start.
    forget_files(root, everything=False)
    print(f"started a new history with the {kept} event(s) that could be read; "
          f"the damaged file is kept at {copy}")
    return 0


def run_recording(args: argparse.Namespace) -> int:
    studio = Studio()
    studio.set_recording(args.on)
    print("recording resumed" if args.on else
          "recording paused: your actions are not recorded until `studio profile resume`")
    return 0


def run_encrypt(args: argparse.Namespace) -> int:
    passphrase = args.passphrase or os.environ.get("STUDIO_PASSPHRASE")
    if not passphrase:
        raise StudioError("give the passphrase with --passphrase or STUDIO_PASSPHRASE")
    from studio.app.history import HISTORY_FILE, EventLog
    from studio.app.suggest.service import forget_files

    # Opened without the passphrase: the history is still in clear.
    root = Studio().root
    log = EventLog(root / HISTORY_FILE)
    try:
        n = log.encrypt(passphrase)
    finally:
        log.close()
    # The suggestions' snapshot was written in clear: it goes (rebuilt, sealed, on
    # the next start), like the profile snapshot the log drops itself.
    forget_files(root, everything=False)
    print(f"encrypted {n} events. Keep the passphrase: there is no way to recover it.")
    return 0


def run_eval(args: argparse.Namespace) -> int:
    try:
        from studio.app.suggest.replay import evaluate
    except ModuleNotFoundError as exc:
        if exc.name in ("studio.app.suggest", "studio.app.suggest.replay"):
            print("studio: replay evaluation is not available", file=sys.stderr)
            return 2
        raise
    result = evaluate(args.history, args.k)
    if args.json:
        print_json(result)
        return 0
    rows = []
    for key, value in result.items():
        if key == "next_edit":  # its own events, and its systems one row each
            rows.append((key, "events", _fmt(value["events"])))
            for sub, v in value["systems"].items():
                rows.append((key, sub, _fmt(v)))
        elif isinstance(value, dict):
            for sub, v in value.items():
                rows.append((key, sub, _fmt(v)))
        else:
            rows.append((key, "", _fmt(value)))
    print_table(rows, ("WHAT", "", "VALUE"))
    return 0


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, dict):
        return "  ".join(f"{k}={_fmt(v)}" for k, v in value.items())
    if isinstance(value, list):
        return json.dumps(value, default=str)
    return str(value)
