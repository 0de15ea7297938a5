"""Export a segmentation net to ONNX with deepmask/Deepness metadata in metadata_props.

Shared by the recipe (train.py, fixtures.py) and by models/tools/export_smp.py.
"""
import inspect
import json

import onnx
import torch

OPSET = 17


def deepmask_metadata(*, bands, tile_size, output, mean, std, dsm=None, resolution_cm=None,
                      tiles_overlap=25, seg_thresh=0.5, class_names=None) -> dict:
    """The metadata keys of DESIGN §3.3. Values are JSON-encoded, as the Deepness plugin writes and reads them."""
    if len(mean) != len(bands) or len(std) != len(bands):
        raise ValueError(f'need one mean and std per band ({len(bands)}), got {len(mean)} and {len(std)}')
    meta = {
        'model_type': 'Segmentor',
        'class_names': class_names or {'0': 'background', '1': 'building'},
        'tile_size': int(tile_size),
        'tiles_overlap': tiles_overlap,
        'standardization_mean': [float(v) for v in mean],
        'standardization_std': [float(v) for v in std],
        'seg_thresh': seg_thresh,
        'deepmask_bands': list(bands),
        'deepmask_output': output,
    }
    if resolution_cm is not None:
        meta['resolution'] = resolution_cm
    if dsm is not None:
        meta['deepmask_dsm'] = dsm
    return meta


def export_onnx(net: torch.nn.Module, path: str, *, channels: int, tile_size: int, metadata: dict) -> None:
    net = net.eval()
    sample = torch.zeros(1, channels, tile_size, tile_size)
    axes = {0: 'batch', 2: 'height', 3: 'width'}
    # PyTorch >= 2.9 defaults to the dynamo exporter, whose dynamic_axes support is incomplete.
    legacy = {'dynamo': False} if 'dynamo' in inspect.signature(torch.onnx.export).parameters else {}
    with torch.no_grad():
        torch.onnx.export(
            net, sample, path, opset_version=OPSET, do_constant_folding=True,
            input_names=['input'], output_names=['output'],
            dynamic_axes={'input': axes, 'output': axes}, **legacy,
        )
    model = onnx.load(path)
    del model.metadata_props[:]
    for key, value in metadata.items():
        entry = model.metadata_props.add()
        entry.key = key
        entry.value = json.dumps(value)
    onnx.checker.check_model(model)
    onnx.save(model, path)
