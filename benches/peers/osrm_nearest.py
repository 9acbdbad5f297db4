"""Times OSRM (osrm-bindings) answering "the k nearest facilities by travel
time" its way: Nearest to snap the rider, then a 1xN Table (durations and
distances) from the rider to every facility of the layer, then the k
smallest durations. Same start points and facilities as reach.

Usage: python osrm_nearest.py DATA.osrm ALGORITHM POINTS.json FACILITIES.json K [ROUNDS]
Prints one line: calls, median and p99 in microseconds, answered starts.
"""
import json
import statistics
import sys
import time

import osrm

data, algorithm, points_file, facilities_file, k = sys.argv[1:6]
k = int(k)
rounds = int(sys.argv[6]) if len(sys.argv) > 6 else 2
points = json.load(open(points_file))
facilities = json.load(open(facilities_file))
engine = osrm.OSRM(algorithm=algorithm, storage_config=data, use_shared_memory=False)


def answer(lon, lat):
    nearest = osrm.NearestParameters(coordinates=[(lon, lat)])
    nearest.number_of_results = 1
    engine.Nearest(nearest)
    table = osrm.TableParameters(coordinates=[(lon, lat)] + [tuple(f) for f in facilities],
                                 annotations=["duration", "distance"])
    table.sources = [0]
    table.destinations = list(range(1, len(facilities) + 1))
    out = engine.Table(table)
    durations = out["durations"][0]
    reachable = sorted((d, i) for i, d in enumerate(durations) if d is not None and d <= 3600)
    return reachable[:k]


answered = sum(1 for lon, lat in points if answer(lon, lat))  # warm-up round
times = []
for _ in range(rounds):
    for lon, lat in points:
        t = time.perf_counter()
        answer(lon, lat)
        times.append(1e6 * (time.perf_counter() - t))
times.sort()
p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
print(f"{len(times)} {statistics.median(times):.0f} {p99:.0f} {answered}")
