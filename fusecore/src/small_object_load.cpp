#include "ossvp/fusecore/small_object_load.h"

#include <cerrno>

namespace ossvp::fusecore {

// The object's bytes and the budget memory they hold; pinned by replies.
struct SmallObjectLoad::Buffer {
  Reservation reservation;
  std::unique_ptr<char[]> data;
};

SmallObjectLoad::SmallObjectLoad(ossclient::ObjectClient& client, MemoryBudget& budget, std::string bucket,
                                 ossclient::ObjectMeta expected, bool validate, Verdict verdict)
    : client_(client),
      budget_(budget),
      bucket_(std::move(bucket)),
      expected_(std::move(expected)),
      validate_(validate),
      verdict_(std::move(verdict)) {}

SmallObjectLoad::~SmallObjectLoad() = default;

ossclient::ObjectMeta SmallObjectLoad::fetched() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fetched_;
}

void SmallObjectLoad::cancel() {
  ossclient::AsyncHandle h;
  {
    std::lock_guard<std::mutex> lock(mu_);
    h = inflight_;
  }
  h.cancel();
}

bool SmallObjectLoad::serveLocked(uint64_t offset, size_t len, PinnedBytes* out) const {
  const uint64_t size = fetched_.size;
  if (offset >= size || len == 0) return true;  // at or past the end: 0 bytes
  const uint64_t n = std::min<uint64_t>(len, size - offset);
  if (offset + n > held_) return false;  // past the prefix of a grown object
  out->pieces.push_back(iovec{buf_->data.get() + offset, static_cast<size_t>(n)});
  out->size = n;
  out->pins.push_back(buf_);
  return true;
}

bool SmallObjectLoad::read(uint64_t offset, size_t len, ReadDone done) {
  // Past the expected size and up to the 64 KiB mark: the kernel's reads
  // cover whole pages (up to 64 KiB) of the size it knows.
  constexpr uint64_t kPageRound = 64 * 1024;
  const uint64_t capacity = (expected_.size / kPageRound + 1) * kPageRound;
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (state_ == State::Loaded) {
      PinnedBytes out;
      if (!serveLocked(offset, len, &out)) return false;
      lock.unlock();
      done(0, std::move(out));
      return true;
    }
    waiters_.push_back(Waiter{offset, len, std::move(done)});
    if (state_ == State::Loading) return true;
    state_ = State::Loading;
  }
  auto buf = std::make_shared<Buffer>();
  buf->reservation = budget_.acquire(capacity);
  buf->data.reset(new char[capacity]);
  ossclient::GetRequest req;
  req.bucket = bucket_;
  req.key = expected_.key;
  req.length = capacity;
  if (!validate_) req.ifMatch = expected_.etag;
  req.dest = buf->data.get();
  req.destCapacity = capacity;
  std::lock_guard<std::mutex> lock(mu_);
  buf_ = std::move(buf);
  // The callback never runs inside getAsync, so holding mu_ here is safe.
  inflight_ = client_.getAsync(std::move(req), [self = shared_from_this()](Result<ossclient::GetResult> r) mutable {
    std::vector<Answer> answers = self->complete(std::move(r));
    // Let go of the load before answering: an answer may be the last
    // thing its owner waits for before it goes (and the budget the
    // load's buffer is reserved in goes with it). The answers' pins keep
    // the bytes, and are dropped inside the callbacks.
    self.reset();
    for (auto& a : answers) {
      ReadDone done = std::move(a.done);
      done(a.err, std::move(a.bytes));
    }
  });
  return true;
}

std::vector<SmallObjectLoad::Answer> SmallObjectLoad::complete(Result<ossclient::GetResult> r) {
  int err = verdict_(r);
  std::vector<Waiter> waiters;
  std::vector<Answer> answers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    waiters.swap(waiters_);
    inflight_ = {};
    if (err == 0 && r.isOk()) {
      state_ = State::Loaded;
      fetched_ = r->meta;
      fetched_.key = expected_.key;
      held_ = r->bytesWritten;
    } else {
      state_ = State::Idle;  // the next read tries again
      buf_.reset();
      if (err == 0) err = EIO;
    }
    for (auto& w : waiters) {
      Answer a{std::move(w.done), err, {}};
      // A queued read lies within the pages of the expected size (the
      // kernel reads no further before it learns a new size), so within
      // the bytes held even of an object that grew.
      if (a.err == 0 && !serveLocked(w.offset, w.len, &a.bytes)) a.err = ESTALE;
      if (a.err != 0) a.bytes = PinnedBytes{};
      answers.push_back(std::move(a));
    }
  }
  return answers;
}

}  // namespace ossvp::fusecore
