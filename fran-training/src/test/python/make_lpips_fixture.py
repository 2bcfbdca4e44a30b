#!/usr/bin/env python3
"""Writes the LPIPS test fixture: a VGG16-structured network with tiny channel widths and random
weights, LPIPS lin weights, two random image batches and the LPIPS distances PyTorch computes.

The real VGG16 (14.7M conv parameters) is too big to commit, so the fixture keeps torchvision's
exact `features` layer structure (the same indices for every conv, ReLU and max-pool) with widths
4/8/8/16/16 instead of 64/128/256/512/512. The Java Lpips reads widths from the tensor shapes.

Run: /usr/bin/python3 fran-training/src/test/python/make_lpips_fixture.py
(needs Debian's python3-torch and python3-torchvision; CI never runs this)
"""
import json
import os
import struct

import torch
import torch.nn.functional as F
import torchvision

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "lpips")
TINY_CFG = [4, 4, "M", 8, 8, "M", 8, 8, 8, "M", 16, 16, 16, "M", 16, 16, 16, "M"]
TAPS = [3, 8, 15, 22, 29]  # relu1_2, relu2_2, relu3_3, relu4_3, relu5_3 in vgg16.features


def write_safetensors(path, tensors, metadata=None):
    header = {}
    offset = 0
    blobs = []
    for name, t in tensors.items():
        t = t.detach().contiguous().to(torch.float32)
        raw = t.numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def lpips(features, lins, x0, x1):
    # The LPIPS v0.1 formula: ScalingLayer, VGG taps, channel unit-normalisation, lin, spatial mean.
    shift = torch.tensor([-0.030, -0.088, -0.188]).view(1, 3, 1, 1)
    scale = torch.tensor([0.458, 0.448, 0.450]).view(1, 3, 1, 1)

    def taps(x):
        h = ((2 * x - 1) - shift) / scale
        out = []
        for i, layer in enumerate(features):
            h = layer(h)
            if i in TAPS:
                out.append(h)
            if i == TAPS[-1]:
                break
        return out

    total = 0
    for k, (a, b) in enumerate(zip(taps(x0), taps(x1))):
        na = a / (torch.sqrt(torch.sum(a ** 2, dim=1, keepdim=True)) + 1e-10)
        nb = b / (torch.sqrt(torch.sum(b ** 2, dim=1, keepdim=True)) + 1e-10)
        d = F.conv2d((na - nb) ** 2, lins[k])
        total = total + d.mean(dim=[2, 3], keepdim=True)
    return total.view(-1)


def main():
    torch.manual_seed(20221206)
    real = torchvision.models.vgg16(weights=None).features
    tiny = torchvision.models.vgg.make_layers(TINY_CFG, batch_norm=False)
    # Same structure as the real VGG16 features, layer by layer.
    assert [type(m) for m in real] == [type(m) for m in tiny], "structure differs from vgg16"
    for m in tiny:
        if isinstance(m, torch.nn.Conv2d):
            torch.nn.init.normal_(m.weight, std=(2.0 / (9 * m.in_channels)) ** 0.5)
            torch.nn.init.normal_(m.bias, std=0.1)
    tiny.eval()
    tensors = {}
    widths = []
    for i, m in enumerate(tiny):
        if isinstance(m, torch.nn.Conv2d):
            tensors[f"features.{i}.weight"] = m.weight
            tensors[f"features.{i}.bias"] = m.bias
        if i in TAPS:
            widths.append(tiny[i - 1].out_channels)
    lins = []
    for k, c in enumerate(widths):
        w = torch.rand(1, c, 1, 1)  # LPIPS lin weights are non-negative
        lins.append(w)
        tensors[f"lin{k}.model.1.weight"] = w
    write_safetensors(os.path.join(OUT, "lpips-tiny-vgg16.safetensors"), tensors,
                      {"format": "fran.lpips-vgg16", "note": "random weights, tiny widths; test only"})
    x0 = torch.rand(2, 3, 32, 32)
    x1 = (x0 + 0.2 * torch.randn(2, 3, 32, 32)).clamp(0, 1)
    with torch.no_grad():
        d = lpips(tiny, lins, x0, x1)
        same = lpips(tiny, lins, x0, x0)
    assert torch.all(same == 0)
    # Gradient of the mean distance w.r.t. x0, to check the Java backward pass too.
    x0g = x0.clone().requires_grad_(True)
    lpips(tiny, lins, x0g, x1).mean().backward()
    write_safetensors(os.path.join(OUT, "lpips-tiny-case.safetensors"),
                      {"x0": x0, "x1": x1, "distance": d, "grad_x0": x0g.grad})
    print("distances", d.tolist())


if __name__ == "__main__":
    main()
