#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Checks the target graph against docs/architecture.md: lower parts never import higher ones.

Reads `swift package dump-package` (the manifest as SwiftPM resolved it) and fails, naming each
arrow, when a library depends on a part above it, on a benchmark, development or test part, or
when the hub depends on a vehicle part it must never link. Run by `make lint`.
"""

import json
import subprocess
import sys

# The vehicle's layers, bottom up (docs/architecture.md). A part may depend on parts of lower rank;
# within one rank only on the arrows listed in SAME_RANK.
RANK = {
    "CV4L2": 0, "CGPS": 0, "CTurboJPEG": 0, "CBLAS": 0, "CProcess": 0,
    "ChalklineModel": 1,
    "Imaging": 2,
    "Capture": 3, "Dump": 3, "Positioning": 3, "PlateReading": 3,
    "Enforcement": 4, "Wire": 4, "ServerSupport": 4,
    "Vault": 5,
    "Uplink": 6,
    "Agent": 7,
}
SAME_RANK = {("Dump", "Capture")}  # a dump holds the camera's frames and pixel formats
# Arrows between vehicle parts that the ranks alone would allow but that must never exist: the sync
# client speaks the wire types and knows nothing of the vehicle's store (the agent adapts the vault's
# outbox to the uplink).
FORBIDDEN = {
    ("Uplink", "Vault"): "the uplink never links the vehicle's Vault (the agent adapts its outbox)",
}
# The reference upstream: it shares the vocabulary, the rules and the protocol, never the vehicle's
# vault, uplink, camera, positioning, reading or agent.
HUB = {"Hub", "HubOversight"}
HUB_MAY_USE = {"ChalklineModel", "Enforcement", "Wire", "ServerSupport", "HubOversight"}
# Never linked into a library of the agent or the hub.
TOOLS = {"ChalklineBench", "HubDevTools", "ChalklineTestKit", "ChalklineFuzz"}


def local_dependencies(target):
    names = []
    for dependency in target.get("dependencies", []):
        for kind in ("byName", "target"):
            if kind in dependency:
                names.append(dependency[kind][0])
    return names


def main():
    # A saved `swift package dump-package` may be given instead (to check the checker).
    if len(sys.argv) > 1:
        with open(sys.argv[1]) as saved:
            manifest = json.load(saved)
    else:
        manifest = json.loads(subprocess.check_output(["swift", "package", "dump-package"], text=True))
    targets = {t["name"]: t for t in manifest["targets"]}
    problems = []
    for name, target in targets.items():
        if target["type"] not in ("regular", "system"):
            continue  # commands, tests and the fuzz product link what they need
        if name in TOOLS:
            continue
        for dependency in local_dependencies(target):
            if dependency not in targets:
                continue  # a product of a package dependency
            arrow = f"{name} -> {dependency}"
            if dependency in TOOLS:
                problems.append(f"{arrow}: a library links a benchmark, development or test part")
            elif name == "HubOversight" and dependency == "Hub":
                problems.append(f"{arrow}: oversight sits beneath the hub")
            elif name in HUB:
                if dependency not in HUB_MAY_USE:
                    problems.append(f"{arrow}: the hub never links the vehicle's {dependency}")
            elif name in RANK:
                if dependency in HUB:
                    problems.append(f"{arrow}: a vehicle part links the hub")
                elif (name, dependency) in FORBIDDEN:
                    problems.append(f"{arrow}: {FORBIDDEN[(name, dependency)]}")
                elif dependency in RANK and (
                    RANK[dependency] > RANK[name]
                    or (RANK[dependency] == RANK[name] and (name, dependency) not in SAME_RANK)
                ):
                    problems.append(f"{arrow}: a lower part imports a higher one")
            else:
                problems.append(f"{name}: a library with no place in docs/architecture.md")
    for problem in problems:
        print(f"check-layers: {problem}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"check-layers: {len(targets)} targets, every arrow as docs/architecture.md draws it")


if __name__ == "__main__":
    main()
