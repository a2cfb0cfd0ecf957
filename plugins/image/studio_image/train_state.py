"""Checkpoints that let a LoRA training resume, and the memory check before it starts.

A checkpoint is one file, ``state.pt`` in the training's folder: the LoRA weights, the
optimizer's state, the step reached, the sampling RNG and the losses so far. It is
replaced atomically, so a crash while writing leaves the previous one whole. It holds
tensors and plain values only and is read back with ``weights_only=True``.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

from studio.api import OutOfMemory

STATE_FILE = "state.pt"
#: Bytes per trainable value: fp32 weight, gradient and AdamW's two moments.
TRAINABLE_BYTES = 16
#: Saved activations per latent pixel, channel and layer of a UNet level (resnets), and
#: more per transformer layer where the level has cross-attention. Fitted to the tensors
#: one training forward saves (``torch.autograd.graph.saved_tensors_hooks``, fp32, CPU)
#: on the testing presets' UNets (tiny, small, tiny-xl) and real-size SD 1.5 and SDXL
#: ones at 64-512 px, then rounded up: the formula gives 0.87-1.23x what was saved.
RESNET_VALUES = 20
ATTENTION_VALUES = 22
#: Gradient checkpointing keeps about this share of the activations (not measured here:
#: checkpointing is used on CUDA only).
CHECKPOINTED_SHARE = 0.3
#: Allocator slack and the optimizer's temporaries.
HEADROOM = 1.2


def save_checkpoint(folder: Path, state: dict[str, Any]) -> None:
    """Write ``state`` to ``folder/state.pt`` atomically (private to the user)."""
    import torch

    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    buf = io.BytesIO()
    torch.save(state, buf)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".state-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(buf.getvalue())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, folder / STATE_FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_checkpoint(folder: Path | None, key: str) -> dict[str, Any] | None:
    """The saved state of training ``key``, or None (none, another training's, unreadable)."""
    if folder is None or not (folder / STATE_FILE).is_file():
        return None
    import torch

    try:
        state = torch.load(folder / STATE_FILE, map_location="cpu", weights_only=True)
    except Exception:  # a torn or foreign file: start over rather than fail the job
        return None
    if not isinstance(state, dict) or state.get("key") != key:
        return None
    return state


def free_memory_bytes(device: str) -> int | None:
    """Free memory on ``device`` now (CUDA: the driver's figure; CPU: available RAM)."""
    if device.startswith("cuda"):
        import torch

        return int(torch.cuda.mem_get_info(torch.device(device))[0])
    if device == "cpu":
        try:
            import psutil

            return int(psutil.virtual_memory().available)
        except ImportError:
            return None
    return None


def estimate_training_bytes(unet: Any, lora_values: int, resolution: int, scale: int,
                            value_bytes: int, checkpointing: bool) -> int:
    """Memory a training step needs beyond the loaded weights (batch 1).

    The trainable LoRA values with their gradients and AdamW state, plus the UNet's
    saved activations: per level, its latent pixels times its channels and layers, and
    again per transformer layer where the level attends to the text.
    """
    cfg = unet.config
    latent = (resolution // scale) ** 2
    channels = list(getattr(cfg, "block_out_channels", ()) or (320,))
    down = list(getattr(cfg, "down_block_types", ()) or ())
    layers = _deepest(getattr(cfg, "layers_per_block", 2))
    depth = getattr(cfg, "transformer_layers_per_block", 1)
    values = 0.0
    for i, c in enumerate(channels):
        per_layer = latent / 4 ** i * c * (2 * layers + 1)  # down and up (one more) blocks
        values += per_layer * RESNET_VALUES
        if i < len(down) and "CrossAttn" in down[i]:
            level_depth = _deepest(depth[i] if isinstance(depth, (list, tuple)) else depth)
            values += per_layer * level_depth * ATTENTION_VALUES
    acts = values * value_bytes
    if checkpointing:
        acts *= CHECKPOINTED_SHARE
    return int((lora_values * TRAINABLE_BYTES + acts) * HEADROOM)


def _deepest(value: Any) -> int:
    """The largest count in a per-block setting (an int, or nested lists of them)."""
    if isinstance(value, (list, tuple)):
        return max((_deepest(v) for v in value), default=1)
    return int(value or 1)


def check_training_fits(need: int, device: str, resolution: int) -> None:
    """Refuse, naming both figures, when ``need`` bytes exceed the device's free memory."""
    free = free_memory_bytes(device)
    if free is None or need <= free:
        return
    where = "GPU memory" if device.startswith("cuda") else f"{device} memory"
    raise OutOfMemory(
        f"training at {resolution} px needs about {_size(need)} of {where} and "
        f"{_size(free)} is free: lower the resolution or the rank, or close other programs")


def _size(n: float) -> str:
    return f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"
