#include "http_loop.h"

#include "text_util.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <utility>

namespace ossvp::ossclient {
namespace {

constexpr size_t kMaxErrorBody = 64 * 1024;

}  // namespace

const std::string& HttpResponse::header(const std::string& lowerName) const {
  static const std::string kEmpty;
  auto it = headers.find(lowerName);
  return it == headers.end() ? kEmpty : it->second;
}

Transfer::Transfer(HttpRequest request, Completion done) : request_(std::move(request)), done_(std::move(done)) {}

Transfer::~Transfer() {
  if (easy_) curl_easy_cleanup(easy_);
  if (headers_) curl_slist_free_all(headers_);
}

size_t Transfer::onHeader(char* data, size_t size, size_t n, void* self) {
  auto* t = static_cast<Transfer*>(self);
  std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    // A new status line (e.g. after 100 Continue): start over.
    t->response_.headers.clear();
    t->response_.errorBody.clear();
    size_t sp = line.find(' ');
    t->response_.status = sp == std::string_view::npos ? 0 : std::atoi(std::string(line.substr(sp + 1, 3)).c_str());
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    t->response_.headers[asciiLower(line.substr(0, colon))] = trimSpace(line.substr(colon + 1));
  }
  return size * n;
}

size_t Transfer::onWrite(char* data, size_t size, size_t n, void* self) {
  auto* t = static_cast<Transfer*>(self);
  size_t len = size * n;
  t->response_.bodyBytes += len;
  if (t->response_.status >= 200 && t->response_.status < 300) {
    if (!t->started_) {
      t->started_ = true;
      if (t->request_.onResponseStart && !t->request_.onResponseStart(t->response_)) {
        t->response_.abortedByCallback = true;
        return CURL_WRITEFUNC_ERROR;
      }
    }
    if (t->request_.onBody && !t->request_.onBody(data, len)) {
      t->response_.abortedByCallback = true;
      return CURL_WRITEFUNC_ERROR;
    }
  } else if (t->response_.errorBody.size() < kMaxErrorBody) {
    t->response_.errorBody.append(data, std::min(len, kMaxErrorBody - t->response_.errorBody.size()));
  }
  return len;
}

size_t Transfer::onRead(char* data, size_t size, size_t n, void* self) {
  auto* t = static_cast<Transfer*>(self);
  size_t left = t->request_.uploadSize - t->uploadPos_;
  size_t len = std::min(left, size * n);
  if (len) std::memcpy(data, t->request_.upload + t->uploadPos_, len);
  t->uploadPos_ += len;
  return len;
}

int Transfer::onSeek(void* self, curl_off_t offset, int origin) {
  auto* t = static_cast<Transfer*>(self);
  if (origin != SEEK_SET || offset < 0 || static_cast<size_t>(offset) > t->request_.uploadSize) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  t->uploadPos_ = static_cast<size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

HttpLoop::HttpLoop(const ClientOptions& options, int maxConnections)
    : options_(options), maxIdleEasy_(static_cast<size_t>(std::max(1, maxConnections))) {
  multi_ = curl_multi_init();
  curl_multi_setopt(multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(maxConnections));
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, static_cast<long>(maxConnections));
  thread_ = std::thread([this] { run(); });
}

HttpLoop::~HttpLoop() {
  requestStop();
  join();
  for (CURL* e : idleEasy_) curl_easy_cleanup(e);
  curl_multi_cleanup(multi_);
}

void HttpLoop::requestStop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  curl_multi_wakeup(multi_);
}

void HttpLoop::join() {
  if (thread_.joinable()) thread_.join();
}

void HttpLoop::post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!exited_) {
      posted_.push_back(std::move(fn));
      fn = nullptr;
    }
  }
  if (fn) {
    fn();  // the loop is gone (client shutting down)
    return;
  }
  curl_multi_wakeup(multi_);
}

void HttpLoop::postAfter(std::chrono::milliseconds delay, std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!exited_) {
      timers_.emplace(std::chrono::steady_clock::now() + delay, std::move(fn));
      fn = nullptr;
    }
  }
  if (fn) {
    fn();
    return;
  }
  curl_multi_wakeup(multi_);
}

void HttpLoop::configure(Transfer& t) {
  CURL* e = t.easy_;
  const HttpRequest& r = t.request_;
  curl_easy_setopt(e, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.errorBuf_);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Transfer::onHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Transfer::onWrite);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 512L * 1024);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connectTimeout.count()));
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, options_.lowSpeedLimitBytes);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.lowSpeedTime.count()));
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, options_.verifyTls ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, options_.verifyTls ? 2L : 0L);
  if (!options_.caFile.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, options_.caFile.c_str());
  curl_easy_setopt(e, CURLOPT_USERAGENT, options_.userAgent.c_str());
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);

  for (const std::string& h : r.headerLines) t.headers_ = curl_slist_append(t.headers_, h.c_str());
  t.headers_ = curl_slist_append(t.headers_, "Expect:");  // no 100-continue round trip
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.headers_);

  if (r.method == "HEAD") {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else if (r.method == "PUT") {
    curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(r.uploadSize));
    curl_easy_setopt(e, CURLOPT_READFUNCTION, &Transfer::onRead);
    curl_easy_setopt(e, CURLOPT_READDATA, &t);
    curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, &Transfer::onSeek);
    curl_easy_setopt(e, CURLOPT_SEEKDATA, &t);
    curl_easy_setopt(e, CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024);
  } else if (r.method == "POST") {
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.uploadSize));
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.uploadSize ? r.upload : "");
  } else if (r.method != "GET") {
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  }
}

CURL* HttpLoop::takeEasyHandle() {
  if (idleEasy_.empty()) return curl_easy_init();
  CURL* e = idleEasy_.back();
  idleEasy_.pop_back();
  return e;
}

void HttpLoop::recycleEasyHandle(Transfer& t) {
  CURL* e = std::exchange(t.easy_, nullptr);
  if (e == nullptr) return;
  if (idleEasy_.size() >= maxIdleEasy_) {
    curl_easy_cleanup(e);
    return;
  }
  // Every option goes back to its default (configure() sets all of them
  // again); the receive buffer stays allocated.
  curl_easy_reset(e);
  idleEasy_.push_back(e);
}

void HttpLoop::start(const std::shared_ptr<Transfer>& t) {
  t->easy_ = takeEasyHandle();
  if (!t->easy_) {
    finish(t, CURLE_FAILED_INIT, false);
    return;
  }
  configure(*t);
  active_[t->easy_] = t;
  CURLMcode mc = curl_multi_add_handle(multi_, t->easy_);
  if (mc != CURLM_OK) {
    active_.erase(t->easy_);
    finish(t, CURLE_FAILED_INIT, false);
  }
}

void HttpLoop::cancel(std::shared_ptr<Transfer> t) {  // by value: erasing from active_ may drop the caller's copy
  if (!t->easy_ || active_.erase(t->easy_) == 0) return;
  curl_multi_remove_handle(multi_, t->easy_);
  recycleEasyHandle(*t);
  finish(t, CURLE_ABORTED_BY_CALLBACK, true);
}

void HttpLoop::finish(const std::shared_ptr<Transfer>& t, CURLcode code, bool cancelled) {
  HttpResponse resp = std::move(t->response_);
  resp.curlCode = static_cast<int>(code);
  resp.cancelled = cancelled;
  if (code != CURLE_OK) resp.curlError = t->errorBuf_[0] ? t->errorBuf_ : curl_easy_strerror(code);
  auto done = std::move(t->done_);
  if (done) done(std::move(resp));
}

void HttpLoop::run() {
  while (true) {
    std::vector<std::function<void()>> work;
    bool stopping = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping = stopping_;
      work.swap(posted_);
      auto now = std::chrono::steady_clock::now();
      while (!timers_.empty() && (stopping || timers_.begin()->first <= now)) {
        work.push_back(std::move(timers_.begin()->second));
        timers_.erase(timers_.begin());
      }
    }
    for (auto& fn : work) fn();
    if (stopping) {
      while (!active_.empty()) {
        std::shared_ptr<Transfer> t = active_.begin()->second;
        cancel(t);
      }
      std::lock_guard<std::mutex> lock(mu_);
      if (posted_.empty() && timers_.empty() && active_.empty()) {
        exited_ = true;
        return;
      }
      continue;
    }

    int running = 0;
    curl_multi_perform(multi_, &running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;
      CURLcode code = msg->data.result;
      auto it = active_.find(easy);
      if (it == active_.end()) continue;
      std::shared_ptr<Transfer> t = it->second;
      active_.erase(it);
      curl_multi_remove_handle(multi_, easy);
      recycleEasyHandle(*t);
      finish(t, code, false);
    }

    long timeoutMs = 1000;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!posted_.empty() || stopping_) continue;
      if (!timers_.empty()) {
        auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(timers_.begin()->first -
                                                                          std::chrono::steady_clock::now());
        timeoutMs = std::clamp<long>(static_cast<long>(wait.count()), 0L, timeoutMs);
      }
    }
    long curlTimeout = -1;
    curl_multi_timeout(multi_, &curlTimeout);
    if (curlTimeout >= 0) timeoutMs = std::min(timeoutMs, curlTimeout);
    if (timeoutMs > 0) curl_multi_poll(multi_, nullptr, 0, static_cast<int>(timeoutMs), nullptr);
  }
}

}  // namespace ossvp::ossclient
