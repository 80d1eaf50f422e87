#include "ossvp/populator/engine_source.h"

#include <spdlog/fmt/fmt.h>

#include "ossvp/ossclient/object_client.h"

namespace ossvp::populator {

namespace {

// The object changed since it was listed (the GET's If-Match failed): a new
// attempt re-lists and copies the new version, so report it as transient.
Status changedIsTransient(const Status& st) {
  if (st.code() == StatusCode::PreconditionFailed) return Status(StatusCode::Unavailable, st.message());
  return st;
}

class EngineFile : public SourceFile {
 public:
  EngineFile(fusecore::ReadEngine* engine, const std::string* bucket, std::unique_ptr<fusecore::FileReader> reader)
      : engine_(engine), bucket_(bucket), reader_(std::move(reader)) {}
  Result<size_t> read(uint64_t offset, char* buf, size_t len) override {
    Result<size_t> r = reader_->read(offset, buf, len);
    if (!r.isOk()) return changedIsTransient(r.status());
    return r;
  }
  // Zero-copy: the pieces are the engine's cached parts, pinned meanwhile.
  Result<size_t> readInto(uint64_t offset, size_t len, std::vector<char>&, const PieceConsumer& consume) override {
    fusecore::PinnedBytes bytes;
    Status st = reader_->readPinned(offset, len, &bytes);
    if (!st.isOk()) return changedIsTransient(st);
    for (const iovec& piece : bytes.pieces) {
      Status cs = consume(static_cast<const char*>(piece.iov_base), piece.iov_len);
      if (!cs.isOk()) return cs;
    }
    return bytes.size;
  }
  void limitReadAhead(uint64_t end) override { reader_->limitPrefetch(end); }
  // From the GETs the engine made for this object version (any segment's).
  std::optional<uint64_t> serverCrc64() const override { return reader_->serverCrc64(); }
  std::unique_ptr<SourceFile> clone() const override {
    return std::make_unique<EngineFile>(engine_, bucket_, engine_->open(*bucket_, reader_->meta()));
  }

 private:
  fusecore::ReadEngine* engine_;
  const std::string* bucket_;
  std::unique_ptr<fusecore::FileReader> reader_;
};

}  // namespace

EngineSource::EngineSource(std::shared_ptr<fusecore::ReadEngine> engine, std::string bucket)
    : engine_(std::move(engine)), bucket_(std::move(bucket)) {}

Result<std::vector<SourceObject>> EngineSource::list(const std::string& prefix) {
  std::vector<SourceObject> out;
  ossclient::ListRequest req;
  req.bucket = bucket_;
  req.prefix = prefix;
  req.maxKeys = 1000;
  Status st = ossclient::listAll(engine_->client(), req, [&](const ossclient::ListPage& page) {
    for (const auto& m : page.objects) out.push_back(SourceObject{m.key, m.size, m.mtime, m.etag});
    return Status::ok();
  });
  if (!st.isOk()) return st.withContext(fmt::format("listing oss://{}/{}", bucket_, prefix));
  return out;
}

Result<std::unique_ptr<SourceFile>> EngineSource::open(const SourceObject& object, bool fresh) {
  ossclient::ObjectMeta meta;
  meta.key = object.key;
  meta.size = object.size;
  meta.mtime = object.mtimeUnix;
  meta.etag = object.etag;
  auto reader = engine_->open(bucket_, meta);
  // A retry after a CRC mismatch must not be served the same cached bytes.
  if (fresh) reader->dropCached();
  return std::unique_ptr<SourceFile>(new EngineFile(engine_.get(), &bucket_, std::move(reader)));
}

}  // namespace ossvp::populator
