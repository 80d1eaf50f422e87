#include "ossvp/populator/pod_annotator.h"

#include <sys/stat.h>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <spdlog/fmt/fmt.h>
#include <nlohmann/json.hpp>

#include "ossvp/common/log.h"
#include "ossvp/common/secret_redactor.h"
#include "ossvp/ossclient/single_request.h"

namespace ossvp::populator {

namespace {

constexpr const char* kSaDir = "/var/run/secrets/kubernetes.io/serviceaccount";

std::string envOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return (v && *v) ? std::string(v) : fallback;
}

bool fileExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

std::optional<PodTarget> detectPodTarget() {
  PodTarget t;
  t.pod = envOr("POD_NAME", "");
  t.ns = envOr("POD_NAMESPACE", "");
  if (t.pod.empty() || t.ns.empty()) return std::nullopt;
  t.tokenFile = envOr("OSSVP_KUBE_TOKEN_FILE", std::string(kSaDir) + "/token");
  if (!fileExists(t.tokenFile)) return std::nullopt;
  t.caFile = envOr("OSSVP_KUBE_CA_FILE", std::string(kSaDir) + "/ca.crt");
  if (!fileExists(t.caFile)) t.caFile.clear();
  t.apiUrl = envOr("OSSVP_KUBE_API_URL", "");
  if (t.apiUrl.empty()) {
    std::string host = envOr("KUBERNETES_SERVICE_HOST", "");
    std::string port = envOr("KUBERNETES_SERVICE_PORT", "443");
    if (host.empty()) return std::nullopt;
    if (host.find(':') != std::string::npos) host = "[" + host + "]";  // IPv6
    t.apiUrl = "https://" + host + ":" + port;
  }
  while (!t.apiUrl.empty() && t.apiUrl.back() == '/') t.apiUrl.pop_back();
  return t;
}

std::string progressPatchBody(const std::string& progressJson) {
  nlohmann::json j;
  j["metadata"]["annotations"][kProgressAnnotation] = progressJson;
  return j.dump();
}

PodAnnotator::PodAnnotator(PodTarget target) : target_(std::move(target)) {}

Status PodAnnotator::patch(const std::string& progressJson) {
  std::ifstream in(target_.tokenFile);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string token = ss.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) return Status(StatusCode::Unauthenticated, "service-account token file is empty");
  registerSecret(token);

  ossclient::SingleRequest r;
  r.method = "PATCH";
  r.url = fmt::format("{}/api/v1/namespaces/{}/pods/{}", target_.apiUrl, target_.ns, target_.pod);
  r.headers = {"Content-Type: application/merge-patch+json", "Accept: application/json",
               "Authorization: Bearer " + token};
  r.body = progressPatchBody(progressJson);
  r.timeout = std::chrono::milliseconds(5000);
  r.connectTimeout = std::chrono::milliseconds(3000);
  r.caFile = target_.caFile;
  r.keepBody = false;
  auto reply = ossclient::sendSingleRequest(r);

  Status st;
  if (!reply.isOk()) {
    st = unavailable(fmt::format("PATCH pod {}/{}: {}", target_.ns, target_.pod, reply.status().message()));
  } else if (reply->status < 200 || reply->status >= 300) {
    st = unavailable(fmt::format("PATCH pod {}/{}: HTTP {} (the populator's ServiceAccount needs 'patch' on pods)",
                                 target_.ns, target_.pod, reply->status));
  }
  if (!st.isOk()) {
    // Log the first failure and then every 30th: a missing RBAC rule must not flood the log.
    if (failures_++ % 30 == 0) logWarn("progress annotation not updated (copy continues): {}", st.message());
  } else {
    failures_ = 0;
  }
  return st;
}

}  // namespace ossvp::populator
