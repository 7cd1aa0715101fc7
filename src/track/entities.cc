#include "track/entities.h"

#include <algorithm>
#include <cctype>

#include "track/api_error.h"

namespace leanops::track {
namespace {

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

}  // namespace

const char* LifecycleName(LifecycleStage stage) {
  return stage == LifecycleStage::kActive ? "active" : "deleted";
}

ViewType ParseViewType(const std::string& text) {
  const std::string name = Upper(text);
  if (name == "ACTIVE_ONLY" || name == "1") return ViewType::kActiveOnly;
  if (name == "DELETED_ONLY" || name == "2") return ViewType::kDeletedOnly;
  if (name == "ALL" || name == "3") return ViewType::kAll;
  ThrowInvalid("Invalid view type '{}': expected ACTIVE_ONLY, DELETED_ONLY or ALL", text);
}

const char* RunStatusName(RunStatus status) {
  switch (status) {
    case RunStatus::kRunning:
      return "RUNNING";
    case RunStatus::kScheduled:
      return "SCHEDULED";
    case RunStatus::kFinished:
      return "FINISHED";
    case RunStatus::kFailed:
      return "FAILED";
    case RunStatus::kKilled:
      return "KILLED";
  }
  return "RUNNING";
}

RunStatus ParseRunStatus(const std::string& text) {
  const std::string name = Upper(text);
  static constexpr RunStatus kAll[] = {RunStatus::kRunning, RunStatus::kScheduled,
                                       RunStatus::kFinished, RunStatus::kFailed,
                                       RunStatus::kKilled};
  for (RunStatus status : kAll) {
    if (name == RunStatusName(status) || name == std::to_string(static_cast<int>(status))) {
      return status;
    }
  }
  ThrowInvalid("Invalid run status '{}': expected RUNNING, SCHEDULED, FINISHED, FAILED or KILLED",
               text);
}

std::string CanonicalStage(const std::string& text) {
  static constexpr const char* kStages[] = {"None", "Staging", "Production", "Archived"};
  const std::string upper = Upper(text);
  for (const char* stage : kStages) {
    if (upper == Upper(stage)) return stage;
  }
  ThrowInvalid(
      "Invalid Model Version stage: {}. Value must be one of None, Staging, Production, "
      "Archived.",
      text);
}

const char* ModelVersionStatusName(ModelVersionStatus status) {
  switch (status) {
    case ModelVersionStatus::kPendingRegistration:
      return "PENDING_REGISTRATION";
    case ModelVersionStatus::kFailedRegistration:
      return "FAILED_REGISTRATION";
    case ModelVersionStatus::kReady:
      return "READY";
  }
  return "READY";
}

}  // namespace leanops::track
