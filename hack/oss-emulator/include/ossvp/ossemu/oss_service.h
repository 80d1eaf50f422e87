// OssService: the OSS REST API (and its S3-compatible twin) over Storage:
// buckets, ListObjects V1/V2, Head/Get (ranges, conditionals), Put, Copy,
// Delete, DeleteMultiple and multipart. It classifies a request into an
// operation name (for stats and fault injection) and executes it; auth is
// done by the caller (EmulatorRouter) between the two steps.
//
// Thread-safety: stateless besides Storage (internally synchronized); one
// instance serves all connections.
#pragma once

#include <string>

#include "ossvp/ossemu/auth.h"
#include "ossvp/ossemu/http.h"
#include "ossvp/ossemu/storage.h"

namespace ossvp::ossemu {

struct OssCall {
  RequestTarget target;
  std::string operation;  // e.g. "GetObject"; "" when not an OSS request
  bool s3 = false;        // S3 dialect (x-amz-* names)
  std::string requestId;
  std::string hostId;
};

class OssService {
 public:
  OssService(Storage& storage, std::string region) : storage_(storage), region_(std::move(region)) {}

  // Splits Host/path into bucket and key (virtual-hosted or path style) and
  // names the operation.
  OssCall classify(const HttpRequest& req) const;
  // Executes the call; reads the request body from `body` when it has one.
  void execute(const HttpRequest& req, const OssCall& call, BodySource& body, HttpResponse* resp);

 private:
  Status listBuckets(const OssCall& c, HttpResponse* resp);
  Status bucketLevel(const HttpRequest& req, const OssCall& c, BodySource& body, HttpResponse* resp);
  Status listObjects(const HttpRequest& req, const OssCall& c, bool v2, HttpResponse* resp);
  Status getObject(const HttpRequest& req, const OssCall& c, bool head, HttpResponse* resp);
  Status putObject(const HttpRequest& req, const OssCall& c, BodySource& body, HttpResponse* resp);
  Status copyObject(const HttpRequest& req, const OssCall& c, HttpResponse* resp);
  Status deleteMultiple(const HttpRequest& req, const OssCall& c, BodySource& body, HttpResponse* resp);
  Status initiateUpload(const HttpRequest& req, const OssCall& c, HttpResponse* resp);
  Status uploadPart(const HttpRequest& req, const OssCall& c, BodySource& body, HttpResponse* resp);
  Status completeUpload(const HttpRequest& req, const OssCall& c, BodySource& body, HttpResponse* resp);
  Status listParts(const HttpRequest& req, const OssCall& c, HttpResponse* resp);
  Status listUploads(const HttpRequest& req, const OssCall& c, HttpResponse* resp);
  void objectHeaders(const ObjectMeta& m, const OssCall& c, HttpResponse* resp) const;

  Storage& storage_;
  std::string region_;
};

// Reads a whole (small) body; fails above `limit` bytes.
Result<std::string> readAll(BodySource& body, size_t limit);
// Streams a body into a writer.
Status readInto(BodySource& body, ObjectWriter& writer);

}  // namespace ossvp::ossemu
