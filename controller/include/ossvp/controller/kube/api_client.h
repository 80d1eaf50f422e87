// ApiClient: the Kubernetes API operations the controller needs, as an
// interface so that the reconciler runs against the real server
// (RestApiClient) or an in-memory one in tests (testing/FakeKubeApi).
// Objects are plain JSON (nlohmann::json) in their wire form.
//
// Errors map HTTP answers onto ossvp::Status codes (see api_errors.h):
// 404 NotFound, 409 AlreadyExists / PreconditionFailed (conflict),
// 410 Expired (resource version expired), 422/400 InvalidArgument,
// 401 Unauthenticated, 403 PermissionDenied, anything else Unavailable.
//
// Thread-safety: implementations are internally synchronized; every method
// may be called from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ossvp/common/result.h"
#include "ossvp/common/status.h"
#include "ossvp/controller/kube/cancellation.h"
#include "ossvp/controller/kube/object_util.h"
#include "ossvp/controller/kube/resource.h"

namespace ossvp::controller::kube {

using Object = nlohmann::json;

struct ListOptions {
  std::string labelSelector;  // "a=b,c"
  std::string fieldSelector;  // "metadata.name=x"
  std::string resourceVersion;
  int limit = 0;  // 0: no paging
  std::string continueToken;
};

struct ListResult {
  std::vector<Object> items;
  std::string resourceVersion;
  std::string continueToken;  // non-empty when more pages remain
};

struct WatchOptions {
  std::string labelSelector;
  std::string fieldSelector;
  std::string resourceVersion;
  bool allowBookmarks = true;
  int timeoutSeconds = 300;
};

// One line of a watch stream: type is ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.
struct WatchEvent {
  std::string type;
  Object object;
};

enum class PatchType { Json, Merge, Strategic };

struct DeleteOptions {
  std::string propagationPolicy = "Background";
  std::string preconditionUid;  // delete only if the object still has this uid
  int gracePeriodSeconds = -1;  // -1: server default
};

// Read access to objects, served by informer caches in production.
class ObjectReader {
 public:
  virtual ~ObjectReader() = default;
  // The object, or nullptr when absent.
  virtual std::shared_ptr<const Object> getCached(const Resource& r, const std::string& ns,
                                                  const std::string& name) const = 0;
  // Objects in `ns` ("" = all) whose labels contain every pair in `labels`.
  virtual std::vector<std::shared_ptr<const Object>> listCached(
      const Resource& r, const std::string& ns,
      const std::vector<std::pair<std::string, std::string>>& labels = {}) const = 0;
};

class ApiClient {
 public:
  virtual ~ApiClient() = default;

  virtual Result<Object> get(const Resource& r, const std::string& ns, const std::string& name) = 0;
  virtual Result<ListResult> list(const Resource& r, const std::string& ns, const ListOptions& options) = 0;
  virtual Result<Object> create(const Resource& r, const std::string& ns, const Object& obj) = 0;
  // PUT; `obj.metadata.resourceVersion` makes it conditional (409 on mismatch).
  virtual Result<Object> update(const Resource& r, const Object& obj) = 0;
  // PUT to the /status subresource.
  virtual Result<Object> updateStatus(const Resource& r, const Object& obj) = 0;
  virtual Result<Object> patch(const Resource& r, const std::string& ns, const std::string& name, PatchType type,
                               const Object& patch, bool statusSubresource = false) = 0;
  // NotFound when the object does not exist.
  virtual Status remove(const Resource& r, const std::string& ns, const std::string& name,
                        const DeleteOptions& options = {}) = 0;
  // Streams watch events to `onEvent` until the server ends the stream, the
  // callback returns false, or `cancel` fires. Returns ok on a normal end.
  virtual Status watch(const Resource& r, const std::string& ns, const WatchOptions& options,
                       const std::function<bool(const WatchEvent&)>& onEvent, const Cancellation& cancel) = 0;
};

}  // namespace ossvp::controller::kube
