#!/usr/bin/env python3
"""Summarises a dotnet-counters CSV (collect --format csv) over a measurement: per counter, the sum of its
increments (rates) or its first -> last value (gauges), and per routed event when an event count is given.
Usage: counters-summary.py FILE [EVENTS]"""
import csv, sys, collections

path = sys.argv[1]
events = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2].isdigit() and int(sys.argv[2]) > 0 else 0
series = collections.OrderedDict()
with open(path, newline='') as f:
    for row in csv.reader(f):
        if len(row) < 5 or row[0] == 'Timestamp':
            continue
        try:
            value = float(row[4])
        except ValueError:
            continue
        name = row[2].split('[db.client.connection.pool.name=')[0]
        series.setdefault((row[1], name, row[3]), []).append(value)

interesting = ('total_allocated', 'gc.collections', 'pause', 'cpu.time', 'bytes_', 'lock_contentions', 'work_item.count', 'exceptions', 'working_set')
print(f"  dotnet-counters, {path.rsplit('/', 1)[-1]}:")
for (provider, name, kind), values in series.items():
    if not any(word in name.lower() for word in interesting):
        continue
    if kind.lower().startswith('rate') or 'increment' in kind.lower():
        total = sum(values)
        per = f", {total / events:,.1f} per event" if events else ""
        print(f"    {provider} {name}: total {total:,.0f}{per}")
    else:
        per = f", last-first {(values[-1] - values[0]) / events:,.1f} per event" if events and values[-1] >= values[0] else ""
        print(f"    {provider} {name}: first {values[0]:,.1f}, last {values[-1]:,.1f}, max {max(values):,.1f}{per}")
