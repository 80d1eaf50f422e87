#include "actors/pod_environment.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "actors/object_util.h"
#include "actors/quantity.h"
#include "actors/storage_names.h"
#include "ossvp/common/base64.h"

namespace ossvp::kubesim {

namespace fs = std::filesystem;

namespace {

constexpr const char* kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

bool writeFile(const std::string& path, const std::string& content, int mode) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  ::chmod(path.c_str(), static_cast<mode_t>(mode));
  return static_cast<bool>(out);
}

std::string pvHostPath(ClusterContext& ctx, const json& pv) {
  const json& spec = pv["spec"];
  const json attrs = spec.value("csi", json::object()).value("volumeAttributes", json::object());
  if (attrs.contains(names::kHostPathAttr)) return attrs[names::kHostPathAttr].get<std::string>();
  if (str(pv, {"spec", "csi", "driver"}) == names::kBmcpfsDriver && attrs.contains("bmcpfsId") &&
      !ctx.cpfsRoot.empty()) {
    return ctx.cpfsRoot + "/" + attrs.value("bmcpfsId", "") + attrs.value("path", "/");
  }
  if (!str(pv, {"spec", "hostPath", "path"}).empty()) return str(pv, {"spec", "hostPath", "path"});
  return str(pv, {"spec", "local", "path"});
}

// Downward API value of `fieldPath` for `pod`.
std::string downwardValue(const json& pod, const std::string& path) {
  auto mapValue = [&](const char* field, const std::string& key) { return str(pod, {"metadata", field, key.c_str()}); };
  auto mapDump = [&](const char* field) {
    std::string out;
    const json m = pod["metadata"].value(field, json::object());
    for (auto& [k, v] : m.items()) {
      out += k + "=\"" + v.get<std::string>() + "\"\n";
    }
    return out;
  };
  if (path.rfind("metadata.labels['", 0) == 0) return mapValue("labels", path.substr(17, path.size() - 19));
  if (path.rfind("metadata.annotations['", 0) == 0) return mapValue("annotations", path.substr(22, path.size() - 24));
  if (path == "metadata.labels") return mapDump("labels");
  if (path == "metadata.annotations") return mapDump("annotations");
  if (path == "metadata.name") return nameOf(pod);
  if (path == "metadata.namespace") return namespaceOf(pod);
  if (path == "metadata.uid") return uidOf(pod);
  if (path == "spec.nodeName") return str(pod, {"spec", "nodeName"});
  if (path == "spec.serviceAccountName") {
    std::string sa = str(pod, {"spec", "serviceAccountName"});
    return sa.empty() ? "default" : sa;
  }
  if (path == "status.podIP" || path == "status.hostIP" || path == "status.podIPs" || path == "status.hostIPs") {
    return "127.0.0.1";
  }
  return "";
}

std::string resourceValue(const json& container, const json& ref) {
  std::string resource = ref.value("resource", "");
  auto dot = resource.find('.');
  std::string kind = resource.substr(0, dot);                                   // limits | requests
  std::string name = dot == std::string::npos ? "" : resource.substr(dot + 1);  // cpu | memory | ...
  std::string v = str(container, {"resources", kind.c_str(), name.c_str()});
  if (v.empty()) v = str(container, {"resources", "limits", name.c_str()});
  if (v.empty()) v = name == "cpu" ? "8" : "34359738368";  // node allocatable
  if (name == "cpu") {
    double cores = v.back() == 'm' ? std::atof(v.c_str()) / 1000.0 : std::atof(v.c_str());
    std::string divisor = ref.value("divisor", "1");
    double d = divisor.back() == 'm' ? std::atof(divisor.c_str()) / 1000.0 : std::atof(divisor.c_str());
    long long n = static_cast<long long>(cores / (d > 0 ? d : 1) + 0.999999);
    return std::to_string(n < 1 ? 1 : n);
  }
  uint64_t bytes = parseQuantity(v).value_or(0);
  uint64_t div = parseQuantity(ref.value("divisor", "1")).value_or(1);
  return std::to_string((bytes + div - 1) / (div ? div : 1));
}

// Key/value data of a Secret (decoded) or ConfigMap; nullopt when missing.
// Base64 that does not decode leaves its key out: the real API server never
// stores it.
std::optional<std::map<std::string, std::string>> sourceData(ClusterContext& ctx, bool secret, const std::string& ns,
                                                             const std::string& name) {
  auto obj = ctx.store->get(secret ? gvr::kSecrets : gvr::kConfigMaps, ns, name);
  if (!obj) return std::nullopt;
  std::map<std::string, std::string> out;
  const json data = obj->value("data", json::object());
  const json extra = obj->value(secret ? "stringData" : "binaryData", json::object());
  auto putDecoded = [&out](const std::string& key, const json& value) {
    if (auto bytes = base64Decode(value.get<std::string>())) out[key] = std::move(*bytes);
  };
  for (auto& [k, v] : data.items()) {
    if (!v.is_string()) continue;
    if (secret)
      putDecoded(k, v);
    else
      out[k] = v.get<std::string>();
  }
  if (secret) {
    for (auto& [k, v] : extra.items()) out[k] = v.get<std::string>();
  } else {
    for (auto& [k, v] : extra.items()) putDecoded(k, v);
  }
  return out;
}

// Writes a secret/configMap source (with items) into dir. "" or an error message.
std::string writeKeyedSource(ClusterContext& ctx, bool secret, const std::string& ns, const json& src,
                             const std::string& dir, int defaultMode) {
  std::string name = src.value(secret ? "secretName" : "name", src.value("name", ""));
  bool optional = src.value("optional", false);
  auto data = sourceData(ctx, secret, ns, name);
  if (!data) {
    if (optional) return "";
    return std::string(secret ? "secret" : "configmap") + " \"" + name + "\" not found";
  }
  int mode = src.value("defaultMode", defaultMode);
  if (src.contains("items") && src["items"].is_array()) {
    for (const auto& item : src["items"]) {
      std::string key = item.value("key", "");
      auto it = data->find(key);
      if (it == data->end()) {
        if (optional) continue;
        return "couldn't find key " + key + " in " + (secret ? "Secret " : "ConfigMap ") + ns + "/" + name;
      }
      writeFile(dir + "/" + item.value("path", key), it->second, item.value("mode", mode));
    }
  } else {
    for (const auto& [k, v] : *data) writeFile(dir + "/" + k, v, mode);
  }
  return "";
}

std::string writeDownwardApi(const json& pod, const json& items, const std::string& dir, int defaultMode) {
  for (const auto& item : items) {
    std::string value;
    if (item.contains("fieldRef")) value = downwardValue(pod, str(item, {"fieldRef", "fieldPath"}));
    writeFile(dir + "/" + item.value("path", ""), value, item.value("mode", defaultMode));
  }
  return "";
}

std::string serviceAccountOf(const json& pod) {
  std::string sa = str(pod, {"spec", "serviceAccountName"});
  return sa.empty() ? "default" : sa;
}

std::string writeToken(ClusterContext& ctx, const json& pod, const std::string& audience, int64_t expiration,
                       const std::string& file, int mode) {
  if (!ctx.mintServiceAccountToken) return "kube-sim has no token minter";
  TokenRequestSpec req;
  req.ns = namespaceOf(pod);
  req.serviceAccount = serviceAccountOf(pod);
  if (!audience.empty()) req.audiences.push_back(audience);
  req.expirationSeconds = expiration;
  req.boundObjectRef = {{"kind", "Pod"}, {"apiVersion", "v1"}, {"name", nameOf(pod)}, {"uid", uidOf(pod)}};
  auto token = ctx.mintServiceAccountToken(req);
  if (!token) return "failed to fetch token: " + token.error().message;
  writeFile(file, token->token, mode);
  return "";
}

std::string writeProjected(ClusterContext& ctx, const json& pod, const json& projected, const std::string& dir) {
  int mode = projected.value("defaultMode", 0644);
  for (const auto& src : projected.value("sources", json::array())) {
    std::string err;
    if (src.contains("secret")) err = writeKeyedSource(ctx, true, namespaceOf(pod), src["secret"], dir, mode);
    if (src.contains("configMap")) err = writeKeyedSource(ctx, false, namespaceOf(pod), src["configMap"], dir, mode);
    if (src.contains("downwardAPI"))
      err = writeDownwardApi(pod, src["downwardAPI"].value("items", json::array()), dir, mode);
    if (src.contains("serviceAccountToken")) {
      const json& t = src["serviceAccountToken"];
      err = writeToken(ctx, pod, t.value("audience", ""), t.value("expirationSeconds", int64_t{3600}),
                       dir + "/" + t.value("path", "token"), mode);
    }
    if (!err.empty()) return err;
  }
  return "";
}

void applyFsGroup(const std::string& dir, int64_t fsGroup) {
  std::error_code ec;
  auto fix = [&](const fs::path& p) {
    if (::chown(p.c_str(), static_cast<uid_t>(-1), static_cast<gid_t>(fsGroup)) != 0) return;
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0) {
      mode_t m = st.st_mode | S_IRGRP | S_IWGRP;
      if (S_ISDIR(st.st_mode)) m |= S_IXGRP | S_ISGID;
      ::chmod(p.c_str(), m & 07777);
    }
  };
  fix(dir);
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    fix(it->path());
  }
}

std::string expandVars(const std::string& in, const std::map<std::string, std::string>& env) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '$' && i + 1 < in.size() && in[i + 1] == '$') {
      out += '$';
      ++i;
    } else if (in[i] == '$' && i + 1 < in.size() && in[i + 1] == '(') {
      size_t close = in.find(')', i + 2);
      if (close == std::string::npos) {
        out += in.substr(i);
        break;
      }
      std::string name = in.substr(i + 2, close - i - 2);
      auto it = env.find(name);
      out += it != env.end() ? it->second : in.substr(i, close - i + 1);
      i = close;
    } else {
      out += in[i];
    }
  }
  return out;
}

// A securityContext number, the container's over the pod's.
std::optional<int64_t> securityNumber(const json& pod, const json& container, const char* key) {
  json csc = container.value("securityContext", json::object());
  json psc = pod["spec"].value("securityContext", json::object());
  if (csc.contains(key) && csc[key].is_number()) return csc[key].get<int64_t>();
  if (psc.contains(key) && psc[key].is_number()) return psc[key].get<int64_t>();
  return std::nullopt;
}

}  // namespace

std::string findProgramInPath(const std::string& cmd) {
  const char* p = std::getenv("PATH");
  std::string path = p ? p : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    std::string dir = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    std::string candidate = dir + "/" + cmd;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return "";
}

std::string programForImage(const std::map<std::string, std::string>& imageMap, const std::string& image) {
  auto find = [&](const std::string& key) -> std::string {
    auto it = imageMap.find(key);
    return it == imageMap.end() ? "" : it->second;
  };
  std::string p = find(image);
  if (!p.empty()) return p;
  std::string repo = image.substr(0, image.find('@'));
  auto slash = repo.rfind('/');
  auto colon = repo.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) repo = repo.substr(0, colon);
  if (!(p = find(repo)).empty()) return p;
  for (const char* prefix : {"docker.io/library/", "docker.io/"}) {
    if (repo.rfind(prefix, 0) == 0 && !(p = find(repo.substr(std::strlen(prefix)))).empty()) return p;
  }
  slash = repo.rfind('/');
  if (slash != std::string::npos) return find(repo.substr(slash + 1));
  return "";
}

bool preparePodVolumes(ClusterContext& ctx, const json& pod, const std::string& sandboxDir,
                       std::map<std::string, std::string>& volumePaths, PrepareError& err) {
  std::string ns = namespaceOf(pod);
  int64_t fsGroup = -1;
  if (pod["spec"].value("securityContext", json::object()).contains("fsGroup")) {
    fsGroup = pod["spec"]["securityContext"]["fsGroup"].get<int64_t>();
  }
  for (const auto& vol : pod["spec"].value("volumes", json::array())) {
    std::string name = vol.value("name", "");
    std::string dir = sandboxDir + "/volumes/" + name;
    std::string claimName = str(vol, {"persistentVolumeClaim", "claimName"});
    if (vol.contains("ephemeral")) claimName = nameOf(pod) + "-" + name;
    std::error_code ec;
    if (!claimName.empty()) {
      auto claim = ctx.store->get(gvr::kPersistentVolumeClaims, ns, claimName);
      if (!claim || str(*claim, {"status", "phase"}) != "Bound") {
        err = {"FailedMount", "Unable to attach or mount volumes: unmounted volumes=[" + name +
                                  "]: persistentvolumeclaim \"" + claimName + "\" is not bound"};
        return false;
      }
      auto pv = ctx.store->get(gvr::kPersistentVolumes, "", str(*claim, {"spec", "volumeName"}));
      std::string path = pv ? pvHostPath(ctx, *pv) : "";
      if (path.empty()) {
        err = {"FailedMount", "MountVolume.SetUp failed for volume \"" + str(*claim, {"spec", "volumeName"}) +
                                  "\" : kube-sim cannot mount this PersistentVolume source (supported: kube-sim "
                                  "provisioned, bmcpfs, hostPath, local)"};
        return false;
      }
      fs::create_directories(path, ec);
      if (fsGroup >= 0) applyFsGroup(path, fsGroup);
      volumePaths[name] = path;
    } else if (vol.contains("emptyDir")) {
      fs::create_directories(dir, ec);
      ::chmod(dir.c_str(), 0777);
      volumePaths[name] = dir;
    } else if (vol.contains("hostPath")) {
      std::string path = str(vol, {"hostPath", "path"});
      std::string type = str(vol, {"hostPath", "type"});
      if (type == "DirectoryOrCreate") fs::create_directories(path, ec);
      volumePaths[name] = path;
    } else {
      fs::create_directories(dir, ec);
      std::string failure;
      if (vol.contains("secret"))
        failure = writeKeyedSource(ctx, true, ns, vol["secret"], dir, 0644);
      else if (vol.contains("configMap"))
        failure = writeKeyedSource(ctx, false, ns, vol["configMap"], dir, 0644);
      else if (vol.contains("downwardAPI"))
        failure = writeDownwardApi(pod, vol["downwardAPI"].value("items", json::array()), dir,
                                   vol["downwardAPI"].value("defaultMode", 0644));
      else if (vol.contains("projected"))
        failure = writeProjected(ctx, pod, vol["projected"], dir);
      else
        failure = "kube-sim does not support this volume type";
      if (!failure.empty()) {
        err = {"FailedMount", "MountVolume.SetUp failed for volume \"" + name + "\" : " + failure};
        return false;
      }
      if (fsGroup >= 0) applyFsGroup(dir, fsGroup);
      volumePaths[name] = dir;
    }
  }
  // The service account automount (what ServiceAccount admission adds as kube-api-access-*).
  bool automount = pod["spec"].value("automountServiceAccountToken", true);
  bool hasApiAccess = false;
  for (const auto& vol : pod["spec"].value("volumes", json::array())) {
    hasApiAccess = hasApiAccess || vol.value("name", "").rfind("kube-api-access-", 0) == 0;
  }
  if (automount && !hasApiAccess) {
    std::string dir = sandboxDir + "/volumes/kube-sim-api-access";
    if (writeToken(ctx, pod, "", 3607, dir + "/token", 0644).empty()) {
      writeFile(dir + "/ca.crt", ctx.caCertPem, 0644);
      writeFile(dir + "/namespace", ns, 0644);
      volumePaths["\x01serviceaccount"] = dir;
    }
  }
  return true;
}

std::optional<int64_t> effectiveRunAsUser(const json& pod, const json& container) {
  return securityNumber(pod, container, "runAsUser");
}

bool resolveContainerConfig(ClusterContext& ctx, const json& pod, const json& container,
                            const std::map<std::string, std::string>& volumePaths, const std::string& terminationFile,
                            const std::vector<std::pair<std::string, std::string>>& baseEnv, ContainerConfig& out,
                            PrepareError& err) {
  std::string ns = namespaceOf(pod);
  out.podName = nameOf(pod);
  out.podNamespace = ns;
  out.podUid = uidOf(pod);
  out.name = container.value("name", "");
  out.image = container.value("image", "");
  // Security context (container overrides pod).
  json psc = pod["spec"].value("securityContext", json::object());
  json csc = container.value("securityContext", json::object());
  out.runAsUser = securityNumber(pod, container, "runAsUser");
  out.runAsGroup = securityNumber(pod, container, "runAsGroup");
  out.runAsNonRoot = csc.value("runAsNonRoot", psc.value("runAsNonRoot", false));
  if (psc.contains("fsGroup")) out.supplementalGroups.push_back(psc["fsGroup"].get<int64_t>());
  for (const auto& g : psc.value("supplementalGroups", json::array()))
    out.supplementalGroups.push_back(g.get<int64_t>());
  out.readOnlyRootFilesystem = csc.value("readOnlyRootFilesystem", false);
  out.allowPrivilegeEscalation = csc.value("allowPrivilegeEscalation", true);
  out.privileged = csc.value("privileged", false);
  for (const auto& c : csc.value("capabilities", json::object()).value("add", json::array()))
    out.capAdd.push_back(c.get<std::string>());
  for (const auto& c : csc.value("capabilities", json::object()).value("drop", json::array()))
    out.capDrop.push_back(c.get<std::string>());
  std::string memory = str(container, {"resources", "limits", "memory"});
  if (!memory.empty()) {
    // The API server admits no such pod (server/quantity_fields.h); one from
    // an older store.json fails here rather than running without its limit.
    out.memoryLimitBytes = parseQuantity(memory);
    if (!out.memoryLimitBytes) {
      err = {"CreateContainerConfigError", "resources.limits.memory \"" + memory + "\" is not a valid quantity"};
      return false;
    }
  }

  // Environment.
  std::map<std::string, std::string> env;
  std::vector<std::string> order;
  auto set = [&](const std::string& k, const std::string& v) {
    if (!env.count(k)) order.push_back(k);
    env[k] = v;
  };
  for (const auto& [k, v] : baseEnv) set(k, v);
  std::string server = ctx.serverUrl;
  auto hp = server.substr(server.find("://") == std::string::npos ? 0 : server.find("://") + 3);
  auto colon = hp.rfind(':');
  if (colon != std::string::npos) {
    set("KUBERNETES_SERVICE_HOST", hp.substr(0, colon));
    set("KUBERNETES_SERVICE_PORT", hp.substr(colon + 1));
    set("KUBERNETES_SERVICE_PORT_HTTPS", hp.substr(colon + 1));
    set("KUBERNETES_PORT", "tcp://" + hp);
  }
  for (const auto& from : container.value("envFrom", json::array())) {
    bool secret = from.contains("secretRef");
    const json& ref = secret ? from["secretRef"] : from.value("configMapRef", json::object());
    auto data = sourceData(ctx, secret, ns, ref.value("name", ""));
    if (!data) {
      if (ref.value("optional", false)) continue;
      err = {"CreateContainerConfigError", std::string("Error: ") + (secret ? "secret" : "configmap") + " \"" +
                                               ref.value("name", "") + "\" not found"};
      return false;
    }
    for (const auto& [k, v] : *data) set(from.value("prefix", "") + k, v);
  }
  for (const auto& e : container.value("env", json::array())) {
    std::string name = e.value("name", "");
    if (e.contains("valueFrom")) {
      const json& vf = e["valueFrom"];
      if (vf.contains("secretKeyRef") || vf.contains("configMapKeyRef")) {
        bool secret = vf.contains("secretKeyRef");
        const json& ref = secret ? vf["secretKeyRef"] : vf["configMapKeyRef"];
        std::string objName = ref.value("name", "");
        std::string key = ref.value("key", "");
        auto data = sourceData(ctx, secret, ns, objName);
        if (!data || !data->count(key)) {
          if (ref.value("optional", false)) continue;
          err = {"CreateContainerConfigError",
                 !data ? std::string("Error: ") + (secret ? "secret" : "configmap") + " \"" + objName + "\" not found"
                       : "Error: couldn't find key " + key + " in " + (secret ? "Secret " : "ConfigMap ") + ns + "/" +
                             objName};
          return false;
        }
        set(name, data->at(key));
      } else if (vf.contains("fieldRef")) {
        set(name, downwardValue(pod, str(vf, {"fieldRef", "fieldPath"})));
      } else if (vf.contains("resourceFieldRef")) {
        set(name, resourceValue(container, vf["resourceFieldRef"]));
      }
    } else {
      set(name, expandVars(e.value("value", ""), env));
    }
  }
  for (const auto& k : order) out.env.emplace_back(k, env[k]);
  // Mounts.
  for (const auto& m : container.value("volumeMounts", json::array())) {
    auto it = volumePaths.find(m.value("name", ""));
    if (it == volumePaths.end()) {
      err = {"CreateContainerConfigError", "Error: volume \"" + m.value("name", "") + "\" not found in the pod spec"};
      return false;
    }
    MountSpec ms;
    ms.source = it->second;
    std::string sub = expandVars(m.value("subPath", m.value("subPathExpr", "")), env);
    if (!sub.empty()) {
      ms.source += "/" + sub;
      std::error_code ec;
      if (!fs::exists(ms.source)) fs::create_directories(ms.source, ec);
      ms.file = fs::is_regular_file(ms.source);
    }
    ms.target = m.value("mountPath", "");
    ms.readOnly = m.value("readOnly", false);
    out.mounts.push_back(ms);
  }
  auto sa = volumePaths.find("\x01serviceaccount");
  bool saMounted = false;
  for (const auto& m : out.mounts) saMounted = saMounted || m.target == kServiceAccountDir;
  if (sa != volumePaths.end() && !saMounted) out.mounts.push_back({sa->second, kServiceAccountDir, true, false});
  std::string tmp = container.value("terminationMessagePath", "/dev/termination-log");
  out.mounts.push_back({terminationFile, tmp, false, true});
  // Command and args.
  for (const auto& a : container.value("command", json::array()))
    out.command.push_back(expandVars(a.get<std::string>(), env));
  for (const auto& a : container.value("args", json::array()))
    out.args.push_back(expandVars(a.get<std::string>(), env));
  out.workingDir = container.value("workingDir", "");
  return true;
}

bool buildContainerProcess(ClusterContext& ctx, const json& pod, const json& container,
                           const std::map<std::string, std::string>& volumePaths, const std::string& terminationFile,
                           ProcessSpec& out, PrepareError& err) {
  // What a container image would bring: PATH (the host's), HOSTNAME, HOME.
  std::vector<std::pair<std::string, std::string>> baseEnv;
  const char* hostPath = std::getenv("PATH");
  baseEnv.emplace_back("PATH", hostPath ? hostPath : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  // Sanitizer options are node-level runtime settings here (a sanitizer build
  // of the binaries that pods run reports where the test run asked for).
  for (const char* k : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"}) {
    if (const char* v = std::getenv(k)) baseEnv.emplace_back(k, v);
  }
  baseEnv.emplace_back("HOSTNAME", nameOf(pod));
  auto runAs = effectiveRunAsUser(pod, container);
  baseEnv.emplace_back("HOME", runAs && *runAs != 0 ? "/" : "/root");
  ContainerConfig cfg;
  if (!resolveContainerConfig(ctx, pod, container, volumePaths, terminationFile, baseEnv, cfg, err)) return false;
  std::string violation = runAsNonRootViolation(cfg, "");
  if (!violation.empty()) {
    err = {"CreateContainerConfigError", violation};
    return false;
  }
  if (cfg.runAsUser) out.uid = static_cast<uid_t>(*cfg.runAsUser);
  if (cfg.runAsUser || cfg.runAsGroup) out.gid = static_cast<gid_t>(cfg.runAsGroup.value_or(0));
  for (int64_t g : cfg.supplementalGroups) out.groups.push_back(static_cast<gid_t>(g));
  for (const auto& [k, v] : cfg.env) out.env.push_back(k + "=" + v);
  out.mounts = cfg.mounts;
  // Program.
  std::string program = programForImage(ctx.imageMap, cfg.image);
  if (program.empty()) {
    err = {"ErrImagePull", "Failed to pull image \"" + cfg.image + "\": kube-sim has no --image-map entry for it"};
    return false;
  }
  std::vector<std::string> argv = cfg.command;
  if (argv.empty()) {
    argv.push_back(program);
  } else {
    std::string cmd0 = argv[0];
    std::string base = cmd0.substr(cmd0.rfind('/') == std::string::npos ? 0 : cmd0.rfind('/') + 1);
    std::string progBase = program.substr(program.rfind('/') == std::string::npos ? 0 : program.rfind('/') + 1);
    if (base == progBase) {
      argv[0] = program;
    } else if (cmd0.find('/') != std::string::npos) {
      if (::access(cmd0.c_str(), X_OK) != 0) {
        err = {"StartError", "exec: \"" + cmd0 + "\": stat " + cmd0 + ": no such file or directory"};
        return false;
      }
    } else {
      std::string found = findProgramInPath(cmd0);
      if (found.empty()) {
        err = {"StartError", "exec: \"" + cmd0 + "\": executable file not found in $PATH"};
        return false;
      }
      argv[0] = found;
    }
  }
  argv.insert(argv.end(), cfg.args.begin(), cfg.args.end());
  if (argv[0].front() != '/') argv[0] = fs::absolute(argv[0]).string();
  out.argv = argv;
  out.workingDir = cfg.workingDir;
  if (out.workingDir.empty()) {
    out.workingDir = fs::path(terminationFile).parent_path().string() + "/workdir-" + cfg.name;
    std::error_code ec;
    fs::create_directories(out.workingDir, ec);
    ::chmod(out.workingDir.c_str(), 0777);
  }
  return true;
}

}  // namespace ossvp::kubesim
