// ApiServer subresources: pods/log (reads the kubelet actor's log files),
// serviceaccounts/token (TokenRequest), pods/binding, pods/eviction.
#include <chrono>
#include <deque>
#include <fstream>
#include <sstream>
#include <thread>

#include "server/api_responses.h"
#include "server/api_server.h"
#include "server/protobuf_decoder.h"
#include "server/query_params.h"
#include "store/cluster_context.h"

namespace ossvp::kubesim {
namespace {

std::string lastLines(const std::string& text, int64_t n) {
  if (n < 0) return text;
  if (n == 0) return "";
  size_t pos = text.size();
  if (pos > 0 && text[pos - 1] == '\n') pos--;
  int64_t count = 0;
  while (pos > 0) {
    if (text[pos - 1] == '\n' && ++count == n) break;
    pos--;
  }
  return text.substr(pos);
}

json successStatus(const ResourceInfo& info, const std::string& name, const json& obj) {
  json d = {{"name", name}, {"kind", info.gvr.resource}};
  if (!info.gvr.group.empty()) d["group"] = info.gvr.group;
  if (obj.is_object() && obj.contains("metadata")) d["uid"] = obj["metadata"].value("uid", "");
  return {
      {"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", json::object()}, {"status", "Success"}, {"details", d}};
}

}  // namespace

void ApiServer::serveLogs(const HttpRequest& req, HttpResponder& out, const std::string& ns, const std::string& name) {
  auto pod = store_.get(gvr::kPods, ns, name);
  if (!pod) {
    sendError(out, pod.error());
    return;
  }
  std::vector<std::string> containers;
  for (const char* field : {"containers", "initContainers"}) {
    if ((*pod)["spec"].contains(field)) {
      for (const auto& c : (*pod)["spec"][field]) containers.push_back(c.value("name", ""));
    }
  }
  std::string container = req.query.count("container") ? req.query.at("container") : "";
  if (container.empty()) {
    if ((*pod)["spec"].contains("containers") && (*pod)["spec"]["containers"].size() == 1) {
      container = containers.front();
    } else {
      std::string list;
      for (const auto& c : containers) list += (list.empty() ? "" : " ") + c;
      sendError(
          out, errBadRequest("a container name must be specified for pod " + name + ", choose one of: [" + list + "]"));
      return;
    }
  }
  if (std::find(containers.begin(), containers.end(), container) == containers.end()) {
    sendError(out, errBadRequest("container " + container + " is not valid for pod " + name));
    return;
  }
  std::string uid = (*pod)["metadata"].value("uid", "");
  std::string file = podLogPath(options_.stateDir, ns, name, uid, container);
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::string phase = pod->contains("status") ? (*pod)["status"].value("phase", "Pending") : "Pending";
    if (phase == "Pending") {
      sendError(out, errBadRequest("container \"" + container + "\" in pod \"" + name +
                                   "\" is waiting to start: ContainerCreating"));
      return;
    }
  }
  std::stringstream ss;
  if (in) ss << in.rdbuf();
  std::string text = ss.str();
  int64_t tail = req.query.count("tailLines") ? std::atoll(req.query.at("tailLines").c_str()) : -1;
  if (req.query.count("limitBytes")) {
    size_t lim = static_cast<size_t>(std::atoll(req.query.at("limitBytes").c_str()));
    if (text.size() > lim) text.resize(lim);
  }
  text = lastLines(text, tail);
  bool follow = queryBool(req, "follow");
  if (!follow) {
    out.respond(200, "text/plain", text, {});
    return;
  }
  if (!out.startStream(200, "text/plain")) return;
  out.writeChunk(text);
  std::streamoff offset = static_cast<std::streamoff>(ss.str().size());
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    std::ifstream f(file, std::ios::binary);
    std::string more;
    if (f) {
      f.seekg(offset);
      std::stringstream s2;
      s2 << f.rdbuf();
      more = s2.str();
      offset += static_cast<std::streamoff>(more.size());
    }
    if (!more.empty() && !out.writeChunk(more)) return;
    if (out.clientGone()) return;
    auto cur = store_.get(gvr::kPods, ns, name);
    if (!cur || (*cur)["metadata"].value("uid", "") != uid) break;
    std::string phase = cur->contains("status") ? (*cur)["status"].value("phase", "") : "";
    if ((phase == "Succeeded" || phase == "Failed") && more.empty()) break;
  }
  out.endStream();
}

void ApiServer::serveTokenRequest(const HttpRequest& req, HttpResponder& out, const std::string& ns,
                                  const std::string& sa) {
  json body = json::object();
  if (req.header("content-type").find("protobuf") != std::string::npos) {
    auto decoded = decodeKubernetesProtobuf(req.body);
    if (!decoded) {
      sendError(out, decoded.error());
      return;
    }
    body = *decoded;
  } else if (!req.body.empty()) {
    body = json::parse(req.body, nullptr, false);
  }
  if (body.is_discarded() || !body.is_object()) {
    sendError(out, errBadRequest("the TokenRequest body could not be decoded as JSON"));
    return;
  }
  json spec = body.value("spec", json::object());
  TokenRequestSpec t;
  t.ns = ns;
  t.serviceAccount = sa;
  if (spec.contains("audiences") && spec["audiences"].is_array()) {
    for (const auto& a : spec["audiences"]) t.audiences.push_back(a.get<std::string>());
  }
  t.expirationSeconds = spec.value("expirationSeconds", int64_t{3600});
  if (spec.contains("boundObjectRef")) t.boundObjectRef = spec["boundObjectRef"];
  auto tok = tokens_.mint(t);
  if (!tok) {
    sendError(out, tok.error());
    return;
  }
  if (t.audiences.empty()) spec["audiences"] = json::array({TokenIssuer::kIssuer});
  spec["expirationSeconds"] = t.expirationSeconds < 600 ? 600 : t.expirationSeconds;
  json resp = {{"kind", "TokenRequest"},
               {"apiVersion", "authentication.k8s.io/v1"},
               {"metadata", {{"name", sa}, {"namespace", ns}, {"creationTimestamp", nowRfc3339()}}},
               {"spec", spec},
               {"status", {{"token", tok->token}, {"expirationTimestamp", tok->expirationTimestamp}}}};
  out.respond(201, "application/json", resp.dump(), {});
}

void ApiServer::serveBinding(const HttpRequest& req, HttpResponder& out, const std::string& ns,
                             const std::string& pod) {
  json body = json::parse(req.body.empty() ? "{}" : req.body, nullptr, false);
  std::string node = body.is_object() && body.contains("target") ? body["target"].value("name", "") : "";
  if (node.empty()) {
    sendError(out, errInvalid("", "Binding", pod,
                              json::array({invalidCause("FieldValueRequired", "target.name", "Required value")})));
    return;
  }
  auto cur = store_.get(gvr::kPods, ns, pod);
  if (!cur) {
    sendError(out, cur.error());
    return;
  }
  std::string existing = (*cur)["spec"].value("nodeName", "");
  if (!existing.empty()) {
    sendError(out, errConflict("", "pods", pod, "pod " + pod + " is already assigned to node \"" + existing + "\""));
    return;
  }
  auto r = store_.patch(gvr::kPods, ns, pod, PatchType::MergePatch, {{"spec", {{"nodeName", node}}}});
  if (!r) {
    sendError(out, r.error());
    return;
  }
  json cond = {
      {"type", "PodScheduled"}, {"status", "True"}, {"lastTransitionTime", nowRfc3339()}, {"lastProbeTime", nullptr}};
  WriteOptions wo;
  wo.statusSubresource = true;
  (void)store_.patch(gvr::kPods, ns, pod, PatchType::StrategicMergePatch, {{"status", {{"conditions", {cond}}}}}, wo);
  json status = {{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", json::object()}, {"status", "Success"}};
  out.respond(201, "application/json", status.dump(), {});
}

// An eviction is a plain delete here: no PodDisruptionBudgets to consult.
void ApiServer::serveEviction(HttpResponder& out, const Target& t) {
  auto r = store_.remove(t.info.gvr, t.ns, t.name, {});
  if (!r) {
    sendError(out, r.error());
    return;
  }
  sendJson(out, 201, successStatus(t.info, t.name, *r));
}

}  // namespace ossvp::kubesim
