// ossctl: a small command-line client for debugging OSS access —
// ls | stat | cat | get | put | rm on oss://bucket/key URLs, with the same
// endpoint / region / signature / override / credential handling as every
// ossvp component. Errors print the OSS code and request id.
//
// Thread-safety: runOssctl is called once from main().
#pragma once

#include <string>
#include <string_view>

#include "ossvp/common/result.h"

namespace ossvp::ossclient {

struct OssUrl {
  std::string bucket;
  std::string key;
};
// "oss://bucket/some/key" (also s3://) -> {bucket, key}.
Result<OssUrl> parseOssUrl(std::string_view text);

// Runs the CLI; returns the process exit code (0 ok, 1 failure, 2 usage).
int runOssctl(int argc, char** argv);

}  // namespace ossvp::ossclient
