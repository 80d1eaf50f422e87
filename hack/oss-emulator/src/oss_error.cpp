#include "ossvp/ossemu/oss_error.h"

#include <openssl/rand.h>

#include <map>
#include <pugixml.hpp>
#include <sstream>

#include "ossvp/common/base64.h"
#include "ossvp/ossemu/object_meta.h"

namespace ossvp::ossemu {
namespace {

struct Known {
  int status;
  const char* message;
};

const std::map<std::string, Known>& table() {
  static const std::map<std::string, Known> t = {
      {"AccessDenied", {403, "You have no right to access this object because of bucket acl."}},
      {"InvalidAccessKeyId", {403, "The OSS Access Key Id you provided does not exist in our records."}},
      {"SignatureDoesNotMatch",
       {403,
        "The request signature we calculated does not match the signature you provided. "
        "Check your key and signing method."}},
      {"InvalidSecurityToken", {403, "The security token you provided is invalid."}},
      {"SecurityTokenExpired", {403, "The security token you provided has expired."}},
      {"RequestTimeTooSkewed", {403, "The difference between the request time and the current time is too large."}},
      {"NoSuchBucket", {404, "The specified bucket does not exist."}},
      {"NoSuchKey", {404, "The specified key does not exist."}},
      {"NoSuchUpload",
       {404,
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been "
        "aborted or completed."}},
      {"BucketAlreadyExists", {409, "The requested bucket name is not available."}},
      {"BucketNotEmpty", {409, "The bucket you tried to delete is not empty."}},
      {"FileAlreadyExists", {409, "The object you specified already exists and can not be overwritten."}},
      {"InvalidArgument", {400, "Invalid argument."}},
      {"InvalidBucketName", {400, "The specified bucket is not valid."}},
      {"InvalidObjectName", {400, "The object name is not valid."}},
      {"InvalidPart",
       {400,
        "One or more of the specified parts could not be found or the specified entity tag might not have "
        "matched the part's entity tag."}},
      {"InvalidPartOrder", {400, "The list of parts was not in ascending order."}},
      {"EntityTooSmall", {400, "Your proposed upload is smaller than the minimum allowed size."}},
      {"InvalidDigest", {400, "The Content-MD5 you specified is not valid."}},
      {"MalformedXML", {400, "The XML you provided was not well-formed or did not validate against our schema."}},
      {"InvalidRequest", {400, "Invalid request."}},
      {"MissingContentLength", {411, "You must provide the Content-Length HTTP header."}},
      {"InvalidRange", {416, "The requested range cannot be satisfied."}},
      {"PreconditionFailed", {412, "At least one of the pre-conditions you specified did not hold."}},
      {"NotModified", {304, "Not Modified"}},
      {"MethodNotAllowed", {405, "The specified method is not allowed against this resource."}},
      {"NotImplemented", {501, "A header you provided implies functionality that is not implemented."}},
      {"InternalError", {500, "We encountered an internal error. Please try again."}},
      {"SlowDown", {503, "Please reduce your request rate."}},
      {"ServiceUnavailable", {503, "Please reduce your request rate."}},
  };
  return t;
}

}  // namespace

OssError makeOssError(const std::string& code, std::string message) {
  OssError e;
  auto it = table().find(code);
  if (it == table().end()) {
    e.status = 500;
    e.code = code.empty() ? "InternalError" : code;
    e.message = message.empty() ? "We encountered an internal error. Please try again." : std::move(message);
    return e;
  }
  e.status = it->second.status;
  e.code = code;
  e.message = message.empty() ? it->second.message : std::move(message);
  return e;
}

Status ossStatus(const std::string& code, const std::string& detail) {
  return Status(StatusCode::InvalidArgument, code + ":" + detail);
}

OssError ossErrorFromStatus(const Status& st) {
  const std::string& m = st.message();
  size_t colon = m.find(':');
  if (colon != std::string::npos && table().count(m.substr(0, colon))) {
    std::string code = m.substr(0, colon);
    std::string detail = m.substr(colon + 1);
    OssError e = makeOssError(code);
    // Detail for codes whose default message is generic.
    if (code == "InvalidArgument" || code == "InvalidPart" || code == "EntityTooSmall" || code == "InvalidRequest" ||
        code == "MalformedXML" || code == "InvalidPartOrder") {
      if (!detail.empty()) e.message = detail;
    }
    if (code == "AccessDenied" && !detail.empty() && detail != "anonymous") e.message = detail;
    if (code == "SignatureDoesNotMatch" && !detail.empty()) e.extra.emplace_back("StringToSign", detail);
    if (code == "NoSuchKey" && !detail.empty()) e.extra.emplace_back("Key", detail);
    if ((code == "NoSuchBucket" || code == "BucketNotEmpty" || code == "BucketAlreadyExists") && !detail.empty()) {
      e.extra.emplace_back("BucketName", detail);
    }
    if (code == "NoSuchUpload" && !detail.empty()) e.extra.emplace_back("UploadId", detail);
    return e;
  }
  OssError e = makeOssError("InternalError");
  e.message = st.toString();
  return e;
}

void renderOssError(const OssError& err, const std::string& requestId, const std::string& hostId, bool headOnly,
                    HttpResponse* resp) {
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  auto root = doc.append_child("Error");
  root.append_child("Code").text() = err.code.c_str();
  root.append_child("Message").text() = err.message.c_str();
  root.append_child("RequestId").text() = requestId.c_str();
  root.append_child("HostId").text() = hostId.c_str();
  for (const auto& [k, v] : err.extra) root.append_child(k.c_str()).text() = v.c_str();
  std::ostringstream os;
  doc.save(os, "", pugi::format_raw);
  resp->status = err.status;
  resp->setHeader("Content-Type", "application/xml");
  resp->setHeader("x-oss-request-id", requestId);
  resp->setHeader("x-amz-request-id", requestId);
  if (headOnly || err.status == 304) {
    if (err.status != 304) resp->setHeader("x-oss-err", base64Encode(os.str()));
    resp->headOnly = true;
    resp->body.clear();
    if (err.status != 304) resp->setHeader("Content-Length", "0");
    return;
  }
  resp->body = os.str();
}

std::string newRequestId() {
  unsigned char raw[12];
  RAND_bytes(raw, sizeof raw);
  return hexUpper(std::string(reinterpret_cast<char*>(raw), sizeof raw));
}

}  // namespace ossvp::ossemu
