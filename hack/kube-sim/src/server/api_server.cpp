#include "server/api_server.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "ossvp/common/log.h"
#include "ossvp/common/yaml_json.h"
#include "server/discovery.h"
#include "server/event_conversion.h"
#include "server/openapi.h"
#include "server/protobuf_decoder.h"
#include "server/query_params.h"
#include "server/rbac.h"
#include "server/rbac_audit.h"
#include "server/tables.h"
#include "store/cluster_context.h"

namespace ossvp::kubesim {
namespace {

constexpr const char* kJson = "application/json";

std::vector<std::string> splitPath(const std::string& path) {
  std::vector<std::string> out;
  std::stringstream ss(path);
  std::string part;
  while (std::getline(ss, part, '/')) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

void sendJson(HttpResponder& out, int code, const json& body, const std::map<std::string, std::string>& h = {}) {
  out.respond(code, kJson, body.dump(), h);
}

void sendError(HttpResponder& out, const ApiError& e) { sendJson(out, e.code, e.toStatus()); }

ApiError notFoundPath() {
  ApiError e = errNotFound("", "", "");
  e.message = "the server could not find the requested resource";
  e.details = json::object();
  return e;
}

bool wantsTable(const HttpRequest& req) { return req.header("accept").find("as=Table") != std::string::npos; }

std::string queryOr(const HttpRequest& req, const std::string& key, const std::string& def = "") {
  auto it = req.query.find(key);
  return it == req.query.end() ? def : it->second;
}

// Output shape of a stored object for the served resource.
json present(const ResourceInfo& info, json obj) {
  if (info.gvr.group == "events.k8s.io") return coreEventToEventsV1(obj);
  if (obj.is_object()) {
    obj["apiVersion"] = info.gvr.groupVersion();
    obj["kind"] = info.kind;
  }
  return obj;
}

// events.k8s.io/v1 field selectors name the v1 fields; the store holds core shapes.
std::string storageFieldSelector(const ResourceInfo& info, std::string sel) {
  if (info.gvr.group != "events.k8s.io") return sel;
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"regarding.", "involvedObject."}, {"reportingController", "reportingComponent"}}) {
    for (size_t p = sel.find(from); p != std::string::npos; p = sel.find(from, p + to.size())) sel.replace(p, from.size(), to);
  }
  return sel;
}

json toStorage(const ResourceInfo& info, json obj) {
  if (info.gvr.group == "events.k8s.io") return eventsV1ToCoreEvent(obj);
  return obj;
}

ApiResult<json> parseBody(const HttpRequest& req, bool allowYaml = true) {
  std::string ct = req.header("content-type");
  if (ct.find("protobuf") != std::string::npos) return decodeKubernetesProtobuf(req.body);
  if (req.body.empty()) return errBadRequest("the request body is empty: send the object as JSON");
  if (allowYaml && ct.find("yaml") != std::string::npos) {
    auto j = yamlToJson(req.body);
    if (!j) return errBadRequest("error decoding YAML: " + j.status().message());
    return *j;
  }
  json j = json::parse(req.body, nullptr, false);
  if (j.is_discarded()) {
    auto y = yamlToJson(req.body);  // kubectl create -f with YAML content types
    if (y && y->is_object()) return *y;
    return errBadRequest("the body of the request could not be decoded as JSON: check the request body");
  }
  return j;
}

// `optionsKind` names the request's options (CreateOptions, ...) in a dryRun error.
ApiResult<WriteOptions> writeOptions(const HttpRequest& req, const std::string& optionsKind) {
  auto dryRun = queryDryRun(req, optionsKind);
  if (!dryRun) return dryRun.error();
  WriteOptions o;
  o.dryRun = *dryRun;
  o.fieldManager = queryOr(req, "fieldManager");
  o.fieldValidation = queryOr(req, "fieldValidation", "Strict");
  return o;
}

// dryRun of a DELETE: the list in the DeleteOptions body when it has one, else the query.
ApiResult<bool> deleteDryRun(const HttpRequest& req, const json& body) {
  if (!body.contains("dryRun")) return queryDryRun(req, "DeleteOptions");
  const json& v = body.at("dryRun");
  if (v.is_null()) return false;
  if (!v.is_array() || !std::all_of(v.begin(), v.end(), [](const json& x) { return x.is_string(); })) {
    return errBadRequest("DeleteOptions.dryRun must be a list of strings, e.g. [\"All\"]");
  }
  return parseDryRun(v.get<std::vector<std::string>>(), "DeleteOptions");
}

json listOf(const ResourceInfo& info, const ListResult& r) {
  json items = json::array();
  for (const auto& o : r.items) items.push_back(present(info, o));
  json meta = {{"resourceVersion", std::to_string(r.resourceVersion)}};
  if (!r.continueToken.empty()) {
    meta["continue"] = r.continueToken;
    meta["remainingItemCount"] = r.remainingItemCount;
  }
  return {{"kind", info.kind + "List"}, {"apiVersion", info.gvr.groupVersion()}, {"metadata", meta}, {"items", items}};
}

json successStatus(const ResourceInfo& info, const std::string& name, const json& obj) {
  json d = {{"name", name}, {"kind", info.gvr.resource}};
  if (!info.gvr.group.empty()) d["group"] = info.gvr.group;
  if (obj.is_object() && obj.contains("metadata")) d["uid"] = obj["metadata"].value("uid", "");
  return {{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", json::object()}, {"status", "Success"}, {"details", d}};
}

std::string rbacVerb(const std::string& method, bool hasName, bool watch) {
  if (method == "GET" || method == "HEAD") return watch ? "watch" : hasName ? "get" : "list";
  if (method == "POST") return "create";
  if (method == "PUT") return "update";
  if (method == "PATCH") return "patch";
  if (method == "DELETE") return hasName ? "delete" : "deletecollection";
  return "";
}

}  // namespace

struct ApiServer::Target {
  ResourceInfo info;
  std::string ns;
  std::string name;
  std::string subresource;
};

ApiServer::ApiServer(ObjectStore& store, TokenIssuer& tokens, ApiServerOptions options)
    : store_(store), tokens_(tokens), options_(std::move(options)) {}

std::optional<RequestUser> ApiServer::authenticate(const HttpRequest& req) const {
  std::string auth = req.header("authorization");
  if (auth.rfind("Bearer ", 0) == 0) {
    std::string token = auth.substr(7);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\r' || token.back() == '\n')) token.pop_back();
    if (!options_.adminToken.empty() && token == options_.adminToken) {
      return RequestUser{"kube-sim-admin", {"system:masters", "system:authenticated"}, true, "", ""};
    }
    if (auto v = tokens_.verify(token)) {
      RequestUser u;
      u.name = "system:serviceaccount:" + v->ns + ":" + v->serviceAccount;
      u.groups = {"system:serviceaccounts", "system:serviceaccounts:" + v->ns, "system:authenticated"};
      u.saNamespace = v->ns;
      u.saName = v->serviceAccount;
      return u;
    }
    return std::nullopt;
  }
  if (!req.tls) return RequestUser{"kube-sim-admin", {"system:masters"}, true, "", ""};
  return RequestUser{"system:anonymous", {"system:unauthenticated"}, false, "", ""};
}

void ApiServer::handle(const HttpRequest& req, HttpResponder& out) {
  logDebug("kube-sim: {} {} (accept {}, content-type {})", req.method, req.target, req.header("accept"),
           req.header("content-type"));
  bool isAdminPath = req.path.rfind("/kube-sim/", 0) == 0;
  if (!isAdminPath) {
    if (int ms = faults_.latencyMs(); ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    if (auto code = faults_.match(req.method, req.path, queryBool(req, "watch"))) {
      static const std::map<int, std::pair<const char*, const char*>> reasons = {
          {409, {"Conflict", "injected conflict (kube-sim fault injection)"}},
          {410, {"Expired", "injected: too old resource version (kube-sim fault injection)"}},
          {429, {"TooManyRequests", "injected: too many requests, please try again later"}},
          {500, {"InternalError", "injected internal error (kube-sim fault injection)"}},
          {503, {"ServiceUnavailable", "injected: service unavailable"}},
      };
      ApiError e;
      e.code = *code;
      auto it = reasons.find(*code);
      e.reason = it == reasons.end() ? "InternalError" : it->second.first;
      e.message = it == reasons.end() ? "injected error" : it->second.second;
      if (*code == 429) e.details = {{"retryAfterSeconds", 1}};
      std::map<std::string, std::string> h;
      if (*code == 429) h["Retry-After"] = "1";
      sendJson(out, e.code, e.toStatus(), h);
      return;
    }
  }
  auto user = authenticate(req);
  if (!user) {
    sendError(out, errUnauthorized("Unauthorized"));
    return;
  }
  const std::string& p = req.path;
  bool anonymousOk = p == "/version" || p == "/healthz" || p == "/readyz" || p == "/livez" ||
                     p == "/.well-known/openid-configuration" || p == "/openid/v1/jwks";
  if (user->name == "system:anonymous" && !anonymousOk) {
    sendError(out, errUnauthorized("Unauthorized"));
    return;
  }
  if (isAdminPath) {
    if (!user->admin) {
      sendError(out, errForbidden("the kube-sim admin API needs the admin token"));
      return;
    }
    handleAdmin(req, out);
    return;
  }
  if (p == "/version") {
    sendJson(out, 200, {{"major", "1"}, {"minor", "32"}, {"gitVersion", "v1.32.0-kube-sim"},
                        {"gitCommit", "0000000000000000000000000000000000000000"}, {"gitTreeState", "clean"},
                        {"buildDate", "2026-01-01T00:00:00Z"}, {"goVersion", "go1.23.0"}, {"compiler", "gc"},
                        {"platform", "linux/amd64"}});
    return;
  }
  if (p == "/healthz" || p == "/readyz" || p == "/livez") {
    out.respond(200, "text/plain", "ok", {});
    return;
  }
  if (p == "/.well-known/openid-configuration") {
    std::string base = "https://" + options_.serverAddress;
    sendJson(out, 200, {{"issuer", TokenIssuer::kIssuer}, {"jwks_uri", base + "/openid/v1/jwks"},
                        {"response_types_supported", {"id_token"}}, {"subject_types_supported", {"public"}},
                        {"id_token_signing_alg_values_supported", {"RS256"}}});
    return;
  }
  if (p == "/openid/v1/jwks") {
    sendJson(out, 200, tokens_.jwks());
    return;
  }
  if (handleDiscovery(req, out)) return;
  handleResource(req, out, *user);
}

bool ApiServer::handleDiscovery(const HttpRequest& req, HttpResponder& out) {
  const std::string& p = req.path;
  if (req.method != "GET") return false;
  auto all = store_.registry().all();
  bool agg = req.header("accept").find("as=APIGroupDiscoveryList") != std::string::npos;
  if (p == "/api" || p == "/apis") {
    if (agg) {
      out.respond(200, kAggregatedDiscoveryContentType, aggregatedDiscovery(all, p == "/api").dump(),
                  {{"Vary", "Accept"}});
    } else if (p == "/api") {
      sendJson(out, 200, legacyApiVersions(options_.serverAddress));
    } else {
      sendJson(out, 200, legacyGroupList(all));
    }
    return true;
  }
  auto seg = splitPath(p);
  if (seg.size() == 2 && seg[0] == "api") {
    auto doc = legacyResourceList(all, "", seg[1]);
    if (!doc) return false;
    sendJson(out, 200, *doc);
    return true;
  }
  if (seg.size() == 2 && seg[0] == "apis") {
    auto doc = legacyGroup(all, seg[1]);
    if (!doc) return false;
    sendJson(out, 200, *doc);
    return true;
  }
  if (seg.size() == 3 && seg[0] == "apis") {
    auto doc = legacyResourceList(all, seg[1], seg[2]);
    if (!doc) return false;
    sendJson(out, 200, *doc);
    return true;
  }
  if (p == "/openapi/v3") {
    sendJson(out, 200, openApiV3Root(all, store_.registry().epoch()));
    return true;
  }
  if (p.rfind("/openapi/v3/", 0) == 0) {
    auto doc = openApiV3GroupVersion(all, p.substr(12));
    if (!doc) {
      sendError(out, notFoundPath());
      return true;
    }
    sendJson(out, 200, *doc);
    return true;
  }
  if (p == "/openapi/v2") {
    sendError(out, notFoundPath());
    return true;
  }
  return false;
}

void ApiServer::handleAdmin(const HttpRequest& req, HttpResponder& out) {
  const std::string& p = req.path;
  if (p == "/kube-sim/faults") {
    if (req.method == "GET") {
      sendJson(out, 200, faults_.describe());
    } else if (req.method == "DELETE") {
      faults_.clear();
      sendJson(out, 200, faults_.describe());
    } else {
      json cfg = json::parse(req.body.empty() ? "{}" : req.body, nullptr, false);
      if (cfg.is_discarded()) {
        sendError(out, errBadRequest("fault config must be JSON: {\"rules\":[{\"method\",\"pathContains\",\"code\",\"count\"}],\"latencyMs\":N}"));
        return;
      }
      faults_.configure(cfg);
      sendJson(out, 200, faults_.describe());
    }
    return;
  }
  if (p == "/kube-sim/drop-watches" && req.method == "POST") {
    store_.dropAllWatches();
    if (dropConnections_) std::thread([fn = dropConnections_] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      fn();
    }).detach();
    sendJson(out, 200, {{"dropped", true}});
    return;
  }
  if (p == "/kube-sim/compact" && req.method == "POST") {
    store_.compactHistory();
    sendJson(out, 200, {{"compactedAt", std::to_string(store_.currentResourceVersion())}});
    return;
  }
  if (p == "/kube-sim/restart" && req.method == "POST") {
    // Simulated API server restart: state kept (flushed to --state-dir), watch
    // history lost (old resourceVersions answer 410), every connection dropped.
    store_.flush();
    store_.compactHistory();
    store_.dropAllWatches();
    if (dropConnections_) std::thread([fn = dropConnections_] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      fn();
    }).detach();
    sendJson(out, 200, {{"restarted", true}, {"resourceVersion", std::to_string(store_.currentResourceVersion())}});
    return;
  }
  if (p == "/kube-sim/status") {
    sendJson(out, 200, {{"resourceVersion", std::to_string(store_.currentResourceVersion())}});
    return;
  }
  sendError(out, notFoundPath());
}

void ApiServer::handleResource(const HttpRequest& req, HttpResponder& out, const RequestUser& user) {
  auto seg = splitPath(req.path);
  std::string group, version;
  size_t i = 0;
  if (seg.size() >= 2 && seg[0] == "api") {
    version = seg[1];
    i = 2;
  } else if (seg.size() >= 3 && seg[0] == "apis") {
    group = seg[1];
    version = seg[2];
    i = 3;
  } else {
    sendError(out, notFoundPath());
    return;
  }
  std::vector<std::string> rest(seg.begin() + static_cast<long>(i), seg.end());
  Target t;
  auto& reg = store_.registry();
  std::optional<ResourceInfo> info;
  if (rest.size() >= 3 && rest[0] == "namespaces") {
    info = reg.find({group, version, rest[2]});
    if (info && info->namespaced) {
      t.ns = rest[1];
      rest.erase(rest.begin(), rest.begin() + 2);
    } else {
      info.reset();
    }
  }
  if (!info && !rest.empty()) {
    info = reg.find({group, version, rest[0]});
    if (info && info->namespaced && rest.size() > 1) info.reset();  // namespaced object without namespace
  }
  if (!info || rest.size() > 3) {
    sendError(out, notFoundPath());
    return;
  }
  t.info = *info;
  if (rest.size() >= 2) t.name = rest[1];
  if (rest.size() >= 3) t.subresource = rest[2];
  if (!t.subresource.empty() &&
      std::find(t.info.subresources.begin(), t.info.subresources.end(), t.subresource) == t.info.subresources.end()) {
    sendError(out, notFoundPath());
    return;
  }
  const ResourceInfo& ri = t.info;
  const GVR& gvr = ri.gvr;
  bool watch = queryBool(req, "watch");

  if ((options_.rbac || options_.rbacAudit) && !user.admin) {
    RbacRequest rq{user.name, user.groups, rbacVerb(req.method, !t.name.empty(), watch), gvr.group,
                   gvr.resource, t.subresource, t.ns, t.name};
    RbacDecision decision = rbacDecide(store_, rq);
    if (options_.rbacAudit) options_.rbacAudit->record(rq, decision, options_.rbac);
    if (options_.rbac && !decision.allowed) {
      std::string resource = gvr.resource + (t.subresource.empty() ? "" : "/" + t.subresource);
      std::string msg = gvr.groupResource() + (t.name.empty() ? "" : " \"" + t.name + "\"") +
                        " is forbidden: User \"" + user.name + "\" cannot " + rq.verb + " resource \"" + resource +
                        "\" in API group \"" + gvr.group + "\"" +
                        (t.ns.empty() ? " at the cluster scope" : " in the namespace \"" + t.ns + "\"");
      ApiError e = errForbidden(msg);
      e.details = {{"name", t.name}, {"kind", gvr.resource}};
      if (!gvr.group.empty()) e.details["group"] = gvr.group;
      sendError(out, e);
      return;
    }
  }

  const std::string& m = req.method;
  if (m == "GET" && t.name.empty() && watch) {
    WatchOptions wo;
    wo.labelSelector = queryOr(req, "labelSelector");
    wo.fieldSelector = storageFieldSelector(ri, queryOr(req, "fieldSelector"));
    wo.allowBookmarks = queryBool(req, "allowWatchBookmarks");
    std::string rv = queryOr(req, "resourceVersion");
    if (!rv.empty() && rv != "0") {
      try {
        wo.resourceVersion = std::stoull(rv);
      } catch (...) {
        sendError(out, errBadRequest("invalid resourceVersion \"" + rv + "\": it must be a resourceVersion from a previous response"));
        return;
      }
    }
    auto w = store_.watch(gvr, t.ns, wo);
    if (!w) {
      sendError(out, w.error());
      return;
    }
    std::shared_ptr<Watch> watchPtr = *w;
    int timeout = 1800 + static_cast<int>(std::random_device{}() % 1800);
    if (req.query.count("timeoutSeconds")) timeout = std::atoi(req.query.at("timeoutSeconds").c_str());
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout);
    bool table = wantsTable(req);
    if (!out.startStream(200, kJson)) return;
    while (true) {
      auto now = std::chrono::steady_clock::now();
      if (now >= deadline) break;
      auto wait = std::min<std::chrono::milliseconds>(
          std::chrono::milliseconds(500), std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
      auto ev = watchPtr->next(wait);
      if (!ev) {
        if (watchPtr->closed() || out.clientGone()) break;
        continue;
      }
      json obj = ev->object;
      if (ev->type != "ERROR" && ev->type != "BOOKMARK") {
        obj = present(ri, obj);
        if (table) obj = toTable(ri, {obj}, std::to_string(ev->resourceVersion));
      }
      // "type" first, as the real API server writes it.
      std::string line = "{\"type\":" + json(ev->type).dump() + ",\"object\":" + obj.dump() + "}\n";
      if (!out.writeChunk(line)) break;
      if (ev->type == "ERROR") break;
    }
    watchPtr->stop();
    out.endStream();
    return;
  }
  if (m == "GET" && t.name.empty()) {
    ListOptions lo;
    lo.labelSelector = queryOr(req, "labelSelector");
    lo.fieldSelector = storageFieldSelector(ri, queryOr(req, "fieldSelector"));
    lo.limit = std::atoll(queryOr(req, "limit", "0").c_str());
    lo.continueToken = queryOr(req, "continue");
    auto r = store_.list(gvr, t.ns, lo);
    if (!r) {
      sendError(out, r.error());
      return;
    }
    if (wantsTable(req)) {
      std::vector<json> items;
      for (const auto& o : r->items) items.push_back(present(ri, o));
      sendJson(out, 200, toTable(ri, items, std::to_string(r->resourceVersion), r->continueToken));
    } else {
      sendJson(out, 200, listOf(ri, *r));
    }
    return;
  }
  if (m == "GET" && t.subresource == "log") {
    serveLogs(req, out, t.ns, t.name);
    return;
  }
  if (m == "GET") {
    auto r = store_.get(gvr, t.ns, t.name);
    if (!r) {
      sendError(out, r.error());
      return;
    }
    json obj = present(ri, *r);
    if (wantsTable(req)) {
      sendJson(out, 200, toTable(ri, {obj}, obj["metadata"].value("resourceVersion", "")));
    } else {
      sendJson(out, 200, obj);
    }
    return;
  }
  if (m == "POST" && t.name.empty()) {
    auto body = parseBody(req);
    if (!body) {
      sendError(out, body.error());
      return;
    }
    if (!body->is_object()) {
      sendError(out, errBadRequest("the body of the request must be a JSON object"));
      return;
    }
    auto wo = writeOptions(req, "CreateOptions");
    if (!wo) {
      sendError(out, wo.error());
      return;
    }
    auto r = store_.create(gvr, t.ns, toStorage(ri, *body), *wo);
    if (!r) {
      sendError(out, r.error());
      return;
    }
    sendJson(out, 201, present(ri, *r));
    return;
  }
  if (m == "POST" && t.subresource == "token") {
    serveTokenRequest(req, out, t.ns, t.name);
    return;
  }
  if (m == "POST" && t.subresource == "binding") {
    serveBinding(req, out, t.ns, t.name);
    return;
  }
  if (m == "POST" && t.subresource == "eviction") {
    auto r = store_.remove(gvr, t.ns, t.name, {});
    if (!r) {
      sendError(out, r.error());
      return;
    }
    sendJson(out, 201, successStatus(ri, t.name, *r));
    return;
  }
  if (m == "PUT" && !t.name.empty() && (t.subresource.empty() || t.subresource == "status")) {
    auto body = parseBody(req);
    if (!body) {
      sendError(out, body.error());
      return;
    }
    if (!body->is_object()) {
      sendError(out, errBadRequest("the body of the request must be a JSON object"));
      return;
    }
    std::string bodyName = body->contains("metadata") ? (*body)["metadata"].value("name", "") : "";
    if (bodyName != t.name) {
      sendError(out, errBadRequest("the name of the object (" + bodyName + ") does not match the name on the URL (" + t.name + ")"));
      return;
    }
    auto wo = writeOptions(req, "UpdateOptions");
    if (!wo) {
      sendError(out, wo.error());
      return;
    }
    wo->statusSubresource = t.subresource == "status";
    auto r = store_.update(gvr, t.ns, toStorage(ri, *body), *wo);
    if (!r) {
      sendError(out, r.error());
      return;
    }
    sendJson(out, 200, present(ri, *r));
    return;
  }
  if (m == "PATCH" && !t.name.empty() && (t.subresource.empty() || t.subresource == "status")) {
    std::string ct = req.header("content-type");
    ct = ct.substr(0, ct.find(';'));
    PatchType pt;
    if (ct == "application/json-patch+json") {
      pt = PatchType::JsonPatch;
    } else if (ct == "application/merge-patch+json") {
      pt = PatchType::MergePatch;
    } else if (ct == "application/strategic-merge-patch+json" && !ri.isCustom) {
      pt = PatchType::StrategicMergePatch;
    } else if (ct == "application/apply-patch+yaml" || ct == "application/apply-patch+cbor") {
      pt = PatchType::ApplyPatch;
    } else {
      sendError(out, errUnsupportedMediaType(
                         std::string("the body of the request was in an unknown format - accepted media types include: "
                                     "application/json-patch+json, application/merge-patch+json, ") +
                         (ri.isCustom ? "" : "application/strategic-merge-patch+json, ") + "application/apply-patch+yaml"));
      return;
    }
    auto body = parseBody(req, pt == PatchType::ApplyPatch);
    if (!body) {
      sendError(out, body.error());
      return;
    }
    auto wo = writeOptions(req, "PatchOptions");
    if (!wo) {
      sendError(out, wo.error());
      return;
    }
    wo->statusSubresource = t.subresource == "status";
    json patchBody = *body;
    if (ri.gvr.group == "events.k8s.io" && pt != PatchType::JsonPatch) patchBody = eventsV1ToCoreEvent(patchBody);
    auto r = store_.patch(gvr, t.ns, t.name, pt, patchBody, *wo);
    if (!r) {
      sendError(out, r.error());
      return;
    }
    sendJson(out, 200, present(ri, *r));
    return;
  }
  if (m == "DELETE") {
    DeleteOptions d;
    json body = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
    if (body.is_discarded()) body = json::object();
    d.propagationPolicy = body.value("propagationPolicy", queryOr(req, "propagationPolicy"));
    if (body.contains("orphanDependents") && body["orphanDependents"].is_boolean() && body["orphanDependents"].get<bool>()) {
      d.propagationPolicy = "Orphan";
    }
    if (body.contains("gracePeriodSeconds") && body["gracePeriodSeconds"].is_number()) {
      d.gracePeriodSeconds = body["gracePeriodSeconds"].get<int64_t>();
    } else if (req.query.count("gracePeriodSeconds")) {
      d.gracePeriodSeconds = std::atoll(req.query.at("gracePeriodSeconds").c_str());
    }
    if (body.contains("preconditions") && body["preconditions"].is_object()) {
      if (body["preconditions"].contains("uid")) d.preconditionUid = body["preconditions"]["uid"].get<std::string>();
      if (body["preconditions"].contains("resourceVersion")) {
        d.preconditionResourceVersion = body["preconditions"]["resourceVersion"].get<std::string>();
      }
    }
    auto dryRun = deleteDryRun(req, body);
    if (!dryRun) {
      sendError(out, dryRun.error());
      return;
    }
    d.dryRun = *dryRun;
    if (t.name.empty()) {
      ListOptions lo;
      lo.labelSelector = queryOr(req, "labelSelector");
      lo.fieldSelector = queryOr(req, "fieldSelector");
      auto r = store_.list(gvr, t.ns, lo);
      if (!r) {
        sendError(out, r.error());
        return;
      }
      ListResult deleted;
      deleted.resourceVersion = r->resourceVersion;
      for (const auto& o : r->items) {
        auto x = store_.remove(gvr, o["metadata"].value("namespace", ""), o["metadata"].value("name", ""), d);
        if (x) deleted.items.push_back(*x);
      }
      sendJson(out, 200, listOf(ri, deleted));
      return;
    }
    if (!t.subresource.empty()) {
      sendError(out, errMethodNotAllowed("the server does not allow this method on the requested resource"));
      return;
    }
    auto r = store_.remove(gvr, t.ns, t.name, d);
    if (!r) {
      sendError(out, r.error());
      return;
    }
    sendJson(out, 200, present(ri, *r));
    return;
  }
  sendError(out, errMethodNotAllowed("the server does not allow this method on the requested resource"));
}

}  // namespace ossvp::kubesim
