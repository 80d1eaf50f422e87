#include "actors/bmcpfs_backend.h"

#include <cstdlib>
#include <filesystem>
#include <functional>

#include "actors/object_util.h"
#include "actors/storage_names.h"
#include "ossvp/common/log.h"
#include "ossvp/common/secret_redactor.h"

namespace ossvp::kubesim {

namespace fs = std::filesystem;

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

// "<root>/<pvName>/" with exactly one slash between parts and a trailing slash.
std::string filesetPath(const std::string& root, const std::string& pvName) {
  std::string p = root.empty() ? "/" : root;
  if (p.front() != '/') p = "/" + p;
  if (p.back() != '/') p += '/';
  return p + pvName + "/";
}

}  // namespace

uint64_t filesetQuotaFor(uint64_t requestBytes) {
  constexpr uint64_t kGi = 1ULL << 30;
  uint64_t q = (requestBytes + kGi - 1) / kGi * kGi;
  return q < 10 * kGi ? 10 * kGi : q;
}

BmcpfsBackend::BmcpfsBackend(std::string cpfsRoot) : cpfsRoot_(std::move(cpfsRoot)) {
  std::string endpoint = env("KUBESIM_NAS_ENDPOINT");
  if (!endpoint.empty()) {
    NasClientConfig c;
    c.endpoint = endpoint;
    c.accessKeyId = env("KUBESIM_NAS_ACCESS_KEY_ID");
    c.accessKeySecret = env("KUBESIM_NAS_ACCESS_KEY_SECRET");
    if (!c.accessKeySecret.empty()) registerSecret(c.accessKeySecret);
    if (!env("KUBESIM_NAS_REGION").empty()) c.regionId = env("KUBESIM_NAS_REGION");
    nas_ = std::make_unique<NasClient>(c);
  }
}

std::vector<std::string> BmcpfsBackend::drivers() const { return {names::kBmcpfsDriver}; }

Result<ProvisionedVolume> BmcpfsBackend::create(const ProvisionRequest& request) {
  const json params = request.storageClass.value("parameters", json::object());
  std::string fsId = params.value("bmcpfsId", "");
  if (fsId.empty())
    return invalidArgument("Invalid parameters from input: " + request.pvName +
                           ", with error: bmcpfsId parameter is required");
  if (cpfsRoot_.empty()) {
    return invalidArgument(
        "kube-sim was started without --cpfs-root: start it with the same --cpfs-root "
        "as the oss-emulator to provision bmcpfs volumes");
  }
  std::string path = filesetPath(params.value("path", "/"), request.pvName);
  uint64_t quota = filesetQuotaFor(request.requestBytes);
  std::string fsDir = cpfsRoot_ + "/" + fsId;
  std::error_code ec;
  fs::create_directories(fsDir, ec);  // the file system exists before any fileset
  std::string fsetId;
  std::string mode = "nas-api";
  if (nas_) {
    auto existing = nas_->findFilesetByPath(fsId, path);
    if (!existing.isOk()) return existing.status();
    if (existing->has_value()) {
      fsetId = **existing;
    } else {
      auto created = nas_->createFileset(fsId, path, quota, request.pvName);
      if (!created.isOk()) return created.status();
      fsetId = *created;
    }
  } else {
    mode = "direct";
    char buf[32];
    std::snprintf(buf, sizeof buf, "fset-%016zx", std::hash<std::string>{}(fsId + path));
    fsetId = buf;
  }
  std::string dir = fsDir + path;
  dir.pop_back();
  fs::create_directories(dir, ec);
  if (ec) return internalError("cannot create fileset directory " + dir + ": " + ec.message());
  fs::permissions(dir, fs::perms::all, ec);

  json attrs = params;
  attrs["bmcpfsId"] = fsId;
  attrs["path"] = path;
  attrs["csi.alibabacloud.com/fileset-id"] = fsetId;
  attrs["csi.alibabacloud.com/volume-type"] = "bmcpfs";
  attrs["volumeType"] = "bmcpfs";
  attrs[names::kHostPathAttr] = dir;
  attrs["kubesim.io/fileset-mode"] = mode;
  ProvisionedVolume v;
  v.capacityBytes = quota;
  v.csi = {{"driver", names::kBmcpfsDriver}, {"volumeHandle", fsId + "+" + fsetId}, {"volumeAttributes", attrs}};
  logInfo("kube-sim bmcpfs: created fileset {} path {} in {} ({})", fsetId, path, fsId, mode);
  return v;
}

Status BmcpfsBackend::remove(const json& pv) {
  std::string handle = str(pv, {"spec", "csi", "volumeHandle"});
  auto plus = handle.find('+');
  if (plus == std::string::npos) {
    return invalidArgument("invalid volume ID format: " + handle + ", expected format: filesystemId+filesetId");
  }
  std::string fsId = handle.substr(0, plus);
  std::string fsetId = handle.substr(plus + 1);
  std::string dir = str(pv, {"spec", "csi", "volumeAttributes", names::kHostPathAttr});
  if (str(pv, {"spec", "csi", "volumeAttributes", "kubesim.io/fileset-mode"}) == "nas-api") {
    if (!nas_)
      return unavailable("bmcpfs volume " + nameOf(pv) +
                         " was created through the NAS API but "
                         "KUBESIM_NAS_ENDPOINT is not set: cannot delete fileset " +
                         fsetId);
    OSSVP_RETURN_IF_ERROR(nas_->deleteFileset(fsId, fsetId));
  } else if (!dir.empty() && !cpfsRoot_.empty() && dir.rfind(cpfsRoot_ + "/", 0) == 0) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (ec) return internalError("remove fileset directory " + dir + ": " + ec.message());
  }
  logInfo("kube-sim bmcpfs: deleted fileset {} in {}", fsetId, fsId);
  return Status::ok();
}

}  // namespace ossvp::kubesim
