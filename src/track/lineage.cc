#include "track/lineage.h"

#include <openssl/crypto.h>
#include <pwd.h>
#include <sqlite3.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdlib>
#include <set>
#include <utility>

#include "core/clock.h"
#include "core/subprocess.h"
#include "data/dvc_file.h"
#include "data/repo.h"
#include "leanops_version.h"
#include "pipeline/dvc_lock.h"
#include "pipeline/dvc_yaml.h"

namespace leanops::track {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

std::string TrimNewline(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// Collects inputs in order, one per (path, md5).
class InputList {
 public:
  void Add(const std::string& path, const std::string& md5) {
    if (md5.empty() || !seen_.insert({path, md5}).second) return;
    DatasetInput input;
    input.dataset.name = path;
    input.dataset.digest = md5;
    input.dataset.source_type = "dvc";
    input.dataset.source = path;
    inputs_.push_back(std::move(input));
  }
  std::vector<DatasetInput> Take() { return std::move(inputs_); }

 private:
  std::set<std::pair<std::string, std::string>> seen_;
  std::vector<DatasetInput> inputs_;
};

}  // namespace

bool IsCodeOrEnvironmentTag(const std::string& key) {
  return key == kGitCommitTag || key == kGitDirtyTag || key == kVersionTag || key == kCompilerTag ||
         key == kOsTag || key == kLibrariesTag;
}

std::string CurrentUser() {
  for (const char* name : {"LEANOPS_USER", "USER"}) {
    std::string value = Env(name);
    if (!value.empty()) return value;
  }
  struct passwd entry;
  struct passwd* found = nullptr;
  char buffer[4096];
  if (::getpwuid_r(::getuid(), &entry, buffer, sizeof(buffer), &found) == 0 && found != nullptr)
    return found->pw_name;
  return "unknown";
}

std::string CompilerDescription() {
#if defined(__clang__)
  return std::string("Clang ") + __clang_version__;
#elif defined(__GNUC__)
  return std::string("GCC ") + __VERSION__;
#else
  return "unknown";
#endif
}

std::string OsDescription() {
  struct utsname name;
  if (::uname(&name) != 0) return "unknown";
  return std::string(name.sysname) + " " + name.release + " " + name.machine;
}

std::string LibraryVersions() {
  // yaml-cpp's headers carry no version; the build passes it when CMake
  // knows it.
#ifdef LEANOPS_YAML_CPP_VERSION
  std::string yaml = LEANOPS_YAML_CPP_VERSION;
#else
  std::string yaml = "unknown";
#endif
  return std::string("sqlite ") + sqlite3_libversion() + ", yaml-cpp " + yaml + ", openssl " +
         OpenSSL_version(OPENSSL_VERSION_STRING);
}

std::vector<Tag> LineageTags(const std::string& project_dir, const std::string& user) {
  std::vector<Tag> tags;
  ProcessResult head = RunCapture({"git", "rev-parse", "--verify", "HEAD"}, project_dir);
  if (head.exit_code == 0) {
    tags.push_back({kGitCommitTag, TrimNewline(head.out)});
    // Untracked files are not part of the commit but do not change it
    // either; modified tracked ones do.
    ProcessResult status =
        RunCapture({"git", "status", "--porcelain", "--untracked-files=no"}, project_dir);
    if (status.exit_code == 0)
      tags.push_back({kGitDirtyTag, status.out.empty() ? "false" : "true"});
  }
  tags.push_back({kSourceTypeTag, "LOCAL"});
  tags.push_back({kSourceNameTag, project_dir});
  tags.push_back({kUserTag, user});
  tags.push_back({kVersionTag, LEANOPS_VERSION});
  tags.push_back({kCompilerTag, CompilerDescription()});
  tags.push_back({kOsTag, OsDescription()});
  tags.push_back({kLibrariesTag, LibraryVersions()});
  return tags;
}

std::vector<DatasetInput> DvcDatasetInputs(FileSystem& fs, const std::string& project_dir) {
  if (!fs.Stat(project_dir + "/.dvc").is_dir()) return {};
  std::unique_ptr<Repo> repo = Repo::Open(fs, RealClock(), project_dir);
  InputList inputs;
  for (const std::string& pointer : repo->FindDvcFiles()) {
    DvcFile file = repo->LoadPointer(pointer);
    for (const DvcOut& out : file.outs)
      inputs.Add(repo->RelPath(NormalizePath(DirName(file.path) + "/" + out.path)), out.md5);
  }
  for (const Pipeline& pipeline : LoadRepoPipelines(*repo)) {
    std::string lock_path = LockPathFor(pipeline);
    LockFile lock = LoadLockFile(fs, lock_path, repo->RelPath(lock_path));
    for (const StageDef& def : pipeline.stages) {
      const LockedStage* locked = lock.Find(def.name);
      if (locked == nullptr) continue;
      for (const auto* entries : {&locked->deps, &locked->outs})
        for (const LockedEntry& e : *entries)
          inputs.Add(repo->RelPath(NormalizePath(def.wdir + "/" + e.path)), e.md5);
    }
  }
  return inputs.Take();
}

}  // namespace leanops::track
