// MLflow's JSON form of the tracking and registry entities, shared by the
// REST server (which writes them) and the REST client (which reads them).
//
// The shapes are protobuf's JSON mapping as MLflow's server emits it: int64
// fields (timestamps, steps) are numbers, model versions are strings, enums
// are names ("FINISHED", "READY"), empty repeated fields and unset optional
// fields are left out, and non-finite doubles are the strings "NaN",
// "Infinity" and "-Infinity". Readers accept numbers given as strings and
// the other way round, as protobuf's parser does.
#pragma once

#include <nlohmann/json.hpp>

#include "track/entities.h"

namespace leanops::track {

nlohmann::json ToJson(const Tag& tag);
nlohmann::json ToJson(const Metric& metric);
nlohmann::json ToJson(const Experiment& experiment);
nlohmann::json ToJson(const RunInfo& info);
nlohmann::json ToJson(const Run& run);
nlohmann::json ToJson(const DatasetInput& input);
nlohmann::json ToJson(const ModelVersion& version);
nlohmann::json ToJson(const RegisteredModel& model);

/// A double as MLflow's JSON has it: a number, or "NaN"/"Infinity"/"-Infinity".
nlohmann::json DoubleToJson(double value);
/// Reads a double written by DoubleToJson (or a numeric string); throws
/// INVALID_PARAMETER_VALUE naming `field` otherwise.
double DoubleFromJson(const nlohmann::json& value, const char* field);
/// Reads an int64 given as a number or a decimal string.
int64_t Int64FromJson(const nlohmann::json& value, const char* field);

Tag TagFromJson(const nlohmann::json& json);
Metric MetricFromJson(const nlohmann::json& json);
Experiment ExperimentFromJson(const nlohmann::json& json);
RunInfo RunInfoFromJson(const nlohmann::json& json);
Run RunFromJson(const nlohmann::json& json);
DatasetInput DatasetInputFromJson(const nlohmann::json& json);
ModelVersion ModelVersionFromJson(const nlohmann::json& json);
RegisteredModel RegisteredModelFromJson(const nlohmann::json& json);

}  // namespace leanops::track
