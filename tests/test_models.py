from studio.app.models import is_downloaded


def test_a_stopped_download_is_not_downloaded(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    repo = tmp_path / "models--someone--model"
    assert not is_downloaded("someone/model")
    (repo / "snapshots" / "abc").mkdir(parents=True)
    (repo / "blobs").mkdir()
    (repo / "blobs" / "123.incomplete").write_bytes(b"x")
    assert not is_downloaded("someone/model")
    (repo / "blobs" / "123.incomplete").rename(repo / "blobs" / "123")
    assert is_downloaded("someone/model")
    assert is_downloaded(str(tmp_path)) and not is_downloaded("no such thing")
