"""DMEL (ICASSP 2024): a Gaussian-window spectrogram whose width λ trains, and its mel layer."""
import math

import torch
from torch import nn

from ._ops import ops

_MODES = {"full": "full", "pow2": "pow2", "power_of_two": "pow2", "optimized": "pow2"}


def _mode(mode):
    if mode not in _MODES:
        raise ValueError(f"mode: expected one of {sorted(_MODES)}, got {mode!r}")
    return _MODES[mode]


def _lambd_parameter(lambd, trainable, where):
    value = float(lambd)
    if not math.isfinite(value) or value == 0.0:
        raise ValueError(f"{where}: lambd must be finite and non-zero, got {lambd}")
    return nn.Parameter(torch.tensor(value, dtype=torch.float32), requires_grad=trainable)


def lambd_for_window_ms(window_ms, sample_rate):
    """λ in samples for a window of `window_ms` milliseconds (DMEL states windows as l = 6λ/sr)."""
    if not window_ms > 0:
        raise ValueError(f"window_ms must be > 0, got {window_ms}")
    return window_ms / 1000.0 * sample_rate / 6.0


def window_ms_for_lambd(lambd, sample_rate):
    return 6.0 * abs(float(lambd)) / sample_rate * 1000.0


class GaussianWindow(nn.Module):
    """w(m) = exp(−½((m − L/2)/(|λ| + 1e−15))²), m = 0..L−1; `normalized` divides by ‖w‖₂."""

    def __init__(self, window_length, lambd, normalized=False, trainable=True):
        super().__init__()
        if window_length < 1:
            raise ValueError(f"window_length must be >= 1, got {window_length}")
        self.window_length, self.normalized = int(window_length), bool(normalized)
        self.lambd = _lambd_parameter(lambd, trainable, "GaussianWindow")

    def forward(self):
        return ops.gaussian_window(self.lambd.abs(), self.window_length, self.normalized)


class DifferentiableSpectrogram(nn.Module):
    """(B, N) or (N) → |STFT|² (B, K, T) with a Gaussian window of trainable width λ (samples).

    mode "full": L = N, n_fft = 2N; "pow2": L = n_fft = next power of two ≥ ⌊6|λ|⌋.
    """

    def __init__(self, lambd, hop_length=1, mode="full", normalize_window=False, trainable=True):
        super().__init__()
        if hop_length < 1:
            raise ValueError(f"hop_length must be >= 1, got {hop_length}")
        self.hop_length, self.mode, self.normalize_window = int(hop_length), _mode(mode), bool(normalize_window)
        self.lambd = _lambd_parameter(lambd, trainable, "DifferentiableSpectrogram")

    def forward(self, x):
        return ops.gaussian_power_spectrogram(x, self.lambd, self.mode, self.hop_length, self.normalize_window)


class DMel(nn.Module):
    """(B, N) → (B, 1, n_mels, T): the mel projection of the Gaussian-window power spectrogram,
    fused with it (and with log(M + 1e-10) when `log`), in one C++ kernel with an analytic λ-gradient.
    Argument names follow torchaudio."""

    def __init__(self, lambd, sample_rate, n_mels=64, hop_length=80, mode="pow2", f_min=0.0, f_max=None,
                 normalize_window=False, log=False, trainable=True):
        super().__init__()
        if sample_rate <= 0 or n_mels < 1 or hop_length < 1:
            raise ValueError(f"DMel: need sample_rate > 0, n_mels >= 1, hop_length >= 1, got {sample_rate}, "
                             f"{n_mels}, {hop_length}")
        nyquist = sample_rate / 2.0
        f_max = nyquist if f_max is None else float(f_max)
        if not (0.0 <= f_min < nyquist) or not (f_min < f_max <= nyquist):
            raise ValueError(f"DMel: need 0 <= f_min < f_max <= sample_rate/2 = {nyquist}, got f_min {f_min}, "
                             f"f_max {f_max}")
        self.sample_rate, self.n_mels, self.hop_length = int(sample_rate), int(n_mels), int(hop_length)
        self.mode, self.f_min, self.f_max = _mode(mode), float(f_min), f_max
        self.normalize_window, self.log = bool(normalize_window), bool(log)
        self.lambd = _lambd_parameter(lambd, trainable, "DMel")
        self._filterbanks = {}

    def filterbank(self, n_freqs, dtype, device):
        key = (n_freqs, dtype, str(device))
        if key not in self._filterbanks:
            fb = ops.melscale_fbanks(n_freqs, self.f_min, self.f_max, self.n_mels, self.sample_rate, dtype)
            self._filterbanks[key] = fb.to(device)
        return self._filterbanks[key]

    def window_ms(self):
        return window_ms_for_lambd(self.lambd.detach(), self.sample_rate)

    def forward(self, x):
        if x.dim() != 2:
            raise ValueError(f"DMel: input must be (B, N) samples, got shape {tuple(x.shape)}")
        n_freqs = ops.gaussian_spectrogram_shape(x.shape[1], float(self.lambd.detach()), self.mode,
                                                 self.hop_length)[2]
        fb = self.filterbank(n_freqs, x.dtype, x.device)
        out = ops.gaussian_filterbank_spectrogram(x, self.lambd, fb, self.mode, self.hop_length,
                                                  self.normalize_window, 1e-10 if self.log else None)
        return out.unsqueeze(1)


# ---- the published DMEL names ----

class SpectrogramLayer(DifferentiableSpectrogram):
    """DMEL's `SpectrogramLayer(init_lambd, n_points, hop_length, optimized, normalize_window)`."""

    def __init__(self, init_lambd, n_points=None, hop_length=1, device="cpu", optimized=False,
                 normalize_window=False):
        super().__init__(init_lambd, hop_length=hop_length, mode="pow2" if optimized else "full",
                         normalize_window=normalize_window)
        self.n_points = n_points
        self.to(device)


class MelSpectrogramLayer(DMel):
    """DMEL's `MelSpectrogramLayer`: (B, N) → (B, 1, n_mels, T) mel power (no log), parameter `lambd`."""

    def __init__(self, init_lambd, n_mels, n_points, sample_rate, f_min=0, f_max=None, hop_length=1, device="cpu",
                 optimized=False, normalize_window=False):
        super().__init__(init_lambd, sample_rate, n_mels=n_mels, hop_length=hop_length,
                         mode="pow2" if optimized else "full", f_min=f_min, f_max=f_max,
                         normalize_window=normalize_window, log=False)
        self.n_points = n_points
        self.to(device)
