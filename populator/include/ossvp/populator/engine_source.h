// EngineSource: the production ObjectSource. Lists with ossclient
// (ListObjectsV2, all pages) and reads through fusecore's ReadEngine, the
// same read path as the FUSE mount.
//
// Where the server CRC64 comes from: no HEAD per object. Every GET the engine
// makes carries If-Match on the listed ETag (a changed object fails the read)
// and returns x-oss-hash-crc64ecma for the whole object, even when ranged;
// FileReader::serverCrc64() exposes it and the copier compares it with the
// combined CRC of what it wrote (objects up to smallObjectThreshold are also
// checked by ossclient on their single whole-object GET). open(fresh=true),
// the retry after a mismatch, drops the engine's cached blocks first.
//
// Thread-safety: as ObjectSource.
#pragma once

#include <memory>
#include <string>

#include "ossvp/fusecore/read_engine.h"
#include "ossvp/populator/object_source.h"

namespace ossvp::populator {

class EngineSource : public ObjectSource {
 public:
  EngineSource(std::shared_ptr<fusecore::ReadEngine> engine, std::string bucket);

  Result<std::vector<SourceObject>> list(const std::string& prefix) override;
  Result<std::unique_ptr<SourceFile>> open(const SourceObject& object, bool fresh) override;

 private:
  std::shared_ptr<fusecore::ReadEngine> engine_;
  std::string bucket_;
};

}  // namespace ossvp::populator
