"""Models trained by `tfgram train`, in Python: the classifier rebuilt from a checkpoint's config with
this package's modules, and checkpoints `tfgram predict` reads.

The checkpoint file itself (format, checksums, config, labels) is read and written by the same C++
code the tool uses (torch.ops.tfgram.checkpoint_read / checkpoint_write)."""
import json

import torch
from torch import nn

from . import models
from ._ops import ops
from .degram import DEGram, Spectrogram
from .dmel import DifferentiableSpectrogram, DMel
from .learnable import GaussianSincGram
from .pcen import PCEN


class WaveformDEGram(nn.Module):
    """(B, N) → Hann power spectrogram `stft` → `degram`, as the C++ degram kind."""

    def __init__(self, stft, degram):
        super().__init__()
        self.stft, self.degram = stft, degram

    def forward(self, audio):
        return self.degram(self.stft(audio).unsqueeze(1))


class WithPcen(nn.Module):
    """(B, N) → `spectrogram` (a mel layer without log) → `pcen`."""

    def __init__(self, spectrogram, pcen):
        super().__init__()
        self.spectrogram, self.pcen = spectrogram, pcen

    def forward(self, audio):
        x = self.spectrogram(audio)
        return self.pcen(x.unsqueeze(1) if x.dim() == 3 else x)


def _dmel(c, trainable, log):
    d = c["frontend"]["dmel"]
    return DMel(d["lambd"], c["sample_rate"], n_mels=d["n_mels"], hop_length=d["hop_length"], mode=d["mode"],
                f_min=d["f_min"], f_max=d["f_max"], normalize_window=d["normalize_window"], log=log,
                trainable=trainable)


def _stft(c):
    s = c["frontend"]["stft"]
    return Spectrogram.from_seconds(c["sample_rate"], s["win_sec"], s["hop_sec"], s["n_fft"])


def _degram_options(c):
    """DEGram's arguments from model.frontend.degram."""
    d = c["frontend"]["degram"]
    sincgram, attention, norm, pcen = d.get("sincgram"), d.get("attention"), d.get("normalization"), d.get("pcen")
    if attention and attention.get("time_excitation"):
        raise ValueError("model.frontend.degram.attention.time_excitation: not available in the Python package")
    s, a, n = sincgram or {}, attention or {}, norm or {}
    return dict(sincgram=bool(sincgram), attention=bool(attention), normalization=bool(norm),
                filters=s.get("filters", 64), order=s.get("order", 4), init=s.get("init", "mel"),
                f_min=s.get("f_min", 0.0), f_max=s.get("f_max"), eps=s.get("eps", 1e-7),
                reduction_ratio=a.get("reduction_ratio", 1 / 16), strategy=a.get("strategy", "maxout"),
                std_norm=n.get("std_norm", True), freq_norm=n.get("freq_norm", True), norm_eps=n.get("eps", 1e-7),
                log_compression=d["log_compression"], pcen=dict(pcen) if pcen else None)


def _degram(c, stft):
    return DEGram(stft.n_fft // 2 + 1, c["sample_rate"], **_degram_options(c))


def _gaussian_sincgram(c, trainable):
    d = c["frontend"]["dmel"]
    return GaussianSincGram(d["lambd"], c["sample_rate"], c["n_points"], mode=d["mode"], hop_length=d["hop_length"],
                            normalize_window=d["normalize_window"], trainable=trainable, **_degram_options(c))


def _with_pcen(c, shape, trainable, fixed_lambd):
    p = c["frontend"]["pcen"]
    pcen = PCEN(shape[1], alpha=p["alpha"], smooth_coef=p["smooth_coef"], delta=p["delta"], root=p["root"],
                floor=p["floor"], trainable=p["trainable"] and trainable,
                learn_smooth_coef=p["learn_smooth_coef"] and trainable,
                per_channel_smooth_coef=p["per_channel_smooth_coef"], learn_logs=p["learn_logs"])
    return WithPcen(_dmel(c, trainable and not fixed_lambd, log=False), pcen)


def _dspec(c, trainable):
    d = c["frontend"]["dmel"]
    return DifferentiableSpectrogram(d["lambd"], d["hop_length"], d["mode"], d["normalize_window"], trainable)


# Front-end kinds this package can build: kind → builder(model config, facts).
FRONTENDS = {
    "dmel": lambda c, f: _dmel(c, f["trainable"], f["log"]),
    "logmel": lambda c, f: _dmel(c, f["trainable"], f["log"]),
    "dspec": lambda c, f: _dspec(c, f["trainable"]),
    "spectrogram": lambda c, f: _stft(c),
    "degram": lambda c, f: WaveformDEGram(_stft(c), _degram(c, _stft(c))),
    "mel_pcen": lambda c, f: _with_pcen(c, f["shape"], f["trainable"], fixed_lambd=True),
    "dmel_pcen": lambda c, f: _with_pcen(c, f["shape"], f["trainable"], fixed_lambd=False),
    "dmel_sincgram": lambda c, f: _gaussian_sincgram(c, f["trainable"]),
}

# Backbone kinds: kind → (builder(shape, classes), time major, output activation).
BACKBONES = {
    "resnet18": (lambda s, n: models.resnet18(n, s[0]), False, "softmax"),
    "resnet34": (lambda s, n: models.resnet34(n, s[0]), False, "softmax"),
    "cnn6": (lambda s, n: models.Cnn6(n, s[1], s[0]), True, "sigmoid"),
    "linear": (lambda s, n: models.LinearHead(s, n, 0.0), False, "softmax"),
    "mel_linear": (lambda s, n: models.LinearHead(s, n, 0.2), False, "softmax"),
    "mel_mlp": (lambda s, n: models.MlpHead(s, n, 32, 0.2), False, "softmax"),
    "mel_conv": (lambda s, n: models.ConvHead(s, n, 32, 5, 0.0), False, "softmax"),
}


class Classifier(nn.Module):
    """tfgram's classifier: `spectrogram_layer` (front end) → log? → `backbone`, the C++ Classifier's
    names and forward. `config` is a run config (dict or JSON text) as `tfgram train` stores it."""

    def __init__(self, config, labels=None):
        super().__init__()
        self.config = json.loads(config) if isinstance(config, str) else config
        c = self.config["model"]
        log_outside, trainable, log, shape = ops.classifier_facts(json.dumps(self.config))
        kind, backbone = c["frontend"]["kind"], c["backbone"]["kind"]
        if kind not in FRONTENDS:
            raise ValueError(f"model.frontend.kind: '{kind}' has no Python module; available: {sorted(FRONTENDS)}")
        if backbone not in BACKBONES:
            raise ValueError(f"model.backbone.kind: '{backbone}' has no Python module; available: {sorted(BACKBONES)}")
        facts = {"trainable": trainable, "log": log, "shape": tuple(shape)}
        self.spectrogram_layer = FRONTENDS[kind](c, facts)
        build, self.time_major, self.activation = BACKBONES[backbone]
        self.backbone = build(tuple(shape), c["num_classes"])
        self.log_outside = log_outside
        self.labels = list(labels) if labels is not None else [str(i) for i in range(c["num_classes"])]

    def features(self, audio):
        x = self.spectrogram_layer(audio)
        if x.dim() == 3:
            x = x.unsqueeze(1)
        return torch.log(x + 1e-10) if self.log_outside else x

    def forward(self, audio):
        x = self.features(audio)
        return self.backbone(x.transpose(2, 3) if self.time_major else x)

    def probabilities(self, logits):
        return torch.sigmoid(logits) if self.activation == "sigmoid" else torch.softmax(logits, -1)

    def load_audio(self, path):
        """One file as this model's input (N): decoded, resampled and fitted as `tfgram predict` does."""
        return ops.load_model_input(str(path), json.dumps(self.config))

    @torch.no_grad()
    def predict(self, paths, top_k=3, batch_size=32):
        """[(path, [(label, probability), …])] for audio files, most probable first, in batches
        of `batch_size` as `tfgram predict` runs them."""
        self.eval()
        paths = [str(p) for p in paths]
        k = min(top_k, len(self.labels))
        out = []
        for begin in range(0, len(paths), batch_size):
            chunk = paths[begin:begin + batch_size]
            p = self.probabilities(self(torch.stack([self.load_audio(f) for f in chunk])))
            values, indices = p.topk(k, 1)
            out += [(path, [(self.labels[i], float(v)) for v, i in zip(vs.tolist(), ix.tolist())])
                    for path, vs, ix in zip(chunk, values, indices)]
        return out


def load_checkpoint(path):
    """The model of a checkpoint written by `tfgram train` (best.ckpt, last.ckpt): weights, config and
    labels, in evaluation mode. The file's format and checksums are verified first."""
    config, labels, state = ops.checkpoint_read(str(path))
    model = Classifier(config, labels)
    model.load_state_dict(dict(state), strict=True)
    return model.eval()


def save_checkpoint(model, path):
    """Writes `model` (a Classifier) as a checkpoint `tfgram predict` and `tfgram evaluate` read
    (atomically, with the tool's format and checksums)."""
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    ops.checkpoint_write(str(path), json.dumps(model.config), list(model.labels), state)
