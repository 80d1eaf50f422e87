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

nlohmann::json metaToJson(const ObjectMeta& m) {
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
          {"path", m.path},
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
  m.path = j.value("path", std::string());
  m.external = j.value("external", false);
  return m;
}

std::string hexUpper(const std::string& raw) { return hexEncode(raw, HexCase::Upper); }

}  // namespace ossvp::ossemu
