"""Models between `tfgram train`/`tfgram predict` (real child processes) and Python: a trained model
predicts the same labels and probabilities in Python as `tfgram predict`, and a checkpoint Python
writes is one `tfgram predict` reads."""
import json
import os
import subprocess

import pytest
import torch

import tfgram
from conftest import cli, data_dir

# A small folder dataset of real FSDD recordings: 3 digits × 10 files, linked, not copied.
DIGITS, PER_DIGIT = ("0", "1", "7"), 10

CONFIGS = {
    "dmel_mel_conv": {"frontend": {"kind": "dmel", "dmel": {"n_mels": 32, "hop_length": 80}},
                      "backbone": {"kind": "mel_conv"}},
    "degram_resnet18": {"frontend": {"kind": "degram", "stft": {"n_fft": 256, "win_sec": 0.03, "hop_sec": 0.02},
                                     "degram": {"sincgram": {"filters": 24}}},
                        "backbone": {"kind": "resnet18"}},
    "dmel_pcen_cnn6": {"frontend": {"kind": "dmel_pcen", "dmel": {"n_mels": 32, "hop_length": 160}},
                       "backbone": {"kind": "cnn6"}},
    # The log taken inside the kernel, TF-DE and normalisation after it (DEGram's defaults).
    "learnable_mel_linear": {"frontend": {"kind": "dmel_sincgram", "dmel": {"hop_length": 80, "lambd": 30.0},
                                          "degram": {"sincgram": {"filters": 20}}},
                             "backbone": {"kind": "mel_linear"}},
    "learnable_pcen_mel_linear": {"frontend": {"kind": "dmel_sincgram", "dmel": {"hop_length": 80, "lambd": 30.0},
                                               "degram": {"sincgram": {"filters": 20}, "pcen": {}}},
                                  "backbone": {"kind": "mel_linear"}},
    "degram_pcen_resnet18": {"frontend": {"kind": "degram", "stft": {"n_fft": 256, "win_sec": 0.03, "hop_sec": 0.02},
                                          "degram": {"sincgram": {"filters": 16}, "pcen": {"learn_logs": True}}},
                             "backbone": {"kind": "resnet18"}},
    "dspec_linear": {"frontend": {"kind": "dspec", "dmel": {"mode": "full", "hop_length": 400, "lambd": 20.0}},
                     "backbone": {"kind": "linear"}, "n_points": 2000},
}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("digits")
    recordings = sorted((data_dir() / "fsdd" / "recordings").glob("*.wav"))
    files = []
    for digit in DIGITS:
        (root / digit).mkdir()
        chosen = [f for f in recordings if f.name.startswith(digit + "_")][:PER_DIGIT]
        assert len(chosen) == PER_DIGIT, f"FSDD under {data_dir()} lacks recordings of digit {digit}"
        for f in chosen:
            (root / digit / f.name).symlink_to(f)
            files.append(str(root / digit / f.name))
    return root, files


def run(*args):
    done = subprocess.run([cli(), *args], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"tfgram {' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}"
    return done.stdout


def cli_predictions(checkpoint, files):
    out = json.loads(run("predict", str(checkpoint), *files, "--json", "-k", "3"))
    return [(p["path"], [(t["label"], t["probability"]) for t in p["top"]]) for p in out]


def assert_same_predictions(python, tool):
    assert [p for p, _ in python] == [p for p, _ in tool]
    for (path, ours), (_, theirs) in zip(python, tool):
        assert [label for label, _ in ours] == [label for label, _ in theirs], path
        for (_, a), (_, b) in zip(ours, theirs):
            assert abs(a - b) <= 1e-5, f"{path}: probability {a} in Python, {b} from tfgram predict"


@pytest.fixture(scope="module", params=sorted(CONFIGS))
def trained(request, dataset, tmp_path_factory):
    root, files = dataset
    model = {"sample_rate": 8000, "n_points": 4000, **CONFIGS[request.param]}
    config = {"model": model, "data": {"kind": "folder", "root": str(root)},
              "train": {"batch_size": 8, "max_epochs": 2, "patience": 5, "seed": 3}}
    folder = tmp_path_factory.mktemp(request.param)
    (folder / "run.json").write_text(json.dumps(config))
    # YAML is a superset of JSON: the tool reads the file as it is.
    run("train", "-c", str(folder / "run.json"), "-o", str(folder / "run"), "-q")
    return folder / "run" / "best.ckpt", files


def test_python_predicts_what_tfgram_predict_does(trained):
    checkpoint, files = trained
    model = tfgram.load_checkpoint(checkpoint)
    assert not model.training
    assert model.labels == list(DIGITS)
    assert_same_predictions(model.predict(files), cli_predictions(checkpoint, files))


def test_a_checkpoint_written_by_python_is_read_by_tfgram_predict(trained, tmp_path):
    checkpoint, files = trained
    model = tfgram.load_checkpoint(checkpoint)
    # Train one step in Python so the weights differ from the tool's.
    model.train()
    batch = torch.stack([model.load_audio(f) for f in files[:8]])
    target = torch.tensor([model.labels.index(os.path.basename(os.path.dirname(f))) for f in files[:8]])
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    torch.nn.functional.cross_entropy(model(batch), target).backward()
    optimizer.step()
    model.eval()
    written = tmp_path / "python.ckpt"
    tfgram.save_checkpoint(model, written)
    assert_same_predictions(model.predict(files), cli_predictions(written, files))
    before = tfgram.load_checkpoint(checkpoint).predict(files[:4])
    assert before != model.predict(files[:4]), "the Python step changed nothing: the test would prove nothing"


def test_damaged_and_mismatched_checkpoints_are_refused(trained, tmp_path):
    checkpoint, _ = trained
    damaged = tmp_path / "damaged.ckpt"
    data = bytearray(checkpoint.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    with pytest.raises((RuntimeError, ValueError), match="damaged.ckpt"):
        tfgram.load_checkpoint(damaged)
    model = tfgram.load_checkpoint(checkpoint)
    state = model.state_dict()
    state.pop(next(iter(state)))
    with pytest.raises((RuntimeError, ValueError), match="missing"):
        tfgram.ops.checkpoint_write(str(tmp_path / "x.ckpt"), json.dumps(model.config), model.labels, state)
    assert not (tmp_path / "x.ckpt").exists()
