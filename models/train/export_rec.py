"""Exports the PlateRec checkpoint to ONNX (opset 13, dynamic batch) for onnxruntime-node.

    /usr/bin/python3 models/train/export_rec.py [--ckpt models/.cache/platerec/last.pt] [--name platerec]

Writes models/platerec/NAME.onnx and NAME.json (input size, character set, state order; NAME
platerec, or platerec-b for the second recogniser),
then checks that onnxruntime-free ONNX validation passes and the outputs match PyTorch.
"""
import argparse
import json
import os
import sys

import onnx
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from recnet import CHARS, H, W, PlateRec  # noqa: E402
from synth import CACHE  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument('--ckpt', default=os.path.join(CACHE, 'platerec', 'last.pt'))
ap.add_argument('--out', default=os.path.join(HERE, '..', 'platerec'))
ap.add_argument('--name', default='platerec')
a = ap.parse_args()
st = torch.load(a.ckpt)
net = PlateRec()
net.load_state_dict(st['model'])
net.eval()
os.makedirs(a.out, exist_ok=True)
path = os.path.join(a.out, a.name + '.onnx')
x = torch.rand(2, 1, H, W)
torch.onnx.export(net, x, path, opset_version=13, input_names=['image'], output_names=['logits', 'state'],
                  dynamic_axes={'image': {0: 'n'}, 'logits': {0: 'n'}, 'state': {0: 'n'}})
onnx.checker.check_model(onnx.load(path))
designs = json.load(open(os.path.join(CACHE, 'designs.json')))
meta = {'input': [1, H, W], 'chars': CHARS, 'blank': 0, 'states': [d['state'] for d in designs],
        'step': st['step'], 'trainMinutes': round(st['spent'] / 60, 1)}
json.dump(meta, open(os.path.join(a.out, a.name + '.json'), 'w'), indent=1)
print(json.dumps({'onnx': os.path.relpath(path), 'bytes': os.path.getsize(path), **{k: meta[k] for k in ('step', 'trainMinutes')}}))
