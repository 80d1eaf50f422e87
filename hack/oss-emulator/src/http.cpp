#include "ossvp/ossemu/http.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "ossvp/common/percent_encoding.h"

namespace ossvp::ossemu {
namespace {

const std::string* findKv(const KeyValues& kvs, std::string_view name) {
  for (const auto& [k, v] : kvs) {
    if (k == name) return &v;
  }
  return nullptr;
}

}  // namespace

const std::string* HttpRequest::header(std::string_view lowerName) const { return findKv(headers, lowerName); }

std::string HttpRequest::headerOr(std::string_view lowerName, std::string_view fallback) const {
  const std::string* v = header(lowerName);
  return v ? *v : std::string(fallback);
}

bool HttpRequest::hasQuery(std::string_view name) const { return findKv(query, name) != nullptr; }
const std::string* HttpRequest::queryValue(std::string_view name) const { return findKv(query, name); }

std::string HttpRequest::queryOr(std::string_view name, std::string_view fallback) const {
  const std::string* v = queryValue(name);
  return v ? *v : std::string(fallback);
}

bool HttpRequest::keepAlive() const {
  std::string conn = toLower(headerOr("connection"));
  if (versionMinor == 0) return conn.find("keep-alive") != std::string::npos;
  return conn.find("close") == std::string::npos;
}

OpenFile::~OpenFile() {
  if (fd >= 0) ::close(fd);
}

uint64_t HttpResponse::contentLength() const {
  if (slices.empty()) return body.size();
  uint64_t n = 0;
  for (const BodySlice& s : slices) n += s.length;
  return n;
}

size_t HttpResponse::sliceAt(uint64_t* pos) const {
  size_t i = 0;
  while (i < slices.size() && *pos >= slices[i].length) *pos -= slices[i++].length;
  return i;
}

long HttpResponse::readBody(uint64_t pos, char* out, size_t n) const {
  if (slices.empty()) {
    if (pos >= body.size()) return 0;
    size_t k = std::min<size_t>(n, body.size() - pos);
    std::memcpy(out, body.data() + pos, k);
    return static_cast<long>(k);
  }
  size_t i = sliceAt(&pos);
  if (i == slices.size()) return 0;
  const BodySlice& s = slices[i];
  size_t k = static_cast<size_t>(std::min<uint64_t>(n, s.length - pos));
  if (!s.file) {
    std::memcpy(out, s.blob->data() + s.offset + pos, k);
    return static_cast<long>(k);
  }
  for (;;) {
    ssize_t got = ::pread(s.file->fd, out, k, static_cast<off_t>(s.offset + pos));
    if (got < 0 && errno == EINTR) continue;
    return got > 0 ? static_cast<long>(got) : -1;
  }
}

void HttpResponse::setHeader(std::string_view name, std::string value) {
  for (auto& [k, v] : headers) {
    if (toLower(k) == toLower(name)) {
      v = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::string(name), std::move(value));
}

const std::string* HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (toLower(k) == toLower(name)) return &v;
  }
  return nullptr;
}

KeyValues parseQuery(std::string_view raw) {
  KeyValues out;
  size_t pos = 0;
  while (pos <= raw.size() && !raw.empty()) {
    size_t amp = raw.find('&', pos);
    if (amp == std::string_view::npos) amp = raw.size();
    std::string_view part = raw.substr(pos, amp - pos);
    if (!part.empty()) {
      size_t eq = part.find('=');
      if (eq == std::string_view::npos) {
        out.emplace_back(percentDecode(part), "");
      } else {
        out.emplace_back(percentDecode(part.substr(0, eq)), percentDecode(part.substr(eq + 1)));
      }
    }
    pos = amp + 1;
  }
  return out;
}

std::string toLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return std::string(s.substr(b, e - b));
}

namespace {
std::string formatUtc(int64_t unixSeconds, const char* format) {
  time_t t = static_cast<time_t>(unixSeconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}
}  // namespace

std::string httpDate(int64_t unixSeconds) { return formatUtc(unixSeconds, "%a, %d %b %Y %H:%M:%S GMT"); }

namespace {
std::optional<int64_t> parseWith(std::string_view s, const char* fmt) {
  std::tm tm{};
  std::string copy(s);
  const char* end = strptime(copy.c_str(), fmt, &tm);
  if (end == nullptr) return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}
}  // namespace

std::optional<int64_t> parseHttpDate(std::string_view s) {
  if (auto v = parseWith(s, "%a, %d %b %Y %H:%M:%S GMT")) return v;
  if (auto v = parseWith(s, "%A, %d-%b-%y %H:%M:%S GMT")) return v;
  return parseWith(s, "%a %b %d %H:%M:%S %Y");
}

std::optional<int64_t> parseIsoBasic(std::string_view s) { return parseWith(s, "%Y%m%dT%H%M%SZ"); }

}  // namespace ossvp::ossemu
