#!/usr/bin/env python3
"""Writes the seed corpora under tests/fuzz/corpus/<target>/ from the unit
tests' vectors and the repository's fixtures (CRD, examples). Re-run after
changing a seed; libFuzzer grows its own corpus elsewhere (build-fuzz/)."""
import json
import os
import shutil
import struct

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
CORPUS = os.path.join(HERE, "corpus")


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def reset():
    if os.path.isdir(CORPUS):
        shutil.rmtree(CORPUS)


# ---------------------------------------------------------------- ossclient
LIST = ('<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>examplebucket</Name><Prefix>a/</Prefix>'
        '<MaxKeys>3</MaxKeys><StartAfter>b</StartAfter><Delimiter>/</Delimiter><EncodingType>url</EncodingType>'
        '<IsTruncated>false</IsTruncated><Contents><Key>a/b</Key><LastModified>2020-05-18T05:45:47.000Z'
        '</LastModified><ETag>"35A27C2B9EAEEB6F48FD7FB5861D****"</ETag><Type>Normal</Type><Size>25</Size>'
        '<StorageClass>STANDARD</StorageClass><Owner><ID>0022012****</ID><DisplayName>user-example</DisplayName>'
        '</Owner></Contents><CommonPrefixes><Prefix>a/b/</Prefix></CommonPrefixes><KeyCount>3</KeyCount>'
        '</ListBucketResult>')
LIST_URL = ('<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>'
            '<NextContinuationToken>CgJhYg%3D%3D</NextContinuationToken>'
            '<Contents><Key>dir%2Fa%20b%2Bc+d%E4%B8%AD.txt</Key><Size>1</Size></Contents>'
            '<Contents><Key>%3Cweird%3E%26</Key><Size>2</Size></Contents>'
            '<CommonPrefixes><Prefix>dir%2Fsub%20dir%2F</Prefix></CommonPrefixes></ListBucketResult>')
INITIATE = ('<InitiateMultipartUploadResult><Bucket>oss-example</Bucket><Key>multipart.data</Key>'
            '<UploadId>0004B9894A22E5B1888A1E29F823****</UploadId></InitiateMultipartUploadResult>')
COMPLETE = ('<CompleteMultipartUploadResult><EncodingType>url</EncodingType><Location>http://x/y</Location>'
            '<Bucket>oss-example</Bucket><Key>demo%2Fmultipart.data</Key>'
            '<ETag>"097DE458AD02B5F89F9D0530231876****"</ETag></CompleteMultipartUploadResult>')
ERROR = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchBucket</Code><Message>The specified bucket '
         'does not exist.</Message>\n  <RequestId>5C3D9175B6FC201293AD****</RequestId><HostId>'
         'test.oss-cn-hangzhou.aliyuncs.com</HostId>\n  <BucketName>test</BucketName><EC>0015-00000101</EC>'
         '<Unknown>ignored</Unknown></Error>')


def ossclient():
    write("oss_xml_responses", "list", "\x00" + LIST)
    write("oss_xml_responses", "list_url_truncated", "\x00" + LIST_URL)
    write("oss_xml_responses", "list_cut", "\x00<ListBucketResult><Contents><Key>a</Ke")
    write("oss_xml_responses", "initiate", "\x01" + INITIATE)
    write("oss_xml_responses", "complete", "\x02" + COMPLETE)
    # status byte (404 = 400 + 4), x-oss-err, request id, ec, bucket, key, body
    write("oss_error", "body", "\x04\n\n\n\ntest\nk\n" + ERROR)
    import base64
    write("oss_error", "head_x_oss_err", "\x03" + base64.b64encode(ERROR.encode()).decode()
          + "\n64F0RID\n0003-00000001\nb\nkey/x\n")
    write("oss_error", "empty_503", "\x67\n\n\n\n\n\n")
    # method byte, bucket, key, query, path, headers..., "", Authorization text
    write("oss_signer", "v1_get", "\x00examplebucket\nnelson\nacl&response-content-type=text/plain\n\n"
          "Content-Type: text/html\nx-oss-meta-author: alice\nDate: Wed, 28 Dec 2022 10:27:41 GMT\n\n"
          "OSS ak:kSHKmLxlyEAKtZPkJhG9bZb5k7M=")
    write("oss_signer", "v4_put", "\x01examplebucket\nexampleobject\nuploadId=0004B9&partNumber=1\n\n"
          "x-oss-head1: value\nContent-MD5: eB5eJF1ptWaXm4bijSPyxw==\nx-oss-content-sha256: UNSIGNED-PAYLOAD\n\n"
          "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,"
          "AdditionalHeaders=host,Signature=e21d18daa82167720f9b1047ae7e7f1ce7cb77a31e8203a7d5f4624fa0284afe")
    write("oss_signer", "s3_v4", "\x00examplebucket\ntest.txt\n\n/examplebucket/test.txt\n"
          "Host: examplebucket.s3.amazonaws.com\nRange: bytes=0-9\n\n"
          "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
          "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed31"
          "0bd44f0170aba48dd91039c6036bdb41")
    write("oss_signer", "s3_v2_token", "\x04b\n\xe4\xb8\xad \xe6\x96\x87/a+b\nprefix=a%2F&delete\n\n"
          "x-amz-date: Tue, 27 Mar 2007 19:36:42 +0000\n\nTAWS AKID:c2ln")


# ---------------------------------------------------------------- controller
def generic_spec():
    return {"bucket": "my-test-bucket", "region": "cn-hangzhou",
            "endpoint": "oss-cn-hangzhou-internal.aliyuncs.com", "path": "/many-files/", "mode": "generic",
            "generic": {"labels": {"alibabacloud.com/eci": "true"},
                        "annotations": {"k8s.aliyun.com/eci-use-specs": "2-4Gi"},
                        "rrsaConfigs": {"roleArn": "acs:ram::1234567*****:role/oss-populator",
                                        "oidcProviderArn": "acs:ram::1234567*****:oidc-provider/my-oidc-provider"},
                        "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [{"matchExpressions": [
                                {"key": "disktype", "operator": "NotIn", "values": ["hdd"]}]}]}}},
                        "tolerations": [{"key": "virtual-kubelet.io/provider", "operator": "Equal",
                                         "value": "alibabacloud", "effect": "NoSchedule"}],
                        "throughput": 200}}


def ossvp_object(spec, name="demo"):
    return {"apiVersion": "storage.alibabacloud.com/v1beta1", "kind": "OSSVolumePopulator",
            "metadata": {"name": name, "namespace": "default", "uid": "u-1", "resourceVersion": "7",
                         "generation": 2}, "spec": spec}


def controller():
    write("controller_ossvp_spec", "generic_rrsa", json.dumps(ossvp_object(generic_spec())))
    bm = {"bucket": "b12", "region": "cn-hangzhou", "endpoint": "oss-cn-hangzhou-internal.aliyuncs.com",
          "path": "/Qwen3-32B/", "mode": "bmcpfs-dataflow",
          "bmcpfsDataflow": {"throughput": 1200, "sourceSecurityType": "SSL", "dataType": "metadata"}}
    write("controller_ossvp_spec", "bmcpfs", json.dumps(ossvp_object(bm)))
    bad = {"bucket": "B_", "region": "r", "endpoint": "https://e.com/x", "path": "a/../b", "mode": "generic",
           "generic": {"secretRef": "s", "rrsaConfigs": {"roleArn": "x"}}}
    write("controller_ossvp_spec", "bad_spec", json.dumps(bad))
    for f in sorted(os.listdir(os.path.join(ROOT, "manifests", "examples"))):
        d = os.path.join(ROOT, "manifests", "examples", f)
        if not os.path.isdir(d):
            continue
        for y in sorted(os.listdir(d)):
            if not y.endswith(".yaml"):
                continue
            for i, doc in enumerate(yaml.safe_load_all(open(os.path.join(d, y)))):
                if isinstance(doc, dict) and doc.get("kind") == "OSSVolumePopulator":
                    write("controller_ossvp_spec", "example_%s_%s_%d" % (f, y[:-5], i), json.dumps(doc))

    write("controller_kubeconfig", "token", """apiVersion: v1
kind: Config
current-context: sim
clusters:
- name: sim
  cluster:
    server: https://127.0.0.1:6443/
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
contexts:
- name: sim
  context: {cluster: sim, user: admin, namespace: ack-volume-populator}
- name: fuzz
  context: {cluster: sim, user: nobody}
users:
- name: admin
  user: {token: not-a-real-token}
""")
    write("controller_kubeconfig", "client_cert", """apiVersion: v1
kind: Config
current-context: c
clusters:
- {name: k, cluster: {server: "http://127.0.0.1:8080", insecure-skip-tls-verify: true}}
contexts:
- {name: c, context: {cluster: k, user: u}}
users:
- {name: u, user: {client-certificate-data: Y2VydA==, client-key-data: a2V5}}
""")
    write("controller_kubeconfig", "no_context", "current-context: missing\nclusters: []\n")

    pvc = {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
           "metadata": {"name": "data", "namespace": "default", "uid": "u-2", "resourceVersion": "10",
                        "creationTimestamp": "2026-11-23T14:05:00Z", "labels": {"app": "x"},
                        "annotations": {"volume.kubernetes.io/storage-provisioner": "csi"},
                        "finalizers": ["kubernetes.io/pvc-protection"]},
           "spec": {"volumeName": "pv-1", "dataSourceRef": {"apiGroup": "storage.alibabacloud.com",
                                                            "kind": "OSSVolumePopulator", "name": "demo"}}}
    lines = [{"type": "ADDED", "object": pvc},
             {"type": "MODIFIED", "object": dict(pvc, metadata=dict(pvc["metadata"], resourceVersion="11",
                                                                     deletionTimestamp="2026-11-23T15:00:00Z"))},
             {"type": "BOOKMARK", "object": {"kind": "PersistentVolumeClaim",
                                             "metadata": {"resourceVersion": "12"}}},
             {"type": "ADDED", "object": ossvp_object(generic_spec())},
             {"type": "DELETED", "object": pvc},
             {"type": "ERROR", "object": {"kind": "Status", "code": 410, "message": "too old resource version"}}]
    write("controller_watch_events", "stream", "\n".join(json.dumps(l) for l in lines) + "\n")
    write("controller_watch_events", "partial_line", json.dumps(lines[0])[:80])
    # Malformed metadata (must be ignored, not thrown on), CRLF framing, a
    # last line without newline, and objects the readers must survive.
    odd = [{"type": "ADDED", "object": {"metadata": {"name": 5, "resourceVersion": "20"}}},
           {"type": "MODIFIED", "object": {"metadata": {"name": "n", "namespace": ["x"]}}},
           {"type": "ADDED", "object": dict(pvc, metadata=dict(pvc["metadata"], uid=7, labels={"app": 1},
                                                                finalizers="x", creationTimestamp=3))},
           {"type": "DELETED", "object": None},
           {"type": 3, "object": pvc},
           {"type": "ERROR", "object": {"code": "410", "message": ["m"]}}]
    write("controller_watch_events", "malformed_metadata",
          "\r\n".join(json.dumps(l) for l in odd) + "\r\nnot json\n\n[]\n" + json.dumps(lines[1]))


# ---------------------------------------------------------------- populator
def populator():
    long_name = "n" * 256
    write("populator_key_mapper", "plain", "data/\ndata/a.txt\ndata/sub/b.bin\ndata/\ndata/empty/\n"
          "data/\u65e5\u672c\u8a9e/\u30d5\u30a1\u30a4\u30eb.txt")
    write("populator_key_mapper", "hostile", "p/\np/../etc/passwd\np/a/../../x\np//abs\np/./dot\np/" + long_name
          + "\np/ok/" + "y" * 255 + "\np/.ossvp-populator/journal\nother/key\np/..\np/a//b\np/nul\tbyte")
    write("populator_key_mapper", "file_and_prefix", "\na/b\na/b/c\nx/\nx\n/abs\n..\n.")


# ---------------------------------------------------------------- oss-emulator
def emulator():
    write("ossemu_http_request", "put_get_list",
          "PUT /fuzzbucket HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
          "PUT /fuzzbucket/dir/a%20b.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n"
          "x-oss-meta-k: v\r\n\r\nhello"
          "GET /fuzzbucket/dir/a%20b.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: bytes=1-3\r\n\r\n"
          "GET /fuzzbucket/?list-type=2&prefix=dir%2F&delimiter=%2F&max-keys=1&encoding-type=url HTTP/1.1\r\n"
          "Host: 127.0.0.1\r\n\r\n")
    write("ossemu_http_request", "virtual_host_chunked",
          "PUT / HTTP/1.1\r\nHost: vb.oss-cn-hangzhou.aliyuncs.com\r\nContent-Length: 0\r\n\r\n"
          "PUT /k HTTP/1.1\r\nHost: vb.oss-cn-hangzhou.aliyuncs.com\r\nTransfer-Encoding: chunked\r\n\r\n"
          "3\r\nabc\r\n0\r\n\r\n"
          "POST /k?uploads HTTP/1.1\r\nHost: vb.oss-cn-hangzhou.aliyuncs.com\r\nContent-Length: 0\r\n\r\n")
    write("ossemu_http_request", "multipart",
          "PUT /b HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"
          "POST /b/m?uploads HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"
          "PUT /b/m?partNumber=1&uploadId=x HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi"
          "POST /b/m?uploadId=x HTTP/1.1\r\nHost: h\r\nContent-Length: 115\r\n\r\n"
          "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"x\"</ETag></Part>"
          "</CompleteMultipartUpload>")
    write("ossemu_http_request", "s3_signed",
          "GET /b/k HTTP/1.1\r\nHost: 127.0.0.1:9000\r\nx-amz-date: 20130524T000000Z\r\n"
          "x-amz-content-sha256: UNSIGNED-PAYLOAD\r\nAuthorization: AWS4-HMAC-SHA256 "
          "Credential=ossvp-emulator-ak/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, "
          "Signature=00\r\n\r\n"
          "PUT /b/k HTTP/1.1\r\nHost: h\r\nx-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD\r\n"
          "Content-Encoding: aws-chunked\r\nx-amz-decoded-content-length: 3\r\nContent-Length: 90\r\n\r\n"
          "3;chunk-signature=0000000000000000000000000000000000000000000000000000000000000000\r\nabc\r\n")
    write("ossemu_http_request", "rpc_sts",
          "POST / HTTP/1.1\r\nHost: sts\r\nContent-Type: application/x-www-form-urlencoded\r\n"
          "Content-Length: 62\r\n\r\nAction=AssumeRoleWithOIDC&RoleArn=acs%3Aram%3A%3A1%3Arole%2Fx&")


# ---------------------------------------------------------------- kube-sim
def kubesim():
    crd = yaml.safe_load(open(os.path.join(ROOT, "crds", "storage.alibabacloud.com_ossvolumepopulators.yaml")))
    schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    obj = ossvp_object(generic_spec())
    write("kubesim_schema", "ossvp_crd_valid", json.dumps([schema, obj]))
    bad = ossvp_object({"bucket": 1, "region": "r", "mode": "x", "bogus": True,
                        "generic": {"secretRef": "s", "rrsaConfigs": {"roleArn": "a"}}})
    write("kubesim_schema", "ossvp_crd_invalid", json.dumps([schema, bad]))
    widget = yaml.safe_load(open(os.path.join(ROOT, "tests", "integration", "kube-sim", "fixtures",
                                              "widget-crd.yaml")))
    wschema = widget["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    write("kubesim_schema", "widget", json.dumps([wschema, {"apiVersion": "test.kubesim.io/v1", "kind": "Widget",
                                                            "metadata": {"name": "w"},
                                                            "spec": {"node": "n", "extra": 1}}]))
    self = {"mode": "generic", "generic": {"secretRef": "s"}, "list": [1, 2]}
    rules = ["(has(self.mode) && self.mode == 'bmcpfs-dataflow') || (has(self.generic) && "
             "(has(self.generic.secretRef) || has(self.generic.rrsaConfigs)))",
             "!(has(self.generic.secretRef) && has(self.generic.rrsaConfigs))",
             "!has(self.generic) || !has(self.mode) || self.mode == 'generic'",
             "size(self.list) == 2 && self.mode.startsWith('gen')",
             "self.nothere == 'x'",
             "self.mode == oldSelf.mode",
             "self.mode.matches('^[a-z-]+$') && self.list.size() >= 1 && !(1 > 2)"]
    for i, r in enumerate(rules):
        write("kubesim_cel", "rule_%d" % i, r + "\n" + json.dumps(self))

    def field(num, payload):
        return bytes([(num << 3) | 2, len(payload)]) + payload
    meta = field(1, b"c")
    entry = field(1, b"a") + field(2, b"b")
    raw = field(1, meta) + field(2, entry)
    type_meta = field(1, b"v1") + field(2, b"ConfigMap")
    write("kubesim_protobuf", "configmap", b"k8s\x00" + field(1, type_meta) + field(2, raw))
    ns_raw = field(1, field(1, b"fuzz-ns"))
    write("kubesim_protobuf", "namespace", b"k8s\x00" + field(1, field(1, b"v1") + field(2, b"Namespace"))
          + field(2, ns_raw))
    write("kubesim_protobuf", "unknown_kind", b"k8s\x00" + field(1, field(1, b"v1") + field(2, b"Pod")))

    cm = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "b"}})
    patch = json.dumps({"data": {"a": None, "c": "d"}})
    write("kubesim_api_request", "configmap_crud",
          "POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: k\r\nContent-Type: application/json\r\n"
          "Content-Length: %d\r\n\r\n%s" % (len(cm), cm)
          + "PATCH /api/v1/namespaces/default/configmaps/c?fieldManager=kubectl HTTP/1.1\r\nHost: k\r\n"
          "Content-Type: application/merge-patch+json\r\nContent-Length: %d\r\n\r\n%s" % (len(patch), patch)
          + "GET /api/v1/namespaces/default/configmaps?labelSelector=a%3Db,c!%3Dd&limit=1 HTTP/1.1\r\n"
          "Host: k\r\nAccept: application/json;as=Table;v=v1;g=meta.k8s.io\r\n\r\n"
          "DELETE /api/v1/namespaces/default/configmaps/c HTTP/1.1\r\nHost: k\r\nContent-Length: 0\r\n\r\n")
    crdj = json.dumps(crd)
    ov = json.dumps(obj)
    write("kubesim_api_request", "crd_and_ossvp",
          "POST /apis/apiextensions.k8s.io/v1/customresourcedefinitions HTTP/1.1\r\nHost: k\r\n"
          "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(crdj), crdj)
          + "POST /apis/storage.alibabacloud.com/v1beta1/namespaces/default/ossvolumepopulators HTTP/1.1\r\n"
          "Host: k\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(ov), ov)
          + "GET /apis/storage.alibabacloud.com/v1beta1/ossvolumepopulators?watch=true&resourceVersion=0 "
          "HTTP/1.1\r\nHost: k\r\n\r\n")
    write("kubesim_api_request", "discovery_and_sa_token",
          "GET /apis HTTP/1.1\r\nHost: k\r\n\r\n"
          "GET /api/v1/namespaces/default/pods HTTP/1.1\r\nHost: k\r\nAuthorization: Bearer eyJhbGciOiJSUzI1NiJ9."
          "eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDpkZWZhdWx0In0.c2ln\r\n\r\n"
          "GET /openapi/v2 HTTP/1.1\r\nHost: k\r\n\r\n")


if __name__ == "__main__":
    reset()
    ossclient()
    controller()
    populator()
    emulator()
    kubesim()
    for t in sorted(os.listdir(CORPUS)):
        print("%-26s %d seeds" % (t, len(os.listdir(os.path.join(CORPUS, t)))))
