// Base64 (RFC 4648), the one codec of the project, on OpenSSL's EVP block
// functions: the standard alphabet with padding (Content-MD5, OSS V1
// signatures, x-oss-err, Kubernetes Secret data, kubeconfig *-data fields)
// and the URL-safe alphabet without padding (JWTs, opaque list tokens).
//
// Decoding is strict: a character outside the alphabet, a length that no
// encoder produces, or padding anywhere but at the end gives nullopt.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ossvp {

// Standard alphabet (+ /), padded with '=' to a multiple of 4.
std::string base64Encode(std::string_view bytes);
// The inverse of base64Encode. Line breaks and spaces (MIME, PEM-style
// wrapping) are skipped; padding is required.
std::optional<std::string> base64Decode(std::string_view text);

// URL-safe alphabet (- _), no padding (RFC 4648 §5, RFC 7515 JWS).
std::string base64UrlEncode(std::string_view bytes);
// The inverse of base64UrlEncode: '+', '/' and '=' are rejected.
std::optional<std::string> base64UrlDecode(std::string_view text);

}  // namespace ossvp
