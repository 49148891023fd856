"""The tfgram:: operators from Python: gradcheck in float64 for each (analytic backward against finite
differences), TorchScript, and errors that name what was wrong."""
import pytest
import torch
from torch.autograd import gradcheck

import tfgram

ops = tfgram.ops
f64 = torch.float64


def leaf(*shape, low=None, high=None):
    t = torch.randn(*shape, dtype=f64) if low is None else torch.empty(*shape, dtype=f64).uniform_(low, high)
    return t.requires_grad_(True)


@pytest.mark.parametrize("mode,lambd,hop", [("full", 2.3, 1), ("pow2", 3.1, 3)])
def test_gaussian_power_spectrogram(mode, lambd, hop):
    x, lam = leaf(2, 24), torch.tensor(lambd, dtype=f64, requires_grad=True)
    assert gradcheck(lambda a, b: ops.gaussian_power_spectrogram(a, b, mode, hop, False), (x, lam))
    assert gradcheck(lambda a, b: ops.gaussian_power_spectrogram(a, b, mode, hop, True), (x, lam))


@pytest.mark.parametrize("log_offset", [None, 1e-3])
@pytest.mark.parametrize("mode", ["full", "pow2"])
def test_gaussian_filterbank_spectrogram(mode, log_offset):
    x, lam = leaf(2, 32), torch.tensor(2.7, dtype=f64, requires_grad=True)
    n_freqs = ops.gaussian_spectrogram_shape(32, 2.7, mode, 4)[2]
    fb = ops.melscale_fbanks(n_freqs, 0.0, 4000.0, 6, 8000, f64)
    assert gradcheck(lambda a, b: ops.gaussian_filterbank_spectrogram(a, b, fb, mode, 4, False, log_offset), (x, lam))


@pytest.mark.parametrize("mode", ["full", "pow2"])
def test_gaussian_filterbank_spectrogram_with_a_learnable_filterbank(mode):
    # The fully learnable front end: the filterbank (here SincGram's matrix) requires grad too.
    x, lam = leaf(2, 32), torch.tensor(2.7, dtype=f64, requires_grad=True)
    n_freqs = ops.gaussian_spectrogram_shape(32, 2.7, mode, 4)[2]
    fb = leaf(n_freqs, 5, low=0.0, high=1.0)
    assert gradcheck(lambda a, b, w: ops.gaussian_filterbank_spectrogram(a, b, w, mode, 4, False, 1e-3), (x, lam, fb))
    layer = tfgram.GaussianSincGram(2.7, 8000, 32, mode=mode, hop_length=4, filters=5, attention=False,
                                    normalization=False, log_compression=False)
    centres = layer.degram.sincgram.freq_centers.detach().clone().requires_grad_(True)
    bands = layer.degram.sincgram.bands.detach().clone().requires_grad_(True)

    def front(c, b, lam_):
        weights = ops.sincgram_filter_matrix(c, b, n_freqs, 4, 1e-7)
        return ops.gaussian_filterbank_spectrogram(x.detach(), lam_, weights, mode, 4, False, None)
    assert gradcheck(front, (centres, bands, lam))


def test_gaussian_window():
    lam = torch.tensor(5.0, dtype=f64, requires_grad=True)
    for normalized in (False, True):
        assert gradcheck(lambda b: ops.gaussian_window(b, 32, normalized), (lam,))


def test_sincgram_filter_matrix_and_product():
    layer = tfgram.SincGram(33, 8000, filters=5, order=3)
    centres = layer.freq_centers.detach().clone().requires_grad_(True)
    bands = layer.bands.detach().clone().requires_grad_(True)
    assert gradcheck(lambda c, b: ops.sincgram_filter_matrix(c, b, 33, 3, 1e-7), (centres, bands))
    spec = leaf(2, 1, 33, 4, low=0.0, high=1.0)
    assert gradcheck(lambda s, c, b: ops.sincgram(s, c, b, 3, 1e-7), (spec, centres, bands))


def test_gated_maxout():
    x, a, s = leaf(2, 1, 5, 7), leaf(2, 5, low=0.1, high=0.9), leaf(2, 1, 5, low=0.1, high=0.9)
    assert gradcheck(ops.gated_maxout, (x, a, s))


@pytest.mark.parametrize("std_norm", [False, True])
@pytest.mark.parametrize("freq_norm", [False, True])
def test_spectrogram_norm(std_norm, freq_norm):
    x = leaf(2, 1, 4, 6)
    assert gradcheck(lambda t: ops.spectrogram_norm(t, std_norm, freq_norm, 1e-7), (x,))


def test_pcen():
    x = leaf(2, 1, 3, 9, low=0.0, high=2.0)
    alpha, delta = leaf(3, low=0.5, high=0.95), leaf(3, low=0.5, high=2.5)
    inverse_root, smooth = leaf(3, low=0.3, high=0.9), leaf(3, low=0.05, high=0.9)
    assert gradcheck(lambda *t: ops.pcen(*t, 1e-6), (x, alpha, delta, inverse_root, smooth))


def test_torchscript_calls_the_operators():
    @torch.jit.script
    def frontend(spec: torch.Tensor, centres: torch.Tensor, bands: torch.Tensor) -> torch.Tensor:
        return torch.ops.tfgram.spectrogram_norm(torch.ops.tfgram.sincgram(spec, centres, bands, 4, 1e-7),
                                                 True, True, 1e-7)

    layer = tfgram.SincGram(65, 8000, filters=8)
    spec = torch.rand(2, 1, 65, 10)
    expected = tfgram.SpectrogramNorm()(layer(spec))
    torch.testing.assert_close(frontend(spec, layer.freq_centers, layer.bands), expected, rtol=0, atol=0)
    scripted = torch.jit.script(tfgram.SpectrogramNorm())
    torch.testing.assert_close(scripted(spec), tfgram.SpectrogramNorm()(spec), rtol=0, atol=0)


def test_bad_input_names_the_problem():
    with pytest.raises((RuntimeError, ValueError), match="window mode|full|pow2"):
        ops.gaussian_power_spectrogram(torch.randn(2, 16), torch.tensor(2.0), "bogus", 1, False)
    with pytest.raises((RuntimeError, ValueError), match=r"\(B, C, K, T\)"):
        ops.sincgram(torch.randn(3, 4), torch.zeros(1, 2, dtype=f64), torch.zeros(1, 2, dtype=f64), 4, 1e-7)
    with pytest.raises(ValueError, match="DMel: input must be"):
        tfgram.DMel(40.0, 8000)(torch.randn(8000))
    with pytest.raises((RuntimeError, ValueError), match="no_such.ckpt"):
        ops.checkpoint_read("/nonexistent/no_such.ckpt")
