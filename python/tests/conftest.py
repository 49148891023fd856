"""Shared helpers of the Python tests: the golden folder, the data folder, the tool, tolerances."""
import os
import pathlib

import pytest
import torch


def golden_dir():
    """$TFGRAM_GOLDEN_DIR, else the default CMake passes (../shared/golden beside the repository)."""
    return pathlib.Path(os.environ.get("TFGRAM_GOLDEN_DIR") or os.environ["TFGRAM_DEFAULT_GOLDEN_DIR"])


def data_dir():
    return pathlib.Path(os.environ.get("TFGRAM_DATA_DIR") or os.environ["TFGRAM_DEFAULT_DATA_DIR"])


def cli():
    return os.environ["TFGRAM_CLI"]


def assert_close(actual, expected, rtol, atol, what=""):
    actual, expected = actual.detach().to(torch.float64), expected.detach().to(torch.float64)
    assert actual.shape == expected.shape, f"{what}: shape {tuple(actual.shape)} != {tuple(expected.shape)}"
    excess = (actual - expected).abs() - (atol + rtol * expected.abs())
    worst = int(excess.argmax())
    assert float(excess.max()) <= 0, (
        f"{what}: {int((excess > 0).sum())} of {excess.numel()} elements differ; worst at flat index {worst}: "
        f"{float(actual.flatten()[worst])} vs {float(expected.flatten()[worst])} (rtol {rtol}, atol {atol})")


def close_f32(actual, expected, what=""):
    """The golden README's float32 tolerance: rtol 1e-4, atol 1e-5 scaled by max(1, max|expected|)."""
    scale = max(1.0, float(expected.abs().max())) if expected.numel() else 1.0
    assert_close(actual, expected, 1e-4, 1e-5 * scale, what)


def close_f64(actual, expected, what=""):
    """SincGram weights: rtol 1e-6 (atol 1e-12·max|expected| so exact zeros compare)."""
    assert_close(actual, expected, 1e-6, 1e-12 * float(expected.abs().max()), what)


def close_f64_gradient(actual, expected, what=""):
    """SincGram parameter gradients: rtol 1e-6 with atol 1e-6·max|expected| (float32 rounding upstream)."""
    assert_close(actual, expected, 1e-6, 1e-6 * float(expected.abs().max()), what)


@pytest.fixture(autouse=True)
def _seeded():
    torch.manual_seed(0)
