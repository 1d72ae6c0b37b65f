#!/usr/bin/env python3
"""Follows the demo device on the fleet server (the same JSON API the dashboard reads) and prints
each change of its state, phase, progress and releases, until it reaches the awaited state.

Usage: demo-watch.py SERVER_URL API_KEY STATES VERSION TIMEOUT_SECONDS VM_PID CONSOLE_LOG
Waits until the device reports one of STATES (comma-separated) with VERSION installed
(Committed, Idle) or as its target (any other state); prints the guest's AU-BOOT console lines
(one per boot) as they come, and gives up when the virtual machine (VM_PID) has stopped."""
import json
import os
import sys
import time
import urllib.request

server, key, version, timeout = sys.argv[1], sys.argv[2], sys.argv[4], float(sys.argv[5])
states, vm_pid, console = sys.argv[3].split(","), int(sys.argv[6]), sys.argv[7]


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


def console_lines():
    try:
        with open(console, errors="replace") as log:
            return [line.strip() for line in log if line.startswith(("AU-BOOT", "AU-INIT-FAILS"))]
    except FileNotFoundError:
        return []


start = time.monotonic()
last, boots = None, len(console_lines())
while time.monotonic() - start < timeout:
    lines = console_lines()
    for line in lines[boots:]:
        print(f"  [{time.monotonic() - start:5.0f}s] device console: {line[3:]}", flush=True)
    boots = len(lines)
    try:
        os.kill(vm_pid, 0)
    except ProcessLookupError:
        sys.exit(f"the virtual machine (pid {vm_pid}) has stopped; its console: {console}")
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
        state = d.get("state")
        done = state in states and (
            d.get("installedVersion") == version if state in ("Committed", "Idle") else d.get("targetVersion") == version)
        if done:
            sys.exit(0)
    time.sleep(2)
print(f"timed out after {timeout:.0f}s waiting for {'/'.join(states)} {version}", file=sys.stderr)
sys.exit(1)
