// ApiServer's resource handlers, one per verb (get, list, watch, create,
// update, patch, delete, deletecollection): query parameters and bodies in,
// ObjectStore call, the served representation out. handleResource
// (api_server.cpp) has resolved and authorized the target.
#include <chrono>
#include <random>

#include "ossvp/common/yaml_json.h"
#include "server/api_responses.h"
#include "server/api_server.h"
#include "server/event_conversion.h"
#include "server/protobuf_decoder.h"
#include "server/query_params.h"
#include "server/tables.h"

namespace ossvp::kubesim {
namespace {

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
    for (size_t p = sel.find(from); p != std::string::npos; p = sel.find(from, p + to.size()))
      sel.replace(p, from.size(), to);
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

// The body of a create or update: an object.
ApiResult<json> parseObjectBody(const HttpRequest& req) {
  auto body = parseBody(req);
  if (!body) return body.error();
  if (!body->is_object()) return errBadRequest("the body of the request must be a JSON object");
  return body;
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

// What a create, update or patch carries: the body and the options.
struct WriteRequest {
  json body;
  WriteOptions options;
};

// Checks in the API server's order: the body, its name against the URL's
// (`urlName`, updates only), then the options.
ApiResult<WriteRequest> parseWrite(const HttpRequest& req, ApiResult<json> body, const std::string& optionsKind,
                                   const std::string& urlName = "") {
  if (!body) return body.error();
  if (!urlName.empty()) {
    std::string bodyName = body->contains("metadata") ? (*body)["metadata"].value("name", "") : "";
    if (bodyName != urlName) {
      return errBadRequest("the name of the object (" + bodyName + ") does not match the name on the URL (" + urlName +
                           ")");
    }
  }
  auto wo = writeOptions(req, optionsKind);
  if (!wo) return wo.error();
  return WriteRequest{std::move(*body), *wo};
}

// PUT and PATCH take an object or its status.
bool writesObjectOrStatus(const std::string& name, const std::string& subresource) {
  return !name.empty() && (subresource.empty() || subresource == "status");
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

// DeleteOptions of a DELETE: its body (when it is JSON) first, then the query.
ApiResult<DeleteOptions> deleteOptions(const HttpRequest& req) {
  DeleteOptions d;
  json body = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
  if (body.is_discarded()) body = json::object();
  d.propagationPolicy = body.value("propagationPolicy", queryOr(req, "propagationPolicy"));
  if (body.contains("orphanDependents") && body["orphanDependents"].is_boolean() &&
      body["orphanDependents"].get<bool>()) {
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
  if (!dryRun) return dryRun.error();
  d.dryRun = *dryRun;
  return d;
}

// The patch type of a PATCH's content type (415 when the resource does not take it).
ApiResult<PatchType> patchTypeOf(const HttpRequest& req, const ResourceInfo& ri) {
  std::string ct = req.header("content-type");
  ct = ct.substr(0, ct.find(';'));
  if (ct == "application/json-patch+json") return PatchType::JsonPatch;
  if (ct == "application/merge-patch+json") return PatchType::MergePatch;
  if (ct == "application/strategic-merge-patch+json" && !ri.isCustom) return PatchType::StrategicMergePatch;
  if (ct == "application/apply-patch+yaml" || ct == "application/apply-patch+cbor") return PatchType::ApplyPatch;
  return errUnsupportedMediaType(
      std::string("the body of the request was in an unknown format - accepted media types include: "
                  "application/json-patch+json, application/merge-patch+json, ") +
      (ri.isCustom ? "" : "application/strategic-merge-patch+json, ") + "application/apply-patch+yaml");
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

// Answers a write's result: the stored object as served, or the error.
void sendWritten(HttpResponder& out, int code, const ResourceInfo& ri, const ApiResult<json>& r) {
  if (!r) {
    sendError(out, r.error());
    return;
  }
  sendJson(out, code, present(ri, *r));
}

// Streams `w`'s events as JSON lines until the deadline, an ERROR event, the
// watch closing or the client leaving.
void streamWatch(const HttpRequest& req, HttpResponder& out, const ResourceInfo& ri, Watch& w,
                 std::chrono::steady_clock::time_point deadline) {
  bool table = wantsTable(req);
  if (!out.startStream(200, kJsonContentType)) return;
  while (true) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    auto wait = std::min<std::chrono::milliseconds>(
        std::chrono::milliseconds(500), std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
    auto ev = w.next(wait);
    if (!ev) {
      if (w.closed() || out.clientGone()) break;
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
  w.stop();
  out.endStream();
}

}  // namespace

void ApiServer::handleGet(const HttpRequest& req, HttpResponder& out, const Target& t) {
  if (t.subresource == "log") {
    serveLogs(req, out, t.ns, t.name);
    return;
  }
  auto r = store_.get(t.info.gvr, t.ns, t.name);
  if (!r) {
    sendError(out, r.error());
    return;
  }
  json obj = present(t.info, *r);
  if (wantsTable(req)) {
    sendJson(out, 200, toTable(t.info, {obj}, obj["metadata"].value("resourceVersion", "")));
  } else {
    sendJson(out, 200, obj);
  }
}

void ApiServer::handleList(const HttpRequest& req, HttpResponder& out, const Target& t) {
  const ResourceInfo& ri = t.info;
  ListOptions lo;
  lo.labelSelector = queryOr(req, "labelSelector");
  lo.fieldSelector = storageFieldSelector(ri, queryOr(req, "fieldSelector"));
  lo.limit = std::atoll(queryOr(req, "limit", "0").c_str());
  lo.continueToken = queryOr(req, "continue");
  auto r = store_.list(ri.gvr, t.ns, lo);
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
}

void ApiServer::handleWatch(const HttpRequest& req, HttpResponder& out, const Target& t) {
  WatchOptions wo;
  wo.labelSelector = queryOr(req, "labelSelector");
  wo.fieldSelector = storageFieldSelector(t.info, queryOr(req, "fieldSelector"));
  wo.allowBookmarks = queryBool(req, "allowWatchBookmarks");
  std::string rv = queryOr(req, "resourceVersion");
  if (!rv.empty() && rv != "0") {
    try {
      wo.resourceVersion = std::stoull(rv);
    } catch (...) {
      sendError(out, errBadRequest("invalid resourceVersion \"" + rv +
                                   "\": it must be a resourceVersion from a previous response"));
      return;
    }
  }
  auto w = store_.watch(t.info.gvr, t.ns, wo);
  if (!w) {
    sendError(out, w.error());
    return;
  }
  int timeout = 1800 + static_cast<int>(std::random_device{}() % 1800);
  if (req.query.count("timeoutSeconds")) timeout = std::atoi(req.query.at("timeoutSeconds").c_str());
  streamWatch(req, out, t.info, **w, std::chrono::steady_clock::now() + std::chrono::seconds(timeout));
}

void ApiServer::handleCreate(const HttpRequest& req, HttpResponder& out, const Target& t) {
  if (!t.name.empty()) {  // POST on an object: only its action subresources take it
    if (t.subresource == "token") {
      serveTokenRequest(req, out, t.ns, t.name);
    } else if (t.subresource == "binding") {
      serveBinding(req, out, t.ns, t.name);
    } else if (t.subresource == "eviction") {
      serveEviction(out, t);
    } else {
      sendError(out, errMethodNotAllowedHere());
    }
    return;
  }
  auto w = parseWrite(req, parseObjectBody(req), "CreateOptions");
  if (!w) {
    sendError(out, w.error());
    return;
  }
  sendWritten(out, 201, t.info, store_.create(t.info.gvr, t.ns, toStorage(t.info, w->body), w->options));
}

void ApiServer::handleUpdate(const HttpRequest& req, HttpResponder& out, const Target& t) {
  if (!writesObjectOrStatus(t.name, t.subresource)) {
    sendError(out, errMethodNotAllowedHere());
    return;
  }
  auto w = parseWrite(req, parseObjectBody(req), "UpdateOptions", t.name);
  if (!w) {
    sendError(out, w.error());
    return;
  }
  w->options.statusSubresource = t.subresource == "status";
  sendWritten(out, 200, t.info, store_.update(t.info.gvr, t.ns, toStorage(t.info, w->body), w->options));
}

void ApiServer::handlePatch(const HttpRequest& req, HttpResponder& out, const Target& t) {
  if (!writesObjectOrStatus(t.name, t.subresource)) {
    sendError(out, errMethodNotAllowedHere());
    return;
  }
  auto pt = patchTypeOf(req, t.info);
  if (!pt) {
    sendError(out, pt.error());
    return;
  }
  auto w = parseWrite(req, parseBody(req, *pt == PatchType::ApplyPatch), "PatchOptions");
  if (!w) {
    sendError(out, w.error());
    return;
  }
  w->options.statusSubresource = t.subresource == "status";
  json patchBody = w->body;
  if (t.info.gvr.group == "events.k8s.io" && *pt != PatchType::JsonPatch) patchBody = eventsV1ToCoreEvent(patchBody);
  sendWritten(out, 200, t.info, store_.patch(t.info.gvr, t.ns, t.name, *pt, patchBody, w->options));
}

void ApiServer::handleDelete(const HttpRequest& req, HttpResponder& out, const Target& t) {
  auto d = deleteOptions(req);
  if (!d) {
    sendError(out, d.error());
    return;
  }
  if (!t.subresource.empty()) {
    sendError(out, errMethodNotAllowedHere());
    return;
  }
  sendWritten(out, 200, t.info, store_.remove(t.info.gvr, t.ns, t.name, *d));
}

void ApiServer::handleDeleteCollection(const HttpRequest& req, HttpResponder& out, const Target& t) {
  auto d = deleteOptions(req);
  if (!d) {
    sendError(out, d.error());
    return;
  }
  ListOptions lo;
  lo.labelSelector = queryOr(req, "labelSelector");
  lo.fieldSelector = queryOr(req, "fieldSelector");
  auto r = store_.list(t.info.gvr, t.ns, lo);
  if (!r) {
    sendError(out, r.error());
    return;
  }
  ListResult deleted;
  deleted.resourceVersion = r->resourceVersion;
  for (const auto& o : r->items) {
    auto x = store_.remove(t.info.gvr, o["metadata"].value("namespace", ""), o["metadata"].value("name", ""), *d);
    if (x) deleted.items.push_back(*x);
  }
  sendJson(out, 200, listOf(t.info, deleted));
}

}  // namespace ossvp::kubesim
