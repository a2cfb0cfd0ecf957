"""Fuzz the history import and ``studio profile import``: random JSONL lines and random
bytes end in a result or one ``StudioError`` line, never another exception, and a file
with any bad line imports nothing (issue #10)."""

import contextlib
import io
import json
import math
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio.api import StudioError
from studio.app.history import EventLog, Profile
from studio.app.history.events import EVENT_TYPES, MAX_TS, MIN_TS
from studio.app.history.importer import import_history
from studio.cli.main import main

FUZZ = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.function_scoped_fixture])

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(-10**30, 10**30),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20))
json_values = st.recursive(
    scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                     st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12)
times = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**25, 10**25),
    st.floats(MIN_TS, MAX_TS), st.datetimes().map(lambda d: d.isoformat()),
    st.text(max_size=25), st.sampled_from(["1e20", "nan", "-inf", "9999-12-31T23:59:59Z",
                                           "1970-01-01", "10000-01-01", "0001-01-01"]))
ids = st.one_of(st.text(min_size=1, max_size=6), st.integers(0, 50), json_values)
event_like = st.fixed_dictionaries(
    {"type": st.one_of(st.sampled_from(EVENT_TYPES), st.text(max_size=8), json_values)},
    optional={"ts": times, "id": ids, "target": ids,
              "user": st.one_of(st.none(), st.text(max_size=3)),
              "modality": st.one_of(st.sampled_from(["image", "text"]), json_values),
              "prompt": st.one_of(st.text(max_size=40), json_values),
              "params": st.one_of(st.dictionaries(st.text(max_size=6), json_values, max_size=3),
                                  json_values),
              "value": st.one_of(st.integers(0, 6), json_values),
              "seed": json_values, "session": json_values, "extra": json_values})
# Lines that pass the checks, so that imports succeed and the profile reads them.
valid_events = st.one_of(
    st.fixed_dictionaries({
        "type": st.just("generate"), "ts": st.floats(MIN_TS, MAX_TS),
        "id": st.text(min_size=1, max_size=4), "modality": st.sampled_from(["image", "text"]),
        "prompt": st.text(max_size=40),
        "params": st.dictionaries(st.text(max_size=6), json_values, max_size=3)}),
    st.fixed_dictionaries({
        "type": st.sampled_from(["keep", "favourite", "delete", "restore", "unfavourite"]),
        "ts": st.one_of(st.floats(MIN_TS, MAX_TS), st.integers(0, int(MAX_TS))),
        "target": st.text(min_size=1, max_size=4)}),
    st.fixed_dictionaries({"type": st.just("rate"), "ts": st.floats(MIN_TS, MAX_TS),
                           "target": st.text(max_size=4), "value": st.integers(1, 5)}),
)
lines = st.one_of(
    valid_events.map(json.dumps), valid_events.map(json.dumps),
    event_like.map(lambda d: json.dumps(d, allow_nan=True)),
    json_values.map(lambda v: json.dumps(v, allow_nan=True)),
    st.text(max_size=60),
    st.integers(1, 50_000).map(lambda n: "[" * n + "]" * n),
    st.integers(1, 5_000).map(lambda n: '{"ts": 1, "type": "keep", "target": "a", "x": '
                              + "[" * n + "]" * n + "}"),
)
files = st.one_of(st.lists(lines, max_size=8).map(lambda ls: "\n".join(ls).encode("utf-8")),
                  st.binary(max_size=300))


def _one_line(exc: BaseException) -> None:
    assert "\n" not in str(exc) and str(exc), repr(exc)


def _profile_reads(lg: EventLog) -> None:
    prof = Profile.open(lg, follow=False)
    json.dumps(prof.to_dict())
    prof.describe()
    for event in lg.events():
        assert math.isfinite(event.ts) and MIN_TS <= event.ts <= MAX_TS


@FUZZ
@given(data=files)
def test_import_of_random_files_is_all_or_nothing(data):
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "h.jsonl"
        src.write_bytes(data)
        lg = EventLog(Path(tmp) / "history.sqlite")
        try:
            try:
                report = import_history(lg, src)
            except StudioError as exc:
                _one_line(exc)
                assert lg.count() == 0  # nothing imported on any bad line
            else:
                assert lg.count() == report.imported
                _profile_reads(lg)
        finally:
            lg.close()


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=files)
def test_profile_import_command_prints_one_line_or_imports(tmp_path, data):
    src = tmp_path / "h.jsonl"
    src.write_bytes(data)
    history = tmp_path / "data" / "history.sqlite"

    def count() -> int:
        if not history.exists():
            return 0
        lg = EventLog(history)
        try:
            return lg.count()
        finally:
            lg.close()

    before = count()
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = main(["profile", "import", "--history", str(src)])
    if code == 0:
        assert count() >= before
    else:
        assert code == 2, err.getvalue()
        assert len(err.getvalue().strip().splitlines()) == 1, err.getvalue()
        assert err.getvalue().startswith("studio: ")
        assert count() == before


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(how=st.sampled_from(["--term", "--item"]), what=st.text(max_size=30))
def test_profile_forget_with_random_words_prints_one_line_or_forgets(tmp_path, how, what):
    history = tmp_path / "data" / "history.sqlite"
    lg = EventLog(history)
    if not lg.count():
        lg.append_many([{"type": "generate", "ts": 1_750_000_000, "modality": "image",
                         "prompt": "a red fox, ink", "params": {}, "artifacts": ["f1"]},
                        {"type": "keep", "ts": 1_750_000_001, "target": "f1"}])
    before = lg.count()
    lg.close()
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = main(["profile", "forget", f"{how}={what}"])
    lg = EventLog(history)
    after = lg.count()
    lg.close()
    if code == 0:
        assert after <= before
    else:
        assert code == 2 and len(err.getvalue().strip().splitlines()) == 1, err.getvalue()
        assert after == before
