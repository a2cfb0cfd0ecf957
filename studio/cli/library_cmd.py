"""``studio library list|show|delete|restore|favourite|rate|import|repair|frame``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from studio.app.studio import Studio
from studio.cli.output import clean, echo, print_json, print_table


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("library", help="browse and curate generated artifacts")
    psub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = psub.add_parser("list", help="newest first")
    ls.add_argument("--search", default=None, help="full-text search over prompts and texts")
    ls.add_argument("--kind", default=None, choices=("image", "text", "audio", "video"))
    ls.add_argument("--trash", action="store_true", help="list the trash instead")
    ls.add_argument("--favourites", action="store_true")
    ls.add_argument("--limit", type=int, default=50)
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=run_list)
    show = psub.add_parser("show", help="one artifact with its metadata")
    show.add_argument("id")
    show.set_defaults(func=run_show)
    for name, helptext in (("delete", "move to the trash (undo with restore)"),
                           ("restore", "take back out of the trash"),
                           ("favourite", "mark as favourite"),
                           ("unfavourite", "remove the favourite mark"),
                           ("keep", "mark as kept")):
        a = psub.add_parser(name, help=helptext)
        a.add_argument("id")
        a.set_defaults(func=run_action, action_name=name)
    rate = psub.add_parser("rate", help="rate 1 to 5")
    rate.add_argument("id")
    rate.add_argument("rating", type=int)
    rate.set_defaults(func=run_rate)
    frame = psub.add_parser(
        "frame", help="save one frame of a video as a PNG with its generation settings",
        description="Write frame N of a studio video (a library ID or an MP4/WebM file) as "
                    "a PNG carrying the A1111 parameters text and the studio metadata.")
    frame.add_argument("video", metavar="ID|FILE")
    frame.add_argument("--index", type=int, default=0,
                       help="frame number from 0; negative counts from the end (default 0)")
    frame.add_argument("-o", "--out", default=None,
                       help="PNG file or folder (default: ID-frameN.png here)")
    frame.set_defaults(func=run_frame)
    fix = psub.add_parser(
        "repair", help="rebuild a damaged index from the files' own metadata",
        description="Rebuild library.sqlite from the metadata every saved file carries "
                    "(PNG text chunk, Markdown front matter, FLAC comment), keeping "
                    "favourites, ratings and the trash where the old index can still be "
                    "read. The old index is backed up first.")
    fix.add_argument("--json", action="store_true", help="print the counts as JSON")
    fix.set_defaults(func=run_repair)
    imp = psub.add_parser(
        "import", help="add a folder of images made elsewhere (A1111, ComfyUI, ...)",
        description="Add every image under FOLDER (.png .jpg .jpeg .webp, recursively) with "
                    "its generation settings; each is recorded in the history at its "
                    "original time. Files already in the library are skipped.")
    imp.add_argument("folder", metavar="FOLDER")
    imp.add_argument("--dry-run", action="store_true", help="report only; write nothing")
    imp.add_argument("--link", action="store_true",
                     help="reference the files where they are instead of copying them "
                          "(the library never changes or deletes them)")
    imp.add_argument("--all", dest="include_all", action="store_true",
                     help="also import images without generation metadata (not recorded)")
    imp.add_argument("--json", action="store_true", help="print a JSON summary only")
    imp.set_defaults(func=run_import)


def run_list(args: argparse.Namespace) -> int:
    lib = Studio().library
    arts = lib.list(search=args.search, kind=args.kind, trashed=args.trash,
                    favourites=args.favourites, limit=args.limit)
    if args.json:
        print_json([a.to_dict() for a in arts])
        return 0
    print_table(
        [(a.id, a.kind, time.strftime("%Y-%m-%d %H:%M", time.localtime(a.created)),
          ("*" if a.favourite else "") + (str(a.rating) if a.rating else ""),
          _clip(a.prompt or a.text or "", 60)) for a in arts],
        ("ID", "KIND", "CREATED", "FAV/RATE", "PROMPT"),
    )
    return 0


def run_show(args: argparse.Namespace) -> int:
    print_json(Studio().library.get(args.id).to_dict())
    return 0


def run_action(args: argparse.Namespace) -> int:
    lib = Studio().library
    {
        "delete": lib.trash,
        "restore": lib.restore,
        "favourite": lambda i: lib.set_favourite(i, True),
        "unfavourite": lambda i: lib.set_favourite(i, False),
        "keep": lib.keep,
    }[args.action_name](args.id)
    return 0


def run_rate(args: argparse.Namespace) -> int:
    Studio().library.rate(args.id, args.rating)
    return 0


def run_frame(args: argparse.Namespace) -> int:
    from studio.app.frame_export import export_frame

    video = Path(args.video)
    if not video.is_file():
        studio = Studio()
        try:
            video = Path(studio.library.get(args.video).path)
        finally:
            studio.close()
    out = export_frame(video, args.index, Path(args.out) if args.out else None)
    print(out)
    return 0


def run_repair(args: argparse.Namespace) -> int:
    from studio.app.library_repair import repair

    studio = Studio()
    report = repair(studio.root)
    if args.json:
        print_json(report.to_dict())
        return 0
    print(f"repaired the library index: {report.seen} file(s) seen, {report.rebuilt} "
          f"rebuilt ({report.kept_state} with their favourite, rating and trash state), "
          f"{len(report.unreadable)} unreadable")
    if report.backup:
        echo(f"the old index was saved to {report.backup}")
    for path in report.unreadable:
        echo(f"  unreadable (left in place, not indexed): {path}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from studio.app.library_import import check_folder, import_folder

    folder = check_folder(args.folder)  # before anything is opened or written
    studio = Studio()
    bar = _ProgressBar() if not args.json and sys.stderr.isatty() else None
    try:
        summary = import_folder(studio, folder, link=args.link, dry_run=args.dry_run,
                                include_all=args.include_all, progress=bar)
    finally:
        if bar is not None:
            bar.end()
        studio.close()
    if args.json:
        print_json(summary.to_dict())
        return 0
    verb = "would import" if args.dry_run else "imported"
    echo(f"{verb} {summary.imported} of {summary.seen} image(s) from {folder}: "
          f"{summary.duplicates} duplicate(s), {len(summary.skipped)} skipped, "
          f"{summary.events} recorded in the history ({summary.seconds:.1f} s)")
    bad = [s for s in summary.skipped if s["reason"] != "no generation metadata"]
    if summary.no_metadata:
        print(f"{summary.no_metadata} image(s) carry no generation metadata and were "
              "skipped; --all imports them too")
    for item in summary.skipped:
        if item not in bad:
            echo(f"  {item['path']}: {item['reason']}")
    if bad:
        print(f"{len(bad)} file(s) could not be imported:")
        for item in bad:
            echo(f"  {item['path']}: {item['reason']}")
    return 0


class _ProgressBar:
    """``importing 340/1000 name`` on one terminal line, redrawn at most 10 times a second."""

    def __init__(self) -> None:
        self._last = 0.0
        self._drawn = False

    def __call__(self, done: int, total: int, path: Path) -> None:
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        width = 24
        filled = width * done // max(total, 1)
        line = f"\r importing {done}/{total} [{'#' * filled}{'.' * (width - filled)}] "
        sys.stderr.write(line + _clip(path.name, 40).ljust(40))
        sys.stderr.flush()
        self._drawn = True

    def end(self) -> None:
        if self._drawn:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _clip(text: str, n: int) -> str:
    text = " ".join(clean(text, inline=True).split())
    return text if len(text) <= n else text[: n - 1] + "…"
