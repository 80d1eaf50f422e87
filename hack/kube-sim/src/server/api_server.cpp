#include "server/api_server.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <sstream>
#include <thread>

#include "ossvp/common/log.h"
#include "server/api_responses.h"
#include "server/discovery.h"
#include "server/openapi.h"
#include "server/query_params.h"
#include "server/rbac.h"
#include "server/rbac_audit.h"

namespace ossvp::kubesim {
namespace {

std::vector<std::string> splitPath(const std::string& path) {
  std::vector<std::string> out;
  std::stringstream ss(path);
  std::string part;
  while (std::getline(ss, part, '/')) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

// The verb whose handler serves a request on a resource; "" for a method
// resources do not take (405).
std::string requestVerb(const std::string& method, bool hasName, bool watch) {
  if (method == "GET") return hasName ? "get" : watch ? "watch" : "list";
  if (method == "POST") return "create";
  if (method == "PUT") return "update";
  if (method == "PATCH") return "patch";
  if (method == "DELETE") return hasName ? "delete" : "deletecollection";
  return "";
}

// The verb RBAC authorizes: HEAD reads as GET, and any GET with ?watch as watch.
std::string rbacVerb(const std::string& method, bool hasName, bool watch) {
  bool read = method == "GET" || method == "HEAD";
  if (read && watch) return "watch";
  return requestVerb(read ? "GET" : method, hasName, watch);
}

}  // namespace

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
    sendJson(out, 200,
             {{"major", "1"},
              {"minor", "32"},
              {"gitVersion", "v1.32.0-kube-sim"},
              {"gitCommit", "0000000000000000000000000000000000000000"},
              {"gitTreeState", "clean"},
              {"buildDate", "2026-01-01T00:00:00Z"},
              {"goVersion", "go1.23.0"},
              {"compiler", "gc"},
              {"platform", "linux/amd64"}});
    return;
  }
  if (p == "/healthz" || p == "/readyz" || p == "/livez") {
    out.respond(200, "text/plain", "ok", {});
    return;
  }
  if (p == "/.well-known/openid-configuration") {
    std::string base = "https://" + options_.serverAddress;
    sendJson(out, 200,
             {{"issuer", TokenIssuer::kIssuer},
              {"jwks_uri", base + "/openid/v1/jwks"},
              {"response_types_supported", {"id_token"}},
              {"subject_types_supported", {"public"}},
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
      sendError(out, errNotFoundPath());
      return true;
    }
    sendJson(out, 200, *doc);
    return true;
  }
  if (p == "/openapi/v2") {
    sendError(out, errNotFoundPath());
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
        sendError(out, errBadRequest("fault config must be JSON: "
                                     "{\"rules\":[{\"method\",\"pathContains\",\"code\",\"count\"}],\"latencyMs\":N}"));
        return;
      }
      faults_.configure(cfg);
      sendJson(out, 200, faults_.describe());
    }
    return;
  }
  if (p == "/kube-sim/drop-watches" && req.method == "POST") {
    store_.dropAllWatches();
    if (dropConnections_)
      std::thread([fn = dropConnections_] {
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
    if (dropConnections_)
      std::thread([fn = dropConnections_] {
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
  sendError(out, errNotFoundPath());
}

std::optional<ApiServer::Target> ApiServer::resolveTarget(const HttpRequest& req) const {
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
    return std::nullopt;
  }
  std::vector<std::string> rest(seg.begin() + static_cast<long>(i), seg.end());
  Target t;
  const auto& reg = store_.registry();
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
  if (!info || rest.size() > 3) return std::nullopt;
  t.info = *info;
  if (rest.size() >= 2) t.name = rest[1];
  if (rest.size() >= 3) t.subresource = rest[2];
  const auto& subs = t.info.subresources;
  if (!t.subresource.empty() && std::find(subs.begin(), subs.end(), t.subresource) == subs.end()) return std::nullopt;
  return t;
}

bool ApiServer::authorize(const HttpRequest& req, HttpResponder& out, const Target& t, const RequestUser& user) {
  if ((!options_.rbac && !options_.rbacAudit) || user.admin) return true;
  const GVR& gvr = t.info.gvr;
  RbacRequest rq{user.name, user.groups,  rbacVerb(req.method, !t.name.empty(), queryBool(req, "watch")),
                 gvr.group, gvr.resource, t.subresource,
                 t.ns,      t.name};
  RbacDecision decision = rbacDecide(store_, rq);
  if (options_.rbacAudit) options_.rbacAudit->record(rq, decision, options_.rbac);
  if (!options_.rbac || decision.allowed) return true;
  std::string resource = gvr.resource + (t.subresource.empty() ? "" : "/" + t.subresource);
  std::string msg = gvr.groupResource() + (t.name.empty() ? "" : " \"" + t.name + "\"") + " is forbidden: User \"" +
                    user.name + "\" cannot " + rq.verb + " resource \"" + resource + "\" in API group \"" + gvr.group +
                    "\"" + (t.ns.empty() ? " at the cluster scope" : " in the namespace \"" + t.ns + "\"");
  ApiError e = errForbidden(msg);
  e.details = {{"name", t.name}, {"kind", gvr.resource}};
  if (!gvr.group.empty()) e.details["group"] = gvr.group;
  sendError(out, e);
  return false;
}

void ApiServer::handleResource(const HttpRequest& req, HttpResponder& out, const RequestUser& user) {
  static const std::map<std::string, VerbHandler> kHandlers = {
      {"get", &ApiServer::handleGet},       {"list", &ApiServer::handleList},
      {"watch", &ApiServer::handleWatch},   {"create", &ApiServer::handleCreate},
      {"update", &ApiServer::handleUpdate}, {"patch", &ApiServer::handlePatch},
      {"delete", &ApiServer::handleDelete}, {"deletecollection", &ApiServer::handleDeleteCollection},
  };
  std::optional<Target> t = resolveTarget(req);
  if (!t) {
    sendError(out, errNotFoundPath());
    return;
  }
  if (!authorize(req, out, *t, user)) return;
  auto handler = kHandlers.find(requestVerb(req.method, !t->name.empty(), queryBool(req, "watch")));
  if (handler == kHandlers.end()) {
    sendError(out, errMethodNotAllowedHere());
    return;
  }
  (this->*handler->second)(req, out, *t);
}

}  // namespace ossvp::kubesim
