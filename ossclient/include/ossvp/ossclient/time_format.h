// Date formats OSS and S3 use: RFC 1123 ("Wed, 28 Dec 2022 10:27:41 GMT",
// the Date / Last-Modified headers), ISO 8601 basic ("20231216T162057Z",
// x-oss-date / x-amz-date) and ISO 8601 extended ("2020-05-18T05:45:47.000Z",
// list LastModified and STS Expiration). All UTC, epoch seconds.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ossvp::ossclient {

std::string formatRfc1123(int64_t epochSeconds);
std::string formatIso8601Basic(int64_t epochSeconds);     // 20231216T162057Z
std::string formatIso8601Extended(int64_t epochSeconds);  // 2023-12-16T16:20:57.000Z

std::optional<int64_t> parseRfc1123(std::string_view text);
std::optional<int64_t> parseIso8601Basic(std::string_view text);
// Accepts "2020-05-18T05:45:47Z" and "2020-05-18T05:45:47.000Z".
std::optional<int64_t> parseIso8601Extended(std::string_view text);

}  // namespace ossvp::ossclient
