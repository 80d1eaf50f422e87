// The contract between ossvp-populator (the program a populator Pod runs) and
// ossvp-controller (which reads what that Pod leaves behind): the exit codes
// with their names and retry class, the Pod annotation the populator writes
// its progress into, and the field names and phases of that progress JSON.
// Both sides include this header; neither keeps its own copy. The exit-code
// table is documented in populator/README.md; keep both in sync.
//
// Thread-safety: constants and pure functions.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace ossvp::populator_contract {

enum class ExitCode : int {
  Ok = 0,                  // every object copied and verified (or nothing left to do)
  Internal = 1,            // a bug or an unexpected local condition
  BadConfig = 2,           // flags/env missing or invalid, no credentials, target not a directory
  AuthFailed = 3,          // OSS/STS refused the credentials or the permission (403, 401)
  NotFound = 4,            // bucket missing, or nothing under the path
  Capacity = 5,            // the volume is too small (checked up front, or ENOSPC/EDQUOT later)
  Integrity = 6,           // a CRC64 mismatch persisted after retries
  TransientExhausted = 7,  // network / 5xx errors outlasted every retry: a new attempt may work
  InvalidKeys = 8,         // keys that cannot be files, with --strict-keys
  TargetError = 9,         // the volume cannot be written (EACCES, EROFS, EIO)
  TargetBusy = 10,         // another populator holds the volume's lock: a later attempt may work
  Cancelled = 143,         // SIGTERM/SIGINT: stopped cleanly, resumable
};

// Whether another attempt with the same input may succeed.
enum class RetryClass { Retryable, Permanent };

struct ExitCodeInfo {
  ExitCode code;
  std::string_view name;  // the termination message's "reason" when no service code names the failure
  RetryClass retry;
};

inline constexpr std::array<ExitCodeInfo, 12> kExitCodes = {{
    {ExitCode::Ok, "Succeeded", RetryClass::Permanent},
    {ExitCode::Internal, "InternalError", RetryClass::Retryable},
    {ExitCode::BadConfig, "BadConfig", RetryClass::Permanent},
    {ExitCode::AuthFailed, "AuthFailed", RetryClass::Permanent},
    {ExitCode::NotFound, "NotFound", RetryClass::Permanent},
    {ExitCode::Capacity, "InsufficientCapacity", RetryClass::Permanent},
    {ExitCode::Integrity, "IntegrityError", RetryClass::Permanent},
    {ExitCode::TransientExhausted, "TransientErrorsExhausted", RetryClass::Retryable},
    {ExitCode::InvalidKeys, "InvalidKeys", RetryClass::Permanent},
    {ExitCode::TargetError, "TargetError", RetryClass::Permanent},
    {ExitCode::TargetBusy, "TargetBusy", RetryClass::Retryable},
    {ExitCode::Cancelled, "Cancelled", RetryClass::Retryable},
}};

// The populator's exit code for a container's exit status; nullopt when the
// populator never exits with it (a signal's 128+n other than 143, a crash).
constexpr std::optional<ExitCode> exitCodeFromInt(int status) {
  for (const ExitCodeInfo& info : kExitCodes) {
    if (static_cast<int>(info.code) == status) return info.code;
  }
  return std::nullopt;
}

// A short CamelCase word for the exit code, e.g. "AuthFailed".
constexpr std::string_view exitCodeName(ExitCode code) {
  for (const ExitCodeInfo& info : kExitCodes) {
    if (info.code == code) return info.name;
  }
  return "Unknown";
}

constexpr bool isRetryable(ExitCode code) {
  for (const ExitCodeInfo& info : kExitCodes) {
    if (info.code == code) return info.retry == RetryClass::Retryable;
  }
  return false;
}

// The container exit status the kernel leaves after SIGKILL: an OOM kill.
inline constexpr int kExitKilled = 137;

// Whether a new attempt may fix a populator container that ended with
// `status` (negative: no exit status recorded) when its termination message
// does not say so itself: the table above, plus a SIGKILL (OOM kill) and an
// unknown end.
constexpr bool isRetryableExit(int status) {
  if (status < 0 || status == kExitKilled) return true;
  std::optional<ExitCode> code = exitCodeFromInt(status);
  return code && isRetryable(*code);
}

// The Pod annotation the populator keeps its progress JSON in, e.g.
//   {"phase":"copying","bytesDone":1,"bytesTotal":2,"objectsDone":3,
//    "objectsTotal":4,"throughputMBps":5.5}
inline constexpr const char* kProgressAnnotation = "storage.alibabacloud.com/populator-progress";

// Field names of the progress JSON.
namespace progress_field {
inline constexpr const char* kPhase = "phase";
inline constexpr const char* kBytesDone = "bytesDone";
inline constexpr const char* kBytesTotal = "bytesTotal";
inline constexpr const char* kObjectsDone = "objectsDone";
inline constexpr const char* kObjectsTotal = "objectsTotal";
inline constexpr const char* kThroughputMBps = "throughputMBps";
}  // namespace progress_field

// Values of the "phase" field, in order: listing, checking, copying,
// finalizing, then done or failed. Bytes move only while copying.
inline constexpr const char* kPhaseListing = "listing";
inline constexpr const char* kPhaseChecking = "checking";
inline constexpr const char* kPhaseCopying = "copying";
inline constexpr const char* kPhaseFinalizing = "finalizing";
inline constexpr const char* kPhaseDone = "done";
inline constexpr const char* kPhaseFailed = "failed";

}  // namespace ossvp::populator_contract
