#!/usr/bin/env python3
"""Turn a segmentation_models_pytorch (SMP) model into an ONNX model deepmask can run, metadata included.

Needs torch, onnx and segmentation_models_pytorch (pip install segmentation-models-pytorch onnx).
Accepts, with --checkpoint:
  - a whole pickled model (torch.save(model, path));
  - a state dict (torch.save(model.state_dict(), path)), or a dict holding one under 'state_dict' or
    'model_state_dict' (PyTorch Lightning and most training loops); give --arch, --encoder, --in-channels and
    --classes so the model can be rebuilt (smp.create_model), and --strip-prefix for Lightning's 'model.';
  - a folder written by model.save_pretrained() (SMP >= 0.4), loaded with smp.from_pretrained().

Example (a Unet-resnet34 trained on RGB + DSM, 1 class, logits out as SMP's default activation=None):
  python3 models/tools/export_smp.py --checkpoint best.pth --arch Unet --encoder resnet34 \\
      --in-channels 4 --classes 1 --bands R,G,B,DSM --tile-size 512 \\
      --dsm '{"mode":"ndsm","scale":0.1,"clip":[0,30]}' --class-name building --out buildings.onnx
Then: deepmask infer --models buildings.onnx --input tiles/rgb --dsm tiles/dsm --out masks
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'recipe'))
from onnx_export import deepmask_metadata, export_onnx  # noqa: E402

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--checkpoint', required=True, help='a .pth/.pt file or a save_pretrained() folder')
    p.add_argument('--out', required=True, help='the .onnx file to write')
    p.add_argument('--arch', help='SMP architecture for state dicts, e.g. Unet, UnetPlusPlus, FPN, DeepLabV3Plus')
    p.add_argument('--encoder', help='SMP encoder name for state dicts, e.g. resnet34, efficientnet-b0, tu-semnasnet_100')
    p.add_argument('--in-channels', type=int, help='input channels (default: the number of --bands)')
    p.add_argument('--classes', type=int, default=1, help='output channels: 1 (sigmoid) or 2 (softmax)')
    p.add_argument('--strip-prefix', default='', help="remove this prefix from state-dict keys (Lightning: 'model.')")
    p.add_argument('--bands', default='R,G,B', help='input channel order: R,G,B or R,G,B,DSM')
    p.add_argument('--tile-size', type=int, default=512, help='square input size in pixels (a multiple of 32)')
    p.add_argument('--mean', help='per-band means after /255, comma-separated (default ImageNet for R,G,B and 0 for DSM)')
    p.add_argument('--std', help='per-band standard deviations (default ImageNet for R,G,B and 1 for DSM)')
    p.add_argument('--dsm', help='deepmask_dsm JSON, required with a DSM band, e.g. {"mode":"ndsm","scale":0.1,"clip":[0,30]}')
    p.add_argument('--class-name', default='building', help='name of class 1 (class 0 is background)')
    p.add_argument('--threshold', type=float, default=0.5, help='seg_thresh')
    p.add_argument('--overlap', type=float, default=25, help='tiles_overlap in percent for sliding windows')
    p.add_argument('--resolution-cm', type=float, help='cm per pixel the model was trained at')
    p.add_argument('--bake-sigmoid', action='store_true', help='put the sigmoid (softmax for 2 classes) in the graph: output probabilities instead of logits')
    return p.parse_args(argv)


def load_model(args) -> torch.nn.Module:
    import segmentation_models_pytorch as smp

    if os.path.isdir(args.checkpoint):
        return smp.from_pretrained(args.checkpoint)
    loaded = torch.load(args.checkpoint, map_location='cpu')
    if isinstance(loaded, torch.nn.Module):
        return loaded
    state = loaded
    for key in ('state_dict', 'model_state_dict'):
        if isinstance(loaded, dict) and key in loaded:
            state = loaded[key]
    if not (args.arch and args.encoder):
        sys.exit(f'{args.checkpoint} holds a state dict: give --arch and --encoder (and --in-channels, --classes) to rebuild the model')
    if args.strip_prefix:
        state = {k[len(args.strip_prefix):]: v for k, v in state.items() if k.startswith(args.strip_prefix)}
    model = smp.create_model(args.arch, encoder_name=args.encoder, encoder_weights=None,
                             in_channels=args.in_channels, classes=args.classes)
    model.load_state_dict(state)
    return model


class Probabilities(torch.nn.Module):
    def __init__(self, net: torch.nn.Module, classes: int):
        super().__init__()
        self.net = net
        self.classes = classes

    def forward(self, x):
        y = self.net(x)
        return torch.sigmoid(y) if self.classes == 1 else torch.softmax(y, dim=1)


def main(argv=None) -> None:
    args = parse_args(argv)
    bands = [b.strip().upper() for b in args.bands.split(',')]
    if any(b not in ('R', 'G', 'B', 'DSM') for b in bands):
        sys.exit(f'--bands {args.bands}: use R, G, B and DSM')
    if 'DSM' in bands and not args.dsm:
        sys.exit('a DSM band needs --dsm with its normalisation, e.g. {"mode":"ndsm","scale":0.1,"clip":[0,30]}')
    if args.classes not in (1, 2):
        sys.exit('deepmask runs binary models: --classes 1 (sigmoid) or 2 (softmax)')
    if args.tile_size % 32:
        sys.exit(f'--tile-size {args.tile_size}: SMP encoders need a multiple of 32')
    args.in_channels = args.in_channels or len(bands)
    if args.in_channels != len(bands):
        sys.exit(f'--in-channels {args.in_channels} but --bands has {len(bands)}')
    default_mean = [IMAGENET_MEAN['RGB'.index(b)] if b != 'DSM' else 0.0 for b in bands]
    default_std = [IMAGENET_STD['RGB'.index(b)] if b != 'DSM' else 1.0 for b in bands]
    mean = [float(v) for v in args.mean.split(',')] if args.mean else default_mean
    std = [float(v) for v in args.std.split(',')] if args.std else default_std

    model = load_model(args).eval()
    encoder = getattr(model, 'encoder', None)
    if hasattr(encoder, 'set_swish'):
        # lukemelas efficientnet encoders: the memory-efficient swish does not export.
        encoder.set_swish(memory_efficient=False)
    net = Probabilities(model, args.classes) if args.bake_sigmoid else model
    metadata = deepmask_metadata(
        bands=bands, tile_size=args.tile_size, output='probabilities' if args.bake_sigmoid else 'logits',
        mean=mean, std=std, dsm=json.loads(args.dsm) if args.dsm else None, resolution_cm=args.resolution_cm,
        tiles_overlap=args.overlap, seg_thresh=args.threshold, class_names={'0': 'background', '1': args.class_name},
    )
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    export_onnx(net, args.out, channels=len(bands), tile_size=args.tile_size, metadata=metadata)
    print(f'wrote {args.out}: {", ".join(f"{k}={v}" for k, v in metadata.items())}')


if __name__ == '__main__':
    main()
