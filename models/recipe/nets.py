"""The demo models' architectures: small fully-convolutional segmentation nets (input N×C×H×W, output N×1×H×W,
or N×K×H×W with out_channels=K for the land-cover models).

H and W must be multiples of 2**depth (16 for every net here); deepmask's tile sizes are.
"""
import torch
from torch import nn


def conv_bn_relu(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class UNet(nn.Module):
    """Classic UNet: double 3×3 convolutions, max-pool down, transposed-convolution up, concatenated skips.

    With half_res, a strided stem first halves the resolution and a transposed convolution restores it at
    the end: about four times cheaper, fine for objects many pixels wide.
    """

    def __init__(self, in_channels: int, widths: list[int], half_res: bool = False, out_channels: int = 1):
        super().__init__()
        self.stem = conv_bn_relu(in_channels, widths[0], stride=2) if half_res else nn.Identity()
        self.down = nn.ModuleList()
        cin = widths[0] if half_res else in_channels
        for w in widths:
            self.down.append(nn.Sequential(conv_bn_relu(cin, w), conv_bn_relu(w, w)))
            cin = w
        self.pool = nn.MaxPool2d(2)
        self.up = nn.ModuleList()
        self.merge = nn.ModuleList()
        for w_low, w_high in zip(widths[::-1][:-1], widths[::-1][1:]):
            self.up.append(nn.ConvTranspose2d(w_low, w_high, 2, stride=2))
            self.merge.append(nn.Sequential(conv_bn_relu(2 * w_high, w_high), conv_bn_relu(w_high, w_high)))
        self.head = nn.Sequential(nn.ConvTranspose2d(widths[0], widths[0], 2, stride=2), conv_bn_relu(widths[0], widths[0]),
                                  nn.Conv2d(widths[0], out_channels, 1)) if half_res else nn.Conv2d(widths[0], out_channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        skips = []
        for i, block in enumerate(self.down):
            x = block(x if i == 0 else self.pool(x))
            skips.append(x)
        for up, merge, skip in zip(self.up, self.merge, skips[::-1][1:]):
            x = merge(torch.cat([up(x), skip], dim=1))
        return self.head(x)


class ResBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.body = nn.Sequential(
            conv_bn_relu(cin, cout, stride),
            nn.Conv2d(cout, cout, 3, padding=1, bias=False),
            nn.BatchNorm2d(cout),
        )
        self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu(self.body(x) + self.short(x))


class LinkNet(nn.Module):
    """LinkNet-style: strided stem (half resolution), residual strided encoder, light decoder, skips added
    (not concatenated), transposed convolution back to full resolution."""

    def __init__(self, in_channels: int, widths: list[int], out_channels: int = 1):
        super().__init__()
        self.stem = conv_bn_relu(in_channels, widths[0], stride=2)
        self.enc = nn.ModuleList(ResBlock(a, b, 2) for a, b in zip(widths[:-1], widths[1:]))
        self.dec = nn.ModuleList(
            nn.Sequential(
                nn.Conv2d(b, a, 1, bias=False), nn.BatchNorm2d(a), nn.ReLU(inplace=True),
                nn.ConvTranspose2d(a, a, 2, stride=2), conv_bn_relu(a, a),
            )
            for a, b in zip(widths[:-1], widths[1:])
        )
        self.head = nn.Sequential(nn.ConvTranspose2d(widths[0], widths[0], 2, stride=2), conv_bn_relu(widths[0], widths[0]),
                                  nn.Conv2d(widths[0], out_channels, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = [self.stem(x)]
        for block in self.enc:
            skips.append(block(skips[-1]))
        x = skips[-1]
        for dec, skip in zip(self.dec[::-1], skips[::-1][1:]):
            x = dec(x) + skip
        return self.head(x)


class TinyFCN(nn.Module):
    """Three 3×3 convolutions and no down-sampling: translation-equivariant (a test fixture for sliding windows)."""

    def __init__(self, in_channels: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(in_channels, 8, 3, padding=1), nn.ReLU(),
            nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(),
            nn.Conv2d(8, 1, 3, padding=1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


class WithSigmoid(nn.Module):
    """Bakes the sigmoid into the graph for models shipped with deepmask_output = probabilities."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.net(x))


# name → (constructor, bands, output kind); the demo ensemble.
DEMO_MODELS = {
    'unet-rgb-small': (lambda: UNet(3, [8, 16, 32, 64]), ['R', 'G', 'B'], 'probabilities'),
    'unet-rgbd-wide': (lambda: UNet(4, [24, 48, 96, 128], half_res=True), ['R', 'G', 'B', 'DSM'], 'logits'),
    'linknet-rgbd': (lambda: LinkNet(4, [16, 32, 64, 128]), ['R', 'G', 'B', 'DSM'], 'probabilities'),
}


class WithSoftmax(nn.Module):
    """Bakes a softmax over the class channels into the graph (deepmask_output = probabilities, K classes)."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.net(x), dim=1)


# The land-cover classes (render-dataset.ts --classes landcover; LandCover in source/demo/scene.ts).
LANDCOVER_CLASSES = {'0': 'background', '1': 'building', '2': 'road', '3': 'tree'}
LANDCOVER_COLORS = {'0': '#000000', '1': '#e0443a', '2': '#f2c14e', '3': '#2e9e48'}

# name → (constructor, bands, output kind); the land-cover demo ensemble (models/demo-landcover).
LANDCOVER_MODELS = {
    'linknet-rgbd-landcover': (lambda: LinkNet(4, [16, 32, 64, 128], out_channels=4), ['R', 'G', 'B', 'DSM'], 'probabilities'),
    'unet-rgbd-landcover': (lambda: UNet(4, [16, 32, 64, 96], half_res=True, out_channels=4), ['R', 'G', 'B', 'DSM'], 'logits'),
}
