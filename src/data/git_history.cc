// Reading .dvc and dvc.lock files from git history, for gc's -a/-T/-A.
#include <set>

#include "core/error.h"
#include "core/strings.h"
#include "core/subprocess.h"
#include "data/ops.h"

namespace leanops {
namespace {

std::vector<std::string> Git(Repo& repo, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult r = RunCapture(argv, repo.root());
  if (r.exit_code != 0) ThrowData("'git {}' failed in {}", fmt::join(args, " "), repo.root());
  return Split(r.out, '\n', false);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> PointerFilesInHistory(Repo& repo,
                                                                       const GcScope& scope) {
  std::vector<std::pair<std::string, std::string>> files;
  if (!scope.all_branches && !scope.all_tags && !scope.all_commits) return files;
  if (!repo.has_git()) ThrowData("-a, -T and -A need a git repository at {}", repo.root());

  std::set<std::string> revisions;
  if (scope.all_commits) {
    for (const std::string& rev : Git(repo, {"rev-list", "--all"})) revisions.insert(rev);
  } else {
    std::vector<std::string> refs;
    if (scope.all_branches) refs.push_back("refs/heads");
    if (scope.all_tags) refs.push_back("refs/tags");
    std::vector<std::string> args{"for-each-ref", "--format=%(objectname)"};
    args.insert(args.end(), refs.begin(), refs.end());
    for (const std::string& rev : Git(repo, args)) revisions.insert(rev);
  }

  // One ls-tree per revision lists its pointer files; one cat-file reads them all.
  std::string requests;
  std::vector<std::string> names;
  for (const std::string& rev : revisions) {
    ProcessResult r = RunCapture({"git", "ls-tree", "-r", "-z", "--name-only", rev}, repo.root());
    if (r.exit_code != 0) continue;  // not a commit (an annotated tag of a blob, say)
    size_t pos = 0;
    while (pos < r.out.size()) {
      size_t end = r.out.find('\0', pos);
      if (end == std::string::npos) end = r.out.size();
      std::string path = r.out.substr(pos, end - pos);
      pos = end + 1;
      bool lock = path == "dvc.lock" || path.ends_with("/dvc.lock");
      if (!lock && !path.ends_with(".dvc")) continue;
      if (path.find('\n') != std::string::npos) continue;  // cannot be named on a batch line
      names.push_back(rev.substr(0, 12) + ":" + path);
      requests += rev + ":" + path + "\n";
    }
  }
  if (names.empty()) return files;
  ProcessResult r = RunCapture({"git", "cat-file", "--batch"}, repo.root(), requests);
  if (r.exit_code != 0) ThrowData("'git cat-file --batch' failed in {}", repo.root());
  // Output: for each request "<oid> <type> <size>\n<contents>\n".
  size_t pos = 0;
  for (const std::string& name : names) {
    size_t header_end = r.out.find('\n', pos);
    if (header_end == std::string::npos) break;
    std::string header = r.out.substr(pos, header_end - pos);
    pos = header_end + 1;
    size_t last_space = header.rfind(' ');
    if (header.ends_with(" missing") || last_space == std::string::npos) continue;
    size_t size = std::stoull(header.substr(last_space + 1));
    files.emplace_back(name, r.out.substr(pos, size));
    pos += size + 1;
  }
  return files;
}

}  // namespace leanops
