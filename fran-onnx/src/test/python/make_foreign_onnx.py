#!/usr/bin/env python3
"""Writes foreign ONNX models made by real torch.onnx.export, for the fran-onnx runtime tests.

Outputs under src/test/resources/fixtures/onnx/:
  torch_xy.onnx          a small conv net (5 -> 8 -> 3 channels, BatchNorm, ReLU, max-pool and
                         nearest up-sampling), input "x" [batch, 5, height, width] and output "y"
                         [batch, 3, height, width] with dynamic axes, no FRAN metadata
  torch_xy.io.safetensors "input" [2, 5, 12, 10] float32 and "output", torch's eval-mode result
  torch_rgb.onnx         the same kind of net with 3 input channels (must be rejected)

Needs torch (Debian: apt-get install -y python3-torch). Run from the repository root:
  /usr/bin/python3 fran-onnx/src/test/python/make_foreign_onnx.py
"""
import json
import os
import struct

import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "onnx")


class Net(nn.Module):
    def __init__(self, cin):
        super().__init__()
        self.a = nn.Sequential(nn.Conv2d(cin, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8),
                               nn.ReLU())
        self.b = nn.Conv2d(8, 3, 1)

    def forward(self, x):
        h = self.a(x)
        p = nn.functional.max_pool2d(h, 2)
        u = nn.functional.interpolate(p, scale_factor=2.0, mode="nearest")
        return self.b(h + u)


def write_safetensors(path, tensors):
    header = {}
    offset = 0
    blobs = []
    for name, t in tensors.items():
        data = t.contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def export(net, cin, path):
    net.eval()
    torch.onnx.export(net, torch.zeros(1, cin, 8, 8), path, input_names=["x"],
                      output_names=["y"], opset_version=17,
                      dynamic_axes={"x": {0: "batch", 2: "height", 3: "width"},
                                    "y": {0: "batch", 2: "height", 3: "width"}})


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    net = Net(5)
    bn = net.a[1]
    with torch.no_grad():
        bn.weight.uniform_(0.5, 1.5)
        bn.bias.uniform_(-0.2, 0.2)
        bn.running_mean.uniform_(-0.2, 0.2)
        bn.running_var.uniform_(0.5, 2.0)
    net.eval()
    export(net, 5, os.path.join(OUT, "torch_xy.onnx"))
    x = torch.rand(2, 5, 12, 10)
    with torch.no_grad():
        y = net(x)
    write_safetensors(os.path.join(OUT, "torch_xy.io.safetensors"), {"input": x, "output": y})
    export(Net(3), 3, os.path.join(OUT, "torch_rgb.onnx"))


if __name__ == "__main__":
    main()
