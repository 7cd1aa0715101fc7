// Streaming JSON for the REST server's large answers: pages of runs and
// metric histories, written straight to text in the shapes rest_json.h's
// ToJson gives (protobuf's JSON mapping as MLflow emits it), without
// building a DOM first. For a page of 1,000 runs or a 10,000-step history
// the DOM (one heap node per field, then a second pass to print it) cost
// more than the SQL that read the data.
//
// Text that is not valid UTF-8 is not written as is: the writers return
// nullopt and the caller falls back to the DOM, whose printer replaces it.
#pragma once

#include <optional>
#include <string>

#include "track/entities.h"

namespace leanops::track {

/// {"runs": [...], "next_page_token": "..."}, as runs/search answers.
std::optional<std::string> RunPageJson(const Page<Run>& page);

/// {"metrics": [...], "next_page_token": "..."}, as metrics/get-history answers.
std::optional<std::string> MetricPageJson(const Page<Metric>& page);

}  // namespace leanops::track
