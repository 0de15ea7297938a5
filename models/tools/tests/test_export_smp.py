"""export_smp.py against a stand-in for segmentation_models_pytorch (tests/stand_in): no SMP, no downloads.

Every silent failure of issue 14 item 3 either exports correctly or is refused with a message naming the problem.
Run: python3 -m unittest discover -s models/tools/tests -v   (needs torch and onnx; the ONNX check runs with
onnxruntime for Python or, without it, deepmask's onnxruntime-node through node).
"""
import collections
import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
import unittest
from unittest import mock

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'stand_in'))
sys.path.insert(0, os.path.dirname(HERE))

import onnx  # noqa: E402
import torch  # noqa: E402

import export_smp  # noqa: E402
import segmentation_models_pytorch as smp  # noqa: E402

assert smp.__version__.endswith('stand-in'), f'the stand-in must shadow any installed SMP: got {smp.__file__}'

TILE = '64'
DSM = '{"mode":"ndsm","scale":0.1,"clip":[0,30]}'


class ExportTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.dir = tempfile.mkdtemp(prefix='export-smp-')
        self.out = os.path.join(self.dir, 'out', 'model.onnx')

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def save(self, obj, name='model.pth'):
        path = os.path.join(self.dir, name)
        torch.save(obj, path)
        return path

    def export(self, *args, code=0):
        """Run export_smp.main; returns (stdout, stderr). Asserts the exit code."""
        if os.path.exists(self.out):
            os.remove(self.out)
        stdout, stderr = io.StringIO(), io.StringIO()
        status = 0
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                export_smp.main(['--tile-size', TILE, '--out', self.out, *args])
            except SystemExit as exit_:
                status = exit_.code
        self.assertEqual(status, code, f'exit {status}\nstdout: {stdout.getvalue()}\nstderr: {stderr.getvalue()}')
        if code:
            self.assertFalse(os.path.exists(self.out), 'a refused export must not leave a file')
        return stdout.getvalue(), stderr.getvalue()

    def refused(self, *args):
        _, stderr = self.export(*args, code=2)
        return stderr

    def onnx_model(self):
        return onnx.load(self.out)

    def metadata(self):
        return {p.key: json.loads(p.value) for p in self.onnx_model().metadata_props}

    def ops(self):
        return collections.Counter(node.op_type for node in self.onnx_model().graph.node)

    def output_channels(self):
        model = self.onnx_model()
        self.assertEqual(len(model.graph.output), 1, 'deepmask reads one output')
        return model.graph.output[0].type.tensor_type.shape.dim[1].dim_value


class ReadsTheModel(ExportTest):
    def test_state_dict_binary_logits(self):
        path = self.save(smp.Unet('resnet18', encoder_weights=None).state_dict())
        stdout, _ = self.export('--checkpoint', path, '--arch', 'Unet', '--encoder', 'resnet18')
        meta = self.metadata()
        self.assertEqual(meta['deepmask_output'], 'logits')
        self.assertEqual(meta['class_names'], {'0': 'background', '1': 'building'})
        self.assertEqual(meta['deepmask_bands'], ['R', 'G', 'B'])
        self.assertEqual(meta['tile_size'], 64)
        self.assertEqual(self.output_channels(), 1)
        self.assertIn('3 input channels, 1 output channel, activation none', stdout)
        self.assertRegex(stdout, r'largest difference \S+ in probabilities')
        self.assertEqual(os.listdir(os.path.dirname(self.out)), ['model.onnx'], 'no temporary file left')

    def test_four_input_channels_need_bands_and_refuse_three(self):
        path = self.save(smp.FPN('resnet34', encoder_weights=None, in_channels=4).state_dict())
        base = ['--checkpoint', path, '--arch', 'fpn', '--encoder', 'resnet34']
        message = self.refused(*base)
        self.assertIn('takes 4 input channels', message)
        self.assertIn('--bands R,G,B,DSM', message)
        message = self.refused(*base, '--bands', 'R,G,B')
        self.assertIn('--bands R,G,B has 3 bands, but the model takes 4 input channels', message)
        self.assertIn('encoder.conv1', message)
        message = self.refused(*base, '--in-channels', '3')
        self.assertIn('--in-channels 3', message)
        self.assertIn('4', message)
        self.export(*base, '--bands', 'R,G,B,DSM', '--dsm', DSM)
        meta = self.metadata()
        self.assertEqual(meta['deepmask_bands'], ['R', 'G', 'B', 'DSM'])
        self.assertEqual(meta['deepmask_dsm'], json.loads(DSM))
        self.assertEqual(meta['standardization_mean'][3], 0.0)

    def test_three_bands_on_a_pickled_four_channel_model_refused(self):
        path = self.save(smp.Unet('resnet18', encoder_weights=None, in_channels=4))
        message = self.refused('--checkpoint', path, '--bands', 'R,G,B')
        self.assertIn('takes 4 input channels', message)

    def test_classes_flag_contradicting_the_head_refused(self):
        path = self.save(smp.Unet('resnet18', encoder_weights=None, classes=2).state_dict())
        message = self.refused('--checkpoint', path, '--arch', 'Unet', '--encoder', 'resnet18', '--classes', '1')
        self.assertIn('--classes 1', message)
        self.assertIn('2 output channels', message)
        whole = self.save(smp.Unet('resnet18', encoder_weights=None, classes=2), 'whole.pth')
        message = self.refused('--checkpoint', whole, '--classes', '1')
        self.assertIn('--classes 1, but the segmentation head (segmentation_head.0) has 2 output channels', message)

    def test_tile_size_must_fit_the_encoder_stride(self):
        path = self.save(smp.Unet('resnet18', encoder_weights=None))
        message = self.refused('--checkpoint', path, '--tile-size', '80')
        self.assertIn('multiple of 32', message)


class Activations(ExportTest):
    def test_sigmoid_model_is_probabilities_and_never_twice(self):
        path = self.save(smp.Unet('resnet18', encoder_weights=None, activation='sigmoid'))
        for extra in ([], ['--bake-sigmoid']):
            with self.subTest(extra=extra):
                _, stderr = self.export('--checkpoint', path, *extra)
                self.assertEqual(self.metadata()['deepmask_output'], 'probabilities')
                self.assertEqual(self.ops()['Sigmoid'], 1, 'one sigmoid in the graph, the model\'s own')
                if extra:
                    self.assertIn('nothing baked', stderr)

    def test_bake_on_a_two_class_model_is_softmax(self):
        path = self.save(smp.Unet('resnet18', encoder_weights=None, classes=2).state_dict())
        stdout, _ = self.export('--checkpoint', path, '--arch', 'Unet', '--encoder', 'resnet18', '--bake-sigmoid')
        self.assertEqual(self.metadata()['deepmask_output'], 'probabilities')
        self.assertEqual(self.ops()['Softmax'], 1)
        self.assertEqual(self.ops()['Sigmoid'], 0, 'no per-channel sigmoid on a 2-class model')
        self.assertEqual(self.output_channels(), 2)
        self.assertEqual(self.metadata()['class_names'], {'0': 'background', '1': 'building'})
        self.assertIn('baked softmax', stdout)

    def test_two_class_logits_without_bake(self):
        path = self.save(smp.Unet('resnet18', encoder_weights=None, classes=2).state_dict())
        self.export('--checkpoint', path, '--arch', 'Unet', '--encoder', 'resnet18', '--class-name', 'roof')
        self.assertEqual(self.metadata()['deepmask_output'], 'logits')
        self.assertEqual(self.metadata()['class_names'], {'0': 'background', '1': 'roof'})

    def test_multi_class_softmax(self):
        path = self.save(smp.Unet('resnet18', encoder_weights=None, classes=4, activation='softmax2d'))
        self.export('--checkpoint', path, '--class-names', 'background,building,road,tree', '--bake-activation')
        meta = self.metadata()
        self.assertEqual(meta['deepmask_output'], 'probabilities')
        self.assertEqual(meta['class_names'], {'0': 'background', '1': 'building', '2': 'road', '3': 'tree'})
        self.assertEqual(self.ops()['Softmax'], 1, 'the model\'s softmax, not a second one')
        self.assertEqual(self.output_channels(), 4)

    def test_multi_class_logits_and_class_names(self):
        path = self.save(smp.FPN('resnet18', encoder_weights=None, classes=3).state_dict())
        base = ['--checkpoint', path, '--arch', 'FPN', '--encoder', 'resnet18']
        _, stderr = self.export(*base)
        self.assertEqual(self.metadata()['class_names'], {'0': 'background', '1': 'class_1', '2': 'class_2'})
        self.assertEqual(self.metadata()['deepmask_output'], 'logits')
        self.assertIn('--class-names', stderr)
        self.export(*base, '--class-names', '{"0":"background","1":"building","2":"road"}', '--bake-activation')
        self.assertEqual(self.metadata()['class_names'], {'0': 'background', '1': 'building', '2': 'road'})
        self.assertEqual(self.metadata()['deepmask_output'], 'probabilities')
        message = self.refused(*base, '--class-names', 'background,building')
        self.assertIn('--class-names has 2 names, but the model has 3 output channels', message)
        message = self.refused(*base, '--class-name', 'building')
        self.assertIn('--class-names', message)

    def test_logsoftmax_is_logits(self):
        path = self.save(smp.Unet('resnet18', encoder_weights=None, classes=3, activation='logsoftmax'))
        self.export('--checkpoint', path, '--class-names', 'a,b,c')
        self.assertEqual(self.metadata()['deepmask_output'], 'logits')

    def test_per_channel_sigmoid_on_several_classes_refused_or_dropped(self):
        path = self.save(smp.Unet('resnet18', encoder_weights=None, classes=3, activation='sigmoid'))
        message = self.refused('--checkpoint', path)
        self.assertIn('per-channel sigmoid over 3 channels', message)
        self.assertIn('--drop-activation', message)
        self.export('--checkpoint', path, '--drop-activation')
        self.assertEqual(self.metadata()['deepmask_output'], 'logits')
        self.assertEqual(self.ops()['Sigmoid'], 0)

    def test_softmax_over_one_channel_and_tanh_refused(self):
        path = self.save(smp.Unet('resnet18', encoder_weights=None, classes=1, activation='softmax2d'))
        self.assertIn('always 1', self.refused('--checkpoint', path))
        path = self.save(smp.Unet('resnet18', encoder_weights=None, activation='tanh'), 'tanh.pth')
        self.assertIn('Tanh', self.refused('--checkpoint', path))


class Checkpoints(ExportTest):
    def test_aux_head_exports_the_mask_only(self):
        model = smp.Unet('resnet18', encoder_weights=None, aux_params={'classes': 5})
        for name, path, extra in (('pickled', self.save(model), []),
                                  ('state dict', self.save(model.state_dict(), 'sd.pth'),
                                   ['--arch', 'Unet', '--encoder', 'resnet18'])):
            with self.subTest(name):
                stdout, stderr = self.export('--checkpoint', path, '--bake-sigmoid', *extra)
                self.assertEqual(self.output_channels(), 1)
                self.assertEqual(self.metadata()['deepmask_output'], 'probabilities')
                self.assertIn('aux classification head', stderr)

    def test_model_args_for_state_dicts(self):
        path = self.save(smp.Unet('resnet18', encoder_weights=None, decoder_attention_type='scse').state_dict())
        base = ['--checkpoint', path, '--arch', 'Unet', '--encoder', 'resnet18']
        message = self.refused(*base)
        self.assertIn('not in the model: decoder.blocks', message)
        self.assertIn('--model-args \'{"decoder_attention_type":"scse"}\'', message)
        self.assertNotIn('Missing key(s)', message)
        self.export(*base, '--model-args', '{"decoder_attention_type":"scse"}')
        self.assertIn('not JSON', self.refused(*base, '--model-args', '{decoder_attention_type: scse}'))
        self.assertIn('set by export_smp.py', self.refused(*base, '--model-args', '{"classes": 2}'))

    def test_lightning_checkpoint_prefix_found_without_flag(self):
        model = smp.Unet('resnet18', encoder_weights=None)
        for prefix in ('model.', 'net.', 'module.', 'model.module.'):
            with self.subTest(prefix=prefix):
                state = collections.OrderedDict((prefix + k, v) for k, v in model.state_dict().items())
                state['criterion.pos_weight'] = torch.ones(1)
                path = self.save({'epoch': 3, 'global_step': 30, 'pytorch-lightning_version': '2.4.0',
                                  'state_dict': state, 'optimizer_states': []}, 'last.ckpt')
                stdout, stderr = self.export('--checkpoint', path, '--arch', 'Unet', '--encoder', 'resnet18')
                self.assertIn(f"removed the prefix '{prefix}'", stderr)
                self.assertIn('PyTorch Lightning checkpoint', stdout)
        state = collections.OrderedDict((p + k, v) for p in ('model.', 'ema.') for k, v in model.state_dict().items())
        path = self.save({'state_dict': state}, 'two.ckpt')
        message = self.refused('--checkpoint', path, '--arch', 'Unet', '--encoder', 'resnet18')
        self.assertIn('more than one model', message)
        self.assertIn('--strip-prefix', message)
        self.export('--checkpoint', path, '--arch', 'Unet', '--encoder', 'resnet18', '--strip-prefix', 'ema.')

    def test_model_state_dict_and_plain_state_dict(self):
        model = smp.Unet('resnet18', encoder_weights=None)
        path = self.save({'model_state_dict': model.state_dict(), 'epoch': 1})
        self.export('--checkpoint', path, '--arch', 'Unet', '--encoder', 'resnet18')
        message = self.refused('--checkpoint', path)
        self.assertIn('give --arch and --encoder', message)

    def test_pickled_whole_model_and_weights_only(self):
        path = self.save(smp.DeepLabV3Plus('resnet18', encoder_weights=None))
        real_load = torch.load

        def load_like_torch_2_6(f, map_location=None, pickle_module=None, *, weights_only=True, **kwargs):
            if weights_only:
                raise RuntimeError('Weights only load failed (torch >= 2.6 default)')
            return real_load(f, map_location=map_location)

        with mock.patch.object(torch, 'load', load_like_torch_2_6):
            self.export('--checkpoint', path)
        self.assertEqual(self.output_channels(), 1)

    def test_not_a_model(self):
        path = self.save({'epoch': 1, 'lr': 0.1})
        self.assertIn('no model or state dict', self.refused('--checkpoint', path))
        missing = os.path.join(self.dir, 'nope.pth')
        self.assertIn('no such file', self.refused('--checkpoint', missing))


class Names(ExportTest):
    def test_architecture_spellings(self):
        for name, cls in (('DeepLabV3Plus', 'DeepLabV3Plus'), ('DeepLabV3+', 'DeepLabV3Plus'),
                          ('deeplabv3plus', 'DeepLabV3Plus'), ('deeplab-v3-plus', 'DeepLabV3Plus'),
                          ('unet++', 'UnetPlusPlus'), ('UnetPlusPlus', 'UnetPlusPlus'), ('UNet++', 'UnetPlusPlus'),
                          ('fpn', 'FPN'), ('U-Net', 'Unet'), ('UNET', 'Unet')):
            with self.subTest(name=name):
                self.assertEqual(export_smp.resolve_arch(smp, name).__name__, cls)
        with self.assertRaises(export_smp.ExportError) as caught:
            export_smp.resolve_arch(smp, 'deeplab')
        self.assertIn('Known: Unet, UnetPlusPlus, FPN, DeepLabV3Plus', str(caught.exception))

    def test_deeplabv3_plus_state_dict_by_its_written_name(self):
        path = self.save(smp.DeepLabV3Plus('resnet18', encoder_weights=None).state_dict())
        self.export('--checkpoint', path, '--arch', 'DeepLabV3+', '--encoder', 'resnet18')

    def test_wrong_encoder_or_architecture_explained(self):
        path = self.save(smp.Unet('resnet18', encoder_weights=None).state_dict())
        message = self.refused('--checkpoint', path, '--arch', 'Unet', '--encoder', 'resnet34')
        self.assertIn('missing from the checkpoint: encoder.layer', message)
        self.assertIn('try --encoder resnet18', message)
        self.assertNotIn('Missing key(s)', message)
        path = self.save(smp.FPN('resnet18', encoder_weights=None).state_dict(), 'fpn.pth')
        message = self.refused('--checkpoint', path, '--arch', 'Unet', '--encoder', 'resnet18')
        self.assertIn('try --arch FPN', message)


class Check(ExportTest):
    def test_a_difference_above_the_tolerance_fails_and_writes_nothing(self):
        path = self.save(smp.Unet('resnet18', encoder_weights=None, activation='sigmoid'))
        real = export_smp.run_onnx

        def off_by_a_little(onnx_path, x):
            y, names, runtime = real(onnx_path, x)
            return y + 0.01, names, runtime

        with mock.patch.object(export_smp, 'run_onnx', off_by_a_little):
            message = self.refused('--checkpoint', path)
        self.assertRegex(message, r'largest difference 1\.00e-02 in probabilities.*above the tolerance 0\.001')
        self.assertEqual(os.listdir(os.path.dirname(self.out)), [], 'neither the model nor a temporary file')

    def test_the_check_says_when_it_cannot_run(self):
        path = self.save(smp.Unet('resnet18', encoder_weights=None))
        with mock.patch.object(export_smp, 'run_onnx', side_effect=RuntimeError('no onnxruntime here')):
            stdout, _ = self.export('--checkpoint', path)
        self.assertIn('not checked against PyTorch: no onnxruntime here', stdout)


if __name__ == '__main__':
    unittest.main()
