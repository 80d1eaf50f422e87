#!/usr/bin/env python3
"""CPFS data flows through the NAS OpenAPI (RPC signature V1, signed here by an
independent implementation). Usage: EMU_SK=<sk> dataflow_test.py <port> <ak> <cpfs-root> <fsid>"""
import base64
import hashlib
import hmac
import http.client
import json
import os
import sys
import time
import urllib.parse
import uuid
from datetime import datetime, timezone

PORT, AK, ROOT, FS = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
SK = os.environ["EMU_SK"]  # the AccessKey secret: from the environment, never the command line


def enc(s):
    return urllib.parse.quote(str(s), safe="-_.~")


def call(action, secret=SK, ak=AK, nonce=None, **params):
    p = {"Action": action, "Version": "2017-06-26", "Format": "JSON", "AccessKeyId": ak,
         "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
         "SignatureNonce": nonce or uuid.uuid4().hex,
         "Timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "FileSystemId": FS}
    p.update({k.replace("__", "."): str(v) for k, v in params.items()})
    canon = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(p.items()))
    sts = "POST&%2F&" + enc(canon)
    p["Signature"] = base64.b64encode(hmac.new((secret + "&").encode(), sts.encode(), hashlib.sha1).digest()).decode()
    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    c.request("POST", "/?" + "&".join(f"{enc(k)}={enc(v)}" for k, v in p.items()))
    r = c.getresponse()
    body = json.loads(r.read())
    c.close()
    return r.status, body


def ok(msg):
    print("ok:", msg, flush=True)


def expect(status, code, res, what):
    assert res[0] == status and res[1].get("Code") == code, (what, res)
    ok(f"{what} -> {status} {code}")


# ---- signature checks
expect(400, "SignatureDoesNotMatch", call("DescribeDataFlows", secret="wrong"), "wrong secret")
expect(404, "InvalidAccessKeyId.NotFound", call("DescribeDataFlows", ak="nobody"), "unknown AccessKeyId")
call("DescribeDataFlows", nonce="fixed-nonce")
expect(400, "SignatureNonceUsed", call("DescribeDataFlows", nonce="fixed-nonce"), "replayed nonce")

# ---- filesets
st, b = call("CreateFileset", FileSystemPath="/fset1/", ClientToken="tok-fset")
assert st == 200 and b["FsetId"].startswith("fset-"), b
st, b2 = call("CreateFileset", FileSystemPath="/fset1/", ClientToken="tok-fset")
assert b2["FsetId"] == b["FsetId"], b2
fset = b["FsetId"]
assert os.path.isdir(f"{ROOT}/{FS}/fset1")
st, b = call("DescribeFilesets")
assert [e["FsetId"] for e in b["Entries"]["Entrie"]] == [fset], b
ok("CreateFileset (ClientToken idempotent), DescribeFilesets")

# ---- data flows
expect(404, "DataFlow.Bucket.NotExist",
       call("CreateDataFlow", SourceStorage="oss://nosuch", SourceStoragePath="/", FileSystemPath="/fset1/"),
       "data flow on a missing bucket")
st, b = call("CreateDataFlow", SourceStorage="oss://data", SourceStoragePath="/train/", FileSystemPath="/fset1/",
             Throughput=1, ClientToken="tok-df")
assert st == 200, b
df = b["DataFlowId"]
assert call("CreateDataFlow", SourceStorage="oss://data", SourceStoragePath="/train/", FileSystemPath="/fset1/",
            Throughput=1, ClientToken="tok-df")[1]["DataFlowId"] == df
st, b = call("DescribeDataFlows", Filters__1__Key="DataFlowIds", Filters__1__Value=df)
flow = b["DataFlowInfo"]["DataFlow"][0]
assert flow["Status"] == "Running" and flow["SourceStorage"] == "oss://data" and flow["FileSystemPath"] == "/fset1/", flow
ok("CreateDataFlow (idempotent), DescribeDataFlows")


def task(tid):
    st, b = call("DescribeDataFlowTasks", Filters__1__Key="TaskIds", Filters__1__Value=tid)
    assert st == 200, b
    return b["TaskInfo"]["Task"][0]


def wait(tid, seen_partial=None):
    for _ in range(600):
        t = task(tid)
        ps = t["ProgressStats"]
        if seen_partial is not None and t["Status"] == "Executing" and 0 < ps["BytesDone"] < ps["BytesTotal"]:
            seen_partial.append(ps)
        if t["Status"] in ("Completed", "Failed", "Canceled"):
            return t
        time.sleep(0.1)
    raise AssertionError(f"task {tid} did not finish")


expect(400, "InvalidParameter.ConflictPolicy",
       call("CreateDataFlowTask", DataFlowId=df, TaskAction="Import", DataType="MetaAndData"), "ConflictPolicy required")
st, b = call("CreateDataFlowTask", DataFlowId=df, TaskAction="Import", DataType="MetaAndData", Directory="/",
             ConflictPolicy="OVERWRITE_EXISTING", ClientToken="tok-task")
assert st == 200, b
tid = b["TaskId"]
assert call("CreateDataFlowTask", DataFlowId=df, TaskAction="Import", DataType="MetaAndData", Directory="/",
            ConflictPolicy="OVERWRITE_EXISTING", ClientToken="tok-task")[1]["TaskId"] == tid
partial = []
start = time.time()
t = wait(tid, partial)
took = time.time() - start
assert t["Status"] == "Completed", t
ps = t["ProgressStats"]
assert ps["FilesTotal"] == 2 and ps["ActualFiles"] == 2 and ps["FilesDone"] == 2, ps
assert ps["BytesTotal"] == 2_000_000 + 4 and ps["BytesDone"] == ps["BytesTotal"] == ps["ActualBytes"], ps
assert t["FilesystemId"] == FS and t["DataFlowId"] == df and t["Progress"] == 2, t
assert partial, "never saw the task Executing with partial progress"
assert took >= 1.5, f"2 MB at Throughput=1 MB/s finished in {took:.2f}s"
with open(f"{ROOT}/{FS}/fset1/a.bin", "rb") as f, open(os.environ["SEED"] + "/train/a.bin", "rb") as g:
    assert f.read() == g.read()
assert open(f"{ROOT}/{FS}/fset1/sub/b.txt").read() == "bee\n"
assert not os.path.exists(f"{ROOT}/{FS}/fset1/c.txt")
ok(f"Import MetaAndData copied at the throughput ({took:.1f}s, partial progress seen: {partial[0]['BytesDone']} bytes)")

st, b = call("CreateDataFlowTask", DataFlowId=df, TaskAction="Import", DataType="MetaAndData",
             ConflictPolicy="SKIP_THE_FILE")
t = wait(b["TaskId"])
ps = t["ProgressStats"]
assert t["Status"] == "Completed" and ps["ActualFiles"] == 0 and ps["FilesDone"] == 2 and ps["ActualBytes"] == 0, t
ok("SKIP_THE_FILE re-import transfers nothing")

st, b = call("CreateDataFlowTask", DataFlowId=df, TaskAction="Import", DataType="Metadata", DstDirectory="/meta/",
             ConflictPolicy="OVERWRITE_EXISTING")
t = wait(b["TaskId"])
assert t["Status"] == "Completed" and t["ProgressStats"]["ActualBytes"] == 0, t
st_ = os.stat(f"{ROOT}/{FS}/fset1/meta/a.bin")
assert st_.st_size == 2_000_000 and st_.st_blocks * 512 < 2_000_000, (st_.st_size, st_.st_blocks)
ok("Metadata import creates entries with sizes, without data")

st, b = call("CreateDataFlowTask", DataFlowId=df, TaskAction="Import", DataType="MetaAndData", DstDirectory="/again/",
             ConflictPolicy="OVERWRITE_EXISTING")
tid = b["TaskId"]
time.sleep(0.3)
st, b = call("CancelDataFlowTask", DataFlowId=df, TaskId=tid)
assert st == 200, b
t = wait(tid)
assert t["Status"] == "Canceled", t
expect(403, "InvalidStatus.Task", call("CancelDataFlowTask", DataFlowId=df, TaskId=tid), "cancel a finished task")
ok("CancelDataFlowTask")

ids = [df]
for i in range(9):
    st, b = call("CreateDataFlow", SourceStorage="oss://data", SourceStoragePath="/", FileSystemPath="/fset1/")
    assert st == 200, b
    ids.append(b["DataFlowId"])
expect(403, "QuotaExceeded.DataFlow",
       call("CreateDataFlow", SourceStorage="oss://data", SourceStoragePath="/", FileSystemPath="/fset1/"),
       "11th data flow")
st, b = call("DescribeDataFlows", MaxResults=10)
assert len(b["DataFlowInfo"]["DataFlow"]) == 10 and b["NextToken"] == "", b
for i in ids:
    assert call("DeleteDataFlow", DataFlowId=i)[0] == 200
st, b = call("DescribeDataFlows")
assert b["DataFlowInfo"]["DataFlow"] == [], b
assert call("DeleteFileset", FsetId=fset)[0] == 200
assert call("DescribeFilesets")[1]["Entries"]["Entrie"] == []
ok("10 data flows per file system; DeleteDataFlow; DeleteFileset")
print("dataflow: all checks passed")
