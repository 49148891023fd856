"""Learnable per-channel energy normalisation (PCEN) as LEAF defines it, on tfgram's fused kernel."""
import math

import torch
from torch import nn

from ._ops import ops


class PCEN(nn.Module):
    """(B, C, F, T) non-negative → (B, C, F, T); parameters `alpha`, `delta`, `root` (F) and
    `smooth_coef` (F, or 1 when not per channel). With `learn_logs` they hold logs (EfficientLEAF)."""

    def __init__(self, channels, alpha=0.96, smooth_coef=0.04, delta=2.0, root=2.0, floor=1e-6, trainable=True,
                 learn_smooth_coef=True, per_channel_smooth_coef=True, learn_logs=False):
        super().__init__()
        for name, value in (("alpha", alpha), ("delta", delta), ("root", root), ("floor", floor)):
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"PCEN: {name} must be > 0, got {value}")
        if channels < 1 or not (0 < smooth_coef <= 1):
            raise ValueError(f"PCEN: need channels >= 1 and 0 < smooth_coef <= 1, got {channels}, {smooth_coef}")
        self.channels, self.floor, self.learn_logs = int(channels), float(floor), bool(learn_logs)

        def initial(value, size):
            t = torch.full((size,), float(value), dtype=torch.float32)
            return t.log() if learn_logs else t

        self.alpha = nn.Parameter(initial(alpha, channels), requires_grad=trainable)
        self.delta = nn.Parameter(initial(delta, channels), requires_grad=trainable)
        self.root = nn.Parameter(initial(root, channels), requires_grad=trainable)
        self.smooth_coef = nn.Parameter(initial(smooth_coef, channels if per_channel_smooth_coef else 1),
                                        requires_grad=learn_smooth_coef)

    def _value(self, p):
        return p.exp() if self.learn_logs else p

    def forward(self, x):
        if x.dim() != 4 or x.shape[2] != self.channels:
            raise ValueError(f"PCEN: input must be (B, C, {self.channels}, T), got {tuple(x.shape)}")
        alpha = torch.clamp_max(self._value(self.alpha), 1.0)
        inverse_root = 1.0 / torch.clamp_min(self._value(self.root), 1.0)
        smooth = torch.clamp(self._value(self.smooth_coef), 0.0, 1.0).expand(self.channels)
        return ops.pcen(x, alpha, self._value(self.delta), inverse_root, smooth, self.floor)
