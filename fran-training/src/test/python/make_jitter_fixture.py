"""Writes jitter_fixture.json: torchvision's colour-jitter functions on a small RGB image.

Run with Debian's python3-torch/python3-torchvision:
    /usr/bin/python3 fran-training/src/test/python/make_jitter_fixture.py
The Java test (PairAugmentationTest) applies PairAugmentation's jitter to the same pixels and
compares with these values, so that our formulas are checked against torchvision itself.
"""
import json
import os

import torch
import torchvision
import torchvision.transforms.functional as F

torch.manual_seed(1234)
H, W = 5, 6
rgb8 = torch.randint(0, 256, (3, H, W), dtype=torch.uint8)
x = rgb8.float() / 255.0

cases = []
for b, c, s in [(1.07, 1.0, 1.0), (1.0, 0.92, 1.0), (1.0, 1.0, 1.09), (0.93, 1.08, 0.9),
                (1.1, 1.1, 1.1), (1.6, 0.5, 1.8)]:
    y = F.adjust_brightness(x, b)
    y = F.adjust_contrast(y, c)
    y = F.adjust_saturation(y, s)
    cases.append({"brightness": b, "contrast": c, "saturation": s,
                  "out_chw": [round(v, 7) for v in y.flatten().tolist()]})

out = {
    "torchvision": torchvision.__version__,
    "height": H,
    "width": W,
    "rgb8_chw": rgb8.flatten().tolist(),
    "cases": cases,
}
path = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "jitter_fixture.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print("wrote", os.path.normpath(path))
