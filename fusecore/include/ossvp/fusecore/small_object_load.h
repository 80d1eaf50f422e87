// SmallObjectLoad: one open handle's small object, fetched whole by a single
// GET that also validates the attributes the open was based on: the GET's
// ETag and size are compared with the expected ones by a Verdict supplied by
// the owner (close-to-open without a HEAD per open). Reads that arrive while
// the GET is in flight are queued and answered from its completion callback,
// so no FUSE worker thread waits for the network.
//
// The GET asks for the expected size rounded up past the next 64 KiB mark:
// an unchanged object arrives whole (CRC64-checked by the client), a grown
// one shows its larger size and leaves a prefix that still covers every read
// the kernel sends (whole pages of the size it knows) before it learns the
// new size. Reads past that prefix are not answered here (read()
// returns false): the owner reads them through the engine on the version
// fetched().
//
// Thread-safety: internally synchronized; callbacks (verdict, ReadDone) run
// without the lock held, on the client's I/O thread or the caller's.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "ossvp/fusecore/memory_budget.h"
#include "ossvp/fusecore/read_engine.h"
#include "ossvp/ossclient/object_client.h"

namespace ossvp::fusecore {

// 0 and the bytes, or an errno and no bytes.
using ReadDone = std::function<void(int err, PinnedBytes bytes)>;

class SmallObjectLoad : public std::enable_shared_from_this<SmallObjectLoad> {
 public:
  // Judges a completed GET (the object as it is now against `expected`):
  // returns 0 to serve its bytes, or the errno every queued read fails with.
  using Verdict = std::function<int(const Result<ossclient::GetResult>&)>;

  // `validate`: the GET carries no If-Match and the verdict judges what came
  // back; otherwise it carries If-Match on expected.etag (a changed object
  // fails with PreconditionFailed, which the verdict sees too).
  SmallObjectLoad(ossclient::ObjectClient& client, MemoryBudget& budget, std::string bucket,
                  ossclient::ObjectMeta expected, bool validate, Verdict verdict);
  ~SmallObjectLoad();

  // Answers [offset, offset+len) through `done`: at once when the bytes are
  // here, else when the GET completes (the first read starts it; a failed
  // GET is started again by the next read). Returns false, without calling
  // `done`, when the range lies past the bytes held of an object that grew:
  // the caller reads it elsewhere. Call from a thread that may block (the
  // buffer's memory is waited for in the budget).
  bool read(uint64_t offset, size_t len, ReadDone done);

  // The version the GET found (valid once a read has been answered with 0).
  ossclient::ObjectMeta fetched() const;

  // Cancels a GET in flight (its queued reads fail with ECANCELED).
  void cancel();

 private:
  struct Buffer;
  struct Waiter {
    uint64_t offset;
    size_t len;
    ReadDone done;
  };
  struct Answer {
    ReadDone done;
    int err;
    PinnedBytes bytes;
  };
  enum class State { Idle, Loading, Loaded };

  // Takes in a completed GET and returns the queued reads' answers, to be
  // delivered without the lock (and without holding the load).
  std::vector<Answer> complete(Result<ossclient::GetResult> r);
  // Serves from the loaded buffer; false when the range is past its bytes.
  bool serveLocked(uint64_t offset, size_t len, PinnedBytes* out) const;

  ossclient::ObjectClient& client_;
  MemoryBudget& budget_;
  const std::string bucket_;
  const ossclient::ObjectMeta expected_;
  const bool validate_;
  const Verdict verdict_;

  mutable std::mutex mu_;
  State state_ = State::Idle;        // guarded by mu_
  std::shared_ptr<Buffer> buf_;      // guarded by mu_
  uint64_t held_ = 0;                // bytes of the object in buf_; guarded by mu_
  ossclient::ObjectMeta fetched_;    // guarded by mu_
  std::vector<Waiter> waiters_;      // guarded by mu_
  ossclient::AsyncHandle inflight_;  // guarded by mu_
};

}  // namespace ossvp::fusecore
