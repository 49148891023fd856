#!/usr/bin/python3
"""The Python peers of bench/bench_frontends.cpp, written as a user would from the papers.

Prints one JSON object {name: seconds per iteration (median)}; names match the C++ benchmarks.
`peers.py --peak-memory MS` runs the plain DMEL forward+backward twice (warm-up, then measured) and
prints the measured step's resident size before and peak, and its heap peak when bench/heap_peak.c
is preloaded.
Uses Debian's python3-torch / python3-torchaudio, with as many threads as tfgram uses.
"""
import json
import math
import os
import statistics
import sys
import time

import torch
import torchaudio

SR, BATCH, SAMPLES, HOP, MELS = 8000, 32, 40000, 80, 64
torch.set_num_threads(int(os.environ.get("TFGRAM_NUM_THREADS", len(os.sched_getaffinity(0)))))


def pow2_length(lambd):
    n = int(math.floor(6 * abs(lambd)))
    length = 2
    while length < n:
        length *= 2
    return length


def gaussian_window(lambd, length):
    m = torch.arange(length, dtype=torch.float32)
    return torch.exp(-0.5 * ((m - length / 2) / (lambd + 1e-15)) ** 2)


def dmel_plain(x, lambd, fb_cache, full=False, hop=HOP):
    """Per-example torch.stft with autograd through the complex spectrum (the paper's recipe)."""
    outs = []
    for i in range(x.shape[0]):
        xi = x[i] - x[i].mean()
        length = xi.shape[0] if full else pow2_length(lambd.detach().item())
        n_fft = 2 * length if full else length
        w = gaussian_window(torch.abs(lambd), length)
        s = torch.stft(xi, n_fft=n_fft, hop_length=hop, win_length=length, window=w,
                       center=True, pad_mode="constant", return_complex=True)
        p = torch.abs(s) ** 2
        if full:
            outs.append(p)
            continue
        key = p.shape[0]
        if key not in fb_cache:
            fb_cache[key] = torchaudio.functional.melscale_fbanks(key, 0.0, SR / 2, MELS, SR)
        outs.append(torch.log(torch.matmul(fb_cache[key].T, p) + 1e-10))
    return torch.stack(outs)


def time_it(fn, repeats=5):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


class SincGram(torch.nn.Module):
    def __init__(self, bins=1025, filters=64, order=4, sr=16000):
        super().__init__()
        mel = torch.linspace(0, 2595 * math.log10(1 + (sr / 2) / 700), filters + 2, dtype=torch.float64)
        hz = 700 * (10 ** (mel / 2595) - 1)
        self.mu = 0.25 - 2 / bins
        self.freq_centers = torch.nn.Parameter((4 * hz[1:-1] / sr - 1).unsqueeze(0))
        self.bands = torch.nn.Parameter((2 * (2 * (hz[2:] - hz[:-2]) / sr) / self.mu - 1).unsqueeze(0))
        self.order, self.bins = 2 * order, bins

    def forward(self, s):
        x = torch.linspace(-1, 1, self.bins, dtype=torch.float64).unsqueeze(1)
        beta = (self.bands + 1) * self.mu / 2
        w = 1 / torch.sqrt(1 + ((x - self.freq_centers) / (beta + 1e-7)) ** self.order)
        return torch.matmul(s.transpose(2, 3), w.float()).transpose(2, 3)


class TFDE(torch.nn.Module):
    def __init__(self, f=64):
        super().__init__()
        self.cse = torch.nn.Sequential(torch.nn.Linear(f, f // 16, bias=False), torch.nn.ReLU(),
                                       torch.nn.Linear(f // 16, f, bias=False))
        self.sse = torch.nn.Conv1d(1, 1, 1)

    def forward(self, x):
        z = x.mean(3).squeeze(1)
        a = torch.sigmoid(self.cse(z)).unsqueeze(1).unsqueeze(-1)
        s = torch.sigmoid(self.sse(z.unsqueeze(1))).unsqueeze(-1)
        return torch.max(x * a, x * s)


def degram_plain(power, sinc, tfde):
    x = tfde(sinc(power))
    mean = x.mean((1, 3), keepdim=True)
    std = x.std((1, 3), keepdim=True)
    return (x - mean) / (std + 1e-7)


class Cnn6(torch.nn.Module):
    """PANNs CNN6 as SPEC §2.4 describes it (input (B, 1, T, mels))."""

    def __init__(self, mels=64, classes=10):
        super().__init__()
        self.bn0 = torch.nn.BatchNorm2d(mels)
        chans = [1, 64, 128, 256, 512]
        self.blocks = torch.nn.ModuleList(
            torch.nn.Sequential(torch.nn.Conv2d(chans[i], chans[i + 1], 5, padding=2, bias=False),
                                torch.nn.BatchNorm2d(chans[i + 1]), torch.nn.ReLU(), torch.nn.AvgPool2d(2),
                                torch.nn.Dropout(0.2)) for i in range(4))
        self.fc1 = torch.nn.Linear(512, 512)
        self.fc = torch.nn.Linear(512, classes)

    def forward(self, x):
        x = self.bn0(x.transpose(1, 3)).transpose(1, 3)
        for block in self.blocks:
            x = block(x)
        x = x.mean(3)
        x = x.max(2)[0] + x.mean(2)
        x = torch.nn.functional.dropout(x, 0.5, self.training)
        return self.fc(torch.relu(self.fc1(x)))


def train_workload(which):
    """Workload 4 peer: the paper's recipe (per-example DMEL) + the classifier, Adam with two groups."""
    torch.manual_seed(0)
    n, batch, per_epoch = (8000, 64, 2700) if which == 0 else (40000, 32, 320)
    lambd = torch.nn.Parameter(torch.tensor(0.035 * SR / 6))
    frames = n // HOP + 1
    head = torch.nn.Sequential(torch.nn.Dropout(0.2), torch.nn.Flatten(), torch.nn.Linear(MELS * frames, 10)) \
        if which == 0 else Cnn6()
    opt = torch.optim.Adam([{"params": head.parameters(), "lr": 1e-4}, {"params": [lambd], "lr": 1.0}])
    x = torch.randn(batch, n) * 0.1
    y = torch.randint(10, (batch,))
    cache = {}

    def step():
        opt.zero_grad()
        mel = dmel_plain(x, lambd, cache).unsqueeze(1)
        if which == 1:
            mel = mel.transpose(2, 3)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                head(mel), torch.nn.functional.one_hot(y, 10).float())
        else:
            loss = torch.nn.functional.cross_entropy(head(mel), y)
        loss.backward()
        opt.step()

    steps = (per_epoch + batch - 1) // batch
    return step, steps


def status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def peak_memory(window_ms):
    """As tfgram_bench --peak-memory: after a warm-up step, the next step's heap peak (when
    bench/heap_peak.c is LD_PRELOADed) and its resident size before and peak."""
    import ctypes
    lib = ctypes.CDLL(None)
    heap = hasattr(lib, "tfgram_heap_reset")
    lambd = torch.tensor(window_ms / 1000 * SR / 6, requires_grad=True)
    x = torch.randn(BATCH, SAMPLES)
    cache = {}
    dmel_plain(x, lambd, cache).mean().backward()
    lambd.grad = None
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets the peak mark (VmHWM)
    rss_before = status_kib("VmRSS")
    now, peak = ctypes.c_int64(-1), ctypes.c_int64(-1)
    if heap:
        lib.tfgram_heap_reset()
        lib.tfgram_heap_report(ctypes.byref(now), ctypes.byref(ctypes.c_int64()))
    dmel_plain(x, lambd, cache).mean().backward()
    if heap:
        lib.tfgram_heap_report(ctypes.byref(ctypes.c_int64()), ctypes.byref(peak))
    print("rss_before_kib", rss_before, "rss_peak_kib", status_kib("VmHWM"),
          "heap_kib", (peak.value - now.value) // 1024 if heap else -1)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--peak-memory":
        peak_memory(int(sys.argv[2]))
        return
    torch.manual_seed(0)
    results = {}
    x = torch.randn(BATCH, SAMPLES)
    for ms in (10, 35, 300):
        lambd = torch.tensor(ms / 1000 * SR / 6, requires_grad=True)
        cache = {}

        def plain_step():
            lambd.grad = None
            dmel_plain(x, lambd, cache).mean().backward()

        results[f"DmelForwardBackward/{ms}"] = time_it(plain_step)
        length = pow2_length(lambd.item())
        mel = torchaudio.transforms.MelSpectrogram(sample_rate=SR, n_fft=length, win_length=length,
                                                   hop_length=HOP, n_mels=MELS)
        xa = x.clone().requires_grad_(True)

        def torchaudio_step():
            xa.grad = None
            torch.log(mel(xa) + 1e-10).mean().backward()

        results[f"TorchaudioMelForwardBackward/{ms}"] = time_it(torchaudio_step)
        with torch.no_grad():
            results[f"DmelForward/{ms}"] = time_it(lambda: dmel_plain(x, lambd, cache))

    xf = torch.randn(128, 128)
    lf = torch.tensor(6.38, requires_grad=True)

    def full_step():
        lf.grad = None
        dmel_plain(xf, lf, {}, full=True, hop=1).mean().backward()

    results["DspecFullForwardBackward"] = time_it(full_step)

    spec = torchaudio.transforms.Spectrogram(n_fft=2048, win_length=512, hop_length=160, power=2)
    power = spec(torch.randn(BATCH, 80000)).unsqueeze(1)
    sinc, tfde = SincGram(), TFDE()

    def degram_step():
        sinc.zero_grad()
        tfde.zero_grad()
        degram_plain(power, sinc, tfde).mean().backward()

    results["DegramForwardBackward"] = time_it(degram_step)

    for which in (0, 1):
        step, steps = train_workload(which)
        results[f"TrainStep/{which}"] = time_it(step, repeats=3)
        results[f"TrainEpoch/{which}"] = time_it(lambda: [step() for _ in range(steps)], repeats=1)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
