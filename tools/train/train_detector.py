# SPDX-License-Identifier: AGPL-3.0-or-later
"""Train the CenterNet-style plate detector on procedural scenes.

  python train_detector.py --out CKPT [--steps N] [--threads 1]"""

import argparse
import os
import time

import torch
import torch.nn.functional as F

import chalknet
import data_det
import models
import schedule


def focal_loss(pred, gt):
    """CenterNet's penalty-reduced focal loss on a sigmoid heatmap."""
    pred = pred.clamp(1e-4, 1 - 1e-4)
    pos = gt.eq(1).float()
    neg = 1 - pos
    pos_loss = torch.log(pred) * (1 - pred) ** 2 * pos
    neg_loss = torch.log(1 - pred) * pred ** 2 * (1 - gt) ** 4 * neg
    n = pos.sum().clamp(min=1)
    return -(pos_loss.sum() + neg_loss.sum()) / n


def box_losses(reg_pred, reg_gt, mask):
    """Scale-aware corner losses at the supervised cells.

    The plain smooth-L1 on the regression channels is in units of 8 px cells: an error below one
    cell (15-30 % of a small plate's width) is nearly free, and nothing penalises a box that is too
    big as a whole. Here the decoded corners (centre offset + corner offsets) are compared relative
    to the truth box's width and height, and the axis-aligned box (min/max of the corners, what the
    reader crops and what recall is measured on) gets a GIoU loss. Returns (relative L1, 1 - GIoU)."""
    w = mask[:, 0]  # N×H×W, 0 / 0.5 / 1
    sel = w > 0
    if not sel.any():
        z = reg_pred.sum() * 0
        return z, z
    pp = reg_pred.permute(0, 2, 3, 1)[sel]  # K×10
    gg = reg_gt.permute(0, 2, 3, 1)[sel]
    ww = w[sel]
    pc = pp[:, None, 0:2] + pp[:, 2:].reshape(-1, 4, 2)  # corners relative to the cell
    gc = gg[:, None, 0:2] + gg[:, 2:].reshape(-1, 4, 2)
    gmin, gmax = gc.min(1).values, gc.max(1).values
    size = (gmax - gmin).clamp(min=0.5)  # K×2 (w, h) in cells
    rel = ((pc - gc).abs() / size[:, None, :]).mean((1, 2))
    pmin, pmax = pc.min(1).values, pc.max(1).values
    inter = (torch.minimum(pmax, gmax) - torch.maximum(pmin, gmin)).clamp(min=0).prod(1)
    pa = (pmax - pmin).clamp(min=0).prod(1)
    ga = size.prod(1)
    union = pa + ga - inter
    hull = (torch.maximum(pmax, gmax) - torch.minimum(pmin, gmin)).prod(1)
    giou = inter / union.clamp(min=1e-6) - (hull - union) / hull.clamp(min=1e-6)
    n = ww.sum().clamp(min=1)
    return (rel * ww).sum() / n, ((1 - giou) * ww).sum() / n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, help="steps to train (default 5000; with --minutes, no limit "
                    "but the clock)")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--minutes", type=float, default=0,
                    help="wall-clock budget: the learning rate follows elapsed time, so a shared, busy CPU "
                         "shortens the run instead of cutting it off at a high learning rate")
    ap.add_argument("--box-weight", type=float, default=1.0, help="weight of the scale-aware corner losses")
    ap.add_argument("--resume", help="a checkpoint (.pt, .pt.last) or the stem of exported files (…/Resources/detector)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--ema", type=float, default=0.0,
                    help="decay of an exponential moving average of the weights (and batch-norm statistics), "
                         "saved instead of the raw weights; 0 = off")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    net = models.detector()
    if a.resume and os.path.isfile(a.resume):  # a checkpoint (X.pt or X.pt.last); else an exported stem
        net.load_state_dict(torch.load(a.resume, weights_only=False)["model"])
    elif a.resume:
        it = iter(data_det.DetStream(seed=a.seed + 99))
        x0 = torch.stack([next(it)[0] for _ in range(32)])
        err = chalknet.warm_start_from_exported(net, a.resume, x0)
        print(f"warm start from {a.resume}: max abs diff {err:.2e}", flush=True)
    # bias the heatmap towards "no plate" at the start (CenterNet's prior)
    if not a.resume:
        with torch.no_grad():
            net.mods["heatmap"].bias.fill_(-2.19)
    dl = torch.utils.data.DataLoader(data_det.DetStream(seed=a.seed), batch_size=a.batch, num_workers=a.workers,
                                     persistent_workers=a.workers > 0, prefetch_factor=4 if a.workers else None)
    opt = torch.optim.AdamW(net.parameters(), lr=a.lr, weight_decay=1e-4)
    steps = a.steps or (1 << 40 if a.minutes > 0 else 5000)
    sched = schedule.Schedule(opt, a.lr, steps, a.minutes)
    ema = schedule.ema(net, a.ema)
    t0 = time.time()
    avg = None
    net.train()
    for step, (x, heat, reg, mask) in enumerate(dl, 1):
        out = net(x)
        lh = focal_loss(out["heatmap"], heat)
        lr_ = (F.smooth_l1_loss(out["regression"], reg, reduction="none") * mask).sum() / mask.sum().clamp(min=1) / 5
        lrel, lgiou = box_losses(out["regression"], reg, mask)
        loss = lh + lr_ + a.box_weight * (2 * lrel + lgiou)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 10.0)
        opt.step()
        sched.step()
        if ema is not None:
            ema.update_parameters(net)
        cur = (lh.item(), lr_.item(), lrel.item(), lgiou.item())
        avg = cur if avg is None else tuple(0.98 * p + 0.02 * c for p, c in zip(avg, cur))
        if step % 100 == 0:
            print(f"step {step} heat {avg[0]:.3f} reg {avg[1]:.3f} rel {avg[2]:.3f} 1-giou {avg[3]:.3f} lr {sched.lr:.2e} "
                  f"{time.time() - t0:.0f}s", flush=True)
        if step % 250 == 0 or sched.done():
            kept = ema.module if ema is not None else net
            torch.save({"model": kept.state_dict(), "step": step, "meta": {"train_steps": step, "ema": a.ema}}, a.out)
        if sched.done():
            break
    print("done", flush=True)


if __name__ == "__main__":
    main()
