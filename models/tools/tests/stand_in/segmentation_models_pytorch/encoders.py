"""Stand-in for smp.encoders: the registry `encoders` and get_encoder()."""
from torch import nn

WIDTHS = (8, 8, 12, 16, 24)


def conv_bn_relu(cin, cout, stride=1):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class ResNetEncoder(nn.Module):
    """Five stride-2 stages; 'resnet18' has one block per stage after the stem, 'resnet34' two."""

    def __init__(self, blocks, in_channels=3, depth=5):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, WIDTHS[0], 3, 2, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(WIDTHS[0])
        self.relu = nn.ReLU(inplace=True)
        self.depth = depth
        self.out_channels = (in_channels,) + WIDTHS[:depth]
        for i in range(1, depth):
            layers = [conv_bn_relu(WIDTHS[i - 1], WIDTHS[i], stride=2)]
            layers += [conv_bn_relu(WIDTHS[i], WIDTHS[i]) for _ in range(blocks - 1)]
            setattr(self, f'layer{i}', nn.Sequential(*layers))

    @property
    def output_stride(self):
        return 2 ** self.depth

    def forward(self, x):
        features = [x]
        x = self.relu(self.bn1(self.conv1(x)))
        features.append(x)
        for i in range(1, self.depth):
            x = getattr(self, f'layer{i}')(x)
            features.append(x)
        return features


encoders = {'resnet18': {'blocks': 1}, 'resnet34': {'blocks': 2}}


def get_encoder(name, in_channels=3, depth=5, weights=None, output_stride=32, **kwargs):
    if name not in encoders:
        raise KeyError(f'Wrong encoder name `{name}`, supported encoders: {list(encoders)}')
    return ResNetEncoder(encoders[name]['blocks'], in_channels=in_channels, depth=depth)
