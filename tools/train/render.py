# SPDX-License-Identifier: AGPL-3.0-or-later
"""Synthetic US licence plates: layouts of many states, Debian fonts, frames, slogans, stacked
characters, stickers; and the photometric degradations of a street camera."""

import glob
import math
import random

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

PLATE_W, PLATE_H = 320, 160  # canonical 12"×6" plate, 2:1 like the real crops

FONT_DIRS = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation",
             "/usr/share/fonts/truetype/freefont", "/usr/share/fonts/opentype/urw-base35"]
# Fonts for the registration characters: plate lettering is a bold, often condensed sans.
MAIN_FONT_NAMES = [
    "DejaVuSansCondensed-Bold.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono-Bold.ttf", "DejaVuSansCondensed.ttf",
    "LiberationSansNarrow-Bold.ttf", "LiberationSans-Bold.ttf", "LiberationMono-Bold.ttf",
    "LiberationSansNarrow-Regular.ttf", "FreeSansBold.ttf", "FreeMonoBold.ttf", "NimbusSansNarrow-Bold.otf",
    "NimbusSans-Bold.otf", "NimbusSansNarrow-Regular.otf", "URWGothic-Demi.otf", "NimbusMonoPS-Bold.otf",
    "DejaVuSansMono.ttf", "LiberationSerif-Bold.ttf",
]
LETTERS = "ABCDEFGHIJKLMNPQRSTUVWXYZ"  # O is written as 0 in the ground truth, see MODEL.md
DIGITS = "0123456789"
# A few common state formats (L letter, 9 digit, space/dash/dot = separator) and free forms.
FORMATS = [
    "9LLL999", "9LLL999", "9LLL999", "LLL9999", "LLL-9999", "LLL 9999", "LLL999", "LLL 999", "LLL-999",
    "999LLL", "999 LLL", "999-LLL", "LL9 L999", "LLL L99", "999 9999", "LL 99999", "9LL L99", "LL9-99L",
    "99L 999", "LL99999", "999L999", "L99 9LL", "LLL 99L", "9999LL", "99LL99", "L999999", "LL 9999",
    "LLL-L999", "9 L 99999", "LLLLLL", "LLLLL", "LLLLLLL", "LL999L", "999999", "99999L", "L 99999",
    "LL-9999", "LLLL999", "9999", "L99LL", "99 LLL9",
]
STATES = ["ALABAMA", "ALASKA", "ARIZONA", "California", "COLORADO", "Florida", "GEORGIA", "Illinois", "INDIANA",
          "Kansas", "KENTUCKY", "Louisiana", "MARYLAND", "Massachusetts", "Michigan", "MINNESOTA", "Missouri",
          "NEVADA", "New Jersey", "NEW YORK", "North Carolina", "OHIO", "Oregon", "PENNSYLVANIA", "Texas",
          "TENNESSEE", "UTAH", "Virginia", "WASHINGTON", "Wisconsin", "DELAWARE", "IOWA", "NEW MEXICO", "Vermont"]
SLOGANS = ["THE FIRST STATE", "Sunshine State", "Land of Lincoln", "Garden State", "The Lone Star State",
           "LIVE FREE OR DIE", "Empire State", "America's Dairyland", "Great Lakes", "visitPA.com", "DMV.CA.GOV",
           "Grand Canyon State", "The Silver State", "In God We Trust", "10,000 Lakes", "Celebrating Statehood",
           "The Spirit of America", "First in Flight", "Famous Potatoes", "Sportsman's Paradise", "Wild Wonderful",
           "COUNTY", "JACKSON", "DAVIDSON", "Land of Enchantment", "Centennial", "Beautiful", "SHOW ME STATE"]


def _fonts(names):
    out = []
    for n in names:
        for d in FONT_DIRS:
            p = f"{d}/{n}"
            if glob.glob(p):
                out.append(p)
    return out


MAIN_FONTS = _fonts(MAIN_FONT_NAMES)
ALL_FONTS = sorted(glob.glob("/usr/share/fonts/truetype/*/*.ttf") + glob.glob("/usr/share/fonts/opentype/*/*.otf"))
ALL_FONTS = [f for f in ALL_FONTS if "Math" not in f and "Symbol" not in f and "D050000L" not in f
             and "lyx" not in f and "Z003" not in f]
_font_cache = {}


def font(path, size):
    k = (path, size)
    if k not in _font_cache:
        _font_cache[k] = ImageFont.truetype(path, size)
    return _font_cache[k]


# The reader's commonest misreads (MODEL.md: 8/B, 5/S, 0/Q/D, U/V, T/I, 4/A, H/4, L/1, 7/I): with
# probability CONFUSABLE_RATE a character is drawn from these instead of the whole alphabet, so the
# synthetic plates show the pairs more often (train_recognizer.py --confusable; 0 = off).
CONFUSABLE_LETTERS = "BSQDUVTIAHL"
CONFUSABLE_DIGITS = "8501471"
CONFUSABLE_RATE = 0.0


def random_text(rng):
    fmt = rng.choice(FORMATS)
    chars, label = [], ""
    for c in fmt:
        hard = CONFUSABLE_RATE > 0 and rng.random() < CONFUSABLE_RATE
        if c == "L":
            ch = rng.choice(CONFUSABLE_LETTERS if hard else LETTERS)
        elif c == "9":
            ch = rng.choice(CONFUSABLE_DIGITS if hard else DIGITS)
        else:
            ch = c
        chars.append(ch)
        if ch.isalnum():
            label += ch
    sep_style = rng.random()
    text = "".join(chars)
    if sep_style < 0.2:
        text = text.replace("-", " ")
    elif sep_style < 0.3:
        text = text.replace(" ", "·").replace("-", "·")
    return text, label


def _rand_color(rng, light):
    if light:
        return tuple(int(rng.uniform(170, 255)) for _ in range(3))
    return tuple(int(rng.uniform(0, 110)) for _ in range(3))


def _palette(rng):
    r = rng.random()
    if r < 0.55:  # light background, dark text (most states)
        bg = _rand_color(rng, True)
        fg = rng.choice([(10, 20, 90), (15, 15, 15), (120, 10, 20), (10, 70, 30), _rand_color(rng, False)])
    elif r < 0.75:  # coloured background (yellow, light blue, orange)
        bg = rng.choice([(240, 200, 40), (150, 200, 235), (245, 170, 60), (200, 230, 200), (230, 230, 160)])
        fg = rng.choice([(15, 15, 60), (20, 20, 20), (100, 20, 20)])
    else:  # dark background, light text
        bg = rng.choice([(20, 40, 110), (20, 90, 60), (30, 30, 30), (90, 20, 30), _rand_color(rng, False)])
        fg = rng.choice([(245, 245, 245), (240, 200, 40), (250, 250, 200), _rand_color(rng, True)])
    return bg, fg


def _background(rng, bg, fg):
    img = Image.new("RGB", (PLATE_W, PLATE_H), bg)
    d = ImageDraw.Draw(img, "RGBA")
    # scenic graphics: soft bands, hills, sun, a big logo
    for _ in range(rng.randint(0, 4)):
        col = _rand_color(rng, rng.random() < 0.5) + (int(rng.uniform(30, 140)),)
        k = rng.random()
        if k < 0.35:
            y = rng.uniform(0, PLATE_H)
            h = rng.uniform(5, 60)
            d.rectangle([0, y, PLATE_W, y + h], fill=col)
        elif k < 0.7:
            cx, cy, r = rng.uniform(0, PLATE_W), rng.uniform(0, PLATE_H), rng.uniform(15, 90)
            d.ellipse([cx - r, cy - r * rng.uniform(0.3, 1), cx + r, cy + r * rng.uniform(0.3, 1)], fill=col)
        else:
            pts = [(rng.uniform(0, PLATE_W), rng.uniform(PLATE_H * 0.3, PLATE_H)) for _ in range(rng.randint(3, 6))]
            d.polygon(pts, fill=col)
    if rng.random() < 0.3:  # vertical gradient
        a = np.array(img).astype(np.float32)
        g = np.linspace(rng.uniform(0.75, 1.1), rng.uniform(0.75, 1.1), PLATE_H)[:, None, None]
        img = Image.fromarray(np.clip(a * g, 0, 255).astype(np.uint8))
    return img


def _draw_text_fit(d, box, text, fpath, fill, stroke=0, stroke_fill=None, anchor_center=True):
    """Draw text scaled to fit box (x0,y0,x1,y1) by height, squeezed by width if needed."""
    x0, y0, x1, y1 = box
    bw, bh = x1 - x0, y1 - y0
    size = max(6, int(bh * 1.25))
    f = font(fpath, size)
    bb = d.textbbox((0, 0), text, font=f, stroke_width=stroke)
    tw, th = bb[2] - bb[0], bb[3] - bb[1]
    if th <= 0 or tw <= 0:
        return
    # render on a temporary layer so the text can be stretched to the box
    layer = Image.new("L", (tw + 4, th + 4), 0)
    ImageDraw.Draw(layer).text((2 - bb[0], 2 - bb[1]), text, font=f, fill=255, stroke_width=stroke, stroke_fill=255)
    scale_h = bh / th
    new_w = int(tw * scale_h)
    if new_w > bw:
        new_w = bw
    new_w = max(1, new_w)
    layer = layer.resize((new_w, max(1, int(bh))), Image.BILINEAR)
    ox = x0 + (bw - new_w) // 2 if anchor_center else x0
    return layer, (int(ox), int(y0))


def render_plate(rng, text=None, label=None):
    """A clean plate image (RGB, PLATE_W×PLATE_H) and its label (characters only, O→0)."""
    if text is None:
        text, label = random_text(rng)
    bg, fg = _palette(rng)
    img = _background(rng, bg, fg)
    d = ImageDraw.Draw(img, "RGBA")
    main_font = rng.choice(MAIN_FONTS)
    # main characters
    top = rng.uniform(0.22, 0.36) * PLATE_H
    height = rng.uniform(0.38, 0.52) * PLATE_H
    margin = rng.uniform(0.03, 0.1) * PLATE_W
    x0, x1 = margin, PLATE_W - margin
    stacked = rng.random() < 0.2
    if stacked:  # small stacked characters at the left or right of the text, not in the label
        sw = PLATE_W * 0.07
        if rng.random() < 0.5:
            sx, x0 = x0, x0 + sw + 4
        else:
            sx, x1 = x1 - sw, x1 - sw - 4
        pair = rng.choice(LETTERS) + rng.choice(LETTERS + DIGITS)
        for i, ch in enumerate(pair):
            r = _draw_text_fit(d, (int(sx), int(top + i * height / 2), int(sx + sw), int(top + (i + 1) * height / 2 - 2)),
                               ch, main_font, fg)
            if r:
                img.paste(Image.new("RGB", r[0].size, fg), r[1], r[0])
    # text may not fill the width (short plates)
    fill = rng.uniform(0.7, 1.0)
    w = (x1 - x0) * fill * min(1.0, 0.2 + 0.12 * len(text))
    cx = (x0 + x1) / 2 + rng.uniform(-0.5, 0.5) * ((x1 - x0) - w)
    stroke = rng.choice([0, 0, 0, 1, 2])
    r = _draw_text_fit(d, (int(cx - w / 2), int(top), int(cx + w / 2), int(top + height)), text, main_font, fg, stroke)
    if r:
        layer, pos = r
        if rng.random() < 0.3:  # embossed shadow
            sh = tuple(max(0, c - 90) for c in bg)
            img.paste(Image.new("RGB", layer.size, sh), (pos[0] + 2, pos[1] + 2), layer)
        img.paste(Image.new("RGB", layer.size, fg), pos, layer)
    # state name on top
    if rng.random() < 0.85:
        st = rng.choice(STATES)
        if rng.random() < 0.3:
            st = st.upper()
        h = rng.uniform(0.1, 0.2) * PLATE_H
        col = rng.choice([fg, (180, 20, 30), (20, 40, 120), _rand_color(rng, sum(bg) < 300)])
        ww = rng.uniform(0.3, 0.75) * PLATE_W
        r = _draw_text_fit(d, (int(PLATE_W / 2 - ww / 2), int(rng.uniform(0.02, 0.06) * PLATE_H),
                               int(PLATE_W / 2 + ww / 2), int(rng.uniform(0.02, 0.06) * PLATE_H + h)),
                           st, rng.choice(ALL_FONTS), col)
        if r:
            img.paste(Image.new("RGB", r[0].size, col), r[1], r[0])
    # slogan / county at the bottom
    if rng.random() < 0.75:
        sl = rng.choice(SLOGANS)
        h = rng.uniform(0.07, 0.14) * PLATE_H
        col = rng.choice([fg, (180, 20, 30), (20, 40, 120), _rand_color(rng, sum(bg) < 300)])
        ww = rng.uniform(0.3, 0.8) * PLATE_W
        yb = PLATE_H * rng.uniform(0.8, 0.9)
        r = _draw_text_fit(d, (int(PLATE_W / 2 - ww / 2), int(yb), int(PLATE_W / 2 + ww / 2), int(yb + h)),
                           sl, rng.choice(ALL_FONTS), col)
        if r:
            img.paste(Image.new("RGB", r[0].size, col), r[1], r[0])
    # stickers in the corners
    for _ in range(rng.choice([0, 0, 1, 1, 2])):
        sw, sh = rng.uniform(25, 45), rng.uniform(18, 30)
        sx = rng.choice([rng.uniform(4, 20), PLATE_W - sw - rng.uniform(4, 20)])
        sy = rng.choice([rng.uniform(4, 15), PLATE_H - sh - rng.uniform(4, 15)])
        col = _rand_color(rng, rng.random() < 0.5)
        d.rectangle([sx, sy, sx + sw, sy + sh], fill=col)
        r = _draw_text_fit(d, (int(sx + 2), int(sy + 2), int(sx + sw - 2), int(sy + sh - 2)),
                           rng.choice(["12", "05", "MAY", "JUN", "2014", "10", "AUG"]), rng.choice(ALL_FONTS),
                           (255, 255, 255) if sum(col) < 300 else (0, 0, 0))
        if r:
            img.paste(Image.new("RGB", r[0].size, (255, 255, 255) if sum(col) < 300 else (0, 0, 0)), r[1], r[0])
    # bolt holes
    if rng.random() < 0.5:
        for hx in (PLATE_W * 0.25, PLATE_W * 0.75):
            for hy in (PLATE_H * 0.1, PLATE_H * 0.9):
                if rng.random() < 0.6:
                    d.ellipse([hx - 5, hy - 4, hx + 5, hy + 4], fill=(60, 60, 60, 200))
    # border and dealer frame
    if rng.random() < 0.6:
        bw = rng.randint(1, 6)
        d.rounded_rectangle([bw // 2, bw // 2, PLATE_W - 1 - bw // 2, PLATE_H - 1 - bw // 2], radius=rng.randint(0, 14),
                            outline=rng.choice([fg, (0, 0, 0), (120, 120, 120)]), width=bw)
    if rng.random() < 0.25:
        fcol = rng.choice([(15, 15, 15), (200, 200, 200), (120, 90, 40)])
        t = rng.uniform(6, 14)
        b = rng.uniform(10, 26)
        d.rectangle([0, 0, PLATE_W, t], fill=fcol)
        d.rectangle([0, PLATE_H - b, PLATE_W, PLATE_H], fill=fcol)
        d.rectangle([0, 0, rng.uniform(3, 10), PLATE_H], fill=fcol)
        d.rectangle([PLATE_W - rng.uniform(3, 10), 0, PLATE_W, PLATE_H], fill=fcol)
        if rng.random() < 0.6:
            col = (255, 255, 255) if sum(fcol) < 300 else (0, 0, 0)
            r = _draw_text_fit(d, (40, int(PLATE_H - b + 2), PLATE_W - 40, int(PLATE_H - 2)),
                               rng.choice(["AUTO MALL", "HONDA OF SPRINGFIELD", "TOYOTA", "www.dealer.com", "FORD"]),
                               rng.choice(ALL_FONTS), col)
            if r:
                img.paste(Image.new("RGB", r[0].size, col), r[1], r[0])
    return img, label


# ---- degradations ---------------------------------------------------------------------

def degrade(rng, g):
    """Photometric damage on a float32 luma image in [0,255] (any size); returns float32."""
    h, w = g.shape
    if rng.random() < 0.3:  # dirt: dark smudges
        for _ in range(rng.randint(1, 6)):
            m = np.zeros_like(g)
            cv2.ellipse(m, (int(rng.uniform(0, w)), int(rng.uniform(0, h))),
                        (int(rng.uniform(2, w / 6)), int(rng.uniform(2, h / 5))), rng.uniform(0, 180), 0, 360, 1.0, -1)
            m = cv2.GaussianBlur(m, (0, 0), max(1.0, w / 60))
            g = g * (1 - m * rng.uniform(0.2, 0.6))
    if rng.random() < 0.3:  # glare: bright blob
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        s = rng.uniform(0.1, 0.5) * w
        blob = np.exp(-(((xx - cx) ** 2) + ((yy - cy) ** 2) * 3) / (2 * s * s))
        g = g + blob * rng.uniform(60, 220)
    if rng.random() < 0.15:  # partial occlusion: a bar or a corner (tow hitch, bumper, another car)
        col = rng.uniform(0, 255)
        if rng.random() < 0.5:
            x = rng.uniform(-0.1, 0.9) * w
            cv2.rectangle(g, (int(x), -1), (int(x + rng.uniform(0.03, 0.1) * w), h + 1), col, -1)
        else:
            y = rng.choice([rng.uniform(0.8, 0.95) * h, rng.uniform(-0.1, 0.12) * h])
            cv2.rectangle(g, (-1, int(y)), (w + 1, int(y + 0.15 * h)), col, -1)
    if rng.random() < 0.08:  # a fence, railing or trailer mesh between the camera and the plate
        g = mesh(rng, g)
    # contrast / brightness / night
    if rng.random() < 0.2:  # night: dark, low contrast, noisy
        g = g * rng.uniform(0.2, 0.5) + rng.uniform(0, 15)
    else:
        c = rng.uniform(0.45, 1.2)
        g = (g - 128) * c + 128 + rng.uniform(-50, 50)
    if rng.random() < 0.5:  # gamma
        g = 255 * (np.clip(g, 0, 255) / 255) ** rng.uniform(0.6, 1.6)
    # blur: gaussian or motion
    r = rng.random()
    if r < 0.45:
        s = rng.uniform(0.3, 1.6) * (w / 128)
        g = cv2.GaussianBlur(g, (0, 0), s)
    elif r < 0.65:
        k = max(3, int(rng.uniform(2, 7) * w / 128) | 1)
        ker = np.zeros((k, k), np.float32)
        ang = rng.uniform(0, math.pi)
        c0 = k // 2
        cv2.line(ker, (int(c0 - math.cos(ang) * c0), int(c0 - math.sin(ang) * c0)),
                 (int(c0 + math.cos(ang) * c0), int(c0 + math.sin(ang) * c0)), 1.0, 1)
        g = cv2.filter2D(g, -1, ker / max(ker.sum(), 1))
    # sensor noise
    g = g + np.random.default_rng(rng.randint(0, 1 << 30)).normal(0, rng.uniform(0, 10), g.shape).astype(np.float32)
    g = np.clip(g, 0, 255)
    if rng.random() < 0.4:  # JPEG artefacts
        q = int(rng.uniform(15, 80))
        ok, enc = cv2.imencode(".jpg", g.astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, q])
        g = cv2.imdecode(enc, cv2.IMREAD_GRAYSCALE).astype(np.float32)
    return g


def mesh(rng, g):
    """Thin lines across the image (or a band of it), as a chain-link fence (two diagonal families),
    a square mesh or vertical railing bars seen through; later blur softens them like the rest."""
    h, w = g.shape
    m = np.zeros((h, w), np.float32)
    gap = rng.uniform(5, 24)
    thick = rng.choice([1, 1, 2])
    kind = rng.random()
    if kind < 0.5:  # chain link: two diagonal families
        angles = [math.radians(45 + rng.uniform(-15, 15)), math.radians(-45 + rng.uniform(-15, 15))]
    elif kind < 0.8:  # square mesh
        a0 = math.radians(rng.uniform(-5, 5))
        angles = [a0 + math.pi / 2, a0]
    else:  # railing: vertical bars only, a little further apart
        angles = [math.pi / 2 + math.radians(rng.uniform(-4, 4))]
        gap *= 1.5
    span = int(w + h)
    for ang in angles:
        dx, dy = math.cos(ang), math.sin(ang)  # line direction; lines are stepped along the normal
        off = rng.uniform(0, gap)
        for k in range(int(2 * span / gap) + 2):
            t = -span + off + k * gap
            cx, cy = w / 2 - dy * t, h / 2 + dx * t
            cv2.line(m, (int(cx - dx * span), int(cy - dy * span)), (int(cx + dx * span), int(cy + dy * span)),
                     1.0, thick, cv2.LINE_AA)
    if rng.random() < 0.4:  # only part of the view: the fence ends or a gate stands open
        x0 = int(rng.uniform(0, 0.6) * w)
        m[:, :x0] = 0
        m[:, x0 + int(rng.uniform(0.3, 1) * w):] = 0
    alpha = rng.uniform(0.5, 1.0)
    col = rng.uniform(0, 70) if rng.random() < 0.5 else rng.uniform(150, 230)
    return g * (1 - alpha * m) + col * alpha * m


def luma(rgb):
    a = np.asarray(rgb, dtype=np.float32)
    return a[..., 0] * 0.299 + a[..., 1] * 0.587 + a[..., 2] * 0.114


def jitter_quad(rng, w, h, amount):
    """Corners of a w×h image, each moved by up to amount×size (detector corner error)."""
    q = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    q += np.float32([[rng.uniform(-amount, amount) * w, rng.uniform(-amount, amount) * h] for _ in range(4)])
    return q


def rectify(img, quad, out_w, out_h):
    dst = np.float32([[0, 0], [out_w, 0], [out_w, out_h], [0, out_h]])
    m = cv2.getPerspectiveTransform(np.float32(quad), dst)
    return cv2.warpPerspective(img, m, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
