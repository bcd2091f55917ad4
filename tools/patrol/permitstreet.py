# SPDX-License-Identifier: AGPL-3.0-or-later
"""A residential permit street patrolled twice, with real photos (`generate.py --permit-street`).

The 400 block of N 3rd St in San José (the shipped zones' geometry of both faces), signed for
this scenario as a permit street:

- the west face "2 HR 8AM-6PM MON-SAT EXCEPT PERMIT R" (policy `permit-street-2h-except-permit-r`),
- the east face "NO PARKING 8AM-6PM MON-SAT EXCEPT PERMIT R" (`permit-street-no-parking-except-permit-r`).

The vehicle drives the west face southbound, then the east face northbound, on Monday 2026-03-02
at 09:00 and 11:15 (San José). Among the cars that stay through both passes: cars without any
permit, a valid permit R, a permit R that expired the day before, a permit R valid from the
next day, a permit S (another area), and a permit R whose validity ends that very day (it counts
until local midnight). Written beside the dump:

- `zones.json`: the street's rules as the hub distributes them (a CDS `/curbs/zones` response
  with the policies inline in `data.policies`, docs/hub.md §3): copy it into the hub's
  distribution directory and `chalkline-hub publish`;
- `permits.csv`: the permit office's export for `chalkline-hub permits import` (docs/hub.md §3a),
  with the street's permits and holders elsewhere in the area;
- `baseline-permits.csv`: the same export without the permits of the cars on this street (every
  car there parks without one): the patrol replayed with it shows what the plate reader finds
  before any permit lifts a rule;
- `expected.json`, `truth.jsonl`, `cars.csv` as for every patrol of real photos (realphotos.py);
  `expected.json` adds `permit_holders`: the plates of the cars that hold a valid permit R.
"""

import datetime as dt
import json
import os
import random
import uuid

import realphotos
from generate import random_plate

SHIPPED_ZONES = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             "../../device-profiles/zones/san-jose-downtown.json")
NAMESPACE = uuid.UUID("6f1e0f52-3d5a-4c1e-9a57-1f6c2f3b7e21")  # this generator's ids
DAY = dt.date(2026, 3, 2)  # a Monday; passes at 09:00 and 11:15 in San José (UTC-8)
PASSES = ["2026-03-02T17:00:00Z", "2026-03-02T19:15:00Z"]
MON_SAT = {"days_of_week": ["mon", "tue", "wed", "thu", "fri", "sat"],
           "time_of_day_start": "08:00", "time_of_day_end": "18:00"}
FACES = {  # the shipped zone's name -> (this street's policy name, its rules, the sign)
    "N 3rd St, 400 block west": ("permit-street-2h-except-permit-r",
                                 [{"activity": "parking", "user_classes": ["permit R"]},
                                  {"activity": "parking", "max_stay": 2, "max_stay_unit": "hour"}],
                                 "2 HR 8AM-6PM MON-SAT EXCEPT PERMIT R"),
    "N 3rd St, 400 block east": ("permit-street-no-parking-except-permit-r",
                                 [{"activity": "parking", "user_classes": ["permit R"]},
                                  {"activity": "no parking"}],
                                 "NO PARKING 8AM-6PM MON-SAT EXCEPT PERMIT R"),
}


def zones_document(shipped=SHIPPED_ZONES):
    """The street's zones and policies, one document, with ids of this generator."""
    source = json.load(open(shipped))
    zones, policies = [], []
    for zone in source["data"]["zones"]:
        if zone["name"] not in FACES:
            continue
        name, rules, sign = FACES[zone["name"]]
        policy_id = str(uuid.uuid5(NAMESPACE, "policy/" + name))
        policies.append({"curb_policy_id": policy_id, "name": name, "description": sign,
                         "published_date": source["last_updated"], "priority": 10, "rules": rules,
                         "time_spans": [MON_SAT]})
        zones.append(dict(zone, curb_zone_id=str(uuid.uuid5(NAMESPACE, "zone/" + zone["name"])),
                          curb_policy_ids=[policy_id]))
    if len(zones) != len(FACES):
        raise SystemExit(f"{shipped}: the 400 block of N 3rd St (both faces) is not there")
    head = {k: v for k, v in source.items() if k != "data"}
    head["author"] = "Chalkline patrol generator: a permit street on the 400 block of N 3rd St, San José"
    return dict(head, data={"zones": zones, "policies": policies})


def scenario(seed=7):
    """The cars: (face, expectation, permit or None) placed on the faces' slots in a seeded order."""
    rng = random.Random(seed * 104729 + 3)
    west, east = "sj-n-3rd-400-w", "sj-n-3rd-400-e"
    year = dt.timedelta(days=365)
    valid = ("permit R", DAY - year, DAY + year)
    expired = ("permit R", DAY - year, DAY - dt.timedelta(days=1))
    future = ("permit R", DAY + dt.timedelta(days=1), DAY + year)
    other = ("permit S", DAY - year, DAY + year)
    ends_today = ("permit R", DAY - year, DAY)
    stays = {"candidate": True}
    # (face, passes it is seen in, expectation, permit, why)
    cast = [
        (west, [0, 1], stays, None, "no permit"),
        (west, [0, 1], stays, None, "no permit"),
        (west, [0, 1], stays, None, "no permit"),
        (west, [0, 1], None, valid, "holds a valid permit R"),
        (west, [0, 1], stays, expired, "its permit R expired the day before"),
        (west, [0, 1], stays, future, "its permit R is valid from the next day"),
        (west, [0, 1], stays, other, "holds a permit S of another area"),
        (west, [0], None, None, "left before the second pass"),
        (west, [1], None, None, "arrived after the first pass"),
        (east, [0, 1], stays, None, "no permit"),
        (east, [0, 1], stays, None, "no permit"),
        (east, [0, 1], None, valid, "holds a valid permit R"),
        (east, [0, 1], None, ends_today, "holds a permit R valid to the end of the day"),
        (east, [0, 1], stays, expired, "its permit R expired the day before"),
        (east, [0, 1], stays, other, "holds a permit S of another area"),
        (east, [0], None, valid, "holds a valid permit R, and left before the second pass"),
    ]
    places = {face: realphotos.slots(116.0) for face in (west, east)}
    for face in places:
        rng.shuffle(places[face])
    cars = []
    for face, seen, expect, permit, why in cast:
        at = places[face].pop()
        rule = "max_stay" if face == west else "no_parking"
        if expect:
            expectation = {"candidate": True, "zone": face, "rule": rule}
        else:
            kind = "permit_holder" if permit else ("left" if seen == [0] else "arrived")
            expectation = {"candidate": False, "kind": kind, "why": why}
        car = {"stops": [{"pass": p, "zone": face, "at": at} for p in seen], "expect": expectation,
               "attributes": {"why": why}}
        if permit:
            car["attributes"].update(permit_class=permit[0], permit_valid_from=permit[1].isoformat(),
                                     permit_valid_to=permit[2].isoformat())
        cars.append(car)
    return {"description": "A permit street, the 400 block of N 3rd St: west face 2 HR 8AM-6PM MON-SAT EXCEPT "
                           "PERMIT R, east face NO PARKING 8AM-6PM MON-SAT EXCEPT PERMIT R; Monday 2026-03-02, "
                           "09:00 and 11:15. Cars are real photos; some hold permits (valid, expired, not yet "
                           "valid, another area's).",
            "route": [west + "@south", east + "@north"], "passes": PASSES, "cars": cars}


def write_permits(path, rows):
    """The permit office's export: a header line, other columns beside the documented ones."""
    with open(path, "w") as f:
        f.write("permit_id,plate,state,user_class,valid_from,valid_to,address\n")
        for n, (plate, user_class, valid_from, valid_to) in enumerate(rows):
            f.write(f"R-{n + 1:05d},{plate},,{user_class},{valid_from.isoformat()},{valid_to.isoformat()},"
                    f"{100 + 2 * n} N 3rd St\n")


def write(out, photos_dir, seed=7, fps=10.0, frames_per_car=3, speed=4.5):
    """The whole permit-street patrol into `out`; returns its expected.json."""
    os.makedirs(out, exist_ok=True)
    zones_path = os.path.join(out, "zones.json")
    with open(zones_path, "w") as f:
        json.dump(zones_document(), f, indent=2)
        f.write("\n")
    plan = scenario(seed)
    expected = realphotos.write_patrol(out, photos_dir, plan, zones_path, seed=seed, fps=fps,
                                       frames_per_car=frames_per_car, speed=speed)
    # realphotos assigned each car its plate; read them back in the scenario's order.
    cars = [row for row in csv_rows(os.path.join(out, "cars.csv"))]
    street = [(c["plate"], c["permit_class"], dt.date.fromisoformat(c["permit_valid_from"]),
               dt.date.fromisoformat(c["permit_valid_to"])) for c in cars if c.get("permit_class")]
    rng = random.Random(seed * 7 + 5)
    used = {c["plate"] for c in cars}
    year = dt.timedelta(days=365)
    elsewhere = [(random_plate(rng, used), rng.choice(["permit R", "permit R", "permit S"]), DAY - year, DAY + year)
                 for _ in range(40)]
    write_permits(os.path.join(out, "permits.csv"), street + elsewhere)
    write_permits(os.path.join(out, "baseline-permits.csv"), elsewhere)
    expected["permit_holders"] = [c["plate"] for c in cars if c["kind"] == "permit_holder"]
    expected["permit_plates"] = [row[0] for row in street + elsewhere]
    expected["zones"] = {z["curb_zone_id"]: z["name"] for z in json.load(open(zones_path))["data"]["zones"]}
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=2)
    return expected


def csv_rows(path):
    import csv

    with open(path, newline="") as f:
        return list(csv.DictReader(f))
