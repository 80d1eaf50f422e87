#include "http_conn.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace ossvp::ossemu {

// ---------------------------------------------------------------- LineReader

bool LineReader::fill() {
  if (pos_ > 0 && pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  }
  char tmp[64 * 1024];
  ssize_t n = raw_(tmp, sizeof tmp);
  if (n <= 0) return false;
  buf_.append(tmp, static_cast<size_t>(n));
  return true;
}

ssize_t LineReader::readSome(char* out, size_t n) {
  if (pos_ < buf_.size()) {
    size_t k = std::min(n, buf_.size() - pos_);
    std::memcpy(out, buf_.data() + pos_, k);
    pos_ += k;
    return static_cast<ssize_t>(k);
  }
  return raw_(out, n);
}

bool LineReader::readLine(std::string* line, size_t maxLen) {
  for (;;) {
    size_t nl = buf_.find('\n', pos_);
    if (nl != std::string::npos) {
      size_t end = nl;
      if (end > pos_ && buf_[end - 1] == '\r') --end;
      line->assign(buf_, pos_, end - pos_);
      pos_ = nl + 1;
      return true;
    }
    if (buf_.size() - pos_ > maxLen) return false;
    if (pos_ > 0) {
      buf_.erase(0, pos_);
      pos_ = 0;
    }
    if (!fill()) return false;
  }
}

// -------------------------------------------------------------- ChunkDecoder

ssize_t ChunkDecoder::read(char* out, size_t n) {
  if (done_) return 0;
  if (!inChunk_) {
    std::string line;
    if (!in_.readLine(&line, 4096)) return -1;
    size_t semi = line.find(';');
    std::string hex = trim(line.substr(0, semi));
    if (hex.empty()) return -1;
    char* end = nullptr;
    left_ = std::strtoull(hex.c_str(), &end, 16);
    if (end == nullptr || *end != '\0') return -1;
    if (left_ == 0) {
      // Trailers until an empty line.
      for (;;) {
        if (!in_.readLine(&line, 8192)) return -1;
        if (line.empty()) break;
      }
      done_ = true;
      return 0;
    }
    inChunk_ = true;
  }
  size_t want = static_cast<size_t>(std::min<uint64_t>(n, left_));
  ssize_t got = in_.readSome(out, want);
  if (got <= 0) return -1;
  left_ -= static_cast<uint64_t>(got);
  if (left_ == 0) {
    std::string crlf;
    if (!in_.readLine(&crlf, 16) || !crlf.empty()) return -1;
    inChunk_ = false;
  }
  return got;
}

// ---------------------------------------------------------------- BodyReader

BodyReader::BodyReader(HttpConn& conn, const HttpRequest& req) : conn_(conn) {
  std::string te = toLower(req.headerOr("transfer-encoding"));
  chunked_ = te.find("chunked") != std::string::npos;
  if (chunked_) {
    httpChunks_ = std::make_unique<ChunkDecoder>(conn_.reader());
    declared_ = -1;
  } else {
    remaining_ = std::strtoull(req.headerOr("content-length", "0").c_str(), nullptr, 10);
    declared_ = static_cast<int64_t>(remaining_);
  }
  expectContinue_ = toLower(req.headerOr("expect")) == "100-continue";
  std::string ce = toLower(req.headerOr("content-encoding"));
  std::string sha = req.headerOr("x-amz-content-sha256");
  if (ce.find("aws-chunked") != std::string::npos || sha.rfind("STREAMING-", 0) == 0) {
    awsLines_ = std::make_unique<LineReader>([this](char* b, size_t k) { return readRaw(b, k); });
    awsChunks_ = std::make_unique<ChunkDecoder>(*awsLines_);
    const std::string* dl = req.header("x-amz-decoded-content-length");
    declared_ = dl ? static_cast<int64_t>(std::strtoull(dl->c_str(), nullptr, 10)) : -1;
  }
  if (!chunked_ && remaining_ == 0) finished_ = awsChunks_ == nullptr;
}

ssize_t BodyReader::readRaw(char* out, size_t n) {
  if (expectContinue_ && !continueSent_) {
    conn_.sendContinue();
    continueSent_ = true;
  }
  if (chunked_) return httpChunks_->read(out, n);
  if (remaining_ == 0) return 0;
  ssize_t got = conn_.reader().readSome(out, static_cast<size_t>(std::min<uint64_t>(n, remaining_)));
  if (got <= 0) return -1;
  remaining_ -= static_cast<uint64_t>(got);
  return got;
}

void BodyReader::limitRate(uint64_t bytesPerSec) {
  rate_ = bytesPerSec;
  paceBase_ = consumed_;
  paceStart_ = std::chrono::steady_clock::now();
}

long BodyReader::read(char* out, unsigned long n) {
  if (finished_) return 0;
  // Paced in steps of 1/50 s of the rate, so the socket's receive window
  // fills and the sender sees the link's rate, not bursts.
  if (rate_ > 0) n = std::min<unsigned long>(n, std::max<uint64_t>(16 * 1024, rate_ / 50));
  ssize_t got = awsChunks_ ? awsChunks_->read(out, n) : readRaw(out, n);
  if (got == 0) finished_ = true;
  if (got < 0) return -1;
  consumed_ += static_cast<uint64_t>(got);
  if (rate_ > 0 && got > 0) {
    std::this_thread::sleep_until(paceStart_ + std::chrono::microseconds((consumed_ - paceBase_) * 1000000 / rate_));
  }
  return got;
}

bool BodyReader::drain() {
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = read(buf, sizeof buf);
    if (n == 0) return true;
    if (n < 0) return false;
  }
}

// ------------------------------------------------------------------ HttpConn

HttpConn::HttpConn(int fd, std::string peer)
    : fd_(fd), peer_(std::move(peer)), reader_([fd](char* b, size_t n) {
        for (;;) {
          ssize_t r = ::recv(fd, b, n, 0);
          if (r < 0 && errno == EINTR) continue;
          return r;
        }
      }) {
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval tv{300, 0};  // idle keep-alive / stuck-client limit
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

HttpConn::~HttpConn() {
  if (fd_ >= 0) ::close(fd_);
}

void HttpConn::shutdownNow() { ::shutdown(fd_, SHUT_RDWR); }

bool HttpConn::readRequest(HttpRequest* req) {
  *req = HttpRequest{};
  req->peer = peer_;
  std::string line;
  do {  // tolerate stray CRLF between requests
    if (!reader_.readLine(&line, 16 * 1024)) return false;
  } while (line.empty());
  size_t s1 = line.find(' ');
  size_t s2 = line.rfind(' ');
  if (s1 == std::string::npos || s2 == s1 || line.compare(s2 + 1, 7, "HTTP/1.") != 0) {
    static const char kBad[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    sendAll(kBad, sizeof kBad - 1);
    return false;
  }
  req->method = line.substr(0, s1);
  req->target = line.substr(s1 + 1, s2 - s1 - 1);
  req->versionMinor = line.back() == '0' ? 0 : 1;
  size_t total = 0;
  for (;;) {
    if (!reader_.readLine(&line, 64 * 1024)) return false;
    if (line.empty()) break;
    total += line.size();
    if (total > 256 * 1024) return false;
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    req->headers.emplace_back(toLower(trim(line.substr(0, colon))), trim(line.substr(colon + 1)));
  }
  std::string target = req->target;
  if (target.rfind("http://", 0) == 0 || target.rfind("https://", 0) == 0) {  // absolute form
    size_t slash = target.find('/', target.find("//") + 2);
    target = slash == std::string::npos ? "/" : target.substr(slash);
  }
  size_t q = target.find('?');
  req->rawPath = target.substr(0, q);
  if (q != std::string::npos) req->rawQuery = target.substr(q + 1);
  req->query = parseQuery(req->rawQuery);
  return true;
}

void HttpConn::sendContinue() {
  static const char k100[] = "HTTP/1.1 100 Continue\r\n\r\n";
  sendAll(k100, sizeof k100 - 1);
}

bool HttpConn::sendAll(const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd_, data, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

bool HttpConn::sendSlice(const BodySlice& slice, uint64_t offset, uint64_t n) {
  if (!slice.file) return sendAll(slice.blob->data() + slice.offset + offset, static_cast<size_t>(n));
  off_t off = static_cast<off_t>(slice.offset + offset);
  while (n > 0) {
    ssize_t w = ::sendfile(fd_, slice.file->fd, &off, static_cast<size_t>(std::min<uint64_t>(n, 1u << 30)));
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (w == 0) return false;  // file shrank under us
    n -= static_cast<uint64_t>(w);
  }
  return true;
}

bool HttpConn::sendBodyChunk(const HttpResponse& resp, uint64_t offset, uint64_t n) {
  if (resp.slices.empty()) return sendAll(resp.body.data() + offset, static_cast<size_t>(n));
  for (size_t i = resp.sliceAt(&offset); n > 0; ++i, offset = 0) {
    if (i == resp.slices.size()) return false;
    uint64_t k = std::min(n, resp.slices[i].length - offset);
    if (!sendSlice(resp.slices[i], offset, k)) return false;
    n -= k;
  }
  return true;
}

void HttpConn::abortConnection(bool reset) {
  if (reset) {
    linger lg{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  }
  ::shutdown(fd_, reset ? SHUT_RDWR : SHUT_WR);
}

bool HttpConn::sendBody(const HttpResponse& resp, uint64_t length, const FaultPlan& faults, uint64_t* sent) {
  uint64_t faultAt = faults.bodyFault == BodyFault::None ? length : length / 2;
  uint64_t pos = 0;
  auto start = std::chrono::steady_clock::now();
  uint64_t step = length;
  if (faults.bandwidthBytesPerSec > 0) {
    step = std::max<uint64_t>(16 * 1024, faults.bandwidthBytesPerSec / 50);
  }
  auto sendRange = [&](uint64_t until) {
    while (pos < until) {
      uint64_t n = std::min(step, until - pos);
      if (!sendBodyChunk(resp, pos, n)) return false;
      pos += n;
      *sent = pos;
      if (faults.bandwidthBytesPerSec > 0) {
        auto due = start + std::chrono::microseconds(pos * 1000000 / faults.bandwidthBytesPerSec);
        std::this_thread::sleep_until(due);
      }
    }
    return true;
  };
  if (!sendRange(faultAt)) return false;
  switch (faults.bodyFault) {
    case BodyFault::None: return true;
    case BodyFault::Reset: abortConnection(true); return false;
    case BodyFault::Truncate: abortConnection(false); return false;
    case BodyFault::Stall:
      std::this_thread::sleep_for(std::chrono::milliseconds(faults.stallMs));
      start = std::chrono::steady_clock::now() -
              std::chrono::microseconds(faults.bandwidthBytesPerSec ? pos * 1000000 / faults.bandwidthBytesPerSec : 0);
      return sendRange(length);
  }
  return true;
}

bool HttpConn::writeResponse(const HttpResponse& resp, const FaultPlan& faults, uint64_t* bodyBytesSent) {
  *bodyBytesSent = 0;
  if (faults.firstByteLatencyMs > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(faults.firstByteLatencyMs));
  }
  std::string head = "HTTP/1.1 " + std::to_string(resp.status) + " ";
  switch (resp.status) {
    case 200: head += "OK"; break;
    case 204: head += "No Content"; break;
    case 206: head += "Partial Content"; break;
    case 304: head += "Not Modified"; break;
    case 400: head += "Bad Request"; break;
    case 401: head += "Unauthorized"; break;
    case 403: head += "Forbidden"; break;
    case 404: head += "Not Found"; break;
    case 405: head += "Method Not Allowed"; break;
    case 409: head += "Conflict"; break;
    case 411: head += "Length Required"; break;
    case 412: head += "Precondition Failed"; break;
    case 416: head += "Requested Range Not Satisfiable"; break;
    case 500: head += "Internal Server Error"; break;
    case 501: head += "Not Implemented"; break;
    case 503: head += "Service Unavailable"; break;
    default: head += "Status"; break;
  }
  head += "\r\n";
  uint64_t length = resp.contentLength();
  bool hasLength = false;
  for (const auto& [k, v] : resp.headers) {
    if (toLower(k) == "content-length") hasLength = true;
    head += k + ": " + v + "\r\n";
  }
  if (!hasLength && resp.status != 304 && resp.status != 204) {
    head += "Content-Length: " + std::to_string(length) + "\r\n";
  }
  if (resp.closeAfter) head += "Connection: close\r\n";
  head += "\r\n";
  bool withBody = !resp.headOnly && resp.status != 304 && resp.status != 204 && length > 0;
  if (!withBody) return sendAll(head.data(), head.size()) && !resp.closeAfter;
  if (resp.slices.empty() && faults.bodyFault == BodyFault::None && faults.bandwidthBytesPerSec == 0) {
    head += resp.body;
    bool ok = sendAll(head.data(), head.size());
    if (ok) *bodyBytesSent = length;
    return ok && !resp.closeAfter;
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_CORK, &one, sizeof one);
  bool ok = sendAll(head.data(), head.size()) && sendBody(resp, length, faults, bodyBytesSent);
  int zero = 0;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_CORK, &zero, sizeof zero);
  return ok && !resp.closeAfter;
}

}  // namespace ossvp::ossemu
