#include "ossvp/ossemu/list_token.h"

#include "ossvp/common/base64.h"

namespace ossvp::ossemu {
namespace {

constexpr char kKeyField = 0x0a;  // protobuf: field 1, wire type 2 (length-delimited)

void appendVarint(std::string& out, size_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

// Reads a varint at `pos`, advancing it; nullopt when truncated or too long.
std::optional<size_t> readVarint(std::string_view in, size_t& pos) {
  size_t v = 0;
  for (int shift = 0; pos < in.size() && shift < 28; shift += 7) {
    auto byte = static_cast<unsigned char>(in[pos++]);
    v |= static_cast<size_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return v;
  }
  return std::nullopt;
}

}  // namespace

std::string encodeListToken(std::string_view key) {
  std::string envelope(1, kKeyField);
  appendVarint(envelope, key.size());
  envelope += key;
  return base64UrlEncode(envelope);
}

std::optional<std::string> decodeListToken(std::string_view token) {
  std::optional<std::string> envelope = base64UrlDecode(token);
  if (!envelope || envelope->empty() || (*envelope)[0] != kKeyField) return std::nullopt;
  size_t pos = 1;
  std::optional<size_t> len = readVarint(*envelope, pos);
  if (!len || *len != envelope->size() - pos) return std::nullopt;
  return envelope->substr(pos);
}

}  // namespace ossvp::ossemu
