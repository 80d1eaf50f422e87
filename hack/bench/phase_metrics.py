#!/usr/bin/env python3
"""Per-phase table of the controller's ossvp_phase_duration_seconds histogram.

Reads a /metrics scrape (Prometheus text) and prints, for one mode, each
phase interval's count, mean, p50 and p99 (estimated from the histogram
buckets like PromQL's histogram_quantile: linear inside the bucket), labelled
with its owner: "controller" (the controller's own reaction) or
"harness/pod" (owner="cluster": scheduling, volumes, container start, the
copy, the PV controller's binding). Then the sums per owner.

Usage: phase_metrics.py METRICS_FILE [MODE]      (MODE defaults to generic)
"""
import math
import re
import sys
from collections import defaultdict

METRIC = "ossvp_phase_duration_seconds"
# Flow order of the intervals (phase_timeline.h); unknown ones follow, sorted.
ORDER = ["queued_to_prime_created", "prime_created_to_pod_created", "pod_created_to_running",
         "running_to_finished", "finished_to_rebind", "rebind_to_bound", "bound_to_cleanup"]
OWNER_SHOWN = {"controller": "controller", "cluster": "harness/pod"}
LINE = re.compile(r'^(?P<name>[a-z_]+)\{(?P<labels>[^}]*)\} (?P<value>\S+)$')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def parse(text, mode):
    """{phase: {"owner", "buckets": [(le, cumulative)], "count", "sum"}} of `mode`."""
    series = defaultdict(lambda: {"owner": "", "buckets": [], "count": 0.0, "sum": 0.0})
    for line in text.splitlines():
        m = LINE.match(line)
        if not m or not m["name"].startswith(METRIC + "_"):
            continue
        labels = dict(LABEL.findall(m["labels"]))
        if labels.get("mode") != mode or "phase" not in labels:
            continue
        s = series[labels["phase"]]
        s["owner"] = labels.get("owner", "")
        kind, value = m["name"][len(METRIC) + 1:], float(m["value"])
        if kind == "bucket":
            s["buckets"].append((float(labels["le"]), value))  # "+Inf" parses as inf
        elif kind in ("count", "sum"):
            s[kind] = value
    for s in series.values():
        s["buckets"].sort()
    return dict(series)


def quantile(q, buckets):
    """histogram_quantile: seconds, or None without observations. Beyond the
    last finite bound it answers that bound (the true value is larger)."""
    if not buckets or buckets[-1][1] == 0:
        return None
    rank = q * buckets[-1][1]
    lower, below = 0.0, 0.0
    for le, cumulative in buckets:
        if cumulative >= rank:
            if math.isinf(le):
                return lower
            if cumulative == below:
                return le
            return lower + (le - lower) * (rank - below) / (cumulative - below)
        lower, below = le, cumulative
    return lower


def table(series):
    """The printed lines."""
    phases = [p for p in ORDER if p in series] + sorted(p for p in series if p not in ORDER)
    out = [f"{'phase':<30} {'owner':<12} {'count':>6} {'mean ms':>9} {'p50 ms':>9} {'p99 ms':>9}"]
    totals = defaultdict(lambda: [0.0, 0.0, 0.0])  # owner -> sums of mean, p50, p99 (ms)
    ms = lambda v: "-" if v is None else f"{v * 1000:.1f}"
    for p in phases:
        s = series[p]
        owner = OWNER_SHOWN.get(s["owner"], s["owner"] or "?")
        mean = s["sum"] / s["count"] if s["count"] else None
        p50, p99 = quantile(0.5, s["buckets"]), quantile(0.99, s["buckets"])
        out.append(f"{p:<30} {owner:<12} {int(s['count']):>6} {ms(mean):>9} {ms(p50):>9} {ms(p99):>9}")
        for i, v in enumerate((mean, p50, p99)):
            totals[owner][i] += v or 0.0
    for owner in sorted(totals):
        mean, p50, p99 = totals[owner]
        out.append(f"{'sum, ' + owner:<43} {mean * 1000:>16.1f} {p50 * 1000:>9.1f} {p99 * 1000:>9.1f}")
    return out


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    mode = argv[2] if len(argv) > 2 else "generic"
    series = parse(open(argv[1]).read(), mode)
    if not series:
        sys.exit(f"no {METRIC} series with mode=\"{mode}\" in {argv[1]}: is the controller new enough and "
                 "did any PVC finish (the histogram is observed once a PVC's cleanup is done)?")
    print("\n".join(table(series)))


if __name__ == "__main__":
    main(sys.argv)
