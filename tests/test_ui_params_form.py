"""The schema-driven parameter form keeps "auto" (None) apart from real values."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("pytestqt")

from studio.api import Param, ParamSchema
from studio.ui.params_form import ParamsForm

SCHEMA = ParamSchema((
    Param("steps", "int", None, min=1, max=200, nullable=True),
    Param("width", "int", None, min=64, max=4096, multiple_of=8, nullable=True),
    Param("guidance_scale", "float", None, min=0, max=30, nullable=True),
    Param("batch_size", "int", 1, min=1, max=16),
    Param("scheduler", "choice", None, choices=("euler", "ddim"), nullable=True),
    Param("tiling", "bool", False, advanced=True),
    Param("strength", "float", 0.5, min=0, max=1, tasks=("img2img",)),
))


@pytest.fixture
def form(qtbot):
    f = ParamsForm()
    qtbot.addWidget(f)
    f.set_schema(SCHEMA, "txt2img")
    return f


def test_defaults_produce_no_overrides(form):
    assert form.values() == {}  # every nullable stays "auto", not its minimum


def test_values_round_trip_including_auto(form):
    form.set_values({"steps": 1, "width": 512, "guidance_scale": 0.0, "scheduler": "ddim",
                     "tiling": True, "batch_size": 3})
    assert form.values() == {"steps": 1, "width": 512, "guidance_scale": 0.0,
                             "scheduler": "ddim", "tiling": True, "batch_size": 3}
    form.set_values({"steps": None, "width": None})
    values = form.values()
    assert "steps" not in values and "width" not in values
    assert SCHEMA.resolve(values)  # whatever the form produces validates


def test_task_specific_parameters_follow_the_task(form):
    assert "strength" not in form._editors
    form.set_schema(SCHEMA, "img2img")
    assert "strength" in form._editors


def test_rebuilding_and_folding_many_times_never_corrupts_memory(tmp_path):
    """Folding "Advanced" used to walk the layout's items; after rows were rebuilt, a
    stale item wrapper could come back for a new widget and the process aborted
    (heap corruption). Run in a child process: a crash must fail the test, not pytest."""
    import subprocess
    import sys

    code = (
        "import os\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from studio.api import Param, ParamSchema\n"
        "from studio.ui.params_form import ParamsForm\n"
        "s = ParamSchema((Param('a', 'int', 1, min=0, max=9),\n"
        "                 Param('b', 'float', None, min=0, max=3, nullable=True, advanced=True),\n"
        "                 Param('c', 'choice', 'x', choices=('x', 'y'), advanced=True),\n"
        "                 Param('d', 'str', '', advanced=True)))\n"
        "f = ParamsForm()\n"
        "for i in range(300):\n"
        "    f.set_schema(s, 't')\n"
        "    f._advanced_box.setChecked(i % 2 == 0)\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-500:]


def test_the_field_a_message_names(form):
    assert form.field_named_in("steps must be <= 200, got 300") == "steps"
    assert form.field_named_in("unknown value for 'scheduler'") == "scheduler"
    assert form.field_named_in("SDXL needs guidance_scale of 0 with this model") \
        == "guidance_scale"
    assert form.field_named_in("Batch size must be <= 16") == "batch_size"  # its label
    assert form.field_named_in("the model has no batch of images") is None
    assert form.field_named_in("cannot load the model: out of memory") is None
