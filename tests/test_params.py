import pytest

from studio.api import Param, ParamError, ParamSchema

SCHEMA = ParamSchema((
    Param("steps", "int", 20, min=1, max=150),
    Param("width", "int", 512, min=64, max=2048, multiple_of=8),
    Param("guidance_scale", "float", 7.0, min=0, max=30),
    Param("scheduler", "choice", None, choices=("euler", "ddim"), nullable=True),
    Param("tiling", "bool", False),
    Param("negative_prompt", "str", ""),
))


def test_out_of_range_names_parameter_and_value():
    with pytest.raises(ParamError, match=r"^steps must be >= 1, got -5$"):
        SCHEMA.parse_assignments(["steps=-5"])


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        ("steps=abc", "steps must be an integer, got 'abc'"),
        ("width=100", "width must be a multiple of 8, got 100; the nearest allowed value is "
                      "96"),
        ("guidance_scale=nan", "guidance_scale must be a finite number"),
        ("scheduler=foo", "scheduler must be one of euler, ddim"),
        ("tiling=maybe", "tiling must be true or false"),
        ("colour=red", "unknown parameter 'colour'"),
        ("steps", "--set takes KEY=VALUE"),
    ],
)
def test_bad_values_are_refused_with_a_clear_message(pair, message):
    with pytest.raises(ParamError, match=message.replace("(", r"\(")):
        SCHEMA.parse_assignments([pair])


def test_parse_converts_types_and_resolve_fills_defaults():
    values = SCHEMA.parse_assignments(["steps=30", "tiling=yes", "scheduler=auto"])
    assert values == {"steps": 30, "tiling": True, "scheduler": None}
    full = SCHEMA.resolve(values)
    assert full["width"] == 512 and full["steps"] == 30 and full["negative_prompt"] == ""


def test_resolve_refuses_bools_for_ints_and_unknown_keys():
    with pytest.raises(ParamError, match="steps must be an integer"):
        SCHEMA.resolve({"steps": True})
    with pytest.raises(ParamError, match="unknown parameter"):
        SCHEMA.resolve({"nope": 1})


def test_a_bad_default_is_a_plugin_bug_caught_at_declaration():
    with pytest.raises(ParamError):
        Param("steps", "int", 0, min=1)
    with pytest.raises(ValueError, match="duplicate"):
        ParamSchema((Param("a", "int", 1), Param("a", "int", 1)))
