"""A small stand-in for segmentation_models_pytorch (SMP) 0.4, for testing export_smp.py without SMP or downloads.

Only what export_smp.py relies on, laid out as SMP lays it out, with tiny layers so a test exports in a second:
- architectures Unet, UnetPlusPlus, FPN, DeepLabV3Plus (SegmentationModel subclasses) taking encoder_name,
  encoder_weights, in_channels, classes, activation, aux_params and (Unet) decoder_attention_type, and
  create_model / MODEL_ARCHITECTURES_MAPPING as in SMP;
- state-dict keys under encoder., decoder., segmentation_head. and classification_head., the first convolution
  encoder.conv1, the head SegmentationHead(conv, upsampling, Activation(name)) and (masks, labels) from aux models;
- encoders 'resnet18' and 'resnet34' that differ in their keys (one or two blocks a stage), encoders.get_encoder and
  encoders.encoders, output_stride 32.
The weights are random (encoder_weights is accepted and ignored: nothing is downloaded).
"""
import torch
from torch import nn

from . import encoders
from .encoders import conv_bn_relu, get_encoder

__version__ = '0.4.0-stand-in'

class Activation(nn.Module):
    def __init__(self, name, **params):
        super().__init__()
        if name is None or name == 'identity':
            self.activation = nn.Identity()
        elif name == 'sigmoid':
            self.activation = nn.Sigmoid()
        elif name == 'softmax2d':
            self.activation = nn.Softmax(dim=1)
        elif name == 'softmax':
            self.activation = nn.Softmax(**params)
        elif name == 'logsoftmax':
            self.activation = nn.LogSoftmax(dim=1)
        elif name == 'tanh':
            self.activation = nn.Tanh()
        elif callable(name):
            self.activation = name(**params)
        else:
            raise ValueError(f'Activation should be callable/sigmoid/softmax/logsoftmax/tanh/None; got {name}')

    def forward(self, x):
        return self.activation(x)


class SCSE(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.cSE = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(channels, channels, 1), nn.Sigmoid())
        self.sSE = nn.Sequential(nn.Conv2d(channels, 1, 1), nn.Sigmoid())

    def forward(self, x):
        return x * self.cSE(x) + x * self.sSE(x)


class Attention(nn.Module):
    def __init__(self, name, **params):
        super().__init__()
        if name is None:
            self.attention = nn.Identity()
        elif name == 'scse':
            self.attention = SCSE(**params)
        else:
            raise ValueError(f'Attention {name} is not implemented')

    def forward(self, x):
        return self.attention(x)


class SegmentationHead(nn.Sequential):
    def __init__(self, in_channels, out_channels, kernel_size=3, activation=None, upsampling=1):
        conv2d = nn.Conv2d(in_channels, out_channels, kernel_size=kernel_size, padding=kernel_size // 2)
        upsampling = nn.UpsamplingBilinear2d(scale_factor=upsampling) if upsampling > 1 else nn.Identity()
        super().__init__(conv2d, upsampling, Activation(activation))


class ClassificationHead(nn.Sequential):
    def __init__(self, in_channels, classes, pooling='avg', dropout=0.2, activation=None):
        super().__init__(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(p=dropout) if dropout else nn.Identity(),
                         nn.Linear(in_channels, classes, bias=True), Activation(activation))


class SegmentationModel(nn.Module):
    requires_divisible_input_shape = True

    def _finish(self, encoder_name, in_channels, classes, activation, aux_params, decoder_out, upsampling=1):
        self.segmentation_head = SegmentationHead(decoder_out, classes, activation=activation, upsampling=upsampling)
        if aux_params is not None:
            self.classification_head = ClassificationHead(self.encoder.out_channels[-1], **aux_params)
        else:
            self.classification_head = None
        self.name = f'{type(self).__name__.lower()}-{encoder_name}'

    def check_input_shape(self, x):
        h, w = x.shape[-2:]
        stride = self.encoder.output_stride
        if h % stride or w % stride:
            raise RuntimeError(f'Wrong input shape height={h}, width={w}. Expected image height and width '
                               f'divisible by {stride}.')

    def forward(self, x):
        self.check_input_shape(x)
        features = self.encoder(x)
        decoder_output = self.decoder(*features)
        masks = self.segmentation_head(decoder_output)
        if self.classification_head is not None:
            return masks, self.classification_head(features[-1])
        return masks


class UnetBlock(nn.Module):
    def __init__(self, cin, skip, cout, attention_type=None):
        super().__init__()
        self.conv1 = conv_bn_relu(cin + skip, cout)
        self.attention1 = Attention(attention_type, channels=cin + skip) if attention_type else Attention(None)
        self.conv2 = conv_bn_relu(cout, cout)
        self.attention2 = Attention(attention_type, channels=cout) if attention_type else Attention(None)

    def forward(self, x, skip=None):
        x = nn.functional.interpolate(x, scale_factor=2.0, mode='nearest')
        if skip is not None:
            x = torch.cat([x, skip], dim=1)
        x = self.attention1(x)
        return self.attention2(self.conv2(self.conv1(x)))


class UnetDecoder(nn.Module):
    def __init__(self, encoder_channels, decoder_channels, attention_type=None):
        super().__init__()
        channels = encoder_channels[1:][::-1]  # deepest first
        skips = list(channels[1:]) + [0]
        ins = [channels[0]] + list(decoder_channels[:-1])
        self.blocks = nn.ModuleList(UnetBlock(i, s, o, attention_type) for i, s, o in zip(ins, skips, decoder_channels))

    def forward(self, *features):
        features = features[1:][::-1]
        x, skips = features[0], list(features[1:]) + [None]
        for block, skip in zip(self.blocks, skips):
            x = block(x, skip)
        return x


class Unet(SegmentationModel):
    def __init__(self, encoder_name='resnet34', encoder_depth=5, encoder_weights='imagenet', decoder_use_batchnorm=True,
                 decoder_channels=(16, 12, 8, 8, 8), decoder_attention_type=None, in_channels=3, classes=1,
                 activation=None, aux_params=None):
        super().__init__()
        self.encoder = get_encoder(encoder_name, in_channels=in_channels, depth=encoder_depth, weights=encoder_weights)
        self.decoder = UnetDecoder(self.encoder.out_channels, decoder_channels[:encoder_depth], decoder_attention_type)
        self._finish(encoder_name, in_channels, classes, activation, aux_params, decoder_channels[encoder_depth - 1])


class UnetPlusPlus(Unet):
    """Laid out as Unet here (the stand-in only needs another name)."""


class FPNDecoder(nn.Module):
    def __init__(self, encoder_channels, pyramid_channels=8):
        super().__init__()
        self.lateral = nn.ModuleList(nn.Conv2d(c, pyramid_channels, 1) for c in encoder_channels[2:])
        self.merge = conv_bn_relu(pyramid_channels, pyramid_channels)

    def forward(self, *features):
        levels = features[2:]
        x = self.lateral[-1](levels[-1])
        for lateral, level in zip(list(self.lateral)[-2::-1], levels[-2::-1]):
            x = nn.functional.interpolate(x, scale_factor=2.0, mode='nearest') + lateral(level)
        return self.merge(x)


class FPN(SegmentationModel):
    def __init__(self, encoder_name='resnet34', encoder_depth=5, encoder_weights='imagenet', decoder_pyramid_channels=8,
                 in_channels=3, classes=1, activation=None, upsampling=4, aux_params=None):
        super().__init__()
        self.encoder = get_encoder(encoder_name, in_channels=in_channels, depth=encoder_depth, weights=encoder_weights)
        self.decoder = FPNDecoder(self.encoder.out_channels, decoder_pyramid_channels)
        self._finish(encoder_name, in_channels, classes, activation, aux_params, decoder_pyramid_channels, upsampling)


class DeepLabV3PlusDecoder(nn.Module):
    def __init__(self, encoder_channels, out_channels=8):
        super().__init__()
        self.aspp = nn.Sequential(conv_bn_relu(encoder_channels[-1], out_channels), nn.Dropout(0.5))
        self.block1 = conv_bn_relu(encoder_channels[2], out_channels)
        self.block2 = conv_bn_relu(out_channels * 2, out_channels)

    def forward(self, *features):
        x = self.aspp(features[-1])
        skip = self.block1(features[2])
        x = nn.functional.interpolate(x, size=skip.shape[-2:], mode='bilinear', align_corners=True)
        return self.block2(torch.cat([x, skip], dim=1))


class DeepLabV3Plus(SegmentationModel):
    def __init__(self, encoder_name='resnet34', encoder_depth=5, encoder_weights='imagenet', decoder_channels=8,
                 in_channels=3, classes=1, activation=None, upsampling=4, aux_params=None):
        super().__init__()
        self.encoder = get_encoder(encoder_name, in_channels=in_channels, depth=encoder_depth, weights=encoder_weights)
        self.decoder = DeepLabV3PlusDecoder(self.encoder.out_channels, decoder_channels)
        self._finish(encoder_name, in_channels, classes, activation, aux_params, decoder_channels, upsampling)


_MODEL_ARCHITECTURES = [Unet, UnetPlusPlus, FPN, DeepLabV3Plus]
MODEL_ARCHITECTURES_MAPPING = {a.__name__.lower(): a for a in _MODEL_ARCHITECTURES}


def create_model(arch, encoder_name='resnet34', encoder_weights='imagenet', in_channels=3, classes=1, **kwargs):
    try:
        model_class = MODEL_ARCHITECTURES_MAPPING[arch.lower()]
    except KeyError:
        raise KeyError(f'Wrong architecture type `{arch}`. Available options are: {list(MODEL_ARCHITECTURES_MAPPING)}')
    return model_class(encoder_name=encoder_name, encoder_weights=encoder_weights, in_channels=in_channels,
                       classes=classes, **kwargs)


def from_pretrained(path):
    raise NotImplementedError('the stand-in has no from_pretrained')

