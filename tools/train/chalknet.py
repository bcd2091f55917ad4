# SPDX-License-Identifier: AGPL-3.0-or-later
"""A tiny graph network defined by a layer list, trainable in PyTorch and exportable
in the chalkline-nn format (FORMAT.md). Every model of the pipeline is built from here,
so what trains is exactly what the Swift runtime runs."""

import json
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

ACTS = {"none", "relu", "relu6", "leaky_relu", "sigmoid"}


def _act(x, name, slope=0.1):
    if name == "relu":
        return F.relu(x)
    if name == "relu6":
        return F.relu6(x)
    if name == "leaky_relu":
        return F.leaky_relu(x, slope)
    if name == "sigmoid":
        return torch.sigmoid(x)
    return x


class ChalkNet(nn.Module):
    """layers: list of dicts as in FORMAT.md plus training-only keys ("bn": bool)."""

    def __init__(self, name, input_spec, layers, outputs, meta):
        super().__init__()
        self.name = name
        self.input_spec = input_spec
        self.specs = layers
        self.outputs = outputs
        self.meta = meta
        self.mods = nn.ModuleDict()
        self.bns = nn.ModuleDict()
        for s in layers:
            if s["op"] == "conv2d":
                self.mods[s["name"]] = nn.Conv2d(
                    s["in_channels"], s["out_channels"], tuple(s["kernel"]), tuple(s["stride"]),
                    tuple(s["padding"]), groups=s.get("groups", 1), bias=not s.get("bn", False))
                if s.get("bn", False):
                    self.bns[s["name"]] = nn.BatchNorm2d(s["out_channels"])
            elif s["op"] == "linear":
                self.mods[s["name"]] = nn.Linear(s["in_features"], s["out_features"])

    def forward(self, x, return_all=False):
        """x: N×C×H×W, already normalized. Returns a dict of the output tensors."""
        t = {"input": x}
        prev = "input"
        for s in self.specs:
            n, op = s["name"], s["op"]
            src = t[s.get("input", prev)]
            if op == "conv2d":
                y = self.mods[n](src)
                if n in self.bns:
                    y = self.bns[n](y)
                y = _act(y, s.get("activation", "none"), s.get("slope", 0.1))
            elif op == "maxpool2d":
                y = F.max_pool2d(src, s["kernel"], s["stride"], s["padding"])
            elif op == "avgpool2d":
                y = F.avg_pool2d(src, s["kernel"], s["stride"], s["padding"], count_include_pad=False)
            elif op == "relu":
                y = F.relu(src)
            elif op == "sigmoid":
                y = torch.sigmoid(src)
            elif op == "add":
                a, b = s["inputs"]
                y = t[a] + t[b]
            elif op == "concat":
                y = torch.cat([t[i] for i in s["inputs"]], dim=1)
            elif op == "upsample_nearest":
                y = F.interpolate(src, scale_factor=s["scale"], mode="nearest")
            elif op == "mean_h":
                y = src.mean(dim=2, keepdim=True)
            elif op == "fold_h":
                y = src.reshape(src.shape[0], src.shape[1] * src.shape[2], 1, src.shape[3])
            elif op == "linear":
                # N×C×1×W -> per column
                z = src.permute(0, 2, 3, 1)
                z = self.mods[n](z)
                y = _act(z.permute(0, 3, 1, 2), s.get("activation", "none"), s.get("slope", 0.1))
            else:
                raise ValueError(f"unknown op {op}")
            t[n] = y
            prev = n
        if return_all:
            return t
        return {o: t[o] for o in self.outputs}

    # -- export -------------------------------------------------------------------------

    def folded_params(self, s):
        """(weight, bias) of a conv/linear layer with batch norm folded in."""
        m = self.mods[s["name"]]
        w = m.weight.detach().double()
        b = m.bias.detach().double() if m.bias is not None else torch.zeros(w.shape[0], dtype=torch.float64)
        if s["name"] in self.bns:
            bn = self.bns[s["name"]]
            scale = bn.weight.detach().double() / torch.sqrt(bn.running_var.double() + bn.eps)
            w = w * scale.view(-1, 1, 1, 1)
            b = (b - bn.running_mean.double()) * scale + bn.bias.detach().double()
        return w.float(), b.float()

    def export(self, stem):
        """Write stem.json and stem.bin (FORMAT.md, version 1)."""
        floats = []
        layers = []
        for s in self.specs:
            d = {k: v for k, v in s.items() if k != "bn"}
            if s["op"] in ("conv2d", "linear"):
                w, b = self.folded_params(s)
                d["weight_offset"] = len(floats)
                floats.extend(w.flatten().tolist())
                d["bias_offset"] = len(floats)
                floats.extend(b.flatten().tolist())
                d.setdefault("activation", "none")
                if s["op"] == "conv2d":
                    d.setdefault("groups", 1)
            layers.append(d)
        desc = {
            "format": "chalkline-nn", "version": 1, "name": self.name,
            "input": self.input_spec, "layers": layers, "outputs": self.outputs, "meta": self.meta,
            "parameter_count": len(floats),
        }
        with open(stem + ".json", "w") as f:
            json.dump(desc, f, indent=1)
            f.write("\n")
        with open(stem + ".bin", "wb") as f:
            f.write(struct.pack("<%df" % len(floats), *floats))
        return len(floats)


def load_exported(stem):
    """Rebuild a ChalkNet from exported files (biases only, no BN) — for checking exports."""
    with open(stem + ".json") as f:
        desc = json.load(f)
    with open(stem + ".bin", "rb") as f:
        raw = f.read()
    params = torch.tensor(struct.unpack("<%df" % (len(raw) // 4), raw))
    net = ChalkNet(desc["name"], desc["input"], desc["layers"], desc["outputs"], desc["meta"])
    with torch.no_grad():
        for s in desc["layers"]:
            if s["op"] in ("conv2d", "linear"):
                m = net.mods[s["name"]]
                n = m.weight.numel()
                m.weight.copy_(params[s["weight_offset"]:s["weight_offset"] + n].view_as(m.weight))
                if s["bias_offset"] >= 0:
                    m.bias.copy_(params[s["bias_offset"]:s["bias_offset"] + m.bias.numel()])
    return net.eval()


def warm_start_from_exported(net, stem, calib_x):
    """Load exported weights (batch norm folded in, FORMAT.md) into a trainable net, so a training run
    can start from the shipped models on any machine. A layer with batch norm gets the folded weight
    and a batch norm that, in eval mode, adds the folded bias exactly; its statistics and scale come
    from one training-mode pass over calib_x (N×C×H×W, normalized), so that in training mode too the
    net starts out computing what the exported one does on batches like calib_x."""
    src = load_exported(stem)
    with torch.no_grad():
        for s in net.specs:
            if s["op"] not in ("conv2d", "linear"):
                continue
            n = s["name"]
            net.mods[n].weight.copy_(src.mods[n].weight)
            if n not in net.bns:
                net.mods[n].bias.copy_(src.mods[n].bias)
    folded_bias = {n: src.mods[n].bias.detach().clone() for n in net.bns}

    def hook(name):
        def run(module, inputs, z):
            bn = net.bns[name]
            mean = z.mean((0, 2, 3))
            var = z.var((0, 2, 3), unbiased=False)
            bn.running_mean.copy_(mean)
            bn.running_var.copy_(var)
            bn.weight.copy_(torch.sqrt(var + bn.eps))
            bn.bias.copy_(mean + folded_bias[name])
        return run

    handles = [net.mods[n].register_forward_hook(hook(n)) for n in net.bns]
    net.train()
    with torch.no_grad():
        ours = net(calib_x)
    for h in handles:
        h.remove()
    net.eval()
    with torch.no_grad():
        theirs = src(calib_x)
        ours_eval = net(calib_x)
    err = max(max((ours[k] - theirs[k]).abs().max().item(), (ours_eval[k] - theirs[k]).abs().max().item())
              for k in theirs)
    net.train()
    return err


def normalize(x, input_spec):
    return (x - input_spec["mean"]) / input_spec["std"]


def write_golden(net, stem, shapes, seed=1234):
    """Fixed seeded inputs (luma in [0,1], before mean/std) and the outputs for them."""
    net.eval()
    g = torch.Generator().manual_seed(seed)
    cases = []
    for i, (c, h, w) in enumerate(shapes):
        if i % 2 == 0:
            x = torch.rand(1, c, h, w, generator=g)
        else:  # smooth pattern with edges: closer to an image than white noise
            yy, xx = torch.meshgrid(torch.linspace(0, 1, h), torch.linspace(0, 1, w), indexing="ij")
            x = (0.5 + 0.4 * torch.sin(xx * 17 + yy * 5) * torch.cos(yy * 9)).clamp(0, 1)
            x = ((x + 0.1 * torch.rand(h, w, generator=g)).clamp(0, 1)).view(1, 1, h, w).expand(1, c, h, w)
        x = torch.round(x * 255) / 255  # exactly what an 8-bit luma image gives
        with torch.no_grad():
            out = net(normalize(x, net.input_spec))

        def pack(t):
            t = t[0]
            return [t.shape[0], t.shape[1], t.shape[2], [float("%.7g" % v) for v in t.flatten().tolist()]]

        cases.append({"input": pack(x), "outputs": {k: pack(v) for k, v in out.items()}})
    with open(stem + ".golden.json", "w") as f:
        json.dump({"model": net.name, "input_is": "luma in [0,1] before (x - mean) / std",
                   "tolerance": 1e-3, "cases": cases}, f)
        f.write("\n")
