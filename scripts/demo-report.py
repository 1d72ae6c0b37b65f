#!/usr/bin/env python3
"""Prints what the fleet server knows at the end of the demo, from the same JSON API the dashboard
reads: each rollout's state (and why it halted), and the device's timeline of reported states.
Usage: demo-report.py SERVER_URL API_KEY"""
import json
import sys
import urllib.request

server, key = sys.argv[1].rstrip("/"), sys.argv[2]


def get(path):
    request = urllib.request.Request(server + path, headers={"Authorization": "Bearer " + key})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


for rollout in get("/api/v1/rollouts")["items"]:
    print(f"rollout of {rollout['version']}: {rollout['state']}  {rollout.get('haltReason') or ''}")
device = get("/api/v1/devices")["items"][0]
print(f"device {device.get('name')}: {device['state']}, runs {device.get('installedVersion')}; its timeline:")
previous = None
for event in reversed(get(f"/api/v1/devices/{device['id']}/events?limit=100")["items"]):
    # Progress reports of one download are one line.
    if (event["state"], event.get("transactionId")) == previous:
        continue
    previous = (event["state"], event.get("transactionId"))
    target = event.get("targetVersion") or "-"
    size = f"  {event.get('bytesTotal') or 0:,} bytes" if event["state"] == "Downloading" else ""
    rollback = "  ROLLBACK" if event.get("rollback") else ""
    print(f"  {event['time'][11:19]}  {event['state']:<11} target {target:<4} installed {event.get('installedVersion')}{size}{rollback}")
