"""A file written for the user keeps the chosen folder's mode and gets an ordinary one."""

import os
import stat

import pytest

from studio.app.exports import write_export

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes")


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_an_export_leaves_the_users_folder_as_it_was(tmp_path):
    music = tmp_path / "Music"
    music.mkdir()
    os.chmod(music, 0o755)
    old = os.umask(0o022)
    try:
        write_export(music / "take.flac", b"fLaC")
    finally:
        os.umask(old)
    assert mode(music) == 0o755
    assert mode(music / "take.flac") == 0o644
    assert (music / "take.flac").read_bytes() == b"fLaC"
    assert [p.name for p in music.iterdir()] == ["take.flac"]  # no temp file left

