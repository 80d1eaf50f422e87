// HttpRequest / HttpResponse: the emulator's view of one HTTP/1.1 exchange.
// A request carries the raw target, the raw (percent-encoded) path, the
// decoded query in wire order, and headers with lowercased names. A response
// carries status, headers and exactly one body source: a string, a shared
// in-memory blob, or a byte range of an open file (sent with sendfile).
//
// Thread-safety: plain value types; externally synchronized.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ossvp::ossemu {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;
  std::string target;    // as received, e.g. "/b/k%20x?uploads"
  std::string rawPath;   // percent-encoded path part of target
  std::string rawQuery;  // after '?', not decoded
  KeyValues query;       // decoded (%XX only; '+' stays '+'), wire order
  KeyValues headers;     // names lowercased, values trimmed
  int versionMinor = 1;
  std::string peer;  // "ip:port" of the client

  const std::string* header(std::string_view lowerName) const;
  std::string headerOr(std::string_view lowerName, std::string_view fallback = "") const;
  bool hasQuery(std::string_view name) const;
  const std::string* queryValue(std::string_view name) const;
  std::string queryOr(std::string_view name, std::string_view fallback = "") const;
  bool keepAlive() const;
};

// A request body as a stream: read() returns bytes, 0 at the end, <0 on a
// broken or malformed body.
class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual long read(char* out, unsigned long n) = 0;
  // Paces the rest of the body to at most this many bytes per second, as a
  // link of that capacity would deliver it (0 = unlimited).
  virtual void limitRate(uint64_t /*bytesPerSec*/) {}
};

// A file range to send with sendfile(2); the fd is owned by the holder.
struct FileSlice {
  int fd = -1;
  uint64_t offset = 0;
  ~FileSlice();
};

struct HttpResponse {
  int status = 200;
  KeyValues headers;
  std::string body;                         // used when no blob/file
  std::shared_ptr<const std::string> blob;  // in-memory object data
  std::shared_ptr<FileSlice> file;          // on-disk object data
  uint64_t bodyOffset = 0;                  // into blob/file
  uint64_t bodyLength = 0;                  // for blob/file bodies
  bool headOnly = false;                    // HEAD: headers only
  bool closeAfter = false;

  void setHeader(std::string_view name, std::string value);
  const std::string* header(std::string_view name) const;  // case-insensitive
  uint64_t contentLength() const { return (blob || file) ? bodyLength : body.size(); }
};

// Splits "a=1&b&c=%20" into pairs percent-decoded ('+' left alone).
KeyValues parseQuery(std::string_view raw);

std::string toLower(std::string_view s);
std::string trim(std::string_view s);

// Time formatting: RFC 1123 ("Sun, 06 Nov 1994 08:49:37 GMT"). RFC 3339 is
// common's (ossvp/common/rfc3339.h).
std::string httpDate(int64_t unixSeconds);
std::optional<int64_t> parseHttpDate(std::string_view s);
std::optional<int64_t> parseIsoBasic(std::string_view s);  // 20231216T162057Z

}  // namespace ossvp::ossemu
