"""Library.list's filters and orders, which the library view's filter bar uses (issue #13)."""

import pytest
from PIL import Image

from studio.api import RequestError
from studio.app.library import Artifact, Library

DAY = 86400.0
T0 = 1_700_000_000.0


def put(lib, tmp_path, aid, kind="image", modality="image", rating=None, favourite=False,
        created=T0, parent=None, prompt="a fox"):
    path = tmp_path / f"{aid}.png"
    Image.new("RGB", (8, 8)).save(path)
    lib.index_existing([Artifact(id=aid, kind=kind, path=str(path), modality=modality,
                                 prompt=prompt, content_hash=aid, created=created,
                                 modified=created, rating=rating, favourite=favourite,
                                 parent=parent)])


@pytest.fixture
def lib(tmp_path):
    lib = Library(tmp_path / "lib")
    put(lib, tmp_path, "a", rating=5, created=T0)
    put(lib, tmp_path, "b", rating=2, favourite=True, created=T0 + DAY, parent="a")
    put(lib, tmp_path, "c", kind="audio", modality="music", created=T0 + 2 * DAY, parent="a")
    put(lib, tmp_path, "d", rating=4, created=T0 + 3 * DAY, prompt="a heron")
    yield lib
    lib.close()


def ids(arts):
    return [a.id for a in arts]


def test_default_is_newest_first_and_unchanged(lib):
    assert ids(lib.list()) == ["d", "c", "b", "a"]


def test_filters_combine(lib):
    assert ids(lib.list(modality="music")) == ["c"]
    assert ids(lib.list(kind="image", min_rating=3)) == ["d", "a"]
    assert ids(lib.list(favourites=True)) == ["b"]
    assert ids(lib.list(since=T0 + DAY, until=T0 + 3 * DAY)) == ["c", "b"]  # until excluded
    assert ids(lib.list(parent="a", order="oldest")) == ["b", "c"]
    assert ids(lib.list(search="fox", min_rating=2, order="oldest")) == ["a", "b"]


def test_orders(lib):
    assert ids(lib.list(order="oldest")) == ["a", "b", "c", "d"]
    # Best first; unrated last, newest first among equals.
    assert ids(lib.list(order="rating")) == ["a", "d", "b", "c"]
    with pytest.raises(RequestError, match="order must be one of newest, oldest, rating"):
        lib.list(order="random")
