"""PlateRec: the plate text + state-of-issue network (CTC over a small CNN, plus a state head).

Input: N x 1 x 48 x 96, grey values 0..1, the whole plate framed like a detector crop. The
network standardises each crop itself (mean/std), so the TypeScript side only resizes.
Outputs: `logits` N x T(32) x C(37: blank + 0-9 + A-Z) log-probabilities, `state` N x 51 logits.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'
H, W = 48, 96


def dwpw(cin, cout):
    return nn.Sequential(
        nn.Conv2d(cin, cin, 3, padding=1, groups=cin, bias=False), nn.BatchNorm2d(cin), nn.ReLU(inplace=True),
        nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


def conv(cin, cout, k=3, s=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride=s, padding=k // 2, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class Res(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, x):
        return x + self.m(x)


class PlateRec(nn.Module):
    """About 1M parameters, about 46M multiply-adds per plate (plain 3x3 convolutions: Debian's
    CPU torch trains depthwise convolutions far slower than dense ones)."""

    def __init__(self, n_states=51):
        super().__init__()
        self.features = nn.Sequential(
            conv(1, 24, 3, 2),                       # 24 x 48
            conv(24, 48),
            nn.MaxPool2d(2),                         # 12 x 24
            conv(48, 64),
            nn.MaxPool2d((2, 1)),                    # 6 x 24
            conv(64, 128),
            nn.MaxPool2d((2, 1)),                    # 3 x 24
            conv(128, 128),
        )
        self.collapse = nn.Sequential(nn.Conv2d(128, 192, (3, 1), bias=False), nn.BatchNorm2d(192), nn.ReLU(inplace=True))
        self.seq = nn.Sequential(nn.Conv1d(192, 192, 3, padding=1), nn.ReLU(inplace=True), nn.Dropout(0.1))
        self.ctc = nn.Conv1d(192, len(CHARS) + 1, 1)
        self.state = nn.Sequential(nn.AdaptiveAvgPool2d((3, 6)), nn.Flatten(), nn.Dropout(0.2),
                                   nn.Linear(128 * 18, 256), nn.ReLU(inplace=True), nn.Linear(256, n_states))

    def forward(self, x):
        m = x.mean(dim=(2, 3), keepdim=True)
        s = x.std(dim=(2, 3), keepdim=True) + 0.02
        x = (x - m) / s
        f = self.features(x)
        seq = self.collapse(f).squeeze(2)
        seq = seq + self.seq(seq)
        logits = self.ctc(seq).permute(0, 2, 1)      # N x T x C
        return F.log_softmax(logits, dim=2), self.state(f)


if __name__ == '__main__':
    import time
    torch.set_num_threads(2)
    net = PlateRec()
    print('params', sum(p.numel() for p in net.parameters()))
    opt = torch.optim.AdamW(net.parameters(), 1e-3)
    x = torch.rand(128, 1, H, W)
    for i in range(4):
        t = time.time()
        lp, st = net(x)
        loss = lp.mean() + st.mean()
        opt.zero_grad(); loss.backward(); opt.step()
        print('step', time.time() - t)
    net.eval()
    with torch.no_grad():
        t = time.time(); net(x); print('fwd128', time.time() - t)
