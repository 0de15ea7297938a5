"""Train the land-cover demo models (background / building / road / tree) and export them to ONNX.

Usage: /usr/bin/python3 models/recipe/train_landcover.py DATA_DIR OUT_DIR [STEPS] [THREADS] [NAME…]
DATA_DIR comes from `render-dataset.ts DATA_DIR … --classes landcover`. With NAMEs only those models of
nets.LANDCOVER_MODELS are trained (so that they can train in parallel processes). Writes OUT_DIR/<name>.onnx,
OUT_DIR/<name>.pt (the state dict; not shipped), OUT_DIR/<name>.val.npy and .json (validation probabilities
and scores), and, once every model is there, OUT_DIR/training-landcover.json with each model's and
the ensemble's per-class IoU on the validation patches (the held-out `suburb` box), scored as deepmask
scores a K-class ensemble: the argmax of the (mean) softmax, background where the winning probability is
below seg_thresh.
"""
import json
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
from train import BATCH, TILE_SIZE, band_stats  # noqa: E402

# Smaller crops than the binary recipe's 128: about half the compute per step, for more steps.
CROP = 96

CLASSES = nets.LANDCOVER_CLASSES
K = len(CLASSES)
SEG_THRESH = 0.4
# Cross-entropy weights, about 1/sqrt(class frequency) of the training truth (0.64 / 0.13 / 0.16 / 0.07).
CLASS_WEIGHTS = [0.5, 1.0, 1.0, 1.5]


def per_class_iou(prob: np.ndarray, truth: np.ndarray, thresh: float) -> dict:
    """prob N×K×H×W, truth N×H×W class ids → {name: IoU}, plus the pixel accuracy."""
    pred = prob.argmax(1)
    pred[prob.max(1) < thresh] = 0
    out = {}
    for k, name in CLASSES.items():
        p, t = pred == int(k), truth == int(k)
        union = int((p | t).sum())
        out[name] = round(float((p & t).sum()) / union, 4) if union else 1.0
    out['mean_iou'] = round(float(np.mean([out[name] for name in CLASSES.values()])), 4)
    out['accuracy'] = round(float((pred == truth).mean()), 4)
    return out


def augment(x: np.ndarray, y: np.ndarray, rng) -> tuple:
    """A random rotation by a multiple of 90° and a random flip, the same for the whole batch."""
    turns = int(rng.integers(0, 4))
    x, y = np.rot90(x, turns, axes=(-2, -1)), np.rot90(y, turns, axes=(-2, -1))
    if rng.random() < 0.5:
        x, y = x[..., ::-1], y[..., ::-1]
    return np.ascontiguousarray(x), np.ascontiguousarray(y)


def main() -> None:
    data_dir, out_dir = sys.argv[1], sys.argv[2]
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 240
    torch.set_num_threads(int(sys.argv[4]) if len(sys.argv) > 4 else 2)
    names = sys.argv[5:] or list(nets.LANDCOVER_MODELS)
    unknown = [n for n in names if n not in nets.LANDCOVER_MODELS]
    if unknown:
        sys.exit(f'unknown models {unknown}: {list(nets.LANDCOVER_MODELS)}')
    os.makedirs(out_dir, exist_ok=True)
    rgb, dsm, truth = dataset.load_split(data_dir, 'train')
    vrgb, vdsm, vtruth = dataset.load_split(data_dir, 'val')
    if truth.max() >= K or vtruth.max() >= K:
        sys.exit(f'{data_dir}: the truth has class ids above {K - 1}: render it with --classes landcover')
    ndsm = np.stack([dataset.ndsm(d) for d in dsm])
    vndsm = np.stack([dataset.ndsm(d) for d in vdsm])
    weights = torch.tensor(CLASS_WEIGHTS)
    for index, (name, (make, bands, output)) in enumerate(nets.LANDCOVER_MODELS.items()):
        if name not in names:
            continue
        torch.manual_seed(100 + index)
        rng = np.random.default_rng(100 + index)
        mean, std = band_stats(rgb, ndsm, bands)
        m = np.array(mean, np.float32).reshape(-1, 1, 1)
        s = np.array(std, np.float32).reshape(-1, 1, 1)

        def planes(r, n):
            chans = [n if b == 'DSM' else r[..., 'RGB'.index(b)].astype(np.float32) / 255 for b in bands]
            return ((np.stack(chans, axis=1) - m) / s).astype(np.float32)

        net = make()
        opt = torch.optim.AdamW(net.parameters(), lr=3e-3, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps, pct_start=0.15)
        started = time.time()
        net.train()
        for step in range(steps):
            idx = rng.integers(0, len(rgb), BATCH)
            ys, xs = rng.integers(0, rgb.shape[1] - CROP + 1, 2)
            x = planes(rgb[idx, ys:ys + CROP, xs:xs + CROP], ndsm[idx, ys:ys + CROP, xs:xs + CROP])
            x, y = augment(x, truth[idx, ys:ys + CROP, xs:xs + CROP], rng)
            x, y = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))
            logits = net(x)
            p = torch.softmax(logits, 1)
            onehot = F.one_hot(y, K).permute(0, 3, 1, 2).float()
            inter, total = (p * onehot).sum((0, 2, 3)), (p + onehot).sum((0, 2, 3))
            dice = 1 - ((2 * inter + 1) / (total + 1))[1:].mean()
            loss = F.cross_entropy(logits, y, weight=weights) + dice
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            if step % 50 == 0 or step == steps - 1:
                print(f'{name} step {step} loss {loss.item():.4f} {time.time() - started:.0f}s', flush=True)
        seconds = time.time() - started
        net.eval()
        with torch.no_grad():
            vp = torch.cat([torch.softmax(net(torch.from_numpy(planes(vrgb[i:i + 8], vndsm[i:i + 8]))), 1)
                            for i in range(0, len(vrgb), 8)]).numpy()
        np.save(os.path.join(out_dir, f'{name}.val.npy'), vp.astype(np.float16))
        scores = per_class_iou(vp, vtruth, SEG_THRESH)
        print(f'{name}: validation {scores} ({seconds:.0f}s)', flush=True)
        torch.save(net.state_dict(), os.path.join(out_dir, f'{name}.pt'))
        metadata = deepmask_metadata(
            bands=bands, tile_size=TILE_SIZE, output=output, mean=mean, std=std, dsm=dataset.DSM_NORM,
            resolution_cm=75, tiles_overlap=25, seg_thresh=SEG_THRESH, class_names=CLASSES,
        )
        metadata['class_colors'] = nets.LANDCOVER_COLORS
        exported = net if output == 'logits' else nets.WithSoftmax(net)
        export_onnx(exported, os.path.join(out_dir, f'{name}.onnx'), channels=len(bands), tile_size=TILE_SIZE,
                    metadata=metadata)
        json.dump({'validation_iou': scores, 'seconds': round(seconds), 'steps': steps, 'crop': CROP,
                   'parameters': sum(p.numel() for p in net.parameters())},
                  open(os.path.join(out_dir, f'{name}.json'), 'w'))
    done = [n for n in nets.LANDCOVER_MODELS if os.path.exists(os.path.join(out_dir, f'{n}.val.npy'))]
    if len(done) < len(nets.LANDCOVER_MODELS):
        return
    report = {n: json.load(open(os.path.join(out_dir, f'{n}.json'))) for n in done}
    mean = np.mean([np.load(os.path.join(out_dir, f'{n}.val.npy')).astype(np.float32) for n in done], 0)
    report['ensemble'] = {'validation_iou': per_class_iou(mean, vtruth, SEG_THRESH)}
    print(f"ensemble: validation {report['ensemble']['validation_iou']}", flush=True)
    json.dump(report, open(os.path.join(out_dir, 'training-landcover.json'), 'w'), indent=2)


if __name__ == '__main__':
    main()
