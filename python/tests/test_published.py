"""The published APIs as drop-ins: README's snippets run as written, and state_dicts with the
published parameter names (taken from the goldens: the published repositories are not available
here) load strictly and reproduce the published outputs."""
import pathlib
import re

import pytest
import torch

import tfgram
from conftest import close_f32, golden_dir

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def readme_snippets():
    """The README's Python blocks that use the drop-ins (`from tfgram import …`)."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    return [b for b in blocks if "from tfgram import" in b]


def test_readme_snippets_run():
    snippets = readme_snippets()
    assert len(snippets) >= 2, f"expected the DEGram and DMEL snippets in {README}"
    degram, dmel = {}, {}
    exec(compile(snippets[0], "README DEGram snippet", "exec"), degram)
    assert degram["logits"].shape == (4, 10)
    exec(compile(snippets[1], "README DMEL snippet", "exec"), dmel)
    assert dmel["mel"].shape == (8, 1, 64, 101)
    assert float(dmel["layer"].lambd) != 46.7, "the optimiser step should move λ"


def golden(name):
    path = golden_dir() / f"{name}.pt"
    return torch.load(path) if path.exists() else None


def published_state(g):
    return {k[len("state_dict/"):]: v.float() for k, v in g.items() if k.startswith("state_dict/")}


def test_degram_state_dict_with_published_names_loads():
    front, backbone = golden("degram_frontend"), golden("resnet18")
    if front is None or backbone is None:
        pytest.skip("this golden set has no degram_frontend.pt / resnet18.pt")
    model = tfgram.DEGramBasedModel(tfgram.resnet18(int(backbone["classes"])), filters=int(front["filters"]),
                                    order=int(front["order"]), num_spectrogram_bins=int(front["num_spectrogram_bins"]),
                                    sample_rate=int(front["sample_rate"]),
                                    reduction_ratio=front["w_de__cSE_network_0_weight"].shape[0] / int(front["filters"]))
    names = {k.replace(".", "_"): k for k in model.state_dict() if not k.startswith("backbone.")}
    state = {names[k[2:]]: v for k, v in front.items() if k.startswith("w_")}  # w_<path with . → _>
    state.update({f"backbone.{k}": v for k, v in published_state(backbone).items()})
    state.update({k: v for k, v in model.state_dict().items() if k.endswith("num_batches_tracked")})
    model.load_state_dict(state, strict=True)
    model.eval()
    with torch.no_grad():
        features = model.features(front["input"])
        close_f32(features, front["output"], "front end")
        reference = tfgram.resnet18(int(backbone["classes"]))
        reference.load_state_dict(published_state(backbone), strict=False)
        close_f32(model(front["input"]), reference.eval()(front["output"]), "whole model")
    assert list(model.state_dict())[:2] == ["sincgram.freq_centers", "sincgram.bands"]


def test_dmel_state_dicts_with_published_names_load():
    checked = 0
    for name, build in (("mel_conv_net", lambda g, lam: tfgram.MelConvNet(
            int(g["classes"]), lam, int(g["n_mels"]), int(g["n_points"]), int(g["sample_rate"]),
            hop_length=int(g["hop_length"]), optimized=True)),
                        ("linear_net", lambda g, lam: tfgram.LinearNet(int(g["classes"]), lam, int(g["n_points"]),
                                                                       hop_length=int(g["hop_length"])))):
        g = golden(name)
        if g is None:
            continue
        state = published_state(g)
        model = build(g, float(state["spectrogram_layer.lambd"]) * 2)  # λ comes from the state_dict
        model.load_state_dict(state, strict=True)
        assert set(model.state_dict()) == set(state)
        with torch.no_grad():
            close_f32(model.eval()(g["input"]), g["output"], name)
        checked += 1
    assert checked, "no DMEL classifier golden (mel_conv_net.pt, linear_net.pt) in this golden set"
