// Promotion gates: an alias (e.g. "production") moves to a model version
// only when that version's run meets every requirement, and rollback moves
// it back to where it was.
//
// Gates:
//   requirement   "metrics.auc >= 0.85", "params.optimizer = 'adam'",
//                 "tags.validated = 'true'": MLflow's run filter grammar
//                 (search_filter.h; several comparisons may be joined by AND,
//                 each one gate), evaluated against the candidate's run. A
//                 missing metric, param or tag fails, as in MLflow's search.
//   must-beat     the candidate run's metric must be strictly better than
//                 that of the run of the version another alias points to
//                 ("the incumbent"). No incumbent (alias unset, version
//                 without a run, run without the metric) passes; a candidate
//                 without the metric fails.
// Every gate is evaluated, so the user sees all that fail at once.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "track/entities.h"
#include "track/search_filter.h"
#include "track/store.h"

namespace leanops::track {

/// One requirement, parsed: the comparisons of its filter and its text.
struct Requirement {
  std::string text;
  std::vector<Comparison> comparisons;
};

/// Parses a requirement; only metrics, params and tags may be compared
/// (INVALID_PARAMETER_VALUE otherwise, and for a malformed filter).
Requirement ParseRequirement(const std::string& text);

struct MustBeat {
  std::string alias;  // whose version's run is the incumbent
  std::string metric;
  bool higher_is_better = true;
};

struct GateOutcome {
  std::string gate;  // "metrics.auc >= 0.85", "metrics.auc beats @production (higher is better)"
  bool passed = false;
  std::string detail;  // the values compared: "auc = 0.91", "0.91 vs 0.88 (version 2)"
};

/// Evaluates each comparison of `requirement` against `candidate` (nullptr:
/// the version has no run, and every gate fails).
std::vector<GateOutcome> EvaluateRequirement(const Requirement& requirement, const Run* candidate);

/// `incumbent` is the run of the version the alias points to (nullptr when
/// there is none); `incumbent_version` names it in the detail.
GateOutcome EvaluateMustBeat(const MustBeat& rule, const Run* candidate, const Run* incumbent,
                             std::optional<int64_t> incumbent_version);

/// MLflow's LIKE: '%' is any run of characters, '_' any one character, the
/// rest literal; with `ignore_case` for ILIKE (ASCII).
bool LikeMatches(const std::string& value, const std::string& pattern, bool ignore_case);

struct PromotionRequest {
  std::string model;
  int64_t version = 0;
  std::string alias;
  std::vector<Requirement> requirements;
  std::optional<MustBeat> must_beat;
  AliasChange change;
};

struct PromotionResult {
  std::vector<GateOutcome> gates;
  bool promoted = false;                    // every gate passed and the alias moved
  std::optional<int64_t> previous_version;  // what the alias pointed to before
};

/// Evaluates the gates on `store` and, when all pass, points the alias at
/// the version. An unknown model or version throws RESOURCE_DOES_NOT_EXIST;
/// failing gates do not throw (the caller reports them).
PromotionResult Promote(Store& store, const PromotionRequest& request);

/// The version a rollback of an alias goes to: walking its history from the
/// last move back, the version it held before each move, skipping versions
/// that no longer exist (`exists` says) and the one it holds now
/// (`current`, none when the alias is unset). None when there is no such
/// version.
std::optional<int64_t> RollbackTarget(const std::vector<AliasEvent>& history,
                                      std::optional<int64_t> current,
                                      const std::function<bool(int64_t)>& exists);

struct RollbackResult {
  std::optional<int64_t> from_version;
  int64_t to_version = 0;
};

/// Points `alias` back at RollbackTarget's version; throws INVALID_STATE
/// when there is none.
RollbackResult Rollback(Store& store, const std::string& model, const std::string& alias,
                        const AliasChange& change);

}  // namespace leanops::track
