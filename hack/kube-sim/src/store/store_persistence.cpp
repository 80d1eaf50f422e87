#include "store/store_persistence.h"

#include <filesystem>
#include <fstream>

#include "ossvp/common/log.h"
#include "store/object_meta.h"

namespace ossvp::kubesim {
namespace {

std::filesystem::path snapshotFile(const std::string& stateDir) {
  return std::filesystem::path(stateDir) / "store.json";
}

}  // namespace

std::optional<StoreSnapshot> readStoreSnapshot(const std::string& stateDir) {
  std::filesystem::path file = snapshotFile(stateDir);
  std::ifstream in(file);
  if (!in) return std::nullopt;
  try {
    json snap = json::parse(in);
    StoreSnapshot out;
    out.resourceVersion = snap.value("resourceVersion", uint64_t{1});
    for (auto& [key, items] : snap["objects"].items()) {
      for (auto& obj : items) {
        out.objects[key][{objmeta::metaStr(obj, "namespace"), objmeta::metaStr(obj, "name")}] =
            std::make_shared<const json>(obj);
      }
    }
    logInfo("kube-sim: loaded {} resource types from {} (resourceVersion {})", out.objects.size(), file.string(),
            out.resourceVersion);
    return out;
  } catch (const std::exception& e) {
    logError("kube-sim: ignoring unreadable state file {}: {} (delete it to start empty)", file.string(), e.what());
    return std::nullopt;
  }
}

void writeStoreSnapshot(const std::string& stateDir, uint64_t rv, const std::vector<SnapshotPart>& all) {
  // Same document as {"resourceVersion": rv, "objects": {key: [objects]}}, written piecewise.
  std::string text = "{\"objects\":{";
  for (size_t k = 0; k < all.size(); k++) {
    if (k > 0) text += ',';
    text += json(all[k].first).dump();
    text += ":[";
    for (size_t i = 0; i < all[k].second.size(); i++) {
      if (i > 0) text += ',';
      text += all[k].second[i]->dump();
    }
    text += ']';
  }
  text += "},\"resourceVersion\":" + std::to_string(rv) + "}";
  std::filesystem::create_directories(stateDir);
  std::filesystem::path file = snapshotFile(stateDir);
  std::filesystem::path tmp = file;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) logError("kube-sim: cannot write state file {}: {}", file.string(), ec.message());
}

}  // namespace ossvp::kubesim
