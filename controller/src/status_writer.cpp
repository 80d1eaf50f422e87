#include "ossvp/controller/status_writer.h"

#include "ossvp/common/log.h"
#include "ossvp/controller/kube/api_errors.h"
#include "ossvp/controller/kube/object_util.h"

namespace ossvp::controller {

using kube::Object;

std::vector<StatusWriter::Mutation> StatusWriter::takePending(const std::string& ns, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pending_.find(ns + "/" + name);
  if (it == pending_.end()) return {};
  std::vector<Mutation> out = std::move(it->second.mutations);
  pending_.erase(it);
  return out;
}

Status StatusWriter::update(const std::string& ns, const std::string& name, const Mutation& mutate) {
  std::vector<Mutation> earlier = takePending(ns, name);
  if (earlier.empty()) return write(ns, name, mutate);
  return write(ns, name, [&](OssvpStatus& st, const Object& obj) {
    bool changed = false;
    for (const Mutation& m : earlier) changed = m(st, obj) || changed;
    return mutate(st, obj) || changed;
  });
}

Status StatusWriter::updateCoalesced(const std::string& ns, const std::string& name, Mutation mutate) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (window_.count() > 0) {
      auto [it, fresh] = pending_.try_emplace(ns + "/" + name);
      Pending& p = it->second;
      if (fresh) p.since = clock_.steadyNow();
      p.mutations.push_back(std::move(mutate));
      return Status::ok();
    }
  }
  return update(ns, name, mutate);
}

int StatusWriter::flushDue(bool all) {
  std::vector<std::string> due;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto now = clock_.steadyNow();
    for (const auto& [k, p] : pending_) {
      if (all || now - p.since >= window_) due.push_back(k);
    }
  }
  int written = 0;
  for (const std::string& k : due) {
    auto slash = k.find('/');
    std::string ns = k.substr(0, slash), name = k.substr(slash + 1);
    Status s = update(ns, name, [](OssvpStatus&, const Object&) { return false; });
    if (s.isOk()) {
      ++written;
    } else if (!kube::isNotFound(s)) {
      logWarn("cannot write the coalesced status of ossvp {}: {}", k, s.message());
    }
  }
  return written;
}

void StatusWriter::setCoalesceWindow(std::chrono::milliseconds window) {
  std::lock_guard<std::mutex> lock(mu_);
  window_ = window;
}

Status StatusWriter::write(const std::string& ns, const std::string& name, const Mutation& mutate) {
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
    if (!mutate(st, current)) return Status::ok();
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
             OssvpStatus& st, const Object& obj) {
    Object before = st.toJson();
    GenericPvcEntry& e = st.generic[uid];
    e.ns = ns;
    e.name = name;
    edit(e);
    if (e.phase != kPvcPhasePopulating) {  // a rate and an ETA belong to a copy under way
      e.bytesPerSecond.reset();
      e.etaSeconds.reset();
    }
    summarizeStatus(&st, obj.contains("metadata") ? obj["metadata"].value("generation", int64_t{0}) : 0);
    return st.toJson() != before;
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
