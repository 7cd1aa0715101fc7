// Run lineage: what a run records about where it came from, so that two runs
// can be told apart by their code, data and environment (`runs diff`), not
// only by their params and metrics.
//
// Tags (MLflow's own names where MLflow has one):
//   mlflow.source.git.commit   HEAD of the project's git work tree
//   leanops.git.dirty          "true" when tracked files differ from HEAD
//   mlflow.source.type         "LOCAL"
//   mlflow.source.name         the project directory
//   mlflow.user                who logged the run
//   leanops.version            this build of leanops
//   leanops.env.compiler       e.g. "GCC 12.2.0"
//   leanops.env.os             uname: "Linux 6.1.0-18-amd64 x86_64"
//   leanops.env.libraries      "sqlite 3.40.1, yaml-cpp 0.7.0, OpenSSL 3.0.11 ..."
// The git tags are left out when the project is not in a git work tree (or
// git is missing).
//
// Dataset inputs: one per output of a .dvc file and per dependency and
// output recorded in a dvc.lock, named by its project-relative path, with
// digest = its md5 ("<hex>.dir" for a directory), source_type "dvc",
// source = the path. A path that several stages record with one md5 is one
// input.
#pragma once

#include <string>
#include <vector>

#include "core/file_system.h"
#include "track/entities.h"

namespace leanops::track {

inline constexpr const char kGitCommitTag[] = "mlflow.source.git.commit";
inline constexpr const char kGitDirtyTag[] = "leanops.git.dirty";
inline constexpr const char kSourceTypeTag[] = "mlflow.source.type";
inline constexpr const char kSourceNameTag[] = "mlflow.source.name";
inline constexpr const char kUserTag[] = "mlflow.user";
inline constexpr const char kVersionTag[] = "leanops.version";
inline constexpr const char kCompilerTag[] = "leanops.env.compiler";
inline constexpr const char kOsTag[] = "leanops.env.os";
inline constexpr const char kLibrariesTag[] = "leanops.env.libraries";

/// Is `key` one of the code and environment tags above (not user or
/// source-name tags)? `runs diff` reports these as possible causes.
bool IsCodeOrEnvironmentTag(const std::string& key);

/// Who is acting, for run owners and the alias history: $LEANOPS_USER, else
/// $USER, else the name of the process's uid, else "unknown".
std::string CurrentUser();

/// The tags above for a run logged by `user` from `project_dir`.
std::vector<Tag> LineageTags(const std::string& project_dir, const std::string& user);

/// The DVC-tracked data of the project at `project_dir` as dataset inputs
/// (see above); empty when it is not a DVC repository. Malformed .dvc,
/// dvc.yaml or dvc.lock files throw kData naming the file.
std::vector<DatasetInput> DvcDatasetInputs(FileSystem& fs, const std::string& project_dir);

/// Pieces of the tags, exposed for tests and `version` output.
std::string CompilerDescription();
std::string OsDescription();
std::string LibraryVersions();

}  // namespace leanops::track
