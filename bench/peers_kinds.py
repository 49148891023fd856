#!/usr/bin/python3
"""Plain-PyTorch equivalents of bench/bench_kinds.cpp, as a user writes them (Debian's python3-torch):
the fully learnable front end (Gaussian-window torch.stft with a trainable λ, a Butterworth
filterbank with trainable centres and bandwidths, log) and PCEN as a loop over frames (speechbrain's
recipe). Prints one JSON object {name: seconds per iteration (median)}."""
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peers import BATCH, HOP, SAMPLES, SR, pow2_length, time_it  # noqa: E402

FILTERS = 64


def butterworth(centres, bands, bins, order=4, eps=1e-7):
    x = torch.linspace(-1, 1, bins, dtype=torch.float64).unsqueeze(1)
    mu = 0.25 - 2 / bins
    beta = (bands + 1) * mu / 2
    return 1 / torch.sqrt(1 + ((x - centres) / (beta + eps)) ** (2 * order))


def learnable(x, lambd, centres, bands):
    length = pow2_length(lambd.detach().item())
    m = torch.arange(length, dtype=torch.float32)
    window = torch.exp(-0.5 * ((m - length / 2) / (lambd.abs() + 1e-15)) ** 2)
    spec = torch.stft(x - x.mean(1, keepdim=True), n_fft=length, hop_length=HOP, win_length=length, window=window,
                      center=True, pad_mode="constant", return_complex=True)
    power = spec.real ** 2 + spec.imag ** 2                         # (B, K, T)
    w = butterworth(centres, bands, power.shape[1]).float()         # (K, F)
    return torch.log(torch.matmul(w.t(), power) + 1e-7)


def pcen_loop(x, alpha, delta, root, smooth, floor=1e-6):
    m = [x[..., 0]]
    for t in range(1, x.shape[-1]):
        m.append(smooth * x[..., t] + (1 - smooth) * m[-1])
    m = torch.stack(m, -1)
    a, d, r = (v.view(1, 1, -1, 1) for v in (alpha.clamp(max=1), delta, 1 / root.clamp(min=1)))
    return (x / (floor + m) ** a + d) ** r - d ** r


def main():
    torch.manual_seed(0)
    results = {}
    x = torch.randn(BATCH, SAMPLES)
    for ms in (10, 35, 300):
        lambd = torch.tensor(ms / 1000 * SR / 6, requires_grad=True)
        mel = torch.linspace(0, 2595 * math.log10(1 + (SR / 2) / 700), FILTERS + 2, dtype=torch.float64)
        hz = 700 * (10 ** (mel / 2595) - 1)
        bins = pow2_length(lambd.item()) // 2 + 1
        centres = (4 * hz[1:-1] / SR - 1).unsqueeze(0).requires_grad_(True)
        bands = (2 * (2 * (hz[2:] - hz[:-2]) / SR) / (0.25 - 2 / bins) - 1).unsqueeze(0).requires_grad_(True)

        def step():
            for p in (lambd, centres, bands):
                p.grad = None
            learnable(x, lambd, centres, bands).mean().backward()

        results[f"LearnableForwardBackward/{ms}"] = time_it(step)
    xp = torch.rand(BATCH, 1, FILTERS, 1 + SAMPLES // HOP) * 10
    params = [torch.full((FILTERS,), v, requires_grad=True) for v in (0.96, 2.0, 2.0)]
    smooth = torch.full((FILTERS,), 0.04, requires_grad=True)

    def pcen_step():
        for p in params + [smooth]:
            p.grad = None
        pcen_loop(xp, *params, smooth.view(1, 1, FILTERS)).mean().backward()

    results["PcenForwardBackward"] = time_it(pcen_step, repeats=3)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
