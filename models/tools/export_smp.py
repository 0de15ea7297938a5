#!/usr/bin/env python3
"""Turn a segmentation_models_pytorch (SMP) model into an ONNX model deepmask can run, metadata included, and check it.

Needs torch, onnx and segmentation_models_pytorch (pip install segmentation-models-pytorch onnx; Debian:
apt install python3-torch python3-onnx, SMP from pip or a source checkout on PYTHONPATH).

Accepts, with --checkpoint:
  - a whole pickled model (torch.save(model, path)), also inside a dict under 'model' or 'net';
  - a state dict (torch.save(model.state_dict(), path)), or a checkpoint holding one under 'state_dict'
    (PyTorch Lightning) or 'model_state_dict'; prefixes such as Lightning's 'model.', 'net.' or DataParallel's
    'module.' are found and removed. Give --arch and --encoder (and --model-args for non-default constructor
    arguments); input channels, classes and an aux head are read from the weights;
  - a folder written by model.save_pretrained() (SMP >= 0.4), loaded with smp.from_pretrained().

What it reads from the model: the input channels (the first convolution), the classes (the segmentation head's
output channels), the activation (none, sigmoid, softmax, logsoftmax) and an aux classification head. --bands,
--classes and --in-channels are checked against them (and inferred when absent). After exporting it runs the ONNX
(onnxruntime for Python, else deepmask's onnxruntime-node) against PyTorch on a random batch, prints the largest
difference and fails, writing nothing, above --tolerance.

Example (a Unet-resnet34 trained on RGB + DSM, 1 class, logits out as SMP's default activation=None):
  python3 models/tools/export_smp.py --checkpoint best.ckpt --arch Unet --encoder resnet34 \\
      --bands R,G,B,DSM --dsm '{"mode":"ndsm","scale":0.1,"clip":[0,30]}' \\
      --tile-size 512 --class-name building --out buildings.onnx
Then: deepmask infer --models buildings.onnx --input tiles/rgb --dsm tiles/dsm --out masks
"""
import argparse
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, OrderedDict
from collections.abc import Mapping

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'recipe'))
from onnx_export import deepmask_metadata, export_onnx  # noqa: E402

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]
BANDS = ('R', 'G', 'B', 'DSM')
TOLERANCE = 1e-3
# Top-level modules of an SMP SegmentationModel: how a state dict's keys start once any prefix is removed.
SMP_ROOTS = ('encoder', 'decoder', 'segmentation_head', 'classification_head')
# How people write architecture names, beyond SMP's own spelling (matched after normalise_arch).
ARCH_ALIASES = {
    'deeplabv3p': 'deeplabv3plus', 'deeplabv3pp': 'deeplabv3plus', 'deeplabplus': 'deeplabv3plus',
    'unetpp': 'unetplusplus', 'nestedunet': 'unetplusplus', 'unet2plus': 'unetplusplus',
    'featurepyramidnetwork': 'fpn', 'pyramidattentionnetwork': 'pan', 'pspnetwork': 'pspnet',
    'multiscaleattentionnet': 'manet', 'upernetwork': 'upernet',
}


class ExportError(Exception):
    """A problem the user can fix; main() prints it and exits with status 2."""


def note(message: str) -> None:
    print(f'note: {message}', file=sys.stderr)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog='See models/README.md, "segmentation_models_pytorch".')
    p.add_argument('--checkpoint', required=True, help='a .pth/.pt/.ckpt file or a save_pretrained() folder')
    p.add_argument('--out', required=True, help='the .onnx file to write')
    p.add_argument('--arch', help='SMP architecture for state dicts: Unet, UnetPlusPlus (unet++), FPN, DeepLabV3Plus '
                                  '(DeepLabV3+), Linknet, PSPNet, PAN, MAnet, UPerNet, Segformer, ...')
    p.add_argument('--encoder', help='SMP encoder name for state dicts, e.g. resnet34, efficientnet-b0, tu-semnasnet_100')
    p.add_argument('--model-args', default='{}',
                   help='more SMP constructor arguments for state dicts, as JSON, e.g. '
                        '\'{"decoder_attention_type":"scse"}\' or \'{"encoder_depth":4,"decoder_channels":[128,64,32,16]}\'')
    p.add_argument('--in-channels', type=int, help='input channels; checked against the model (default: read from it)')
    p.add_argument('--classes', type=int, help='output channels; checked against the model (default: read from it)')
    p.add_argument('--strip-prefix', default=None,
                   help="remove this prefix from state-dict keys (default: found by itself, e.g. Lightning's 'model.')")
    p.add_argument('--bands', help='input channel order: R,G,B or R,G,B,DSM (default: R,G,B for a 3-channel model)')
    p.add_argument('--tile-size', type=int, default=512, help='square input size in pixels (a multiple of 32)')
    p.add_argument('--mean', help='per-band means after /255, comma-separated (default ImageNet for R,G,B and 0 for DSM)')
    p.add_argument('--std', help='per-band standard deviations (default ImageNet for R,G,B and 1 for DSM)')
    p.add_argument('--dsm', help='deepmask_dsm JSON, required with a DSM band, e.g. {"mode":"ndsm","scale":0.1,"clip":[0,30]}')
    p.add_argument('--class-name', help='binary models: the name of class 1 (class 0 is background); default building')
    p.add_argument('--class-names',
                   help='every class name in channel order, comma-separated or a JSON list/object, e.g. '
                        'background,building,road,tree (a 1-channel model has two: background and its class)')
    p.add_argument('--threshold', type=float, default=0.5,
                   help='seg_thresh: the probability threshold (multi-class: the minimum winning probability)')
    p.add_argument('--overlap', type=float, default=25, help='tiles_overlap in percent for sliding windows')
    p.add_argument('--resolution-cm', type=float, help='cm per pixel the model was trained at')
    p.add_argument('--bake-activation', '--bake-sigmoid', dest='bake', action='store_true',
                   help='put the activation in the graph (sigmoid for 1 channel, softmax over the channels otherwise): '
                        'probabilities out instead of logits; nothing is added to a model that has its own')
    p.add_argument('--drop-activation', action='store_true',
                   help="remove the model's own activation (export logits): for activations deepmask cannot read, "
                        'such as a per-channel sigmoid on a multi-class model')
    p.add_argument('--output', choices=('auto', 'logits', 'probabilities'), default='auto',
                   help='what the model returns, for models whose head export_smp cannot read (default: auto)')
    p.add_argument('--tolerance', type=float, default=TOLERANCE,
                   help=f'largest accepted difference between ONNX and PyTorch probabilities (default {TOLERANCE:g})')
    p.add_argument('--no-check', action='store_true', help='skip running the ONNX against PyTorch')
    return p.parse_args(argv)


# ---------------------------------------------------------------------------------------------------------------------
# Loading


def import_smp():
    try:
        import segmentation_models_pytorch as smp
    except ImportError as error:
        raise ExportError(f'cannot import segmentation_models_pytorch ({error}). Install it: '
                          'pip install segmentation-models-pytorch (or put a source checkout on PYTHONPATH).')
    return smp


def torch_load(path: str):
    """torch.load that also reads pickled models and Lightning checkpoints: torch >= 2.6 defaults to weights_only=True,
    which refuses them. The file is the user's own, so it is trusted like any Python they run."""
    kwargs = {'map_location': 'cpu'}
    if 'weights_only' in inspect.signature(torch.load).parameters:  # torch >= 1.13
        kwargs['weights_only'] = False
    try:
        return torch.load(path, **kwargs)
    except FileNotFoundError:
        raise ExportError(f'{path}: no such file')
    except (ModuleNotFoundError, AttributeError) as error:
        raise ExportError(f'{path}: a pickled object needs code that is not importable here ({error}). Run export_smp.py '
                          'where the training code and segmentation_models_pytorch import, or save a state dict '
                          '(torch.save(model.state_dict(), path)) and give --arch and --encoder.')
    except Exception as error:  # noqa: BLE001 - pickle and zip errors have many types
        raise ExportError(f'{path}: torch.load cannot read it ({type(error).__name__}: {error}). Is it a PyTorch file?')


def is_state_dict(value) -> bool:
    return (isinstance(value, Mapping) and len(value) > 0 and all(isinstance(k, str) for k in value)
            and any(torch.is_tensor(v) for v in value.values()))


def unwrap_checkpoint(loaded, path: str):
    """('module', nn.Module, how) or ('state', state dict, how)."""
    if isinstance(loaded, torch.nn.Module):
        return 'module', loaded, 'a pickled model'
    if isinstance(loaded, Mapping):
        lightning = 'pytorch-lightning_version' in loaded or ('epoch' in loaded and 'state_dict' in loaded)
        for key in ('state_dict', 'model_state_dict', 'model', 'net', 'network', 'state', 'weights', 'params'):
            value = loaded.get(key)
            if isinstance(value, torch.nn.Module):
                return 'module', value, f"a pickled model under '{key}'"
            if is_state_dict(value):
                kind = 'a PyTorch Lightning checkpoint' if lightning and key == 'state_dict' else 'a checkpoint'
                return 'state', value, f"{kind} (its '{key}')"
        if is_state_dict(loaded):
            return 'state', loaded, 'a state dict'
        keys = ', '.join(repr(k) for k in list(loaded)[:8])
        raise ExportError(f'{path}: a dict with keys {keys}, but no model or state dict in it. Save the model '
                          "(torch.save(model, path)), its state_dict(), or a checkpoint with a 'state_dict'.")
    raise ExportError(f'{path}: holds a {type(loaded).__name__}, not a model or a state dict.')


def find_prefix(keys, explicit):
    """The prefix in front of the SMP module names (Lightning 'model.', 'net.', DataParallel 'module.'), or ''."""
    if explicit is not None:
        if explicit and not any(k.startswith(explicit) for k in keys):
            found = find_prefix(keys, None)
            raise ExportError(f'--strip-prefix {explicit!r}: no key starts with it (the keys start like {keys[0]!r}'
                              + (f'; the prefix found is {found!r}' if found else '') + '). Leave --strip-prefix out.')
        return explicit
    if any(k.split('.', 1)[0] in SMP_ROOTS for k in keys):
        return ''
    for root in ('segmentation_head', 'encoder'):
        prefixes = Counter(k[:k.index(f'.{root}.') + 1] for k in keys if f'.{root}.' in k)
        if len(prefixes) == 1:
            return next(iter(prefixes))
        if len(prefixes) > 1:
            listed = ', '.join(f'{p!r} ({n} keys)' for p, n in prefixes.most_common())
            raise ExportError(f'the state dict holds more than one model ({listed}): say which with --strip-prefix, '
                              f'e.g. --strip-prefix {prefixes.most_common(1)[0][0]}')
    return ''


def normalise_arch(name: str) -> str:
    text = name.lower().replace('++', 'plusplus').replace('+', 'plus')
    return re.sub(r'[^a-z0-9]', '', text)


def arch_classes(smp) -> 'OrderedDict[str, type]':
    """SMP's architectures by their class names, as smp.create_model knows them."""
    mapping = getattr(smp, 'MODEL_ARCHITECTURES_MAPPING', None)
    classes = list(mapping.values()) if mapping else [
        getattr(smp, n) for n in ('Unet', 'UnetPlusPlus', 'MAnet', 'Linknet', 'FPN', 'PSPNet', 'DeepLabV3',
                                  'DeepLabV3Plus', 'PAN', 'UPerNet', 'Segformer') if hasattr(smp, n)]
    return OrderedDict((c.__name__, c) for c in classes)


def resolve_arch(smp, name: str):
    known = arch_classes(smp)
    wanted = normalise_arch(name)
    wanted = ARCH_ALIASES.get(wanted, wanted)
    for cls_name, cls in known.items():
        if normalise_arch(cls_name) == wanted:
            return cls
    raise ExportError(f'--arch {name}: not an SMP architecture. Known: {", ".join(known)} '
                      '(any case; DeepLabV3+ and unet++ are accepted too).')


def parse_model_args(text: str) -> dict:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ExportError(f'--model-args {text}: not JSON ({error}). Example: \'{{"decoder_attention_type":"scse"}}\'')
    if not isinstance(value, dict):
        raise ExportError(f'--model-args {text}: give a JSON object of constructor arguments, e.g. '
                          '\'{"decoder_attention_type":"scse"}\'')
    for key in ('encoder_name', 'encoder_weights', 'in_channels', 'classes'):
        if key in value:
            raise ExportError(f'--model-args: {key} is set by export_smp.py (use --encoder, --in-channels, --classes)')
    return value


def weights_facts(state) -> dict:
    """What a state dict (prefix removed) says: input channels, classes, aux classes."""
    facts = {}
    for key, value in state.items():
        if key.startswith('encoder.') and torch.is_tensor(value) and value.dim() == 4:
            facts['in_channels'], facts['in_key'] = int(value.shape[1]), key
            break
    head = [(k, v) for k, v in state.items() if k.startswith('segmentation_head.') and torch.is_tensor(v) and v.dim() == 4]
    if head:
        key, value = head[-1]
        facts['classes'], facts['head_key'] = int(value.shape[0]), key
    aux = [(k, v) for k, v in state.items() if k.startswith('classification_head.') and torch.is_tensor(v) and v.dim() == 2]
    if aux:
        facts['aux_classes'] = int(aux[-1][1].shape[0])
    return facts


def group_keys(keys, depth=2) -> str:
    groups = Counter('.'.join(k.split('.')[:depth]) for k in keys)
    shown = [f'{g}.* ({n})' for g, n in groups.most_common(6)]
    more = len(groups) - len(shown)
    return ', '.join(shown) + (f' and {more} more groups' if more > 0 else '')


def compare_state(model_state, state):
    missing = [k for k in model_state if k not in state]
    unexpected = [k for k in state if k not in model_state]
    shapes = [(k, tuple(state[k].shape), tuple(model_state[k].shape)) for k in model_state
              if k in state and torch.is_tensor(state[k]) and tuple(state[k].shape) != tuple(model_state[k].shape)]
    return missing, unexpected, shapes


def matches(model_state, state, root: str) -> bool:
    mine = {k: tuple(v.shape) for k, v in model_state.items() if k.startswith(root)}
    theirs = {k: tuple(v.shape) for k, v in state.items() if k.startswith(root) and torch.is_tensor(v)}
    return bool(mine) and mine == theirs


def guess_encoders(smp, state, encoder, in_channels, depth, budget_s=60.0):
    """SMP encoders of the same family as --encoder whose weights have the checkpoint's keys and shapes."""
    registry = getattr(getattr(smp, 'encoders', None), 'encoders', None)
    get_encoder = getattr(getattr(smp, 'encoders', None), 'get_encoder', None)
    if not registry or not get_encoder:
        return []
    family = re.match(r'[a-z_\-]*?(?=\d|$)', encoder).group(0).rstrip('-_') or encoder
    candidates = [n for n in registry if n != encoder and n.startswith(family)][:40]
    theirs = {k[len('encoder.'):]: tuple(v.shape) for k, v in state.items() if k.startswith('encoder.') and torch.is_tensor(v)}
    found, start = [], time.monotonic()
    for name in candidates:
        if time.monotonic() - start > budget_s:
            break
        try:
            built = get_encoder(name, in_channels=in_channels, depth=depth, weights=None)
        except Exception:  # noqa: BLE001 - some encoders need optional packages
            continue
        if {k: tuple(v.shape) for k, v in built.state_dict().items()} == theirs:
            found.append(name)
    return found


def guess_archs(smp, state, kwargs, budget_s=30.0):
    """SMP architectures whose decoder and head have the checkpoint's keys and shapes (with the same encoder)."""
    found, start = [], time.monotonic()
    for name, cls in arch_classes(smp).items():
        if time.monotonic() - start > budget_s:
            break
        try:
            built = cls(**kwargs).state_dict()
        except Exception:  # noqa: BLE001 - not every architecture takes every argument
            continue
        if matches(built, state, 'decoder.') and matches(built, state, 'segmentation_head.'):
            found.append(name)
    return found


def explain_mismatch(smp, cls, kwargs, model_state, state, how):
    missing, unexpected, shapes = compare_state(model_state, state)
    lines = [f'the weights in {how} do not fit {cls.__name__}(encoder_name={kwargs["encoder_name"]!r}'
             + ''.join(f', {k}={v!r}' for k, v in kwargs.items() if k not in ('encoder_name', 'encoder_weights'))
             + '):']
    if missing:
        lines.append(f'  {len(missing)} keys the model has are missing from the checkpoint: {group_keys(missing)}')
    if unexpected:
        lines.append(f'  {len(unexpected)} keys of the checkpoint are not in the model: {group_keys(unexpected)}')
    if shapes:
        shown = '; '.join(f'{k} {a} in the checkpoint, {b} in the model' for k, a, b in shapes[:3])
        lines.append(f'  {len(shapes)} weights differ in shape: {shown}' + (' ...' if len(shapes) > 3 else ''))
    tries = []
    wrong = missing + unexpected + [k for k, _, _ in shapes]
    attention = [k for k in unexpected if re.search(r'attention|cSE|sSE', k)]
    if attention and not kwargs.get('decoder_attention_type'):
        tries.append('the checkpoint has decoder attention blocks: add --model-args \'{"decoder_attention_type":"scse"}\'')
    elif any(re.search(r'attention|cSE|sSE', k) for k in missing) and kwargs.get('decoder_attention_type'):
        tries.append('the checkpoint has no decoder attention blocks: drop decoder_attention_type from --model-args')
    if missing and all(k.startswith('classification_head.') for k in missing):
        tries.append('the checkpoint has no aux classification head: drop aux_params from --model-args')
    if any(k.startswith('encoder.') for k in wrong):
        guesses = guess_encoders(smp, state, kwargs['encoder_name'], kwargs['in_channels'], kwargs.get('encoder_depth', 5))
        if guesses:
            tries.append(f'the encoder weights fit {", ".join(guesses)}: try --encoder {guesses[0]}')
        else:
            tries.append(f'the encoder is not {kwargs["encoder_name"]}: try the --encoder it was trained with '
                         '(or encoder_depth / encoder_output_stride in --model-args)')
    if any(k.startswith(('decoder.', 'segmentation_head.')) for k in wrong) and not attention:
        guesses = [g for g in guess_archs(smp, state, kwargs) if g != cls.__name__]
        if guesses:
            tries.append(f'the decoder fits {", ".join(guesses)}: try --arch {guesses[0]}')
        else:
            tries.append('the decoder differs: check --arch and decoder arguments in --model-args '
                         '(decoder_channels, decoder_attention_type, encoder_depth, upsampling, ...)')
    lines += [f'  try: {t}' for t in tries]
    return ExportError('\n'.join(lines))


def build_from_state(smp, state, how, args):
    keys = list(state)
    prefix = find_prefix(keys, args.strip_prefix)
    if prefix:
        dropped = [k for k in keys if not k.startswith(prefix)]
        state = OrderedDict((k[len(prefix):], v) for k, v in state.items() if k.startswith(prefix))
        note(f"removed the prefix {prefix!r} from the state dict's keys"
             + (f' and left out {len(dropped)} keys outside it ({group_keys(dropped, 1)})' if dropped else ''))
    state = OrderedDict((k, v) for k, v in state.items() if torch.is_tensor(v))
    if not (args.arch and args.encoder):
        raise ExportError(f'{args.checkpoint} holds {how}: give --arch and --encoder to rebuild the model '
                          '(e.g. --arch Unet --encoder resnet34), and --model-args for non-default constructor arguments')
    cls = resolve_arch(smp, args.arch)
    model_args = parse_model_args(args.model_args)
    facts = weights_facts(state)
    in_channels = facts.get('in_channels') or args.in_channels or 3
    classes = facts.get('classes') or args.classes or 1
    if args.in_channels and facts.get('in_channels') and args.in_channels != facts['in_channels']:
        raise ExportError(f'--in-channels {args.in_channels}, but the checkpoint\'s first convolution '
                          f'({facts["in_key"]}) takes {facts["in_channels"]} channels. Leave --in-channels out.')
    if args.classes and facts.get('classes') and args.classes != facts['classes']:
        raise ExportError(f'--classes {args.classes}, but the checkpoint\'s segmentation head ({facts["head_key"]}) '
                          f'has {facts["classes"]} output channels. Leave --classes out, or give --classes {facts["classes"]}.')
    if 'aux_classes' in facts and 'aux_params' not in model_args:
        state = OrderedDict((k, v) for k, v in state.items() if not k.startswith('classification_head.'))
        note(f'the checkpoint has an aux classification head ({facts["aux_classes"]} labels): exporting the mask output only')
    kwargs = dict(encoder_name=args.encoder, encoder_weights=None, in_channels=in_channels, classes=classes, **model_args)
    try:
        model = cls(**kwargs)
    except Exception as error:  # noqa: BLE001 - SMP raises KeyError, ValueError, TypeError for bad arguments
        raise ExportError(f'cannot build {cls.__name__} with encoder {args.encoder!r} and {model_args or "no more arguments"}: '
                          f'{type(error).__name__}: {error}')
    model_state = model.state_dict()
    missing, unexpected, shapes = compare_state(model_state, state)
    if missing or unexpected or shapes:
        raise explain_mismatch(smp, cls, kwargs, model_state, state, how)
    model.load_state_dict(state)
    return model


def load_model(args):
    """The model and a sentence saying what the checkpoint was."""
    if os.path.isdir(args.checkpoint):
        smp = import_smp()
        try:
            return smp.from_pretrained(args.checkpoint), 'a save_pretrained() folder'
        except Exception as error:  # noqa: BLE001
            raise ExportError(f'{args.checkpoint}: smp.from_pretrained cannot load the folder ({type(error).__name__}: {error})')
    loaded = torch_load(args.checkpoint)
    kind, value, how = unwrap_checkpoint(loaded, args.checkpoint)
    if kind == 'module':
        if args.arch or args.encoder or args.model_args != '{}':
            note(f'{args.checkpoint} holds {how}: --arch, --encoder and --model-args are not needed and not used')
        return value, how
    return build_from_state(import_smp(), value, how, args), how


# ---------------------------------------------------------------------------------------------------------------------
# Reading the model


def first_conv(module):
    root = getattr(module, 'encoder', None)
    root = module if root is None else root
    for name, sub in root.named_modules():
        if isinstance(sub, torch.nn.Conv2d):
            return (f'encoder.{name}' if root is not module else name), sub
    return None, None


def head_parts(model):
    """(segmentation head conv name, conv, activation module, activation setter) of an SMP-style model, or Nones."""
    head = getattr(model, 'segmentation_head', None)
    if head is None:
        return None, None, None, None
    convs = [(n, m) for n, m in head.named_modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d))]
    name, conv = convs[-1] if convs else (None, None)
    activation, setter = None, None
    if isinstance(head, torch.nn.Sequential) and len(head) > 0:
        last = head[-1]
        if hasattr(last, 'activation') and isinstance(last.activation, torch.nn.Module):  # SMP's Activation wrapper
            activation = last.activation
            setter = lambda: setattr(last, 'activation', torch.nn.Identity())  # noqa: E731
        elif not isinstance(last, (torch.nn.Conv2d, torch.nn.ConvTranspose2d, torch.nn.Upsample,
                                   torch.nn.UpsamplingBilinear2d, torch.nn.Dropout, torch.nn.Dropout2d)):
            activation = last
            index = len(head) - 1
            setter = lambda: head.__setitem__(index, torch.nn.Identity())  # noqa: E731
        else:
            activation = torch.nn.Identity()
    return (f'segmentation_head.{name}' if name else None), conv, activation, setter


def activation_kind(module) -> str:
    if module is None:
        return 'unknown'
    if isinstance(module, torch.nn.Identity):
        return 'none'
    if isinstance(module, torch.nn.Sigmoid):
        return 'sigmoid'
    if isinstance(module, (torch.nn.Softmax, torch.nn.Softmax2d)):
        return 'softmax' if getattr(module, 'dim', 1) in (1, -3, None) else 'other'
    if isinstance(module, torch.nn.LogSoftmax):
        return 'logsoftmax' if module.dim in (1, -3, None) else 'other'
    return 'other'


def describe_activation(module) -> str:
    if isinstance(module, (torch.nn.Softmax, torch.nn.LogSoftmax)):
        return f'{type(module).__name__}(dim={module.dim})'
    return type(module).__name__


class MaskOutput(torch.nn.Module):
    """The model's mask output only (SMP aux_params models return (masks, labels); some nets a dict), with the
    activation baked in when asked: sigmoid for one channel, softmax over the channels otherwise."""

    def __init__(self, net: torch.nn.Module, bake: str = ''):
        super().__init__()
        self.net = net
        self.bake = bake

    def forward(self, x):
        y = self.net(x)
        if isinstance(y, Mapping):
            y = y['out'] if 'out' in y else next(iter(y.values()))
        elif isinstance(y, (tuple, list)):
            y = y[0]
        if self.bake == 'sigmoid':
            return torch.sigmoid(y)
        if self.bake == 'softmax':
            return torch.softmax(y, dim=1)
        return y


def parse_bands(text: str):
    bands = [b.strip().upper() for b in text.split(',') if b.strip()]
    if not bands or any(b not in BANDS for b in bands) or len(set(bands)) != len(bands):
        raise ExportError(f'--bands {text}: give the input channels in order, each once, from R, G, B and DSM '
                          '(e.g. R,G,B or R,G,B,DSM)')
    return bands


def parse_class_names(text: str):
    text = text.strip()
    if text.startswith(('[', '{')):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            raise ExportError(f'--class-names {text}: not JSON ({error})')
        if isinstance(value, dict):
            try:
                ordered = sorted(((int(k), str(v)) for k, v in value.items()))
            except ValueError:
                raise ExportError(f'--class-names {text}: the keys must be class ids 0, 1, ...')
            if [i for i, _ in ordered] != list(range(len(ordered))):
                raise ExportError(f'--class-names {text}: class ids must be 0, 1, ... without gaps')
            return [v for _, v in ordered]
        if isinstance(value, list):
            return [str(v) for v in value]
        raise ExportError(f'--class-names {text}: give a list or an object of names')
    return [n.strip() for n in text.split(',')]


def decide_output(kind, activation, channels, args):
    """(deepmask_output, what to bake) from the model's own activation, the channels and the flags."""
    name = describe_activation(activation) if activation is not None else '?'
    if args.output != 'auto' and kind not in ('unknown',):
        if (args.output == 'probabilities') != (kind in ('sigmoid', 'softmax')):
            raise ExportError(f'--output {args.output}, but the model ends in {name}'
                              f' ({"probabilities" if kind in ("sigmoid", "softmax") else "not probabilities"}). '
                              'Leave --output out: it is read from the model.')
    if kind == 'unknown':
        if args.output == 'probabilities':
            if args.bake:
                raise ExportError('--bake-activation with --output probabilities: the model already gives probabilities')
            return 'probabilities', ''
        if args.output == 'auto':
            note('the model has no SMP segmentation head, so its activation is unknown: taking its output as logits '
                 '(SMP\'s default). If it ends in a sigmoid or softmax, give --output probabilities.')
        kind = 'none'
    if kind == 'none':
        if args.bake:
            return 'probabilities', 'sigmoid' if channels == 1 else 'softmax'
        return 'logits', ''
    fix = ('Fix: --drop-activation exports the logits before it (deepmask applies sigmoid to one channel and softmax '
           'over several), or rebuild the model with activation=None.')
    if kind == 'sigmoid':
        if channels == 1:
            if args.bake:
                note('the model ends in a sigmoid already: nothing baked (probabilities out)')
            return 'probabilities', ''
        raise ExportError(f'the model ends in a per-channel sigmoid over {channels} channels (multi-label), but '
                          f'deepmask reads {channels} channels as one softmax over classes. {fix} '
                          'The argmax stays the same; the probabilities become a softmax.')
    if kind == 'softmax':
        if channels == 1:
            raise ExportError(f'the model ends in {name} over one channel, which is always 1: every pixel would be '
                              f'foreground. {fix}')
        if args.bake:
            note(f'the model ends in {name} already: nothing baked (probabilities out)')
        return 'probabilities', ''
    if kind == 'logsoftmax':
        if channels == 1:
            raise ExportError(f'the model ends in {name} over one channel, which is always 0. {fix}')
        # softmax(log_softmax(z)) == softmax(z): log-probabilities are logits to deepmask.
        if args.bake:
            return 'probabilities', 'softmax'
        return 'logits', ''
    raise ExportError(f'the model ends in {name}, which gives neither logits nor probabilities deepmask can read '
                      f'(sigmoid, softmax over the channels). {fix}')


# ---------------------------------------------------------------------------------------------------------------------
# Checking the ONNX against PyTorch

NODE_RUNNER = r"""
const {createRequire} = require('node:module');
const fs = require('node:fs');
const [root, model, input, shape, output] = process.argv.slice(1);
const ort = createRequire(root + '/package.json')('onnxruntime-node');
(async () => {
	const session = await ort.InferenceSession.create(model, {executionProviders: ['cpu']});
	const buffer = fs.readFileSync(input);
	const data = new Float32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 4);
	const dims = JSON.parse(shape);
	const result = await session.run({[session.inputNames[0]]: new ort.Tensor('float32', data, dims)});
	const out = result[session.outputNames[0]];
	fs.writeFileSync(output, Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength));
	const version = require(createRequire(root + '/package.json').resolve('onnxruntime-node/package.json')).version;
	console.log(JSON.stringify({outputs: session.outputNames, dims: out.dims, version}));
})().catch((error) => {
	console.error(error.message);
	process.exit(1);
});
"""


def node_package_root():
    """The nearest folder above this script whose node_modules holds onnxruntime-node (the deepmask checkout)."""
    folder = os.path.dirname(os.path.abspath(__file__))
    while True:
        if os.path.isdir(os.path.join(folder, 'node_modules', 'onnxruntime-node')):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def run_onnx(path: str, x):
    """(output as a numpy array, output names, which runtime) or raises RuntimeError saying why none could run."""
    import numpy as np

    try:
        import onnxruntime as ort
    except ImportError:
        ort = None
    if ort is not None:
        session = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
        names = [o.name for o in session.get_outputs()]
        y = session.run([names[0]], {session.get_inputs()[0].name: x})[0]
        return y, names, f'onnxruntime {ort.__version__} (Python)'
    node, root = shutil.which('node'), node_package_root()
    if not node or not root:
        raise RuntimeError('neither onnxruntime for Python nor node with deepmask\'s onnxruntime-node is here '
                           '(pip install onnxruntime, or run export_smp.py inside a deepmask checkout after npm ci)')
    with tempfile.TemporaryDirectory() as tmp:
        source, target = os.path.join(tmp, 'x.bin'), os.path.join(tmp, 'y.bin')
        np.ascontiguousarray(x, dtype='<f4').tofile(source)
        done = subprocess.run([node, '-e', NODE_RUNNER, root, os.path.abspath(path), source, json.dumps(list(x.shape)),
                               target], capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f'onnxruntime-node could not run the model: {done.stderr.strip() or done.stdout.strip()}')
        info = json.loads(done.stdout.strip().splitlines()[-1])
        y = np.fromfile(target, dtype='<f4').reshape(info['dims'])
    return y, info['outputs'], f'onnxruntime-node {info["version"]} (deepmask\'s, through node)'


def as_probabilities(y, output: str):
    if output == 'probabilities':
        return y
    return torch.sigmoid(y) if y.shape[1] == 1 else torch.softmax(y, dim=1)


def check_onnx(path, net, channels, tile_size, output, classes, tolerance, batch=2):
    """Run the ONNX and PyTorch on one random batch; returns a line to print, raises ExportError above tolerance."""
    torch.manual_seed(0)
    x = torch.randn(batch, channels, tile_size, tile_size)
    with torch.no_grad():
        expected = net(x)
    try:
        got, names, runtime = run_onnx(path, x.numpy())
    except RuntimeError as error:
        return None, f'not checked against PyTorch: {error}'
    if len(names) != 1:
        raise ExportError(f'the ONNX has {len(names)} outputs ({", ".join(names)}), deepmask reads one (the mask)')
    got = torch.from_numpy(got.copy())
    if tuple(got.shape) != tuple(expected.shape):
        raise ExportError(f'the ONNX output is {tuple(got.shape)} where PyTorch gives {tuple(expected.shape)}')
    if got.shape[1] != classes:
        raise ExportError(f'the ONNX output has {got.shape[1]} channels, expected {classes}')
    raw = float((got - expected).abs().max())
    prob = float((as_probabilities(got, output) - as_probabilities(expected, output)).abs().max())
    finite = bool(torch.isfinite(got).all())
    line = (f'checked with {runtime} on a random {batch}×{channels}×{tile_size}×{tile_size} batch: largest difference '
            f'{prob:.2e} in probabilities' + (f' ({raw:.2e} in logits)' if output == 'logits' else ''))
    if not finite or not prob <= tolerance:
        raise ExportError(f'{line}: above the tolerance {tolerance:g}' + ('' if finite else ' (the ONNX gives NaN or inf)')
                          + '. The ONNX does not compute what PyTorch does; nothing was written. Try another opset '
                          'or PyTorch version, or report the model.')
    return prob, line


# ---------------------------------------------------------------------------------------------------------------------


def export(args):
    if args.tile_size <= 0:
        raise ExportError(f'--tile-size {args.tile_size}: give a positive size in pixels')
    model, how = load_model(args)
    model = model.eval()

    # Input channels: the first convolution, checked against --in-channels and --bands.
    conv_name, conv = first_conv(model)
    channels = conv.in_channels if conv is not None else None
    where = f'its first convolution ({conv_name})'
    if channels is None:
        channels = args.in_channels or (len(parse_bands(args.bands)) if args.bands else None)
        if channels is None:
            raise ExportError('the model has no Conv2d to read its input channels from: give --bands')
        where = '--in-channels/--bands'
    if args.in_channels and args.in_channels != channels:
        raise ExportError(f'--in-channels {args.in_channels}, but {where} takes {channels} channels. '
                          'Leave --in-channels out: it is read from the model.')
    if args.bands:
        bands = parse_bands(args.bands)
        if len(bands) != channels:
            example = 'R,G,B,DSM --dsm \'{"mode":"ndsm","scale":0.1,"clip":[0,30]}\'' if channels == 4 else 'R,G,B'
            raise ExportError(f'--bands {args.bands} has {len(bands)} bands, but the model takes {channels} input '
                              f'channels ({where}). Give --bands with {channels} bands, e.g. --bands {example}.')
    elif channels == 3:
        bands = ['R', 'G', 'B']
    else:
        raise ExportError(f'the model takes {channels} input channels ({where}): say what they are with --bands, '
                          + ('e.g. --bands R,G,B,DSM --dsm \'{"mode":"ndsm","scale":0.1,"clip":[0,30]}\' (the DSM '
                             'normalisation you trained with)' if channels == 4 else
                             'from R, G, B and DSM (deepmask reads no other bands)'))
    if 'DSM' in bands and not args.dsm:
        raise ExportError('a DSM band needs --dsm with its normalisation, e.g. {"mode":"ndsm","scale":0.1,"clip":[0,30]}')
    dsm = None
    if args.dsm:
        try:
            dsm = json.loads(args.dsm)
        except json.JSONDecodeError as error:
            raise ExportError(f'--dsm {args.dsm}: not JSON ({error})')
        if 'DSM' not in bands:
            raise ExportError(f'--dsm given, but the bands {",".join(bands)} have no DSM: add DSM to --bands or drop --dsm')

    # Classes: the segmentation head's output channels, checked against --classes.
    head_name, head_conv, activation, drop = head_parts(model)
    classes = head_conv.out_channels if head_conv is not None else None
    if classes is not None and args.classes and args.classes != classes:
        raise ExportError(f'--classes {args.classes}, but the segmentation head ({head_name}) has {classes} output '
                          f'channels. Leave --classes out (it is read from the model) or export the model you meant.')
    if args.drop_activation:
        if drop is None:
            raise ExportError('--drop-activation: the model has no SMP segmentation head activation to remove')
        if activation_kind(activation) != 'none':
            note(f'removed the model\'s activation ({describe_activation(activation)}): exporting logits')
        drop()
        activation = torch.nn.Identity()
    kind = activation_kind(activation)
    aux = getattr(model, 'classification_head', None) is not None
    if aux:
        note('the model has an aux classification head (aux_params): exporting the mask output only')

    stride = getattr(getattr(model, 'encoder', None), 'output_stride', 32)
    if not isinstance(stride, int) or stride <= 0:
        stride = 32
    if args.tile_size % stride:
        raise ExportError(f'--tile-size {args.tile_size}: the encoder needs a multiple of {stride} '
                          f'(e.g. {max(stride, args.tile_size // stride * stride)})')

    encoder = getattr(model, 'encoder', None)
    if hasattr(encoder, 'set_swish'):
        # lukemelas efficientnet encoders: the memory-efficient swish does not export.
        encoder.set_swish(memory_efficient=False)

    # One dry run at a small size: the real output channels, for models without a readable head.
    with torch.no_grad():
        probe = MaskOutput(model)(torch.zeros(1, channels, stride * 2, stride * 2))
    if probe.dim() != 4:
        raise ExportError(f'the model returns a {probe.dim()}-D mask {tuple(probe.shape)}: deepmask reads N×C×H×W')
    if classes is None:
        classes = int(probe.shape[1])
        if args.classes and args.classes != classes:
            raise ExportError(f'--classes {args.classes}, but the model returns {classes} channels')
    elif classes != probe.shape[1]:
        raise ExportError(f'the segmentation head has {classes} channels but the model returns {probe.shape[1]}')

    output, bake = decide_output(kind, activation, classes, args)

    # Class names: two for a 1-channel model (background and its class), one per channel otherwise.
    wanted = 2 if classes == 1 else classes
    if args.class_names:
        names = parse_class_names(args.class_names)
        if len(names) != wanted:
            raise ExportError(f'--class-names has {len(names)} names, but the model has {classes} output channel'
                              f'{"s" if classes > 1 else ""}, so {wanted} classes'
                              + (' (background and its class)' if classes == 1 else '') + '. Give one name per class.')
        if args.class_name and args.class_name != names[1]:
            raise ExportError(f'--class-name {args.class_name} contradicts --class-names (class 1 is {names[1]}): give one')
    elif wanted == 2:
        names = ['background', args.class_name or 'building']
    else:
        if args.class_name:
            raise ExportError(f'--class-name names one class, but the model has {classes}: give --class-names with {classes} names')
        names = ['background'] + [f'class_{i}' for i in range(1, classes)]
        note(f'the model has {classes} classes: named {",".join(names)}; give --class-names to name them')
    if len(set(names)) != len(names) or any(not n for n in names):
        raise ExportError(f'class names must be distinct and not empty: {names}')

    default_mean = [IMAGENET_MEAN['RGB'.index(b)] if b != 'DSM' else 0.0 for b in bands]
    default_std = [IMAGENET_STD['RGB'.index(b)] if b != 'DSM' else 1.0 for b in bands]
    try:
        mean = [float(v) for v in args.mean.split(',')] if args.mean else default_mean
        std = [float(v) for v in args.std.split(',')] if args.std else default_std
    except ValueError as error:
        raise ExportError(f'--mean/--std: {error}')
    if len(mean) != len(bands) or len(std) != len(bands):
        raise ExportError(f'--mean and --std need one value per band ({",".join(bands)}): got {len(mean)} and {len(std)}')

    net = MaskOutput(model, bake).eval()
    metadata = deepmask_metadata(
        bands=bands, tile_size=args.tile_size, output=output, mean=mean, std=std, dsm=dsm,
        resolution_cm=args.resolution_cm, tiles_overlap=args.overlap, seg_thresh=args.threshold,
        class_names={str(i): n for i, n in enumerate(names)},
    )
    out = os.path.abspath(args.out)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    fd, part = tempfile.mkstemp(prefix=os.path.basename(out) + '.', suffix='.part', dir=os.path.dirname(out))
    os.close(fd)
    try:
        export_onnx(net, part, channels=channels, tile_size=args.tile_size, metadata=metadata)
        check = 'not checked against PyTorch (--no-check)'
        if not args.no_check:
            _, check = check_onnx(part, net, channels, args.tile_size, output, classes, args.tolerance)
        os.replace(part, out)
    finally:
        if os.path.exists(part):
            os.remove(part)
    activation_text = {'none': 'none', 'unknown': 'unknown'}.get(kind, describe_activation(activation))
    print(f'read from the model ({how}): {channels} input channels, {classes} output channel{"s" if classes > 1 else ""}, '
          f'activation {activation_text}' + (', aux head (left out)' if aux else '')
          + (f', baked {bake}' if bake else ''))
    print(check)
    print(f'wrote {args.out}: {", ".join(f"{k}={json.dumps(v)}" for k, v in metadata.items())}')
    return metadata


def main(argv=None) -> None:
    args = parse_args(argv)
    try:
        export(args)
    except ExportError as error:
        print(f'export_smp: {error}', file=sys.stderr)
        sys.exit(2)


if __name__ == '__main__':
    main()
