// Metrics and params of a repository's pipelines, in the workspace or at a
// git revision, and the differences between two of them, with DVC 3's
// semantics (dvc/repo/metrics/show.py, dvc/repo/params/show.py,
// dvc/utils/diff.py, dvc/compare.py):
//
//   - Metrics files: stage outs declared under `metrics:` and the top-level
//     `metrics:` of every dvc.yaml, relative to the repository root, in that
//     order without repeats; a directory stands for the files inside it. A
//     file is read as JSON, TOML or YAML by its suffix (as params files);
//     numbers, booleans and strings are kept, nested mappings too, lists
//     and nulls are dropped. A file that does not exist is left out; one
//     that cannot be parsed is a kData error naming it.
//   - Params files: every stage's `params:` (relative to its wdir; keys, or
//     the whole file when no keys are given), the top-level `params:` (whole
//     files) and params.yaml at the root when it exists (the whole file, as
//     `dvc params diff` shows it). A file tracked whole anywhere is tracked
//     whole. Lists are compared as their Python text ("[1, 2]").
//   - Diffs: old and new value per dotted key; `diff` (new - old) when both
//     are numbers; unchanged keys only with `all`. A key missing on one side
//     is null there.
//
// Revisions are "workspace" or anything `git rev-parse` accepts; reading at a
// revision goes through RevisionFs, dvc.yaml included. Nothing here prints.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/file_system.h"
#include "pipeline/dvc_yaml.h"
#include "pipeline/params_file.h"

namespace leanops {

inline constexpr char kWorkspace[] = "workspace";

/// One revision's view of the repository: its files and its pipelines.
struct RevisionView {
  std::string rev;           // "workspace", or the revision as given
  std::string root;          // absolute repository root
  FileSystem* fs = nullptr;  // the workspace filesystem or a RevisionFs
  std::string prefix;        // "" or "REV:" to name files of a revision in errors
  std::vector<Pipeline> pipelines;
};

/// Every dvc.yaml under `root` (absolute paths, sorted), not descending
/// into .git, .dvc or directories tracked by a sibling `<dir>.dvc`.
std::vector<std::string> FindPipelineFiles(FileSystem& fs, const std::string& root);

/// Loads the pipelines of `root` as seen through `fs`; `prefix` is put in
/// front of file names in errors ("HEAD:dvc.yaml:3: ...").
RevisionView LoadRevisionView(FileSystem& fs, const std::string& root, const std::string& rev,
                              const std::string& prefix);

/// A file's parsed contents (metrics after dropping lists and nulls).
struct FileData {
  std::string path;  // relative to the repository root
  Json data;
};

/// The metrics files of `view`'s pipelines (root-relative, in DVC's order).
std::vector<std::string> CollectMetricsFiles(const RevisionView& view);
/// Reads them; missing files are left out. Directories expand to their files.
std::vector<FileData> ReadMetrics(const RevisionView& view);
/// Keeps numbers, booleans and strings of a parsed metrics file (and the
/// mappings holding them), as dvc's _extract_metrics; null when nothing is left.
Json ExtractMetrics(const Json& data);

struct ParamsFileSpec {
  std::string path;               // relative to the repository root
  std::vector<std::string> keys;  // dotted keys; empty = the whole file
};
/// The params files of `view`'s pipelines, merged as DVC merges them.
std::vector<ParamsFileSpec> CollectParamsFiles(const RevisionView& view);
/// Reads them: for each existing file, its tracked values flattened to
/// dotted keys, lists as their Python text (dvc's format_dict). `data` is
/// an object {key: value} in file order.
std::vector<FileData> ReadParams(const RevisionView& view);

/// One changed (or, with `all`, unchanged) value.
struct DiffRow {
  std::string path;            // file, relative to the repository root
  std::string key;             // dotted key; "" for a file holding a single value
  Json old_value;              // null when absent
  Json new_value;              // null when absent
  std::optional<Json> change;  // new - old when both are numbers
};

/// Compares two revisions' file data key by key (files and keys sorted).
std::vector<DiffRow> DiffFileData(const std::vector<FileData>& old_files,
                                  const std::vector<FileData>& new_files, bool all);

/// `metrics diff` / `params diff` between revisions `a` and `b` of the
/// repository at `root` ("workspace" reads `workspace_fs`). When the git
/// repository has no commit yet the result is empty, as in DVC.
std::vector<DiffRow> DiffMetrics(FileSystem& workspace_fs, const std::string& root,
                                 const std::string& a, const std::string& b, bool all);
std::vector<DiffRow> DiffParams(FileSystem& workspace_fs, const std::string& root,
                                const std::string& a, const std::string& b, bool all);

/// One revision's metrics, as `metrics show` lists them.
struct RevisionMetrics {
  std::string rev;  // "workspace", or the branch/tag names of one commit joined with ","
  std::vector<FileData> files;
};

/// `metrics show`: the workspace, then (with `all_branches` / `all_tags`)
/// each commit a branch or tag names, as DVC's brancher lists them. The
/// workspace is left out of such a listing when its metrics equal those of
/// the checked-out branch, as DVC does.
std::vector<RevisionMetrics> ShowMetrics(FileSystem& workspace_fs, const std::string& root,
                                         bool all_branches, bool all_tags);

// ------------------------------------------------------------ presentation
// DVC's output, as text and JSON (the CLI only prints these).

/// `dvc metrics show --json`: {"workspace": {"data": {path: {"data": {...}}}}},
/// one entry per revision.
Json MetricsShowJson(const std::vector<RevisionMetrics>& revisions);
/// `dvc metrics/params diff --json`: {path: {key: {"old", "new"[, "diff"]}}}.
Json DiffJson(const std::vector<DiffRow>& rows);

using TextTable = std::vector<std::vector<std::string>>;  // first row: headers

/// `dvc metrics show`: Path, then the sorted dotted metric names; one row
/// per file; floats rounded to 5 digits; "-" where a file lacks a metric.
/// With `revision_column`, a Revision column comes first (`-a`, `-T`).
TextTable MetricsShowTable(const std::vector<RevisionMetrics>& revisions, bool revision_column);
/// `dvc metrics diff` (Path, Metric, A, B, Change; numbers rounded to 5
/// digits) or `dvc params diff` (Path, Param, A, B; values as Python's str).
TextTable DiffTable(const std::vector<DiffRow>& rows, const std::string& a_name,
                    const std::string& b_name, bool metrics);

/// Renders like tabulate's "plain" format as DVC uses it: columns at least
/// two wider than their header, separated by two spaces, left-aligned,
/// trailing spaces trimmed. A table with no rows renders as "" (DVC prints
/// nothing).
std::string RenderTable(const TextTable& table);

/// `value` as Python's json.dumps(value, indent=2, ensure_ascii=False)
/// writes it: floats as Python's repr (1e-05, 1000000000000000.0), NaN and
/// infinities as NaN/Infinity/-Infinity.
std::string DumpJsonLikePython(const Json& value);

/// Python's round(value, digits) as text ("0.12346", "1e-05").
std::string RoundedFloatText(double value, int digits);

}  // namespace leanops
