#!/usr/bin/env python3
"""Writes the PyTorch fixtures that ReferenceUNetTest checks the pure-Java forward pass against.

The U-Net here is written from the facts in shared/notes/fran-reference.md (DoubleConv =
[Conv3x3 no bias -> BatchNorm -> ReLU] x 2; inc; downI = MaxPool2 + DoubleConv; upI = ConvTranspose
2x2 s2 or bilinear x2 align_corners=True, F.pad to the skip, cat [skip, up], DoubleConv; outc 1x1
conv with bias), with the PyTorch parameter names of the reference, plus the blur-pool variant
exactly as the Javadoc of UNetConfig.blurPool() specifies (MaxPool k2 s1 then a [1 2 1]^T[1 2 1]/16
depthwise blur with reflect padding 1 and stride 2; after each up-sampling the same blur with
stride 1, before padding and concatenation). The blur has no parameters, so names do not change.

Each case writes, under src/test/resources/fixtures/unet/:
  <case>.safetensors     the weights (eval mode; random, non-trivial BatchNorm statistics), with the
                         UNetConfig JSON under the metadata key "fran.unet_config"
  <case>.io.safetensors  "input.<H>x<W>" [N,5,H,W] and "output.<H>x<W>" [N,3,H,W] float32 tensors;
                         outputs computed in float64 from the float32 weights and inputs.
The safetensors bytes are written by make_safetensors_fixtures.py's writer (struct/json only).

Needs torch (Debian: apt-get install -y python3-torch). Run from the repository root:
  /usr/bin/python3 fran-core/src/test/python/make_reference_fixtures.py
"""
import json
import os
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "unet")


def blur(x, stride):
    c = x.shape[1]
    k1 = torch.tensor([1.0, 2.0, 1.0], dtype=x.dtype)
    k = (k1[:, None] * k1[None, :]) / 16.0
    k = k.expand(c, 1, 3, 3).contiguous()
    return F.conv2d(F.pad(x, [1, 1, 1, 1], mode="reflect"), k, stride=stride, groups=c)


class BlurMaxPool(nn.Module):
    """MaxPool(kernel 2, stride 1) then blur with stride 2 (Zhang 2019)."""

    def forward(self, x):
        return blur(F.max_pool2d(x, kernel_size=2, stride=1), 2)


class DoubleConv(nn.Module):
    def __init__(self, cin, cout, mid):
        super().__init__()
        self.double_conv = nn.Sequential(
            nn.Conv2d(cin, mid, 3, padding=1, bias=False), nn.BatchNorm2d(mid), nn.ReLU(inplace=True),
            nn.Conv2d(mid, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))

    def forward(self, x):
        return self.double_conv(x)


class Down(nn.Module):
    def __init__(self, cin, cout, blur_pool):
        super().__init__()
        pool = BlurMaxPool() if blur_pool else nn.MaxPool2d(2)
        self.maxpool_conv = nn.Sequential(pool, DoubleConv(cin, cout, cout))

    def forward(self, x):
        return self.maxpool_conv(x)


class Up(nn.Module):
    def __init__(self, cin, skip, cout, mid, bilinear, blur_pool):
        super().__init__()
        if bilinear:
            self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)
        else:
            self.up = nn.ConvTranspose2d(cin, cin // 2, kernel_size=2, stride=2)
        self.conv = DoubleConv(2 * skip, cout, mid)
        self.blur_pool = blur_pool

    def forward(self, x1, x2):
        x1 = self.up(x1)
        if self.blur_pool:
            x1 = blur(x1, 1)
        dy = x2.size(2) - x1.size(2)
        dx = x2.size(3) - x1.size(3)
        x1 = F.pad(x1, [dx // 2, dx - dx // 2, dy // 2, dy - dy // 2])
        return self.conv(torch.cat([x2, x1], dim=1))


class OutConv(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel_size=1)

    def forward(self, x):
        return self.conv(x)


class UNet(nn.Module):
    def __init__(self, width, depth, bilinear, blur_pool, cin=5, cout=3):
        super().__init__()
        self.depth = depth
        enc = [width << i for i in range(depth + 1)]
        if bilinear:
            enc[depth] //= 2  # the bilinear variant halves the bottleneck
        self.inc = DoubleConv(cin, width, width)
        for i in range(1, depth + 1):
            setattr(self, "down%d" % i, Down(enc[i - 1], enc[i], blur_pool))
        cur = enc[depth]
        for i in range(1, depth + 1):
            skip = enc[depth - i]
            if bilinear:
                out = width if i == depth else skip // 2
                mid = skip
            else:
                out = skip
                mid = skip
            setattr(self, "up%d" % i, Up(cur, skip, out, mid, bilinear, blur_pool))
            cur = out
        self.outc = OutConv(width, cout)

    def forward(self, x):
        skips = [self.inc(x)]
        for i in range(1, self.depth + 1):
            skips.append(getattr(self, "down%d" % i)(skips[-1]))
        y = skips[-1]
        for i in range(1, self.depth + 1):
            y = getattr(self, "up%d" % i)(y, skips[self.depth - i])
        return self.outc(y)


def randomize(model, gen, shape):
    """Gives every layer a healthy signal: He-normal convs, BatchNorm statistics measured on
    random inputs (so activations neither vanish nor explode) and then perturbed, and random
    affine parameters. Without this a tiny random U-Net's output is nearly constant in space,
    which would make the comparison weak."""
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            with torch.no_grad():
                fan_in = m.weight[0].numel() if isinstance(m, nn.Conv2d) else m.weight.shape[0] * 4
                m.weight.copy_(torch.randn(m.weight.shape, generator=gen) * (2.0 / fan_in) ** 0.5)
                if m.bias is not None:
                    m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=gen))
        if isinstance(m, nn.BatchNorm2d):
            m.momentum = None  # cumulative average over the calibration batches
            with torch.no_grad():
                m.weight.copy_(0.5 + torch.rand(m.num_features, generator=gen))
                m.bias.copy_(0.2 * torch.randn(m.num_features, generator=gen))
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.rand(shape, generator=gen))
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            n = m.num_features
            with torch.no_grad():
                m.running_mean.add_(0.1 * torch.randn(n, generator=gen))
                m.running_var.mul_(0.8 + 0.4 * torch.rand(n, generator=gen))
            m.momentum = 0.1


# ------------------------------------------------------------------ safetensors (struct/json)

def safetensors_bytes(tensors, metadata):
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    data = b""
    for name, t in tensors:
        t = t.detach().contiguous().cpu()
        if t.dtype == torch.float32:
            dtype, raw = "F32", struct.pack("<%df" % t.numel(), *t.flatten().tolist())
        elif t.dtype == torch.float16:
            dtype, raw = "F16", struct.pack("<%de" % t.numel(), *t.flatten().tolist())
        elif t.dtype == torch.int64:
            dtype, raw = "I64", struct.pack("<%dq" % t.numel(), *t.flatten().tolist())
        else:
            raise ValueError(t.dtype)
        header[name] = {"dtype": dtype, "shape": list(t.shape),
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    h = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + data


def write(path, tensors, metadata):
    blob = safetensors_bytes(tensors, metadata)
    assert len(blob) < 200_000, (path, len(blob))
    with open(path, "wb") as f:
        f.write(blob)


def config_json(width, depth, bilinear, blur_pool, resolution):
    return json.dumps({"version": 1, "in_channels": 5, "out_channels": 3, "base_width": width,
                       "depth": depth, "upsampling": "bilinear" if bilinear else "transposed",
                       "blur_pool": blur_pool, "training_resolution": resolution},
                      separators=(",", ":"))


def make_case(name, width, depth, bilinear, blur_pool, sizes, batch, seed, half=False):
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = UNet(width, depth, bilinear, blur_pool)
    randomize(model, gen, (4, 5) + tuple(sizes[0]))
    model.eval()
    sd = model.state_dict()
    if half:
        # Weights stored as F16; the oracle runs with exactly those rounded values.
        rounded = {k: (v.half().float() if v.is_floating_point() else v) for k, v in sd.items()}
        model.load_state_dict(rounded)
        stored = [(k, v.half() if v.is_floating_point() else v) for k, v in rounded.items()]
    else:
        stored = list(sd.items())
    meta = {"fran.unet_config": config_json(width, depth, bilinear, blur_pool, 16)}
    write(os.path.join(OUT, name + ".safetensors"), stored, meta)

    io = []
    ref = UNet(width, depth, bilinear, blur_pool).double()
    ref.load_state_dict({k: v.double() if v.is_floating_point() else v
                         for k, v in model.state_dict().items()})
    ref.eval()
    for (h, w) in sizes:
        x = torch.rand(batch, 5, h, w, generator=gen)
        with torch.no_grad():
            y64 = ref(x.double())
            y32 = model(x)
        diff = (y64 - y32.double()).abs().max().item()
        print("%-28s %2dx%-2d out std %.4f |max| %.4f  float32-vs-float64 %.2e"
              % (name, h, w, y64.std().item(), y64.abs().max().item(), diff))
        spatial = y64.std(dim=(2, 3)).min().item()
        print("%-28s %2dx%-2d smallest per-channel spatial std %.4f" % (name, h, w, spatial))
        assert spatial > 0.05, "output nearly constant in space: a weak oracle"
        io.append(("input.%dx%d" % (h, w), x))
        io.append(("output.%dx%d" % (h, w), y64.float()))
    write(os.path.join(OUT, name + ".io.safetensors"), io, {})


def main():
    os.makedirs(OUT, exist_ok=True)
    print("torch", torch.__version__)
    make_case("transposed_d2_w4", 4, 2, False, False, [(16, 16), (24, 20), (17, 13)], 2, 1)
    make_case("bilinear_d3_w4", 4, 3, True, False, [(16, 16), (17, 13), (8, 8)], 1, 2)
    make_case("transposed_d3_w4_blur", 4, 3, False, True, [(16, 16), (17, 13)], 1, 3)
    make_case("bilinear_d2_w4_blur", 4, 2, True, True, [(24, 20), (13, 17)], 2, 4)
    make_case("transposed_d2_w4_f16", 4, 2, False, False, [(16, 16)], 1, 5, half=True)


if __name__ == "__main__":
    sys.exit(main())
