#!/usr/bin/env python3
"""Writes a randomly initialised FRAN generator (U-Net, width 64, depth 4, transposed-conv
upsampling: 31.0M parameters, as in ../shared/notes/fran-reference.md) as ONNX with dynamic N/H/W,
for timing the pipeline (docs/benchmarks-pipeline.md). The weights are random: speed only.
Usage: /usr/bin/python3 scripts/bench/make_unet_onnx.py target/bench/unet64.onnx"""
import sys
import torch
import torch.nn as nn


class DoubleConv(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.double_conv = nn.Sequential(
            nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
            nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))

    def forward(self, x):
        return self.double_conv(x)


class Down(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.maxpool_conv = nn.Sequential(nn.MaxPool2d(2), DoubleConv(cin, cout))

    def forward(self, x):
        return self.maxpool_conv(x)


class Up(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.up = nn.ConvTranspose2d(cin, cin // 2, 2, stride=2)
        self.conv = DoubleConv(cin, cout)

    def forward(self, x, skip):
        return self.conv(torch.cat([skip, self.up(x)], dim=1))


class UNet(nn.Module):
    def __init__(self, w=64):
        super().__init__()
        self.inc = DoubleConv(5, w)
        self.down1, self.down2 = Down(w, 2 * w), Down(2 * w, 4 * w)
        self.down3, self.down4 = Down(4 * w, 8 * w), Down(8 * w, 16 * w)
        self.up1, self.up2 = Up(16 * w, 8 * w), Up(8 * w, 4 * w)
        self.up3, self.up4 = Up(4 * w, 2 * w), Up(2 * w, w)
        self.outc = nn.Conv2d(w, 3, 1)

    def forward(self, x):
        x1 = self.inc(x)
        x2 = self.down1(x1)
        x3 = self.down2(x2)
        x4 = self.down3(x3)
        x5 = self.down4(x4)
        x = self.up1(x5, x4)
        x = self.up2(x, x3)
        x = self.up3(x, x2)
        x = self.up4(x, x1)
        return self.outc(x) * 0.01  # small deltas, like a trained model's


torch.manual_seed(0)
net = UNet().eval()
print("parameters:", sum(p.numel() for p in net.parameters()))
torch.onnx.export(net, torch.zeros(1, 5, 256, 256), sys.argv[1], opset_version=17,
                  input_names=["input"], output_names=["delta"],
                  dynamic_axes={"input": {0: "n", 2: "h", 3: "w"}, "delta": {0: "n", 2: "h", 3: "w"}})
