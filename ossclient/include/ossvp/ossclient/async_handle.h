// AsyncHandle: what an async ObjectClient call returns; lets the caller
// cancel the request. Cancelling a request that has not completed makes its
// callback run (once, soon) with StatusCode::Cancelled; cancelling a finished
// request does nothing. A default-constructed handle is a no-op.
//
// Thread-safety: copyable; cancel() may be called from any thread, any number
// of times, including from inside the callback.
#pragma once

#include <functional>
#include <memory>

namespace ossvp::ossclient {

class AsyncHandle {
 public:
  AsyncHandle() = default;
  explicit AsyncHandle(std::function<void()> cancelFn)
      : cancel_(std::make_shared<std::function<void()>>(std::move(cancelFn))) {}

  void cancel() const {
    if (cancel_ && *cancel_) (*cancel_)();
  }
  bool valid() const { return cancel_ != nullptr; }

 private:
  std::shared_ptr<std::function<void()>> cancel_;
};

}  // namespace ossvp::ossclient
