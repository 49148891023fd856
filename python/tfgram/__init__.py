"""tfgram in PyTorch: DEGram and DMEL front ends on tfgram's C++ kernels (torch.ops.tfgram.*).

The modules take torchaudio-style arguments; the published names (DEGramBasedModel,
waveform_to_Spectrogram, resnet18, MelSpectrogramLayer, MelLinearNet, MelConvNet, LinearNet) are
drop-ins with the published parameter names, so their state_dicts load.
"""
from ._ops import library_path, ops
from .checkpoint import Classifier, load_checkpoint, save_checkpoint
from .degram import DEGram, DEGramBasedModel, SincGram, Spectrogram, SpectrogramNorm, TfDe, waveform_to_Spectrogram
from .dmel import (DifferentiableSpectrogram, DMel, GaussianWindow, MelSpectrogramLayer, SpectrogramLayer,
                   lambd_for_window_ms, window_ms_for_lambd)
from .learnable import GaussianSincGram
from .models import Cnn6, LinearNet, MelConvNet, MelLinearNet, ResNet, resnet18, resnet34
from .pcen import PCEN

__all__ = [
    "Classifier", "Cnn6", "DEGram", "DEGramBasedModel", "DMel", "DifferentiableSpectrogram", "GaussianSincGram", "GaussianWindow",
    "LinearNet", "MelConvNet", "MelLinearNet", "MelSpectrogramLayer", "PCEN", "ResNet", "SincGram", "Spectrogram",
    "SpectrogramLayer", "SpectrogramNorm", "TfDe", "lambd_for_window_ms", "library_path", "load_checkpoint", "ops",
    "resnet18", "resnet34", "save_checkpoint", "waveform_to_Spectrogram", "window_ms_for_lambd",
]
