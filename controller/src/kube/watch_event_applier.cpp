#include "ossvp/controller/kube/watch_event_applier.h"

#include <climits>

namespace ossvp::controller::kube {
namespace {

// metadata.<key> when present: true if it is absent or a string.
bool stringOrAbsent(const Object& md, const char* key) {
  auto it = md.find(key);
  return it == md.end() || it->is_string();
}

}  // namespace

bool isCacheableObject(const Object& obj) {
  if (!obj.is_object()) return false;
  auto md = obj.find("metadata");
  if (md == obj.end() || !md->is_object()) return false;
  auto name = md->find("name");
  if (name == md->end() || !name->is_string() || name->get_ref<const std::string&>().empty()) return false;
  return stringOrAbsent(*md, "namespace") && stringOrAbsent(*md, "resourceVersion");
}

AppliedWatchEvent applyWatchEvent(ObjectCache& cache, const WatchEvent& ev, std::string* resourceVersion) {
  AppliedWatchEvent out;
  if (ev.type == "ERROR") {
    out.outcome = AppliedWatchEvent::Outcome::Relist;
    if (ev.object.is_object()) {
      auto code = ev.object.find("code");
      if (code != ev.object.end() && code->is_number_integer()) {
        long long v = code->get<long long>();
        if (v >= INT_MIN && v <= INT_MAX) out.errorCode = static_cast<int>(v);
      }
      auto msg = ev.object.find("message");
      if (msg != ev.object.end() && msg->is_string()) out.errorMessage = msg->get<std::string>();
    }
    return out;
  }
  std::string rv = resourceVersionOf(ev.object);  // "" unless a string
  if (!rv.empty()) *resourceVersion = rv;
  bool added = ev.type == "ADDED", modified = ev.type == "MODIFIED", deleted = ev.type == "DELETED";
  if (!added && !modified && !deleted) return out;  // BOOKMARK or a type we do not know
  if (!isCacheableObject(ev.object)) {
    out.malformed = true;
    return out;
  }
  auto obj = std::make_shared<const Object>(ev.object);
  out.outcome = AppliedWatchEvent::Outcome::Changed;
  out.object = obj;
  if (deleted) {
    cache.erase(namespaceOf(*obj), nameOf(*obj));
    out.change = ChangeType::Deleted;
  } else {
    out.change = cache.upsert(obj) ? ChangeType::Modified : ChangeType::Added;
  }
  return out;
}

}  // namespace ossvp::controller::kube
