// Hex encoding of bytes, the one encoder of the project: lower case for
// request signing (SHA-256 and HMAC digests), upper case for what OSS shows
// in upper case (ETags, request ids).
//
// Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace ossvp {

enum class HexCase { Lower, Upper };

// Two hex digits per byte.
std::string hexEncode(std::string_view bytes, HexCase letters = HexCase::Lower);

}  // namespace ossvp
