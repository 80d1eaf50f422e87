// StreamSource: the production ObjectSource. Lists with ossclient
// (ListObjectsV2, all pages) and reads every chunk with one ranged GET whose
// body goes to the copier as libcurl receives it: the copier writes each
// piece into the target file and folds it into its CRC64 on the client's
// I/O thread, so no byte is buffered or copied in between (no part buffers,
// no read-ahead: the copier's workers are the requests in flight).
//
// Where the server CRC64 comes from: no HEAD per object. Every GET carries
// If-Match on the listed ETag (a changed object fails the read, reported as
// transient so the copy is retried on a new listing) and returns
// x-oss-hash-crc64ecma for the whole object, even when ranged;
// serverCrc64() exposes it and the copier compares it with the combined CRC
// of what it wrote. So ossclient's own whole-object CRC pass is skipped:
// it would hash every small file twice.
//
// Nothing is cached, so open(fresh=true) needs nothing special.
//
// Thread-safety: as ObjectSource. The sink runs on an ossclient I/O thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "ossvp/ossclient/object_client.h"
#include "ossvp/populator/object_source.h"

namespace ossvp::populator {

class StreamSource : public ObjectSource {
 public:
  StreamSource(std::shared_ptr<ossclient::ObjectClient> client, std::string bucket);

  Result<std::vector<SourceObject>> list(const std::string& prefix) override;
  Result<std::unique_ptr<SourceFile>> open(const SourceObject& object, bool fresh) override;

  // GETs made and body bytes received so far (for the run's log line).
  struct Counters {
    std::atomic<uint64_t> gets{0};
    std::atomic<uint64_t> bytes{0};
  };
  uint64_t getRequests() const { return counters_->gets.load(); }
  uint64_t bytesReceived() const { return counters_->bytes.load(); }

 private:
  std::shared_ptr<ossclient::ObjectClient> client_;
  std::string bucket_;
  std::shared_ptr<Counters> counters_ = std::make_shared<Counters>();  // shared with the files it opened
};

}  // namespace ossvp::populator
