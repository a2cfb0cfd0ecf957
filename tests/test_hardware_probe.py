"""The hardware probe (NVML through ctypes, no torch) and the torch variant it picks."""

from __future__ import annotations

import ctypes
import sys

import pytest

from studio.app import hardware
from studio.app.hardware import Hardware, choose_variant, parse_version

CASES = [
    # os, arch, vendor, driver, CC -> variant
    ("linux", "x86_64", "none", "", None, "cpu"),
    ("windows", "x86_64", "none", "", None, "cpu"),
    ("darwin", "arm64", "apple", "", None, "mps"),
    ("darwin", "arm64", "none", "", None, "mps"),
    ("darwin", "x86_64", "none", "", None, "cpu"),
    ("linux", "x86_64", "amd", "", None, "cpu"),
    # Ampere / Ada / Hopper / Blackwell by driver line (Linux minima 580.65.06, 570.26)
    ("linux", "x86_64", "nvidia", "580.95.05", (8, 6), "cu130"),
    ("linux", "x86_64", "nvidia", "580.65.06", (8, 9), "cu130"),
    ("linux", "x86_64", "nvidia", "580.65.05", (8, 9), "cu128"),
    ("linux", "x86_64", "nvidia", "575.57.08", (9, 0), "cu128"),
    ("linux", "x86_64", "nvidia", "570.26", (12, 0), "cu128"),
    ("linux", "x86_64", "nvidia", "565.57.01", (8, 6), "cu126"),
    ("linux", "x86_64", "nvidia", "535.183.01", (7, 5), "cu126"),  # minor version compat
    ("linux", "x86_64", "nvidia", "550.54.14", (12, 0), "cpu"),  # Blackwell needs 12.8+
    ("linux", "x86_64", "nvidia", "470.256.02", (8, 6), "cpu"),  # older than CUDA 12
    ("linux", "arm64", "nvidia", "580.82.07", (9, 0), "cu130"),
    # Maxwell / Pascal / Volta: only the 12.6 line carries their kernels
    ("linux", "x86_64", "nvidia", "580.95.05", (6, 1), "cu126"),
    ("linux", "x86_64", "nvidia", "570.124.06", (7, 0), "cu126"),
    ("linux", "x86_64", "nvidia", "535.54.03", (5, 2), "cu126"),
    ("linux", "x86_64", "nvidia", "470.256.02", (6, 1), "cpu"),
    ("linux", "x86_64", "nvidia", "580.95.05", (3, 7), "cpu"),  # Kepler: no build at all
    # Windows minima differ (580.88, 570.65, 528.33)
    ("windows", "x86_64", "nvidia", "581.57", (8, 9), "cu130"),
    ("windows", "x86_64", "nvidia", "580.65", (8, 9), "cu128"),
    ("windows", "x86_64", "nvidia", "570.60", (8, 9), "cu126"),
    ("windows", "x86_64", "nvidia", "528.24", (8, 9), "cpu"),
    ("windows", "arm64", "nvidia", "581.57", (8, 9), "cpu"),
    # unreadable or missing facts
    ("linux", "x86_64", "nvidia", "", (8, 6), "cpu"),
    ("linux", "x86_64", "nvidia", "580.95.05", None, "cpu"),
]


@pytest.mark.parametrize(("os_name", "arch", "vendor", "driver", "cc", "expected"), CASES)
def test_choose_variant_table(os_name, arch, vendor, driver, cc, expected):
    variant, reason = choose_variant(os_name, arch, vendor, driver, cc)
    assert variant == expected
    assert variant in hardware.VARIANTS
    # one plain sentence
    assert reason.endswith(".") and "\n" not in reason and len(reason) < 200


def test_reason_names_the_driver_to_install_when_too_old():
    variant, reason = choose_variant("linux", "x86_64", "nvidia", "470.256.02", (8, 6))
    assert variant == "cpu"
    assert "470.256.02" in reason and "570.26" in reason


def test_parse_version():
    assert parse_version("570.86.10") == (570, 86, 10)
    assert parse_version("581.57") == (581, 57)
    assert parse_version("560.28.03-beta") == (560, 28, 3)
    assert parse_version("") == ()
    assert parse_version("garbage") == ()


def test_absent_driver_library_means_no_nvidia():
    assert hardware.probe_nvml("libdefinitely-not-nvml.so.9") is None


class _FakeNvml:
    """Answers like libnvidia-ml does, through the same ctypes arguments."""

    def __init__(self, driver: bytes, devices: list[tuple[bytes, int, int, int]],
                 fail: str = "") -> None:
        self.driver, self.devices, self.fail = driver, devices, fail
        self.shutdown = 0

    def _ret(self, name: str) -> int:
        return 999 if name == self.fail else 0

    def nvmlInit_v2(self):
        return self._ret("nvmlInit_v2")

    def nvmlShutdown(self):
        self.shutdown += 1
        return 0

    def nvmlSystemGetDriverVersion(self, buf, length):
        buf.value = self.driver
        return self._ret("nvmlSystemGetDriverVersion")

    def nvmlDeviceGetCount_v2(self, count):
        count._obj.value = len(self.devices)
        return 0

    def nvmlDeviceGetHandleByIndex_v2(self, index, handle):
        handle._obj.value = index.value + 1
        return 0

    def nvmlDeviceGetCudaComputeCapability(self, handle, major, minor):
        _, ma, mi, _ = self.devices[handle.value - 1]
        major._obj.value, minor._obj.value = ma, mi
        return self._ret("nvmlDeviceGetCudaComputeCapability")

    def nvmlDeviceGetName(self, handle, buf, length):
        buf.value = self.devices[handle.value - 1][0]
        return 0

    def nvmlDeviceGetMemoryInfo(self, handle, memory):
        memory._obj.total = self.devices[handle.value - 1][3]
        return 0


def test_probe_reads_driver_and_devices(monkeypatch):
    fake = _FakeNvml(b"575.57.08", [(b"NVIDIA GeForce RTX 3090", 8, 6, 24 << 30),
                                    (b"Tesla P40", 6, 1, 24 << 30)])
    monkeypatch.setattr(hardware, "_load_nvml", lambda library: fake)
    monkeypatch.setattr(hardware, "current_os", lambda: "linux")
    monkeypatch.setattr(hardware, "current_arch", lambda: "x86_64")
    hw = hardware.probe()
    assert hw.vendor == "nvidia" and hw.driver_version == "575.57.08"
    assert [g.name for g in hw.gpus] == ["NVIDIA GeForce RTX 3090", "Tesla P40"]
    assert hw.gpus[0].memory_total == 24 << 30
    assert hw.compute_capability == (6, 1)  # the oldest card decides
    assert fake.shutdown == 1
    variant, _ = hardware.recommend(hw)
    assert variant == "cu126"
    assert hw.to_dict()["compute_capability"] == "6.1"


def test_probe_survives_a_failing_driver(monkeypatch):
    fake = _FakeNvml(b"575.57.08", [(b"X", 8, 6, 1)], fail="nvmlDeviceGetCudaComputeCapability")
    monkeypatch.setattr(hardware, "_load_nvml", lambda library: fake)
    monkeypatch.setattr(hardware, "current_os", lambda: "linux")
    hw = hardware.probe()
    assert hw.vendor == "none" and "NVML error 999" in hw.note
    assert fake.shutdown == 1


def test_probe_never_imports_torch():
    import subprocess

    code = ("import sys; from studio.app import hardware; hardware.probe(); "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"


def test_apple_silicon_probe(monkeypatch):
    monkeypatch.setattr(hardware, "current_os", lambda: "darwin")
    monkeypatch.setattr(hardware, "current_arch", lambda: "arm64")
    hw = hardware.probe()
    assert isinstance(hw, Hardware) and hw.vendor == "apple"
    assert hardware.recommend(hw)[0] == "mps"


def test_nvml_memory_struct_layout():
    assert ctypes.sizeof(hardware._NvmlMemory) == 24


@pytest.mark.parametrize(("variant", "os_name", "arch", "vendor", "driver", "cc", "fits"), [
    ("cpu", "linux", "x86_64", "none", "", None, True),
    ("mps", "darwin", "arm64", "apple", "", None, True),
    ("mps", "linux", "x86_64", "none", "", None, False),
    ("cu130", "linux", "x86_64", "none", "", None, False),
    ("cu130", "linux", "x86_64", "nvidia", "580.95.05", (8, 6), True),
    ("cu130", "linux", "x86_64", "nvidia", "575.57.08", (8, 6), False),
    ("cu128", "linux", "x86_64", "nvidia", "575.57.08", (8, 6), True),
    ("cu128", "linux", "x86_64", "nvidia", "580.95.05", (6, 1), False),
    ("cu126", "linux", "x86_64", "nvidia", "580.95.05", (6, 1), True),
    ("cu126", "linux", "x86_64", "nvidia", "580.95.05", (12, 0), False),
    ("cu126", "windows", "x86_64", "nvidia", "527.0", (8, 6), False),
])
def test_unsupported_reason(variant, os_name, arch, vendor, driver, cc, fits):
    gpus = [hardware.GpuInfo(0, "GPU", cc, 1)] if cc else []
    hw = Hardware(os=os_name, arch=arch, vendor=vendor, driver_version=driver, gpus=gpus)
    reason = hardware.unsupported_reason(variant, hw)
    assert (reason == "") == fits
    if not fits:
        assert reason.endswith(".") and "\n" not in reason
    # whatever choose_variant picks, the machine can run
    picked, _ = choose_variant(os_name, arch, vendor, driver, cc)
    assert hardware.unsupported_reason(picked, hw) == ""


class _OldNvml(_FakeNvml):
    """A driver library from before a function existed (ctypes raises AttributeError)."""

    def __getattribute__(self, name):
        if name == "nvmlDeviceGetCount_v2":
            raise AttributeError("undefined symbol: nvmlDeviceGetCount_v2")
        return super().__getattribute__(name)


def test_a_driver_library_missing_a_function_is_no_nvidia(monkeypatch):
    fake = _OldNvml(b"390.157", [(b"Old", 6, 1, 1)])
    monkeypatch.setattr(hardware, "_load_nvml", lambda library: fake)
    monkeypatch.setattr(hardware, "current_os", lambda: "linux")
    hw = hardware.probe()
    assert hw.vendor == "none" and "undefined symbol" in hw.note
    assert hardware.recommend(hw)[0] == "cpu"
    assert fake.shutdown == 1
