#!/usr/bin/env python3
"""Misbehaviour on purpose (/-/admin), /-/stats, keep-alive with 150
concurrent connections. The body faults and the bandwidth cap are checked on
a plain object and on a multipart one (a body of several slices, the fault
point inside the second part). Runs against an emulator started with
--allow-anonymous; usage: faults_test.py <port>."""
import http.client
import json
import re
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


def put_multipart(path, data, part_size):
    st, body, _ = call("POST", path + "?uploads")
    assert st == 200, (st, body)
    upload = re.search(rb"<UploadId>(.*?)</UploadId>", body).group(1).decode()
    xml = "<CompleteMultipartUpload>"
    for n, off in enumerate(range(0, len(data), part_size), 1):
        st, body, r = call("PUT", f"{path}?partNumber={n}&uploadId={upload}", data[off:off + part_size])
        assert st == 200, (st, body)
        xml += f"<Part><PartNumber>{n}</PartNumber><ETag>{r.getheader('ETag')}</ETag></Part>"
    st, body, _ = call("POST", f"{path}?uploadId={upload}", xml + "</CompleteMultipartUpload>")
    assert st == 200, (st, body)


payload = bytes(range(256)) * 4096  # 1 MiB
assert call("PUT", "/faults")[0] == 200
assert call("PUT", "/faults/obj", payload)[0] == 200
put_multipart("/faults/mp", payload, 400 * 1024)  # parts of 400, 400 and 224 KiB
st, data, r = call("GET", "/faults/mp", headers={"Range": "bytes=409000-819300"})
assert st == 206 and data == payload[409000:819301], (st, len(data))
assert r.getheader("x-oss-object-type") == "Multipart"
ok("multipart object: a range across all three parts")
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

for key in ("obj", "mp"):
    path = "/faults/" + key
    admin({"operation": "GetObject", "reset_rate": 1.0})
    try:
        call("GET", path)
        raise AssertionError("reset mid-body did not fail the read")
    except (ConnectionResetError, http.client.IncompleteRead, http.client.RemoteDisconnected):
        ok(f"{key}: connection reset mid-body")
    admin({"reset": True})

    admin({"operation": "GetObject", "truncate_rate": 1.0})
    try:
        st, data, _ = call("GET", path)
        raise AssertionError(f"truncated body read fully: {len(data)}")
    except http.client.IncompleteRead as e:
        assert len(e.partial) == len(payload) // 2 and e.partial == payload[:len(e.partial)], len(e.partial)
        ok(f"{key}: truncated body ({len(e.partial)} of {len(payload)} bytes)")
    admin({"reset": True})

    admin({"operation": "GetObject", "stall_rate": 1.0, "stall_ms": 1000})
    t = time.time(); st, data, _ = call("GET", path); took = time.time() - t
    assert st == 200 and data == payload and took >= 1.0, (st, took)
    ok(f"{key}: stall mid-body then complete ({took:.2f}s)")
    admin({"reset": True})

    admin({"operation": "GetObject", "bandwidth_mbps": 16})  # 2 MB/s
    t = time.time(); st, data, _ = call("GET", path); took = time.time() - t
    assert data == payload and took >= 0.4, took
    ok(f"{key}: bandwidth cap (1 MiB in {took:.2f}s at 16 Mbit/s)")
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
