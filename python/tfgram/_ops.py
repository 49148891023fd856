"""Loads libtfgram_ops.so, which registers the tfgram:: operators (torch.ops.tfgram.*)."""
import os

import torch

_LIBRARY_NAME = "libtfgram_ops.so"


def library_path():
    """Where the operator library is: $TFGRAM_OPS_LIBRARY, else beside this package's files."""
    return os.environ.get("TFGRAM_OPS_LIBRARY") or os.path.join(os.path.dirname(__file__), _LIBRARY_NAME)


def _load():
    path = library_path()
    if not os.path.exists(path):
        raise ImportError(
            f"tfgram: the operator library {path} is missing; build it with CMake (target tfgram_ops) "
            "and put <build>/python on PYTHONPATH, or install with `cmake --install`")
    try:
        torch.ops.load_library(path)
    except OSError as error:
        raise ImportError(
            f"tfgram: cannot load {path}: {error}. It links Debian's libtorch 1.13 (C++11 ABI); it loads "
            "into Debian's python3-torch, not into a pip wheel of torch, which uses the old ABI") from error


_load()
ops = torch.ops.tfgram
