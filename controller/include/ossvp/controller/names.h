// Names the controller writes into the cluster: finalizers, labels and
// annotations on the temporary objects, and every event Reason. One place,
// so tests, docs and the orphan sweep agree.
//
// Thread-safety: constants and pure functions.
#pragma once

#include <string>
#include <string_view>

namespace ossvp::controller {

// The event source ("From" in kubectl describe).
inline constexpr std::string_view kComponent = "ossvp-controller";

// On the user's PVC while a population is in flight (removed at the end).
inline constexpr std::string_view kPvcFinalizer = "storage.alibabacloud.com/populate-target-protection";
// On an ossvp while PVCs are being populated from it.
inline constexpr std::string_view kOssvpFinalizer = "storage.alibabacloud.com/ossvp-in-use";

// Labels on every temporary object (prime PVC, populator pod); the sweep selects on them.
inline constexpr std::string_view kLabelManagedBy = "app.kubernetes.io/managed-by";
inline constexpr std::string_view kManagedByValue = "ossvp-controller";
inline constexpr std::string_view kLabelTargetUid = "storage.alibabacloud.com/populator-target-uid";
inline constexpr std::string_view kLabelAttempt = "storage.alibabacloud.com/populator-attempt";
// Annotations on temporary objects.
inline constexpr std::string_view kAnnTarget = "storage.alibabacloud.com/populator-target";  // "<ns>/<name>"
inline constexpr std::string_view kAnnSource = "storage.alibabacloud.com/populator-source";  // "<ns>/<ossvp>"
// On the prime PVC: attempts started, when the next may start, terminal failure.
inline constexpr std::string_view kAnnAttempts = "storage.alibabacloud.com/populator-attempts";
inline constexpr std::string_view kAnnRetryAfter = "storage.alibabacloud.com/populator-retry-after";
inline constexpr std::string_view kAnnFailed = "storage.alibabacloud.com/populator-failed";
// On the PV handed over to the user's PVC.
inline constexpr std::string_view kAnnPopulatedFrom = "storage.alibabacloud.com/populated-from";
// The populator writes its progress into its own pod: populator_contract::kProgressAnnotation
// (ossvp/common/populator_contract.h).
// Kubernetes' own.
inline constexpr std::string_view kAnnSelectedNode = "volume.kubernetes.io/selected-node";

std::string primePvcName(std::string_view pvcUid);      // "prime-<uid>"
std::string populatorPodName(std::string_view pvcUid);  // "populate-<uid>"

// Event reasons (Normal unless noted).
namespace reason {
inline constexpr const char* kDataSourceNotFound = "PopulatorDataSourceNotFound";  // Warning
inline constexpr const char* kInvalidSource = "PopulatorInvalidSource";            // Warning
inline constexpr const char* kUnsupported = "PopulatorUnsupported";                // Warning
inline constexpr const char* kWaitForConsumer = "PopulatorWaitForFirstConsumer";
inline constexpr const char* kStorageClassNotFound = "PopulatorStorageClassNotFound";  // Warning
inline constexpr const char* kPrerequisiteMissing = "PopulatorPrerequisiteMissing";    // Warning
inline constexpr const char* kPrimeCreationError = "PopulatorPVCPrimeCreationError";  // Warning
inline constexpr const char* kCreated = "PopulatorCreated";
inline constexpr const char* kCreationError = "PopulatorCreationError";  // Warning
inline constexpr const char* kFailed = "PopulatorFailed";                // Warning
inline constexpr const char* kRetrying = "PopulatorRetrying";            // Warning
inline constexpr const char* kPodBlocked = "PopulatorPodStuck";          // Warning: pod_blocker.h, after the grace
inline constexpr const char* kGaveUp = "PopulatorGaveUp";                // Warning
inline constexpr const char* kSucceededCopy = "PopulatorCopyCompleted";
inline constexpr const char* kRebinding = "PopulatorRebinding";
inline constexpr const char* kFinished = "PopulatorFinished";
inline constexpr const char* kForeignBinding = "PopulatorForeignBinding";  // Warning
inline constexpr const char* kCleanedUp = "PopulatorCleanedUp";
inline constexpr const char* kSourceInUse = "OSSVolumePopulatorInUse";     // Warning, on an ossvp deleted while in use
inline constexpr const char* kSourceDeleting = "PopulatorSourceDeleting";  // Warning, on a PVC naming a deleted ossvp
inline constexpr const char* kDataFlowQuota = "PopulatorWaitingForDataFlowQuota";  // 10 data flows per file system
}  // namespace reason

}  // namespace ossvp::controller
