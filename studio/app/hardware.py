"""What accelerator this machine has, found without importing torch.

The probe asks the NVIDIA driver library itself (NVML through ctypes), so it works
before any torch is installed and never loads CUDA. ``choose_variant`` turns what
was found into the torch build to fetch, with a plain sentence saying why.

AMD: a ROCm install is only *detected* (``/opt/rocm`` or ``rocminfo`` on the PATH)
and reported; no ROCm variant is offered yet, so such a machine gets the CPU build
with a reason that says so.
"""

from __future__ import annotations

import ctypes
import os
import platform
import shutil
import sys
from dataclasses import asdict, dataclass, field
from typing import Any

#: The torch builds Studio knows how to fetch.
VARIANTS = ("cpu", "cu126", "cu128", "cu130", "mps")

# Minimum NVIDIA driver per CUDA line, from the CUDA Toolkit release notes, table
# "CUDA Toolkit and Corresponding Driver Versions" (GA releases):
#   CUDA 13.0 GA  Linux >= 580.65.06   Windows >= 580.88
#   CUDA 12.8 GA  Linux >= 570.26      Windows >= 570.65
#   CUDA 12.6 GA  Linux >= 560.28.03   Windows >= 560.76
# and, from the table "minimum required driver for CUDA minor version
# compatibility", any CUDA 12.x runs on Linux >= 525.60.13 / Windows >= 528.33.
# A cu126 wheel on a 525-559 driver relies on that minor version compatibility.
_DRIVER_MIN: dict[str, dict[str, tuple[int, ...]]] = {
    "linux": {"cu130": (580, 65, 6), "cu128": (570, 26), "cu126": (560, 28, 3),
              "cu12x": (525, 60, 13)},
    "windows": {"cu130": (580, 88), "cu128": (570, 65), "cu126": (560, 76),
                "cu12x": (528, 33)},
}

# Which GPUs each torch 2.11 CUDA wheel line carries kernels for, from PyTorch's
# CUDA support matrix for 2.11 (pytorch/pytorch issue #172352, "Deprecate sm70 ...
# for CUDA 12.8 build in PyTorch 2.11", and RELEASE.md's support matrix):
#   cu126  Maxwell 5.0, Pascal 6.0, Volta 7.0, Turing 7.5, Ampere 8.0/8.6, Hopper 9.0
#   cu128  Turing 7.5, Ampere 8.0/8.6, Hopper 9.0, Blackwell 10.0/12.0
#   cu130  Turing 7.5, Ampere 8.0/8.6, Hopper 9.0, Blackwell 10.0/12.0 (+PTX)
_CC_MIN_NEW_LINES = (7, 5)  # cu128 and cu130
_CC_MIN_CU126 = (5, 0)
_CC_MAX_CU126 = (9, 0)  # no Blackwell kernels in the 12.6 line

#: Where CUDA wheels of torch are published.
_CUDA_ARCHES = {"linux": ("x86_64", "arm64"), "windows": ("x86_64",)}

_NVML_NAMES = {"win32": ("nvml.dll",), "linux": ("libnvidia-ml.so.1", "libnvidia-ml.so")}


@dataclass
class GpuInfo:
    """One NVIDIA device as NVML reports it."""

    index: int
    name: str
    compute_capability: tuple[int, int]
    memory_total: int  # bytes


@dataclass
class Hardware:
    """What the probe found; ``vendor`` is nvidia, apple, amd or none."""

    os: str  # linux | windows | darwin
    arch: str  # x86_64 | arm64 | ...
    vendor: str = "none"
    driver_version: str = ""
    gpus: list[GpuInfo] = field(default_factory=list)
    note: str = ""  # why the probe found less than it could (library missing, error)

    @property
    def compute_capability(self) -> tuple[int, int] | None:
        """The oldest device's capability: the build has to serve every card."""
        if not self.gpus:
            return None
        return min(g.compute_capability for g in self.gpus)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["compute_capability"] = (
            ".".join(map(str, self.compute_capability)) if self.compute_capability else None
        )
        return out


def current_os() -> str:
    if sys.platform.startswith("win"):
        return "windows"
    if sys.platform == "darwin":
        return "darwin"
    return "linux"


def current_arch() -> str:
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "aarch64": "arm64"}.get(machine, machine)


def probe() -> Hardware:
    """Probe this machine; never raises, never imports torch."""
    hw = Hardware(os=current_os(), arch=current_arch())
    if hw.os == "darwin":
        if hw.arch == "arm64":
            hw.vendor = "apple"
        return hw
    try:
        found = probe_nvml()
    except NvmlError as exc:
        hw.note = str(exc)
        found = None
    except (AttributeError, OSError, ValueError) as exc:  # a driver too old for a symbol
        hw.note = f"the NVIDIA driver library could not be read: {exc}"
        found = None
    if found is not None:
        hw.vendor, hw.driver_version, hw.gpus = "nvidia", found[0], found[1]
        return hw
    if hw.os == "linux" and (os.path.isdir("/opt/rocm") or shutil.which("rocminfo")):
        hw.vendor = "amd"
    return hw


class NvmlError(Exception):
    """The NVIDIA library is there but answered with an error."""


def probe_nvml(library: str | None = None) -> tuple[str, list[GpuInfo]] | None:
    """Driver version and devices through NVML; None when the library is absent."""
    lib = _load_nvml(library)
    if lib is None:
        return None

    def check(ret: int, what: str) -> None:
        if ret != 0:
            raise NvmlError(f"the NVIDIA driver library failed in {what} (NVML error {ret})")

    check(lib.nvmlInit_v2(), "nvmlInit_v2")
    try:
        buf = ctypes.create_string_buffer(96)
        check(lib.nvmlSystemGetDriverVersion(buf, ctypes.c_uint(len(buf))),
              "nvmlSystemGetDriverVersion")
        driver = buf.value.decode("ascii", "replace")
        count = ctypes.c_uint(0)
        check(lib.nvmlDeviceGetCount_v2(ctypes.byref(count)), "nvmlDeviceGetCount_v2")
        gpus = []
        for index in range(count.value):
            handle = ctypes.c_void_p()
            check(lib.nvmlDeviceGetHandleByIndex_v2(ctypes.c_uint(index), ctypes.byref(handle)),
                  "nvmlDeviceGetHandleByIndex_v2")
            major, minor = ctypes.c_int(0), ctypes.c_int(0)
            check(lib.nvmlDeviceGetCudaComputeCapability(handle, ctypes.byref(major),
                                                         ctypes.byref(minor)),
                  "nvmlDeviceGetCudaComputeCapability")
            name = ctypes.create_string_buffer(96)
            check(lib.nvmlDeviceGetName(handle, name, ctypes.c_uint(len(name))),
                  "nvmlDeviceGetName")
            memory = _NvmlMemory()
            check(lib.nvmlDeviceGetMemoryInfo(handle, ctypes.byref(memory)),
                  "nvmlDeviceGetMemoryInfo")
            gpus.append(GpuInfo(index, name.value.decode("utf-8", "replace"),
                                (major.value, minor.value), int(memory.total)))
    finally:
        lib.nvmlShutdown()
    return driver, gpus


class _NvmlMemory(ctypes.Structure):
    _fields_ = [("total", ctypes.c_ulonglong), ("free", ctypes.c_ulonglong),
                ("used", ctypes.c_ulonglong)]


def _load_nvml(library: str | None) -> Any:
    names = (library,) if library else _NVML_NAMES.get(
        "win32" if sys.platform.startswith("win") else sys.platform, ())
    for name in names:
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    return None


def parse_version(text: str) -> tuple[int, ...]:
    """``"570.86.10"`` -> ``(570, 86, 10)``; the digits before any non-digit part."""
    parts = []
    for piece in text.strip().split("."):
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


def _fmt(version: tuple[int, ...]) -> str:
    return ".".join(str(p) for p in version)


def choose_variant(
    os_name: str,
    arch: str,
    vendor: str,
    driver_version: str = "",
    compute_capability: tuple[int, int] | None = None,
) -> tuple[str, str]:
    """The torch build for a machine and one plain sentence saying why.

    Pure: the probe's findings go in, so every case can be checked in a table.
    """
    os_name, arch, vendor = os_name.lower(), arch.lower(), vendor.lower()
    if os_name == "darwin":
        if arch == "arm64":
            return "mps", "Apple silicon: the standard macOS build runs on the GPU through Metal."
        return "cpu", "An Intel Mac has no GPU that torch can use, so the CPU build is used."
    if vendor == "amd":
        return "cpu", ("An AMD GPU (ROCm) was found, but Studio does not offer a ROCm build yet, "
                       "so the CPU build is used.")
    if vendor != "nvidia":
        return "cpu", "No NVIDIA GPU was found, so the CPU build is used."
    if arch not in _CUDA_ARCHES.get(os_name, ()):
        return "cpu", f"No CUDA build of torch is offered for {os_name} on {arch}."
    if compute_capability is None:
        return "cpu", "The NVIDIA driver reported no usable GPU, so the CPU build is used."
    driver = parse_version(driver_version)
    if not driver:
        return "cpu", ("The NVIDIA driver version could not be read, so the CPU build is used "
                       "until it can be.")
    cc = tuple(compute_capability)
    cc_text = f"{cc[0]}.{cc[1]}"
    mins = _DRIVER_MIN[os_name]
    if cc < _CC_MIN_CU126:
        return "cpu", (f"This GPU (compute capability {cc_text}) is older than any CUDA build "
                       "of torch supports, so the CPU build is used.")
    if cc < _CC_MIN_NEW_LINES:
        if driver >= mins["cu12x"]:
            return "cu126", (f"This GPU (compute capability {cc_text}: Maxwell, Pascal or Volta) "
                             "is only supported by the CUDA 12.6 build of torch.")
        return "cpu", (f"The NVIDIA driver {driver_version} is too old for CUDA 12.6; update it "
                       f"to {_fmt(mins['cu126'])} or newer to use the GPU.")
    if driver >= mins["cu130"]:
        return "cu130", (f"The NVIDIA driver {driver_version} supports CUDA 13.0, the newest "
                         f"build for this GPU (compute capability {cc_text}).")
    if driver >= mins["cu128"]:
        return "cu128", (f"The NVIDIA driver {driver_version} supports CUDA 12.8 but not 13.0 "
                         f"(needs {_fmt(mins['cu130'])}), so the CUDA 12.8 build is used.")
    if driver >= mins["cu12x"] and cc <= _CC_MAX_CU126:
        return "cu126", (f"The NVIDIA driver {driver_version} is older than CUDA 12.8 needs "
                         f"({_fmt(mins['cu128'])}), so the CUDA 12.6 build is used.")
    return "cpu", (f"The NVIDIA driver {driver_version} is too old for a CUDA build that "
                   f"supports this GPU; update it to {_fmt(mins['cu128'])} or newer to use it.")


def recommend(hw: Hardware | None = None) -> tuple[str, str]:
    """``choose_variant`` for this machine (probed now unless given)."""
    hw = hw or probe()
    return choose_variant(hw.os, hw.arch, hw.vendor, hw.driver_version, hw.compute_capability)


def unsupported_reason(variant: str, hw: Hardware) -> str:
    """Why ``variant`` cannot run on ``hw`` (one sentence), or "" when it can.

    Asked before a runtime is fetched, so a machine is not sent gigabytes it cannot use.
    """
    if variant == "cpu":
        return ""
    if variant == "mps":
        if hw.os == "darwin" and hw.arch == "arm64":
            return ""
        return "The mps runtime needs a Mac with Apple silicon."
    if hw.vendor != "nvidia" or hw.compute_capability is None:
        return f"The {variant} runtime needs an NVIDIA GPU and none was found."
    if hw.arch not in _CUDA_ARCHES.get(hw.os, ()):
        return f"No CUDA build of torch is offered for {hw.os} on {hw.arch}."
    cc = hw.compute_capability
    cc_text = f"{cc[0]}.{cc[1]}"
    if variant == "cu126":
        if not _CC_MIN_CU126 <= cc <= _CC_MAX_CU126:
            return f"The cu126 build has no kernels for compute capability {cc_text}."
        need = _DRIVER_MIN[hw.os]["cu12x"]
    else:
        if cc < _CC_MIN_NEW_LINES:
            return (f"The {variant} build has no kernels for compute capability {cc_text}; "
                    "use cu126.")
        need = _DRIVER_MIN[hw.os][variant]
    if parse_version(hw.driver_version) < need:
        return (f"The {variant} build needs NVIDIA driver {_fmt(need)} or newer; this machine "
                f"has {hw.driver_version or 'an unknown version'}.")
    return ""

