// Date formats OSS and S3 use: RFC 1123 ("Wed, 28 Dec 2022 10:27:41 GMT",
// the Date / Last-Modified headers), ISO 8601 basic ("20231216T162057Z",
// x-oss-date / x-amz-date). All UTC, epoch seconds. RFC 3339 (list
// LastModified) is common's: ossvp/common/rfc3339.h.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ossvp::ossclient {

std::string formatRfc1123(int64_t epochSeconds);
std::string formatIso8601Basic(int64_t epochSeconds);  // 20231216T162057Z

std::optional<int64_t> parseRfc1123(std::string_view text);
std::optional<int64_t> parseIso8601Basic(std::string_view text);

}  // namespace ossvp::ossclient
