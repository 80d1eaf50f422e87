// Digests and MACs of request signing (SHA-256 hex, HMAC-SHA1/SHA256,
// Content-MD5) and lower-case hex. Percent-encoding and base64 are common's
// (ossvp/common/percent_encoding.h, ossvp/common/base64.h).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace ossvp::ossclient {

std::string hexEncode(std::string_view bytes);  // lower case

std::string sha256Hex(std::string_view data);
std::string hmacSha1(std::string_view key, std::string_view data);    // raw 20 bytes
std::string hmacSha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string md5Base64(std::string_view data);                         // Content-MD5 value

}  // namespace ossvp::ossclient
