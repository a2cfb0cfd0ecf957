"""Install and uninstall third-party plugin packs without touching the studio's own packages.

Before anything is installed the wheel is read (``zipfile``): it must declare an
entry point in the group ``studio.plugins``, and the module each entry point names
must assign ``STUDIO_API_VERSION`` the API this studio speaks (read from the
source with ``ast``, never imported). A requirement the pack puts on ``studio``
itself must accept this studio's version.

Then pip runs in a subprocess, twice: a ``--dry-run --report`` first, refused when
it would install, upgrade or downgrade any distribution the studio already has
(its torch above all); then the install, against a constraints file that pins every
installed distribution at its version, so the resolver cannot move one either.

With ``--target`` packs go into a folder instead: ``<data>/plugins`` is the one
the plugin host puts on ``sys.path`` (``extend_sys_path``). ``--target`` ignores what is
installed, so the dry run is resolved against the studio's environment and pip is
then given exactly its plan with ``--no-deps``: the pack alone when the studio
satisfies its dependencies, else the pack and the new dependencies the plan names,
never a second copy of a studio package.

A frozen app has no pip: a pure-Python pack wheel whose dependencies the app
already satisfies is unpacked into ``<data>/plugins``; any other is refused with
what it lacks. Nothing is installed implicitly: only ``install`` does it, and a
restart picks the pack up.
"""

from __future__ import annotations

import ast
import configparser
import email.parser
import importlib.metadata as md
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from packaging.markers import default_environment
from packaging.requirements import InvalidRequirement, Requirement

from studio import __version__ as STUDIO_VERSION
from studio.api import API_VERSION, StudioError
from studio.app.paths import data_dir
from studio.app.plugins import BUILTIN_DISTRIBUTIONS, ENTRY_POINT_GROUP

log = logging.getLogger(__name__)

ENV_PLUGINS_DIR = "STUDIO_PLUGINS_DIR"  # where --target installs go (tests, portable apps)
PIP_TIMEOUT_S = 900.0
RESTART_NOTICE = "restart Studio to load it"

ProgressFn = Callable[[str], None]


@dataclass
class PackWheel:
    """What a wheel says about itself, read before anything is installed."""

    path: Path
    dist: str
    version: str
    entry_points: dict[str, str]  # pack id -> "module" or "module:attr"
    api_versions: dict[str, int | None]  # pack id -> its STUDIO_API_VERSION
    requires: list[str] = field(default_factory=list)


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def plugins_dir() -> Path:
    """The folder a frozen app (or ``--target``) installs packs into."""
    override = os.environ.get(ENV_PLUGINS_DIR)
    return Path(override) if override else data_dir() / "plugins"


def extend_sys_path() -> Path | None:
    """Put the plugins folder on ``sys.path`` (after site-packages) when it exists."""
    folder = plugins_dir()
    if folder.is_dir() and str(folder) not in sys.path:
        sys.path.append(str(folder))
        return folder
    return None


# -- reading a wheel ----------------------------------------------------------------------


def read_wheel(path: Path) -> PackWheel:
    """The pack a wheel holds, or a one-line ``StudioError`` saying why it is not one."""
    path = Path(path)
    if not path.is_file():
        raise StudioError(f"no such file: {path}")
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            infos = sorted({n.split("/", 1)[0] for n in names
                            if n.split("/", 1)[0].endswith(".dist-info") and "/" in n})
            if len(infos) != 1:
                raise StudioError(f"{path.name} is not a wheel (it holds {len(infos)} "
                                  ".dist-info folders, a wheel holds one)")
            info = infos[0]
            meta = email.parser.Parser().parsestr(_read(zf, f"{info}/METADATA", path))
            entry_text = _read(zf, f"{info}/entry_points.txt", path, missing_ok=True)
            sources = {n: zf.read(n) for n in names if n.endswith(".py")}
    except (zipfile.BadZipFile, OSError) as exc:
        raise StudioError(f"{path.name} is not a readable wheel: {exc}") from None
    dist, version = meta.get("Name", ""), meta.get("Version", "")
    if not dist or not version:
        raise StudioError(f"{path.name} is not a wheel: its METADATA names no distribution")
    eps = _entry_points(entry_text)
    if not eps:
        raise StudioError(f"{path.name} ({dist}) is not a Studio pack: it declares no entry "
                          f"point in the group {ENTRY_POINT_GROUP!r}")
    api = {name: _declared_api(value, sources) for name, value in eps.items()}
    return PackWheel(path, dist, version, eps, api, list(meta.get_all("Requires-Dist") or []))


def _read(zf: zipfile.ZipFile, name: str, path: Path, missing_ok: bool = False) -> str:
    try:
        return zf.read(name).decode("utf-8", "replace")
    except KeyError:
        if missing_ok:
            return ""
        raise StudioError(f"{path.name} is not a wheel: {name} is missing") from None


def _entry_points(text: str) -> dict[str, str]:
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # names keep their case
    try:
        parser.read_string(text)
    except configparser.Error:
        return {}
    if not parser.has_section(ENTRY_POINT_GROUP):
        return {}
    return {k.strip(): v.strip() for k, v in parser.items(ENTRY_POINT_GROUP)}


def _declared_api(value: str, sources: dict[str, bytes]) -> int | None:
    """``STUDIO_API_VERSION`` as the entry point's module assigns it, from its source."""
    module = value.split(":", 1)[0].strip()
    parts = module.split(".")
    for candidate in ("/".join(parts) + ".py", "/".join([*parts, "__init__.py"])):
        source = sources.get(candidate)
        if source is None:
            continue
        try:
            tree = ast.parse(source)
        except SyntaxError:
            return None
        for node in tree.body:
            targets = (node.targets if isinstance(node, ast.Assign)
                       else [node.target] if isinstance(node, ast.AnnAssign) else [])
            if any(isinstance(t, ast.Name) and t.id == "STUDIO_API_VERSION" for t in targets):
                value_node = node.value
                if isinstance(value_node, ast.Constant) and isinstance(value_node.value, int):
                    return int(value_node.value)
                return None
        return None
    return None


def check_compatible(pack: PackWheel) -> None:
    """Refuse a pack built for another plugin API or another studio version."""
    for name, declared in pack.api_versions.items():
        where = pack.entry_points[name].split(":", 1)[0]
        if declared is None:
            raise StudioError(f"{pack.dist} {pack.version} declares no STUDIO_API_VERSION "
                              f"(an integer) in {where}; it cannot be checked, so it is refused")
        if declared > API_VERSION:
            raise StudioError(f"{pack.dist} {pack.version} needs plugin API {declared}; this "
                              f"Studio speaks {API_VERSION}: update Studio first")
        if declared != API_VERSION:
            raise StudioError(f"{pack.dist} {pack.version} was built for plugin API {declared}; "
                              f"this Studio speaks {API_VERSION}: get a newer version of the pack")
    env = default_environment()
    for line in pack.requires:
        try:
            req = Requirement(line)
        except InvalidRequirement:
            raise StudioError(f"{pack.dist} has a requirement pip cannot read: {line!r}") from None
        if normalize(req.name) != "studio" or (req.marker and not req.marker.evaluate(env)):
            continue
        if req.specifier and not req.specifier.contains(STUDIO_VERSION, prereleases=True):
            raise StudioError(f"{pack.dist} {pack.version} needs studio{req.specifier}; this is "
                              f"Studio {STUDIO_VERSION}")


# -- the host's distributions ------------------------------------------------------------------


def host_distributions() -> dict[str, str]:
    """Every distribution the studio runs with: normalized name -> version."""
    found: dict[str, str] = {}
    for dist in md.distributions():
        name = dist.metadata["Name"] if dist.metadata else None
        if name and normalize(name) not in found:
            found[normalize(name)] = dist.version
    return found


def constraints_text(host: dict[str, str], skip: Iterable[str] = ()) -> str:
    """``name==version`` for every host distribution (the pack's own left out)."""
    skipped = {normalize(s) for s in skip}
    return "".join(f"{n}=={v}\n" for n, v in sorted(host.items()) if n not in skipped)


def missing_dependencies(pack: PackWheel, host: dict[str, str]) -> list[str]:
    """The pack's requirements the studio's distributions do not satisfy."""
    env = {**default_environment(), "extra": ""}
    missing = []
    for line in pack.requires:
        try:
            req = Requirement(line)
        except InvalidRequirement:
            missing.append(line)
            continue
        if req.marker and not req.marker.evaluate(env):
            continue
        have = host.get(normalize(req.name))
        if have is None or not req.specifier.contains(have, prereleases=True):
            missing.append(str(req))
    return missing


def unpack_wheel(wheel: Path, folder: Path) -> int:
    """Install a pure-Python wheel by unpacking it into ``folder`` (no pip); the count
    of files written. Its RECORD is rewritten to the paths written, for uninstall."""
    folder.mkdir(parents=True, exist_ok=True)
    root = folder.resolve()
    written: list[str] = []
    with zipfile.ZipFile(wheel) as zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        wheel_meta = next((i for i in infos if i.filename.endswith(".dist-info/WHEEL")), None)
        text = zf.read(wheel_meta).decode("utf-8", "replace") if wheel_meta else ""
        if "Root-Is-Purelib: true" not in text:
            raise StudioError(f"{wheel.name} holds compiled code; this build of Studio "
                              "installs pure-Python packs only")
        plan: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
        for info in infos:
            name = PurePosixPath(info.filename)
            if name.is_absolute() or ".." in name.parts:
                raise StudioError(f"{wheel.name} holds a path outside its folder: {name}")
            if name.parts[0].endswith(".data"):
                if len(name.parts) < 3 or name.parts[1] not in ("purelib", "platlib"):
                    continue  # scripts, headers, data: nothing a pack needs in the app
                name = PurePosixPath(*name.parts[2:])
            if name.name == "RECORD" and name.parent.name.endswith(".dist-info"):
                continue  # rewritten below
            plan.append((info, name))
        for info, name in plan:
            dest = root.joinpath(*name.parts)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(zf.read(info))
            written.append(str(name))
    info_dir = next(PurePosixPath(n).parent for n in written if n.endswith(".dist-info/METADATA"))
    extra = {f"{info_dir}/INSTALLER": "studio\n"}
    for name, content in extra.items():
        root.joinpath(*PurePosixPath(name).parts).write_text(content, encoding="utf-8")
        written.append(name)
    record = info_dir / "RECORD"
    record_lines = [f"{n},," for n in [*written, str(record)]]
    root.joinpath(*record.parts).write_text("\n".join(record_lines) + "\n", encoding="utf-8")
    return len(written)


# -- install ------------------------------------------------------------------------------------


def _pip() -> list[str]:
    if getattr(sys, "frozen", False):
        raise StudioError("this build of Studio has no pip: it installs packs from a "
                          ".whl file, not by name")
    return [sys.executable, "-m", "pip"]


def _run_pip(args: list[str], what: str, timeout: float = PIP_TIMEOUT_S) -> str:
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1",
           "PIP_PROGRESS_BAR": "off"}
    try:
        proc = subprocess.run([*_pip(), *args], capture_output=True, text=True, env=env,
                              stdin=subprocess.DEVNULL, timeout=timeout, encoding="utf-8",
                              errors="replace")
    except subprocess.TimeoutExpired:
        raise StudioError(f"pip did not finish {what} within {timeout:g} s") from None
    except OSError as exc:
        raise StudioError(f"pip could not be started: {exc.strerror or exc}") from None
    if proc.returncode != 0:
        raise StudioError(f"{what} failed: {pip_error(proc.stderr)}")
    return proc.stdout


def pip_error(stderr: str) -> str:
    """pip's message, as one line: the line that names the problem."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    useful = [ln for ln in lines if ln.startswith("ERROR:") and "dependency resolver" not in ln]
    conflict = [ln for ln in lines if ln.startswith("The conflict is caused by")]
    if conflict:
        idx = lines.index(conflict[0])
        detail = "; ".join(lines[idx + 1: idx + 4])
        return f"it conflicts with the studio's packages ({detail})"
    if useful:
        return useful[-1].removeprefix("ERROR:").strip()
    return lines[-1] if lines else "pip gave no reason"


def fetch(spec: str, folder: Path) -> Path:
    """``spec`` (a name, ``name==version``) downloaded as a wheel into ``folder``."""
    try:
        Requirement(spec)
    except InvalidRequirement:
        raise StudioError(f"{spec!r} is neither a wheel file nor a pack name") from None
    _run_pip(["download", "--no-deps", "--only-binary", ":all:", "--quiet", "-d",
              str(folder), spec], f"fetching {spec}")
    wheels = sorted(folder.glob("*.whl"))
    if not wheels:
        raise StudioError(f"fetching {spec} gave no wheel")
    return wheels[0]


def dry_run(wheel: Path) -> list[dict[str, Any]]:
    """What pip would install for ``wheel`` beside the studio's distributions: the
    report's ``install`` entries. No constraints here: a change must show as one."""
    args = ["install", "--dry-run", "--quiet", "--report", "-"]
    out = _run_pip([*args, str(wheel)], "checking what the pack would install")
    start = out.find("{")
    try:
        report = json.loads(out[start:]) if start >= 0 else {}
    except ValueError:
        raise StudioError("pip's dry run gave a report that cannot be read") from None
    return list(report.get("install") or [])


def changes_to_host(plan: list[dict[str, Any]], host: dict[str, str],
                    pack_dist: str) -> list[str]:
    """``name old -> new`` for every host distribution the plan would reinstall."""
    changes = []
    for item in plan:
        meta = item.get("metadata") or {}
        name, version = normalize(meta.get("name", "")), meta.get("version", "")
        if not name or name == normalize(pack_dist) or name not in host:
            continue
        if version != host[name]:
            changes.append(f"{meta.get('name')} {host[name]} -> {version}")
        # The same version again (--target reinstalls what the studio has) is only a
        # copy: the folder comes after the studio's own on sys.path, so it never wins.
    return changes


def install(spec: str, target: Path | None = None,
            progress: ProgressFn | None = None) -> PackWheel:
    """Install the pack in ``spec`` (a wheel path or a name); returns what was installed.

    ``target``: install into that folder (``--target``) instead of the studio's
    environment; a frozen app always does, into ``plugins_dir()``.
    """
    report = progress or (lambda line: log.info("%s", line))
    if getattr(sys, "frozen", False) and target is None:
        target = plugins_dir()
    with tempfile.TemporaryDirectory(prefix="studio-pack-") as tmp:
        tmp_dir = Path(tmp)
        path = Path(spec).expanduser()
        if spec.endswith(".whl") or path.is_file():
            wheel = path
        elif path.is_dir():
            raise StudioError(f"{spec} is a folder; build it into a wheel first "
                              "(pip wheel --no-deps --no-build-isolation FOLDER)")
        else:
            report(f"fetching {spec}")
            wheel = fetch(spec, tmp_dir / "download")
        pack = read_wheel(wheel)
        check_compatible(pack)
        report(f"{pack.dist} {pack.version}: packs {', '.join(sorted(pack.entry_points))}, "
               f"plugin API {API_VERSION}")
        host = host_distributions()
        builtin = {normalize(d) for d in BUILTIN_DISTRIBUTIONS} | {"studio"}
        if normalize(pack.dist) in builtin:
            raise StudioError(f"{pack.dist} is part of Studio itself; it is not installed "
                              "as a pack")
        if getattr(sys, "frozen", False):
            # No pip in a bundled app: a pure-Python pack whose dependencies the app
            # already satisfies is unpacked into the plugins folder; anything else
            # is refused, naming what it lacks.
            missing = missing_dependencies(pack, host)
            if missing:
                raise StudioError(f"{pack.dist} {pack.version} needs {', '.join(missing)}, "
                                  "which this build of Studio does not have; refused, "
                                  "nothing installed")
            count = unpack_wheel(wheel, target or plugins_dir())
            report(f"unpacked {count} files of {pack.dist} into {target or plugins_dir()}")
            report(f"installed {pack.dist} {pack.version}; {RESTART_NOTICE}")
            return pack
        constraints = tmp_dir / "constraints.txt"
        constraints.write_text(constraints_text(host, skip=[pack.dist]), encoding="utf-8")
        report("checking that no package of the studio would change (pip dry run)")
        # Resolved against the studio's environment, so the plan holds only what is new.
        plan = dry_run(wheel)
        changes = changes_to_host(plan, host, pack.dist)
        if changes:
            raise StudioError(f"{pack.dist} {pack.version} would change the studio's own "
                              f"packages ({', '.join(changes)}); refused, nothing installed")
        new = [" ".join(str((i.get("metadata") or {}).get(k, "?")) for k in ("name", "version"))
               for i in plan]
        report(f"installing {', '.join(new)}")
        args = ["install", "--quiet", "-c", str(constraints)]
        extra: list[str] = []
        if target is not None:
            # --target ignores what is installed, so pip is given exactly the plan.
            target.mkdir(parents=True, exist_ok=True)
            args += ["--target", str(target), "--no-deps", "--upgrade"]
            extra = [f"{m['name']}=={m['version']}" for m in
                     (i.get("metadata") or {} for i in plan)
                     if m.get("name") and normalize(m["name"]) != normalize(pack.dist)]
        _run_pip([*args, str(wheel), *extra], f"installing {pack.dist}")
    report(f"installed {pack.dist} {pack.version}; {RESTART_NOTICE}")
    return pack


# -- uninstall ----------------------------------------------------------------------------------


def find_pack(name: str) -> md.Distribution:
    """The installed distribution of a pack, by pack id or distribution name."""
    wanted = normalize(name)
    extend_sys_path()
    for dist in md.distributions():
        dist_name = (dist.metadata["Name"] if dist.metadata else "") or ""
        ids = [ep.name for ep in dist.entry_points if ep.group == ENTRY_POINT_GROUP]
        if normalize(dist_name) == wanted or name in ids:
            if not ids:
                raise StudioError(f"{dist_name} is not a Studio pack; it is not uninstalled "
                                  "from here")
            return dist
    raise StudioError(f"no installed pack named {name!r} (by pack id or distribution name)")


def uninstall(name: str, progress: ProgressFn | None = None) -> str:
    """Remove an installed third-party pack; returns its distribution name."""
    report = progress or (lambda line: log.info("%s", line))
    dist = find_pack(name)
    dist_name = dist.metadata["Name"]
    if normalize(dist_name) in {normalize(d) for d in BUILTIN_DISTRIBUTIONS}:
        raise StudioError(f"{dist_name} is built into Studio; disable it instead "
                          "(studio plugins disable)")
    location = Path(str(dist.locate_file(""))).resolve()
    folder = plugins_dir().resolve()
    if location == folder or _in_folder(location, folder) or not _in_site_packages(location):
        removed = _remove_by_record(dist, location)
        report(f"removed {removed} files of {dist_name} from {location}")
    else:
        _run_pip(["uninstall", "--yes", "--quiet", dist_name], f"uninstalling {dist_name}")
    report(f"uninstalled {dist_name}; {RESTART_NOTICE}")
    return dist_name


def _in_folder(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def _in_site_packages(location: Path) -> bool:
    import site

    dirs = [Path(p).resolve() for p in site.getsitepackages()]
    return any(location == d for d in dirs)


def _remove_by_record(dist: md.Distribution, location: Path) -> int:
    """Remove the files a ``--target`` install wrote, as its RECORD lists them."""
    files = dist.files or []
    removed = 0
    folders: set[Path] = set()
    for entry in files:
        path = Path(str(dist.locate_file(entry))).resolve()
        if not _in_folder(path, location) or PurePosixPath(str(entry)).is_absolute():
            continue  # RECORD is the pack's own text: nothing outside its folder
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            pass
        folders.update(p for p in path.parents if _in_folder(p, location) and p != location)
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        if folder.name == "__pycache__":
            shutil.rmtree(folder, ignore_errors=True)
        try:
            folder.rmdir()
        except OSError:
            pass  # not empty: shared with another distribution
    return removed
