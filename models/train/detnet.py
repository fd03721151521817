"""PlateDet: a one-class plate detector for fixed traffic cameras (CenterNet-style, anchor-free).

Input: N x 1 x H x W grey 0..1 (any size, multiples of 32; the appliance feeds 1080p frames
scaled to 512 px wide). Outputs at stride 8: `heat` N x 1 x H/8 x W/8 (plate-centre
probability, sigmoid applied), `box` N x 4 x H/8 x W/8: centre offset within the cell (x, y,
0..1) and log of the plate's width and height in cells.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

STRIDE = 8


def conv(cin, cout, k=3, s=1, d=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride=s, padding=d * (k // 2), dilation=d, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class PlateDet(nn.Module):
    def __init__(self):
        super().__init__()
        self.s8 = nn.Sequential(conv(1, 16, 3, 2), conv(16, 24, 3, 2), conv(24, 48, 3, 2), conv(48, 48))
        self.s16 = nn.Sequential(conv(48, 64, 3, 2), conv(64, 64), conv(64, 64, d=2))
        self.fuse = nn.Sequential(conv(112, 48, 1), conv(48, 32))
        self.heat = nn.Conv2d(32, 1, 1)
        self.box = nn.Conv2d(32, 4, 1)
        nn.init.constant_(self.heat.bias, -2.2)

    def forward(self, x):
        x = (x - 0.5) / 0.25
        a = self.s8(x)
        b = self.s16(a)
        f = self.fuse(torch.cat([a, F.interpolate(b, size=a.shape[2:], mode='nearest')], 1))
        return torch.sigmoid(self.heat(f)), self.box(f)


if __name__ == '__main__':
    import time
    torch.set_num_threads(1)
    net = PlateDet()
    print('params', sum(p.numel() for p in net.parameters()))
    x = torch.rand(16, 1, 224, 384)
    opt = torch.optim.AdamW(net.parameters(), 1e-3)
    for _ in range(3):
        t = time.time()
        h, b = net(x)
        (h.mean() + b.mean()).backward()
        opt.step()
        print('step16', time.time() - t)
