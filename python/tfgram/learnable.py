"""The fully learnable front end: DMEL's Gaussian window (trainable λ) under SincGram's filterbank,
then DEGram's later stages (PCEN or log, TF-DE, normalisation), as tfgram's C++ GaussianSincGram."""
from torch import nn

from ._ops import ops
from .degram import DEGram
from .dmel import _lambd_parameter, _mode


class GaussianSincGram(nn.Module):
    """(B, N) → (B, C, F, T). Parameter `lambd`, submodule `degram` (`sincgram`, `pcen`, `de`, `norm`).

    The filterbank is fused into the DMEL kernel: its gradient is accumulated chunk by chunk, λ's stays
    analytic, and no power spectrogram is stored. `degram_options` are DEGram's arguments (sincgram
    is required); `n_samples` is the input length the layer is built for."""

    def __init__(self, lambd, sample_rate, n_samples, mode="pow2", hop_length=80, normalize_window=False,
                 trainable=True, **degram_options):
        super().__init__()
        if not degram_options.get("sincgram", True):
            raise ValueError("GaussianSincGram: sincgram is required, it is this front end's filterbank")
        self.sample_rate, self.mode, self.hop_length = int(sample_rate), _mode(mode), int(hop_length)
        self.normalize_window = bool(normalize_window)
        self.lambd = _lambd_parameter(lambd, trainable, "GaussianSincGram")
        n_freqs = ops.gaussian_spectrogram_shape(int(n_samples), float(lambd), self.mode, self.hop_length)[2]
        self.degram = DEGram(n_freqs, sample_rate, **degram_options)

    def forward(self, x):
        if x.dim() != 2:
            raise ValueError(f"GaussianSincGram: input must be (B, N) samples, got shape {tuple(x.shape)}")
        n_freqs = ops.gaussian_spectrogram_shape(x.shape[1], float(self.lambd.detach()), self.mode,
                                                 self.hop_length)[2]
        weights = self.degram.sincgram.filter_matrix(n_freqs)
        # The log, if DEGram takes one first, is taken inside the kernel (one pass, as in C++).
        log_offset = self.degram.log_offset
        out = ops.gaussian_filterbank_spectrogram(x, self.lambd, weights, self.mode, self.hop_length,
                                                  self.normalize_window, log_offset)
        return self.degram.after_filterbank(out.unsqueeze(1), log_taken=log_offset is not None)
