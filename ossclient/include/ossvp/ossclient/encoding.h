// The one RFC 3986 percent-encoder used for OSS paths, queries and signing
// (unreserved A-Z a-z 0-9 - . _ ~ stay literal, everything else %XX upper
// case, space is %20), its decoder, and base64 / hex helpers.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ossvp::ossclient {

// keepSlash: '/' stays literal (object paths); otherwise it becomes %2F.
std::string uriEncode(std::string_view raw, bool keepSlash);
// Decodes %XX (malformed escapes are kept literally). '+' becomes a space only
// when plusAsSpace (form bodies); OSS list responses keep '+' literal.
std::string uriDecode(std::string_view encoded, bool plusAsSpace = false);

std::string base64Encode(std::string_view bytes);
std::optional<std::string> base64Decode(std::string_view text);
std::string hexEncode(std::string_view bytes);  // lower case

std::string sha256Hex(std::string_view data);
std::string hmacSha1(std::string_view key, std::string_view data);    // raw 20 bytes
std::string hmacSha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string md5Base64(std::string_view data);                          // Content-MD5 value

}  // namespace ossvp::ossclient
