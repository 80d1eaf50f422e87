#include "ossvp/controller/status_writer.h"

#include "ossvp/controller/kube/api_errors.h"
#include "ossvp/controller/kube/object_util.h"

namespace ossvp::controller {

using kube::Object;

Status StatusWriter::update(const std::string& ns, const std::string& name,
                            const std::function<bool(OssvpStatus&, const Object&)>& mutate) {
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
  if (inFlight > 0) {
    st->summarizeInFlight();
    st->phase = std::string(kPhasePopulating);
    st->message = "Populating " + std::to_string(inFlight) + " volume(s)";
    cond(kConditionPopulating, true, "PopulationInProgress", st->message);
    return;
  }
  cond(kConditionPopulating, false, "Idle", "no population in flight");
  if (!latest) return;
  if (latest->phase == kPvcPhaseSucceeded) {
    st->phase = std::string(kPhaseSucceeded);
    st->progress = formatPercent(100);
    st->message = std::string(kMessagePopulated);
    cond(kConditionPopulated, true, "PopulationSucceeded",
         "populated PVC " + latest->ns + "/" + latest->name);
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
