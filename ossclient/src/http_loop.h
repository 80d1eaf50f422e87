// HttpLoop: one libcurl multi handle driven by one I/O thread. Transfers,
// timers and cancellations are posted to the loop and run on its thread, so
// the multi handle and every easy handle are only touched there. Idle
// connections stay in the multi handle's cache (keep-alive pool), and easy
// handles of finished transfers are reset and reused: a fresh handle
// allocates a new 512 KiB receive buffer, whose pages are faulted in again on
// every transfer once glibc has returned the freed one to the system (on a
// virtual machine that was a third of the mount's CPU at 1 MiB parts).
//
// Thread-safety: post()/postAfter() may be called from any thread; everything
// else in this file runs on the loop thread.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ossvp/ossclient/client_options.h"

namespace ossvp::ossclient {

struct HttpRequest {
  std::string method;  // GET HEAD PUT POST DELETE
  std::string url;
  std::vector<std::string> headerLines;  // "Name: value"
  const char* upload = nullptr;          // request body (PUT/POST), caller-owned
  size_t uploadSize = 0;
  // Called once before the first body byte of a 2xx response (status and
  // headers known); return false to abort the transfer.
  std::function<bool(const struct HttpResponse&)> onResponseStart;
  // Receives 2xx response body bytes; return false to abort the transfer.
  std::function<bool(const char*, size_t)> onBody;
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string errorBody;                       // body of a non-2xx response (capped)
  int curlCode = 0;
  std::string curlError;
  uint64_t bodyBytes = 0;          // body bytes received
  bool abortedByCallback = false;  // onBody returned false
  bool cancelled = false;

  const std::string& header(const std::string& lowerName) const;
};

class HttpLoop;

// One HTTP exchange in flight on a loop.
class Transfer {
 public:
  using Completion = std::function<void(HttpResponse)>;
  Transfer(HttpRequest request, Completion done);
  ~Transfer();

 private:
  friend class HttpLoop;
  static size_t onHeader(char* data, size_t size, size_t n, void* self);
  static size_t onWrite(char* data, size_t size, size_t n, void* self);
  static size_t onRead(char* data, size_t size, size_t n, void* self);
  static int onSeek(void* self, curl_off_t offset, int origin);

  HttpRequest request_;
  Completion done_;
  HttpResponse response_;
  CURL* easy_ = nullptr;
  curl_slist* headers_ = nullptr;
  size_t uploadPos_ = 0;
  bool started_ = false;  // onResponseStart called
  char errorBuf_[CURL_ERROR_SIZE] = {0};
};

class HttpLoop {
 public:
  explicit HttpLoop(const ClientOptions& options, int maxConnections);
  ~HttpLoop();  // requestStop() + join()

  // Shutdown in two steps so that several loops can drain together: after
  // requestStop() the loop runs what is posted, cancels its transfers and
  // exits once idle; join() waits for that. Work posted after the loop
  // exited runs inline in the posting thread.
  void requestStop();
  void join();
  HttpLoop(const HttpLoop&) = delete;
  HttpLoop& operator=(const HttpLoop&) = delete;

  void post(std::function<void()> fn);  // runs fn inline if the loop already exited
  void postAfter(std::chrono::milliseconds delay, std::function<void()> fn);

  // Loop thread only.
  void start(const std::shared_ptr<Transfer>& transfer);
  void cancel(std::shared_ptr<Transfer> transfer);  // completes it with cancelled=true

 private:
  void run();
  void finish(const std::shared_ptr<Transfer>& t, CURLcode code, bool cancelled);
  void configure(Transfer& t);
  CURL* takeEasyHandle();               // a reset idle handle, or a new one
  void recycleEasyHandle(Transfer& t);  // t's handle, out of the multi handle, back to the idle list

  const ClientOptions options_;
  CURLM* multi_ = nullptr;
  std::mutex mu_;
  std::vector<std::function<void()>> posted_;
  std::multimap<std::chrono::steady_clock::time_point, std::function<void()>> timers_;
  bool stopping_ = false;
  bool exited_ = false;
  std::map<CURL*, std::shared_ptr<Transfer>> active_;
  std::vector<CURL*> idleEasy_;  // reset handles for reuse, at most maxIdleEasy_
  const size_t maxIdleEasy_;
  std::thread thread_;
};

}  // namespace ossvp::ossclient
