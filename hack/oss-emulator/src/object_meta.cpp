#include "ossvp/ossemu/object_meta.h"

#include "ossvp/common/hex.h"

namespace ossvp::ossemu {

namespace {
nlohmann::json kvToJson(const KeyValues& kvs) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& [k, v] : kvs) a.push_back({k, v});
  return a;
}
KeyValues kvFromJson(const nlohmann::json& j) {
  KeyValues out;
  if (!j.is_array()) return out;
  for (const auto& e : j) out.emplace_back(e.at(0).get<std::string>(), e.at(1).get<std::string>());
  return out;
}
}  // namespace

const std::vector<DataSegment>& ObjectMeta::dataSegments() const {
  static const std::vector<DataSegment> kNone;
  return segments ? *segments : kNone;
}

nlohmann::json metaToJson(const ObjectMeta& m) {
  nlohmann::json segments = nlohmann::json::array();
  for (const DataSegment& s : m.dataSegments()) segments.push_back({{"path", s.path}, {"size", s.size}});
  return {{"key", m.key},
          {"size", m.size},
          {"etag", m.etag},
          {"crc64", std::to_string(m.crc64)},
          {"mtime", m.mtime},
          {"content_type", m.contentType},
          {"content_md5", m.contentMd5},
          {"type", m.type},
          {"storage_class", m.storageClass},
          {"user_meta", kvToJson(m.userMeta)},
          {"extra_headers", kvToJson(m.extraHeaders)},
          {"segments", std::move(segments)},
          {"external", m.external}};
}

ObjectMeta metaFromJson(const nlohmann::json& j) {
  ObjectMeta m;
  m.key = j.at("key").get<std::string>();
  m.size = j.at("size").get<uint64_t>();
  m.etag = j.at("etag").get<std::string>();
  m.crc64 = std::stoull(j.at("crc64").get<std::string>());
  m.mtime = j.at("mtime").get<int64_t>();
  m.contentType = j.value("content_type", m.contentType);
  m.contentMd5 = j.value("content_md5", std::string());
  m.type = j.value("type", m.type);
  m.storageClass = j.value("storage_class", m.storageClass);
  m.userMeta = kvFromJson(j.value("user_meta", nlohmann::json::array()));
  m.extraHeaders = kvFromJson(j.value("extra_headers", nlohmann::json::array()));
  m.external = j.value("external", false);
  std::vector<DataSegment> segments;
  if (j.contains("segments")) {
    for (const auto& s : j.at("segments")) {
      segments.push_back(DataSegment{s.at("path").get<std::string>(), nullptr, s.at("size").get<uint64_t>()});
    }
  } else if (std::string path = j.value("path", std::string()); !path.empty()) {
    segments.push_back(DataSegment{path, nullptr, m.size});  // an index entry written before segments
  }
  m.segments = std::make_shared<const std::vector<DataSegment>>(std::move(segments));
  return m;
}

std::string hexUpper(const std::string& raw) { return hexEncode(raw, HexCase::Upper); }

}  // namespace ossvp::ossemu
