#include "ossvp/controller/status_writer.h"

#include "ossvp/common/log.h"
#include "ossvp/controller/kube/api_errors.h"
#include "ossvp/controller/kube/object_util.h"

namespace ossvp::controller {

using kube::Object;

namespace {

std::string keyOf(const std::string& ns, const std::string& name) { return ns + "/" + name; }

int64_t generationOf(const Object& obj) {
  return obj.contains("metadata") ? obj["metadata"].value("generation", int64_t{0}) : 0;
}

// Applies `mutations` in order; true when any of them changed something.
bool applyAll(const std::vector<StatusWriter::Mutation>& mutations, OssvpStatus& st, const Object& obj) {
  bool changed = false;
  for (const auto& m : mutations) changed = m(st, obj) || changed;
  return changed;
}

}  // namespace

std::vector<StatusWriter::Mutation> StatusWriter::takePending(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pending_.find(key);
  if (it == pending_.end()) return {};
  std::vector<Mutation> out = std::move(it->second.mutations);
  pending_.erase(it);
  return out;
}

void StatusWriter::restorePending(const std::string& key, Clock::Instant since, std::vector<Mutation> mutations) {
  if (mutations.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, fresh] = pending_.try_emplace(key);
  Pending& p = it->second;
  p.since = fresh ? since : std::min(p.since, since);
  mutations.insert(mutations.end(), std::make_move_iterator(p.mutations.begin()),
                   std::make_move_iterator(p.mutations.end()));
  p.mutations = std::move(mutations);
}

Status StatusWriter::update(const std::string& ns, const std::string& name, const Mutation& mutate) {
  const std::string key = keyOf(ns, name);
  std::lock_guard<std::mutex> serial(writeMu_);
  const Clock::Instant since = clock_.steadyNow();
  std::vector<Mutation> all = takePending(key);
  const size_t earlier = all.size();
  all.push_back(mutate);
  Status s = writeAll(ns, name, all);
  if (!s.isOk() && !kube::isNotFound(s)) {
    all.pop_back();  // the caller sees the failure and retries its own change
    restorePending(key, since, std::move(all));
  } else if (earlier > 0 && !s.isOk()) {
    logInfo("dropping {} pending status change(s) of ossvp {}: it no longer exists", earlier, key);
  }
  return s;
}

Status StatusWriter::updateCoalesced(const std::string& ns, const std::string& name, Mutation mutate, bool soon) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (window_.count() > 0) {
      auto [it, fresh] = pending_.try_emplace(keyOf(ns, name));
      Pending& p = it->second;
      const auto now = clock_.steadyNow();
      if (fresh) p.since = now;
      if (soon) p.since = std::min(p.since, now - window_);  // due at the next flushDue
      p.mutations.push_back(std::move(mutate));
      return Status::ok();
    }
  }
  return update(ns, name, mutate);
}

int StatusWriter::flushDue(bool all) {
  std::vector<std::pair<std::string, Clock::Instant>> due;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto now = clock_.steadyNow();
    for (const auto& [k, p] : pending_) {
      if (all || now - p.since >= window_) due.emplace_back(k, p.since);
    }
  }
  int written = 0;
  for (const auto& [key, since] : due) {
    auto slash = key.find('/');
    std::string ns = key.substr(0, slash), name = key.substr(slash + 1);
    std::lock_guard<std::mutex> serial(writeMu_);
    std::vector<Mutation> mutations = takePending(key);
    if (mutations.empty()) continue;  // an update() wrote them meanwhile
    Status s = writeAll(ns, name, mutations);
    if (s.isOk()) {
      ++written;
    } else if (!kube::isNotFound(s)) {
      logWarn("cannot write the status of ossvp {} ({} change(s) kept for the next attempt): {}", key, mutations.size(),
              s.message());
      restorePending(key, since, std::move(mutations));
    }
  }
  return written;
}

void StatusWriter::setCoalesceWindow(std::chrono::milliseconds window) {
  std::lock_guard<std::mutex> lock(mu_);
  window_ = window;
}

std::optional<GenericPvcEntry> StatusWriter::genericEntry(const std::string& ns, const std::string& name,
                                                          const std::string& pvcUid) const {
  const std::string key = keyOf(ns, name);
  auto obj = reader_.getCached(kube::resources::ossvps(), ns, name);
  if (!obj) return std::nullopt;
  std::vector<Mutation> mutations;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = pending_.find(key); it != pending_.end()) mutations = it->second.mutations;
  }
  // Only this entry is parsed; the mutations of other PVCs' entries edit
  // entries of this partial copy that nobody reads.
  Object partial = Object::object();
  const Object* entry = nullptr;
  if (obj->contains("status") && (*obj)["status"].contains("generic")) {
    const Object& generic = (*obj)["status"]["generic"];
    if (auto it = generic.find(pvcUid); it != generic.end()) entry = &*it;
  }
  if (entry) partial["generic"][pvcUid] = *entry;
  auto parsed = OssvpStatus::fromJson(partial);
  OssvpStatus st = parsed.isOk() ? std::move(parsed).value() : OssvpStatus{};
  applyAll(mutations, st, *obj);
  auto it = st.generic.find(pvcUid);
  if (it == st.generic.end()) return std::nullopt;
  return it->second;
}

Status StatusWriter::writeAll(const std::string& ns, const std::string& name, const std::vector<Mutation>& mutations) {
  const auto& res = kube::resources::ossvps();
  Object current;
  if (auto cached = reader_.getCached(res, ns, name)) {
    current = *cached;
  } else {
    auto fresh = api_.get(res, ns, name);
    if (!fresh.isOk()) return fresh.status();
    current = std::move(fresh).value();
  }
  Status last;
  for (int attempt = 0; attempt < 10; ++attempt) {
    if (attempt > 0) {
      auto fresh = api_.get(res, ns, name);
      if (!fresh.isOk()) return fresh.status();
      current = std::move(fresh).value();
    }
    auto parsed = OssvpStatus::fromJson(current.value("status", Object()));
    OssvpStatus st = parsed.isOk() ? std::move(parsed).value() : OssvpStatus{};
    const Object before = st.toJson();
    if (!applyAll(mutations, st, current)) return Status::ok();
    summarizeStatus(&st, generationOf(current));
    applyModeShape(&st, modeOf(current));
    Object next = current;
    next["status"] = st.toJson();
    if (parsed.isOk() && next["status"] == before) return Status::ok();  // only the unpublished record changed
    auto written = api_.updateStatus(res, next);
    if (written.isOk()) return Status::ok();
    last = written.status();
    if (!kube::isConflict(last)) return last;
  }
  return last;
}

StatusWriter::Mutation genericEntryMutation(const Object& pvc, std::function<void(GenericPvcEntry&)> edit) {
  return [uid = kube::uidOf(pvc), ns = kube::namespaceOf(pvc), name = kube::nameOf(pvc), edit = std::move(edit)](
             OssvpStatus& st, const Object&) {
    auto it = st.generic.find(uid);
    const Object before = it == st.generic.end() ? Object() : it->second.toJson();
    GenericPvcEntry& e = st.generic[uid];
    e.ns = ns;
    e.name = name;
    edit(e);
    if (e.phase != kPvcPhasePopulating) {  // a rate and an ETA belong to a copy under way
      e.bytesPerSecond.reset();
      e.etaSeconds.reset();
    }
    return e.toJson() != before;
  };
}

void summarizeStatus(OssvpStatus* st, int64_t generation) {
  st->observedGeneration = generation;
  auto now = kube::formatRfc3339(std::chrono::system_clock::now());
  auto cond = [&](std::string_view type, bool on, std::string reason, std::string message) {
    setCondition(&st->conditions, Condition{std::string(type), on ? "True" : "False", std::move(reason),
                                            std::move(message), now, generation});
  };
  // A bmcpfs entry counts unless a generic entry of the same PVC does (below).
  int inFlight = 0;
  for (const auto& [uid, e] : st->bmcpfsDataflow) inFlight += st->bmcpfsInFlight(uid) ? 1 : 0;
  const GenericPvcEntry* latest = nullptr;
  for (const auto& [uid, e] : st->generic) {
    if (!e.finished()) {
      ++inFlight;
    } else if (!latest || e.completionTime >= latest->completionTime) {
      latest = &e;
    }
  }
  st->summarizeInFlight();
  if (inFlight > 0) {
    st->phase = std::string(kPhasePopulating);
    st->message = "Populating " + std::to_string(inFlight) + " volume(s)";
    cond(kConditionPopulating, true, "PopulationInProgress", st->message);
    return;
  }
  cond(kConditionPopulating, false, "Idle", std::string(kMessageIdle));
  if (!latest) {
    // No record of a finished PVC decides (none left, or bmcpfs-dataflow
    // mode, which keeps none): a Succeeded or Failed summary stays, but
    // Populating is over (e.g. the last PVC in flight was deleted).
    if (st->phase != kPhasePopulating) return;
    bool imported = false;  // a finished import is what remains
    for (const auto& [uid, e] : st->bmcpfsDataflow) imported = imported || parsePercent(e.progress) == 100;
    st->phase = std::string(imported ? kPhaseSucceeded : kPhasePending);
    st->progress = imported ? formatPercent(100) : "";
    st->message = std::string(imported ? kMessagePopulated : kMessageIdle);
    return;
  }
  if (latest->phase == kPvcPhaseSucceeded) {
    st->phase = std::string(kPhaseSucceeded);
    st->progress = formatPercent(100);
    st->message = std::string(kMessagePopulated);
    cond(kConditionPopulated, true, "PopulationSucceeded", "populated PVC " + latest->ns + "/" + latest->name);
    cond(kConditionFailed, false, "PopulationSucceeded", "");
  } else {
    st->phase = std::string(kPhaseFailed);
    st->message = latest->lastError;
    cond(kConditionFailed, true, "PopulationFailed",
         "PVC " + latest->ns + "/" + latest->name + ": " + latest->lastError);
    cond(kConditionPopulated, false, "PopulationFailed", "");
  }
}

}  // namespace ossvp::controller
