// ObjectSource: the populator's narrow view of the bucket - list a prefix, and
// open an object for positional reads. The production implementation
// (stream_source.h) lists and reads through ossclient, streaming each GET's
// body into the copier; tests may substitute an in-memory source.
//
// Thread-safety: implementations must allow concurrent open() and concurrent
// SourceFile::read() calls on one SourceFile from many threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ossvp/common/result.h"

namespace ossvp::populator {

// One listed object.
struct SourceObject {
  std::string key;
  uint64_t size = 0;
  int64_t mtimeUnix = 0;  // Last-Modified, seconds since the epoch (UTC)
  std::string etag;
};

class SourceFile {
 public:
  virtual ~SourceFile() = default;
  // Reads up to `len` bytes at `offset` into `buf`; returns the count (short
  // only at the end of the object). Errors carry an ossvp StatusCode.
  virtual Result<size_t> read(uint64_t offset, char* buf, size_t len) = 0;
  // The same read, handed to `consume` as one or more consecutive pieces,
  // without an intermediate copy where the source can (the streaming source
  // hands on libcurl's receive buffer). The default reads into `scratch`, grown to `len` on first
  // use (so lending sources never allocate it). Stops at the first error
  // `consume` returns. Returns the byte count.
  using PieceConsumer = std::function<Status(const char* data, size_t len)>;
  virtual Result<size_t> readInto(uint64_t offset, size_t len, std::vector<char>& scratch,
                                  const PieceConsumer& consume) {
    if (scratch.size() < len) scratch.resize(len);
    auto got = read(offset, scratch.data(), len);
    if (!got.isOk() || *got == 0) return got;
    Status st = consume(scratch.data(), *got);
    if (!st.isOk()) return st;
    return got;
  }
  // The server's x-oss-hash-crc64ecma for the whole object, once known (after
  // open or the first read); nullopt when the server has none.
  virtual std::optional<uint64_t> serverCrc64() const = 0;
  // Another independent reader of the same object version (no I/O), so
  // segments of one file are separate sequential streams.
  virtual std::unique_ptr<SourceFile> clone() const = 0;
};

class ObjectSource {
 public:
  virtual ~ObjectSource() = default;
  // Every object whose key starts with `prefix`, in any order.
  virtual Result<std::vector<SourceObject>> list(const std::string& prefix) = 0;
  // Opens `object` for reading. `fresh` asks to bypass any cache (used when
  // an earlier copy failed its CRC check).
  virtual Result<std::unique_ptr<SourceFile>> open(const SourceObject& object, bool fresh) = 0;
};

}  // namespace ossvp::populator
