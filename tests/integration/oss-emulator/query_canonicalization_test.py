# Query values with reserved characters (= + / % space & ? # unicode) in
# prefix, start-after, marker and continuation-token, as boto3 (SigV4 and
# SigV2) and awscli (SigV4) send and sign them. Creates the bucket and its
# keys, writes the cases to <cases.json> for query_canonicalization_test.js
# (ali-oss, OSS V1 and V4), then checks every listing against the key set.
# Usage: EMU_SK=<sk> python3 query_canonicalization_test.py <endpoint> <ak> <cases.json>
import json
import os
import subprocess
import sys

import boto3
from botocore.config import Config

url, ak, cases_file = sys.argv[1:]
sk = os.environ["EMU_SK"]  # the AccessKey secret: from the environment, never the command line
BUCKET = "canon"
KEYS = ["q/a=b", "q/a+b", "q/a b", "q/a%2Fb", "q/a%b", "q/a/b=c", "q/a&b", "q/a?b", "q/a#b", "q/a;b,c:d@e$",
        "q/!'()*", "q/~t-_.", "q/ü=ñ", "q/汉字+", "q/plus+/x", "q/plus+/y", "q/sp ace/y", "q/eq=/z", "q/pct%/w"]
CASES = {
    "bucket": BUCKET,
    "keys": KEYS,
    "prefixes": ["q/a=", "q/a+", "q/a ", "q/a%", "q/a%2F", "q/a&", "q/a?", "q/a#", "q/ü", "q/汉字", "q/!'", "q/plus+/"],
    "afters": ["q/a+b", "q/a=", "q/a ", "q/a%2F", "q/ü", "q/eq=/", "q/!'()*"],
}


def utf8_sorted(keys):
    return sorted(keys, key=lambda k: k.encode())


def expect_prefix(p):
    return utf8_sorted(k for k in KEYS if k.startswith(p))


def expect_after(a):
    return utf8_sorted(k for k in KEYS if k.encode() > a.encode())


def expect_delimited(prefix):
    keys, prefixes = [], set()
    for k in KEYS:
        if k.startswith(prefix):
            rest = k[len(prefix):]
            if "/" in rest:
                prefixes.add(prefix + rest.split("/", 1)[0] + "/")
            else:
                keys.append(k)
    return utf8_sorted(keys), utf8_sorted(prefixes)


def check(got, want, what):
    if got != want:
        raise SystemExit(f"FAIL: {what}: expected {want}, got {got}")
    print(f"ok: {what}")


def client(signature_version):
    return boto3.session.Session().client(
        "s3", endpoint_url=url, region_name="cn-hangzhou", aws_access_key_id=ak, aws_secret_access_key=sk,
        config=Config(signature_version=signature_version, s3={"addressing_style": "path"},
                      retries={"max_attempts": 1}))


def signs_query_in_sigv2_resource(c):
    """True for botocore releases (Debian bookworm's 1.29) whose SigV2 signer
    puts ListObjectsV2's "?list-type=2" into the canonical resource: S3 signs
    only its listed sub-resources, so such a signature is wrong against real S3
    too, and ListObjectsV2 is checked with the other signers only."""
    seen = []
    c.meta.events.register("before-sign.s3.ListObjectsV2", lambda request, **kw: seen.append(request.auth_path))
    try:
        c.list_objects_v2(Bucket=BUCKET, MaxKeys=1)
    except Exception:
        pass
    return any(p and "?" in p for p in seen)


def boto3_checks(c, label):
    list_v2 = not (label.endswith("SigV2") and signs_query_in_sigv2_resource(c))
    if not list_v2:
        print(f"skip: {label} ListObjectsV2 (this botocore signs ?list-type=2 into the SigV2 resource)")
    for p in CASES["prefixes"]:
        if list_v2:
            r = c.list_objects_v2(Bucket=BUCKET, Prefix=p)
            check([o["Key"] for o in r.get("Contents", [])], expect_prefix(p), f"{label} V2 prefix {p!r}")
        r = c.list_objects(Bucket=BUCKET, Prefix=p)
        check([o["Key"] for o in r.get("Contents", [])], expect_prefix(p), f"{label} V1 prefix {p!r}")
    for a in CASES["afters"]:
        if list_v2:
            r = c.list_objects_v2(Bucket=BUCKET, Prefix="q/", StartAfter=a)
            check([o["Key"] for o in r.get("Contents", [])], expect_after(a), f"{label} start-after {a!r}")
        r = c.list_objects(Bucket=BUCKET, Prefix="q/", Marker=a)
        check([o["Key"] for o in r.get("Contents", [])], expect_after(a), f"{label} marker {a!r}")
    # Page by page: every key of "q/" is once a marker, a start-after and a token's position.
    for op, extra in (("list_objects_v2", {}), ("list_objects", {}), ("list_objects_v2", {"StartAfter": "q/a b"})):
        if op == "list_objects_v2" and not list_v2:
            continue
        keys = []
        for page in c.get_paginator(op).paginate(Bucket=BUCKET, Prefix="q/", PaginationConfig={"PageSize": 1},
                                                 **extra):
            keys += [o["Key"] for o in page.get("Contents", [])]
        want = expect_after(extra["StartAfter"]) if extra else expect_prefix("q/")
        check(keys, want, f"{label} {op} {extra or ''} pages of 1")
    for prefix in ("q/", "q/plus+/") if list_v2 else ():
        keys, prefixes = [], []
        for page in c.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix, Delimiter="/",
                                                                PaginationConfig={"PageSize": 2}):
            keys += [o["Key"] for o in page.get("Contents", [])]
            prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        check((keys, prefixes), expect_delimited(prefix), f"{label} delimiter pages of 2 under {prefix!r}")


def aws(*args):
    env = dict(os.environ, AWS_ACCESS_KEY_ID=ak, AWS_SECRET_ACCESS_KEY=sk, AWS_DEFAULT_REGION="cn-hangzhou",
               AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE="/dev/null")
    out = subprocess.run(["aws", "--endpoint-url", url, "--output", "json", *args], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out) if out.strip() else None


def awscli_checks():
    def keys(*args):
        return aws("s3api", *args, "--bucket", BUCKET, "--query", "Contents[].Key") or []
    for p in CASES["prefixes"]:
        check(keys("list-objects-v2", "--prefix", p), expect_prefix(p), f"awscli list-objects-v2 --prefix {p!r}")
    for a in CASES["afters"]:
        check(keys("list-objects-v2", "--prefix", "q/", "--start-after", a), expect_after(a),
              f"awscli --start-after {a!r}")
    check(keys("list-objects-v2", "--prefix", "q/", "--page-size", "1"), expect_prefix("q/"),
          "awscli list-objects-v2 pages of 1")
    check(keys("list-objects", "--prefix", "q/", "--page-size", "1"), expect_prefix("q/"),
          "awscli list-objects (marker) pages of 1")
    got = aws("s3api", "list-objects-v2", "--bucket", BUCKET, "--prefix", "q/", "--delimiter", "/",
              "--page-size", "2", "--query", "[Contents[].Key, CommonPrefixes[].Prefix]")
    check(tuple(got), expect_delimited("q/"), "awscli delimiter pages of 2")


s3 = client("s3v4")
s3.create_bucket(Bucket=BUCKET)
for k in KEYS:
    s3.put_object(Bucket=BUCKET, Key=k, Body=k.encode())
check(utf8_sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]), utf8_sorted(KEYS),
      "keys with reserved characters stored as sent")
with open(cases_file, "w", encoding="utf-8") as f:
    json.dump(CASES, f, ensure_ascii=False)
boto3_checks(s3, "boto3 SigV4")
boto3_checks(client("s3"), "boto3 SigV2")
awscli_checks()
