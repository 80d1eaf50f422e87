#include "ossvp/populator/key_mapper.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include <spdlog/fmt/fmt.h>

namespace ossvp::populator {

std::string MappedEntry::relativePath() const {
  std::string out;
  for (const auto& c : components) {
    if (!out.empty()) out.push_back('/');
    out += c;
  }
  return out;
}

namespace {

constexpr size_t kNameMax = 255;

// Splits `rel` and returns an empty string when every segment is a safe name,
// or the reason it is not.
std::string splitSafe(std::string_view rel, std::vector<std::string>* out) {
  size_t start = 0;
  while (true) {
    size_t slash = rel.find('/', start);
    std::string_view seg = rel.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg.empty())
      return "has an empty path segment ('//' or a leading '/'): it would be an absolute or ambiguous path";
    if (seg == "..") return "has a '..' segment: it would point outside the target";
    if (seg == ".") return "has a '.' segment: not a valid file name";
    if (seg.size() > kNameMax) {
      return fmt::format("has a name of {} bytes: file systems allow at most {} bytes per name", seg.size(), kNameMax);
    }
    if (seg.find('\0') != std::string_view::npos) return "contains a NUL byte";
    out->emplace_back(seg);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return {};
}

}  // namespace

KeyMapping mapKeys(std::string_view prefix, const std::vector<SourceObject>& objects, size_t maxRelativePath) {
  KeyMapping m;
  std::vector<MappedEntry> files;
  for (const auto& obj : objects) {
    std::string_view key = obj.key;
    if (key.substr(0, prefix.size()) != prefix) {
      m.rejected.push_back({obj.key, fmt::format("is not under the path prefix '{}'", prefix)});
      continue;
    }
    std::string_view rel = key.substr(prefix.size());
    if (rel.empty()) continue;  // the prefix's own "dir/" marker: the target itself
    MappedEntry e;
    e.object = obj;
    e.isDirectory = rel.back() == '/';
    if (e.isDirectory) rel.remove_suffix(1);
    if (rel.size() > maxRelativePath) {
      m.rejected.push_back({obj.key, fmt::format("maps to a path of {} bytes: the target allows at most {}", rel.size(),
                                                 maxRelativePath)});
      continue;
    }
    std::string why = splitSafe(rel, &e.components);
    if (why.empty() && e.components.front() == kStateDirName) {
      why = fmt::format("uses the name '{}', reserved for the populator's resume state", kStateDirName);
    }
    if (!why.empty()) {
      m.rejected.push_back({obj.key, why});
      continue;
    }
    (e.isDirectory ? m.directories : files).push_back(std::move(e));
  }

  // Every path that must be a directory: each marker and each ancestor of any entry.
  std::unordered_map<std::string, std::string> dirOwner;  // dir path -> a key that needs it
  auto addAncestors = [&](const MappedEntry& e, bool includeSelf) {
    std::string p;
    size_t n = e.components.size() - (includeSelf ? 0 : 1);
    for (size_t i = 0; i < n; ++i) {
      if (i) p.push_back('/');
      p += e.components[i];
      dirOwner.emplace(p, e.object.key);
    }
  };
  for (const auto& d : m.directories) addAncestors(d, true);
  for (const auto& f : files) addAncestors(f, false);

  for (auto& f : files) {
    auto it = dirOwner.find(f.relativePath());
    if (it != dirOwner.end()) {
      m.rejected.push_back(
          {f.object.key, fmt::format("is both a file and a prefix (key '{}' needs '{}' to be a directory)", it->second,
                                     f.relativePath())});
      continue;
    }
    m.fileBytes += f.object.size;
    m.files.push_back(std::move(f));
  }
  std::sort(m.rejected.begin(), m.rejected.end(),
            [](const RejectedKey& a, const RejectedKey& b) { return a.key < b.key; });
  return m;
}

}  // namespace ossvp::populator
