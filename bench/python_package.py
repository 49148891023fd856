#!/usr/bin/python3
"""The Python user's view, in one process, side by side: the published layers as a user writes them
(bench/peers.py: DMEL's per-example torch.stft recipe, the DEGram front end in plain torch) against
the tfgram package on the same inputs, forward+backward.

Prints a markdown table with the ratios and the target (tfgram at least 2× faster than the
published layer at every size). Needs the package: PYTHONPATH=<build>/python.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402  (the published-style layers and the timing helper)
import tfgram  # noqa: E402

TARGET = 2.0


def dmel_rows(x):
    rows = []
    for ms in (10, 35, 300):
        lambd0 = ms / 1000 * peers.SR / 6
        published_lambd = torch.tensor(lambd0, requires_grad=True)
        cache = {}

        def published():
            published_lambd.grad = None
            peers.dmel_plain(x, published_lambd, cache).mean().backward()  # log(M + 1e-10) inside

        layer = tfgram.MelSpectrogramLayer(lambd0, peers.MELS, x.shape[1], peers.SR, hop_length=peers.HOP,
                                           optimized=True)

        def drop_in():
            layer.zero_grad()
            torch.log(layer(x) + 1e-10).mean().backward()

        dmel = tfgram.DMel(lambd0, peers.SR, n_mels=peers.MELS, hop_length=peers.HOP, log=True)

        def fused():
            dmel.zero_grad()
            dmel(x).mean().backward()

        t_pub = peers.time_it(published)
        rows.append((f"DMEL fwd+bwd, {ms} ms window", t_pub,
                     [("tfgram.MelSpectrogramLayer (+ log in Python)", peers.time_it(drop_in)),
                      ("tfgram.DMel (log fused)", peers.time_it(fused))]))
    return rows


def degram_rows():
    spec = tfgram.waveform_to_Spectrogram(16000, 0.032, 0.010, 2048)
    with torch.no_grad():
        power = spec(torch.randn(peers.BATCH, 80000)).unsqueeze(1)
    sinc, tfde = peers.SincGram(), peers.TFDE()

    def published():
        sinc.zero_grad()
        tfde.zero_grad()
        peers.degram_plain(power, sinc, tfde).mean().backward()

    model = tfgram.DEGramBasedModel(torch.nn.Identity(), num_spectrogram_bins=1025, sample_rate=16000)

    def ours():
        model.zero_grad()
        model(power).mean().backward()

    return [("DEGram front end fwd+bwd (16 kHz, n_fft 2048, 64 filters)", peers.time_it(published),
             [("tfgram.DEGramBasedModel", peers.time_it(ours))])]


def main():
    torch.manual_seed(0)
    x = torch.randn(peers.BATCH, peers.SAMPLES)
    rows = dmel_rows(x) + degram_rows()
    lines = [f"B = {peers.BATCH}; DMEL: {peers.SAMPLES} samples at {peers.SR} Hz, hop {peers.HOP}, {peers.MELS} mels; "
             f"{torch.get_num_threads()} threads; medians of 5 after a warm-up; bench/python_package.py.", "",
             "| workload | published (ms) | tfgram | tfgram (ms) | speed-up | target ≥ 2× |", "|---|---|---|---|---|---|"]
    failed = 0
    for name, t_pub, ours in rows:
        for label, t in ours:
            ratio = t_pub / t
            ok = ratio >= TARGET
            failed += not ok
            lines.append(f"| {name} | {t_pub * 1e3:.1f} | `{label}` | {t * 1e3:.1f} | {ratio:.2f}× | "
                         f"{'pass' if ok else 'FAIL'} |")
    table = "\n".join(lines)
    print(table)
    if len(sys.argv) == 3 and sys.argv[1] == "--record":
        import subprocess
        subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "record_section.py"),
                        sys.argv[2], "python", "From Python (the published layers against the tfgram package)"],
                       input=table, text=True, check=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
