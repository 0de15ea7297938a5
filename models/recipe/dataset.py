"""Loading the rendered arrays and preprocessing them exactly as deepmask does (source/engine/infer/)."""
import json
import os

import numpy as np

# The DSM normalisation every demo model ships with (metadata key deepmask_dsm); see ndsm().
DSM_NORM = {'mode': 'ndsm', 'scale': 0.1, 'clip': [0, 30], 'percentile': 2}


def load_split(folder: str, split: str):
    meta = json.load(open(os.path.join(folder, f'{split}.json')))
    n, s = meta['count'], meta['size']
    rgb = np.fromfile(os.path.join(folder, f'{split}_rgb.u8'), dtype=np.uint8).reshape(n, s, s, 3)
    dsm = np.fromfile(os.path.join(folder, f'{split}_dsm.f32'), dtype='<f4').reshape(n, s, s)
    truth = np.fromfile(os.path.join(folder, f'{split}_y.u8'), dtype=np.uint8).reshape(n, s, s)
    return rgb, dsm, truth


def ndsm_ground(dsm: np.ndarray, percentile: float) -> float:
    """Same as groundLevel() in source/engine/infer/dsm.ts: rank floor(p/100 × (n − 1)) of the sorted valid samples."""
    valid = np.sort(dsm[np.isfinite(dsm)].astype(np.float32))
    if valid.size == 0:
        return 0.0
    return float(valid[int(np.floor(percentile / 100 * (valid.size - 1)))])


def ndsm(dsm: np.ndarray, norm: dict = DSM_NORM) -> np.ndarray:
    """Same as normaliseDsm() in dsm.ts: clip(dsm − ground, clip) × scale (ground = 0 for mode raw)."""
    offset = ndsm_ground(dsm, norm.get('percentile', 2)) if norm['mode'] == 'ndsm' else 0.0
    lo, hi = norm.get('clip', [-np.inf, np.inf])
    return (np.clip(dsm.astype(np.float32) - np.float32(offset), lo, hi) * np.float32(norm['scale'])).astype(np.float32)


def input_planes(rgb: np.ndarray, dsm: np.ndarray, bands: list, mean: list, std: list) -> np.ndarray:
    """C×H×W float32 as inputPlanes() in preprocess.ts: RGB / 255, DSM per DSM_NORM, then (x − mean) / std."""
    planes = []
    for c, band in enumerate(bands):
        x = ndsm(dsm) if band == 'DSM' else rgb[..., 'RGB'.index(band)].astype(np.float32) / 255
        planes.append((x - np.float32(mean[c])) / np.float32(std[c]))
    return np.stack(planes).astype(np.float32)
