#include "ossvp/controller/testing/fake_kube_api.h"

#include "ossvp/controller/kube/api_errors.h"
#include "ossvp/controller/kube/object_util.h"

namespace ossvp::controller::testing {

namespace {
std::string nsOrEmpty(const Resource& r, const std::string& ns) { return r.namespaced ? ns : ""; }

Status notFoundStatus(const Resource& r, const std::string& name) {
  return kube::statusFromHttp(
      404, R"({"reason":"NotFound","message":")" + r.qualifiedName() + " \\\"" + name + "\\\" not found\"}", "fake");
}
}  // namespace

std::string FakeKubeApi::key(const Resource& r, const std::string& ns, const std::string& name) {
  return r.qualifiedName() + "|" + nsOrEmpty(r, ns) + "/" + name;
}

Status FakeKubeApi::injected(const std::string& verb, const Resource& r) {
  auto it = failures_.find(verb + " " + r.plural);
  if (it == failures_.end()) return Status::ok();
  Status s = it->second;
  failures_.erase(it);
  return s;
}

void FakeKubeApi::stampLocked(Object& obj) { obj["metadata"]["resourceVersion"] = std::to_string(++rv_); }

Result<Object> FakeKubeApi::storeLocked(const Resource& r, Object obj, const std::string& action) {
  // An object being deleted whose last finalizer is gone disappears.
  const std::string k = key(r, kube::namespaceOf(obj), kube::nameOf(obj));
  bool noFinalizers = !obj["metadata"].contains("finalizers") || obj["metadata"]["finalizers"].empty();
  if (kube::isDeleting(obj) && noFinalizers) {
    objects_.erase(k);
    actions_.push_back(action);
    return obj;
  }
  if (objects_.count(k) && objects_[k] == obj) return obj;  // no-op write
  stampLocked(obj);
  objects_[k] = obj;
  actions_.push_back(action);
  return obj;
}

Object FakeKubeApi::seed(const Resource& r, Object obj) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!obj.contains("kind")) obj["kind"] = r.kind;
  if (!obj.contains("apiVersion")) obj["apiVersion"] = r.apiVersion();
  auto& md = obj["metadata"];
  if (!md.contains("uid")) md["uid"] = "uid-" + std::to_string(++uid_);
  if (!md.contains("creationTimestamp")) md["creationTimestamp"] = "2026-01-01T00:00:00Z";
  if (r.kind == "OSSVolumePopulator" && !md.contains("generation")) md["generation"] = 1;
  stampLocked(obj);
  objects_[key(r, kube::namespaceOf(obj), kube::nameOf(obj))] = obj;
  return obj;
}

std::optional<Object> FakeKubeApi::find(const Resource& r, const std::string& ns, const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(key(r, ns, name));
  if (it == objects_.end()) return std::nullopt;
  return it->second;
}

std::vector<Object> FakeKubeApi::all(const Resource& r) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Object> out;
  std::string prefix = r.qualifiedName() + "|";
  for (const auto& [k, v] : objects_) {
    if (k.rfind(prefix, 0) == 0) out.push_back(v);
  }
  return out;
}

std::vector<std::string> FakeKubeApi::actions() const {
  std::lock_guard<std::mutex> lock(mu_);
  return actions_;
}

void FakeKubeApi::clearActions() {
  std::lock_guard<std::mutex> lock(mu_);
  actions_.clear();
}

std::vector<Object> FakeKubeApi::events() const { return all(kube::resources::events()); }

std::vector<Object> FakeKubeApi::eventsWithReason(const std::string& reason) const {
  std::vector<Object> out;
  for (auto& e : events()) {
    if (e.value("reason", "") == reason) out.push_back(e);
  }
  return out;
}

void FakeKubeApi::failNext(const std::string& verb, const std::string& plural, Status status) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_[verb + " " + plural] = std::move(status);
}

void FakeKubeApi::pushWatchEvent(const Resource& r, kube::WatchEvent ev) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    watchQueues_[r.qualifiedName()].push_back(std::move(ev));
  }
  cv_.notify_all();
}

int FakeKubeApi::watchCalls(const Resource& r) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = watchCalls_.find(r.qualifiedName());
  return it == watchCalls_.end() ? 0 : it->second;
}

int FakeKubeApi::listCalls(const Resource& r) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = listCalls_.find(r.qualifiedName());
  return it == listCalls_.end() ? 0 : it->second;
}

Result<Object> FakeKubeApi::get(const Resource& r, const std::string& ns, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  OSSVP_RETURN_IF_ERROR(injected("get", r));
  auto it = objects_.find(key(r, ns, name));
  if (it == objects_.end()) return notFoundStatus(r, name);
  return it->second;
}

Result<kube::ListResult> FakeKubeApi::list(const Resource& r, const std::string& ns, const kube::ListOptions&) {
  std::lock_guard<std::mutex> lock(mu_);
  listCalls_[r.qualifiedName()]++;
  OSSVP_RETURN_IF_ERROR(injected("list", r));
  kube::ListResult out;
  std::string prefix = r.qualifiedName() + "|" + (ns.empty() ? "" : ns + "/");
  for (const auto& [k, v] : objects_) {
    if (k.rfind(prefix, 0) == 0) out.items.push_back(v);
  }
  out.resourceVersion = std::to_string(rv_);
  return out;
}

Result<Object> FakeKubeApi::create(const Resource& r, const std::string& ns, const Object& in) {
  std::lock_guard<std::mutex> lock(mu_);
  OSSVP_RETURN_IF_ERROR(injected("create", r));
  Object obj = in;
  obj["metadata"]["namespace"] = nsOrEmpty(r, ns);
  if (!r.namespaced) obj["metadata"].erase("namespace");
  std::string name = kube::nameOf(obj);
  if (objects_.count(key(r, ns, name))) {
    return kube::statusFromHttp(409, R"({"reason":"AlreadyExists","message":"already exists"})", "fake create " + name);
  }
  obj["metadata"]["uid"] = "uid-" + std::to_string(++uid_);
  obj["metadata"]["creationTimestamp"] = kube::formatRfc3339(std::chrono::system_clock::now());
  if (!obj.contains("kind")) obj["kind"] = r.kind;
  if (!obj.contains("apiVersion")) obj["apiVersion"] = r.apiVersion();
  return storeLocked(r, obj, "create " + r.plural + " " + ns + "/" + name);
}

Result<Object> FakeKubeApi::update(const Resource& r, const Object& obj) {
  std::lock_guard<std::mutex> lock(mu_);
  OSSVP_RETURN_IF_ERROR(injected("update", r));
  auto it = objects_.find(key(r, kube::namespaceOf(obj), kube::nameOf(obj)));
  if (it == objects_.end()) return notFoundStatus(r, kube::nameOf(obj));
  std::string rv = kube::resourceVersionOf(obj);
  if (!rv.empty() && rv != kube::resourceVersionOf(it->second)) {
    return kube::statusFromHttp(409, R"({"reason":"Conflict","message":"the object has been modified"})",
                                "fake update");
  }
  Object next = obj;
  if (it->second.contains("status")) next["status"] = it->second["status"];
  return storeLocked(r, next, "update " + r.plural + " " + kube::namespaceOf(obj) + "/" + kube::nameOf(obj));
}

Result<Object> FakeKubeApi::updateStatus(const Resource& r, const Object& obj) {
  std::lock_guard<std::mutex> lock(mu_);
  OSSVP_RETURN_IF_ERROR(injected("status", r));
  auto it = objects_.find(key(r, kube::namespaceOf(obj), kube::nameOf(obj)));
  if (it == objects_.end()) return notFoundStatus(r, kube::nameOf(obj));
  std::string rv = kube::resourceVersionOf(obj);
  if (!rv.empty() && rv != kube::resourceVersionOf(it->second)) {
    return kube::statusFromHttp(409, R"({"reason":"Conflict","message":"the object has been modified"})",
                                "fake status");
  }
  Object next = it->second;
  next["status"] = obj.value("status", Object::object());
  return storeLocked(r, next, "status " + r.plural + " " + kube::namespaceOf(obj) + "/" + kube::nameOf(obj));
}

Result<Object> FakeKubeApi::patch(const Resource& r, const std::string& ns, const std::string& name,
                                  kube::PatchType type, const Object& p, bool statusSubresource) {
  std::lock_guard<std::mutex> lock(mu_);
  OSSVP_RETURN_IF_ERROR(injected("patch", r));
  auto it = objects_.find(key(r, ns, name));
  if (it == objects_.end()) return notFoundStatus(r, name);
  Object next = it->second;
  try {
    if (type == kube::PatchType::Json) {
      next = next.patch(p);
    } else {
      next.merge_patch(p);
    }
  } catch (const std::exception& e) {
    return kube::statusFromHttp(422, std::string(R"({"reason":"Invalid","message":"patch failed"})"),
                                "fake patch " + name);
  }
  if (statusSubresource) {
    Object kept = it->second;
    kept["status"] = next.value("status", Object::object());
    next = kept;
  }
  return storeLocked(r, next, "patch " + r.plural + " " + nsOrEmpty(r, ns) + "/" + name);
}

Status FakeKubeApi::remove(const Resource& r, const std::string& ns, const std::string& name,
                           const kube::DeleteOptions&) {
  std::lock_guard<std::mutex> lock(mu_);
  OSSVP_RETURN_IF_ERROR(injected("delete", r));
  auto it = objects_.find(key(r, ns, name));
  if (it == objects_.end()) return notFoundStatus(r, name);
  Object& obj = it->second;
  std::string action = "delete " + r.plural + " " + nsOrEmpty(r, ns) + "/" + name;
  if (obj["metadata"].contains("finalizers") && !obj["metadata"]["finalizers"].empty()) {
    if (!kube::isDeleting(obj)) {
      obj["metadata"]["deletionTimestamp"] = kube::formatRfc3339(std::chrono::system_clock::now());
      stampLocked(obj);
    }
    actions_.push_back(action);
    return Status::ok();
  }
  objects_.erase(it);
  actions_.push_back(action);
  return Status::ok();
}

Status FakeKubeApi::watch(const Resource& r, const std::string&, const kube::WatchOptions&,
                          const std::function<bool(const kube::WatchEvent&)>& onEvent,
                          const kube::Cancellation& cancel) {
  const std::string q = r.qualifiedName();
  {
    std::lock_guard<std::mutex> lock(mu_);
    watchCalls_[q]++;
    OSSVP_RETURN_IF_ERROR(injected("watch", r));
  }
  int id = cancel.onCancel([this] { cv_.notify_all(); });
  Status result;
  while (true) {
    kube::WatchEvent ev;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return cancel.cancelled() || !watchQueues_[q].empty(); });
      if (cancel.cancelled()) break;
      ev = std::move(watchQueues_[q].front());
      watchQueues_[q].pop_front();
    }
    if (ev.type == "CLOSE") break;
    if (!onEvent(ev)) break;
  }
  cancel.unregister(id);
  return result;
}

kube::ObjectPtr FakeKubeApi::getCached(const Resource& r, const std::string& ns, const std::string& name) const {
  auto o = find(r, ns, name);
  return o ? std::make_shared<const Object>(std::move(*o)) : nullptr;
}

std::vector<kube::ObjectPtr> FakeKubeApi::listCached(const Resource& r, const std::string& ns,
                                                     const kube::LabelPairs& labels) const {
  std::vector<kube::ObjectPtr> out;
  for (auto& o : all(r)) {
    if (!ns.empty() && kube::namespaceOf(o) != ns) continue;
    if (kube::labelsMatch(o, labels)) out.push_back(std::make_shared<const Object>(std::move(o)));
  }
  return out;
}

Object makePvc(const std::string& ns, const std::string& name, const std::string& uid, const std::string& ossvpName,
               const std::string& storageClass) {
  return {{"apiVersion", "v1"},
          {"kind", "PersistentVolumeClaim"},
          {"metadata",
           {{"name", name},
            {"namespace", ns},
            {"uid", uid},
            {"finalizers", Object::array({"kubernetes.io/pvc-protection"})}}},
          {"spec",
           {{"accessModes", Object::array({"ReadWriteOnce"})},
            {"resources", {{"requests", {{"storage", "1Gi"}}}}},
            {"storageClassName", storageClass},
            {"volumeMode", "Filesystem"},
            {"dataSourceRef",
             {{"apiGroup", "storage.alibabacloud.com"}, {"kind", "OSSVolumePopulator"}, {"name", ossvpName}}}}},
          {"status", {{"phase", "Pending"}}}};
}

Object makeOssvpGeneric(const std::string& ns, const std::string& name, const std::string& secretRef) {
  Object generic = {{"labels", {{"alibabacloud.com/eci", "true"}}},
                    {"annotations", {{"k8s.aliyun.com/eci-use-specs", "2-4Gi"}}},
                    {"tolerations", Object::array({{{"key", "virtual-kubelet.io/provider"},
                                                    {"operator", "Equal"},
                                                    {"value", "alibabacloud"},
                                                    {"effect", "NoSchedule"}}})},
                    {"throughput", 100}};
  if (!secretRef.empty()) {
    generic["secretRef"] = secretRef;
  } else {
    generic["rrsaConfigs"] = {{"roleArn", "acs:ram::1234567:role/oss-populator"},
                              {"oidcProviderArn", "acs:ram::1234567:oidc-provider/my-oidc-provider"}};
  }
  return {{"apiVersion", "storage.alibabacloud.com/v1beta1"},
          {"kind", "OSSVolumePopulator"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"generation", 1}}},
          {"spec",
           {{"bucket", "my-test-bucket"},
            {"region", "cn-hangzhou"},
            {"endpoint", "oss-cn-hangzhou-internal.aliyuncs.com"},
            {"path", "/many-files/"},
            {"mode", "generic"},
            {"generic", generic}}}};
}

Object makeStorageClass(const std::string& name, bool waitForFirstConsumer) {
  return {{"apiVersion", "storage.k8s.io/v1"},
          {"kind", "StorageClass"},
          {"metadata", {{"name", name}}},
          {"provisioner", "sim.csi.k8s.io"},
          {"reclaimPolicy", "Delete"},
          {"volumeBindingMode", waitForFirstConsumer ? "WaitForFirstConsumer" : "Immediate"}};
}

Object makeSecret(const std::string& ns, const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"data", {{"accessKeyId", "QUtJRA=="}, {"accessKeySecret", "c2VjcmV0"}}}};
}

}  // namespace ossvp::controller::testing
