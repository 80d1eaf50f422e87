#include "ossvp/ossemu/list_token.h"

#include "ossvp/ossclient/encoding.h"

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
  std::string token = ossclient::base64Encode(envelope);
  for (char& c : token) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!token.empty() && token.back() == '=') token.pop_back();
  return token;
}

std::optional<std::string> decodeListToken(std::string_view token) {
  std::string b64(token);
  for (char& c : b64) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
    else if (c == '+' || c == '/' || c == '=') return std::nullopt;  // not base64url without padding
  }
  while (b64.size() % 4) b64 += '=';
  std::optional<std::string> envelope = ossclient::base64Decode(b64);
  if (!envelope || envelope->empty() || (*envelope)[0] != kKeyField) return std::nullopt;
  size_t pos = 1;
  std::optional<size_t> len = readVarint(*envelope, pos);
  if (!len || *len != envelope->size() - pos) return std::nullopt;
  return envelope->substr(pos);
}

}  // namespace ossvp::ossemu
