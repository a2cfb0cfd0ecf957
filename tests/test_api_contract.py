"""The plugin contract documents itself: every hook says when it runs, its params, returns."""

import inspect

import pytest

import studio.api
from studio.api import hookspecs


def hooks():
    return [getattr(hookspecs, n) for n in dir(hookspecs) if n.startswith("studio_")]


def test_every_hook_is_a_documented_spec():
    assert hooks(), "no hooks found"
    for hook in hooks():
        doc = inspect.getdoc(hook) or ""
        assert "Called" in doc, f"{hook.__name__}: say when it is called"
        for name in inspect.signature(hook).parameters:
            assert f":param {name}:" in doc, f"{hook.__name__}: document {name}"
        assert ":returns:" in doc, f"{hook.__name__}: document the return value"


def test_public_api_names_are_exported():
    for name in studio.api.__all__:
        assert hasattr(studio.api, name), name
    assert isinstance(studio.api.API_VERSION, int)


def test_lora_weights_out_of_range_name_the_nearest_allowed(tmp_path):
    from studio.api import ParamError
    from studio.api.loras import check_loras, parse_loras

    lora = tmp_path / "style.safetensors"
    lora.write_bytes(b"x")
    check_loras(parse_loras(f"{lora}:0.7"), allow_pickle=False)
    with pytest.raises(ParamError, match="nearest allowed value is 5"):
        check_loras(parse_loras(f"{lora}:9"), allow_pickle=False)
