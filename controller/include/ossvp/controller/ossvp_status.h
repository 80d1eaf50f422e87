// The status of an OSSVolumePopulator, as typed values with JSON round trips:
// conditions, the summary (phase, progress, message) and, per target PVC uid,
// either the seed's bmcpfs-dataflow entry or the generic-mode pod entry.
//
// Shape (crds/storage.alibabacloud.com_ossvolumepopulators.yaml):
//   status:
//     phase: Populating            progress: "59%"     message: ...
//     throughput: "85.3 MiB/s"     eta: "2m10s"        (while PVCs copy, when known)
//     conditions: [{type, status, reason, message, lastTransitionTime, observedGeneration}]
//     bmcpfsDataflow: {<pvc-uid>: {dataFlowId, dataFlowTaskId, fileSetId, fileSystemId, progress}}
//     generic: {<pvc-uid>: {namespace, name, podName, phase, progress, bytesDone, bytesTotal,
//                           objectsDone, objectsTotal, bytesPerSecond, etaSeconds, attempts,
//                           startTime, completionTime, lastError}}
//
// Thread-safety: plain value types; the free functions are pure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ossvp/common/result.h"
#include "ossvp/controller/ossvp_types.h"

namespace ossvp::controller {

// status.message once a population has completed (the seed's exact text).
inline constexpr std::string_view kMessagePopulated = "Populated successfully";
// status.message (and the Populating condition's) when nothing is in flight
// and no finished population is on record.
inline constexpr std::string_view kMessageIdle = "No population in flight";

// status.phase (the ossvp as a whole).
inline constexpr std::string_view kPhasePending = "Pending";        // nothing started yet
inline constexpr std::string_view kPhasePopulating = "Populating";  // at least one PVC in flight
inline constexpr std::string_view kPhaseSucceeded = "Succeeded";    // last population done
inline constexpr std::string_view kPhaseFailed = "Failed";          // last population failed for good

// status.generic.<uid>.phase (one target PVC).
inline constexpr std::string_view kPvcPhasePending = "Pending";        // waiting (node, source, quota)
inline constexpr std::string_view kPvcPhasePopulating = "Populating";  // populator pod copying
inline constexpr std::string_view kPvcPhaseRetrying = "Retrying";      // attempt failed, backing off
inline constexpr std::string_view kPvcPhaseRebinding = "Rebinding";    // data in place, handing PV over
inline constexpr std::string_view kPvcPhaseSucceeded = "Succeeded";
inline constexpr std::string_view kPvcPhaseFailed = "Failed";  // permanent or retries exhausted

// Condition types.
inline constexpr std::string_view kConditionPopulating = "Populating";  // True while PVCs are in flight
inline constexpr std::string_view kConditionPopulated = "Populated";    // last population succeeded
inline constexpr std::string_view kConditionFailed = "Failed";          // last population failed for good

struct Condition {
  std::string type;
  std::string status;  // "True", "False" or "Unknown"
  std::string reason;  // CamelCase
  std::string message;
  std::string lastTransitionTime;  // RFC 3339
  int64_t observedGeneration = 0;

  nlohmann::json toJson() const;
  static Result<Condition> fromJson(const nlohmann::json& j);
};

// Adds `c` or replaces the condition of the same type. lastTransitionTime is
// kept from the old condition when the status did not change. Returns true
// when anything changed (so the caller knows whether to write status).
bool setCondition(std::vector<Condition>* conditions, const Condition& c);
const Condition* findCondition(const std::vector<Condition>& conditions, std::string_view type);

// status.bmcpfsDataflow.<pvc-uid>: exactly the seed's fields.
struct BmcpfsDataflowEntry {
  std::string dataFlowId;
  std::string dataFlowTaskId;
  std::string fileSetId;
  std::string fileSystemId;
  std::string progress;  // "59%"

  nlohmann::json toJson() const;  // empty fields are omitted
  static Result<BmcpfsDataflowEntry> fromJson(const nlohmann::json& j);
};

// status.generic.<pvc-uid>: the populator pod filling one PVC.
struct GenericPvcEntry {
  std::string ns;    // "namespace"
  std::string name;  // the target PVC
  std::string podName;
  std::string phase;     // kPvcPhase*
  std::string progress;  // "59%"
  std::optional<int64_t> bytesDone, bytesTotal, objectsDone, objectsTotal;
  // While the pod copies (phase Populating), once known: the smoothed copy
  // rate and the seconds left at that rate (throughput_estimator.h).
  std::optional<int64_t> bytesPerSecond, etaSeconds;
  int attempts = 0;
  std::string startTime, completionTime;  // RFC 3339
  std::string lastError;                  // the populator's own message; never holds secrets

  nlohmann::json toJson() const;  // empty/unset fields are omitted
  static Result<GenericPvcEntry> fromJson(const nlohmann::json& j);
  bool finished() const { return phase == kPvcPhaseSucceeded || phase == kPvcPhaseFailed; }
};

struct OssvpStatus {
  int64_t observedGeneration = 0;
  std::string phase;
  std::string progress;
  std::string message;
  // While PVCs copy: their summed rate ("85.3 MiB/s") and the longest ETA
  // ("2m10s", only when every PVC in flight has one). Empty otherwise.
  std::string throughput;
  std::string eta;
  std::vector<Condition> conditions;
  std::map<std::string, BmcpfsDataflowEntry> bmcpfsDataflow;  // by PVC uid
  std::map<std::string, GenericPvcEntry> generic;             // by PVC uid

  nlohmann::json toJson() const;  // the value of .status
  // Parses .status (null or absent -> empty status).
  static Result<OssvpStatus> fromJson(const nlohmann::json& j);

  // Sets phase, progress, throughput and eta from the per-PVC entries:
  // Populating with the lowest in-flight progress when any PVC is in flight
  // (see bmcpfsInFlight, and every generic entry not finished); otherwise
  // leaves phase and progress unchanged and clears throughput and eta.
  void summarizeInFlight();
  // A bmcpfs entry is in flight until its import reached 100% or the PVC's
  // lifecycle record (the generic entry, while the status is being mutated)
  // says it finished.
  bool bmcpfsInFlight(const std::string& pvcUid) const;
};

// Keeps only the per-PVC shape the ossvp's mode publishes, applied to every
// status write (StatusWriter::update). The shared flow records each PVC's
// lifecycle (phase, lastError, completionTime) in `generic` while it mutates
// the status, so that summarizeStatus works the same for both modes.
//   generic: unchanged.
//   bmcpfs-dataflow: exactly the seed's status.bmcpfsDataflow.<uid>; the
//     generic entries are dropped. A PVC that failed for good loses its bmcpfs
//     entry too (status.message and the Failed condition say why), so that it
//     is not counted in flight later.
void applyModeShape(OssvpStatus* st, PopulatorMode mode);

// "59%". `percent` is clamped to 0..100.
std::string formatPercent(int percent);
// 59 for "59%" (or "59"); -1 when not a percentage in 0..100.
int parsePercent(std::string_view text);
// floor(done*100/total), never 100 unless `finished` (then always 100), 0
// when the total is unknown. Overflow-safe for any int64 sizes.
int progressPercent(int64_t done, int64_t total, bool finished);
// max(previous, next): progress never goes backwards within one attempt.
std::string monotonicProgress(std::string_view previous, int next);
// "85.30 MiB/s" for a rate in bytes per second.
std::string formatThroughput(int64_t bytesPerSecond);
// "45s", "2m10s", "3h05m" for a duration in seconds (negative: "0s").
std::string formatEta(int64_t seconds);

// JSON merge-patch bodies for the /status subresource. Each replaces the
// PVC's entry as a whole (fields now empty are sent as null).
nlohmann::json genericEntryPatch(const std::string& pvcUid, const GenericPvcEntry& entry);
nlohmann::json bmcpfsEntryPatch(const std::string& pvcUid, const BmcpfsDataflowEntry& entry);
// Removes the PVC's entries in both maps.
nlohmann::json removePvcEntriesPatch(const std::string& pvcUid);

}  // namespace ossvp::controller
