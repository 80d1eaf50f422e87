// ObjectMeta: everything the emulator knows about one object besides its
// bytes: size, ETag, CRC64, times, content headers, user metadata, and where
// the bytes live: an ordered list of segments (one for a PUT or seeded
// object, one per part for a completed multipart upload, so completing joins
// nothing), each a file (a data file or an external seeded file) or an
// in-memory blob. Serialized to JSON for the on-disk index.
//
// Thread-safety: plain value types; the segment list is immutable and shared
// by copies of a meta (listings and HEADs do not copy it).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ossvp/ossemu/http.h"

namespace ossvp::ossemu {

// One stretch of an object's bytes.
struct DataSegment {
  std::string path;                         // file; empty for in-memory data
  std::shared_ptr<const std::string> data;  // in-memory bytes
  uint64_t size = 0;
};

struct ObjectMeta {
  std::string key;
  uint64_t size = 0;
  std::string etag;  // unquoted: 32 upper-case hex, or "<hex>-<parts>"
  uint64_t crc64 = 0;
  int64_t mtime = 0;
  std::string contentType = "application/octet-stream";
  std::string contentMd5;  // base64; empty for multipart objects
  std::string type = "Normal";
  std::string storageClass = "Standard";
  KeyValues userMeta;      // names without the x-oss-meta- prefix, lowercased
  KeyValues extraHeaders;  // Cache-Control, Content-Disposition, Content-Encoding, Expires
  bool external = false;   // seeded file: never deleted by the emulator
  // The bytes, in order; null for metadata-only templates. Never modified.
  std::shared_ptr<const std::vector<DataSegment>> segments;

  const std::vector<DataSegment>& dataSegments() const;  // empty when segments is null
};

nlohmann::json metaToJson(const ObjectMeta& m);
ObjectMeta metaFromJson(const nlohmann::json& j);

std::string hexUpper(const std::string& raw);

}  // namespace ossvp::ossemu
