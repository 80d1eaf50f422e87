// RFC 3339 timestamps, the one formatter and parser of the project: Kubernetes
// Time ("2021-10-20T04:27:09Z") and MicroTime ("...:09.123456Z"), OSS
// LastModified and CreationDate ("...:09.000Z"), the OpenAPI RPC and STS
// Timestamp and Expiration, and log lines ("...:09.123Z").
//
// Formatting always writes UTC with 'Z'. Parsing accepts what RFC 3339's
// date-time grammar allows: 'T' or 't', an optional fraction of any length
// (kept to the clock's resolution), 'Z', 'z' or a numeric offset ("+08:00"),
// and rejects anything else, including trailing characters and dates that do
// not exist.
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ossvp {

// Digits of the second's fraction written by formatRfc3339: none, 3, or 6.
enum class Rfc3339Fraction { kNone, kMillis, kMicros };

// The fraction is truncated, never rounded up into the next second.
std::string formatRfc3339(std::chrono::system_clock::time_point t, Rfc3339Fraction fraction = Rfc3339Fraction::kNone);
std::string formatRfc3339(int64_t unixSeconds, Rfc3339Fraction fraction = Rfc3339Fraction::kNone);

// nullopt when `text` is not an RFC 3339 date-time, or lies outside the years
// 1678..2261 that system_clock's 64-bit nanosecond count can hold.
std::optional<std::chrono::system_clock::time_point> parseRfc3339(std::string_view text);
// parseRfc3339 in whole seconds since the epoch (the fraction floored).
std::optional<int64_t> parseRfc3339Seconds(std::string_view text);

}  // namespace ossvp
