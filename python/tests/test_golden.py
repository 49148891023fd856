"""Every golden file, through the Python package, at the golden README's tolerances.

A file is checked by the checker of its component (its name minus .pt, or the longest prefix before
an '_'); a file no checker knows fails, and so does an empty folder. Configuration comes from the file.
"""
import torch

import tfgram
from conftest import close_f32, close_f64, close_f64_gradient, golden_dir

CHECKERS = {}


def checker(component):
    def register(fn):
        CHECKERS[component] = fn
        return fn
    return register


def find_checker(stem):
    if stem in CHECKERS:
        return CHECKERS[stem], ""
    parts = stem.split("_")
    for cut in range(len(parts) - 1, 0, -1):
        component = "_".join(parts[:cut])
        if component in CHECKERS:
            return CHECKERS[component], "_".join(parts[cut:])
    raise AssertionError(f"golden file {stem}.pt: no checker for it (known components: {sorted(CHECKERS)})")


def load_weights(module, g, prefix):
    """Copies every `<prefix><path with . → _>` tensor into the parameter of that path; none may be left."""
    values = {k[len(prefix):]: v for k, v in g.items() if k.startswith(prefix)}
    with torch.no_grad():
        for name, p in module.named_parameters():
            key = name.replace(".", "_")
            assert key in values, f"no golden value for parameter {name} (key {prefix}{key})"
            p.copy_(values.pop(key))
    assert not values, f"unused golden weights: {sorted(values)}"


def published_state(g):
    return {k[len("state_dict/"):]: v.float() for k, v in g.items() if k.startswith("state_dict/")}


@checker("gaussian_window")
def _(g, variant):
    for normalized, key in ((False, "window"), (True, "window_normalized")):
        w = tfgram.GaussianWindow(int(g["window_length"]), float(g["lambd"]), normalized=normalized)
        close_f32(w(), g[key], key)


@checker("dspec")
def _(g, variant):
    hop = int(g["hop_length"]) if "hop_length" in g else 1
    layer = tfgram.DifferentiableSpectrogram(float(g["lambd"]), hop_length=hop, mode=variant)
    out = layer(g["signal"])
    close_f32(out, g["output"], "output")
    (out * g["upstream_grad"]).sum().backward()
    close_f32(layer.lambd.grad, g["grad_lambd"], "d/d lambda")


@checker("dmel_layer")
def _(g, variant):
    layer = tfgram.MelSpectrogramLayer(float(g["lambd"]), int(g["n_mels"]), g["input"].shape[1],
                                       int(g["sample_rate"]), hop_length=int(g["hop_length"]), optimized=True)
    out = layer(g["input"])
    close_f32(out, g["output"], "output")
    torch.log(out + 1e-10).mean().backward()
    close_f32(layer.lambd.grad, g["grad_lambd_of_mean_log"], "d/d lambda")


@checker("melscale_fbanks")
def _(g, variant):
    fb = tfgram.ops.melscale_fbanks(int(g["n_freqs"]), float(g["f_min"]), float(g["f_max"]), int(g["n_mels"]),
                                    int(g["sample_rate"]))
    close_f32(fb, g["fbanks"])


@checker("spectrogram")
def _(g, variant):
    spec = tfgram.waveform_to_Spectrogram(int(g["sample_rate"]), float(g["win_sec"]), float(g["hop_sec"]),
                                          int(g["n_fft"]))
    close_f32(spec(g["waveform"]), g["output"])


@checker("sincgram")
def _(g, variant):
    layer = tfgram.SincGram(int(g["num_spectrogram_bins"]), int(g["sample_rate"]), filters=int(g["filters"]),
                            order=int(g["order"]), f_min=float(g["lower_edge_hertz"]),
                            f_max=float(g["upper_edge_hertz"]), eps=float(g["eps"]))
    close_f64(layer.freq_centers, g["init_freq_centers"], "mel init: centres")
    close_f64(layer.bands, g["init_bands"], "mel init: bandwidths")
    with torch.no_grad():
        layer.freq_centers.copy_(g["freq_centers"])
        layer.bands.copy_(g["bands"])
    close_f64(layer.filter_matrix(), g["weights"], "filter matrix")
    out = layer(g["input"])
    close_f32(out, g["output"], "output")
    (out * g["upstream_grad"]).sum().backward()
    close_f64_gradient(layer.freq_centers.grad, g["grad_freq_centers"], "d/d centres")
    close_f64_gradient(layer.bands.grad, g["grad_bands"], "d/d bands")


@checker("tfde")
def _(g, variant):
    if "strategy_maxout" in g:
        assert bool(int(g["strategy_maxout"])) == (variant == "maxout"), "file name and strategy_maxout disagree"
    x = g["input"].clone().requires_grad_(True)
    features, hidden = x.shape[2], g["w__cSE_network_0_weight"].shape[0]
    layer = tfgram.TfDe(features, reduction_ratio=hidden / features, strategy=variant)
    load_weights(layer, g, "w_")
    out = layer(x)
    close_f32(out, g["output"], "output")
    (out * g["upstream_grad"]).sum().backward()
    close_f32(x.grad, g["grad_input"], "d/d input")


@checker("normalization")
def _(g, variant):
    for std_norm in (False, True):
        for freq_norm in (False, True):
            key = f"output_std{int(std_norm)}_freq{int(freq_norm)}"
            close_f32(tfgram.SpectrogramNorm(std_norm, freq_norm)(g["input"]), g[key], key)


@checker("degram_frontend")
def _(g, variant):
    # The published DEGramBasedModel with an identity backbone; optional keys override its defaults.
    options = {"filters": int(g["filters"]), "order": int(g["order"]),
               "num_spectrogram_bins": int(g["num_spectrogram_bins"]), "sample_rate": int(g["sample_rate"])}
    for key in ("std_norm", "freq_norm"):
        if key in g:
            options[key] = bool(int(g[key]))
    if "eps" in g:
        options["eps"] = float(g["eps"])
    if "w_de__cSE_network_0_weight" in g:
        options["reduction_ratio"] = g["w_de__cSE_network_0_weight"].shape[0] / options["filters"]
    model = tfgram.DEGramBasedModel(torch.nn.Identity(), **options)
    load_weights(model, g, "w_")
    close_f32(model(g["input"]), g["output"])


@checker("cnn6")
def _(g, variant):
    x = g["input"]
    model = tfgram.Cnn6(int(g["classes"]), n_mels=int(g["n_mels"]), in_channels=x.shape[1])
    model.load_state_dict(published_state(g), strict=False)
    missing = set(model.state_dict()) - set(published_state(g)) - {k for k in model.state_dict()
                                                                     if k.endswith("num_batches_tracked")}
    assert not missing, f"weights missing from the file: {sorted(missing)}"
    with torch.no_grad():
        close_f32(torch.sigmoid(model.eval()(x)), g["output"])


@checker("resnet18")
def _(g, variant):
    x = g["input"]
    model = tfgram.resnet18(int(g["classes"]), in_channels=x.shape[1])
    result = model.load_state_dict(published_state(g), strict=False)
    assert all(k.endswith("num_batches_tracked") for k in result.missing_keys) and not result.unexpected_keys
    with torch.no_grad():
        close_f32(model.eval()(x), g["output"])


@checker("linear_net")
def _(g, variant):
    state = published_state(g)
    model = tfgram.LinearNet(int(g["classes"]), float(state["spectrogram_layer.lambd"]), int(g["n_points"]),
                             hop_length=int(g["hop_length"]))
    model.load_state_dict(state, strict=True)
    with torch.no_grad():
        close_f32(model.eval()(g["input"]), g["output"])


@checker("mel_conv_net")
def _(g, variant):
    state = published_state(g)
    model = tfgram.MelConvNet(int(g["classes"]), float(state["spectrogram_layer.lambd"]), int(g["n_mels"]),
                              int(g["n_points"]), int(g["sample_rate"]), hop_length=int(g["hop_length"]),
                              optimized=True)
    model.load_state_dict(state, strict=True)
    with torch.no_grad():
        close_f32(model.eval()(g["input"]), g["output"])


def pytest_generate_tests(metafunc):
    if "golden_file" in metafunc.fixturenames:
        files = sorted(golden_dir().glob("*.pt"))
        metafunc.parametrize("golden_file", files, ids=[f.stem for f in files])


def test_golden_folder_has_files():
    assert sorted(golden_dir().glob("*.pt")), f"no golden files (*.pt) in {golden_dir()}"


def test_golden(golden_file):
    g = torch.load(golden_file)
    check, variant = find_checker(golden_file.stem)
    check(g, variant)
