# SPDX-License-Identifier: AGPL-3.0-or-later
"""Patrols of real photos: the cars of a photo folder (plates-us-dev) parked along the curb.

Each parked car is one real photo (its plate text and box from the folder's `groundtruth.tsv`),
filmed in a few consecutive frames as the patrol vehicle passes it: small shifts and a growing
scale (the car approaches), brightness changes, sensor noise, JPEG. The vehicle drives a route of
curb zones, pass after pass, at the times a scenario gives; the GPS fixes (gpsd's JSON) put the
vehicle where the camera mount of `device-profiles/replay-default.yaml` sees each car at its place
in its zone, and a frame of empty street follows each car (the stream goes on between cars).
Output: a chalkline-dump (`dump.json`, `frames.jsonl`, `frames/`, `gps.jsonl`), the
per-frame truth (`truth.jsonl`), what the agent must conclude (`expected.json`) and every car with
its attributes (`cars.csv`).

A scenario is a dict (or a JSON file, `generate.py --real-photos DIR --scenario FILE`):

    {"route": ["sj-e-santa-clara-100-n", "sj-e-santa-clara-0-s@east", ...],   # ZONE[@DIRECTION]
     "passes": ["2026-03-02T17:00:00Z", ...],                                    # UTC, in order
     "description": "...",
     "cars": [{"stops": [{"pass": 0, "zone": Z, "at": 0.25}, {"pass": 1, "zone": Z, "at": 0.25}],
               "expect": {"candidate": true, "zone": Z, "rule": "max_stay"},     # or
               # "expect": {"candidate": false, "kind": "left", "why": "left before the second pass"},
               "attributes": {"permit_class": "R", "permit_valid_to": "2026-12-31"},   # optional
               "photo": "car9-9.jpg"},                                            # optional
              ...]}

`at` is the car's place along the zone, a fraction of its length from the end the vehicle
reaches first. DIRECTION (north/south/east/west, the vehicle's) defaults from the zone id's
curb side (`-n` westbound, `-s` eastbound, `-e` northbound, `-w` southbound: the curb on the
right). Cars without a photo get one in order of a seeded shuffle, one plate text per car (a plate
with two photos shows the other one in its next pass). `default_scenario` is the bench's patrol;
another scenario (a permit zone's, say) builds its own list and calls `write_patrol`.
"""

import csv
import datetime as dt
import io
import json
import math
import os
import random

import numpy as np
from PIL import Image

from generate import Geo, iso  # the synthetic generator's local frame and gpsd times

WIDTH, HEIGHT = 1280, 720
CURB_DISTANCE = 3.5  # camera to the middle of the parking lane (replay-default.yaml)
FORWARD_OFFSET = 1.2  # camera ahead of the GPS antenna
YAW = math.radians(40)  # camera turned forward
LOOK_AHEAD = FORWARD_OFFSET + CURB_DISTANCE * math.tan(YAW)  # where the camera axis meets the lane
LEAD = 10.0  # metres driven straight before and after each zone, so the heading is settled
TRACKER_GAP = 1.5  # PlateTracker's maximumGap: cars closer in time than this would merge
DIRECTIONS = {"north": (0.0, 1.0), "south": (0.0, -1.0), "east": (1.0, 0.0), "west": (-1.0, 0.0)}
SIDE_DIRECTION = {"n": "west", "s": "east", "e": "north", "w": "south"}


def parse_time(text):
    return dt.datetime.strptime(text.replace(".000", ""), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)


def load_photos(folder):
    """The folder's photos as [{file, plate, box}], box = (x0, y0, x1, y1) from groundtruth.tsv."""
    photos = []
    with open(os.path.join(folder, "groundtruth.tsv"), encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3:
                continue
            xy = [float(v) for v in parts[2].split(",")]
            xs, ys = xy[0::2], xy[1::2]
            photos.append({"file": parts[0], "plate": parts[1], "box": (min(xs), min(ys), max(xs), max(ys))})
    return photos


def short_id(zone):
    """A zone's short name, as scenarios may write it: "E Santa Clara St, 100 block north" is
    sj-e-santa-clara-100-n (the shipped zones' ids are UUIDs, as CDS wants them)."""
    street, _, block = zone.get("name", "").partition(", ")
    words = [w.lower() for w in street.split() if w.lower() not in ("st", "street", "ave", "avenue")]
    number, _, side = block.partition(" block ")
    return "-".join(["sj"] + words + [number, side[:1]]) if side else zone["curb_zone_id"]


def load_zones(zones_file):
    """Zones by id from a CDS /curbs/zones response (data.zones) or the one-document form
    (data.curb_zones), each also under its short name."""
    data = json.load(open(zones_file))["data"]
    listed = data.get("zones", data.get("curb_zones", [])) if isinstance(data, dict) else data
    zones = {z["curb_zone_id"]: z for z in listed}
    zones.update({short_id(z): z for z in listed})
    return zones


def resolve_scenario(scenario, zones):
    """The scenario with every zone it names as the zone's CDS id (the id the agent reports)."""
    def zone_id(ref):
        if ref not in zones:
            raise SystemExit(f"scenario: zone {ref} is not in the zones file")
        return zones[ref]["curb_zone_id"]

    def entry(e):
        ref, _, direction = e.partition("@")
        direction = direction or SIDE_DIRECTION.get(ref.rsplit("-", 1)[-1]) or \
            SIDE_DIRECTION.get(zones.get(ref, {}).get("street_side", "").lower())
        return zone_id(ref) + ("@" + direction if direction else "")

    out = dict(scenario)
    out["route"] = [entry(e) for e in scenario["route"]]
    out["cars"] = []
    for car in scenario["cars"]:
        car = dict(car)
        car["stops"] = [dict(stop, zone=zone_id(stop["zone"])) for stop in car["stops"]]
        if "zone" in car.get("expect", {}):
            car["expect"] = dict(car["expect"], zone=zone_id(car["expect"]["zone"]))
        out["cars"].append(car)
    return out


class Route:
    """The vehicle's path: each zone driven along its parking lane, CURB_DISTANCE to its left."""

    def __init__(self, zones_file, entries):
        zones = load_zones(zones_file)
        first = zones[entries[0].split("@")[0]]["geometry"]["coordinates"][0][0]
        self.geo = Geo(first[1], first[0])
        self.legs = {}  # zone -> (start of the zone's lane, unit direction, length, arc where the leg starts)
        self.vertices = []
        for entry in entries:
            zone_id, _, direction = entry.partition("@")
            if zone_id not in zones:
                raise SystemExit(f"route: zone {zone_id} is not in {zones_file}")
            direction = direction or SIDE_DIRECTION.get(zone_id.rsplit("-", 1)[-1])
            if direction not in DIRECTIONS:
                raise SystemExit(f"route: {entry}: say the direction of travel (ZONE@north|south|east|west)")
            a, b = self.lane_ends(zones[zone_id])
            d = DIRECTIONS[direction]
            if (b[0] - a[0]) * d[0] + (b[1] - a[1]) * d[1] < 0:
                a, b = b, a
            length = math.hypot(b[0] - a[0], b[1] - a[1])
            u = ((b[0] - a[0]) / length, (b[1] - a[1]) / length)
            right = (u[1], -u[0])
            lane0 = (a[0] - right[0] * CURB_DISTANCE, a[1] - right[1] * CURB_DISTANCE)
            start = (lane0[0] - u[0] * LEAD, lane0[1] - u[1] * LEAD)
            end = (lane0[0] + u[0] * (length + LEAD), lane0[1] + u[1] * (length + LEAD))
            arc = self.length() + (math.hypot(start[0] - self.vertices[-1][0], start[1] - self.vertices[-1][1])
                                   if self.vertices else 0.0)
            self.legs[zone_id] = (a, u, length, arc)
            self.vertices += [start, end]

    def lane_ends(self, zone):
        """The middles of the zone polygon's two short edges."""
        ring = [self.geo.to_en(lat, lon) for lon, lat in zone["geometry"]["coordinates"][0][:4]]

        def mid(p, q):
            return ((p[0] + q[0]) / 2, (p[1] + q[1]) / 2)

        def dist(p, q):
            return math.hypot(p[0] - q[0], p[1] - q[1])

        if dist(ring[0], ring[1]) + dist(ring[2], ring[3]) < dist(ring[1], ring[2]) + dist(ring[3], ring[0]):
            return mid(ring[0], ring[1]), mid(ring[2], ring[3])
        return mid(ring[1], ring[2]), mid(ring[3], ring[0])

    def length(self):
        return sum(math.hypot(q[0] - p[0], q[1] - p[1]) for p, q in zip(self.vertices, self.vertices[1:]))

    def at(self, s):
        """(east, north, heading in degrees) of the antenna at arc length s."""
        for p, q in zip(self.vertices, self.vertices[1:]):
            seg = math.hypot(q[0] - p[0], q[1] - p[1])
            if s <= seg or q is self.vertices[-1]:
                f = 0 if seg == 0 else max(0.0, min(1.0, s / seg))
                heading = math.degrees(math.atan2(q[0] - p[0], q[1] - p[1])) % 360 if seg > 0 else 0.0
                return (p[0] + (q[0] - p[0]) * f, p[1] + (q[1] - p[1]) * f, heading)
            s -= seg
        p = self.vertices[-1]
        return (p[0], p[1], 0.0)

    def antenna_arc(self, zone_id, fraction):
        """The arc length at which the camera looks at the car parked at `fraction` of the zone."""
        if zone_id not in self.legs:
            raise SystemExit(f"car parked in {zone_id}, which the route does not drive")
        _, _, length, arc = self.legs[zone_id]
        return arc + LEAD + fraction * length - LOOK_AHEAD

    def curb_point(self, zone_id, fraction):
        a, u, length, _ = self.legs[zone_id]
        return self.geo.to_ll(a[0] + u[0] * fraction * length, a[1] + u[1] * fraction * length)


def film(rng, photo_path, box, count):
    """`count` consecutive 1280x720 frames of one photo as the vehicle passes: (JPEG, quad) each.

    The photo stays at its own scale (within a few per cent), so the plate is as large as the
    photo shows it; a larger photo is cut to a 1280x720 window around the plate, a smaller one
    sits on grey. The plate drifts right and grows from frame to frame."""
    src = Image.open(photo_path).convert("RGB")
    w, h = src.size
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    bw, bh = box[2] - box[0], box[3] - box[1]
    # Where the plate's centre sits in the middle frame: the photo's own place, cut or centred.
    base = []
    for c, size, full in ((cx, w, WIDTH), (cy, h, HEIGHT)):
        base.append(c - max(0.0, min(c - full / 2, size - full)) if size > full else c + (full - size) / 2)
    scale0 = rng.uniform(0.93, 1.07)
    growth = rng.uniform(0.015, 0.04)
    step = (rng.uniform(18, 45), rng.uniform(-5, 5))
    gain = rng.uniform(0.78, 1.15)
    offset = rng.uniform(-10, 10)
    sigma = rng.uniform(1.5, 3.5)
    quality = rng.randint(82, 92)
    out = []
    for k in range(count):
        t = k - (count - 1) / 2
        s = scale0 * (1 + growth * t)
        tx = base[0] + step[0] * t + rng.uniform(-2, 2)
        ty = base[1] + step[1] * t + rng.uniform(-2, 2)
        # Keep the whole plate in the frame with a margin.
        tx = min(max(tx, s * bw / 2 + 8), WIDTH - s * bw / 2 - 8)
        ty = min(max(ty, s * bh / 2 + 8), HEIGHT - s * bh / 2 - 8)
        coefficients = (1 / s, 0, cx - tx / s, 0, 1 / s, cy - ty / s)
        frame = src.transform((WIDTH, HEIGHT), Image.AFFINE, coefficients, Image.BILINEAR, fillcolor=(96, 98, 102))
        pixels = np.asarray(frame, dtype=np.float32) * (gain * rng.uniform(0.96, 1.04)) + offset
        noise = np.random.default_rng(rng.getrandbits(32)).normal(0, sigma, (HEIGHT, WIDTH, 1))
        frame = Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))
        buffer = io.BytesIO()
        frame.save(buffer, format="JPEG", quality=quality)
        quad = [[tx + s * (x - cx), ty + s * (y - cy)] for x, y in
                ((box[0], box[1]), (box[2], box[1]), (box[2], box[3]), (box[0], box[3]))]
        out.append((buffer.getvalue(), [[round(x, 1), round(y, 1)] for x, y in quad]))
    return out


def assign_photos(rng, photos, cars):
    """One plate text per car: cars naming a photo keep it; the rest take plates of a seeded shuffle."""
    by_plate = {}
    for p in photos:
        by_plate.setdefault(p["plate"], []).append(p)
    named = {p["file"]: p for p in photos}
    taken = set()
    for car in cars:
        if car.get("photo"):
            if car["photo"] not in named:
                raise SystemExit(f"car photo {car['photo']} is not in the folder's groundtruth.tsv")
            taken.add(named[car["photo"]]["plate"])
    free = [plate for plate in sorted(by_plate) if plate not in taken]
    rng.shuffle(free)
    for car in cars:
        if car.get("photo"):
            plate = named[car["photo"]]["plate"]
            car["views"] = [named[car["photo"]]] + [p for p in by_plate[plate] if p["file"] != car["photo"]]
        else:
            if not free:
                raise SystemExit(f"the scenario has {len(cars)} cars; the folder has {len(by_plate)} plate texts")
            plate = free.pop()
            car["views"] = sorted(by_plate[plate], key=lambda p: p["file"])
        car["plate"] = plate


def write_patrol(out, photos_dir, scenario, zones_file, seed=7, fps=10.0, frames_per_car=3, speed=4.5):
    """Renders a scenario into `out`; returns the expected.json it wrote."""
    rng = random.Random(seed)
    scenario = resolve_scenario(scenario, load_zones(zones_file))
    route = Route(zones_file, scenario["route"])
    cars = [dict(car) for car in scenario["cars"]]
    assign_photos(rng, load_photos(photos_dir), cars)
    passes = [parse_time(t) for t in scenario["passes"]]
    os.makedirs(os.path.join(out, "frames"), exist_ok=True)

    # Every (time, car, stop) in the patrol; the frames of one car come when the camera faces it.
    showings = []
    for index, car in enumerate(cars):
        car["id"] = f"car{index + 1:02d}"
        for n, stop in enumerate(car["stops"]):
            if not 0 <= stop["pass"] < len(passes):
                raise SystemExit(f"{car['id']}: pass {stop['pass']} is not one of the {len(passes)} passes")
            arc = route.antenna_arc(stop["zone"], stop["at"])
            t = passes[stop["pass"]] + dt.timedelta(seconds=arc / speed)
            showings.append((t, index, n, stop))
    showings.sort(key=lambda x: x[0])
    span = (frames_per_car - 1) / fps
    for (t0, i0, _, _), (t1, i1, _, _) in zip(showings, showings[1:]):
        if (t1 - t0).total_seconds() - span <= TRACKER_GAP + 0.1:
            raise SystemExit(f"{cars[i0]['id']} and {cars[i1]['id']} are too close along the curb: their frames "
                             f"would be {(t1 - t0).total_seconds() - span:.1f} s apart (more than "
                             f"{TRACKER_GAP + 0.1} s needed, i.e. {(TRACKER_GAP + 0.1 + span) * speed:.1f} m at {speed} m/s)")

    frames, truth = [], []
    for seq_base, (t, index, n, stop) in enumerate(showings):
        car = cars[index]
        view = car["views"][n % len(car["views"])]
        shots = film(rng, os.path.join(photos_dir, view["file"]), view["box"], frames_per_car)
        for k, (jpeg, quad) in enumerate(shots):
            time = t + dt.timedelta(seconds=(k - (frames_per_car - 1) / 2) / fps)
            frames.append((time, jpeg, [{"plate": car["plate"], "quad": quad, "car": car["id"]}]))
    # A camera films on between the cars: a frame of empty street shortly after each car's last
    # frame closes its track in the agent's tracker, as the continuous stream on the road would.
    empty = io.BytesIO()
    Image.new("RGB", (WIDTH, HEIGHT), (96, 98, 102)).save(empty, format="JPEG", quality=85)
    times = sorted(f[0] for f in frames)
    after = dt.timedelta(seconds=TRACKER_GAP + 0.2)
    for time, following in zip(times, times[1:] + [None]):
        if following is None or following - time > after:
            frames.append((time + after, empty.getvalue(), []))
    frames.sort(key=lambda f: f[0])
    lines = []
    for seq, (time, jpeg, visible) in enumerate(frames):
        name = f"frames/{seq:06d}.jpg"
        with open(os.path.join(out, name), "wb") as f:
            f.write(jpeg)
        lines.append(json.dumps({"seq": seq, "time": iso(time), "file": name, "pixel_format": "MJPG",
                                 "width": WIDTH, "height": HEIGHT}))
        truth.append(json.dumps({"seq": seq, "plates": visible}))
    with open(os.path.join(out, "frames.jsonl"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(out, "truth.jsonl"), "w") as f:
        f.write("\n".join(truth) + "\n")

    # gpsd's reports, 1 Hz, over each pass's drive from a second before to a second after.
    gps = [json.dumps({"class": "VERSION", "release": "3.22", "rev": "3.22", "proto_major": 3, "proto_minor": 14}),
           json.dumps({"class": "DEVICES", "devices": [{"class": "DEVICE", "path": "/dev/ttyACM0",
                                                        "driver": "u-blox", "activated": iso(passes[0])}]}),
           json.dumps({"class": "WATCH", "enable": True, "json": True})]
    total = route.length()
    for start in passes:
        for second in range(-1, int(total / speed) + 3):
            e, n_, heading = route.at(max(0.0, speed * second))
            lat, lon = route.geo.to_ll(e, n_)
            gps.append(json.dumps({"class": "TPV", "device": "/dev/ttyACM0", "mode": 3,
                                   "time": iso(start + dt.timedelta(seconds=second)), "ept": 0.005,
                                   "lat": round(lat, 9), "lon": round(lon, 9), "altHAE": 31.2, "epx": 2.1,
                                   "epy": 2.6, "epv": 4.5, "track": round(heading, 1),
                                   "speed": speed if second >= 0 else 0.0, "climb": 0.0, "eps": 0.3, "eph": 3.4}))
    with open(os.path.join(out, "gps.jsonl"), "w") as f:
        f.write("\n".join(gps) + "\n")
    with open(os.path.join(out, "dump.json"), "w") as f:
        json.dump({"format": "chalkline-dump", "version": 1, "created": iso(passes[0]),
                   "camera": {"device": "patrol-generator-real-photos", "width": WIDTH, "height": HEIGHT,
                              "pixel_format": "MJPG", "fps": fps}}, f, indent=2)

    expected = {
        "description": scenario.get("description", "A patrol of real photos."),
        "source": os.path.basename(os.path.normpath(photos_dir)),
        "passes": [iso(t) for t in passes],
        "candidates": [], "not_candidates": [], "frames": len(frames), "frames_per_car": frames_per_car,
    }
    for car in cars:
        want = car.get("expect", {"candidate": False, "kind": "other", "why": "no candidate"})
        if want.get("candidate"):
            expected["candidates"].append({"plate": car["plate"], "zone": want["zone"],
                                           "rule": want.get("rule", "max_stay"), "car": car["id"]})
        else:
            expected["not_candidates"].append({"plate": car["plate"], "kind": want.get("kind", "other"),
                                               "why": want.get("why", want.get("kind", "")), "car": car["id"]})
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=2)
    keys = sorted({k for car in cars for k in car.get("attributes", {})})
    with open(os.path.join(out, "cars.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["car", "plate", "photos", "stops", "expect", "zone", "rule", "kind"] + keys)
        for car in cars:
            want = car.get("expect", {})
            stops = " ".join(f"{s['pass']}:{s['zone']}@{s['at']:.3f}" for s in car["stops"])
            photos = " ".join(car["views"][n % len(car["views"])]["file"] for n in range(len(car["stops"])))
            w.writerow([car["id"], car["plate"], photos, stops,
                        "candidate" if want.get("candidate") else "none", want.get("zone", ""),
                        want.get("rule", ""), want.get("kind", "")]
                       + [car.get("attributes", {}).get(k, "") for k in keys])
    return expected


def slots(length_m=116.0, spacing_m=9.0, start_m=7.0, end_m=5.0):
    """Places (fractions of the zone) `spacing_m` apart along a zone `length_m` long: at 4.5 m/s and
    3 frames a car, 9 m keeps each car's frames more than the tracker's gap from the next car's."""
    count = int((length_m - start_m - end_m) // spacing_m) + 1
    return [(start_m + spacing_m * i) / length_m for i in range(count)]


def default_scenario(seed=7):
    """The bench's patrol: both curbs of two blocks of E Santa Clara St (2 h north, 1 h south).

    Monday 2026-03-02 (San José, UTC-8): passes at 09:00 and 11:15 (the stays, departures,
    arrivals and moves), 12:05 (50 minutes after the second: arrivals that stayed too briefly, and
    some flagged cars seen once more), and 17:20 / 19:35 (the evening: parked into the hours with
    no enforcement)."""
    rng = random.Random(seed * 7919 + 1)
    north = ["sj-e-santa-clara-100-n", "sj-e-santa-clara-0-n"]
    south = ["sj-e-santa-clara-0-s", "sj-e-santa-clara-100-s"]
    places = slots(116.0)  # the E Santa Clara St zones are 116 m long
    cars = []

    def stop(p, zone, at):
        return {"pass": p, "zone": zone, "at": at}

    for side in (north, south):
        free = [(zone, at) for zone in side for at in places]
        rng.shuffle(free)
        stay, leave, arrive_new = free[:12], free[12:15], free[15:16]
        rest = free[16:]
        for i, (zone, at) in enumerate(stay):
            stops = [stop(0, zone, at), stop(1, zone, at)] + ([stop(2, zone, at)] if i < 2 else [])
            cars.append({"stops": stops, "expect": {"candidate": True, "zone": zone, "rule": "max_stay"}})
        for zone, at in leave:
            cars.append({"stops": [stop(0, zone, at)],
                         "expect": {"candidate": False, "kind": "left", "why": "left before the second pass"}})
        # Arrivals: two in the places the leavers freed (and still there at 12:05), one elsewhere.
        for i, (zone, at) in enumerate(leave[:2] + arrive_new):
            stops = [stop(1, zone, at)] + ([stop(2, zone, at)] if i < 2 else [])
            kind, why = ("too_brief", "seen 50 minutes apart") if i < 2 else ("arrived", "arrived after the first pass")
            cars.append({"stops": stops, "expect": {"candidate": False, "kind": kind, "why": why}})
        # Moves: one to the other block, one along the same block, at least three places away.
        origin = rest.pop()
        other = next(x for x in rest if x[0] != origin[0])
        rest.remove(other)
        cars.append({"stops": [stop(0, *origin), stop(1, *other)],
                     "expect": {"candidate": False, "kind": "moved", "why": "moved to the next block"}})
        origin = rest.pop()
        along = [x for x in rest if x[0] == origin[0] and abs(x[1] - origin[1]) * 116 >= 27]
        dest = along[0] if along else next(x for x in rest if x[0] != origin[0])
        rest.remove(dest)
        cars.append({"stops": [stop(0, *origin), stop(1, *dest)],
                     "expect": {"candidate": False, "kind": "moved", "why": "moved along the block"}})
    evening = [(zone, at) for zone in north + south for at in places]
    rng.shuffle(evening)
    for zone, at in evening[:8]:
        cars.append({"stops": [stop(3, zone, at), stop(4, zone, at)],
                     "expect": {"candidate": False, "kind": "outside_hours",
                                "why": "17:20 and 19:35: enforcement ends at 18:00"}})
    return {
        "description": "Both curbs of the 0 and 100 blocks of E Santa Clara St, Monday 2026-03-02: 09:00 and 11:15 "
                       "(stays, departures, arrivals, moves), 12:05 (arrivals seen 50 minutes apart), 17:20 and "
                       "19:35 (outside enforcement hours). Cars are real photos.",
        "route": north + south,
        "passes": ["2026-03-02T17:00:00Z", "2026-03-02T19:15:00Z", "2026-03-02T20:05:00Z",
                   "2026-03-03T01:20:00Z", "2026-03-03T03:35:00Z"],
        "cars": cars,
    }
