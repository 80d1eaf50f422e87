# ListObjectsV2 pagination against the emulator with clients we did not write:
# boto3's list_objects_v2 paginator (S3 dialect, SigV4, encoding-type=url
# added by botocore) over 1,100 keys, also with a delimiter so that page
# boundaries fall on common prefixes; and a client that signs OSS V1 with the
# continuation-token exactly as it appears, percent-escaped, in its URL.
# Every NextContinuationToken must consist of unreserved characters only.
# Usage: EMU_SK=<sk> python3 boto3_pagination_test.py <endpoint> <ak>
import base64
import email.utils
import hashlib
import hmac
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

url, ak = sys.argv[1:]
sk = os.environ["EMU_SK"]  # the AccessKey secret: from the environment, never the command line
BUCKET = "paging"
UNRESERVED = re.compile(r"^[A-Za-z0-9._~-]+$")

s3 = boto3.session.Session().client(
    "s3", endpoint_url=url, region_name="cn-hangzhou", aws_access_key_id=ak, aws_secret_access_key=sk,
    config=Config(s3={"addressing_style": "path"}, max_pool_connections=8, retries={"max_attempts": 1}))


def check(cond, what):
    if not cond:
        raise SystemExit(f"FAIL: {what}")
    print(f"ok: {what}")


def put_all(keys):
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda k: s3.put_object(Bucket=BUCKET, Key=k, Body=b"x"), keys))


s3.create_bucket(Bucket=BUCKET)
# Key lengths differ so that the emulator's tokens would need base64 padding.
flat = [f"d0/f{i:04d}" for i in range(1100)]
tree = [f"t/dir{i:02d}/{name}" for i in range(30) for name in ("a", "bb", "ccc")]
loose = [f"t/file{i:03d}" for i in range(40)]
put_all(flat + tree + loose)

tokens = []


def pages(**kw):
    out = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, **kw):
        out.append(page)
        if page.get("NextContinuationToken"):
            tokens.append(page["NextContinuationToken"])
    return out


got = pages(Prefix="d0/")
keys = [o["Key"] for p in got for o in p.get("Contents", [])]
check(len(got) == 2, f"boto3 paginator: 1,100 keys in {len(got)} pages of up to 1,000")
check(keys == flat, "boto3 paginator: every key once, in order")

got = pages(Prefix="d0/", PaginationConfig={"PageSize": 97})
keys = [o["Key"] for p in got for o in p.get("Contents", [])]
check(len(got) == 12 and keys == flat, "boto3 paginator, page size 97: every key once, in order")

got = pages(Prefix="t/", Delimiter="/", PaginationConfig={"PageSize": 7})
seen = [o["Key"] for p in got for o in p.get("Contents", [])]
prefixes = [c["Prefix"] for p in got for c in p.get("CommonPrefixes", [])]
check(prefixes == sorted({k.rsplit("/", 1)[0] + "/" for k in tree}), "delimiter paging: each common prefix once")
check(seen == loose, "delimiter paging: each top-level key once")
check(all(p["KeyCount"] <= 7 for p in got) and len(got) == -(-(30 + 40) // 7),
      "delimiter paging: pages of at most 7 entries, boundaries on common prefixes")

check(tokens and all(UNRESERVED.match(t) for t in tokens),
      f"{len(tokens)} continuation tokens use unreserved characters only (e.g. {tokens[0]})")

# A client that signs OSS V1 over the continuation-token as escaped in its URL.
def v1_list(params):
    query = urllib.parse.urlencode(sorted(params.items()), quote_via=urllib.parse.quote, safe="")
    date = email.utils.formatdate(usegmt=True)
    resource = f"/{BUCKET}/"
    if "continuation-token" in params:
        resource += "?continuation-token=" + urllib.parse.quote(params["continuation-token"], safe="")
    sig = base64.b64encode(hmac.new(sk.encode(), f"GET\n\n\n{date}\n{resource}".encode(), hashlib.sha1).digest())
    req = urllib.request.Request(f"{url}/{BUCKET}/?{query}", headers={
        "Date": date, "Authorization": f"OSS {ak}:{sig.decode()}"})
    try:
        with urllib.request.urlopen(req) as resp:
            return ET.fromstring(resp.read())
    except urllib.error.HTTPError as e:
        raise SystemExit(f"FAIL: V1 list {params}: {e.code} {e.read().decode(errors='replace')}")


params = {"list-type": "2", "prefix": "d0/", "max-keys": "100"}
keys, count = [], 0
while True:
    root = v1_list(params)
    count += 1
    keys += [c.findtext("Key") for c in root.findall("Contents")]
    if root.findtext("IsTruncated") != "true":
        break
    params["continuation-token"] = root.findtext("NextContinuationToken")
check(count == 11 and keys == flat, "OSS V1 client signing the escaped token: 1,100 keys in 11 pages of 100")
