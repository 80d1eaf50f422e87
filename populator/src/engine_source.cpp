#include "ossvp/populator/engine_source.h"

#include <spdlog/fmt/fmt.h>

#include "ossvp/ossclient/object_client.h"

namespace ossvp::populator {

namespace {

class EngineFile : public SourceFile {
 public:
  EngineFile(fusecore::ReadEngine* engine, const std::string* bucket, std::unique_ptr<fusecore::FileReader> reader,
             std::optional<uint64_t> crc)
      : engine_(engine), bucket_(bucket), reader_(std::move(reader)), crc_(crc) {}
  Result<size_t> read(uint64_t offset, char* buf, size_t len) override { return reader_->read(offset, buf, len); }
  std::optional<uint64_t> serverCrc64() const override { return crc_; }
  std::unique_ptr<SourceFile> clone() const override {
    return std::make_unique<EngineFile>(engine_, bucket_, engine_->open(*bucket_, reader_->meta()), crc_);
  }

 private:
  fusecore::ReadEngine* engine_;
  const std::string* bucket_;
  std::unique_ptr<fusecore::FileReader> reader_;
  std::optional<uint64_t> crc_;
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
  std::optional<uint64_t> crc;
  if (object.size > engine_->options().smallObjectThreshold || fresh) {
    auto head = engine_->client().head(bucket_, object.key);
    if (!head.isOk()) return head.status();
    if (head->etag != object.etag || head->size != object.size) {
      return Status(StatusCode::Unavailable,
                    fmt::format("object changed since it was listed (ETag {} -> {}); a new attempt copies the new "
                                "version", object.etag, head->etag));
    }
    crc = head->crc64;
    meta.crc64 = head->crc64;
  }
  return std::unique_ptr<SourceFile>(new EngineFile(engine_.get(), &bucket_, engine_->open(bucket_, meta), crc));
}

}  // namespace ossvp::populator
