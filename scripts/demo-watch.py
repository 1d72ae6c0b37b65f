#!/usr/bin/env python3
"""Follows the demo device on the fleet server (the same JSON API the dashboard reads) and prints
each change of its state, phase, progress and releases, until it reaches the awaited state.

Usage: demo-watch.py SERVER_URL API_KEY STATE VERSION TIMEOUT_SECONDS [CONSOLE_LOG]
Waits until the device reports STATE with VERSION installed (Committed/Idle) or as target
(RolledBack); with CONSOLE_LOG, also prints the guest's AU-BOOT lines (each boot GRUB started)."""
import json
import sys
import time
import urllib.request

server, key, state, version, timeout = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
console = sys.argv[6] if len(sys.argv) > 6 else None


def device():
    request = urllib.request.Request(server.rstrip("/") + "/api/v1/devices?pageSize=1",
                                     headers={"Authorization": "Bearer " + key})
    with urllib.request.urlopen(request, timeout=10) as response:
        items = json.load(response)["items"]
    return items[0] if items else None


def describe(d):
    text = f"{d.get('state')}"
    if d.get("phase") and d.get("state") == "Downloading":
        done, total = d.get("bytesDone") or 0, d.get("bytesTotal") or 0
        text += f" ({d['phase']}, {done / 1e6:.1f} of {total / 1e6:.1f} MB)"
    text += f"  installed={d.get('installedVersion')} booted={d.get('bootedVersion')}"
    if d.get("trialVersion"):
        text += f" trial={d['trialVersion']}"
    if d.get("rollback"):
        text += " ROLLBACK"
    if d.get("lastError") and d.get("state") in ("RolledBack", "Failed"):
        text += f"\n           last error: {d['lastError']}"
    return text


start = time.monotonic()
last, boots = None, 0
while time.monotonic() - start < timeout:
    if console:
        try:
            with open(console, errors="replace") as log:
                lines = [line.strip() for line in log if line.startswith("AU-BOOT")]
        except FileNotFoundError:
            lines = []
        for line in lines[boots:]:
            print(f"  [{time.monotonic() - start:5.0f}s] device console: {line[3:]}", flush=True)
        boots = len(lines)
    try:
        d = device()
    except OSError as error:
        d = None
        print(f"  fleet server not answering: {error}", flush=True)
    if d:
        now = describe(d)
        if now != last:
            print(f"  [{time.monotonic() - start:5.0f}s] fleet server: {now}", flush=True)
            last = now
        done = d.get("state") == state and (
            d.get("installedVersion") == version if state in ("Committed", "Idle") else d.get("targetVersion") == version)
        if done:
            sys.exit(0)
    time.sleep(2)
print(f"timed out after {timeout:.0f}s waiting for {state} {version}", file=sys.stderr)
sys.exit(1)
