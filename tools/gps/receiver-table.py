#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Feeds receiver logs through the local gpsd and prints, as a Markdown table, what the agent's
quality gate makes of each: the 95 % radius it reads (sqrt(epx^2 + epy^2), else eph), gpsd's eph,
whether the default gate (50 m) and the former one (eph <= 15 m) take every fix, some or none,
and the dates gpsd gives (those before the release date or off the system clock are refused live).

    receiver-table.py LOG...     e.g. gpsd-3.22/test/daemon/*.log (apt-get source gpsd)

Each log: a TCP feeder on 127.0.0.1, `gpsd -N -n -S PORT tcp://...`, a ?WATCH client, at most 25 s.
"""
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time


def feeder(path, port, ready):
    s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR,1); s.bind(('127.0.0.1',port)); s.listen(1); ready.set()
    c,_=s.accept()
    time.sleep(1.0)
    data=open(path,'rb').read()
    lines=[l for l in data.split(b'\n') if not l.startswith(b'#')]
    for l in lines:
        try: c.sendall(l+b'\n')
        except: break
        time.sleep(0.003)
    time.sleep(2); c.close(); s.close()
def run(path, base):
    ready=threading.Event(); t=threading.Thread(target=feeder,args=(path,base,ready),daemon=True); t.start(); ready.wait()
    g=subprocess.Popen(['gpsd','-N','-n','-S',str(base+1),f'tcp://127.0.0.1:{base}'],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL)
    for _ in range(100):
        try: k=socket.create_connection(('127.0.0.1',base+1)); break
        except: time.sleep(0.05)
    k.sendall(b'?WATCH={"enable":true,"json":true}\n'); k.settimeout(1.0)
    buf=b''; end=time.time()+25; tpv=[]
    while time.time()<end:
        try: d=k.recv(65536)
        except socket.timeout:
            if not t.is_alive(): break
            continue
        if not d: break
        buf+=d
    g.terminate(); g.wait()
    for line in buf.split(b'\n'):
        try: o=json.loads(line)
        except: continue
        if o.get('class')=='TPV': tpv.append(o)
    return tpv


def trip(values):
    return [min(values), statistics.median(values), max(values)] if values else None


def share(values, limit):
    if not values:
        return "no estimate"
    usable = sum(1 for v in values if v <= limit)
    return "all" if usable == len(values) else ("none" if usable == 0 else f"{usable}/{len(values)}")


def fmt(t):
    return "/".join(f"{v:.1f}" for v in t) if t else "-"


print("| log | modes | 2D/3D fixes | 95 % radius m (min/med/max) | gpsd eph m | gate 50 m | eph 15 m | dates |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
base = 31000
for path in sys.argv[1:]:
    tpv = run(path, base)
    base += 10
    fixes = [t for t in tpv if t.get("mode", 0) >= 2]
    radius = [(t["epx"] ** 2 + t["epy"] ** 2) ** 0.5 if "epx" in t and "epy" in t else t.get("eph") for t in fixes]
    radius = [r for r in radius if r is not None]
    eph = [t["eph"] if "eph" in t else ((t["epx"] ** 2 + t["epy"] ** 2) ** 0.5 if "epx" in t and "epy" in t else None)
           for t in fixes]
    eph = [e for e in eph if e is not None]
    modes = sorted(set(t.get("mode") for t in tpv))
    years = sorted(set(t["time"][:4] for t in fixes if "time" in t))
    name = os.path.basename(path)
    if not fixes:
        print(f"| {name} | {modes} | 0 | - | - | no fix | no fix | |", flush=True)
        continue
    print(f"| {name} | {modes} | {len(fixes)} | {fmt(trip(radius))} | {fmt(trip([t['eph'] for t in fixes if 'eph' in t]))} "
          f"| {share(radius, 50)} | {share(eph, 15)} | {', '.join(years)} |", flush=True)
