"""Train the demo models on the rendered demo scene and export them to ONNX with their metadata.

Usage: /usr/bin/python3 models/recipe/train.py DATA_DIR OUT_DIR [STEPS]
Writes OUT_DIR/<name>.onnx and OUT_DIR/<name>.pt (the state dict, for fixtures.py; not shipped).
"""
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dataset  # noqa: E402
import nets  # noqa: E402
from onnx_export import deepmask_metadata, export_onnx  # noqa: E402

TILE_SIZE = 256
CROP = 128
BATCH = 8


def band_stats(rgb: np.ndarray, dsm_planes: np.ndarray, bands: list):
    mean, std = [], []
    for band in bands:
        if band == 'DSM':
            mean.append(0.0)
            std.append(1.0)
        else:
            values = rgb[..., 'RGB'.index(band)].astype(np.float32) / 255
            mean.append(round(float(values.mean()), 4))
            std.append(round(float(values.std()), 4))
    return mean, std


def iou(prob: torch.Tensor, truth: torch.Tensor) -> float:
    pred = prob > 0.5
    t = truth > 0.5
    return float((pred & t).sum()) / max(1.0, float((pred | t).sum()))


def main() -> None:
    data_dir, out_dir = sys.argv[1], sys.argv[2]
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    torch.set_num_threads(2)
    os.makedirs(out_dir, exist_ok=True)
    rgb, dsm, truth = dataset.load_split(data_dir, 'train')
    vrgb, vdsm, vtruth = dataset.load_split(data_dir, 'val')
    ndsm = np.stack([dataset.ndsm(d) for d in dsm])
    vndsm = np.stack([dataset.ndsm(d) for d in vdsm])
    report = {}
    for index, (name, (make, bands, output)) in enumerate(nets.DEMO_MODELS.items()):
        torch.manual_seed(index)
        rng = np.random.default_rng(index)
        mean, std = band_stats(rgb, ndsm, bands)

        def planes(r, n):
            chans = [n if b == 'DSM' else r[..., 'RGB'.index(b)].astype(np.float32) / 255 for b in bands]
            x = np.stack(chans, axis=1) if r.ndim == 4 else np.stack(chans)
            m = np.array(mean, np.float32).reshape(-1, 1, 1)
            s = np.array(std, np.float32).reshape(-1, 1, 1)
            return ((x - m) / s).astype(np.float32)

        net = make()
        opt = torch.optim.AdamW(net.parameters(), lr=3e-3, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps, pct_start=0.15)
        started = time.time()
        net.train()
        for step in range(steps):
            idx = rng.integers(0, len(rgb), BATCH)
            ys, xs = rng.integers(0, rgb.shape[1] - CROP + 1, 2)
            r = rgb[idx, ys:ys + CROP, xs:xs + CROP]
            n = ndsm[idx, ys:ys + CROP, xs:xs + CROP]
            x = torch.from_numpy(planes(r, n))
            y = torch.from_numpy(truth[idx, ys:ys + CROP, xs:xs + CROP].astype(np.float32)).unsqueeze(1)
            logits = net(x)
            p = torch.sigmoid(logits)
            dice = 1 - (2 * (p * y).sum() + 1) / (p.sum() + y.sum() + 1)
            loss = F.binary_cross_entropy_with_logits(logits, y) + dice
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            if step % 25 == 0 or step == steps - 1:
                print(f'{name} step {step} loss {loss.item():.4f} {time.time() - started:.0f}s', flush=True)
        net.eval()
        with torch.no_grad():
            vp = torch.cat([torch.sigmoid(net(torch.from_numpy(planes(vrgb[i:i + 8], vndsm[i:i + 8])))) for i in range(0, len(vrgb), 8)])
        val_iou = iou(vp, torch.from_numpy(vtruth).unsqueeze(1))
        print(f'{name}: validation IoU {val_iou:.3f} ({time.time() - started:.0f}s)', flush=True)
        torch.save(net.state_dict(), os.path.join(out_dir, f'{name}.pt'))
        metadata = deepmask_metadata(
            bands=bands, tile_size=TILE_SIZE, output=output, mean=mean, std=std,
            dsm=dataset.DSM_NORM if 'DSM' in bands else None, resolution_cm=75, tiles_overlap=25, seg_thresh=0.5,
        )
        exported = net if output == 'logits' else nets.WithSigmoid(net)
        export_onnx(exported, os.path.join(out_dir, f'{name}.onnx'), channels=len(bands), tile_size=TILE_SIZE, metadata=metadata)
        report[name] = {'validation_iou': round(val_iou, 4), 'seconds': round(time.time() - started), 'steps': steps,
                        'parameters': sum(p.numel() for p in net.parameters())}
    json.dump(report, open(os.path.join(out_dir, 'training.json'), 'w'), indent=2)


if __name__ == '__main__':
    main()
