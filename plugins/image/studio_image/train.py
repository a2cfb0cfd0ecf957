"""Training a LoRA on the loaded pipeline's UNet: diffusers' text-to-image LoRA recipe.

Images are VAE-encoded once, captions encoded once; each step picks an image, adds
noise at a random timestep, predicts the noise (or v), and takes an AdamW step on the
LoRA values only (peft adapters on the attention projections). On CUDA the step runs
under autocast (bf16 where the card has it, else fp16 with a gradient scaler) with
gradient checkpointing. A checkpoint is written every ``checkpoint_every`` steps and on
cancel, so the same training run again resumes where it stopped.

Imported on the first training job only (``GeneratorInfo.factory``).
"""

from __future__ import annotations

import math
import shutil
import tempfile
from pathlib import Path
from typing import Any

from studio.api import (
    Cancelled,
    CancelToken,
    GenerationRequest,
    ModelError,
    OutOfMemory,
    Output,
    ProgressFn,
)
from studio_image.generator import DiffusersGenerator
from studio_image.loading import LoadedModel
from studio_image.train_data import Manifest, check_images, load_pixels, read_manifest
from studio_image.train_state import (
    check_training_fits,
    estimate_training_bytes,
    load_checkpoint,
    save_checkpoint,
)

ADAPTER = "studio_train"
TARGET_MODULES = ["to_k", "to_q", "to_v", "to_out.0"]
#: Timesteps of the fixed evaluation (spread over the schedule) that scores a LoRA.
EVAL_TIMESTEPS = (100, 300, 500, 700, 900)
#: Smoothing of the loss shown per step (one step's loss swings with its timestep).
LOSS_EMA = 0.9


class LoraTrainer(DiffusersGenerator):
    """``train_lora``: a manifest of images and captions in, a LoRA (safetensors) out.

    It loads, sizes and frees a model exactly as the image generator does."""

    def check_request(self, request: GenerationRequest) -> None:
        check_images(read_manifest(request.inputs["manifest"]))

    def generate(self, request: GenerationRequest, loaded: LoadedModel,
                 progress: ProgressFn, cancel: CancelToken) -> list[Output]:
        manifest = read_manifest(request.inputs["manifest"])
        pipe = loaded.text2img
        if getattr(pipe, "unet", None) is None:
            raise ModelError(f"{loaded.source.name} has no UNet: LoRA training supports "
                             "Stable Diffusion 1.x/2.x and SDXL models")
        if loaded.plan.offload:
            raise OutOfMemory("training needs the whole model on the device and it only fits "
                              "with CPU offload: lower the resolution, or use a smaller model")
        run = _Run(request, loaded, manifest, cancel)
        try:
            run.prepare()
            result = run.train(progress)
        finally:
            run.clean_up()
        return [result]


class _Run:
    """One training: its settings, data, adapter, optimizer and loop."""

    def __init__(self, request: GenerationRequest, loaded: LoadedModel, manifest: Manifest,
                 cancel: CancelToken) -> None:
        import torch

        p = request.params
        self.request, self.loaded, self.manifest, self.cancel = request, loaded, manifest, cancel
        self.pipe = loaded.text2img
        self.unet = self.pipe.unet
        self.device = torch.device(loaded.plan.device)
        self.cuda = self.device.type == "cuda"
        self.steps = int(p.get("steps") or 500)
        self.rank = int(p.get("rank") or 8)
        self.lr = float(p.get("learning_rate") or 1e-4)
        self.every = int(p.get("checkpoint_every") or 100)
        native = self.unet.config.sample_size * self.pipe.vae_scale_factor
        self.resolution = int(p.get("resolution") or native)
        self.seed = int(request.seed or 0)
        self.folder = manifest.checkpoint_dir
        self.key = manifest.key or f"{request.model}:{self.seed}"
        self.autocast_dtype = None
        if self.cuda:
            self.autocast_dtype = (torch.bfloat16 if torch.cuda.is_bf16_supported()
                                   else torch.float16)
        self.adapter_added = False

    # -- set-up ----------------------------------------------------------------

    def prepare(self) -> None:
        import torch
        from diffusers import DDPMScheduler
        from peft import LoraConfig

        unet = self.unet
        for module in (unet, self.pipe.vae, self.pipe.text_encoder,
                       getattr(self.pipe, "text_encoder_2", None)):
            if module is not None:
                module.requires_grad_(False)
        # Identical trainings start from identical LoRA values (resume compares equal).
        torch.manual_seed(self.seed)
        unet.add_adapter(LoraConfig(r=self.rank, lora_alpha=self.rank,
                                    init_lora_weights="gaussian",
                                    target_modules=TARGET_MODULES), adapter_name=ADAPTER)
        self.adapter_added = True
        unet.set_adapter(ADAPTER)
        self.params = [p for p in unet.parameters() if p.requires_grad]
        for param in self.params:
            # The recipe keeps trainable values in fp32 whatever the model's dtype.
            param.data = param.data.float()
        lora_values = sum(p.numel() for p in self.params)
        need = estimate_training_bytes(
            unet, lora_values, self.resolution, self.pipe.vae_scale_factor,
            2 if self.autocast_dtype is not None else 4, checkpointing=self.cuda)
        check_training_fits(need, self.loaded.plan.device, self.resolution)
        self.cancel.check()
        self.noise_scheduler = DDPMScheduler.from_config(self.pipe.scheduler.config)
        self.latents, self.conditions = self._encode_data()
        self.optimizer = torch.optim.AdamW(self.params, lr=self.lr, weight_decay=1e-2)
        self.scaler = None
        if self.autocast_dtype == torch.float16:
            self.scaler = torch.amp.GradScaler("cuda")
        if self.cuda:
            unet.enable_gradient_checkpointing()
        unet.train()

    def _encode_data(self) -> tuple[list[Any], list[dict[str, Any]]]:
        """VAE latents and text conditioning of every item, computed once."""
        import torch

        vae = self.pipe.vae
        g = torch.Generator("cpu").manual_seed(self.seed)
        latents, conditions = [], []
        shift = getattr(vae.config, "shift_factor", None) or 0.0
        with torch.no_grad():
            for item in self.manifest.items:
                self.cancel.check()
                pixels = load_pixels(item["path"], self.resolution)[None]
                pixels = pixels.to(self.device, dtype=vae.dtype)
                dist = vae.encode(pixels).latent_dist
                noise = torch.randn(dist.mean.shape, generator=g).to(self.device, dist.mean.dtype)
                lat = dist.mean + dist.std * noise
                latents.append(((lat - shift) * vae.config.scaling_factor).float())
                conditions.append(self._condition(item["caption"]))
        return latents, conditions

    def _condition(self, caption: str) -> dict[str, Any]:
        import torch

        if "XL" not in type(self.pipe).__name__:
            embeds, _ = self.pipe.encode_prompt(caption, self.device, 1, False)
            return {"encoder_hidden_states": embeds}
        embeds, _, pooled, _ = self.pipe.encode_prompt(
            caption, device=self.device, num_images_per_prompt=1,
            do_classifier_free_guidance=False)
        r = self.resolution
        # original size, crop top-left, target size: a centre crop at the training size.
        time_ids = torch.tensor([[r, r, 0, 0, r, r]], device=self.device, dtype=embeds.dtype)
        return {"encoder_hidden_states": embeds,
                "added_cond_kwargs": {"text_embeds": pooled, "time_ids": time_ids}}

    # -- the loop ----------------------------------------------------------------

    def train(self, progress: ProgressFn) -> Output:
        import torch

        g = torch.Generator("cpu").manual_seed(self.seed + 1)
        start, losses, initial = 0, [], None
        state = load_checkpoint(self.folder, self.key)
        if state is not None:
            from peft import set_peft_model_state_dict

            set_peft_model_state_dict(self.unet, state["lora"], adapter_name=ADAPTER)
            self.optimizer.load_state_dict(state["optimizer"])
            g.set_state(state["rng"])
            start, losses, initial = int(state["step"]), list(state["losses"]), state["initial"]
        if initial is None:
            initial = self.evaluate()
        smooth = losses[-1] if losses else None
        step = start
        try:
            for step in range(start, self.steps):
                self.cancel.check()
                loss = self._step(g)
                losses.append(loss)
                smooth = loss if smooth is None else LOSS_EMA * smooth + (1 - LOSS_EMA) * loss
                done = step + 1
                if self.folder is not None and done % self.every == 0 and done < self.steps:
                    self._save(done, g, losses, initial)
                progress(done, self.steps, text=f"loss {smooth:.4f}")
        except Cancelled:
            done = len(losses)
            if self.folder is not None:
                self._save(done, g, losses, initial)
            raise
        final = self.evaluate()
        return self._output(initial, final, losses)

    def _step(self, g: Any) -> float:
        import torch

        n = len(self.latents)
        index = int(torch.randint(0, n, (1,), generator=g))
        latents = self.latents[index]
        noise = torch.randn(latents.shape, generator=g).to(self.device)
        total = self.noise_scheduler.config.num_train_timesteps
        t = torch.randint(0, total, (1,), generator=g).to(self.device)
        loss = self._loss(latents, noise, t, self.conditions[index])
        self.optimizer.zero_grad(set_to_none=True)
        if self.scaler is not None:
            self.scaler.scale(loss).backward()
            self.scaler.step(self.optimizer)
            self.scaler.update()
        else:
            loss.backward()
            self.optimizer.step()
        value = float(loss.detach())
        if not math.isfinite(value):
            raise ModelError(f"the training diverged (loss {value}); "
                             "lower the learning rate and train again")
        return value

    def _loss(self, latents: Any, noise: Any, t: Any, condition: dict[str, Any]) -> Any:
        import torch
        import torch.nn.functional as F

        sched = self.noise_scheduler
        noisy = sched.add_noise(latents, noise, t)
        if sched.config.prediction_type == "v_prediction":
            target = sched.get_velocity(latents, noise, t)
        else:
            target = noise
        dtype = self.unet.dtype
        with torch.autocast(self.device.type, dtype=self.autocast_dtype,
                            enabled=self.autocast_dtype is not None):
            pred = self.unet(noisy.to(dtype), t, **_cast(condition, dtype)).sample
        return F.mse_loss(pred.float(), target.float())

    def evaluate(self) -> float:
        """Mean loss over every image at fixed timesteps and noise: comparable across runs."""
        import torch

        g = torch.Generator("cpu").manual_seed(1234)
        total, count = 0.0, 0
        with torch.no_grad():
            for latents, condition in zip(self.latents, self.conditions, strict=True):
                for step in EVAL_TIMESTEPS:
                    noise = torch.randn(latents.shape, generator=g).to(self.device)
                    t = torch.tensor([min(step, self.noise_scheduler.config.num_train_timesteps
                                          - 1)], device=self.device)
                    total += float(self._loss(latents, noise, t, condition))
                    count += 1
        return total / count

    def _save(self, step: int, g: Any, losses: list[float], initial: float) -> None:
        from peft import get_peft_model_state_dict

        lora = {k: v.detach().cpu() for k, v in
                get_peft_model_state_dict(self.unet, adapter_name=ADAPTER).items()}
        assert self.folder is not None
        save_checkpoint(self.folder, {
            "key": self.key, "step": step, "lora": lora,
            "optimizer": self.optimizer.state_dict(), "rng": g.get_state(),
            "losses": losses, "initial": initial,
        })

    # -- result ------------------------------------------------------------------

    def _output(self, initial: float, final: float, losses: list[float]) -> Output:
        from diffusers.utils import convert_state_dict_to_diffusers
        from peft import get_peft_model_state_dict

        layers = get_peft_model_state_dict(self.unet, adapter_name=ADAPTER)
        layers = convert_state_dict_to_diffusers(
            {k: v.detach().to("cpu", dtype=_float32()) for k, v in layers.items()})
        tmp = Path(tempfile.mkdtemp(prefix="studio-lora-"))
        try:
            type(self.pipe).save_lora_weights(tmp, unet_lora_layers=layers,
                                              safe_serialization=True)
            data = next(tmp.glob("*.safetensors")).read_bytes()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        meta = {
            "name": self.manifest.name, "sources": self.manifest.ids,
            "images": len(self.manifest.items), "steps": self.steps, "rank": self.rank,
            "learning_rate": self.lr, "resolution": self.resolution,
            "base_model": self.request.model, "model_hash": self.loaded.hash,
            "family": self.loaded.family, "initial_loss": initial, "final_loss": final,
            "last_step_loss": losses[-1] if losses else None, "key": self.key,
        }
        return Output("lora", data, meta)

    def clean_up(self) -> None:
        """Leave the cached pipeline as it was loaded: no adapter, no gradients, eval mode."""
        unet = self.unet
        if self.cuda:
            unet.disable_gradient_checkpointing()
        unet.eval()
        if self.adapter_added:
            unet.delete_adapters(ADAPTER)
        unet.requires_grad_(False)


def _cast(condition: dict[str, Any], dtype: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in condition.items():
        out[key] = _cast(value, dtype) if isinstance(value, dict) else value.to(dtype)
    return out


def _float32() -> Any:
    import torch

    return torch.float32
