"""Device and dtype selection: CUDA > MPS > CPU, with a user override.

torch is imported inside the functions: this module is imported by the app
layer, which must stay importable without torch.
"""

from __future__ import annotations

from dataclasses import dataclass

from studio.api import StudioError


@dataclass(frozen=True)
class DeviceChoice:
    device: str
    dtype: str
    total_bytes: int | None  # device memory, None where unknown


def pick_device(preference: str = "auto", dtype: str = "auto") -> DeviceChoice:
    """Resolve ``preference`` ("auto", "cpu", "cuda", "cuda:1", "mps") to a usable device."""
    import torch

    pref = (preference or "auto").lower()
    if pref == "auto":
        if torch.cuda.is_available():
            pref = "cuda"
        elif getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            pref = "mps"
        else:
            pref = "cpu"
    if pref.startswith("cuda"):
        if not torch.cuda.is_available():
            raise StudioError(f"device {preference!r} was asked for but CUDA is not available; "
                              "set the device to auto or cpu")
        index = int(pref.split(":", 1)[1]) if ":" in pref else 0
        if index >= torch.cuda.device_count():
            raise StudioError(f"device {pref} does not exist "
                              f"({torch.cuda.device_count()} CUDA device(s))")
        total = torch.cuda.get_device_properties(index).total_memory
        if dtype == "auto":
            dtype = "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
        return DeviceChoice(f"cuda:{index}", dtype, total)
    if pref == "mps":
        if not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
            raise StudioError("device 'mps' was asked for but Metal is not available")
        return DeviceChoice("mps", "float16" if dtype == "auto" else dtype, None)
    if pref != "cpu":
        raise StudioError(f"unknown device {preference!r}: use auto, cpu, cuda, cuda:N or mps")
    # fp32 on CPU: half precision is slow or unsupported for most CPU kernels.
    return DeviceChoice("cpu", "float32" if dtype == "auto" else dtype, None)


def is_out_of_memory(exc: BaseException) -> bool:
    """True for CUDA/MPS out-of-memory errors, whatever wrapper they come in."""
    name = type(exc).__name__
    if name == "OutOfMemoryError":
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and (
        "out of memory" in text or "mps backend out of memory" in text
    )


def free_device_memory(device: str) -> None:
    """Return cached blocks to the driver after evicting models."""
    import gc

    gc.collect()
    if device.startswith("cuda"):
        import torch

        torch.cuda.empty_cache()
    elif device == "mps":
        import torch

        if hasattr(torch, "mps"):
            torch.mps.empty_cache()
