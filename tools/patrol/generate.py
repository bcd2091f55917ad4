#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Generate a deterministic patrol of a San José block face as a chalkline-dump (version 1).

The patrol vehicle drives westbound along the north curb of E Santa Clara St (the 100 block,
then the 0 block) twice, hours apart, filming the right-hand curb. Parked cars carry synthetic
plates; some stay through both passes (violation candidates), some leave, some arrive, one moves
to the next block. The dump holds camera frames as MJPEG (`frames/*.jpg`), `frames.jsonl`,
`dump.json` and gpsd's JSON reports (`gps.jsonl`, as `gpspipe -w` writes them), and beside it
`expected.json` lists what the agent must find.

Uses Debian's python3-numpy and python3-pil only (run with /usr/bin/python3).

    generate.py --out DIR [--zones FILE] [--seed N] [--fps F] [--gap-minutes M] [--permits]

With --permits, three more cars stay through both passes on the 100 block (its face reads
"2 HR 8AM-6PM MON-SAT EXCEPT PERMIT R"): one holds a valid permit R, one a permit R that expired
the day before, one a permit S of another area; `permits.csv` beside the dump is the permit
office's export for `chalkline-hub permits import` (with more holders who are not on the street),
and `expected.json` says which of them must become candidates.

With `--real-photos DIR` (a folder with groundtruth.tsv, e.g. ../shared/data/plates-us-dev) it
parks the real photos of that folder instead: five passes of both curbs of two blocks, 48 cars
(`realphotos.default_scenario`), or the scenario of `--scenario FILE`; see realphotos.py.

    generate.py --out DIR --real-photos DIR [--scenario FILE] [--frames-per-car N] [--speed M/S]

With `--real-photos DIR --permit-street` it writes the permit street of permitstreet.py instead:
the 400 block of N 3rd St signed "2 HR 8AM-6PM MON-SAT EXCEPT PERMIT R" (west face) and
"NO PARKING 8AM-6PM MON-SAT EXCEPT PERMIT R" (east face), two passes, cars with valid, expired,
not-yet-valid and other-area permits; beside the dump its `zones.json` (for the hub's distribution
directory) and `permits.csv` (for `chalkline-hub permits import`).

    generate.py --out DIR --real-photos DIR --permit-street [--seed N]
"""

import argparse
import datetime as dt
import io
import json
import math
import os
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

WIDTH, HEIGHT = 1280, 720
FOCAL = 1800.0  # pixels: a 39° horizontal field of view, as a plate camera has
CAMERA_HEIGHT = 1.1  # metres above the road
YAW = math.radians(40)  # turned forward from looking straight out of the right side
CURB_DISTANCE = 3.5  # metres from the camera to the middle of the parking lane
FORWARD_OFFSET = 1.2  # camera ahead of the GPS antenna
SPEED = 4.5  # m/s, patrol speed
EARTH = 6_371_008.8
FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
]
STATES = [("California", (30, 40, 140), (245, 245, 245)), ("Nevada", (20, 60, 120), (235, 240, 250)),
          ("Oregon", (30, 80, 50), (240, 240, 235)), ("Arizona", (120, 40, 30), (250, 240, 220)),
          ("Texas", (10, 10, 10), (250, 250, 250))]


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def random_plate(rng, used):
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    while True:
        if rng.random() < 0.6:
            text = f"{rng.randint(1, 9)}{''.join(rng.choice(letters) for _ in range(3))}{rng.randint(0, 999):03d}"
        else:
            text = f"{''.join(rng.choice(letters) for _ in range(3))}{rng.randint(0, 9999):04d}"
        if text not in used:
            used.add(text)
            return text


def render_plate(rng, text):
    """A 12x6 inch plate at 320x160 px: state name on top, the registration, a frame."""
    state, ink, paper = rng.choice(STATES)
    img = Image.new("RGB", (320, 160), paper)
    d = ImageDraw.Draw(img)
    d.rounded_rectangle([2, 2, 317, 157], radius=12, outline=(60, 60, 60), width=4)
    d.text((160, 24), state, font=ImageFont.truetype(FONTS[1], 26), fill=(170, 30, 30), anchor="mm")
    font_path = rng.choice(FONTS)
    size = 86
    font = ImageFont.truetype(font_path, size)
    while font.getlength(text) > 290 and size > 40:
        size -= 4
        font = ImageFont.truetype(font_path, size)
    d.text((160, 96), text, font=font, fill=ink, anchor="mm")
    d.text((160, 145), "DMV.CA.GOV" if state == "California" else "", font=ImageFont.truetype(FONTS[0], 16),
           fill=(60, 60, 60), anchor="mm")
    return img


class Geo:
    """Local east/north metres around an origin, for a few hundred metres of street."""

    def __init__(self, lat0, lon0):
        self.lat0, self.lon0 = lat0, lon0
        self.k = math.cos(math.radians(lat0))

    def to_en(self, lat, lon):
        return (math.radians(lon - self.lon0) * EARTH * self.k, math.radians(lat - self.lat0) * EARTH)

    def to_ll(self, e, n):
        return (self.lat0 + math.degrees(n / EARTH), self.lon0 + math.degrees(e / (EARTH * self.k)))


def zone_centerline(zone, geo):
    """The polygon's long axis, east end first (the patrol drives west)."""
    ring = [geo.to_en(lat, lon) for lon, lat in zone["geometry"]["coordinates"][0][:4]]
    ends = sorted([((ring[0][0] + ring[3][0]) / 2, (ring[0][1] + ring[3][1]) / 2),
                   ((ring[1][0] + ring[2][0]) / 2, (ring[1][1] + ring[2][1]) / 2)], key=lambda p: -p[0])
    return ends


def project(point, cam, heading):
    """Pinhole projection of a world point (east, north, up) from the camera; None behind it."""
    fx, fy = math.sin(heading), math.cos(heading)  # forward, as east/north components
    rx, ry = fy, -fx  # the vehicle's right
    look = (fx * math.sin(YAW) + rx * math.cos(YAW), fy * math.sin(YAW) + ry * math.cos(YAW))
    image_right = (-fx * math.cos(YAW) + rx * math.sin(YAW), -fy * math.cos(YAW) + ry * math.sin(YAW))
    dx, dy, dz = point[0] - cam[0], point[1] - cam[1], point[2] - CAMERA_HEIGHT
    depth = dx * look[0] + dy * look[1]
    if depth < 0.5:
        return None
    u = WIDTH / 2 + FOCAL * (dx * image_right[0] + dy * image_right[1]) / depth
    v = HEIGHT / 2 - FOCAL * dz / depth
    return (u, v)


def perspective_coefficients(src, dst):
    """PIL's PERSPECTIVE transform maps output (dst) pixels back to input (src) pixels."""
    rows = []
    for (x, y), (u, v) in zip(dst, src):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    a = np.array(rows, dtype=np.float64)
    b = np.array([c for p in src for c in p], dtype=np.float64)
    return np.linalg.solve(a, b).tolist()


class Car:
    def __init__(self, rng, plate, zone, along, color):
        self.plate, self.zone, self.along, self.color = plate, zone, along, color
        self.image = render_plate(rng, plate)


def draw_frame(rng, background, cars, cam, heading, frame_index):
    img = background.copy()
    d = ImageDraw.Draw(img)
    visible = []
    drawn = []
    fx, fy = math.sin(heading), math.cos(heading)
    # Farthest first, so nearer cars cover farther ones.
    for car in sorted(cars, key=lambda c: -((c.pos[0] - cam[0]) ** 2 + (c.pos[1] - cam[1]) ** 2)):
        # The car faces the direction of travel; its rear (and plate) faces the approaching patrol.
        rear = (car.pos[0] - fx * 2.2, car.pos[1] - fy * 2.2)
        front = (car.pos[0] + fx * 2.2, car.pos[1] + fy * 2.2)
        left, right = (-fy * 0.9, fx * 0.9), (fy * 0.9, -fx * 0.9)

        def at(base, side, z):
            return (base[0] + side[0], base[1] + side[1], z)

        side_face = [project(at(rear, left, 0.25), cam, heading), project(at(front, left, 0.25), cam, heading),
                     project(at(front, left, 1.45), cam, heading), project(at(rear, left, 1.45), cam, heading)]
        rear_face = [project(at(rear, left, 0.25), cam, heading), project(at(rear, right, 0.25), cam, heading),
                     project(at(rear, right, 1.45), cam, heading), project(at(rear, left, 1.45), cam, heading)]
        shade = tuple(int(c * 0.75) for c in car.color)
        for face in (side_face, rear_face):
            if all(face):
                xs, ys = [q[0] for q in face], [q[1] for q in face]
                extent = (int(min(xs)), int(min(ys)), int(max(xs)) + 1, int(max(ys)) + 1)
                drawn = extent if not drawn else (min(drawn[0], extent[0]), min(drawn[1], extent[1]),
                                                  max(drawn[2], extent[2]), max(drawn[3], extent[3]))
        if all(side_face):
            d.polygon(side_face, fill=shade)
        if not all(rear_face):
            continue
        d.polygon(rear_face, fill=car.color)
        window = [project(at(rear, (left[0] * 0.8, left[1] * 0.8), 1.0), cam, heading),
                  project(at(rear, (right[0] * 0.8, right[1] * 0.8), 1.0), cam, heading),
                  project(at(rear, (right[0] * 0.7, right[1] * 0.7), 1.4), cam, heading),
                  project(at(rear, (left[0] * 0.7, left[1] * 0.7), 1.4), cam, heading)]
        if all(window):
            d.polygon(window, fill=(40, 50, 60))
        plate = [project(at(rear, (left[0] / 0.9 * 0.1525, left[1] / 0.9 * 0.1525), 0.62), cam, heading),
                 project(at(rear, (right[0] / 0.9 * 0.1525, right[1] / 0.9 * 0.1525), 0.62), cam, heading),
                 project(at(rear, (right[0] / 0.9 * 0.1525, right[1] / 0.9 * 0.1525), 0.468), cam, heading),
                 project(at(rear, (left[0] / 0.9 * 0.1525, left[1] / 0.9 * 0.1525), 0.468), cam, heading)]
        if not all(plate) or not any(0 <= p[0] < WIDTH for p in plate):
            continue
        x0, y0 = max(0, int(min(q[0] for q in plate))), max(0, int(min(q[1] for q in plate)))
        x1, y1 = min(WIDTH, int(max(q[0] for q in plate)) + 2), min(HEIGHT, int(max(q[1] for q in plate)) + 2)
        if x1 - x0 < 4 or y1 - y0 < 4:
            continue
        local = [(q[0] - x0, q[1] - y0) for q in plate]
        coefficients = perspective_coefficients([(0, 0), (320, 0), (320, 160), (0, 160)], local)
        warped = car.image.transform((x1 - x0, y1 - y0), Image.PERSPECTIVE, coefficients, Image.BILINEAR)
        mask = Image.new("L", (x1 - x0, y1 - y0), 0)
        ImageDraw.Draw(mask).polygon(local, fill=255)
        img.paste(warped, (x0, y0), mask)
        visible.append({"plate": car.plate, "quad": [[round(q[0], 1), round(q[1], 1)] for q in plate]})
    if drawn:
        drawn = (max(0, drawn[0]), max(0, drawn[1]), min(WIDTH, drawn[2]), min(HEIGHT, drawn[3]))
        if drawn[2] - drawn[0] < 2 or drawn[3] - drawn[1] < 2:
            drawn = []
    if drawn:
        # Lens blur and sensor noise where something was drawn; the empty street is shared.
        box = (max(0, drawn[0] - 4), max(0, drawn[1] - 4), min(WIDTH, drawn[2] + 4), min(HEIGHT, drawn[3] + 4))
        region = img.crop(box).filter(ImageFilter.GaussianBlur(radius=0.6))
        noise = np.random.default_rng(frame_index).normal(0, 2.0, (box[3] - box[1], box[2] - box[0], 1))
        region = np.clip(np.asarray(region, dtype=np.float32) + noise, 0, 255).astype(np.uint8)
        img.paste(Image.fromarray(region), box[:2])
    return img, visible, bool(drawn)


def make_background(rng):
    img = Image.new("RGB", (WIDTH, HEIGHT), (150, 170, 190))
    d = ImageDraw.Draw(img)
    for x in range(0, WIDTH, 160):  # building fronts behind the parked cars
        shade = rng.randint(120, 200)
        d.rectangle([x, 0, x + 160, 330], fill=(shade, shade - 10, shade - 25))
        for wy in range(30, 300, 70):
            d.rectangle([x + 25, wy, x + 70, wy + 40], fill=(70, 80, 90))
            d.rectangle([x + 95, wy, x + 140, wy + 40], fill=(70, 80, 90))
    d.rectangle([0, 330, WIDTH, 400], fill=(175, 175, 170))  # sidewalk
    d.rectangle([0, 400, WIDTH, HEIGHT], fill=(85, 85, 90))  # road
    return img


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--zones", default=os.path.join(here, "../../device-profiles/zones/san-jose-downtown.json"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--fps", type=float, default=10.0)
    parser.add_argument("--gap-minutes", type=float, default=135.0)
    parser.add_argument("--start", default="2026-03-02T17:00:00Z", help="first pass (UTC); 09:00 in San José")
    parser.add_argument("--real-photos", help="park the real photos of this folder (with groundtruth.tsv)")
    parser.add_argument("--scenario", help="with --real-photos: a scenario JSON file (realphotos.py)")
    parser.add_argument("--frames-per-car", type=int, default=3, help="with --real-photos")
    parser.add_argument("--speed", type=float, default=4.5, help="with --real-photos: m/s")
    parser.add_argument("--permits", action="store_true", help="add permit holders and write permits.csv")
    parser.add_argument("--permit-street", action="store_true",
                        help="with --real-photos: the permit street of permitstreet.py, its zones.json and permits.csv")
    args = parser.parse_args()
    if args.permit_street:
        if not args.real_photos:
            parser.error("--permit-street parks real photos: give --real-photos DIR")
        import permitstreet

        expected = permitstreet.write(args.out, args.real_photos, seed=args.seed, fps=args.fps,
                                      frames_per_car=args.frames_per_car, speed=args.speed)
        print(f"permit street of real photos: {expected['frames']} frames, {len(expected['candidates'])} expected "
              f"candidates, {len(expected['permit_holders'])} permit holders among "
              f"{len(expected['not_candidates'])} cars that must not be -> {args.out}")
        return
    if args.real_photos:
        import realphotos

        scenario = json.load(open(args.scenario)) if args.scenario else realphotos.default_scenario(args.seed)
        expected = realphotos.write_patrol(args.out, args.real_photos, scenario, args.zones, seed=args.seed,
                                           fps=args.fps, frames_per_car=args.frames_per_car, speed=args.speed)
        print(f"patrol of real photos: {expected['frames']} frames, {len(expected['candidates'])} expected "
              f"candidates, {len(expected['not_candidates'])} cars that must not be -> {args.out}")
        return
    rng = random.Random(args.seed)

    # A CDS /curbs/zones response (data.zones) or the one-document form (data.curb_zones).
    data = json.load(open(args.zones))["data"]
    listed = data.get("zones", data.get("curb_zones", []))
    by_name = {z["name"]: z["curb_zone_id"] for z in listed}
    zones = {z["curb_zone_id"]: z for z in listed}
    route_zones = [by_name["E Santa Clara St, 100 block north"], by_name["E Santa Clara St, 0 block north"]]
    first = zones[route_zones[0]]["geometry"]["coordinates"][0][0]
    geo = Geo(first[1], first[0])
    lanes = [zone_centerline(zones[z], geo) for z in route_zones]
    # The patrol drives the lane 3.5 m south of the parking lane's middle, east to west.
    start, end = lanes[0][0], lanes[-1][1]
    heading = math.atan2(end[0] - start[0], end[1] - start[1])  # radians from north
    fx, fy = math.sin(heading), math.cos(heading)
    rx, ry = fy, -fx
    path_origin = (start[0] - rx * CURB_DISTANCE, start[1] - ry * CURB_DISTANCE)
    length = math.hypot(end[0] - start[0], end[1] - start[1])

    def along_of(zone_index, fraction):
        (e0, n0), (e1, n1) = lanes[zone_index]
        return ((e0 + (e1 - e0) * fraction) - start[0]) * fx + ((n0 + (n1 - n0) * fraction) - start[1]) * fy

    used = set()
    colors = [(170, 20, 30), (30, 30, 35), (200, 200, 205), (20, 60, 130), (110, 110, 115), (230, 230, 225),
              (40, 90, 60), (140, 100, 40)]

    def car(zone_index, fraction):
        c = Car(rng, random_plate(rng, used), route_zones[zone_index], along_of(zone_index, fraction),
                rng.choice(colors))
        return c

    # The cast: (car, first pass?, second pass?, what the agent must conclude).
    a = car(1, 0.30)  # stays in the 2 h zone through both passes: candidate
    b = car(1, 0.55)  # leaves before the second pass
    c = car(1, 0.80)  # arrives between the passes: chalked only
    d = car(1, 0.10)  # moves to the next block between the passes: two chalks, no candidate
    g = car(0, 0.40)  # stays in the 2 h (permit R exempt) zone: candidate (no permit)
    h = car(0, 0.70)  # leaves
    i = car(0, 0.15)  # arrives
    d_moved = Car(rng, d.plate, route_zones[0], along_of(0, 0.90), d.color)
    d_moved.image = d.image
    passes = [[a, b, d, g, h], [a, c, d_moved, g, i]]
    permit_rows, permit_expected, permit_not = [], [], []
    if args.permits:
        day = (dt.datetime.strptime(args.start, "%Y-%m-%dT%H:%M:%SZ") - dt.timedelta(hours=8)).date()
        holder = car(0, 0.27)  # valid permit R: never a candidate
        expired = car(0, 0.55)  # permit R that expired yesterday: candidate
        other = car(0, 0.82)  # permit S (another area): candidate
        for parked in (holder, expired, other):
            passes[0].append(parked)
            passes[1].append(parked)
        year = dt.timedelta(days=365)
        permit_rows = [(holder.plate, "permit R", day - year, day + year),
                       (expired.plate, "permit R", day - year, day - dt.timedelta(days=1)),
                       (other.plate, "permit S", day - year, day + year)]
        for _ in range(20):  # holders elsewhere in the area, not on this street
            permit_rows.append((random_plate(rng, used), "permit R", day - year, day + year))
        permit_expected = [expired, other]
        permit_not = [(holder, "holds a valid permit R")]
    for cars in passes:
        for parked in cars:
            parked.pos = (path_origin[0] + fx * parked.along + rx * CURB_DISTANCE,
                          path_origin[1] + fy * parked.along + ry * CURB_DISTANCE)

    os.makedirs(os.path.join(args.out, "frames"), exist_ok=True)
    t0 = dt.datetime.strptime(args.start, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    background = make_background(rng)
    buffer = io.BytesIO()
    background.save(buffer, format="JPEG", quality=85)
    empty_street = buffer.getvalue()
    frames, gps, truth = [], [], []
    gps.append(json.dumps({"class": "VERSION", "release": "3.22", "rev": "3.22", "proto_major": 3, "proto_minor": 14}))
    gps.append(json.dumps({"class": "DEVICES", "devices": [{"class": "DEVICE", "path": "/dev/ttyACM0",
                                                             "driver": "u-blox", "activated": iso(t0)}]}))
    gps.append(json.dumps({"class": "WATCH", "enable": True, "json": True}))
    seq = 0
    track = (math.degrees(heading) + 360) % 360
    margin = 8.0  # metres driven before the first car and after the last
    duration = (length + 2 * margin) / SPEED
    for pass_index, cars in enumerate(passes):
        pass_start = t0 + dt.timedelta(minutes=args.gap_minutes * pass_index)
        for second in range(int(duration) + 2):  # 1 Hz fixes, from a second before the first frame
            t = pass_start + dt.timedelta(seconds=second - 1)
            s = -margin + SPEED * (second - 1)
            lat, lon = geo.to_ll(path_origin[0] + fx * s, path_origin[1] + fy * s)
            gps.append(json.dumps({"class": "TPV", "device": "/dev/ttyACM0", "mode": 3, "time": iso(t),
                                   "ept": 0.005, "lat": round(lat, 9), "lon": round(lon, 9), "altHAE": 31.2,
                                   "epx": 2.1, "epy": 2.6, "epv": 4.5, "track": round(track, 1),
                                   "speed": SPEED, "climb": 0.0, "eps": 0.3, "eph": 3.4}))
        count = int(duration * args.fps)
        for k in range(count):
            t = pass_start + dt.timedelta(seconds=k / args.fps)
            s = -margin + SPEED * k / args.fps + FORWARD_OFFSET
            cam = (path_origin[0] + fx * s, path_origin[1] + fy * s)
            img, visible, drawn = draw_frame(rng, background, cars, cam, heading, seq)
            truth.append(json.dumps({"seq": seq, "plates": visible}))
            name = f"frames/{seq:06d}.jpg"
            if drawn:
                buffer = io.BytesIO()
                img.save(buffer, format="JPEG", quality=85)
                data = buffer.getvalue()
            else:
                data = empty_street
            with open(os.path.join(args.out, name), "wb") as f:
                f.write(data)
            frames.append(json.dumps({"seq": seq, "time": iso(t), "file": name, "pixel_format": "MJPG",
                                      "width": WIDTH, "height": HEIGHT}))
            seq += 1

    with open(os.path.join(args.out, "frames.jsonl"), "w") as f:
        f.write("\n".join(frames) + "\n")
    # Ground truth per frame, for the reader's and tracker's tests (not part of the dump format).
    with open(os.path.join(args.out, "truth.jsonl"), "w") as f:
        f.write("\n".join(truth) + "\n")
    with open(os.path.join(args.out, "gps.jsonl"), "w") as f:
        f.write("\n".join(gps) + "\n")
    with open(os.path.join(args.out, "dump.json"), "w") as f:
        json.dump({"format": "chalkline-dump", "version": 1, "created": iso(t0),
                   "camera": {"device": "patrol-generator", "width": WIDTH, "height": HEIGHT,
                              "pixel_format": "MJPG", "fps": args.fps}}, f, indent=2)
    second_pass = t0 + dt.timedelta(minutes=args.gap_minutes)
    expected = {
        "description": "Westbound along the north curb of E Santa Clara St, two passes "
                       f"{args.gap_minutes:.0f} minutes apart; Monday 09:00 and later in San José.",
        "passes": [iso(t0), iso(second_pass)],
        "candidates": [{"plate": x.plate, "zone": x.zone, "rule": "max_stay"} for x in [a, g] + permit_expected],
        "not_candidates": [{"plate": x.plate, "why": why} for x, why in
                           [(b, "left before the second pass"), (c, "arrived after the first pass"),
                            (d, "moved to the next block"), (h, "left before the second pass"),
                            (i, "arrived after the first pass")] + permit_not],
        "frames": seq,
    }
    with open(os.path.join(args.out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=2)
    if args.permits:
        with open(os.path.join(args.out, "permits.csv"), "w") as f:
            f.write("permit_id,plate,state,user_class,valid_from,valid_to\n")
            for n, (plate, user_class, valid_from, valid_to) in enumerate(permit_rows):
                f.write(f"{n + 1},{plate},CA,{user_class},{valid_from.isoformat()},{valid_to.isoformat()}\n")
    print(f"patrol: {seq} frames, {len(gps)} gps lines, {len(expected['candidates'])} expected candidates -> {args.out}")


if __name__ == "__main__":
    main()
