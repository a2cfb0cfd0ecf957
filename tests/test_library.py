import json
import sqlite3

import pytest
from PIL import Image

from studio.api import GenerationRequest, Output, RequestError
from studio.app.library import Library
from studio.app.migrations import Migrations, NewerDatabase
from studio.app.writers import PNG_JSON_KEY, read_markdown


@pytest.fixture
def lib(tmp_path):
    events = []
    library = Library(tmp_path, recorder=lambda kind, **f: events.append((kind, f)))
    library.events = events
    yield library
    library.close()


def add(lib, prompt="a fox", kind="image"):
    req = GenerationRequest(modality="image" if kind == "image" else "text", prompt=prompt,
                            generator="g", model="m", params={"steps": 2}, seed=1)
    data = Image.new("RGB", (8, 8), "red") if kind == "image" else f"text about {prompt}"
    return lib.add([Output(kind, data, {"seed": 1}, {"parameters": "a1111 text"})], req, "0.1")[0]


def test_png_embeds_request_and_extra_chunks(lib):
    art = add(lib)
    img = Image.open(art.path)
    assert img.text["parameters"] == "a1111 text"
    meta = json.loads(img.text[PNG_JSON_KEY])
    assert meta["request"]["prompt"] == "a fox" and meta["plugin_version"] == "0.1"
    assert len(art.content_hash) == 64


def test_markdown_front_matter_round_trips(lib):
    art = add(lib, "the sea", kind="text")
    meta, text = read_markdown(open(art.path, "rb").read())
    assert text == "text about the sea" and meta["request"]["prompt"] == "the sea"
    assert lib.get(art.id).text == "text about the sea"


def test_full_text_search_is_safe_for_user_syntax(lib):
    add(lib, "red fox in snow")
    add(lib, "blue whale", kind="text")
    assert [a.prompt for a in lib.list(search="fox")] == ["red fox in snow"]
    assert [a.prompt for a in lib.list(search="whal")] == ["blue whale"]  # prefix match
    assert lib.list(search='NEAR( "AND -') == []  # FTS syntax is quoted, not parsed


def test_trash_restore_and_empty(lib, tmp_path):
    art = add(lib)
    lib.trash(art.id)
    assert lib.list() == [] and [a.id for a in lib.list(trashed=True)] == [art.id]
    lib.restore(art.id)
    assert [a.id for a in lib.list()] == [art.id]
    lib.trash(art.id)
    assert lib.empty_trash() == 1
    with pytest.raises(RequestError):
        lib.get(art.id)
    assert [k for k, _ in lib.events] == ["delete", "restore", "delete"]


def test_rating_favourite_and_validation(lib):
    art = add(lib)
    lib.rate(art.id, 4)
    lib.set_favourite(art.id)
    got = lib.get(art.id)
    assert got.rating == 4 and got.favourite
    with pytest.raises(RequestError, match="rating must be 1 to 5"):
        lib.rate(art.id, 9)
    with pytest.raises(RequestError, match="no artifact"):
        lib.keep("missing")
    assert lib.events[-1] == ("favourite", {"target": art.id})


def test_no_temp_files_are_left_behind(lib, tmp_path):
    add(lib)
    leftovers = [p for p in (tmp_path / "library").rglob("*") if p.name.startswith(".")]
    assert leftovers == []


def test_database_from_a_newer_studio_is_refused(tmp_path):
    lib = Library(tmp_path)
    lib.open()
    lib.close()
    conn = sqlite3.connect(tmp_path / "library.sqlite")
    conn.execute("INSERT INTO _studio_migrations VALUES ('m999_future', 0)")
    conn.commit()
    conn.close()
    with pytest.raises(NewerDatabase, match="newer version of Studio"):
        Library(tmp_path).open()  # the index opens on first use


def test_migration_names_are_checked():
    m = Migrations()

    @m
    def m001_a(conn):
        pass

    with pytest.raises(ValueError, match="used twice"):
        @m
        def m001_b(conn):
            pass

    with pytest.raises(ValueError, match="mNNN"):
        @m
        def oops(conn):
            pass


def test_failed_migration_rolls_back_with_its_record(tmp_path):
    m = Migrations()

    @m
    def m001_ok(conn):
        conn.execute("CREATE TABLE a (x)")

    @m
    def m002_bad(conn):
        conn.execute("CREATE TABLE b (x)")
        raise RuntimeError("half way")

    conn = sqlite3.connect(tmp_path / "x.sqlite", isolation_level=None)
    with pytest.raises(RuntimeError):
        m.migrate(conn)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "a" in tables and "b" not in tables
    assert [r[0] for r in conn.execute("SELECT name FROM _studio_migrations")] == ["m001_ok"]


def test_images_get_thumbnails_that_go_with_them(lib):
    req = GenerationRequest(modality="image", prompt="big", generator="g", seed=1)
    art = lib.add([Output("image", Image.new("RGB", (1024, 512), "blue"))], req)[0]
    thumb = Image.open(lib.thumbnail_path(art.id))
    assert thumb.size == (256, 128)
    lib.trash(art.id)
    lib.empty_trash()
    assert not lib.thumbnail_path(art.id).exists()
    art2 = lib.add([Output("image", Image.new("RGB", (64, 64)))], req)[0]
    lib.erase()
    assert not lib.thumbnail_path(art2.id).exists()
