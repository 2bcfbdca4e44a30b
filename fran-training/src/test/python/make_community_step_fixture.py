#!/usr/bin/env python3
"""Writes the PyTorch fixture of ONE community fine-tuning step (issue 12), which the Java
CommunityStepParityTest repeats with the DJL models.

Modules: the community U-Net and 4-channel PatchGAN of
fran-core/src/test/python/make_community_fixtures.py (written from the issue's architecture facts)
and the tiny VGG16-structured LPIPS of make_lpips_fixture.py (its committed weights file). The
step, as the SDK's community recipe defines it (one accumulation window of N micro-batches):

  for each micro-batch k (a slice of the batch):
      output = source + G([source, source age, target age])            (not clamped)
      D's parameters frozen (requires_grad False); D in train mode (batch statistics)
      g = L1(output, target) + 1.0 LPIPS(output, target) + 0.05 BCE(D([output, target age]), 1)
      (g / N).backward()
      D's parameters unfrozen
      d = BCE(D([output.detach(), target age]), 0) + 2 BCE(D([target, target age]), 1)
          + 0.5 BCE(D(m), 0) for m in (source, target age), (target, source age),
                                       (output.detach(), source age), (target, source age)
      (d / N).backward()
  Adam step on G and on D (lr 1e-5 each, betas 0.9 / 0.999, eps 1e-8: the community trainer's)

Gradients are thus averaged over the micro-batches, as PyTorch Lightning's
accumulate_grad_batches does. The math runs in float64 from the float32 weights.

Writes, under src/test/resources/fixtures/community-step/:
  g_w4.pth   the generator, width 4, depth 3, random weights (plain torch.save(state_dict))
  d_w4.pth   the discriminator, width 4, random weights and BatchNorm statistics
  step.safetensors  "source", "target" [2,3,32,32], "source_age", "target_age" [2] (years),
             "accumulate" [1], "lr" [1], per micro-batch k the losses "loss.<k>.{l1,lpips,adv,g,d}",
             "grad.g.<name>" and "grad.d.<name>" (averaged gradients before the Adam step),
             "after.g.<name>" and "after.d.<name>" (weights and running statistics after it).

Run from the repository root (needs Debian's python3-torch and python3-torchvision; CI never runs
this):  /usr/bin/python3 fran-training/src/test/python/make_community_step_fixture.py
"""
import json
import os
import struct
import sys

import torch
import torch.nn.functional as F
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "..", "fran-core", "src", "test", "python"))
from make_community_fixtures import CommunityUNet, PatchGan, bce, randomize  # noqa: E402
from make_lpips_fixture import TINY_CFG, lpips, write_safetensors  # noqa: E402

OUT = os.path.join(HERE, "..", "resources", "fixtures", "community-step")
LPIPS_FILE = os.path.join(HERE, "..", "resources", "lpips", "lpips-tiny-vgg16.safetensors")
LR = 1e-5
ACCUMULATE = 2


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        assert e["dtype"] == "F32", e
        a, b = e["data_offsets"]
        out[name] = torch.frombuffer(bytearray(data[a:b]), dtype=torch.float32).reshape(e["shape"])
    return out


def tiny_lpips():
    w = read_safetensors(LPIPS_FILE)
    features = torchvision.models.vgg.make_layers(TINY_CFG, batch_norm=False)
    with torch.no_grad():
        for i, m in enumerate(features):
            if isinstance(m, torch.nn.Conv2d):
                m.weight.copy_(w["features.%d.weight" % i])
                m.bias.copy_(w["features.%d.bias" % i])
    features = features.double().eval()
    for p in features.parameters():
        p.requires_grad_(False)
    lins = [w["lin%d.model.1.weight" % k].double() for k in range(5)]
    return lambda x0, x1: lpips(features, lins, x0, x1).mean()


def random_discriminator(width, gen):
    d = PatchGan(width)
    with torch.no_grad():
        for m in d.modules():
            if isinstance(m, torch.nn.Conv2d):
                m.weight.copy_(torch.randn(m.weight.shape, generator=gen)
                               * (2.0 / m.weight[0].numel()) ** 0.5)
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=gen))
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.copy_(0.5 + torch.rand(m.num_features, generator=gen))
                m.bias.copy_(0.2 * torch.randn(m.num_features, generator=gen))
                m.running_mean.copy_(0.2 * torch.randn(m.num_features, generator=gen))
                m.running_var.copy_(0.5 + torch.rand(m.num_features, generator=gen))
    return d


def as_double(sd):
    return {k: (v.double() if v.is_floating_point() else v) for k, v in sd.items()}


def main():
    os.makedirs(OUT, exist_ok=True)
    print("torch", torch.__version__)
    gen = torch.Generator().manual_seed(1212)
    g32 = CommunityUNet(4, 3)
    randomize(g32, gen, False)
    with torch.no_grad():  # a modest delta, as a generator that has been trained a little
        g32.final_conv.weight.mul_(0.1)
        g32.final_conv.bias.mul_(0.1)
    d32 = random_discriminator(4, gen)
    torch.save(g32.state_dict(), os.path.join(OUT, "g_w4.pth"))
    torch.save(d32.state_dict(), os.path.join(OUT, "d_w4.pth"))

    g = CommunityUNet(4, 3).double()
    g.load_state_dict(as_double(g32.state_dict()))
    d = PatchGan(4).double()
    d.load_state_dict(as_double(d32.state_dict()))
    g.train()
    d.train()
    lp = tiny_lpips()

    source = torch.rand(2, 3, 32, 32, generator=gen)
    target = (source + 0.1 * torch.randn(2, 3, 32, 32, generator=gen)).clamp(0, 1)
    source_age = torch.tensor([20.0, 65.0])
    target_age = torch.tensor([70.0, 30.0])
    opt_g = torch.optim.Adam(g.parameters(), lr=LR)
    opt_d = torch.optim.Adam(d.parameters(), lr=LR)

    def plane(ages):
        return (ages / 100.0).double().view(-1, 1, 1, 1).expand(-1, 1, 32, 32)

    cat = lambda img, age: torch.cat([img, age], dim=1)  # noqa: E731
    out = [("source", source), ("target", target), ("source_age", source_age),
           ("target_age", target_age), ("accumulate", torch.tensor([float(ACCUMULATE)])),
           ("lr", torch.tensor([LR]))]
    per = 2 // ACCUMULATE
    for k in range(ACCUMULATE):
        sl = slice(k * per, (k + 1) * per)
        src, tgt = source[sl].double(), target[sl].double()
        sa, ta = plane(source_age[sl]), plane(target_age[sl])
        output = src + g(torch.cat([src, sa, ta], dim=1))
        for p in d.parameters():
            p.requires_grad_(False)
        l1 = F.l1_loss(output, tgt)
        lpv = lp(output, tgt)
        adv = bce(d(cat(output, ta)), 1.0)
        gl = l1 + 1.0 * lpv + 0.05 * adv
        (gl / ACCUMULATE).backward()
        for p in d.parameters():
            p.requires_grad_(True)
        o = output.detach()
        dl = bce(d(cat(o, ta)), 0.0) + 2.0 * bce(d(cat(tgt, ta)), 1.0)
        for img, age in [(src, ta), (tgt, sa), (o, sa), (tgt, sa)]:
            dl = dl + 0.5 * bce(d(cat(img, age)), 0.0)
        (dl / ACCUMULATE).backward()
        for name, v in [("l1", l1), ("lpips", lpv), ("adv", adv), ("g", gl), ("d", dl)]:
            out.append(("loss.%d.%s" % (k, name), v.detach().float().reshape(1)))
        print("micro-batch %d: L1 %.6f LPIPS %.6f adv %.6f G %.6f D %.6f" % (
            k, l1.item(), lpv.item(), adv.item(), gl.item(), dl.item()))
    for prefix, model in [("g", g), ("d", d)]:
        for name, p in model.named_parameters():
            out.append(("grad.%s.%s" % (prefix, name), p.grad.float()))
        print("%s largest |grad| %.4g, smallest nonzero %.4g" % (
            prefix, max(p.grad.abs().max().item() for p in model.parameters()),
            min(p.grad.abs()[p.grad != 0].min().item() for p in model.parameters())))
    opt_g.step()
    opt_d.step()
    for prefix, model in [("g", g), ("d", d)]:
        for name, v in model.state_dict().items():
            if v.is_floating_point() and not name.endswith(".filt"):
                out.append(("after.%s.%s" % (prefix, name), v.float()))
    write_safetensors(os.path.join(OUT, "step.safetensors"), dict(out),
                      {"format": "fran.community-step-fixture"})
    for f in sorted(os.listdir(OUT)):
        print("%-20s %d bytes" % (f, os.path.getsize(os.path.join(OUT, f))))


if __name__ == "__main__":
    sys.exit(main())
