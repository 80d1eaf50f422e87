// Call: one logical OSS request driven to completion on an HttpLoop — signing
// each attempt with fresh credentials, classifying failures, retrying
// idempotent requests with backoff, honouring cancellation. Subclasses say
// what to send and how to read the answer.
//
// ClientCore: what all calls of one client share (options, credentials,
// loops, the closing flag).
//
// Thread-safety: start()/cancel() from any thread; everything else runs on
// the call's loop thread.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "http_loop.h"
#include "ossvp/common/status.h"
#include "ossvp/ossclient/client_options.h"
#include "ossvp/ossclient/credentials.h"
#include "ossvp/ossclient/signer.h"

namespace ossvp::ossclient {

struct ClientCore {
  ClientOptions options;  // normalized
  std::shared_ptr<CredentialsProvider> credentials;
  std::vector<std::unique_ptr<HttpLoop>> loops;
  std::atomic<size_t> nextLoop{0};
  std::atomic<bool> closing{false};
  std::mutex rngMu;
  std::mt19937_64 rng{std::random_device{}()};

  HttpLoop& pickLoop() { return *loops[nextLoop++ % loops.size()]; }
  double random01();
  bool isOss() const { return options.signatureVersion != SignatureVersion::S3V4; }
};

// What a subclass says about a 2xx response.
struct AttemptVerdict {
  Status status;           // ok: done
  bool retryable = false;  // transient (truncated body, CRC mismatch)
};

class Call : public std::enable_shared_from_this<Call> {
 public:
  Call(std::shared_ptr<ClientCore> core, std::string bucket, std::string key, bool idempotent);
  virtual ~Call() = default;

  void start();
  void cancel();

 protected:
  // Fills method, query, headers (no auth) and the upload body for the next attempt.
  virtual void prepare(SignableRequest& req, HttpRequest& http) = 0;
  virtual bool onResponseStart(const HttpResponse&) { return true; }
  virtual bool onBody(const char* data, size_t n) {
    body_.append(data, n);
    return true;
  }
  virtual AttemptVerdict onSuccess(const HttpResponse& resp) = 0;
  virtual void complete(Status status) = 0;  // exactly once

  // Set by a subclass before returning false from onBody/onResponseStart.
  Status abortStatus_;
  std::string body_;
  const std::shared_ptr<ClientCore> core_;
  const std::string bucket_;
  const std::string key_;
  int attempt_ = 0;

 private:
  void runAttempt();
  void onDone(HttpResponse resp);
  void finish(Status status);
  void retryOrFinish(Status status, bool retryable);
  Status sign(SignableRequest& req);

  const bool idempotent_;
  HttpLoop* loop_ = nullptr;
  std::shared_ptr<Transfer> transfer_;
  std::atomic<bool> cancelled_{false};
  bool finished_ = false;
};

}  // namespace ossvp::ossclient
