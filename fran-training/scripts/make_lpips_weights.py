#!/usr/bin/env python3
"""Writes the LPIPS-VGG16 weights file that `fran train --lpips-weights FILE` reads.

The file is a safetensors file holding
  * torchvision's VGG16 `features.<i>.weight|bias` for the 13 convolutions
    (i in 0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28; ImageNet weights), and
  * LPIPS v0.1's linear calibration layers `lin<k>.model.1.weight` (k = 0..4, shape (1, C_k, 1, 1)),
with metadata {"format": "fran.lpips-vgg16"}.

Neither set of weights ships with FRAN for Java. Typical use on a machine with network access:

  pip install torch torchvision lpips            # or Debian's python3-torch python3-torchvision
  python3 fran-training/scripts/make_lpips_weights.py --out lpips-vgg16.safetensors

which takes VGG16 from torchvision (VGG16_Weights.IMAGENET1K_V1, downloaded into the torch cache)
and the lin layers from the installed `lpips` package (lpips/weights/v0.1/vgg.pth). Offline, pass
files you already have:

  python3 fran-training/scripts/make_lpips_weights.py --vgg vgg16-397923af.pth --lin vgg.pth --out lpips.safetensors

`--random-for-testing` writes random weights with the same names and shapes (to test the plumbing;
useless for training). Check the licences of the weights you use (torchvision's VGG16 weights and
the LPIPS repository's BSD-2-Clause weights).
"""
import argparse
import json
import os
import struct

import torch

CONVS = [0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28]
TAP_CHANNELS = [64, 128, 256, 512, 512]


def write_safetensors(path, tensors, metadata):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        raw = t.detach().to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def vgg_state(args):
    import torchvision
    if args.random_for_testing:
        return torchvision.models.vgg16(weights=None).state_dict()
    if args.vgg:
        return torch.load(args.vgg, map_location="cpu")
    return torchvision.models.vgg16(weights=torchvision.models.VGG16_Weights.IMAGENET1K_V1).state_dict()


def lin_state(args):
    if args.random_for_testing:
        return {f"lin{k}.model.1.weight": torch.rand(1, c, 1, 1) for k, c in enumerate(TAP_CHANNELS)}
    path = args.lin
    if not path:
        import lpips
        path = os.path.join(os.path.dirname(lpips.__file__), "weights", "v0.1", "vgg.pth")
    return torch.load(path, map_location="cpu")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True)
    p.add_argument("--vgg", help="torchvision VGG16 state dict (.pth)")
    p.add_argument("--lin", help="LPIPS v0.1 vgg.pth (lin layers)")
    p.add_argument("--random-for-testing", action="store_true")
    args = p.parse_args()
    vgg, lin = vgg_state(args), lin_state(args)
    tensors = {}
    for i in CONVS:
        for f in ("weight", "bias"):
            key = f"features.{i}.{f}"
            if key not in vgg:
                raise SystemExit(f"VGG16 state dict lacks {key}: is it torchvision's vgg16?")
            tensors[key] = vgg[key]
    for k, c in enumerate(TAP_CHANNELS):
        key = f"lin{k}.model.1.weight"
        if key not in lin or tuple(lin[key].shape) != (1, c, 1, 1):
            raise SystemExit(f"LPIPS state dict lacks {key} of shape (1, {c}, 1, 1): is it LPIPS v0.1 vgg.pth?")
        tensors[key] = lin[key]
    write_safetensors(args.out, tensors, {"format": "fran.lpips-vgg16",
                                          "source": "random" if args.random_for_testing else "torchvision+lpips-v0.1"})
    print(f"wrote {args.out}: {len(tensors)} tensors")


if __name__ == "__main__":
    main()
