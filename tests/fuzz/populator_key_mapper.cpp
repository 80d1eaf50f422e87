// Fuzz target: the populator's object-key -> target-path mapping
// (populator/include/ossvp/populator/key_mapper.h).
// Input: first line is the path prefix, each further line an object key
// (keys are de-duplicated and sorted, as an OSS listing returns them); a '\t'
// in a line is turned into NUL to reach the NUL check.
// Invariants (the target directory must never be escaped):
//  - every mapped component is a plain name: non-empty, not "." or "..",
//    no '/', no NUL, at most 255 bytes, and the first is not the state dir;
//  - joined under a target directory and normalised lexically (no symlink
//    resolution), every path stays strictly inside it;
//  - every key is either mapped, rejected with a reason, or is the prefix's
//    own marker; no two entries map to the same path; no file is also a
//    directory another entry needs.
#include <filesystem>
#include <set>
#include <unordered_set>

#include "fuzz_util.h"
#include "ossvp/populator/key_mapper.h"

using namespace ossvp::populator;

namespace {

void checkEntry(const MappedEntry& e, size_t maxRel) {
  const std::filesystem::path target = "/target/volume";
  FUZZ_CHECK(!e.components.empty(), "empty mapping for key '" + e.object.key + "'");
  FUZZ_CHECK(e.components.front() != kStateDirName, "state dir reachable via key '" + e.object.key + "'");
  std::filesystem::path joined = target;
  for (const auto& c : e.components) {
    FUZZ_CHECK(!c.empty() && c != "." && c != "..", "unsafe component '" + c + "' of key '" + e.object.key + "'");
    FUZZ_CHECK(c.find('/') == std::string::npos && c.find('\0') == std::string::npos,
               "separator or NUL in component of key '" + e.object.key + "'");
    FUZZ_CHECK(c.size() <= 255, "over-long name in key '" + e.object.key + "'");
    joined /= c;
  }
  FUZZ_CHECK(e.relativePath().size() <= maxRel, "relative path over budget for key '" + e.object.key + "'");
  std::string norm = joined.lexically_normal().string();
  std::string inside = target.string() + "/";
  FUZZ_CHECK(norm.size() > inside.size() && norm.compare(0, inside.size(), inside) == 0,
             "key '" + e.object.key + "' escapes the target: " + norm);
  FUZZ_CHECK(std::filesystem::path(e.relativePath()).is_relative(), "absolute path for key '" + e.object.key + "'");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ossvp::fuzz::FuzzInput in(data, size);
  std::string prefix(in.next());
  std::set<std::string> keys;
  while (!in.empty()) {
    std::string key(in.next());
    for (char& c : key) {
      if (c == '\t') c = '\0';
    }
    keys.insert(std::move(key));
  }
  std::vector<SourceObject> objects;
  for (const auto& k : keys) objects.push_back(SourceObject{k, k.size(), 0, ""});
  size_t maxRel = 64 + (size % 4000);

  KeyMapping m = mapKeys(prefix, objects, maxRel);

  std::unordered_set<std::string> paths, dirs;
  uint64_t bytes = 0;
  size_t markers = 0;
  for (const auto& k : keys) markers += k == prefix;
  for (const auto& d : m.directories) {
    checkEntry(d, maxRel);
    FUZZ_CHECK(d.isDirectory, "directory entry not marked as one");
    dirs.insert(d.relativePath());
  }
  for (const auto& f : m.files) {
    checkEntry(f, maxRel);
    FUZZ_CHECK(!f.isDirectory, "file entry marked as a directory");
    FUZZ_CHECK(paths.insert(f.relativePath()).second, "two files map to " + f.relativePath());
    FUZZ_CHECK(!dirs.count(f.relativePath()), "file and directory both at " + f.relativePath());
    bytes += f.object.size;
  }
  // No file may sit where another entry needs a directory.
  auto checkAncestors = [&](const MappedEntry& e) {
    std::string p;
    for (size_t i = 0; i + 1 < e.components.size(); ++i) {
      p += (i ? "/" : "") + e.components[i];
      FUZZ_CHECK(!paths.count(p), "'" + p + "' is a file but key '" + e.object.key + "' needs it as a directory");
    }
  };
  for (const auto& f : m.files) checkAncestors(f);
  for (const auto& d : m.directories) checkAncestors(d);
  for (const auto& r : m.rejected) FUZZ_CHECK(!r.reason.empty(), "rejection without a reason: " + r.key);
  FUZZ_CHECK(bytes == m.fileBytes, "fileBytes is not the sum of the file sizes");
  FUZZ_CHECK(m.files.size() + m.directories.size() + m.rejected.size() + markers == keys.size(),
             "a key was neither mapped nor rejected");
  return 0;
}
