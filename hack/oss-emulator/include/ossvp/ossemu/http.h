// HttpRequest / HttpResponse: the emulator's view of one HTTP/1.1 exchange.
// A request carries the raw target, the raw (percent-encoded) path, the
// decoded query in wire order, and headers with lowercased names. A response
// carries status, headers and a body: a string, or object data as a list of
// slices sent in order, each a byte range of a shared in-memory blob or of an
// open file (sent with sendfile); a multipart object's body has one slice per
// part the range covers.
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

// An open file descriptor, closed when its last holder lets go (an object's
// data file stays readable after a delete unlinks it).
struct OpenFile {
  explicit OpenFile(int f) : fd(f) {}
  ~OpenFile();
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  const int fd;
};

// One piece of a response body: a byte range of an open file or of a blob.
struct BodySlice {
  std::shared_ptr<const OpenFile> file;     // sent with sendfile(2)
  std::shared_ptr<const std::string> blob;  // when there is no file
  uint64_t offset = 0;                      // into the file or blob
  uint64_t length = 0;
};

struct HttpResponse {
  int status = 200;
  KeyValues headers;
  std::string body;               // used when there are no slices
  std::vector<BodySlice> slices;  // object data, in order
  bool headOnly = false;          // HEAD: headers only
  bool closeAfter = false;

  void setHeader(std::string_view name, std::string value);
  const std::string* header(std::string_view name) const;  // case-insensitive
  uint64_t contentLength() const;
  // The slice holding body byte *pos (slices.size() past the end); *pos
  // becomes the offset within that slice's range.
  size_t sliceAt(uint64_t* pos) const;
  // Copies up to n body bytes from pos on (at most one slice's worth);
  // returns the count, 0 at the end, -1 when a file read fails or comes up short.
  long readBody(uint64_t pos, char* out, size_t n) const;
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
