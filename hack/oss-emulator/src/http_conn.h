// HttpConn: one accepted TCP connection served with blocking I/O by one
// thread: reads request heads, streams request bodies (Content-Length,
// chunked, and the aws-chunked framing S3 clients use), and writes responses,
// sending file slices of a body with sendfile(2), blob slices with send(2),
// and applying injected faults over the whole body
// (first-byte latency, bandwidth cap, reset/truncate/stall mid-body).
//
// Thread-safety: owned and used by a single thread; shutdownNow() may be
// called from another thread to unblock it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "ossvp/ossemu/faults.h"
#include "ossvp/ossemu/http.h"

namespace ossvp::ossemu {

// Buffered reader over a raw "read some bytes" function.
class LineReader {
 public:
  using RawRead = std::function<ssize_t(char*, size_t)>;
  explicit LineReader(RawRead raw) : raw_(std::move(raw)) {}
  ssize_t readSome(char* out, size_t n);            // 0 = EOF, <0 = error
  bool readLine(std::string* line, size_t maxLen);  // strips CRLF
  size_t buffered() const { return buf_.size() - pos_; }

 private:
  bool fill();
  RawRead raw_;
  std::string buf_;
  size_t pos_ = 0;
};

// Decodes chunked framing ("<hex>[;ext]\r\n<data>\r\n ... 0\r\n<trailers>\r\n").
class ChunkDecoder {
 public:
  explicit ChunkDecoder(LineReader& in) : in_(in) {}
  ssize_t read(char* out, size_t n);  // 0 at the end, <0 on malformed input
  bool done() const { return done_; }

 private:
  LineReader& in_;
  uint64_t left_ = 0;
  bool inChunk_ = false;
  bool done_ = false;
};

class HttpConn;

// The body of one request, decoded (including aws-chunked when the request
// declares it). read() returns 0 at the end.
class BodyReader : public BodySource {
 public:
  BodyReader(HttpConn& conn, const HttpRequest& req);
  long read(char* out, unsigned long n) override;
  void limitRate(uint64_t bytesPerSec) override;
  bool finished() const { return finished_; }
  // Declared decoded length, or -1 when unknown (chunked without a hint).
  int64_t declaredLength() const { return declared_; }
  bool drain();  // reads and discards the rest; false on error
  uint64_t consumed() const { return consumed_; }
  // True when the client waits for "100 Continue" that was never sent (so it
  // has not sent the body and the connection can be closed cleanly).
  bool awaitingContinue() const { return expectContinue_ && !continueSent_; }

 private:
  ssize_t readRaw(char* out, size_t n);
  HttpConn& conn_;
  bool chunked_ = false;
  uint64_t remaining_ = 0;
  std::unique_ptr<ChunkDecoder> httpChunks_;
  std::unique_ptr<LineReader> awsLines_;
  std::unique_ptr<ChunkDecoder> awsChunks_;
  int64_t declared_ = 0;
  bool finished_ = false;
  bool continueSent_ = false;
  uint64_t consumed_ = 0;
  uint64_t rate_ = 0;      // bytes/s, 0 = unlimited
  uint64_t paceBase_ = 0;  // consumed_ when pacing started
  std::chrono::steady_clock::time_point paceStart_{};
  bool expectContinue_ = false;
};

class HttpConn {
 public:
  explicit HttpConn(int fd, std::string peer);
  ~HttpConn();
  HttpConn(const HttpConn&) = delete;
  HttpConn& operator=(const HttpConn&) = delete;

  // Reads the next request head; false on EOF, timeout or a malformed head
  // (a 400 is sent for the latter).
  bool readRequest(HttpRequest* req);
  // Writes the response with the given faults; returns the body bytes sent.
  // false when the connection must be closed afterwards.
  bool writeResponse(const HttpResponse& resp, const FaultPlan& faults, uint64_t* bodyBytesSent);
  void sendContinue();
  LineReader& reader() { return reader_; }
  int fd() const { return fd_; }
  void shutdownNow();

 private:
  bool sendAll(const char* data, size_t n);
  bool sendBody(const HttpResponse& resp, uint64_t length, const FaultPlan& faults, uint64_t* sent);
  // Sends body bytes [offset, offset + n), across slices.
  bool sendBodyChunk(const HttpResponse& resp, uint64_t offset, uint64_t n);
  bool sendSlice(const BodySlice& slice, uint64_t offset, uint64_t n);
  void abortConnection(bool reset);

  int fd_;
  std::string peer_;
  LineReader reader_;
};

}  // namespace ossvp::ossemu
