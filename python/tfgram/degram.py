"""DEGram (DEGramNet, NCAA 2023): SincGram → TF-DE → normalisation over a linear spectrogram."""
import math

import torch
from torch import nn

from ._ops import ops
from .pcen import PCEN


def hz_to_mel(hz):
    return 2595.0 * torch.log10(1.0 + hz / 700.0) if torch.is_tensor(hz) else 2595.0 * math.log10(1.0 + hz / 700.0)


def mel_to_hz(mel):
    return 700.0 * (10.0 ** (mel / 2595.0) - 1.0)


class Spectrogram(nn.Module):
    """(B, N) → |STFT|² (B, n_fft/2+1, 1 + N//hop): periodic Hann of `win_length` zero-padded to
    n_fft and centred, centred frames with reflect padding (SPEC §1.5)."""

    def __init__(self, n_fft, win_length=None, hop_length=None):
        super().__init__()
        self.n_fft = int(n_fft)
        self.win_length = int(win_length or n_fft)
        self.hop_length = int(hop_length or self.win_length // 4)
        if not (1 <= self.win_length <= self.n_fft) or self.hop_length < 1:
            raise ValueError(f"Spectrogram: need 1 <= win_length <= n_fft and hop_length >= 1, got "
                             f"{self.win_length}, {self.n_fft}, {self.hop_length}")
        self.register_buffer("window", torch.hann_window(self.win_length, periodic=True))

    @classmethod
    def from_seconds(cls, sample_rate, win_sec, hop_sec, n_fft):
        win, hop = math.floor(win_sec * sample_rate), math.floor(hop_sec * sample_rate)
        if not (1 <= win <= n_fft):
            raise ValueError(f"win_sec: must give a window of 1 … n_fft = {n_fft} samples at {sample_rate} Hz, "
                             f"got {win_sec} s")
        if hop < 1:
            raise ValueError(f"hop_sec: must give a hop of >= 1 sample at {sample_rate} Hz, got {hop_sec} s")
        return cls(n_fft, win, hop)

    def forward(self, waveform):
        spec = torch.stft(waveform, self.n_fft, self.hop_length, self.win_length, self.window.to(waveform.dtype),
                          center=True, pad_mode="reflect", normalized=False, onesided=True, return_complex=True)
        parts = torch.view_as_real(spec)
        return parts[..., 0].square() + parts[..., 1].square()


class SincGram(nn.Module):
    """(B, C, K, T) power spectrogram → (B, C, F, T) through F learnable Butterworth band-passes.

    Parameters `freq_centers` and `bands`, (1, F) float64 in the normalised weight space of the paper.
    """

    def __init__(self, n_freqs, sample_rate, filters=64, order=4, init="mel", f_min=0.0, f_max=None, eps=1e-7):
        super().__init__()
        nyquist = sample_rate / 2.0
        f_max = nyquist if f_max is None else float(f_max)
        if filters < 1 or n_freqs < 2 or order < 1 or sample_rate <= 0:
            raise ValueError(f"SincGram: need filters >= 1, n_freqs >= 2, order >= 1, sample_rate > 0, got "
                             f"{filters}, {n_freqs}, {order}, {sample_rate}")
        if not (0.0 <= f_min < nyquist) or not (f_min < f_max <= nyquist):
            raise ValueError(f"SincGram: need 0 <= f_min < f_max <= sample_rate/2 = {nyquist}, got {f_min}, {f_max}")
        if init not in ("mel", "random"):
            raise ValueError(f"SincGram init: expected 'mel' or 'random', got {init!r}")
        self.n_freqs, self.sample_rate, self.filters, self.order = int(n_freqs), int(sample_rate), int(filters), int(order)
        self.f_min, self.f_max, self.eps, self.init = float(f_min), f_max, float(eps), init
        self.freq_centers = nn.Parameter(torch.zeros(1, filters, dtype=torch.float64))
        self.bands = nn.Parameter(torch.zeros(1, filters, dtype=torch.float64))
        self.reset_parameters()

    def _mu(self):
        return 0.25 - 2.0 / self.n_freqs

    def hz_to_weights(self, centers_hz, bands_hz):
        beta = 2.0 * bands_hz / self.sample_rate
        return 4.0 * centers_hz / self.sample_rate - 1.0, beta * 2.0 / self._mu() - 1.0

    @torch.no_grad()
    def reset_parameters(self):
        if self.init == "random":
            self.freq_centers.normal_(0.0, 1.0)
            self.bands.normal_(0.0, 1.0)
            return
        mel = torch.linspace(hz_to_mel(self.f_min), hz_to_mel(self.f_max), self.filters + 2, dtype=torch.float64)
        hz = mel_to_hz(mel)
        centers, bands = self.hz_to_weights(hz[1:-1], hz[2:] - hz[:-2])
        self.freq_centers.copy_(centers.unsqueeze(0))
        self.bands.copy_(bands.unsqueeze(0))

    def filter_matrix(self, bins=None):
        """The (K, F) float64 matrix W_kf = 1/sqrt(1 + y^(2n)), differentiable in both parameters;
        `bins` evaluates the same filters on another bin grid over [0, sr/2]."""
        return ops.sincgram_filter_matrix(self.freq_centers, self.bands, self.n_freqs, self.order, self.eps,
                                          0 if bins is None else int(bins))

    def center_hz(self):
        return ((self.freq_centers.detach() + 1.0) * self.sample_rate / 4.0).reshape(-1)

    def bandwidth_hz(self):
        return ((self.bands.detach() + 1.0) * self._mu() / 2.0).abs().reshape(-1) * self.sample_rate / 2.0

    def forward(self, spectrogram):
        if spectrogram.dim() != 4 or spectrogram.shape[2] != self.n_freqs:
            raise ValueError(f"SincGram: input must be (B, C, {self.n_freqs}, T), got {tuple(spectrogram.shape)}")
        return ops.sincgram(spectrogram, self.freq_centers, self.bands, self.order, self.eps)


class _Holder(nn.Module):
    """A named level of the published module tree (`_cSE.network`, `_sSE.conv`)."""


class TfDe(nn.Module):
    """TF-DE attention over (B, 1, F, T): a frequency-excitation MLP (`_cSE.network`) and a pointwise
    gate (`_sSE.conv`), both on the time-averaged rows, combined by maxout (fused kernel), add,
    multiply or concat."""

    STRATEGIES = ("maxout", "add", "multiply", "concat")

    def __init__(self, features, reduction_ratio=1 / 16, strategy="maxout"):
        super().__init__()
        if features < 1 or not (0 < reduction_ratio <= 1) or strategy not in self.STRATEGIES:
            raise ValueError(f"TfDe: need features >= 1, 0 < reduction_ratio <= 1 and strategy in "
                             f"{self.STRATEGIES}, got {features}, {reduction_ratio}, {strategy!r}")
        self.features, self.reduction_ratio, self.strategy = int(features), float(reduction_ratio), strategy
        hidden = max(1, math.floor(features * reduction_ratio))
        self._cSE = _Holder()
        self._cSE.network = nn.Sequential(nn.Linear(features, hidden, bias=False), nn.ReLU(),
                                          nn.Linear(hidden, features, bias=False))
        self._sSE = _Holder()
        self._sSE.conv = nn.Conv1d(1, 1, 1)

    def forward(self, x):
        if x.dim() != 4 or x.shape[1] != 1 or x.shape[2] != self.features:
            raise ValueError(f"TfDe: input must be (B, 1, {self.features}, T), got {tuple(x.shape)}")
        z = x.mean(3).squeeze(1)                                   # (B, F)
        a = torch.sigmoid(self._cSE.network(z))                    # (B, F)
        conv = self._sSE.conv
        s = torch.sigmoid(torch.addcmul(conv.bias, z.unsqueeze(1), conv.weight.view(1)))  # (B, 1, F)
        if self.strategy == "maxout":
            return ops.gated_maxout(x, a, s)
        fa, fs = x * a.unsqueeze(1).unsqueeze(-1), x * s.unsqueeze(-1)
        if self.strategy == "add":
            return fa + fs
        if self.strategy == "multiply":
            return fa * fs
        return torch.cat([fa, fs], dim=1)


class SpectrogramNorm(nn.Module):
    """Per-example mean removal and (std_norm) division by the unbiased std + eps; per frequency row
    with freq_norm, else over the whole example."""

    def __init__(self, std_norm=True, freq_norm=True, eps=1e-7):
        super().__init__()
        self.std_norm, self.freq_norm, self.eps = bool(std_norm), bool(freq_norm), float(eps)

    def forward(self, x):
        return ops.spectrogram_norm(x, self.std_norm, self.freq_norm, self.eps)


class DEGram(nn.Module):
    """(B, 1, K, T) power spectrogram → SincGram? → PCEN or log? → TF-DE? → normalisation?, as tfgram's
    C++ DEGram.

    `log_compression` (log(x + 1e-7) before attention) is on by default as in the C++ options; the
    published PyTorch release has none (DEGramBasedModel turns it off). `pcen` (a dict of PCEN's
    arguments, or True for its defaults) puts a learnable PCEN in the log's place."""

    def __init__(self, n_freqs, sample_rate, sincgram=True, attention=True, normalization=True, filters=64, order=4,
                 init="mel", f_min=0.0, f_max=None, eps=1e-7, reduction_ratio=1 / 16, strategy="maxout",
                 std_norm=True, freq_norm=True, norm_eps=1e-7, log_compression=True, pcen=None):
        super().__init__()
        if not (sincgram or attention):
            raise ValueError("DEGram: at least one of sincgram and attention must be enabled")
        self.log_compression = bool(log_compression)
        self.sincgram = SincGram(n_freqs, sample_rate, filters, order, init, f_min, f_max, eps) if sincgram else None
        rows = filters if sincgram else n_freqs
        self.pcen = PCEN(rows, **(pcen if isinstance(pcen, dict) else {})) if pcen else None
        self.de = TfDe(rows, reduction_ratio, strategy) if attention else None
        self.norm = SpectrogramNorm(std_norm, freq_norm, norm_eps) if normalization else None

    def forward(self, x):
        if x.dim() != 4 or x.shape[1] != 1:
            raise ValueError(f"DEGram: input must be a (B, 1, K, T) power spectrogram, got {tuple(x.shape)}")
        return self.after_filterbank(self.sincgram(x) if self.sincgram is not None else x)

    @property
    def log_offset(self):
        """The offset of the log after_filterbank takes first, or None (PCEN, or no log)."""
        return None if self.pcen is not None or not self.log_compression else 1e-7

    def after_filterbank(self, x, log_taken=False):
        """PCEN or the log, TF-DE, normalisation, on the filterbank's (B, 1, F, T) output. With
        `log_taken` x is already log(x + log_offset): a kernel took the log itself."""
        if log_taken and self.log_offset is None:
            raise ValueError("DEGram: after_filterbank was told the log is taken, but this DEGram takes none")
        if self.pcen is not None:
            x = self.pcen(x)
        elif self.log_offset is not None and not log_taken:
            x = torch.log(x + self.log_offset)
        if self.de is not None:
            x = self.de(x)
        if self.norm is not None:
            x = self.norm(x)
        return x


# ---- the published DEGram names ----

class waveform_to_Spectrogram(Spectrogram):  # noqa: N801 (the published name)
    """The published utility: (B, N) waveform → (B, n_fft/2+1, frames) power spectrogram."""

    def __init__(self, sr, win_sec, hop_sec, n_fft):
        win, hop = math.floor(win_sec * sr), math.floor(hop_sec * sr)
        super().__init__(n_fft, win, hop)
        self.sr = sr


class DEGramBasedModel(DEGram):
    """The published model: `sincgram` and `de` under their published names, normalisation, then
    `backbone` on (B, 1, F, T). Takes a (B, 1, K, T) power spectrogram. No log compression, as in
    the published PyTorch release."""

    def __init__(self, model, sincgram=True, attention=True, filters=64, order=4, initializer="mel",
                 num_spectrogram_bins=256, sample_rate=16000, lower_edge_hertz=0.0, upper_edge_hertz=None, eps=1e-7,
                 reduction_ratio=1 / 16, strategy="maxout", normalization=True, std_norm=True, freq_norm=True,
                 device="cpu"):
        super().__init__(num_spectrogram_bins, sample_rate, sincgram=sincgram, attention=attention,
                         normalization=normalization, filters=filters, order=order, init=initializer,
                         f_min=lower_edge_hertz, f_max=upper_edge_hertz, eps=eps, reduction_ratio=reduction_ratio,
                         strategy=strategy, std_norm=std_norm, freq_norm=freq_norm, log_compression=False)
        self.backbone = model
        self.to(device)

    def features(self, x):
        """The front end's output, before the backbone."""
        return super().forward(x)

    def forward(self, x):
        return self.backbone(self.features(x))
