"""For test/export/export-smp.test.ts: export a stand-in SMP model with export_smp.py and write PyTorch's probability
of class 1 for an image, so the test can check that deepmask computes the same from the ONNX and its metadata.

Usage: engine_case.py CASE DIR   with DIR/rgb.u8 (H×W×3 bytes) and DIR/size.json ({"width":W,"height":H});
writes DIR/CASE.onnx and DIR/CASE.f32 (H×W float32, the probability of class 1).
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'stand_in'))
sys.path.insert(0, os.path.dirname(HERE))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import export_smp  # noqa: E402
import segmentation_models_pytorch as smp  # noqa: E402

CASES = {
    # SMP's default: logits out, deepmask applies the sigmoid.
    'logits': (lambda: smp.Unet('resnet18', encoder_weights=None), []),
    # Built with activation='sigmoid': probabilities, and --bake-sigmoid must not add a second one.
    'sigmoid': (lambda: smp.Unet('resnet18', encoder_weights=None, activation='sigmoid'), ['--bake-sigmoid']),
    # Two classes, softmax baked in (not a per-channel sigmoid), aux head left out.
    'two-class': (lambda: smp.FPN('resnet34', encoder_weights=None, classes=2, aux_params={'classes': 3}),
                  ['--bake-sigmoid']),
}


def main():
    case, folder = sys.argv[1], sys.argv[2]
    make, flags = CASES[case]
    torch.manual_seed(1)
    model = make().eval()
    with torch.no_grad():  # a larger head and a bias, so the probabilities spread over 0..1
        model.segmentation_head[0].weight.mul_(30)
        model.segmentation_head[0].bias.normal_(0, 1)
    checkpoint = os.path.join(folder, f'{case}.pth')
    torch.save(model.state_dict(), checkpoint)
    arch = type(model).__name__
    encoder = 'resnet34' if arch == 'FPN' else 'resnet18'
    size = json.load(open(os.path.join(folder, 'size.json')))
    height, width = size['height'], size['width']
    onnx_path = os.path.join(folder, f'{case}.onnx')
    extra = [] if case != 'two-class' else ['--model-args', json.dumps({'aux_params': {'classes': 3}})]
    export_smp.main(['--checkpoint', checkpoint, '--arch', arch, '--encoder', encoder, '--tile-size', str(width),
                     '--class-name', 'roof', '--out', onnx_path, *flags, *extra])
    rgb = np.fromfile(os.path.join(folder, 'rgb.u8'), dtype=np.uint8).reshape(height, width, 3)
    x = torch.from_numpy(rgb.astype(np.float32) / 255).permute(2, 0, 1)[None]
    mean = torch.tensor(export_smp.IMAGENET_MEAN)[None, :, None, None]
    std = torch.tensor(export_smp.IMAGENET_STD)[None, :, None, None]
    with torch.no_grad():
        y = model((x - mean) / std)
        y = y[0] if isinstance(y, tuple) else y
        if case == 'logits':
            y = torch.sigmoid(y)
        elif case == 'two-class':
            y = torch.softmax(y, dim=1)
    probability = y[0, -1].numpy().astype('<f4')
    probability.tofile(os.path.join(folder, f'{case}.f32'))


if __name__ == '__main__':
    main()
