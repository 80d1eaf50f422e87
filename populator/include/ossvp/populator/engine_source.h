// EngineSource: the production ObjectSource. Lists with ossclient
// (ListObjectsV2, all pages) and reads through fusecore's ReadEngine, the
// same read path as the FUSE mount.
//
// Where the server CRC64 comes from: objects up to the engine's
// smallObjectThreshold are fetched whole by the engine, and ossclient checks
// the whole-object CRC64 against x-oss-hash-crc64ecma on that GET (a mismatch
// fails the read); larger objects are read in ranges, so open() HEADs them
// for x-oss-hash-crc64ecma (and checks the ETag did not change since the
// listing) and the copier compares the combined CRC of what it wrote.
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
