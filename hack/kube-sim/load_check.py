#!/usr/bin/env python3
"""Measures kube-sim alone (no controller): API create throughput, container
starts per second per node, and the latency from a container's exit to the
pod status showing it terminated.

Usage: load_check.py http://127.0.0.1:PORT [--pvcs N] [--pods N] [--clients C] [--nodes K]
  PORT is kube-sim's --http-listen port (plain HTTP, admin). kube-sim must map
  the image "noop" to /bin/sh (--image-map noop=/bin/sh) and run as root (the
  termination message file is bind-mounted into the container).

Each pod runs one container `sh -c 'date +%s.%N > /dev/termination-log'`: it
exits 0 at once after writing its exit time (wall clock, ns) as the
termination message. A watch on the pods records when each pod first shows
its container running or terminated (start) and when it shows terminated;
exit latency = watch receipt time - the time in the message.

Prints one line per figure; exits 1 when not every pod Succeeded within
--timeout seconds. Standard library only.
"""
import argparse
import http.client
import json
import queue
import sys
import threading
import time
import urllib.parse


def connection(url):
    u = urllib.parse.urlparse(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=60)


def request(conn, method, path, body=None):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    return resp.status, data


def create_all(url, path, objects, clients, pace=0.0):
    """POSTs every object over `clients` keep-alive connections (each waiting
    `pace` seconds after a create); returns seconds."""
    work = queue.Queue()
    for o in objects:
        work.put(o)
    errors = []

    def worker():
        conn = connection(url)
        while True:
            try:
                o = work.get_nowait()
            except queue.Empty:
                return
            status, data = request(conn, "POST", path, o)
            if status != 201:
                errors.append(f"{status} {data[:200]!r}")
            if pace:
                time.sleep(pace)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    if errors:
        sys.exit(f"FAIL - {len(errors)} creates failed, first: {errors[0]}")
    return elapsed


def pvc(i):
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": f"load-pvc-{i}"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}


def pod(i):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"load-pod-{i}"},
            "spec": {"restartPolicy": "Never", "automountServiceAccountToken": False,
                     "terminationGracePeriodSeconds": 0,
                     "containers": [{"name": "noop", "image": "noop",
                                     "command": ["sh", "-c", "date +%s.%N > /dev/termination-log"]}]}}


class PodWatcher(threading.Thread):
    """Streams pod events and records, per pod, when its container was first
    seen started and terminated (receipt time) and the exit time it wrote."""

    def __init__(self, url, ns, rv):
        super().__init__(daemon=True)
        self.url, self.ns, self.rv = url, ns, rv
        self.started, self.terminated, self.exited_at, self.node = {}, {}, {}, {}
        self.succeeded = set()
        self.lock = threading.Lock()

    def run(self):
        conn = connection(self.url)
        conn.request("GET", f"/api/v1/namespaces/{self.ns}/pods?watch=true&resourceVersion={self.rv}")
        resp = conn.getresponse()
        while True:
            line = resp.readline()
            if not line:
                return
            now = time.time()
            ev = json.loads(line)
            obj = ev["object"]
            name = obj["metadata"]["name"]
            st = obj.get("status", {})
            with self.lock:
                if st.get("phase") == "Succeeded":
                    self.succeeded.add(name)
                for cs in st.get("containerStatuses", []):
                    state = cs.get("state", {})
                    if ("running" in state or "terminated" in state) and name not in self.started:
                        self.started[name] = now
                        self.node[name] = obj["spec"].get("nodeName", "")
                    term = state.get("terminated")
                    if term and name not in self.terminated:
                        self.terminated[name] = now
                        try:
                            self.exited_at[name] = float(term.get("message", "").strip())
                        except ValueError:
                            pass


def pct(values, q):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(q * (len(v) - 1))))] if v else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--pvcs", type=int, default=1000)
    ap.add_argument("--pods", type=int, default=200)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--nodes", type=int, default=2, help="schedulable nodes (starts/s per node)")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--pace", type=float, default=0.0,
                    help="seconds each client waits after a pod create (0: a burst; e.g. 0.05 with --clients 1 "
                         "measures the exit latency of a kubelet that is not busy starting others)")
    ap.add_argument("--namespace", default="load")
    a = ap.parse_args()
    conn = connection(a.url)
    request(conn, "POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                 "metadata": {"name": a.namespace}})
    base = f"/api/v1/namespaces/{a.namespace}"
    if a.pvcs:
        t = create_all(a.url, base + "/persistentvolumeclaims", [pvc(i) for i in range(a.pvcs)], a.clients)
        print(f"PVC creates: {a.pvcs} in {t:.2f} s = {a.pvcs / t:.0f}/s ({a.clients} clients)")
    if not a.pods:
        return
    status, data = request(conn, "GET", base + "/pods")
    watcher = PodWatcher(a.url, a.namespace, json.loads(data)["metadata"]["resourceVersion"])
    watcher.start()
    time.sleep(0.2)  # the watch is registered before the first create
    t0 = time.time()
    t = create_all(a.url, base + "/pods", [pod(i) for i in range(a.pods)], a.clients, a.pace)
    print(f"pod creates: {a.pods} in {t:.2f} s = {a.pods / t:.0f}/s ({a.clients} clients)")
    deadline = time.time() + a.timeout
    while time.time() < deadline:
        with watcher.lock:
            if len(watcher.succeeded) >= a.pods:
                break
        time.sleep(0.05)
    with watcher.lock:
        done = len(watcher.succeeded)
        starts = sorted(watcher.started.values())
        lat = [watcher.terminated[n] - watcher.exited_at[n] for n in watcher.exited_at]
    if len(starts) >= 2:
        span = starts[-1] - starts[0]
        rate = (len(starts) - 1) / span if span > 0 else float("inf")
        print(f"container starts: {len(starts)} over {span:.2f} s (first start {starts[0] - t0:.2f} s after the "
              f"first create) = {rate:.1f}/s, {rate / a.nodes:.1f}/s per node ({a.nodes} nodes)")
    if lat:
        print(f"exit -> status terminated: p50 {pct(lat, .5) * 1000:.0f} ms  p99 {pct(lat, .99) * 1000:.0f} ms  "
              f"max {max(lat) * 1000:.0f} ms ({len(lat)} pods)")
    print(f"all {done}/{a.pods} pods Succeeded {time.time() - t0:.2f} s after the first create")
    if done < a.pods:
        sys.exit(f"FAIL - only {done}/{a.pods} pods Succeeded within {a.timeout:.0f} s")


if __name__ == "__main__":
    main()
