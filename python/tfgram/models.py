"""Backbones with the published parameter names (torchvision ResNet with a one-channel stem, PANNs
CNN6) and DMEL's small classifiers, as tfgram's C++ models compute them."""
import torch
from torch import nn

from .dmel import DifferentiableSpectrogram, DMel


class BasicBlock(nn.Module):
    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or in_planes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride, 0, bias=False),
                                            nn.BatchNorm2d(planes))

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + (x if self.downsample is None else self.downsample(x)))


class ResNet(nn.Module):
    """(B, in_channels, F, T) → logits; torchvision layout with a `in_channels` 7×7/2 stem."""

    def __init__(self, layers, num_classes, in_channels=1):
        super().__init__()
        if len(layers) != 4 or min(layers) < 1 or num_classes < 1:
            raise ValueError(f"ResNet: need 4 stage depths >= 1 and num_classes >= 1, got {layers}, {num_classes}")
        self.conv1 = nn.Conv2d(in_channels, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        in_planes = 64
        for stage, (depth, width) in enumerate(zip(layers, (64, 128, 256, 512))):
            blocks = []
            for b in range(depth):
                blocks.append(BasicBlock(in_planes, width, 2 if stage > 0 and b == 0 else 1))
                in_planes = width
            setattr(self, f"layer{stage + 1}", nn.Sequential(*blocks))
        self.fc = nn.Linear(512, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        h = torch.relu(self.bn1(self.conv1(x)))
        h = torch.max_pool2d(h, 3, 2, 1)
        for stage in (self.layer1, self.layer2, self.layer3, self.layer4):
            h = stage(h)
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(h, 1), 1))


def resnet18(num_classes, in_channels=1):
    """The DEGram reference backbone (published name)."""
    return ResNet([2, 2, 2, 2], num_classes, in_channels)


def resnet34(num_classes, in_channels=1):
    return ResNet([3, 4, 6, 3], num_classes, in_channels)


class ConvBlock5x5(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 5, 1, 2, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        nn.init.xavier_uniform_(self.conv1.weight)

    def forward(self, x):
        return nn.functional.avg_pool2d(torch.relu(self.bn1(self.conv1(x))), 2)


class Cnn6(nn.Module):
    """PANNs CNN6 on (B, in_channels, T, n_mels) → logits (the published model returns their sigmoid)."""

    def __init__(self, num_classes, n_mels=64, in_channels=1, block_dropout=0.2, head_dropout=0.5):
        super().__init__()
        if n_mels < 16 or num_classes < 1:
            raise ValueError(f"Cnn6: need n_mels >= 16 and num_classes >= 1, got {n_mels}, {num_classes}")
        self.n_mels, self.block_dropout, self.head_dropout = n_mels, block_dropout, head_dropout
        self.bn1 = nn.BatchNorm2d(n_mels)
        self.conv_block1 = ConvBlock5x5(in_channels, 64)
        self.conv_block2 = ConvBlock5x5(64, 128)
        self.conv_block3 = ConvBlock5x5(128, 256)
        self.conv_block4 = ConvBlock5x5(256, 512)
        self.fc1 = nn.Linear(512, 512)
        self.fc_esc50 = nn.Linear(512, num_classes)
        for fc in (self.fc1, self.fc_esc50):
            nn.init.xavier_uniform_(fc.weight)
            nn.init.zeros_(fc.bias)

    def forward(self, x):
        if x.dim() != 4 or x.shape[3] != self.n_mels or x.shape[2] < 16:
            raise ValueError(f"Cnn6: input must be (B, C, T >= 16, {self.n_mels}), got {tuple(x.shape)}")
        x = self.bn1(x.transpose(1, 3)).transpose(1, 3)
        for block in (self.conv_block1, self.conv_block2, self.conv_block3, self.conv_block4):
            x = nn.functional.dropout(block(x), self.block_dropout, self.training)
        x = x.mean(3)
        x = x.max(2)[0] + x.mean(2)
        x = nn.functional.dropout(x, self.head_dropout, self.training)
        return self.fc_esc50(torch.relu(self.fc1(x)))


# ---- DMEL's heads over a (B, C, F, T) representation (tfgram's LinearNet / MlpNet / ConvNet) ----

class LinearHead(nn.Module):
    def __init__(self, shape, num_classes, dropout=0.0):
        super().__init__()
        self.shape, self.dropout = tuple(shape), dropout
        self.fc = nn.Linear(shape[0] * shape[1] * shape[2], num_classes)

    def forward(self, x):
        _check_shape(x, self.shape, "LinearNet")
        return self.fc(nn.functional.dropout(x.flatten(1), self.dropout, self.training))


class MlpHead(nn.Module):
    def __init__(self, shape, num_classes, hidden=32, dropout=0.2):
        super().__init__()
        self.shape, self.dropout = tuple(shape), dropout
        self.fc1 = nn.Linear(shape[0] * shape[1] * shape[2], hidden)
        self.fc2 = nn.Linear(hidden, num_classes)

    def forward(self, x):
        _check_shape(x, self.shape, "MlpNet")
        h = torch.relu(self.fc1(x.flatten(1)))
        return self.fc2(nn.functional.dropout(h, self.dropout, self.training))


class ConvHead(nn.Module):
    def __init__(self, shape, num_classes, hidden=32, kernel_size=5, dropout=0.0):
        super().__init__()
        self.shape, self.dropout = tuple(shape), dropout
        self.conv1 = nn.Conv2d(shape[0], hidden, kernel_size, padding=kernel_size // 2)
        self.fc1 = nn.Linear(hidden * shape[1] * shape[2], hidden)
        self.fc2 = nn.Linear(hidden, num_classes)

    def forward(self, x):
        _check_shape(x, self.shape, "ConvNet")
        h = torch.relu(self.conv1(x))
        h = nn.functional.dropout(h.flatten(1), self.dropout, self.training)
        return self.fc2(torch.relu(self.fc1(h)))


def _check_shape(x, shape, where):
    if x.dim() != 4 or tuple(x.shape[1:]) != shape:
        raise ValueError(f"{where}: input must be (B, {shape[0]}, {shape[1]}, {shape[2]}) — the shape the head was "
                         f"built for — got {tuple(x.shape)}")


# ---- the published DMEL classifiers: spectrogram_layer + head, published parameter names ----

class _DMelClassifier(nn.Module):
    def __init__(self, spectrogram_layer, head, log):
        super().__init__()
        self.spectrogram_layer, self.log = spectrogram_layer, log
        # Published names: the head's layers (fc, conv1, fc1, fc2) sit at the top level, so they are
        # registered here; the head object only supplies its forward and is kept out of the tree.
        object.__setattr__(self, "_head", head)
        for name, module in head.named_children():
            setattr(self, name, module)

    def train(self, mode=True):
        self._head.train(mode)
        return super().train(mode)

    def forward(self, x):
        s = self.spectrogram_layer(x)
        if s.dim() == 3:
            s = s.unsqueeze(1)
        if self.log:
            s = torch.log(s + 1e-10)
        return self._head(s)


def _mel_layer(init_lambd, n_mels, n_points, sample_rate, f_min, f_max, hop_length, optimized, normalize_window):
    layer = DMel(init_lambd, sample_rate, n_mels=n_mels, hop_length=hop_length, mode="pow2" if optimized else "full",
                 f_min=f_min, f_max=f_max, normalize_window=normalize_window)
    return layer, (1, n_mels, 1 + n_points // hop_length)


class LinearNet(_DMelClassifier):
    """DMEL `linear`: Gaussian spectrogram → flatten → Linear (published names spectrogram_layer.lambd, fc)."""

    def __init__(self, n_classes, init_lambd, n_points, hop_length=1, device="cpu", optimized=False,
                 normalize_window=False):
        layer = DifferentiableSpectrogram(init_lambd, hop_length, "pow2" if optimized else "full", normalize_window)
        with torch.no_grad():
            k, t = layer(torch.zeros(1, n_points)).shape[1:]
        super().__init__(layer, LinearHead((1, k, t), n_classes), log=False)
        self.to(device)


class _MelNet(_DMelClassifier):
    """A DMEL mel classifier: mel layer → log → the head `make_head(shape, n_classes)`."""

    def __init__(self, make_head, n_classes, init_lambd, n_mels, n_points, sample_rate, f_min, f_max, hop_length,
                 device, optimized, normalize_window):
        layer, shape = _mel_layer(init_lambd, n_mels, n_points, sample_rate, f_min, f_max, hop_length, optimized,
                                  normalize_window)
        super().__init__(layer, make_head(shape, n_classes), log=True)
        self.to(device)


class MelLinearNet(_MelNet):
    """DMEL `mel_linear`: mel → log → dropout 0.2 → flatten → Linear (dropout off at evaluation)."""

    def __init__(self, n_classes, init_lambd, n_mels, n_points, sample_rate, f_min=0, f_max=None, hop_length=1,
                 device="cpu", optimized=False, normalize_window=False):
        super().__init__(lambda shape, n: LinearHead(shape, n, dropout=0.2), n_classes, init_lambd, n_mels, n_points,
                         sample_rate, f_min, f_max, hop_length, device, optimized, normalize_window)


class MelConvNet(_MelNet):
    """DMEL `mel_conv`: mel → log → Conv2d(1→32, 5×5) → ReLU → Linear(32) → ReLU → Linear."""

    def __init__(self, n_classes, init_lambd, n_mels, n_points, sample_rate, f_min=0, f_max=None, hop_length=1,
                 device="cpu", optimized=False, normalize_window=False):
        super().__init__(ConvHead, n_classes, init_lambd, n_mels, n_points, sample_rate, f_min, f_max, hop_length,
                         device, optimized, normalize_window)
