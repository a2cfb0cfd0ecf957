"""Batch files: read JSONL, YAML or a prompt matrix into numbered entries (docs/batch.md).

Every entry keeps the line it came from, so a bad one is named ``FILE:LINE: what is
wrong``. Nothing here checks a request against its generator: ``prepare_entries`` does
that through the engine, for all entries before any is queued.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.api import MODALITIES, GenerationRequest, StudioError

#: The most requests one batch file may expand to: a typo in a seed range ("1-1000000")
#: should be refused, not queue a million jobs.
MAX_ENTRIES = 10_000

#: The request fields a batch entry may set: those ``generate --json`` prints.
REQUEST_FIELDS = ("modality", "prompt", "task", "generator", "model", "params", "seed",
                  "inputs", "parent")
#: What a ``matrix`` adds to them.
MATRIX_FIELDS = (*REQUEST_FIELDS, "seeds", "sweep")

#: ``{a|b|c}``: alternatives, one of which is picked per request. Braces without a bar
#: stay as written (some prompts use them for emphasis or templates of their own).
_ALTERNATIVES = re.compile(r"\{([^{}]*\|[^{}]*)\}")

#: Directives of the prompt-list format, each applying to the templates below it.
_DIRECTIVES = ("modality", "generator", "model", "task", "seeds", "set")


class BatchFileError(StudioError):
    """A batch file that cannot be read or holds a bad entry (one line, exit 2)."""


@dataclass(frozen=True)
class Entry:
    """One request of a batch: its position, the line it came from, its fields."""

    index: int
    line: int
    fields: Mapping[str, Any]
    #: ``KEY=VALUE`` parameters typed by the generator's schema when prepared
    #: (the prompt-list format's ``@set``, as ``generate --set``).
    sets: tuple[str, ...] = ()
    key: str = field(init=False)

    def __post_init__(self) -> None:
        canonical = json.dumps({"fields": self.fields, "sets": self.sets}, sort_keys=True,
                               ensure_ascii=False, default=str)
        digest = hashlib.sha256(canonical.encode()).hexdigest()[:16]
        # The index keeps two identical requests (same seed twice) two entries.
        object.__setattr__(self, "key", f"{self.index}:{digest}")


def read_batch(path: Path) -> tuple[bytes, list[Entry]]:
    """The file's bytes and its entries, expanded; ``BatchFileError`` names what is wrong."""
    name = str(path)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise BatchFileError(f"{name}: cannot read it: {exc.strerror or exc}") from None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise BatchFileError(f"{name}:{line}: not UTF-8 text") from None
    kind = detect_format(path, text)
    read = {"jsonl": _jsonl_items, "json": _json_items, "yaml": _yaml_items,
            "prompts": _prompt_items}[kind]
    items = read(name, text)
    entries: list[Entry] = []
    for line, fields, sets in items:
        entries.append(Entry(len(entries), line, fields, sets))
        if len(entries) > MAX_ENTRIES:
            raise BatchFileError(f"{name}:{line}: the file expands to more than "
                                 f"{MAX_ENTRIES} requests; split it into several batches")
    if not entries:
        raise BatchFileError(f"{name}: holds no requests")
    return content, entries


def detect_format(path: Path, text: str) -> str:
    """``jsonl``, ``json``, ``yaml`` or ``prompts``: by the extension, else by the first
    line that is not blank or a ``#`` comment."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".json":
        return "json"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".txt":
        return "prompts"
    first = next((s for s in (raw.strip() for raw in text.splitlines())
                  if s and not s.startswith("#")), "")
    if first.startswith("{"):
        try:
            json.loads(first)
            return "jsonl"
        except ValueError:
            return "json"  # an object over several lines
    if first.startswith("["):
        return "json"
    if first.startswith(("- ", "---", "matrix:")) or first == "-":
        return "yaml"
    return "prompts"


# -- the formats --------------------------------------------------------------

Item = tuple[int, dict[str, Any], tuple[str, ...]]


def _jsonl_items(name: str, text: str) -> Iterator[Item]:
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            value = json.loads(stripped)
        except ValueError as exc:
            raise BatchFileError(f"{name}:{number}: not valid JSON: {exc.msg} "
                                 f"(column {exc.colno})") from None
        yield from _expand_item(name, number, value)


def _json_items(name: str, text: str) -> Iterator[Item]:
    """A list of requests (each named by the line it starts on), or one object; a file
    of one object per line is read as JSONL whatever its name."""
    decoder = json.JSONDecoder()
    # Whole-line "#" comments, as in JSONL (no JSON value spans a line starting with #);
    # blanked, not removed, so line numbers stay the file's.
    text = "\n".join("" if raw.lstrip().startswith("#") else raw for raw in text.split("\n"))

    def line_of(pos: int) -> int:
        return text.count("\n", 0, pos) + 1

    def skip(pos: int) -> int:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        return pos

    start = skip(0)
    try:
        if not text.startswith("[", start):
            _value, end = decoder.raw_decode(text, start)
            if skip(end) < len(text):
                yield from _jsonl_items(name, text)  # more after the first value
            else:
                yield from _expand_item(name, line_of(start), _value)
            return
        pos = skip(start + 1)
        if text.startswith("]", pos):
            return
        while True:
            value, end = decoder.raw_decode(text, pos)
            yield from _expand_item(name, line_of(pos), value)
            pos = skip(end)
            if text.startswith(",", pos):
                pos = skip(pos + 1)
                continue
            if text.startswith("]", pos) and skip(pos + 1) == len(text):
                return
            raise BatchFileError(f"{name}:{line_of(pos)}: not valid JSON: expected ',' "
                                 "or the list's closing ']'")
    except json.JSONDecodeError as exc:
        raise BatchFileError(f"{name}:{exc.lineno}: not valid JSON: {exc.msg}") from None


def _yaml_items(name: str, text: str) -> Iterator[Item]:
    import yaml  # PyYAML: only when a YAML file is read

    try:
        # compose() keeps each node's line; the same text loads to the values.
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        problem = getattr(exc, "problem", None) or str(exc)
        raise BatchFileError(f"{where}: not valid YAML: {problem}") from None
    if root is None:
        return
    if isinstance(data, list):
        for node, value in zip(root.value, data, strict=True):
            yield from _expand_item(name, node.start_mark.line + 1, value)
    elif isinstance(data, dict):
        yield from _expand_item(name, root.start_mark.line + 1, data)
    else:
        raise BatchFileError(f"{name}:{root.start_mark.line + 1}: expected a list of "
                             f"requests or a matrix, not {_kind(data)}")


def _prompt_items(name: str, text: str) -> Iterator[Item]:
    """One prompt template per line; ``@key value`` lines set what the lines below use."""
    fields: dict[str, Any] = {}
    seeds: list[int | None] = [None]
    sets: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("@"):
            key, _, value = stripped[1:].partition(" ")
            value = value.strip()
            where = f"{name}:{number}"
            if key not in _DIRECTIVES:
                raise BatchFileError(f"{where}: unknown directive @{key} (directives: "
                                     f"{', '.join('@' + d for d in _DIRECTIVES)})")
            if key == "seeds":
                seeds = parse_seeds(value or None, where)
            elif key == "set":
                if "=" not in value:
                    raise BatchFileError(f"{where}: @set takes KEY=VALUE, got {value!r}")
                sets.append(value)
            else:
                fields[key] = value
            continue
        item = {**fields, "prompt": stripped}
        if not item.get("modality") and not item.get("generator"):
            item["modality"] = "image"
        yield from ((number, request, tuple(sets))
                    for request in _expand_matrix(f"{name}:{number}", item, seeds))


def _expand_item(name: str, line: int, value: Any) -> Iterator[Item]:
    where = f"{name}:{line}"
    if not isinstance(value, dict):
        raise BatchFileError(f"{where}: expected a request (an object), not {_kind(value)}")
    if "matrix" in value:
        if len(value) > 1:
            extra = ", ".join(repr(k) for k in value if k != "matrix")
            raise BatchFileError(f"{where}: a matrix stands alone; move {extra} into it")
        matrix = value["matrix"]
        if not isinstance(matrix, dict):
            raise BatchFileError(f"{where}: matrix must be an object, not {_kind(matrix)}")
        _check_keys(where, matrix, MATRIX_FIELDS)
        seeds = parse_seeds(matrix.get("seeds"), where)
        if "seed" in matrix:
            if "seeds" in matrix:
                raise BatchFileError(f"{where}: give seed or seeds, not both")
            seeds = [matrix["seed"]]
        item = {k: v for k, v in matrix.items() if k not in ("seeds", "seed")}
        for request in _expand_matrix(where, item, seeds):
            yield line, request, ()
        return
    _check_keys(where, value, REQUEST_FIELDS)
    yield line, dict(value), ()


def _expand_matrix(where: str, item: dict[str, Any], seeds: list[Any]) -> Iterator[dict]:
    """Every prompt alternative x every sweep value x every seed, in that nesting."""
    templates = item.get("prompt", "")
    if isinstance(templates, str):
        templates = [templates]
    if not isinstance(templates, list) or not all(isinstance(t, str) for t in templates):
        raise BatchFileError(f"{where}: prompt must be text or a list of texts")
    prompts = [_alternatives(t) for t in templates]
    sweep = item.get("sweep") or {}
    if not isinstance(sweep, dict):
        raise BatchFileError(f"{where}: sweep must map parameter names to lists of values")
    for key, values in sweep.items():
        if not isinstance(values, list) or not values:
            raise BatchFileError(f"{where}: sweep {key!r} must be a non-empty list of values")
    params = item.get("params") or {}
    if not isinstance(params, dict):
        raise BatchFileError(f"{where}: params must be an object, not {_kind(params)}")
    count = sum(math.prod(len(c) for c in choices) for choices in prompts) * \
        math.prod(len(v) for v in sweep.values()) * len(seeds)
    if count > MAX_ENTRIES:
        raise BatchFileError(f"{where}: this matrix expands to {count} requests; the most "
                             f"a batch takes is {MAX_ENTRIES}")
    base = {k: v for k, v in item.items() if k not in ("prompt", "sweep")}
    names = list(sweep)
    for choices in prompts:
        for prompt in ("".join(parts) for parts in itertools.product(*choices)):
            for values in itertools.product(*(sweep[n] for n in names)):
                for seed in seeds:
                    request = {**base, "prompt": prompt,
                               "params": {**params, **dict(zip(names, values, strict=True))}}
                    if seed is not None:
                        request["seed"] = seed
                    yield request


def _alternatives(template: str) -> list[list[str]]:
    """``"a {red|blue} cat"`` -> ``[["a "], ["red", "blue"], [" cat"]]``."""
    parts = _ALTERNATIVES.split(template)
    return [part.split("|") if i % 2 else [part] for i, part in enumerate(parts)]


def expand_prompt(template: str) -> list[str]:
    """Every prompt a template with ``{a|b|c}`` alternatives stands for, in order."""
    return ["".join(parts) for parts in itertools.product(*_alternatives(template))]


def parse_seeds(value: Any, where: str = "seeds") -> list[int | None]:
    """``"1-4"``, ``"1,5,9"``, ``"1-3,10"``, a number or a list of numbers; None: random."""
    if value is None or value == "":
        return [None]
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    if isinstance(value, list):
        if not value or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            raise BatchFileError(f"{where}: seeds must be whole numbers, got {value!r}")
        return list(value)
    if not isinstance(value, str):
        raise BatchFileError(f"{where}: seeds must be a range such as \"1-4\" or a list, "
                             f"not {_kind(value)}")
    seeds: list[int | None] = []
    for part in value.split(","):
        low, dash, high = part.strip().partition("-")
        try:
            first = int(low)
            last = int(high) if dash else first
        except ValueError:
            raise BatchFileError(f"{where}: seeds {value!r}: {part.strip()!r} is not a "
                                 "number or a range such as 1-4") from None
        if first < 0 or last < first:
            raise BatchFileError(f"{where}: seeds {value!r}: {part.strip()!r} is not a "
                                 "range from low to high of numbers from 0")
        if len(seeds) + last - first + 1 > MAX_ENTRIES:
            raise BatchFileError(f"{where}: seeds {value!r} are more than {MAX_ENTRIES}")
        seeds.extend(range(first, last + 1))
    return seeds


# -- checking requests ----------------------------------------------------------

def request_from_fields(fields: Mapping[str, Any]) -> GenerationRequest:
    """A request from an entry's fields, their types checked (``BatchFileError``)."""
    for key in ("prompt", "task", "generator", "model"):
        if not isinstance(fields.get(key, ""), str):
            raise BatchFileError(f"{key} must be text, not {_kind(fields[key])}")
    modality = fields.get("modality", "")
    if not isinstance(modality, str) or (modality and modality not in MODALITIES):
        raise BatchFileError(f"modality must be one of {', '.join(MODALITIES)}, "
                             f"not {modality!r}")
    if not modality and not fields.get("generator"):
        raise BatchFileError(f"no modality ({', '.join(MODALITIES)}) and no generator")
    for key in ("params", "inputs"):
        value = fields.get(key, {})
        if value is None:
            value = {}
        if not isinstance(value, dict):
            raise BatchFileError(f"{key} must be an object, not {_kind(value)}")
    inputs = fields.get("inputs") or {}
    for role, value in inputs.items():
        if not isinstance(value, str):
            raise BatchFileError(f"inputs {role!r} must be a file path or artifact:<id>, "
                                 f"not {_kind(value)}")
    parent = fields.get("parent")
    if parent is not None and not isinstance(parent, str):
        raise BatchFileError(f"parent must be an artifact id, not {_kind(parent)}")
    return GenerationRequest.from_dict(
        {**fields, "modality": modality, "params": fields.get("params") or {},
         "inputs": inputs})


def prepare_entries(engine: Any, entries: list[Entry], name: str,
                    base: Path | None = None) -> list[GenerationRequest]:
    """Every entry checked by its generator's schema, defaults filled in (``engine.prepare``).

    A relative input path is taken from ``base``, the batch file's folder: the file
    names its inputs the way a document does, wherever the command runs. The first bad
    entry raises ``BatchFileError("NAME:LINE: ...")``; nothing is queued.
    """
    prepared = []
    for entry in entries:
        try:
            request = request_from_fields(entry.fields)
            if base is not None and request.inputs:
                request = request.replace(inputs={
                    role: value if value.startswith("artifact:") or Path(value).is_absolute()
                    else str(base / value)
                    for role, value in request.inputs.items()})
            if entry.sets:
                info = engine.pick_generator(request)
                params = {**request.params, **info.params.parse_assignments(list(entry.sets))}
                request = request.replace(params=params)
            prepared.append(engine.prepare(request))
        except StudioError as exc:
            message = " ".join(str(exc).split())
            raise BatchFileError(f"{name}:{entry.line}: {message}") from None
    return prepared


def _check_keys(where: str, data: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = [k for k in data if k not in allowed]
    if unknown:
        raise BatchFileError(f"{where}: unknown field {unknown[0]!r} (fields: "
                             f"{', '.join(allowed)})")


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "text", bool: "true/false",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)
