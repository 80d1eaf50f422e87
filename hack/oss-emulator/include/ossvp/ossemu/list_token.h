// ListObjectsV2 continuation tokens: opaque strings that name the key a
// listing continues after. Like real OSS tokens ("CgJiYw--"), they are a
// small protobuf-style envelope (field 1, length-delimited: the key) in
// base64url without padding, so they consist of unreserved URL characters
// only: clients may send them escaped or not, sign them as they appear in
// the URL or decoded, and encoding-type=url leaves them unchanged.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ossvp::ossemu {

// The token for a listing that continues after `key`.
std::string encodeListToken(std::string_view key);
// The key a token continues after; nullopt if `token` was not made by
// encodeListToken (a client's typo or a token of another service).
std::optional<std::string> decodeListToken(std::string_view token);

}  // namespace ossvp::ossemu
