#!/usr/bin/env python3
"""Makes the PyTorch interop fixtures of fran-core (run from the repository root):

    /usr/bin/python3 fran-core/src/test/python/make_pth_fixtures.py

Needs Debian's python3-torch (made with 1.13.1). Writes, under
fran-core/src/test/resources/interop/:

  * small reference U-Nets (transposed and bilinear; width 4; depth 2 and 3; random weights and
    random BatchNorm statistics; eval mode) saved by torch.save as: a bare fp32 state dict, the
    reference's checkpoint dict (epoch, model_state_dict with 'module.' names as nn.DataParallel
    writes them, Adam optimizer and StepLR scheduler states), fp16 and bf16 weights, a state dict
    pickled with protocol 4, and a state dict whose tensors are non-contiguous views with storage
    offsets and shared storages;
  * the same models exported by torch.onnx.export (one with dynamic axes, one with a fixed size;
    custom input/output names);
  * PyTorch's output for a fixed input: raw little-endian float32 files, described with shapes
    and tolerances in manifest.json;
  * hostile files under hostile/: pickles naming os.system, builtins.eval and
    torch.storage._load_from_bytes (built by hand from pickle opcodes, never executed), a zip bomb,
    an entry that inflates past its declared size, a path-traversal entry name, absurd declared
    sizes, a truncated file, the legacy (non-zip) format, a TorchScript archive and a whole
    pickled module (torch.save(model)).

The U-Net follows notes/fran-reference.md: DoubleConv = [Conv3x3 no bias, BN, ReLU] x 2; inc;
down_i = MaxPool2 + DoubleConv; up_i = ConvTranspose2x2 (or bilinear x2, align_corners=True, with
mid width C/2 and a halved bottleneck), pad to the skip, cat [skip, up], DoubleConv; outc 1x1 conv.
"""
import io
import json
import os
import struct
import sys
import zipfile

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join("fran-core", "src", "test", "resources", "interop")


class DoubleConv(nn.Module):
    def __init__(self, cin, cout, mid=None):
        super().__init__()
        mid = mid or cout
        self.double_conv = nn.Sequential(
            nn.Conv2d(cin, mid, 3, padding=1, bias=False), nn.BatchNorm2d(mid), nn.ReLU(inplace=True),
            nn.Conv2d(mid, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))

    def forward(self, x):
        return self.double_conv(x)


class Down(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.maxpool_conv = nn.Sequential(nn.MaxPool2d(2), DoubleConv(cin, cout))

    def forward(self, x):
        return self.maxpool_conv(x)


class Up(nn.Module):
    def __init__(self, cin, cout, bilinear):
        super().__init__()
        if bilinear:
            self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)
            self.conv = DoubleConv(cin, cout, cin // 2)
        else:
            self.up = nn.ConvTranspose2d(cin, cin // 2, 2, stride=2)
            self.conv = DoubleConv(cin, cout)

    def forward(self, x1, x2):
        x1 = self.up(x1)
        dy = x2.size()[2] - x1.size()[2]
        dx = x2.size()[3] - x1.size()[3]
        x1 = F.pad(x1, [dx // 2, dx - dx // 2, dy // 2, dy - dy // 2])
        return self.conv(torch.cat([x2, x1], dim=1))


class OutConv(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 1)

    def forward(self, x):
        return self.conv(x)


class UNet(nn.Module):
    def __init__(self, width=4, depth=2, bilinear=False, cin=5, cout=3):
        super().__init__()
        self.depth = depth
        factor = 2 if bilinear else 1
        self.inc = DoubleConv(cin, width)
        for i in range(1, depth + 1):
            w_in, w_out = width << (i - 1), width << i
            setattr(self, "down%d" % i, Down(w_in, w_out // factor if i == depth else w_out))
        for i in range(1, depth + 1):
            c = width << (depth - i + 1)
            out = (c // 2) // factor if i < depth else width
            setattr(self, "up%d" % i, Up(c, out, bilinear))
        self.outc = OutConv(width, cout)

    def forward(self, x):
        skips = [self.inc(x)]
        for i in range(1, self.depth + 1):
            skips.append(getattr(self, "down%d" % i)(skips[-1]))
        y = skips[-1]
        for i in range(1, self.depth + 1):
            y = getattr(self, "up%d" % i)(y, skips[self.depth - i])
        return self.outc(y)


def make_model(seed, width, depth, bilinear):
    torch.manual_seed(seed)
    m = UNet(width, depth, bilinear)
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, nn.BatchNorm2d):
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.normal_(0, 0.1)
                mod.running_mean.normal_(0, 0.1)
                mod.running_var.uniform_(0.5, 1.5)
                mod.num_batches_tracked.fill_(int(torch.randint(1, 10000, ())))
            elif isinstance(mod, (nn.Conv2d, nn.ConvTranspose2d)):
                # PyTorch's default init shrinks activations layer by layer, which leaves a nearly
                # constant output; larger weights make the delta vary across pixels (std ~0.5),
                # so that a misplaced pixel or a wrong up-sampling shows in the comparison.
                mod.weight.mul_(2.5)
    return m.eval()


def fixed_input(n, size):
    g = torch.Generator().manual_seed(1234)
    x = torch.rand(n, 5, size, size, generator=g)
    ages = [(20, 70), (65, 30), (35, 35)]
    for b in range(n):
        x[b, 3].fill_(ages[b % 3][0] / 100.0)
        x[b, 4].fill_(ages[b % 3][1] / 100.0)
    return x


def write_f32(name, t):
    t = t.detach().to(torch.float32).contiguous()
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(t.numpy().astype("<f4").tobytes())
    return {"file": name, "shape": list(t.shape)}


def save(obj, name, **kw):
    path = os.path.join(OUT, name)
    torch.save(obj, path, **kw)
    return path


def strided_state_dict(sd):
    """Same values, but every float tensor is a non-contiguous view or sits at a storage offset."""
    out = {}
    # One shared storage for all 1-d tensors, each at its own offset.
    vecs = [k for k, v in sd.items() if v.dim() == 1]
    shared = torch.cat([sd[k].reshape(-1) for k in vecs] + [torch.zeros(3)])
    pos = 0
    for k, v in sd.items():
        if v.dim() == 1:
            out[k] = shared[pos:pos + v.numel()]
            pos += v.numel()
        elif v.dim() == 4 and v.shape[2] == 3:
            # channels_last: strides (C*H*W, 1, W*C, C) over a permuted storage.
            out[k] = v.contiguous(memory_format=torch.channels_last)
        elif v.dim() == 4:
            # A transposed view of a (in, out, kh, kw)-ordered copy, plus a storage offset.
            p = v.permute(1, 0, 2, 3).contiguous()
            big = torch.cat([torch.full((7,), 9.0), p.reshape(-1)])
            out[k] = big[7:].view(p.shape).permute(1, 0, 2, 3)
        else:
            out[k] = v
    for k, v in out.items():
        assert torch.equal(v, sd[k]), k
    assert not out["outc.conv.weight"].is_contiguous()
    assert out["inc.double_conv.1.bias"].storage_offset() > 0
    return out


# --- hostile files -------------------------------------------------------------------------------

def zip_with(entries, name, compress=zipfile.ZIP_STORED):
    path = os.path.join(OUT, "hostile", name)
    with zipfile.ZipFile(path, "w", compress) as z:
        for n, data in entries:
            # A fixed time stamp keeps re-generated files identical.
            info = zipfile.ZipInfo(n, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = compress
            z.writestr(info, data)
    return path


def patch_sizes(path, entry, csize=None, usize=None):
    """Rewrites the sizes an entry declares in its local header and central directory record."""
    data = bytearray(open(path, "rb").read())
    nb = entry.encode()
    for sig, cpos, upos, name_len_pos, name_pos in ((b"PK\x03\x04", 18, 22, 26, 30),
                                                    (b"PK\x01\x02", 20, 24, 28, 46)):
        i = data.find(sig)
        while i >= 0:
            nlen = struct.unpack_from("<H", data, i + name_len_pos)[0]
            if data[i + name_pos:i + name_pos + nlen] == nb:
                if csize is not None:
                    struct.pack_into("<I", data, i + cpos, csize)
                if usize is not None:
                    struct.pack_into("<I", data, i + upos, usize)
            i = data.find(sig, i + 4)
    open(path, "wb").write(bytes(data))


def hostile(valid_pth):
    os.makedirs(os.path.join(OUT, "hostile"), exist_ok=True)
    version = ("archive/version", b"3\n")
    # Pickles that would run code if a real unpickler read them. Built by hand; never loaded.
    os_system = (b"\x80\x02cos\nsystem\nq\x00X\x0b\x00\x00\x00echo hackedq\x01\x85q\x02Rq\x03.")
    zip_with([("archive/data.pkl", os_system), version], "os_system.pth")
    load_from_bytes = (b"\x80\x02ctorch.storage\n_load_from_bytes\nq\x00"
                       b"C\x04abcd\x85R.")
    zip_with([("archive/data.pkl", load_from_bytes), version], "load_from_bytes.pth")
    # Protocol 4: STACK_GLOBAL of builtins.eval inside an otherwise plausible dict.
    stack_global = (b"\x80\x04}\x94\x8c\x01a\x94\x8c\x08builtins\x94\x8c\x04eval\x94\x93\x94"
                    b"\x8c\x031+1\x94\x85\x94R\x94s.")
    zip_with([("archive/data.pkl", stack_global), version], "stack_global_eval.pth")

    src = zipfile.ZipFile(valid_pth)
    names = src.namelist()
    prefix = names[0].split("/")[0] + "/"
    entries = [(n, src.read(n)) for n in names]

    # A zip bomb: 64 MiB of zeros deflated into ~64 KB, as the first storage.
    bomb = [(n, d) if n != prefix + "data/0" else (n, bytes(64 << 20)) for n, d in entries]
    zip_with(bomb, "zip_bomb.pth", zipfile.ZIP_DEFLATED)

    # An entry that inflates to 1 MiB while its headers declare its real 4 * numel bytes.
    storage0 = src.read(prefix + "data/0")
    lying = [(n, d) if n != prefix + "data/0" else (n, bytes(1 << 20)) for n, d in entries]
    p = zip_with(lying, "lying_size.pth", zipfile.ZIP_DEFLATED)
    patch_sizes(p, prefix + "data/0", usize=len(storage0))

    # An entry that inflates to fewer bytes than its headers declare.
    short = [(n, d) for n, d in entries]
    p = zip_with(short, "short_entry.pth", zipfile.ZIP_DEFLATED)
    patch_sizes(p, prefix + "data.pkl", usize=len(src.read(prefix + "data.pkl")) + 4096)

    zip_with(entries + [("../../../tmp/evil.sh", b"#!/bin/sh\necho pwned\n")],
             "path_traversal.pth")

    p = zip_with(entries, "huge_declared.pth")
    patch_sizes(p, prefix + "data.pkl", csize=0xFFFFFFF0, usize=0xFFFFFFF0)

    raw = open(valid_pth, "rb").read()
    open(os.path.join(OUT, "hostile", "truncated.pth"), "wb").write(raw[:len(raw) // 2])

    m = UNet(2, 1)
    torch.save(m.state_dict(), os.path.join(OUT, "hostile", "legacy.pth"),
               _use_new_zipfile_serialization=False)
    torch.jit.save(torch.jit.script(nn.Linear(2, 2)), os.path.join(OUT, "hostile", "torchscript.pt"))
    # torch.save(model): pickles the module's class (here __main__.UNet), not just tensors.
    torch.save(UNet(2, 1), os.path.join(OUT, "hostile", "whole_module.pth"))


def main():
    os.makedirs(OUT, exist_ok=True)
    manifest = {"torch": torch.__version__, "models": [], "onnx": []}
    x = fixed_input(2, 16)
    manifest["input"] = write_f32("input_2x5x16x16.f32", x)

    specs = [("unet_t_w4_d2", 11, 4, 2, False), ("unet_b_w4_d3", 12, 4, 3, True)]
    models = {}
    for name, seed, width, depth, bilinear in specs:
        m = make_model(seed, width, depth, bilinear)
        models[name] = m
        sd = m.state_dict()
        with torch.no_grad():
            y = m(x)
        common = {"width": width, "depth": depth,
                  "upsampling": "bilinear" if bilinear else "transposed"}
        out = write_f32(name + ".out.f32", y)
        save(sd, name + ".pth")
        # Independent checks of the values: sum (in float64) and first element of every tensor.
        sums = {k: [float(v.double().sum()), float(v.reshape(-1)[0])] for k, v in sd.items()}
        manifest["models"].append(dict(common, file=name + ".pth", kind="state_dict",
                                       dtype="F32", output=out, tolerance=1e-4, checksums=sums))

        if not bilinear:
            # Pickle protocol 4 (FRAME, MEMOIZE, SHORT_BINUNICODE, STACK_GLOBAL opcodes).
            save(sd, name + "_proto4.pth", pickle_protocol=4)
            manifest["models"].append(dict(common, file=name + "_proto4.pth", kind="state_dict",
                                           dtype="F32", output=out, tolerance=1e-4))

        strided = strided_state_dict(sd)
        save(strided, name + "_strided.pth")
        manifest["models"].append(dict(common, file=name + "_strided.pth", kind="strided",
                                       dtype="F32", output=out, tolerance=1e-4))

        # One checkpoint dict (the transposed model's) is enough and keeps the files small.
        if not bilinear:
            # The reference's checkpoint dict, with DataParallel names and real optimizer states.
            dp = nn.DataParallel(m)
            opt = torch.optim.Adam(dp.parameters(), lr=1e-4)
            sched = torch.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.9)
            for p in dp.parameters():
                opt.state[p] = {"step": torch.tensor(3.0), "exp_avg": torch.zeros_like(p),
                                "exp_avg_sq": torch.zeros_like(p)}
            # The discriminator's optimizer: a stand-in 4->1 conv keeps the file small.
            disc = nn.Conv2d(4, 1, 4)
            opt_d = torch.optim.Adam(disc.parameters(), lr=1e-5)
            sched_d = torch.optim.lr_scheduler.StepLR(opt_d, step_size=5, gamma=0.9)
            ckpt = {"epoch": 90, "model_state_dict": dp.state_dict(),
                    "optimizer_G_state_dict": opt.state_dict(),
                    "optimizer_D_state_dict": opt_d.state_dict(),
                    "scheduler_G_state_dict": sched.state_dict(),
                    "scheduler_D_state_dict": sched_d.state_dict()}
            assert next(iter(ckpt["model_state_dict"])).startswith("module.")
            save(ckpt, name + "_checkpoint.pth")
            manifest["models"].append(dict(common, file=name + "_checkpoint.pth", kind="checkpoint",
                                           dtype="F32", output=out, tolerance=1e-4, epoch=90))

        for dtype, tname in ((torch.float16, "F16"), (torch.bfloat16, "BF16")):
            low = {k: (v.to(dtype) if v.is_floating_point() else v) for k, v in sd.items()}
            fname = "%s_%s.pth" % (name, tname.lower())
            save(low, fname)
            # What Java computes: float32 arithmetic on the rounded weights ...
            m2 = make_model(seed, width, depth, bilinear)
            m2.load_state_dict({k: v.float() if v.is_floating_point() else v
                                for k, v in low.items()})
            with torch.no_grad():
                y2 = m2(x)
            o2 = write_f32("%s_%s.out.f32" % (name, tname.lower()), y2)
            # ... and how far rounding moves it from the fp32 model, to document the tolerance.
            drift = float((y2 - y).abs().max())
            manifest["models"].append(dict(common, file=fname, kind="state_dict", dtype=tname,
                                           output=o2, tolerance=1e-4, fp32_output=out,
                                           fp32_drift=drift))

    # ONNX exports with custom names: dynamic batch/height/width, and a fixed 1x5x16x16.
    m = models["unet_t_w4_d2"]
    path = os.path.join(OUT, "unet_t_w4_d2_dynamic.onnx")
    torch.onnx.export(m, x, path, input_names=["x"], output_names=["y"], opset_version=13,
                      dynamic_axes={"x": {0: "n", 2: "h", 3: "w"}, "y": {0: "n", 2: "h", 3: "w"}})
    x32 = fixed_input(1, 32)
    manifest["input_1x5x32x32"] = write_f32("input_1x5x32x32.f32", x32)
    with torch.no_grad():
        y32 = m(x32)
    manifest["onnx"].append({"file": "unet_t_w4_d2_dynamic.onnx", "input_name": "x",
                             "output_name": "y", "dynamic": True, "width": 4, "depth": 2,
                             "upsampling": "transposed",
                             "cases": [{"input": manifest["input"],
                                        "output": manifest["models"][0]["output"]},
                                       {"input": manifest["input_1x5x32x32"],
                                        "output": write_f32("unet_t_w4_d2.out32.f32", y32)}],
                             "tolerance": 1e-4})
    mb = models["unet_b_w4_d3"]
    x1 = x[:1].clone()
    path = os.path.join(OUT, "unet_b_w4_d3_fixed.onnx")
    torch.onnx.export(mb, x1, path, input_names=["image_and_ages"], output_names=["delta"],
                      opset_version=13)
    with torch.no_grad():
        y1 = mb(x1)
    manifest["onnx"].append({"file": "unet_b_w4_d3_fixed.onnx", "input_name": "image_and_ages",
                             "output_name": "delta", "dynamic": False, "width": 4, "depth": 3,
                             "upsampling": "bilinear",
                             "cases": [{"input": write_f32("input_1x5x16x16.f32", x1),
                                        "output": write_f32("unet_b_w4_d3.out1.f32", y1)}],
                             "tolerance": 1e-4})

    hostile(os.path.join(OUT, "unet_t_w4_d2.pth"))
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=False)
        f.write("\n")
    for root, _, files in os.walk(OUT):
        for fn in sorted(files):
            p = os.path.join(root, fn)
            print("%8d %s" % (os.path.getsize(p), p))


if __name__ == "__main__":
    sys.exit(main())
