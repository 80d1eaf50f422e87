#include "ossvp/populator/stream_source.h"

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <mutex>
#include <optional>

namespace ossvp::populator {

namespace {

// The object changed since it was listed (the GET's If-Match failed): a new
// attempt re-lists and copies the new version, so report it as transient.
Status changedIsTransient(const Status& st) {
  if (st.code() == StatusCode::PreconditionFailed) return Status(StatusCode::Unavailable, st.message());
  return st;
}

// What the readers of one object version share: the client, the listing and
// the server's CRC64 once a GET returned it.
struct ObjectState {
  std::shared_ptr<ossclient::ObjectClient> client;
  std::string bucket;
  SourceObject object;
  std::shared_ptr<StreamSource::Counters> counters;
  std::mutex mu;
  std::optional<uint64_t> crc64;  // guarded by mu
};

class StreamFile : public SourceFile {
 public:
  explicit StreamFile(std::shared_ptr<ObjectState> state) : state_(std::move(state)) {}

  Result<size_t> read(uint64_t offset, char* buf, size_t len) override {
    if (offset >= state_->object.size || len == 0) return size_t{0};
    ossclient::GetRequest g = request(offset, len);
    g.dest = buf;
    g.destCapacity = len;
    return get(g);
  }

  // Each piece is libcurl's receive buffer, handed on as it arrives.
  Result<size_t> readInto(uint64_t offset, size_t len, std::vector<char>&, const PieceConsumer& consume) override {
    if (offset >= state_->object.size || len == 0) return size_t{0};
    ossclient::GetRequest g = request(offset, len);
    g.sink = [&consume](std::string_view piece) { return consume(piece.data(), piece.size()); };
    return get(g);
  }

  std::optional<uint64_t> serverCrc64() const override {
    std::lock_guard<std::mutex> lock(state_->mu);
    return state_->crc64;
  }

  std::unique_ptr<SourceFile> clone() const override { return std::make_unique<StreamFile>(state_); }

 private:
  // A GET of [offset, offset + len) clipped to the listed size, which
  // callers have checked is past offset.
  ossclient::GetRequest request(uint64_t offset, size_t len) const {
    const SourceObject& o = state_->object;
    ossclient::GetRequest g;
    g.bucket = state_->bucket;
    g.key = o.key;
    g.offset = offset;
    g.length = std::min<uint64_t>(len, o.size - offset);
    g.ifMatch = o.etag;
    g.verifyCrc = false;  // the copier checks the whole file against serverCrc64()
    return g;
  }

  Result<size_t> get(const ossclient::GetRequest& g) {
    state_->counters->gets.fetch_add(1, std::memory_order_relaxed);
    auto r = state_->client->get(g);
    if (!r.isOk()) return changedIsTransient(r.status());
    state_->counters->bytes.fetch_add(r->bytesWritten, std::memory_order_relaxed);
    if (r->meta.crc64) {
      std::lock_guard<std::mutex> lock(state_->mu);
      state_->crc64 = r->meta.crc64;
    }
    return static_cast<size_t>(r->bytesWritten);
  }

  std::shared_ptr<ObjectState> state_;
};

}  // namespace

StreamSource::StreamSource(std::shared_ptr<ossclient::ObjectClient> client, std::string bucket)
    : client_(std::move(client)), bucket_(std::move(bucket)) {}

Result<std::vector<SourceObject>> StreamSource::list(const std::string& prefix) {
  std::vector<SourceObject> out;
  ossclient::ListRequest req;
  req.bucket = bucket_;
  req.prefix = prefix;
  req.maxKeys = 1000;
  Status st = ossclient::listAll(*client_, req, [&](const ossclient::ListPage& page) {
    for (const auto& m : page.objects) out.push_back(SourceObject{m.key, m.size, m.mtime, m.etag});
    return Status::ok();
  });
  if (!st.isOk()) return st.withContext(fmt::format("listing oss://{}/{}", bucket_, prefix));
  return out;
}

Result<std::unique_ptr<SourceFile>> StreamSource::open(const SourceObject& object, bool /*fresh: nothing cached*/) {
  auto state = std::make_shared<ObjectState>();
  state->client = client_;
  state->bucket = bucket_;
  state->object = object;
  state->counters = counters_;
  return std::unique_ptr<SourceFile>(new StreamFile(std::move(state)));
}

}  // namespace ossvp::populator
