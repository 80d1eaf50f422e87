// Parsing of the OSS XML response bodies the client reads (ListObjectsV2,
// InitiateMultipartUpload, CompleteMultipartUpload) and building of the
// CompleteMultipartUpload request body.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ossvp/common/result.h"
#include "ossvp/ossclient/types.h"

namespace ossvp::ossclient {

// <ListBucketResult>; url-decodes keys, prefixes and tokens when EncodingType is "url".
Result<ListPage> parseListObjectsV2(std::string_view body);
// <InitiateMultipartUploadResult> -> UploadId.
Result<std::string> parseInitiateMultipartUpload(std::string_view body);
// <CompleteMultipartUploadResult> -> ETag.
Result<std::string> parseCompleteMultipartUpload(std::string_view body);
// The request body for CompleteMultipartUpload, parts sorted by number.
std::string buildCompleteMultipartXml(std::vector<PartResult> parts);

}  // namespace ossvp::ossclient
