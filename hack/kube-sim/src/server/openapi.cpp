#include "server/openapi.h"

#include <set>

namespace ossvp::kubesim {
namespace {

using json = nlohmann::json;

std::string gvPathOf(const GVR& g) {
  return g.group.empty() ? "api/" + g.version : "apis/" + g.group + "/" + g.version;
}

std::string schemaName(const ResourceInfo& r) {
  std::string g = r.gvr.group.empty() ? "io.k8s.api.core" : r.gvr.group;
  return g + "." + r.gvr.version + "." + r.kind;
}

}  // namespace

json openApiV3Root(const std::vector<ResourceInfo>& all, uint64_t epoch) {
  json paths = json::object();
  for (const auto& r : all) {
    std::string p = gvPathOf(r.gvr);
    paths[p] = {{"serverRelativeURL", "/openapi/v3/" + p + "?hash=" + std::to_string(epoch)}};
  }
  return {{"paths", paths}};
}

std::optional<json> openApiV3GroupVersion(const std::vector<ResourceInfo>& all, const std::string& gvPath) {
  json paths = json::object();
  json schemas = json::object();
  bool any = false;
  for (const auto& r : all) {
    if (gvPathOf(r.gvr) != gvPath) continue;
    any = true;
    json gvk = {{"group", r.gvr.group}, {"version", r.gvr.version}, {"kind", r.kind}};
    json params = json::array({
        {{"name", "fieldValidation"},
         {"in", "query"},
         {"schema", {{"type", "string"}}},
         {"uniqueItems", true},
         {"description", "Ignore, Warn or Strict"}},
        {{"name", "fieldManager"}, {"in", "query"}, {"schema", {{"type", "string"}}}, {"uniqueItems", true}},
        {{"name", "dryRun"}, {"in", "query"}, {"schema", {{"type", "string"}}}, {"uniqueItems", true}},
    });
    json ref = {{"$ref", "#/components/schemas/" + schemaName(r)}};
    json ok = {{"200", {{"description", "OK"}, {"content", {{"application/json", {{"schema", ref}}}}}}}};
    json patchBody = {{"content",
                       {{"application/json-patch+json", {{"schema", {{"type", "object"}}}}},
                        {"application/merge-patch+json", {{"schema", {{"type", "object"}}}}},
                        {"application/apply-patch+yaml", {{"schema", {{"type", "object"}}}}}}}};
    // No strategic-merge-patch content type advertised: kubectl then computes
    // SMPs for built-ins from its compiled-in types (our schemas are minimal)
    // and merge patches for custom resources, as against a real server.
    std::string base = "/" + gvPath + (r.namespaced ? "/namespaces/{namespace}/" : "/") + r.gvr.resource;
    json item = {
        {"get",
         {{"operationId", "read" + r.kind},
          {"x-kubernetes-action", "get"},
          {"x-kubernetes-group-version-kind", gvk},
          {"responses", ok}}},
        {"put",
         {{"operationId", "replace" + r.kind},
          {"x-kubernetes-action", "put"},
          {"x-kubernetes-group-version-kind", gvk},
          {"parameters", params},
          {"responses", ok},
          {"requestBody", {{"content", {{"application/json", {{"schema", ref}}}}}}}}},
        {"patch",
         {{"operationId", "patch" + r.kind},
          {"x-kubernetes-action", "patch"},
          {"x-kubernetes-group-version-kind", gvk},
          {"parameters", params},
          {"responses", ok},
          {"requestBody", patchBody}}},
        {"delete",
         {{"operationId", "delete" + r.kind},
          {"x-kubernetes-action", "delete"},
          {"x-kubernetes-group-version-kind", gvk},
          {"responses", ok}}},
        {"parameters",
         json::array({{{"name", "name"}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}}})},
    };
    paths[base + "/{name}"] = item;
    paths[base] = {
        {"post",
         {{"operationId", "create" + r.kind},
          {"x-kubernetes-action", "post"},
          {"x-kubernetes-group-version-kind", gvk},
          {"parameters", params},
          {"responses", ok},
          {"requestBody", {{"content", {{"application/json", {{"schema", ref}}}}}}}}},
        {"get",
         {{"operationId", "list" + r.kind},
          {"x-kubernetes-action", "list"},
          {"x-kubernetes-group-version-kind", gvk},
          {"responses", ok}}},
    };
    json schema = {{"type", "object"}, {"x-kubernetes-group-version-kind", json::array({gvk})}};
    if (r.isCustom && r.crdVersion.contains("schema") && r.crdVersion["schema"].contains("openAPIV3Schema")) {
      schema = r.crdVersion["schema"]["openAPIV3Schema"];
      schema["x-kubernetes-group-version-kind"] = json::array({gvk});
      if (!schema.contains("properties")) schema["properties"] = json::object();
      schema["properties"]["apiVersion"] = {{"type", "string"}};
      schema["properties"]["kind"] = {{"type", "string"}};
      schema["properties"]["metadata"] = {{"type", "object"}};
    }
    schemas[schemaName(r)] = schema;
  }
  if (!any) return std::nullopt;
  return json{{"openapi", "3.0.0"},
              {"info", {{"title", "Kubernetes"}, {"version", "v1.32.0"}}},
              {"paths", paths},
              {"components", {{"schemas", schemas}}}};
}

}  // namespace ossvp::kubesim
