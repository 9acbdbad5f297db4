"""Times Valhalla's isochrone (pyvalhalla Actor, bicycle costing, polygons)
from the same start points reach is timed on.

Usage: python valhalla_isochrone.py valhalla.json POINTS.json MINUTES [ROUNDS]
Prints one line: median and p99 in microseconds, and the median polygon
vertex count.
"""
import json
import statistics
import sys
import time

import valhalla

config, points_file, minutes = sys.argv[1], sys.argv[2], float(sys.argv[3])
rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 2
points = json.load(open(points_file))
actor = valhalla.Actor(config)
bodies = [
    json.dumps({"locations": [{"lon": lon, "lat": lat}], "costing": "bicycle",
                "contours": [{"time": minutes}], "polygons": True})
    for lon, lat in points
]
vertices = []
for body in bodies:  # warm-up round, and the shapes
    out = json.loads(actor.isochrone(body))
    for f in out["features"]:
        g = f["geometry"]
        if g["type"] == "Polygon":
            vertices.append(sum(len(r) for r in g["coordinates"]))
        elif g["type"] == "MultiPolygon":
            vertices.append(sum(len(r) for p in g["coordinates"] for r in p))
times = []
for _ in range(rounds):
    for body in bodies:
        t = time.perf_counter()
        actor.isochrone(body)
        times.append(1e6 * (time.perf_counter() - t))
times.sort()
p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
print(f"{len(times)} {statistics.median(times):.0f} {p99:.0f} {statistics.median(vertices) if vertices else 0:.0f}")
