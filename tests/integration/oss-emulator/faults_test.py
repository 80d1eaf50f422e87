#!/usr/bin/env python3
"""Misbehaviour on purpose (/-/admin), /-/stats, keep-alive with 150
concurrent connections. Runs against an emulator started with
--allow-anonymous; usage: faults_test.py <port>."""
import http.client
import json
import sys
import threading
import time

PORT = int(sys.argv[1])


def conn():
    return http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)


def call(method, path, body=None, headers=None):
    c = conn()
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data, r


def admin(cfg):
    st, data, _ = call("POST", "/-/admin", json.dumps(cfg), {"Content-Type": "application/json"})
    assert st == 200, (st, data)


def stats():
    return json.loads(call("GET", "/-/stats")[1])


def ok(msg):
    print("ok:", msg, flush=True)


payload = bytes(range(256)) * 4096  # 1 MiB
assert call("PUT", "/faults")[0] == 200
assert call("PUT", "/faults/obj", payload)[0] == 200
call("DELETE", "/-/stats")
st, data, _ = call("GET", "/faults/obj")
assert st == 200 and data == payload
s = stats()
assert s["operations"]["GetObject"]["count"] == 1, s
assert s["operations"]["GetObject"]["bytes_out"] == len(payload), s
assert "HeadObject" not in s["operations"], s
ok("stats count GetObject and bytes served, no HeadObject")

admin({"operation": "GetObject", "latency_ms": 400})
t = time.time(); call("GET", "/faults/obj"); slow = time.time() - t
t = time.time(); call("HEAD", "/faults/obj"); fast = time.time() - t
assert slow >= 0.4 and fast < 0.3, (slow, fast)
ok(f"per-operation first-byte latency (GET {slow:.2f}s, HEAD {fast:.2f}s)")
admin({"reset": True})

for status, code in ((503, "SlowDown"), (500, "InternalError")):
    admin({"operation": "GetObject", "error_rate": 1.0, "error_status": status})
    st, data, _ = call("GET", "/faults/obj")
    assert st == status and f"<Code>{code}</Code>".encode() in data, (st, data)
    ok(f"error rate -> {status} {code}")
admin({"reset": True})

admin({"operation": "GetObject", "reset_rate": 1.0})
try:
    call("GET", "/faults/obj")
    raise AssertionError("reset mid-body did not fail the read")
except (ConnectionResetError, http.client.IncompleteRead, http.client.RemoteDisconnected):
    ok("connection reset mid-body")
admin({"reset": True})

admin({"operation": "GetObject", "truncate_rate": 1.0})
try:
    st, data, _ = call("GET", "/faults/obj")
    raise AssertionError(f"truncated body read fully: {len(data)}")
except http.client.IncompleteRead as e:
    assert 0 < len(e.partial) < len(payload), len(e.partial)
    ok(f"truncated body ({len(e.partial)} of {len(payload)} bytes)")
admin({"reset": True})

admin({"operation": "GetObject", "stall_rate": 1.0, "stall_ms": 1000})
t = time.time(); st, data, _ = call("GET", "/faults/obj"); took = time.time() - t
assert st == 200 and data == payload and took >= 1.0, (st, took)
ok(f"stall mid-body then complete ({took:.2f}s)")
admin({"reset": True})

admin({"operation": "GetObject", "bandwidth_mbps": 16})  # 2 MB/s
t = time.time(); st, data, _ = call("GET", "/faults/obj"); took = time.time() - t
assert data == payload and took >= 0.4, took
ok(f"bandwidth cap (1 MiB in {took:.2f}s at 16 Mbit/s)")
admin({"reset": True})


def sequence():
    admin({"reset": True, "rng_seed": 42, "operation": "HeadObject", "error_rate": 0.5})
    return [call("HEAD", "/faults/obj")[0] for _ in range(24)]


a, b = sequence(), sequence()
assert a == b and 503 in a and 200 in a, (a, b)
ok("seeded RNG reproduces the same fault sequence")
admin({"reset": True})

# 150 concurrent keep-alive connections, each used twice.
N = 150
barrier = threading.Barrier(N)
errors = []


def worker(i):
    try:
        c = conn()
        c.request("HEAD", "/faults/obj")
        r = c.getresponse(); r.read()
        assert r.status == 200
        barrier.wait(timeout=60)
        c.request("GET", "/faults/obj", headers={"Range": "bytes=0-15"})
        r = c.getresponse(); d = r.read()
        assert r.status == 206 and d == payload[:16], r.status
        c.close()
    except Exception as e:  # noqa: BLE001
        errors.append(repr(e))


threads = [threading.Thread(target=worker, args=(i,)) for i in range(N)]
for t in threads: t.start()
for t in threads: t.join()
assert not errors, errors[:3]
ok(f"{N} concurrent keep-alive connections")
s = stats()
assert s["operations"]["HeadObject"]["count"] >= N + 48, s["operations"]["HeadObject"]
print("faults: all checks passed")
