#include "call.h"

#include <ctime>

#include "endpoint.h"
#include "ossvp/common/log.h"
#include "ossvp/common/secret_redactor.h"
#include "ossvp/ossclient/oss_error.h"
#include "ossvp/ossclient/retry_policy.h"

namespace ossvp::ossclient {

double ClientCore::random01() {
  std::lock_guard<std::mutex> lock(rngMu);
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

Call::Call(std::shared_ptr<ClientCore> core, std::string bucket, std::string key, bool idempotent)
    : core_(std::move(core)), bucket_(std::move(bucket)), key_(std::move(key)), idempotent_(idempotent) {}

void Call::start() {
  loop_ = &core_->pickLoop();
  auto self = shared_from_this();
  loop_->post([self] { self->runAttempt(); });
}

void Call::cancel() {
  cancelled_ = true;
  if (!loop_) return;
  auto self = shared_from_this();
  loop_->post([self] {
    if (self->finished_) return;
    if (self->transfer_) {
      self->loop_->cancel(self->transfer_);  // completes through onDone
    } else {
      self->finish(Status(StatusCode::Cancelled, "request cancelled"));  // waiting for a retry
    }
  });
}

void Call::finish(Status status) {
  if (finished_) return;
  finished_ = true;
  complete(std::move(status));
}

Status Call::sign(SignableRequest& req) {
  Result<Credentials> creds = core_->credentials->get();
  if (!creds.isOk()) return creds.status().withContext("OSS credentials (" + core_->credentials->describe() + ")");
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  const ClientOptions& o = core_->options;
  switch (o.signatureVersion) {
    case SignatureVersion::V1: signOssV1(req, *creds, now); break;
    case SignatureVersion::V4: signOssV4(req, *creds, OssV4Params{o.region, o.product, {}}, now); break;
    case SignatureVersion::S3V4: signS3V4(req, *creds, S3V4Params{o.region, "s3", {}}, now); break;
  }
  return Status::ok();
}

void Call::runAttempt() {
  if (finished_) return;
  if (cancelled_ || core_->closing) {
    finish(Status(StatusCode::Cancelled, "request cancelled"));
    return;
  }
  ++attempt_;
  body_.clear();
  SignableRequest req;
  req.bucket = bucket_;
  req.key = key_;
  HttpRequest http;
  prepare(req, http);
  RequestTarget target = resolveTarget(core_->options, bucket_, key_, encodeQuery(req.query, false));
  req.path = target.path;
  setHeader(req.headers, "Host", target.hostHeader);
  Status signed_ = sign(req);
  if (!signed_.isOk()) {
    retryOrFinish(signed_, signed_.code() == StatusCode::Unavailable);
    return;
  }
  http.method = req.method;
  http.url = target.url;
  for (const auto& [name, value] : req.headers) http.headerLines.push_back(name + ": " + value);
  auto self = shared_from_this();
  http.onResponseStart = [this](const HttpResponse& r) { return onResponseStart(r); };
  http.onBody = [this](const char* d, size_t n) { return onBody(d, n); };
  transfer_ = std::make_shared<Transfer>(std::move(http), [self](HttpResponse resp) { self->onDone(std::move(resp)); });
  loop_->start(transfer_);
}

void Call::onDone(HttpResponse resp) {
  transfer_.reset();
  if (finished_) return;
  if (resp.cancelled || (cancelled_ && resp.curlCode != 0)) {
    finish(Status(StatusCode::Cancelled, "request cancelled"));
    return;
  }
  if (resp.abortedByCallback) {
    finish(abortStatus_.isOk() ? internalError("transfer aborted") : abortStatus_);
    return;
  }
  AttemptFailure failure;
  Status status;
  if (resp.curlCode != 0) {
    // Connection failure, reset, timeout or a body cut short: GETs resume where they stopped.
    failure.curlCode = resp.curlCode;
    status = unavailable("network error talking to OSS: " + resp.curlError + " (curl code " +
                         std::to_string(resp.curlCode) + ", bucket " + bucket_ + ", key " + key_ + ")");
  } else if (resp.status < 200 || resp.status >= 300) {
    OssError e = ossErrorFromResponse(resp.status, resp.errorBody, resp.header("x-oss-err"),
                                      resp.header("x-oss-request-id"), resp.header("x-oss-ec"));
    if (e.requestId.empty()) e.requestId = resp.header("x-amz-request-id");
    failure.httpStatus = e.httpStatus;
    failure.ossCode = e.code;
    status = toStatus(e, bucket_, key_);
    retryOrFinish(status, isRetryableFailure(failure, idempotent_));
    return;
  } else {
    AttemptVerdict v = onSuccess(resp);
    if (v.status.isOk() || !v.retryable) {
      finish(v.status);
      return;
    }
    retryOrFinish(v.status, idempotent_);
    return;
  }
  retryOrFinish(status, isRetryableFailure(failure, idempotent_));
}

void Call::retryOrFinish(Status status, bool retryable) {
  const RetryPolicy& policy = core_->options.retry;
  if (!retryable || attempt_ >= policy.maxAttempts || cancelled_ || core_->closing) {
    if (attempt_ > 1) status = status.withContext("after " + std::to_string(attempt_) + " attempts");
    finish(status);
    return;
  }
  auto delay = backoffDelay(policy, attempt_, core_->random01());
  logDebug("ossclient: attempt {} for {}/{} failed ({}); retrying in {} ms", attempt_, bucket_, key_, status.toString(),
           delay.count());
  auto self = shared_from_this();
  loop_->postAfter(delay, [self] { self->runAttempt(); });
}

}  // namespace ossvp::ossclient
