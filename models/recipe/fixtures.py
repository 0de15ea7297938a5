"""Test fixtures for test/infer/ (see models/README.md):

- tiny-fcn.onnx: three 3×3 convolutions, no down-sampling (translation-equivariant), fixed random weights,
  RGB, logits: sliding windows over it must equal whole-image inference.
- resize/<name>.prob.f32: the reference probabilities of MODEL (a trained demo model) for the images that
  render-fixtures.ts wrote, computed by PyTorch the way deepmask's resize mode does it: input planes at the
  image's size, bilinear (antialiased) resize to the tile size, the net, sigmoid, resize back.

Usage: /usr/bin/python3 models/recipe/fixtures.py TRAINED_DIR MODELS_DIR OUT_DIR
"""
import json
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dataset  # noqa: E402
import nets  # noqa: E402
from onnx_export import deepmask_metadata, export_onnx  # noqa: E402

MODEL = 'unet-rgbd-wide'


def resize(x: torch.Tensor, height: int, width: int) -> torch.Tensor:
    if x.shape[-2:] == (height, width):
        return x
    return F.interpolate(x, size=(height, width), mode='bilinear', align_corners=False, antialias=True)


def main() -> None:
    trained, models, out = sys.argv[1:4]
    torch.manual_seed(7)
    tiny = nets.TinyFCN(3)
    export_onnx(tiny, os.path.join(out, 'tiny-fcn.onnx'), channels=3, tile_size=64, metadata=deepmask_metadata(
        bands=['R', 'G', 'B'], tile_size=64, output='logits', mean=[0.4, 0.4, 0.4], std=[0.2, 0.2, 0.2], tiles_overlap=50))

    meta = {p.key: json.loads(p.value) for p in onnx.load(os.path.join(models, f'{MODEL}.onnx')).metadata_props}
    make, bands, output = nets.DEMO_MODELS[MODEL]
    net = make()
    net.load_state_dict(torch.load(os.path.join(trained, f'{MODEL}.pt')))
    net.eval()
    folder = os.path.join(out, 'resize')
    index = json.load(open(os.path.join(folder, 'index.json')))
    tile = meta['tile_size']
    for image in index['images']:
        h, w = image['height'], image['width']
        rgb = np.fromfile(os.path.join(folder, f"{image['name']}.rgb.u8"), dtype=np.uint8).reshape(h, w, 3)
        dsm = np.fromfile(os.path.join(folder, f"{image['name']}.dsm.f32"), dtype='<f4').reshape(h, w)
        planes = torch.from_numpy(dataset.input_planes(rgb, dsm, bands, meta['standardization_mean'], meta['standardization_std']))
        with torch.no_grad():
            logits = net(resize(planes[None], tile, tile))
            prob = resize(torch.sigmoid(logits) if output == 'logits' else logits, h, w)
        prob[0, 0].numpy().astype('<f4').tofile(os.path.join(folder, f"{image['name']}.prob.f32"))
    index['model'] = f'models/demo/{MODEL}.onnx'
    json.dump(index, open(os.path.join(folder, 'index.json'), 'w'), indent=2)


if __name__ == '__main__':
    main()
