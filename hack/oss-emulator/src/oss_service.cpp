#include "ossvp/ossemu/oss_service.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <ctime>
#include <pugixml.hpp>
#include <sstream>

#include "ossvp/common/base64.h"
#include "ossvp/common/percent_encoding.h"
#include "ossvp/common/rfc3339.h"
#include "ossvp/ossemu/list_token.h"
#include "ossvp/ossemu/oss_error.h"

namespace ossvp::ossemu {
namespace {

constexpr const char* kOwnerId = "1000000000000000";
constexpr const char* kS3Ns = "http://s3.amazonaws.com/doc/2006-03-01/";

// ---------------------------------------------------------------- XML output

struct XmlOut {
  pugi::xml_document doc;
  pugi::xml_node root;
  XmlOut(const char* rootName, bool s3) {
    auto decl = doc.append_child(pugi::node_declaration);
    decl.append_attribute("version") = "1.0";
    decl.append_attribute("encoding") = "UTF-8";
    root = doc.append_child(rootName);
    if (s3) root.append_attribute("xmlns") = kS3Ns;
  }
  static pugi::xml_node add(pugi::xml_node parent, const char* name, const std::string& value) {
    auto n = parent.append_child(name);
    n.text() = value.c_str();
    return n;
  }
  pugi::xml_node add(const char* name, const std::string& value) { return add(root, name, value); }
  void into(HttpResponse* resp) {
    std::ostringstream os;
    doc.save(os, "", pugi::format_raw);
    resp->body = os.str();
    resp->setHeader("Content-Type", "application/xml");
  }
};

void addOwner(pugi::xml_node parent) {
  auto owner = parent.append_child("Owner");
  XmlOut::add(owner, "ID", kOwnerId);
  XmlOut::add(owner, "DisplayName", kOwnerId);
}

void renderAcl(bool s3, const char* grant, HttpResponse* resp) {
  XmlOut x("AccessControlPolicy", s3);
  addOwner(x.root);
  XmlOut::add(x.root.append_child("AccessControlList"), "Grant", grant);
  x.into(resp);
}

std::string quoteEtag(const std::string& etag) { return "\"" + etag + "\""; }
std::string unquoted(std::string v) {
  v = trim(v);
  if (v.rfind("W/", 0) == 0) v = v.substr(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  return v;
}

bool isIpHost(const std::string& host) {
  if (!host.empty() && host[0] == '[') return true;
  return std::all_of(host.begin(), host.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; });
}

bool validBucketName(const std::string& b) {
  if (b.size() < 3 || b.size() > 63 || b.front() == '-' || b.back() == '-') return false;
  return std::all_of(b.begin(), b.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'; });
}

std::string encodeIf(bool url, const std::string& v) { return url ? percentEncode(v, SlashEncoding::kKeep) : v; }

// The metadata a PUT / initiate / copy-REPLACE request sets on an object.
ObjectMeta metaFromRequest(const HttpRequest& req) {
  ObjectMeta m;
  m.contentType = req.headerOr("content-type", "application/octet-stream");
  for (const auto& [k, v] : req.headers) {
    for (const char* prefix : {"x-oss-meta-", "x-amz-meta-"}) {
      if (k.rfind(prefix, 0) == 0) m.userMeta.emplace_back(k.substr(std::strlen(prefix)), v);
    }
  }
  for (const char* h : {"cache-control", "content-disposition", "content-language", "expires"}) {
    if (const std::string* v = req.header(h)) m.extraHeaders.emplace_back(h, *v);
  }
  if (const std::string* ce = req.header("content-encoding")) {
    std::string v = *ce;
    size_t p = v.find("aws-chunked");
    if (p != std::string::npos) v.erase(p, 11);
    v = trim(v);
    while (!v.empty() && (v.front() == ',' || v.front() == ' ')) v.erase(0, 1);
    while (!v.empty() && (v.back() == ',' || v.back() == ' ')) v.pop_back();
    if (!v.empty()) m.extraHeaders.emplace_back("content-encoding", v);
  }
  if (const std::string* sc =
          req.header(req.header("x-amz-storage-class") ? "x-amz-storage-class" : "x-oss-storage-class")) {
    m.storageClass = *sc;
  }
  return m;
}

bool forbidOverwrite(const HttpRequest& req) { return toLower(req.headerOr("x-oss-forbid-overwrite")) == "true"; }

int intParam(const HttpRequest& req, const char* name, int fallback) {
  const std::string* v = req.queryValue(name);
  if (!v || v->empty()) return fallback;
  return std::atoi(v->c_str());
}

}  // namespace

Result<std::string> readAll(BodySource& body, size_t limit) {
  std::string out;
  char buf[16 * 1024];
  for (;;) {
    long n = body.read(buf, sizeof buf);
    if (n == 0) return out;
    if (n < 0) return ossStatus("InvalidRequest", "request body is truncated or malformed");
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > limit) return ossStatus("InvalidArgument", "request body too large");
  }
}

Status readInto(BodySource& body, ObjectWriter& writer) {
  std::string buf(256 * 1024, '\0');
  for (;;) {
    long n = body.read(buf.data(), buf.size());
    if (n == 0) return Status::ok();
    if (n < 0) return ossStatus("InvalidRequest", "request body is truncated or malformed");
    OSSVP_RETURN_IF_ERROR(writer.write(buf.data(), static_cast<size_t>(n)));
  }
}

namespace {

// A PutObject or UploadPart body, received and checked against its
// Content-MD5 when the request sends one (the MD5 is then computed whatever
// the emulator's ETag digest).
Result<std::unique_ptr<ObjectWriter>> receiveBody(Storage& storage, const HttpRequest& req, BodySource& body) {
  const std::string* md5 = req.header("content-md5");
  OSSVP_ASSIGN_OR_RETURN(auto writer, storage.newWriter(md5 != nullptr));
  OSSVP_RETURN_IF_ERROR(readInto(body, *writer));
  if (md5 && base64Encode(writer->digestRaw()) != *md5) return ossStatus("InvalidDigest");
  return writer;
}

}  // namespace

// ------------------------------------------------------------------ classify

OssCall OssService::classify(const HttpRequest& req) const {
  OssCall c;
  c.s3 = Authenticator::isS3Dialect(req);
  std::string host = toLower(req.headerOr("host"));
  c.hostId = host;
  size_t colon = host.rfind(':');
  if (colon != std::string::npos && host.find(']') == std::string::npos) host = host.substr(0, colon);
  std::string path = percentDecode(req.rawPath);
  if (path.empty()) path = "/";
  bool virtualHost = false;
  size_t dot = host.find('.');
  if (dot != std::string::npos && !isIpHost(host)) {
    std::string first = host.substr(0, dot);
    virtualHost = first.rfind("oss-", 0) != 0 && first != "s3" && first != "localhost" && first != "sts" &&
                  first != "nas" && first.rfind("s3-", 0) != 0;
    if (virtualHost) c.target.bucket = first;
  }
  c.target.decodedPath = path;
  if (virtualHost) {
    c.target.key = path.substr(1);
  } else {
    std::string rest = path.substr(1);
    size_t slash = rest.find('/');
    c.target.bucket = rest.substr(0, slash);
    c.target.key = slash == std::string::npos ? "" : rest.substr(slash + 1);
  }
  const std::string& m = req.method;
  const std::string& k = c.target.key;
  auto q = [&](const char* n) { return req.hasQuery(n); };
  bool copySource = req.header("x-oss-copy-source") || req.header("x-amz-copy-source");
  std::string& op = c.operation;
  if (c.target.bucket.empty()) {
    op = m == "GET" ? "ListBuckets" : "Unknown";
  } else if (k.empty()) {
    if (m == "PUT")
      op = q("acl") ? "PutBucketAcl" : (req.query.empty() ? "CreateBucket" : "PutBucketConfig");
    else if (m == "DELETE")
      op = req.query.empty() ? "DeleteBucket" : "DeleteBucketConfig";
    else if (m == "HEAD")
      op = "HeadBucket";
    else if (m == "POST")
      op = q("delete") ? "DeleteMultipleObjects" : "Unknown";
    else if (m == "GET") {
      if (q("bucketInfo"))
        op = "GetBucketInfo";
      else if (q("location"))
        op = "GetBucketLocation";
      else if (q("uploads"))
        op = "ListMultipartUploads";
      else if (q("acl"))
        op = "GetBucketAcl";
      else if (q("versioning"))
        op = "GetBucketVersioning";
      else if (req.queryOr("list-type") == "2")
        op = "ListObjectsV2";
      else
        op = "ListObjects";
    } else
      op = "Unknown";
  } else {
    if (m == "PUT") {
      if (q("partNumber") && q("uploadId"))
        op = copySource ? "UploadPartCopy" : "UploadPart";
      else if (q("acl"))
        op = "PutObjectAcl";
      else if (copySource)
        op = "CopyObject";
      else
        op = "PutObject";
    } else if (m == "GET") {
      op = q("uploadId") ? "ListParts" : (q("acl") ? "GetObjectAcl" : "GetObject");
    } else if (m == "HEAD") {
      op = q("objectMeta") ? "GetObjectMeta" : "HeadObject";
    } else if (m == "DELETE") {
      op = q("uploadId") ? "AbortMultipartUpload" : "DeleteObject";
    } else if (m == "POST") {
      op = q("uploads") ? "InitiateMultipartUpload" : (q("uploadId") ? "CompleteMultipartUpload" : "Unknown");
    } else {
      op = "Unknown";
    }
  }
  return c;
}

// ------------------------------------------------------------------- execute

void OssService::execute(const HttpRequest& req, const OssCall& c, BodySource& body, HttpResponse* resp) {
  resp->setHeader("x-oss-request-id", c.requestId);
  if (c.s3) resp->setHeader("x-amz-request-id", c.requestId);
  resp->setHeader("Server", "AliyunOSS");
  resp->setHeader("Date", httpDate(std::time(nullptr)));
  const std::string& op = c.operation;
  bool head = req.method == "HEAD";
  Status st;
  if (op == "ListBuckets") {
    st = listBuckets(c, resp);
  } else if (c.target.key.empty() && op != "Unknown") {
    st = bucketLevel(req, c, body, resp);
  } else if (op == "GetObject" || op == "HeadObject" || op == "GetObjectMeta") {
    st = getObject(req, c, head, resp);
  } else if (op == "PutObject") {
    st = putObject(req, c, body, resp);
  } else if (op == "CopyObject") {
    st = copyObject(req, c, resp);
  } else if (op == "DeleteObject") {
    st = storage_.remove(c.target.bucket, c.target.key);
    if (st.isOk()) resp->status = 204;
  } else if (op == "InitiateMultipartUpload") {
    st = initiateUpload(req, c, resp);
  } else if (op == "UploadPart") {
    st = uploadPart(req, c, body, resp);
  } else if (op == "CompleteMultipartUpload") {
    st = completeUpload(req, c, body, resp);
  } else if (op == "AbortMultipartUpload") {
    st = storage_.abortUpload(c.target.bucket, c.target.key, req.queryOr("uploadId"));
    if (st.isOk()) resp->status = 204;
  } else if (op == "ListParts") {
    st = listParts(req, c, resp);
  } else if (op == "GetObjectAcl" || op == "PutObjectAcl") {
    auto m = storage_.head(c.target.bucket, c.target.key);
    st = m.status();
    if (st.isOk() && op == "GetObjectAcl") renderAcl(c.s3, "default", resp);
  } else {
    st = ossStatus(op == "UploadPartCopy" ? "NotImplemented" : "MethodNotAllowed");
  }
  if (!st.isOk()) {
    OssError e = ossErrorFromStatus(st);
    if (e.code == "NoSuchKey" || e.code == "NoSuchBucket") {
      if (e.code == "NoSuchBucket") e.extra = {{"BucketName", c.target.bucket}};
    }
    resp->headers.erase(std::remove_if(resp->headers.begin(), resp->headers.end(),
                                       [](const auto& kv) { return toLower(kv.first) == "content-length"; }),
                        resp->headers.end());
    resp->slices.clear();
    renderOssError(e, c.requestId, c.hostId, head, resp);
  }
}

// ------------------------------------------------------------------- buckets

Status OssService::listBuckets(const OssCall& c, HttpResponse* resp) {
  XmlOut x("ListAllMyBucketsResult", c.s3);
  addOwner(x.root);
  auto buckets = x.root.append_child("Buckets");
  for (const auto& b : storage_.listBuckets()) {
    auto n = buckets.append_child("Bucket");
    XmlOut::add(n, "Name", b.name);
    XmlOut::add(n, "CreationDate", formatRfc3339(b.created, Rfc3339Fraction::kMillis));
    XmlOut::add(n, "Location", "oss-" + b.region);
    XmlOut::add(n, "Region", b.region);
    XmlOut::add(n, "StorageClass", "Standard");
  }
  x.into(resp);
  return Status::ok();
}

Status OssService::bucketLevel(const HttpRequest& req, const OssCall& c, BodySource& body, HttpResponse* resp) {
  const std::string& op = c.operation;
  const std::string& b = c.target.bucket;
  if (op == "CreateBucket") {
    if (!validBucketName(b)) return ossStatus("InvalidBucketName", b);
    OSSVP_RETURN_IF_ERROR(readAll(body, 1 << 20).status());
    Status st = storage_.createBucket(b);
    if (!st.isOk() && st.code() == StatusCode::AlreadyExists) return ossStatus("BucketAlreadyExists", b);
    OSSVP_RETURN_IF_ERROR(st);
    resp->setHeader("Location", "/" + b);
    return Status::ok();
  }
  if (op == "DeleteBucket") {
    OSSVP_RETURN_IF_ERROR(storage_.deleteBucket(b));
    resp->status = 204;
    return Status::ok();
  }
  if (op == "DeleteMultipleObjects") return deleteMultiple(req, c, body, resp);
  OSSVP_ASSIGN_OR_RETURN(BucketInfo info, storage_.bucket(b));
  if (op == "HeadBucket") {
    resp->headOnly = true;
    resp->setHeader("x-oss-bucket-region", info.region);
    resp->setHeader("x-amz-bucket-region", info.region);
    return Status::ok();
  }
  if (op == "ListObjects" || op == "ListObjectsV2") return listObjects(req, c, op == "ListObjectsV2", resp);
  if (op == "ListMultipartUploads") return listUploads(req, c, resp);
  if (op == "GetBucketLocation") {
    XmlOut x("LocationConstraint", c.s3);
    x.root.text() = (c.s3 ? info.region : "oss-" + info.region).c_str();
    x.into(resp);
    return Status::ok();
  }
  if (op == "GetBucketInfo") {
    XmlOut x("BucketInfo", false);
    auto n = x.root.append_child("Bucket");
    XmlOut::add(n, "CreationDate", formatRfc3339(info.created, Rfc3339Fraction::kMillis));
    XmlOut::add(n, "Location", "oss-" + info.region);
    XmlOut::add(n, "Name", info.name);
    XmlOut::add(n, "Region", info.region);
    XmlOut::add(n, "StorageClass", "Standard");
    XmlOut::add(n, "ExtranetEndpoint", "oss-" + info.region + ".aliyuncs.com");
    XmlOut::add(n, "IntranetEndpoint", "oss-" + info.region + "-internal.aliyuncs.com");
    addOwner(n);
    XmlOut::add(n.append_child("AccessControlList"), "Grant", "private");
    x.into(resp);
    return Status::ok();
  }
  if (op == "GetBucketAcl") {
    renderAcl(c.s3, "private", resp);
    return Status::ok();
  }
  if (op == "GetBucketVersioning") {
    XmlOut x("VersioningConfiguration", c.s3);
    x.into(resp);
    return Status::ok();
  }
  // PutBucketAcl / other bucket configuration: accepted, not modelled.
  return readAll(body, 1 << 20).status();
}

// ------------------------------------------------------------------- listing

Status OssService::listObjects(const HttpRequest& req, const OssCall& c, bool v2, HttpResponse* resp) {
  bool url = req.queryOr("encoding-type") == "url";
  ListParams p;
  p.prefix = req.queryOr("prefix");
  p.delimiter = req.queryOr("delimiter");
  p.maxKeys = intParam(req, "max-keys", c.s3 ? 1000 : 100);
  if (p.maxKeys < 0 || (!c.s3 && p.maxKeys > 1000)) {
    return ossStatus("InvalidArgument", "max-keys should be between 0 and 1000.");
  }
  p.maxKeys = std::min(p.maxKeys, 1000);
  std::string token = req.queryOr("continuation-token");
  if (v2) {
    p.startAfter = req.queryOr("start-after");
    if (req.hasQuery("continuation-token")) {
      std::optional<std::string> after = decodeListToken(token);
      if (!after) return ossStatus("InvalidArgument", "The continuation token provided is incorrect.");
      p.startAfter = *after;
    }
  } else {
    p.startAfter = req.queryOr("marker");
  }
  OSSVP_ASSIGN_OR_RETURN(ListResult r, storage_.list(c.target.bucket, p));
  XmlOut x("ListBucketResult", c.s3);
  x.add("Name", c.target.bucket);
  x.add("Prefix", encodeIf(url, p.prefix));
  if (v2) {
    if (req.hasQuery("start-after")) x.add("StartAfter", encodeIf(url, req.queryOr("start-after")));
    // Tokens are unreserved characters only: encoding-type=url would not
    // change them, and S3 clients never decode them (botocore neither).
    if (req.hasQuery("continuation-token")) x.add("ContinuationToken", token);
  } else {
    x.add("Marker", encodeIf(url, p.startAfter));
  }
  x.add("MaxKeys", std::to_string(p.maxKeys));
  if (!p.delimiter.empty()) x.add("Delimiter", encodeIf(url, p.delimiter));
  if (url) x.add("EncodingType", "url");
  x.add("IsTruncated", r.truncated ? "true" : "false");
  if (r.truncated) {
    if (v2) {
      x.add("NextContinuationToken", encodeListToken(r.nextMarker));
    } else {
      x.add("NextMarker", encodeIf(url, r.nextMarker));
    }
  }
  bool owner = !v2 || req.queryOr("fetch-owner") == "true";
  for (const auto& m : r.contents) {
    auto n = x.root.append_child("Contents");
    XmlOut::add(n, "Key", encodeIf(url, m.key));
    XmlOut::add(n, "LastModified", formatRfc3339(m.mtime, Rfc3339Fraction::kMillis));
    XmlOut::add(n, "ETag", quoteEtag(m.etag));
    XmlOut::add(n, "Type", m.type);
    XmlOut::add(n, "Size", std::to_string(m.size));
    XmlOut::add(n, "StorageClass", c.s3 ? "STANDARD" : m.storageClass);
    if (owner) addOwner(n);
  }
  for (const auto& cp : r.commonPrefixes) {
    XmlOut::add(x.root.append_child("CommonPrefixes"), "Prefix", encodeIf(url, cp));
  }
  if (v2) x.add("KeyCount", std::to_string(r.contents.size() + r.commonPrefixes.size()));
  x.into(resp);
  return Status::ok();
}

// ------------------------------------------------------------------- objects

void OssService::objectHeaders(const ObjectMeta& m, const OssCall& c, HttpResponse* resp) const {
  resp->setHeader("ETag", quoteEtag(m.etag));
  resp->setHeader("Last-Modified", httpDate(m.mtime));
  resp->setHeader("Content-Type", m.contentType);
  resp->setHeader("x-oss-hash-crc64ecma", std::to_string(m.crc64));
  resp->setHeader("x-oss-object-type", m.type);
  resp->setHeader("x-oss-storage-class", m.storageClass);
  resp->setHeader("Accept-Ranges", "bytes");
  if (!m.contentMd5.empty()) resp->setHeader("Content-MD5", m.contentMd5);
  for (const auto& [k, v] : m.userMeta) resp->setHeader((c.s3 ? "x-amz-meta-" : "x-oss-meta-") + k, v);
  for (const auto& [k, v] : m.extraHeaders) resp->setHeader(k, v);
}

Status OssService::getObject(const HttpRequest& req, const OssCall& c, bool head, HttpResponse* resp) {
  OSSVP_ASSIGN_OR_RETURN(ObjectMeta m, storage_.head(c.target.bucket, c.target.key));
  objectHeaders(m, c, resp);
  // Conditions, in the order S3/OSS evaluate them.
  if (const std::string* v = req.header("if-match")) {
    if (unquoted(*v) != m.etag && trim(*v) != "*") return ossStatus("PreconditionFailed");
  } else if (const std::string* v = req.header("if-unmodified-since")) {
    auto t = parseHttpDate(*v);
    if (t && m.mtime > *t) return ossStatus("PreconditionFailed");
  }
  if (const std::string* v = req.header("if-none-match")) {
    if (unquoted(*v) == m.etag || trim(*v) == "*") {
      resp->status = 304;
      resp->headOnly = true;
      return Status::ok();
    }
  } else if (const std::string* v = req.header("if-modified-since")) {
    auto t = parseHttpDate(*v);
    if (t && m.mtime <= *t) {
      resp->status = 304;
      resp->headOnly = true;
      return Status::ok();
    }
  }
  for (const auto& [q, h] :
       std::vector<std::pair<const char*, const char*>>{{"response-content-type", "Content-Type"},
                                                        {"response-content-language", "Content-Language"},
                                                        {"response-expires", "Expires"},
                                                        {"response-cache-control", "Cache-Control"},
                                                        {"response-content-disposition", "Content-Disposition"},
                                                        {"response-content-encoding", "Content-Encoding"}}) {
    if (const std::string* v = req.queryValue(q)) resp->setHeader(h, *v);
  }
  uint64_t start = 0, length = m.size;
  const std::string* range = req.header("range");
  bool standard = c.s3 || toLower(req.headerOr("x-oss-range-behavior")) == "standard";
  if (range && range->rfind("bytes=", 0) == 0 && range->find(',') == std::string::npos) {
    std::string spec = range->substr(6);
    size_t dash = spec.find('-');
    bool valid = dash != std::string::npos;
    uint64_t a = 0, b = m.size ? m.size - 1 : 0;
    bool unsatisfiable = false;
    if (valid) {
      std::string as = trim(spec.substr(0, dash)), bs = trim(spec.substr(dash + 1));
      if (as.empty() && bs.empty()) {
        valid = false;
      } else if (as.empty()) {  // suffix: last N bytes
        uint64_t n = std::strtoull(bs.c_str(), nullptr, 10);
        if (n == 0) unsatisfiable = true;
        a = n >= m.size ? 0 : m.size - n;
      } else {
        a = std::strtoull(as.c_str(), nullptr, 10);
        if (!bs.empty()) {
          b = std::strtoull(bs.c_str(), nullptr, 10);
          if (b < a) valid = false;
          if (b >= m.size) {
            if (standard) {
              b = m.size ? m.size - 1 : 0;
            } else {
              valid = false;  // OSS legacy: an out-of-range end serves the whole object
            }
          }
        }
        if (valid && a >= m.size) unsatisfiable = true;
      }
    }
    if (valid && unsatisfiable) {
      if (standard) {
        resp->setHeader("Content-Range", "bytes */" + std::to_string(m.size));
        return ossStatus("InvalidRange");
      }
      valid = false;
    }
    if (valid) {
      start = a;
      length = b - a + 1;
      resp->status = 206;
      resp->setHeader("Content-Range",
                      "bytes " + std::to_string(a) + "-" + std::to_string(b) + "/" + std::to_string(m.size));
    }
  }
  if (head) {
    resp->headOnly = true;
    resp->setHeader("Content-Length", std::to_string(length));
    return Status::ok();
  }
  return storage_.openBody(m, resp, start, length);
}

Status OssService::putObject(const HttpRequest& req, const OssCall& c, BodySource& body, HttpResponse* resp) {
  OSSVP_RETURN_IF_ERROR(storage_.bucket(c.target.bucket).status());
  if (!req.header("content-length") && !req.header("transfer-encoding")) return ossStatus("MissingContentLength");
  if (c.target.key.size() > 1023) return ossStatus("InvalidObjectName");
  OSSVP_ASSIGN_OR_RETURN(auto writer, receiveBody(storage_, req, body));
  OSSVP_ASSIGN_OR_RETURN(ObjectMeta m, storage_.commit(c.target.bucket, c.target.key, *writer, metaFromRequest(req),
                                                       forbidOverwrite(req)));
  resp->setHeader("ETag", quoteEtag(m.etag));
  if (!m.contentMd5.empty()) resp->setHeader("Content-MD5", m.contentMd5);
  resp->setHeader("x-oss-hash-crc64ecma", std::to_string(m.crc64));
  return Status::ok();
}

Status OssService::copyObject(const HttpRequest& req, const OssCall& c, HttpResponse* resp) {
  std::string src =
      percentDecode(req.headerOr(req.header("x-oss-copy-source") ? "x-oss-copy-source" : "x-amz-copy-source"));
  size_t q = src.find("?versionId=");
  if (q != std::string::npos) src = src.substr(0, q);
  if (!src.empty() && src[0] == '/') src = src.substr(1);
  size_t slash = src.find('/');
  if (slash == std::string::npos)
    return ossStatus("InvalidArgument", "Copy Source must mention the source bucket and key");
  std::string sb = src.substr(0, slash), sk = src.substr(slash + 1);
  std::string directive = req.headerOr("x-oss-metadata-directive", req.headerOr("x-amz-metadata-directive", "COPY"));
  ObjectMeta replace = metaFromRequest(req);
  bool same = sb == c.target.bucket && sk == c.target.key;
  OSSVP_RETURN_IF_ERROR(storage_.bucket(sb).status());
  OSSVP_ASSIGN_OR_RETURN(ObjectMeta srcMeta, storage_.head(sb, sk));
  if (const std::string* v = req.header(c.s3 ? "x-amz-copy-source-if-match" : "x-oss-copy-source-if-match")) {
    if (unquoted(*v) != srcMeta.etag) return ossStatus("PreconditionFailed");
  }
  OSSVP_ASSIGN_OR_RETURN(
      ObjectMeta m, storage_.copy(sb, sk, c.target.bucket, c.target.key,
                                  toLower(directive) == "replace" || same ? &replace : nullptr, forbidOverwrite(req)));
  XmlOut x("CopyObjectResult", c.s3);
  x.add("LastModified", formatRfc3339(m.mtime, Rfc3339Fraction::kMillis));
  x.add("ETag", quoteEtag(m.etag));
  x.into(resp);
  resp->setHeader("x-oss-hash-crc64ecma", std::to_string(m.crc64));
  return Status::ok();
}

Status OssService::deleteMultiple(const HttpRequest& req, const OssCall& c, BodySource& body, HttpResponse* resp) {
  OSSVP_ASSIGN_OR_RETURN(std::string xml, readAll(body, 2 << 20));
  OSSVP_RETURN_IF_ERROR(storage_.bucket(c.target.bucket).status());
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size()) || !doc.child("Delete")) return ossStatus("MalformedXML");
  auto del = doc.child("Delete");
  bool quiet = toLower(del.child_value("Quiet")) == "true";
  bool url = req.queryOr("encoding-type") == "url";
  XmlOut x("DeleteResult", c.s3);
  int count = 0;
  for (auto o : del.children("Object")) {
    if (++count > 1000) return ossStatus("MalformedXML", "at most 1000 keys per request");
    std::string key = o.child_value("Key");
    if (url) key = percentDecode(key);
    OSSVP_RETURN_IF_ERROR(storage_.remove(c.target.bucket, key));
    if (!quiet) XmlOut::add(x.root.append_child("Deleted"), "Key", encodeIf(url, key));
  }
  if (url) x.add("EncodingType", "url");
  x.into(resp);
  return Status::ok();
}

// ----------------------------------------------------------------- multipart

Status OssService::initiateUpload(const HttpRequest& req, const OssCall& c, HttpResponse* resp) {
  OSSVP_ASSIGN_OR_RETURN(std::string id, storage_.initiateUpload(c.target.bucket, c.target.key, metaFromRequest(req)));
  bool url = req.queryOr("encoding-type") == "url";
  XmlOut x("InitiateMultipartUploadResult", c.s3);
  x.add("Bucket", c.target.bucket);
  x.add("Key", encodeIf(url, c.target.key));
  x.add("UploadId", id);
  if (url) x.add("EncodingType", "url");
  x.into(resp);
  return Status::ok();
}

Status OssService::uploadPart(const HttpRequest& req, const OssCall& c, BodySource& body, HttpResponse* resp) {
  int n = intParam(req, "partNumber", 0);
  if (n < 1 || n > 10000) {
    return ossStatus("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive.");
  }
  OSSVP_RETURN_IF_ERROR(storage_.bucket(c.target.bucket).status());
  OSSVP_RETURN_IF_ERROR(storage_.upload(c.target.bucket, req.queryOr("uploadId")).status());
  OSSVP_ASSIGN_OR_RETURN(auto writer, receiveBody(storage_, req, body));
  OSSVP_ASSIGN_OR_RETURN(PartInfo p, storage_.putPart(c.target.bucket, req.queryOr("uploadId"), n, *writer));
  resp->setHeader("ETag", quoteEtag(p.etag));
  if (writer->hashesMd5()) resp->setHeader("Content-MD5", base64Encode(p.md5Raw));
  resp->setHeader("x-oss-hash-crc64ecma", std::to_string(p.crc64));
  return Status::ok();
}

Status OssService::completeUpload(const HttpRequest& req, const OssCall& c, BodySource& body, HttpResponse* resp) {
  OSSVP_ASSIGN_OR_RETURN(std::string xml, readAll(body, 4 << 20));
  bool all = toLower(req.headerOr("x-oss-complete-all")) == "yes";
  std::vector<std::pair<int, std::string>> parts;
  if (!all) {
    pugi::xml_document doc;
    if (!doc.load_buffer(xml.data(), xml.size()) || !doc.child("CompleteMultipartUpload")) {
      return ossStatus("MalformedXML");
    }
    for (auto p : doc.child("CompleteMultipartUpload").children("Part")) {
      parts.emplace_back(std::atoi(p.child_value("PartNumber")), p.child_value("ETag"));
    }
  }
  OSSVP_ASSIGN_OR_RETURN(ObjectMeta m, storage_.completeUpload(c.target.bucket, c.target.key, req.queryOr("uploadId"),
                                                               parts, all, forbidOverwrite(req)));
  bool url = req.queryOr("encoding-type") == "url";
  XmlOut x("CompleteMultipartUploadResult", c.s3);
  if (url) x.add("EncodingType", "url");
  x.add("Location", "http://" + c.hostId + "/" + percentEncode(c.target.key, SlashEncoding::kKeep));
  x.add("Bucket", c.target.bucket);
  x.add("Key", encodeIf(url, c.target.key));
  x.add("ETag", quoteEtag(m.etag));
  x.into(resp);
  resp->setHeader("ETag", quoteEtag(m.etag));
  resp->setHeader("x-oss-hash-crc64ecma", std::to_string(m.crc64));
  return Status::ok();
}

Status OssService::listParts(const HttpRequest& req, const OssCall& c, HttpResponse* resp) {
  OSSVP_RETURN_IF_ERROR(storage_.bucket(c.target.bucket).status());
  OSSVP_ASSIGN_OR_RETURN(UploadInfo u, storage_.upload(c.target.bucket, req.queryOr("uploadId")));
  int marker = intParam(req, "part-number-marker", 0);
  int maxParts = std::clamp(intParam(req, "max-parts", 1000), 1, 1000);
  XmlOut x("ListPartsResult", c.s3);
  x.add("Bucket", c.target.bucket);
  x.add("Key", c.target.key);
  x.add("UploadId", u.uploadId);
  x.add("PartNumberMarker", std::to_string(marker));
  int count = 0, last = marker;
  bool truncated = false;
  std::vector<const PartInfo*> shown;
  for (const auto& [n, p] : u.parts) {
    if (n <= marker) continue;
    if (count == maxParts) {
      truncated = true;
      break;
    }
    shown.push_back(&p);
    last = n;
    ++count;
  }
  x.add("NextPartNumberMarker", std::to_string(last));
  x.add("MaxParts", std::to_string(maxParts));
  x.add("IsTruncated", truncated ? "true" : "false");
  for (const PartInfo* p : shown) {
    auto n = x.root.append_child("Part");
    XmlOut::add(n, "PartNumber", std::to_string(p->number));
    XmlOut::add(n, "LastModified", formatRfc3339(p->mtime, Rfc3339Fraction::kMillis));
    XmlOut::add(n, "ETag", quoteEtag(p->etag));
    XmlOut::add(n, "HashCrc64ecma", std::to_string(p->crc64));
    XmlOut::add(n, "Size", std::to_string(p->size));
  }
  x.into(resp);
  return Status::ok();
}

Status OssService::listUploads(const HttpRequest& req, const OssCall& c, HttpResponse* resp) {
  std::string prefix = req.queryOr("prefix");
  std::string keyMarker = req.queryOr("key-marker");
  std::string idMarker = req.queryOr("upload-id-marker");
  int maxUploads = std::clamp(intParam(req, "max-uploads", 1000), 1, 1000);
  bool url = req.queryOr("encoding-type") == "url";
  XmlOut x("ListMultipartUploadsResult", c.s3);
  x.add("Bucket", c.target.bucket);
  x.add("KeyMarker", encodeIf(url, keyMarker));
  x.add("UploadIdMarker", idMarker);
  std::vector<UploadInfo> shown;
  bool truncated = false;
  for (const auto& u : storage_.listUploads(c.target.bucket)) {
    if (u.key.compare(0, prefix.size(), prefix) != 0) continue;
    if (!keyMarker.empty() && (u.key < keyMarker || (u.key == keyMarker && u.uploadId <= idMarker))) continue;
    if (static_cast<int>(shown.size()) == maxUploads) {
      truncated = true;
      break;
    }
    shown.push_back(u);
  }
  x.add("NextKeyMarker", truncated ? encodeIf(url, shown.back().key) : "");
  x.add("NextUploadIdMarker", truncated ? shown.back().uploadId : "");
  x.add("Delimiter", encodeIf(url, req.queryOr("delimiter")));
  x.add("Prefix", encodeIf(url, prefix));
  x.add("MaxUploads", std::to_string(maxUploads));
  x.add("IsTruncated", truncated ? "true" : "false");
  if (url) x.add("EncodingType", "url");
  for (const auto& u : shown) {
    auto n = x.root.append_child("Upload");
    XmlOut::add(n, "Key", encodeIf(url, u.key));
    XmlOut::add(n, "UploadId", u.uploadId);
    XmlOut::add(n, "StorageClass", "Standard");
    XmlOut::add(n, "Initiated", formatRfc3339(u.initiated, Rfc3339Fraction::kMillis));
  }
  x.into(resp);
  return Status::ok();
}

}  // namespace ossvp::ossemu
