// ObjectMeta: everything the emulator knows about one object besides its
// bytes: size, ETag, CRC64, times, content headers, user metadata, and where
// the bytes live (a data file, an external seeded file, or an in-memory blob).
// Serialized to JSON for the on-disk index.
//
// Thread-safety: plain value type.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "ossvp/ossemu/http.h"

namespace ossvp::ossemu {

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
  KeyValues userMeta;                       // names without the x-oss-meta- prefix, lowercased
  KeyValues extraHeaders;                   // Cache-Control, Content-Disposition, Content-Encoding, Expires
  std::string path;                         // data file; empty for in-memory objects
  bool external = false;                    // seeded file: never deleted by the emulator
  std::shared_ptr<const std::string> data;  // in-memory bytes
};

nlohmann::json metaToJson(const ObjectMeta& m);
ObjectMeta metaFromJson(const nlohmann::json& j);

std::string hexUpper(const std::string& raw);

}  // namespace ossvp::ossemu
