"""Trains PlateRec (plate text by CTC + state of issue) on synthetic crops (synth.py) and, where
../shared/datasets/openimages-plates is on the machine, real crops labelled by hand (real.py).

    nice -n 10 /usr/bin/python3 models/train/train_rec.py --minutes 55 [--threads 2]

Progress goes to stdout (one line per 20 steps, a synthetic validation every 200). The learning
rate follows a cosine over the time budget (the CPU is shared, so steps per minute vary); the
checkpoint (models/.cache/platerec/last.pt, every 50 steps and at the end) holds the model, the
optimiser and the time spent, and a rerun resumes from it. Export with export_rec.py.
Never trains on openalpr-eval (evaluation only).
"""
import argparse
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from recnet import CHARS, PlateRec  # noqa: E402
from real import RealCrops, load_rows  # noqa: E402
import synth  # noqa: E402
from synth import CACHE, Synth  # noqa: E402


class Stream(torch.utils.data.IterableDataset):
    """Batches of synthetic crops, of which a share `real_share` is replaced by real ones."""

    def __init__(self, batch, seed, real_rows=(), real_share=0.0):
        self.batch, self.seed = batch, seed
        self.real_rows, self.real_share = list(real_rows), real_share

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        seed = self.seed + (info.id if info else 0) * 1000 + int(time.time()) % 100000
        s = Synth(seed)
        real = RealCrops(self.real_rows, [d['state'] for d in s.designs], seed) if self.real_rows else None
        n_real = int(round(self.batch * self.real_share)) if real else 0
        while True:
            x, labels, states = s.batch(self.batch - n_real)
            if n_real:
                rx, rlabels, rstates = real.batch(n_real)
                x, labels, states = np.concatenate([x, rx]), labels + rlabels, np.concatenate([states, rstates])
            yield torch.from_numpy(x), labels, torch.from_numpy(states)


def init_from_onnx(net, path, x):
    """Starts from an exported PlateRec (the committed model) instead of random weights, so that a
    new run builds on the hours already spent (the checkpoints live in a git-ignored cache; the
    .onnx is what survives). Export folded each batch norm into its convolution; the norms are
    re-created by one calibration batch `x` so that, in training mode, each passes its input
    through unchanged: scale = the batch's standard deviation, shift = its mean plus the folded bias."""
    import onnx
    from onnx import numpy_helper
    m = onnx.load(path)
    w = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in m.graph.initializer}
    convs = [(n.input[1], n.input[2] if len(n.input) > 2 else None) for n in m.graph.node if n.op_type == 'Conv']
    pairs = [(seq[0], seq[1]) for seq in list(net.features) + [net.collapse] if isinstance(seq, torch.nn.Sequential)]
    biases = {}
    with torch.no_grad():
        for (conv, bn), (wn, bname) in zip(pairs, convs):
            conv.weight.copy_(w[wn])
            biases[bn] = w[bname]
        sd = net.state_dict()
        for k, v in w.items():
            if k in sd:
                sd[k].copy_(v)

    def calibrate(bn, inputs):
        z = inputs[0]
        mu = z.mean(dim=(0, 2, 3))
        var = z.var(dim=(0, 2, 3), unbiased=False)
        bn.weight.copy_(torch.sqrt(var + bn.eps))
        bn.bias.copy_(mu + biases[bn])
        bn.running_mean.copy_(mu)
        bn.running_var.copy_(var)
    hooks = [bn.register_forward_pre_hook(calibrate) for bn in biases]
    net.eval()
    with torch.no_grad():
        net(x)
    for h in hooks:
        h.remove()
    print(f'initialised from {path} ({len(pairs)} folded convolutions re-normed on {x.shape[0]} crops)', flush=True)


def encode(labels):
    targets = torch.tensor([CHARS.index(c) + 1 for t in labels for c in t], dtype=torch.long)
    lengths = torch.tensor([len(t) for t in labels], dtype=torch.long)
    return targets, lengths


def greedy(lp):
    best = lp.argmax(2).numpy()
    out = []
    for row in best:
        s, prev = [], 0
        for k in row:
            if k != prev and k != 0:
                s.append(CHARS[k - 1])
            prev = k
        out.append(''.join(s))
    return out


def validate_net(net, vx, vlabels, vstates):
    net.eval()
    with torch.no_grad():
        lp, st = net(vx)
    net.train()
    pred = greedy(lp)
    exact = np.mean([p == t for p, t in zip(pred, vlabels)])
    sacc = (st.argmax(1).numpy() == vstates).mean()
    return exact, sacc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--minutes', type=float, default=55)
    ap.add_argument('--batch', type=int, default=128)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--workers', type=int, default=1)
    ap.add_argument('--out', default=os.path.join(CACHE, 'platerec'))
    ap.add_argument('--init-onnx', default=None, help='start a new run from this exported model (ignored when resuming)')
    ap.add_argument('--warmup', type=int, default=150, help='steps of linear learning-rate warm-up')
    ap.add_argument('--real-share', type=float, default=0.15,
                    help='share of each batch taken from the hand-labelled real crops (train and valid splits)')
    ap.add_argument('--framing', choices=sorted(synth.SIDE_RANGES), default='detector',
                    help="how the training crops frame the plate's sides (synth.SIDE_RANGES)")
    a = ap.parse_args()
    synth.SIDE_RANGE = synth.SIDE_RANGES[a.framing]
    print(f'framing {a.framing}: sides {synth.SIDE_RANGE}', flush=True)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    os.makedirs(a.out, exist_ok=True)
    ckpt = os.path.join(a.out, 'last.pt')
    net = PlateRec()
    opt = torch.optim.AdamW(net.parameters(), lr=a.lr, weight_decay=1e-4)
    step, spent = 0, 0.0
    if os.path.exists(ckpt):
        st = torch.load(ckpt)
        net.load_state_dict(st['model'])
        opt.load_state_dict(st['opt'])
        step, spent = st['step'], st['spent']
        print(f'resumed at step {step}, {spent / 60:.1f} min spent', flush=True)
    budget = a.minutes * 60

    val = Synth(12345)
    vx, vlabels, vstates = val.batch(512)
    vx = torch.from_numpy(vx).float() / 255
    rows = load_rows()
    if not rows:
        print('openimages-plates not found: training on synthetic crops only', flush=True)
    train_rows = [r for r in rows if r['split'] != 'test']
    test_rows = [r for r in rows if r['split'] == 'test']
    if test_rows:
        rx, rlabels, _ = RealCrops(test_rows, [d['state'] for d in val.designs]).batch(len(test_rows), augment=False)
        rx = torch.from_numpy(rx).float() / 255
        print(f'real crops: {len(train_rows)} to train on, {len(test_rows)} held out (test split)', flush=True)

    def validate_real():
        if not test_rows:
            return ''
        net.eval()
        with torch.no_grad():
            pred = greedy(net(rx)[0])
        net.train()
        return f' real-test exact {np.mean([p == t for p, t in zip(pred, rlabels)]):.3f}'
    if step == 0 and a.init_onnx:
        init_from_onnx(net, a.init_onnx, torch.from_numpy(Synth(999).batch(256)[0]).float() / 255)
        e, s = validate_net(net, vx, vlabels, vstates)
        print(f'val step 0 synthetic exact {e:.3f} state {s:.3f}{validate_real()}', flush=True)

    def save():
        torch.save({'model': net.state_dict(), 'opt': opt.state_dict(), 'step': step, 'spent': spent}, ckpt + '.tmp')
        os.replace(ckpt + '.tmp', ckpt)

    def validate():
        return validate_net(net, vx, vlabels, vstates)

    loader = torch.utils.data.DataLoader(Stream(a.batch, step, train_rows, a.real_share), batch_size=None, num_workers=a.workers,
                                         prefetch_factor=4 if a.workers else None, persistent_workers=False)
    net.train()
    t_last = time.time()
    t0 = time.time()
    seen = 0
    for x, labels, states in loader:
        if spent >= budget:
            break
        frac = spent / budget
        warm = min(1.0, (step + 1) / a.warmup)
        lr = a.lr * warm * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * frac)))
        for g in opt.param_groups:
            g['lr'] = lr
        x = x.float() / 255
        lp, st = net(x)
        targets, lengths = encode(labels)
        T = lp.shape[1]
        ctc = F.ctc_loss(lp.permute(1, 0, 2), targets, torch.full((x.shape[0],), T, dtype=torch.long), lengths,
                         blank=0, zero_infinity=True)
        sl = F.cross_entropy(st, states, label_smoothing=0.05, ignore_index=-100)
        loss = ctc + 0.5 * sl
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
        opt.step()
        step += 1
        seen += x.shape[0]
        now = time.time()
        spent += now - t_last
        t_last = now
        if step % 20 == 0:
            rate = seen / (now - t0)
            print(f'step {step} ctc {ctc.item():.3f} state {sl.item():.3f} lr {lr:.2e} {rate:.0f} samples/s '
                  f'spent {spent / 60:.1f}/{a.minutes:.0f} min', flush=True)
        if step % 50 == 0:
            save()
        if step % 200 == 0:
            e, s = validate()
            print(f'val step {step} synthetic exact {e:.3f} state {s:.3f}{validate_real()}', flush=True)
    save()
    e, s = validate()
    print(f'done step {step} synthetic exact {e:.3f} state {s:.3f}{validate_real()} spent {spent / 60:.1f} min', flush=True)


if __name__ == '__main__':
    main()
