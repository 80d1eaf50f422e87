// Maps object keys under a prefix to relative paths inside the target, and
// rejects keys that cannot safely be files: ".." or "." segments, empty
// segments ("a//b", a leading "/"), names over 255 bytes, paths over the
// PATH_MAX budget, the populator's reserved state directory, and a key that is
// both a file and a prefix of other keys ("a/b" next to "a/b/c"). A mapped
// path is a list of plain names, so joining it under the target can never
// leave the target (TargetTree additionally refuses symlinks).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ossvp/populator/object_source.h"

namespace ossvp::populator {

// The directory inside the target that holds resume state and temp files.
inline constexpr std::string_view kStateDirName = ".ossvp-populator";

struct MappedEntry {
  SourceObject object;
  std::vector<std::string> components;  // relative path, one name per element; never empty
  bool isDirectory = false;             // a "dir/" marker object

  std::string relativePath() const;  // components joined with '/'
};

struct RejectedKey {
  std::string key;
  std::string reason;  // what is wrong, in words a user understands
};

struct KeyMapping {
  std::vector<MappedEntry> files;
  std::vector<MappedEntry> directories;
  std::vector<RejectedKey> rejected;
  uint64_t fileBytes = 0;  // sum of the sizes of `files`
};

// `maxRelativePath` is the longest relative path the target allows (PATH_MAX
// minus the target path and a separator).
KeyMapping mapKeys(std::string_view prefix, const std::vector<SourceObject>& objects, size_t maxRelativePath = 4000);

}  // namespace ossvp::populator
