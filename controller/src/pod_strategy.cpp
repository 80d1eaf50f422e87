#include "ossvp/controller/pod_strategy.h"

#include <algorithm>

#include "ossvp/common/log.h"
#include "ossvp/common/populator_contract.h"
#include "ossvp/controller/kube/api_errors.h"
#include "ossvp/controller/kube/object_util.h"
#include "ossvp/controller/names.h"
#include "ossvp/controller/populator_pod.h"

namespace ossvp::controller {

using kube::Object;
namespace contract = populator_contract;
namespace field = populator_contract::progress_field;

namespace {

int toInt(const std::string& s, int fallback = 0) {
  try {
    return s.empty() ? fallback : std::stoi(s);
  } catch (const std::exception&) {
    return fallback;
  }
}

std::optional<int64_t> int64Field(const Object& j, std::initializer_list<const char*> keys) {
  if (!j.is_object()) return std::nullopt;
  for (const char* k : keys) {
    auto it = j.find(k);
    if (it != j.end() && it->is_number_integer()) return it->get<int64_t>();
  }
  return std::nullopt;
}

std::string fixHint(const PodTermination& t, const OssvpObject& src) {
  if (t.disrupted) return "check the nodes the populator pods ran on (kubectl get nodes, kubectl describe node)";
  using contract::ExitCode;
  switch (static_cast<ExitCode>(t.exitCode)) {
    case ExitCode::BadConfig:
      return "check the ossvp spec (endpoint, region, bucket, path) and the credentials configuration";
    case ExitCode::AuthFailed:
      return "check the credentials: the AccessKey in the Secret or the RRSA role must allow "
             "oss:ListObjects and oss:GetObject on bucket " +
             src.spec.bucket;
    case ExitCode::NotFound:
      return "check spec.bucket, spec.path and spec.region/spec.endpoint: the bucket must exist and hold "
             "objects under path " +
             src.spec.path;
    case ExitCode::Capacity:
      return "request a larger PVC: spec.resources.requests.storage must exceed the size of the data "
             "under oss://" +
             src.spec.bucket + src.spec.path;
    case ExitCode::Integrity:
      return "the data read from OSS failed its CRC64 check repeatedly: check the network path to the endpoint";
    case ExitCode::TransientExhausted:
      return "check that spec.endpoint " + src.spec.endpoint +
             " is reachable from the populator pod (network, DNS, internal vs public endpoint)";
    case ExitCode::InvalidKeys: return "some object keys cannot be stored as files: rename them in the bucket";
    case ExitCode::TargetError:
      return "the volume cannot be written: check the StorageClass and the volume's permissions";
    case ExitCode::TargetBusy:
      return "another populator kept the volume busy: check for a second populator pod on the same "
             "volume (kubectl get pods -n ack-volume-populator)";
    default: return "see the populator pod's log";
  }
}

std::string percentText(int pct) { return formatPercent(pct); }

// How often a running copy is re-examined without a new progress report.
constexpr std::chrono::milliseconds kRateRecheck{std::chrono::seconds(10)};

}  // namespace

PodTermination readPodTermination(const Object& pod) {
  PodTermination t;
  const Object* term = nullptr;
  if (pod.contains("status") && pod["status"].contains("containerStatuses")) {
    for (const auto& cs : pod["status"]["containerStatuses"]) {
      if (cs.contains("state") && cs["state"].contains("terminated")) {
        term = &cs["state"]["terminated"];
        break;
      }
      if (cs.contains("lastState") && cs["lastState"].contains("terminated")) term = &cs["lastState"]["terminated"];
    }
  }
  std::string raw;
  if (term) {
    t.exitCode = term->value("exitCode", -1);
    t.reason = term->value("reason", "");
    raw = term->value("message", "");
  }
  auto parsed = Object::parse(raw, nullptr, false);
  if (parsed.is_object()) {
    t.summary = parsed;
    const Object& err = parsed.contains("error") && parsed["error"].is_object() ? parsed["error"] : parsed;
    if (err.contains("reason") && err["reason"].is_string()) t.reason = err["reason"].get<std::string>();
    if (err.contains("message") && err["message"].is_string()) t.message = err["message"].get<std::string>();
    if (t.message.empty() && parsed.contains("error") && parsed["error"].is_string()) {
      t.message = parsed["error"].get<std::string>();
    }
    if (parsed.contains("exitCode") && parsed["exitCode"].is_number_integer() && t.exitCode < 0) {
      t.exitCode = parsed["exitCode"].get<int>();
    }
  } else {
    t.message = raw;
    while (!t.message.empty() && (t.message.back() == '\n' || t.message.back() == ' ')) t.message.pop_back();
  }
  if (t.message.empty() && pod.contains("status")) t.message = pod["status"].value("message", "");
  if (t.message.empty()) {
    t.message = t.exitCode >= 0 ? "exited with code " + std::to_string(t.exitCode)
                                : "the pod failed without a container status";
  }
  t.retryable = contract::isRetryableExit(t.exitCode);
  // The populator says itself whether a retry can help (populator/README.md).
  if (t.summary.is_object() && t.summary.contains("retryable") && t.summary["retryable"].is_boolean()) {
    t.retryable = t.summary["retryable"].get<bool>();
  }
  // Kubernetes ended the pod (node gone, taint eviction): that is the cause,
  // whatever the killed container left behind; the pod itself is deleted.
  Object disruption = disruptionCondition(pod);
  if (disruption.is_object()) {
    t.disrupted = true;
    t.reason = disruption.value("reason", "");
    t.message = disruption.value("message", "");
    if (t.message.empty()) t.message = "the pod was ended by Kubernetes (" + t.reason + ")";
    t.retryable = true;
  }
  return t;
}

PodStrategy::PodStrategy(kube::ApiClient& api, const kube::ObjectReader& reader, kube::EventRecorder& events,
                         StatusWriter& status, const ControllerOptions& options, const Clock& clock)
    : api_(api),
      reader_(reader),
      events_(events),
      status_(status),
      options_(options),
      clock_(clock),
      nodes_(api, events, options.populatorNamespace) {}

Status PodStrategy::checkPrerequisites(const OssvpObject& source, const Object&) {
  if (!source.spec.generic) {
    return invalidArgument("spec.generic is required in generic mode");
  }
  const auto& g = *source.spec.generic;
  if (!g.secretRef) return Status::ok();  // RRSA: the pod gets a projected token
  const std::string where = options_.populatorNamespace + "/" + *g.secretRef;
  auto secret = api_.get(kube::resources::secrets(), options_.populatorNamespace, *g.secretRef);
  if (!secret.isOk()) {
    if (kube::isNotFound(secret.status())) {
      return notFound("Secret " + where + " (spec.generic.secretRef of ossvp " + source.ns + "/" + source.name +
                      ") not found: create it in namespace " + options_.populatorNamespace +
                      " with keys accessKeyId and accessKeySecret");
    }
    return secret.status().withContext("cannot read Secret " + where);
  }
  for (std::string_view key : {kSecretKeyAccessKeyId, kSecretKeyAccessKeySecret}) {
    bool present = false;
    for (const char* field : {"data", "stringData"}) {
      if (secret->contains(field) && (*secret)[field].contains(std::string(key))) present = true;
    }
    if (!present) {
      return invalidArgument("Secret " + where + " has no key '" + std::string(key) +
                             "': it needs accessKeyId and accessKeySecret");
    }
  }
  return Status::ok();
}

Status PodStrategy::annotatePrime(const Object& prime, const Object& annotations) {
  Object patch = {{"metadata", {{"annotations", annotations}}}};
  return api_
      .patch(kube::resources::pvcs(), kube::namespaceOf(prime), kube::nameOf(prime), kube::PatchType::Merge, patch)
      .status();
}

Status PodStrategy::writeEntry(const PopulationContext& ctx, const std::function<void(GenericPvcEntry&)>& edit) {
  return status_.update(ctx.source.ns, ctx.source.name, genericEntryMutation(ctx.pvc, edit));
}

Status PodStrategy::writeEntryLater(const PopulationContext& ctx, std::function<void(GenericPvcEntry&)> edit) {
  return status_.updateCoalesced(ctx.source.ns, ctx.source.name, genericEntryMutation(ctx.pvc, std::move(edit)));
}

// The attempts recorded on the prime PVC: the attempts annotation, or the
// attempt a pending retry follows ("N/<time>").
int PodStrategy::attemptsOf(const Object& prime) {
  int attempts = toInt(kube::annotationOf(prime, std::string(kAnnAttempts)));
  std::string ra = kube::annotationOf(prime, std::string(kAnnRetryAfter));
  if (auto slash = ra.find('/'); slash != std::string::npos) attempts = std::max(attempts, toInt(ra.substr(0, slash)));
  return attempts;
}

PopulationResult PodStrategy::populate(const PopulationContext& ctx) {
  const std::string uid = kube::uidOf(ctx.pvc);
  int attempts = attemptsOf(ctx.primePvc);

  auto pod = reader_.getCached(kube::resources::pods(), options_.populatorNamespace, populatorPodName(uid));
  if (!pod) {
    auto now = clock_.now();
    Clock::TimePoint retryAt{};
    std::string ra = kube::annotationOf(ctx.primePvc, std::string(kAnnRetryAfter));
    if (auto slash = ra.find('/'); slash != std::string::npos) {
      retryAt = parseRfc3339(ra.substr(slash + 1)).value_or(Clock::TimePoint{});
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (auto it = retries_.find(uid); it != retries_.end()) retryAt = std::max(retryAt, it->second.at);
    }
    if (retryAt > now) {
      return PopulationResult::inProgress(std::chrono::duration_cast<std::chrono::milliseconds>(retryAt - now) +
                                          std::chrono::milliseconds(50));
    }
    if (auto r = rescheduleIfNodeGone(ctx)) return *r;
    return startPod(ctx, attempts);
  }
  if (kube::isDeleting(*pod)) return PopulationResult::inProgress();
  int podAttempt = toInt(kube::labelOf(*pod, std::string(kLabelAttempt)), 1);
  std::string phase = kube::stringAt(*pod, "/status/phase");
  if (phase == "Succeeded") return onSucceeded(ctx, *pod);
  if (phase == "Failed") {
    if (auto r = rescheduleIfNodeGone(ctx)) return *r;
    return onFailed(ctx, *pod, std::max(attempts, podAttempt));
  }
  return trackRunning(ctx, *pod);
}

// Not a failed attempt: the prime PVC (with the attempt bookkeeping) is
// deleted and the population starts over on the node the scheduler picks next.
std::optional<PopulationResult> PodStrategy::rescheduleIfNodeGone(const PopulationContext& ctx) {
  if (ctx.selectedNode.empty()) return std::nullopt;
  auto r = nodes_.rescheduleIfGone(ctx.pvc, ctx.selectedNode);
  if (!r.isOk()) return PopulationResult::blocked(r.status().message());
  if (!*r) return std::nullopt;
  Status c = cleanup(kube::uidOf(ctx.pvc));  // a failed pod left on the lost node; retry bookkeeping
  if (!c.isOk()) logWarn("cannot delete the populator pod of PVC {}: {}", kube::nameOf(ctx.pvc), c.message());
  Status w = writeEntry(ctx, [&](GenericPvcEntry& e) {
    e.phase = std::string(kPvcPhasePending);
    e.podName.clear();
    e.attempts = 0;
    e.lastError = "node " + ctx.selectedNode + " no longer exists: population rescheduled, waiting for a new node";
  });
  if (!w.isOk()) logWarn("cannot update status of ossvp {}/{}: {}", ctx.source.ns, ctx.source.name, w.message());
  return PopulationResult::inProgress();
}

PopulationResult PodStrategy::startPod(const PopulationContext& ctx, int attempts) {
  const std::string uid = kube::uidOf(ctx.pvc);
  const std::string podName = populatorPodName(uid);
  const std::string podRef = options_.populatorNamespace + "/" + podName;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = retries_.find(uid); it != retries_.end()) attempts = std::max(attempts, it->second.attempt);
    if (auto it = started_.find(uid); it != started_.end()) attempts = std::max(attempts, it->second);
  }
  if (!ctx.prerequisitesChecked) {  // e.g. a retry: the Secret may have changed since
    Status pre = checkPrerequisites(ctx.source, ctx.pvc);
    if (!pre.isOk()) return PopulationResult::blocked(pre.message());
  }
  int attempt = attempts + 1;
  PopulatorPodInput in{kube::namespaceOf(ctx.pvc), kube::nameOf(ctx.pvc), uid, &ctx.source, ctx.selectedNode, attempt};
  auto created = api_.create(kube::resources::pods(), options_.populatorNamespace, buildPopulatorPod(in, options_));
  if (!created.isOk()) {
    // The cache had not seen a pod created a moment ago: the server refuses
    // the name, so an attempt is never counted (or announced) twice.
    if (kube::isAlreadyExists(created.status())) return PopulationResult::inProgress();
    std::string msg = "cannot create populator pod " + podRef + ": " + created.status().message();
    events_.warning(ctx.pvc, reason::kCreationError, msg);
    return PopulationResult::blocked(msg);
  }
  ctx.observe(PopulationPhase::PodCreated);
  // Recorded after the create: a crash in between is covered by the pod's
  // own attempt label. The first attempt is not written down (one request
  // less per PVC): while its pod exists the label counts it, and once it
  // failed the retry annotation does (attemptsOf).
  {
    std::lock_guard<std::mutex> lock(mu_);
    started_[uid] = attempt;
  }
  if (attempt > 1 || !kube::annotationOf(ctx.primePvc, std::string(kAnnRetryAfter)).empty()) {
    Status s = annotatePrime(
        ctx.primePvc, {{std::string(kAnnAttempts), std::to_string(attempt)}, {std::string(kAnnRetryAfter), nullptr}});
    if (!s.isOk()) logWarn("cannot record attempt {} on prime PVC of {}: {}", attempt, uid, s.message());
  }
  events_.normal(ctx.pvc, reason::kCreated,
                 "Populator pod " + podRef + " started (attempt " + std::to_string(attempt) + " of " +
                     std::to_string(options_.maxAttempts) + "), copying oss://" + ctx.source.spec.bucket +
                     ctx.source.spec.path + " into prime PVC " + options_.populatorNamespace + "/" +
                     kube::nameOf(ctx.primePvc));
  // Coalesced with the other PVCs' changes of this ossvp (an immediate write
  // of the ossvp, e.g. a failure, writes it first).
  Status w = writeEntryLater(ctx, [podName, attempt, now = kube::formatRfc3339(clock_.now())](GenericPvcEntry& e) {
    e.podName = podName;
    e.phase = std::string(kPvcPhasePopulating);
    e.attempts = attempt;
    if (e.progress.empty()) e.progress = percentText(0);
    if (e.startTime.empty()) e.startTime = now;
  });
  if (!w.isOk()) logWarn("cannot update status of ossvp {}/{}: {}", ctx.source.ns, ctx.source.name, w.message());
  return PopulationResult::inProgress();
}

PopulationResult PodStrategy::trackRunning(const PopulationContext& ctx, const Object& pod) {
  if (kube::stringAt(pod, "/status/phase") == "Running") ctx.observe(PopulationPhase::PodRunning);
  auto progress = Object::parse(kube::annotationOf(pod, contract::kProgressAnnotation), nullptr, false);
  PodBlocker blocker = podBlocker(pod);
  std::optional<std::chrono::milliseconds> recheck = checkStuck(ctx, pod, blocker);
  bool stuck = blocker.blocked() && !recheck;
  auto estimate = estimateRate(kube::uidOf(ctx.pvc), pod, progress);
  // Progress: written together with the other PVCs' of this ossvp (coalesced).
  auto edit = [progress, stuck, blocker = blocker.what, rate = estimate.first, eta = estimate.second,
               podName = kube::nameOf(pod), attempt = toInt(kube::labelOf(pod, std::string(kLabelAttempt)), 1),
               now = kube::formatRfc3339(clock_.now())](GenericPvcEntry& e) {
    if (stuck) e.lastError = "populator pod " + podName + " is stuck: " + blocker;
    e.podName = podName;
    e.phase = std::string(kPvcPhasePopulating);
    e.attempts = std::max(e.attempts, attempt);
    if (e.startTime.empty()) e.startTime = now;
    e.bytesPerSecond = rate;
    e.etaSeconds = eta;
    if (!progress.is_object()) {
      if (e.progress.empty()) e.progress = percentText(0);
      return;
    }
    e.bytesDone = int64Field(progress, {field::kBytesDone});
    e.bytesTotal = int64Field(progress, {field::kBytesTotal});
    e.objectsDone = int64Field(progress, {field::kObjectsDone});
    e.objectsTotal = int64Field(progress, {field::kObjectsTotal});
    // 100% belongs to a pod that has Succeeded: hold back at 99.
    int pct = std::min(99, progressPercent(e.bytesDone.value_or(0), e.bytesTotal.value_or(0), false));
    e.progress = monotonicProgress(e.progress, pct);
  };
  Status w = writeEntryLater(ctx, edit);
  if (!w.isOk()) logWarn("cannot update status of ossvp {}/{}: {}", ctx.source.ns, ctx.source.name, w.message());
  // A running copy is looked at again now and then, so that a stall (no new
  // report) shows as a falling rate.
  if (!recheck && kube::stringAt(pod, "/status/phase") == "Running") recheck = kRateRecheck;
  return recheck ? PopulationResult::inProgress(*recheck) : PopulationResult::inProgress();
}

std::optional<std::chrono::milliseconds> PodStrategy::checkStuck(const PopulationContext& ctx, const Object& pod,
                                                                 const PodBlocker& blocker) {
  if (!blocker.blocked()) return std::nullopt;
  if (!blocker.permanent) {
    Clock::TimePoint created =
        parseRfc3339(kube::stringAt(pod, "/metadata/creationTimestamp")).value_or(Clock::TimePoint{});
    auto stuckFor = clock_.now() - created;
    if (created != Clock::TimePoint{} && stuckFor < options_.podStuckGrace) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(options_.podStuckGrace - stuckFor) +
             std::chrono::milliseconds(50);
    }
  }
  events_.warning(
      ctx.pvc, reason::kPodBlocked,
      "Populator pod " + options_.populatorNamespace + "/" + kube::nameOf(pod) + " is stuck: " + blocker.what);
  return std::nullopt;
}

std::pair<std::optional<int64_t>, std::optional<int64_t>> PodStrategy::estimateRate(const std::string& pvcUid,
                                                                                    const Object& pod,
                                                                                    const Object& progress) {
  // Bytes move only while the populator copies (not while it lists or checks).
  auto bytes = int64Field(progress, {field::kBytesDone});
  bool copying =
      progress.is_object() && (!progress.contains(field::kPhase) || progress[field::kPhase] == contract::kPhaseCopying);
  std::lock_guard<std::mutex> lock(mu_);
  Rate& r = rates_[pvcUid];
  if (r.podUid != kube::uidOf(pod)) r = Rate{kube::uidOf(pod), ThroughputEstimator{}};
  if (bytes && copying) r.estimator.add(clock_.now(), *bytes);
  return {r.estimator.bytesPerSecond(), r.estimator.etaSeconds(int64Field(progress, {field::kBytesTotal}).value_or(0))};
}

PopulationResult PodStrategy::onSucceeded(const PopulationContext& ctx, const Object& pod) {
  ctx.observe(PopulationPhase::PodFinished);
  PodTermination t = readPodTermination(pod);
  auto progress = Object::parse(kube::annotationOf(pod, contract::kProgressAnnotation), nullptr, false);
  // Coalesced: the reconciler's immediate Succeeded write applies it first.
  Status w = writeEntryLater(ctx, [progress, t, podName = kube::nameOf(pod)](GenericPvcEntry& e) {
    e.podName = podName;
    if (e.phase != kPvcPhaseRebinding) {
      e.phase = std::string(kPvcPhaseRebinding);
      e.progress = percentText(100);
      for (const Object* src : {&progress, &t.summary}) {
        // The termination summary has totals only: on success done == total.
        if (auto v = int64Field(*src, {field::kBytesDone, field::kBytesTotal})) e.bytesDone = v;
        if (auto v = int64Field(*src, {field::kBytesTotal})) e.bytesTotal = v;
        if (auto v = int64Field(*src, {field::kObjectsDone, field::kObjectsTotal})) e.objectsDone = v;
        if (auto v = int64Field(*src, {field::kObjectsTotal})) e.objectsTotal = v;
      }
      e.lastError.clear();
    }
  });
  if (!w.isOk()) logWarn("cannot update status of ossvp {}/{}: {}", ctx.source.ns, ctx.source.name, w.message());
  return PopulationResult::succeeded();
}

PopulationResult PodStrategy::onFailed(const PopulationContext& ctx, const Object& pod, int attempts) {
  const std::string uid = kube::uidOf(ctx.pvc);
  const std::string podRef = options_.populatorNamespace + "/" + kube::nameOf(pod);
  int podAttempt = toInt(kube::labelOf(pod, std::string(kLabelAttempt)), 1);
  // A failure already handled (retry scheduled) whose pod deletion the cache has not seen yet.
  std::string ra = kube::annotationOf(ctx.primePvc, std::string(kAnnRetryAfter));
  bool handled = !ra.empty() && toInt(ra.substr(0, ra.find('/'))) == podAttempt;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = retries_.find(uid); it != retries_.end() && it->second.attempt == podAttempt) handled = true;
  }
  if (handled) {
    Status d = api_.remove(kube::resources::pods(), options_.populatorNamespace, kube::nameOf(pod));
    if (!d.isOk() && !kube::isNotFound(d)) logWarn("cannot delete failed pod {}: {}", podRef, d.message());
    return PopulationResult::inProgress(std::chrono::milliseconds(500));
  }
  (void)attempts;
  PodTermination t = readPodTermination(pod);
  std::string what = "Populator pod " + podRef + " failed (attempt " + std::to_string(podAttempt) + " of " +
                     std::to_string(options_.maxAttempts) + ", exit code " + std::to_string(t.exitCode) +
                     (t.reason.empty() ? "" : " " + t.reason) + "): " + t.message;
  const Object ossvpRef = ossvpEventRef(ctx.source);
  events_.warning(ctx.pvc, reason::kFailed, what);
  events_.warning(ossvpRef, reason::kFailed, what);

  if (!t.retryable || podAttempt >= options_.maxAttempts) {
    std::string why = t.retryable ? "gave up after " + std::to_string(podAttempt) + " attempts"
                                  : "not retried: the error is permanent";
    std::string kept = t.disrupted ? "; Kubernetes deleted the pod (" + t.reason + "), so no log is kept"
                                   : ". The failed pod is kept for diagnosis: kubectl -n " +
                                         options_.populatorNamespace + " logs " + kube::nameOf(pod);
    std::string final = what + "; " + why + ". To fix: " + fixHint(t, ctx.source) + kept +
                        "; after fixing, delete and re-create the PVC";
    Status w = writeEntry(ctx, [&](GenericPvcEntry& e) {
      e.podName = kube::nameOf(pod);
      e.phase = std::string(kPvcPhaseFailed);
      e.attempts = podAttempt;
      e.lastError = final;
      e.completionTime = kube::formatRfc3339(clock_.now());
    });
    if (!w.isOk()) logWarn("cannot update status of ossvp {}/{}: {}", ctx.source.ns, ctx.source.name, w.message());
    events_.warning(ctx.pvc, reason::kGaveUp, final);
    events_.warning(ossvpRef, reason::kGaveUp, final);
    return PopulationResult::failed(final);
  }

  auto delay = options_.retryBaseDelay * (int64_t{1} << std::min(podAttempt - 1, 20));
  delay = std::min<std::chrono::milliseconds>(delay, options_.retryMaxDelay);
  auto retryAt = clock_.now() + delay;
  Status a = annotatePrime(
      ctx.primePvc, {{std::string(kAnnRetryAfter), std::to_string(podAttempt) + "/" + kube::formatRfc3339(retryAt)}});
  if (!a.isOk()) return PopulationResult::blocked("cannot record the retry on the prime PVC: " + a.message());
  {
    std::lock_guard<std::mutex> lock(mu_);
    retries_[uid] = Retry{podAttempt, retryAt};
  }
  Status w = writeEntry(ctx, [&](GenericPvcEntry& e) {
    e.phase = std::string(kPvcPhaseRetrying);
    e.attempts = podAttempt;
    e.lastError = what;
  });
  if (!w.isOk()) logWarn("cannot update status of ossvp {}/{}: {}", ctx.source.ns, ctx.source.name, w.message());
  Status d = api_.remove(kube::resources::pods(), options_.populatorNamespace, kube::nameOf(pod));
  if (!d.isOk() && !kube::isNotFound(d)) logWarn("cannot delete failed pod {}: {}", podRef, d.message());
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(delay).count();
  events_.warning(ctx.pvc, reason::kRetrying,
                  "Retrying in " + std::to_string(secs) + "s with a new populator pod (attempt " +
                      std::to_string(podAttempt + 1) + " of " + std::to_string(options_.maxAttempts) + ")");
  return PopulationResult::inProgress(delay + std::chrono::milliseconds(50));
}

Status PodStrategy::cleanup(const std::string& pvcUid) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    retries_.erase(pvcUid);
    started_.erase(pvcUid);
    rates_.erase(pvcUid);
  }
  kube::DeleteOptions opts;
  opts.gracePeriodSeconds = 0;
  Status s = api_.remove(kube::resources::pods(), options_.populatorNamespace, populatorPodName(pvcUid), opts);
  if (!s.isOk() && !kube::isNotFound(s)) return s;
  return Status::ok();
}

}  // namespace ossvp::controller
