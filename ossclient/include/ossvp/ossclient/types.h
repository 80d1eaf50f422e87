// Value types shared by every ObjectClient implementation: object metadata,
// list/get/put/multipart requests and their results.
//
// Buffers: GetRequest::dest and PutRequest/UploadPartRequest::data are owned
// by the caller and must stay valid until the call returns or, for the async
// forms, until the callback has run.
//
// Thread-safety: plain value types.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ossvp/common/status.h"

namespace ossvp::ossclient {

struct ObjectMeta {
  std::string key;
  uint64_t size = 0;
  int64_t mtime = 0;              // Last-Modified (or list LastModified), epoch seconds
  std::string etag;               // exactly as OSS sends it, quotes included: "\"5B3C...\""
  std::optional<uint64_t> crc64;  // x-oss-hash-crc64ecma when the server sent it
  std::string storageClass;       // "Standard", "IA", "Archive", ... (may be empty)
  std::string objectType;         // "Normal", "Multipart", "Appendable", "Symlink" (may be empty)
  std::string contentType;        // HEAD/GET only
};

struct ListRequest {
  std::string bucket;
  std::string prefix;
  std::string delimiter;          // "" = recursive listing, "/" = one directory level
  std::string continuationToken;  // from the previous page's nextContinuationToken
  std::string startAfter;
  int maxKeys = 1000;  // 1..1000
};

struct ListPage {
  std::vector<ObjectMeta> objects;          // keys already url-decoded
  std::vector<std::string> commonPrefixes;  // already url-decoded, end with the delimiter
  bool isTruncated = false;
  std::string nextContinuationToken;  // non-empty when isTruncated
};

// Receives body bytes in order, on an I/O thread; returning a non-ok Status
// aborts the transfer with that Status.
using ByteSink = std::function<Status(std::string_view chunk)>;

// A ranged (or whole) GetObject. Bytes go into `dest` (capacity checked), or,
// when dest is null, to `sink`.
struct GetRequest {
  std::string bucket;
  std::string key;
  uint64_t offset = 0;
  std::optional<uint64_t> length;  // unset: to the end of the object; must be > 0 when set
  std::string ifMatch;             // ETag (quoted, as in ObjectMeta::etag); mismatch -> PreconditionFailed
  char* dest = nullptr;
  size_t destCapacity = 0;
  ByteSink sink;          // used when dest == nullptr
  bool verifyCrc = true;  // whole-object reads: compare CRC64 with x-oss-hash-crc64ecma
};
// A read starting at or beyond the end of the object fails with
// StatusCode::InvalidArgument and the OSS code InvalidRange (HTTP 416). A range
// running past the end is clipped: bytesWritten tells how much arrived.

struct GetResult {
  ObjectMeta meta;            // size = whole object size (Content-Range total), etag, crc64
  uint64_t bytesWritten = 0;  // bytes stored in dest (or passed to sink)
  bool crcVerified = false;   // true when a whole-object CRC64 was checked and matched
};

struct PutRequest {
  std::string bucket;
  std::string key;
  const char* data = nullptr;
  size_t size = 0;
  std::string contentType;  // default application/octet-stream
};

struct PutResult {
  std::string etag;
  std::optional<uint64_t> crc64;  // as returned by the server (already verified when both sides know it)
  std::string requestId;
};

struct UploadPartRequest {
  std::string bucket;
  std::string key;
  std::string uploadId;
  int partNumber = 0;  // 1..10000
  const char* data = nullptr;
  size_t size = 0;
};

struct PartResult {
  int partNumber = 0;
  std::string etag;  // quoted, as returned; needed by completeMultipart
  uint64_t size = 0;
  uint64_t crc64 = 0;  // CRC64 of this part's bytes (computed locally, checked against the server's)
};

struct CompleteMultipartRequest {
  std::string bucket;
  std::string key;
  std::string uploadId;
  std::vector<PartResult> parts;  // any order; sent sorted by partNumber
};

}  // namespace ossvp::ossclient
