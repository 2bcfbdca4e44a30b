#!/usr/bin/env python3
"""Writes the PyTorch fixtures of the community U-Net family (the open "face_reaging"
re-implementation of FRAN) that the Java tests check every backend against.

The module below is written from the architecture facts of issue 12 (no code was copied):
a 5 -> 3 U-Net predicting an RGB delta, base width w, no BatchNorm, every conv with a bias,
LeakyReLU(0.01) after every 3x3 conv:
  init_conv           conv3x3(5, w), LReLU, conv3x3(w, w), LReLU
  downN.layer         MaxPool2d(2, stride 1), BlurPool(c, stride 2), conv3x3(c, 2c), LReLU,
                      conv3x3(2c, 2c), LReLU
  upN.blur_upsample   ConvTranspose2d(c, c/2, 2, stride 2), BlurPool(c/2, stride 1)
  upN.layer           conv3x3(c, c/2), LReLU, conv3x3(c/2, c/2), LReLU on cat([upsampled, skip])
  final_conv          conv1x1(w, 3)
  BlurPool            ReflectionPad2d(left 1, right 2, top 1, bottom 2), then a depthwise 4x4 conv
                      with the stored buffer `filt` [C, 1, 4, 4] ([1,3,3,1] x [1,3,3,1] / 64).
The released model has four levels; `depth` is a parameter here so that a second fixture stays
small (the names and every operation are the same at any depth).

Each case is saved exactly as the community saves its generator, a plain
`torch.save(model.state_dict())`, and writes, under src/test/resources/fixtures/community/:
  <case>.pth             the weights (random He-normal convs, random biases; one case perturbs
                         `filt` per channel so that a reader that assumes the standard filter fails)
  <case>.io.safetensors  "input.<H>x<W>" [N,5,H,W] and "output.<H>x<W>" [N,3,H,W] float32 (the
                         delta, computed in float64 from the float32 weights and inputs). Sizes that
                         are not a multiple of 2^depth are run the way ReAger runs them: replicate-
                         padded on the right and bottom up to the next multiple (and at least the
                         minimum size 2^(depth+1)), then cropped back. Their RGB values are k/255
                         and their age planes constant (input age 30, target 70) so that a test can
                         rebuild the image and go through ReAger itself.
  <case>.grad.safetensors  (width 8 only) one training step's gradients of mean(model(x) * r)
                         for fixed x and r, for the DJL model's backward pass.
  community_d_w8.pth     the community's 4-channel PatchGAN discriminator at width 8, and
  community_d_w8.io.safetensors  its logits (eval and train mode), the community D loss with its
                         gradients, and the generator's L1 and 0.05-weighted adversarial terms.

Needs torch (Debian: apt-get install -y python3-torch). Run from the repository root:
  /usr/bin/python3 fran-core/src/test/python/make_community_fixtures.py
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from make_reference_fixtures import write  # noqa: E402  (the struct/json safetensors writer)

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "community")


class BlurPool(nn.Module):
    def __init__(self, channels, stride):
        super().__init__()
        a = torch.tensor([1.0, 3.0, 3.0, 1.0])
        k = (a[:, None] * a[None, :]) / 64.0
        self.register_buffer("filt", k[None, None].repeat(channels, 1, 1, 1))
        self.stride = stride

    def forward(self, x):
        x = F.pad(x, [1, 2, 1, 2], mode="reflect")
        return F.conv2d(x, self.filt, stride=self.stride, groups=x.shape[1])


def conv3(cin, cout):
    return nn.Conv2d(cin, cout, 3, padding=1)


class Down(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.Sequential(
            nn.MaxPool2d(2, stride=1), BlurPool(c, 2),
            conv3(c, 2 * c), nn.LeakyReLU(0.01), conv3(2 * c, 2 * c), nn.LeakyReLU(0.01))

    def forward(self, x):
        return self.layer(x)


class Up(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.blur_upsample = nn.Sequential(nn.ConvTranspose2d(c, c // 2, 2, stride=2),
                                           BlurPool(c // 2, 1))
        self.layer = nn.Sequential(conv3(c, c // 2), nn.LeakyReLU(0.01),
                                   conv3(c // 2, c // 2), nn.LeakyReLU(0.01))

    def forward(self, x, skip):
        return self.layer(torch.cat([self.blur_upsample(x), skip], dim=1))


class CommunityUNet(nn.Module):
    def __init__(self, width, depth=4):
        super().__init__()
        self.depth = depth
        self.init_conv = nn.Sequential(conv3(5, width), nn.LeakyReLU(0.01),
                                       conv3(width, width), nn.LeakyReLU(0.01))
        for i in range(1, depth + 1):
            setattr(self, "down%d" % i, Down(width << (i - 1)))
        for i in range(1, depth + 1):
            setattr(self, "up%d" % i, Up(width << (depth - i + 1)))
        self.final_conv = nn.Conv2d(width, 3, 1)

    def forward(self, x):
        skips = [self.init_conv(x)]
        for i in range(1, self.depth + 1):
            skips.append(getattr(self, "down%d" % i)(skips[-1]))
        y = skips[-1]
        for i in range(1, self.depth + 1):
            y = getattr(self, "up%d" % i)(y, skips[self.depth - i])
        return self.final_conv(y)


def randomize(model, gen, perturb_filt):
    """He-normal convs and random biases, so that the delta varies clearly across pixels."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                fan_in = m.weight[0].numel() if isinstance(m, nn.Conv2d) else m.weight.shape[0] * 4
                m.weight.copy_(torch.randn(m.weight.shape, generator=gen) * (2.0 / fan_in) ** 0.5)
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=gen))
            if isinstance(m, BlurPool) and perturb_filt:
                m.filt.mul_(0.5 + torch.rand(m.filt.shape, generator=gen))


def padded(n, m, minimum):
    return max(-(-n // m) * m, minimum)


def run_like_reager(model, x, depth):
    """Replicate-pads right/bottom to a multiple of 2^depth (at least 2^(depth+1)), runs, crops."""
    h, w = x.shape[2], x.shape[3]
    m = 1 << depth
    ph, pw = padded(h, m, 2 * m), padded(w, m, 2 * m)
    xp = F.pad(x, [0, pw - w, 0, ph - h], mode="replicate") if (ph, pw) != (h, w) else x
    with torch.no_grad():
        return model(xp)[:, :, :h, :w]


def make_case(name, width, depth, sizes, batch, seed, perturb_filt=False):
    gen = torch.Generator().manual_seed(seed)
    model = CommunityUNet(width, depth)
    randomize(model, gen, perturb_filt)
    model.eval()
    path = os.path.join(OUT, name + ".pth")
    torch.save(model.state_dict(), path)
    n_params = sum(p.numel() for p in model.parameters())
    print("%-16s %d parameters, %d bytes" % (name, n_params, os.path.getsize(path)))

    ref = CommunityUNet(width, depth).double()
    ref.load_state_dict({k: v.double() for k, v in model.state_dict().items()})
    ref.eval()
    io = []
    for (h, w) in sizes:
        multiple = h % (1 << depth) == 0 and w % (1 << depth) == 0
        if multiple:
            x = torch.rand(batch, 5, h, w, generator=gen)
        else:
            x = torch.empty(batch, 5, h, w)
            x[:, :3] = torch.randint(0, 256, (batch, 3, h, w), generator=gen).float() / 255.0
            x[:, 3] = 0.30
            x[:, 4] = 0.70
        y64 = run_like_reager(ref, x.double(), depth)
        y32 = run_like_reager(model, x, depth)
        diff = (y64 - y32.double()).abs().max().item()
        spatial = y64.std(dim=(2, 3)).min().item()
        print("%-16s %2dx%-2d delta std %.4f, smallest per-channel spatial std %.4f, "
              "float32-vs-float64 %.2e" % (name, h, w, y64.std().item(), spatial, diff))
        assert spatial > 0.05, "output nearly constant in space: a weak oracle"
        io.append(("input.%dx%d" % (h, w), x))
        io.append(("output.%dx%d" % (h, w), y64.float()))
    write(os.path.join(OUT, name + ".io.safetensors"), io, {})


def make_gradients(name, size, seed):
    """One training step's gradients: loss = mean(model(x) * r) for fixed x and r, float64.
    Writes <case>.grad.safetensors: "input" [2,5,H,W], "r" [2,3,H,W], "output" and
    "grad.<parameter name>" for every trainable parameter (buffers have none)."""
    gen = torch.Generator().manual_seed(seed)
    sd = torch.load(os.path.join(OUT, name + ".pth"))
    depth = max(int(k[4]) for k in sd if k.startswith("down"))
    width = sd["init_conv.0.weight"].shape[0]
    model = CommunityUNet(width, depth).double()
    model.load_state_dict({k: v.double() for k, v in sd.items()})
    model.train()
    x = torch.rand(2, 5, size[0], size[1], generator=gen)
    r = torch.randn(2, 3, size[0], size[1], generator=gen)
    y = model(x.double())
    loss = (y * r.double()).mean()
    loss.backward()
    out = [("input", x), ("r", r), ("output", y.detach().float()),
           ("loss", loss.detach().float().reshape(1))]
    for k, p in model.named_parameters():
        out.append(("grad." + k, p.grad.float()))
    print("%-16s gradients: loss %.6f, largest |grad| %.4f" % (
        name, loss.item(), max(p.grad.abs().max().item() for p in model.parameters())))
    write(os.path.join(OUT, name + ".grad.safetensors"), out, {})


class PatchGan(nn.Module):
    """The community's 4-channel PatchGAN from the issue's facts: conv4x4 s2 (4 -> w), LReLU 0.2,
    conv4x4 s2 + BN + LReLU 0.2 (2w), conv4x4 s2 + BN + LReLU 0.2 (4w), conv4x4 s1 -> 1; padding 1
    everywhere and a bias on every conv (nn.Conv2d's default; the facts do not say). The module
    names (an nn.Sequential called `model`) are this script's choice: the Java loader maps any
    sequential naming by order."""

    def __init__(self, width):
        super().__init__()
        self.model = nn.Sequential(
            nn.Conv2d(4, width, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, stride=2, padding=1), nn.BatchNorm2d(2 * width),
            nn.LeakyReLU(0.2),
            nn.Conv2d(2 * width, 4 * width, 4, stride=2, padding=1), nn.BatchNorm2d(4 * width),
            nn.LeakyReLU(0.2),
            nn.Conv2d(4 * width, 1, 4, stride=1, padding=1))

    def forward(self, x):
        return self.model(x)


def bce(logits, label):
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, label))


def community_d_loss(d, out, src, tgt, src_age, tgt_age):
    """fake (output, target age) -> 0 weight 1; real (target, target age) -> 1 weight 2; four mock
    pairs -> 0 weight 0.5 each: (source, target age), (target, source age), (output, source age),
    (target, source age)."""
    cat = lambda img, age: torch.cat([img, age], dim=1)
    loss = bce(d(cat(out, tgt_age)), 0.0) + 2.0 * bce(d(cat(tgt, tgt_age)), 1.0)
    for img, age in [(src, tgt_age), (tgt, src_age), (out, src_age), (tgt, src_age)]:
        loss = loss + 0.5 * bce(d(cat(img, age)), 0.0)
    return loss


def make_discriminator(name, width, size, seed):
    """Writes <name>.pth (random weights, random BatchNorm statistics) and <name>.io.safetensors:
    the eval and train-mode logits for "input" [2,4,H,W]; for images "source", "target", "output"
    [2,3,H,W] and ages "source_age", "target_age" [2,1,H,W] the community D loss (train mode, batch
    statistics) "d_loss", its gradients "grad.<name>", and "g_adv" = 0.05 * BCE(D(output, target
    age), 1) and "g_l1" = L1(output, target) (float64)."""
    gen = torch.Generator().manual_seed(seed)
    d = PatchGan(width)
    with torch.no_grad():
        for m in d.modules():
            if isinstance(m, nn.Conv2d):
                fan_in = m.weight[0].numel()
                m.weight.copy_(torch.randn(m.weight.shape, generator=gen) * (2.0 / fan_in) ** 0.5)
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=gen))
            if isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(0.5 + torch.rand(m.num_features, generator=gen))
                m.bias.copy_(0.2 * torch.randn(m.num_features, generator=gen))
                m.running_mean.copy_(0.2 * torch.randn(m.num_features, generator=gen))
                m.running_var.copy_(0.5 + torch.rand(m.num_features, generator=gen))
    torch.save(d.state_dict(), os.path.join(OUT, name + ".pth"))
    ref = PatchGan(width).double()
    ref.load_state_dict({k: (v.double() if v.is_floating_point() else v)
                         for k, v in d.state_dict().items()})
    h, w = size
    x = torch.rand(2, 4, h, w, generator=gen)
    ref.eval()
    with torch.no_grad():
        y_eval = ref(x.double())
    ref.train()
    with torch.no_grad():
        y_train = ref(x.double())
    ref.load_state_dict({k: (v.double() if v.is_floating_point() else v)
                         for k, v in d.state_dict().items()})  # undo the running-stat update
    src = torch.rand(2, 3, h, w, generator=gen)
    tgt = torch.rand(2, 3, h, w, generator=gen)
    out = torch.rand(2, 3, h, w, generator=gen)
    src_age = torch.full((2, 1, h, w), 0.25)
    tgt_age = torch.full((2, 1, h, w), 0.65)
    ref.train()
    d_loss = community_d_loss(ref, out.double(), src.double(), tgt.double(), src_age.double(),
                              tgt_age.double())
    d_loss.backward()
    ref.load_state_dict({k: (v.double() if v.is_floating_point() else v)
                         for k, v in d.state_dict().items()})
    ref.eval()
    with torch.no_grad():
        g_adv = 0.05 * bce(ref(torch.cat([out, tgt_age], 1).double()), 1.0)
    g_l1 = F.l1_loss(out.double(), tgt.double())
    io = [("input", x), ("eval", y_eval.float()), ("train", y_train.float()),
          ("source", src), ("target", tgt), ("output", out), ("source_age", src_age),
          ("target_age", tgt_age), ("d_loss", d_loss.detach().float().reshape(1)),
          ("g_adv", g_adv.float().reshape(1)), ("g_l1", g_l1.float().reshape(1))]
    for k, p in ref.named_parameters():
        io.append(("grad." + k, p.grad.float()))
    print("%-16s logits %s, d_loss %.6f, g_adv %.6f" % (name, tuple(y_eval.shape),
                                                       d_loss.item(), g_adv.item()))
    write(os.path.join(OUT, name + ".io.safetensors"), io, {})


def main():
    os.makedirs(OUT, exist_ok=True)
    print("torch", torch.__version__)
    # The released architecture (four levels) at width 4, with the standard filter.
    make_case("community_w4", 4, 4, [(32, 32), (72, 56)], 1, 11)
    # Width 8 with two levels (keeps the file small) and a perturbed `filt` in every BlurPool.
    make_case("community_w8_d2", 8, 2, [(16, 24), (18, 14)], 2, 13, perturb_filt=True)
    make_gradients("community_w8_d2", (16, 24), 14)
    make_discriminator("community_d_w8", 8, (32, 32), 15)


if __name__ == "__main__":
    sys.exit(main())
