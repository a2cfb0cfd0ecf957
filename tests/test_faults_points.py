import errno
import os
import subprocess
import sys

import pytest

from studio.app import faults


@pytest.fixture(autouse=True)
def _fresh_counts():
    faults.reset()
    yield
    faults.reset()


def test_no_env_means_no_fault(monkeypatch):
    monkeypatch.delenv(faults.ENV_FAULT_POINT, raising=False)
    faults.fault_point("anything")  # returns normally
    assert faults._hits == {}


def test_enospc_on_the_nth_hit_only(monkeypatch):
    monkeypatch.setenv(faults.ENV_FAULT_POINT, "other:raise,lib.write:enospc#3")
    faults.fault_point("lib.write")
    faults.fault_point("lib.write")
    with pytest.raises(OSError) as info:
        faults.fault_point("lib.write")
    assert info.value.errno == errno.ENOSPC
    faults.fault_point("lib.write")  # only the third acts
    with pytest.raises(faults.InjectedFault):
        faults.fault_point("other")


def test_kill_is_sigkill():
    env = {**os.environ, faults.ENV_FAULT_POINT: "here"}
    code = "from studio.app.faults import fault_point; fault_point('here'); print('survived')"
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert proc.returncode == -9
    assert "survived" not in proc.stdout
