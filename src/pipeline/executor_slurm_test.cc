// Tests of the Slurm executor: the text it writes and parses (no cluster
// needed), then against a real cluster (../shared/services/slurm.sh, started
// by scripts/test.sh); those skip when SLURM_CONF is unset or sbatch is not
// on PATH.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/subprocess.h"
#include "pipeline/executor.h"
#include "pipeline/executor_test_util.h"
#include "pipeline/slurm_text.h"

namespace leanops {
namespace {

using namespace std::chrono_literals;
using testing_util::ReadText;
using testing_util::RecordingSink;
using testing_util::ScratchDir;
using testing_util::WaitFor;

StageJob Job(const std::string& name, const std::string& wdir, std::vector<std::string> commands,
             std::vector<std::string> after = {}) {
  StageJob job;
  job.name = name;
  job.wdir = wdir;
  job.commands = std::move(commands);
  job.after = std::move(after);
  return job;
}

TEST(SlurmTextTest, QuotesForTheShell) {
  EXPECT_EQ(ShellQuote("plain"), "'plain'");
  EXPECT_EQ(ShellQuote("it's $HOME"), "'it'\\''s $HOME'");
}

TEST(SlurmTextTest, SafeFileNames) {
  EXPECT_EQ(SafeFileName("sub/dvc.yaml:train@1"), "sub_dvc.yaml_train_1");
  EXPECT_EQ(SafeFileName(".hidden"), "_.hidden");
  EXPECT_EQ(SafeFileName("a b%c"), "a_b_c");
  EXPECT_EQ(EscapeSlurmPattern("/tmp/50%/x"), "/tmp/50%%/x");
}

TEST(SlurmTextTest, BatchScriptStopsAtTheFirstFailureWithItsCode) {
  ScratchDir dir;
  std::string wdir = dir.path() + "/it's here";
  std::filesystem::create_directories(wdir);
  StageJob job =
      Job("s", wdir, {"echo one", "echo \"two $((1+1))\"; touch ran", "exit 4", "touch never"});
  std::string script = dir.path() + "/job.sh";
  { std::ofstream(script) << BatchScript(job); }
  ProcessOutput run = RunCaptureAll({"sh", script}, "/");
  EXPECT_EQ(run.exit_code, 4);
  EXPECT_EQ(run.out, "one\ntwo 2\n");
  EXPECT_TRUE(std::filesystem::exists(wdir + "/ran"));
  EXPECT_FALSE(std::filesystem::exists(wdir + "/never"));
}

TEST(SlurmTextTest, ParsesSqueueAndScontrol) {
  auto jobs = ParseSqueue("1 PENDING None\n2 PENDING DependencyNeverSatisfied\n3 RUNNING None\n");
  ASSERT_EQ(jobs.size(), 3u);
  EXPECT_EQ(jobs["2"].state, "PENDING");
  EXPECT_EQ(jobs["2"].reason, "DependencyNeverSatisfied");
  EXPECT_EQ(jobs["3"].state, "RUNNING");

  // As printed by Slurm 22.05 (abridged).
  std::string shown =
      "JobId=2 JobName=leanops:b\n"
      "   UserId=root(0) GroupId=root(0) MCS_label=N/A\n"
      "   JobState=CANCELLED Reason=DependencyNeverSatisfied Dependency=afterok:1(failed)\n"
      "   Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0\n"
      "   DerivedExitCode=7:0\n"
      "   Command=/tmp/x JobState=RUNNING ExitCode=9:9\n";
  std::optional<SlurmJobInfo> info = ParseScontrolJob(shown);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->state, "CANCELLED");
  EXPECT_EQ(info->reason, "DependencyNeverSatisfied");
  EXPECT_EQ(info->exit_code, 0);
  EXPECT_EQ(info->signal, 0);
  info = ParseScontrolJob("JobState=FAILED Reason=NonZeroExitCode\n ExitCode=0:9\n");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->signal, 9);
  EXPECT_FALSE(ParseScontrolJob("slurm_load_jobs error: Invalid job id specified").has_value());
}

TEST(SlurmTextTest, MapsEndStatesToResults) {
  auto result = [](std::string state, std::string reason, int code, int sig, bool cancel,
                   bool upstream) {
    return SlurmResult("s", SlurmJobInfo{state, reason, code, sig}, cancel, upstream);
  };
  EXPECT_TRUE(result("COMPLETED", "None", 0, 0, false, false).ok);
  JobResult failed = result("FAILED", "NonZeroExitCode", 3, 0, false, false);
  EXPECT_FALSE(failed.ok);
  EXPECT_EQ(failed.exit_code, 3);
  EXPECT_EQ(failed.message, "exit code 3");
  EXPECT_EQ(result("FAILED", "x", 0, 9, false, false).exit_code, 137);
  EXPECT_EQ(result("CANCELLED", "None", 0, 15, true, false).message, "cancelled");
  EXPECT_EQ(result("CANCELLED", "DependencyNeverSatisfied", 0, 0, false, false).message,
            "upstream failed");
  EXPECT_EQ(result("CANCELLED", "None", 0, 0, false, true).message, "upstream failed");
  EXPECT_EQ(result("TIMEOUT", "TimeLimit", 0, 15, false, false).message, "time limit reached");
  EXPECT_EQ(result("NODE_FAIL", "None", 0, 0, false, false).message, "node failure");
  EXPECT_EQ(result("OUT_OF_MEMORY", "None", 0, 0, false, false).message, "out of memory");
  EXPECT_TRUE(IsFinalState("COMPLETED"));
  EXPECT_FALSE(IsFinalState("COMPLETING"));
  EXPECT_FALSE(IsFinalState("PENDING"));
}

bool HaveCluster() {
  return std::getenv("SLURM_CONF") != nullptr &&
         RunCaptureAll({"sbatch", "--version"}, "/").exit_code == 0;
}

class SlurmExecutorTest : public testing::Test {
 protected:
  void SetUp() override {
    if (!HaveCluster()) GTEST_SKIP() << "no Slurm cluster (SLURM_CONF unset or sbatch missing)";
    options_.scratch_dir = dir_.path() + "/slurm";
    options_.poll_interval = 200ms;
    if (const char* partition = std::getenv("LEANOPS_SLURM_PARTITION"))
      options_.partition = partition;
  }
  std::string State(const std::string& id) {
    ProcessOutput shown = RunCaptureAll({"scontrol", "show", "job", id}, "/");
    std::optional<SlurmJobInfo> info = ParseScontrolJob(shown.out);
    return info ? info->state : "?";
  }
  // The Slurm id from the "submitted as Slurm job N" note.
  std::string IdOf(const std::string& job) {
    for (const std::string& note : sink_.Notes(job)) {
      const std::string prefix = "submitted as Slurm job ";
      if (note.starts_with(prefix)) return note.substr(prefix.size());
    }
    return "";
  }
  ScratchDir dir_;
  RecordingSink sink_;
  SlurmOptions options_;
};

TEST_F(SlurmExecutorTest, ChainOfThreeRunsInOrder) {
  auto executor = MakeSlurmExecutor(sink_, options_);
  EXPECT_TRUE(executor->chains());
  const std::string w = dir_.path();
  executor->Submit(Job("a", w, {"echo a >> order", "echo hello from a"}));
  executor->Submit(Job("b", w, {"sleep 0.5; echo b >> order"}, {"a"}));
  executor->Submit(Job("sub/dvc.yaml:c@1", w, {"echo c >> order"}, {"b"}));
  EXPECT_EQ(executor->outstanding(), 3u);
  auto results = WaitFor(*executor, 3, 120s);
  ASSERT_EQ(results.size(), 3u);
  for (const auto& [name, result] : results)
    EXPECT_TRUE(result.ok) << name << ": " << result.message;
  EXPECT_EQ(ReadText(w + "/order"), "a\nb\nc\n");
  EXPECT_EQ(sink_.Lines("a", false), (std::vector<std::string>{"hello from a"}));
  for (const std::string job : {"a", "b", "sub/dvc.yaml:c@1"}) {
    EXPECT_FALSE(IdOf(job).empty()) << job;
    EXPECT_EQ(State(IdOf(job)), "COMPLETED") << job;
  }
  EXPECT_TRUE(std::filesystem::exists(options_.scratch_dir + "/sub_dvc.yaml_c_1.sh"));
  EXPECT_EQ(executor->outstanding(), 0u);
}

TEST_F(SlurmExecutorTest, FailureMakesDependentsReportUpstreamFailed) {
  auto executor = MakeSlurmExecutor(sink_, options_);
  const std::string w = dir_.path();
  executor->Submit(Job("a", w, {"echo failing", "exit 3", "touch never"}));
  executor->Submit(Job("b", w, {"touch b-ran"}, {"a"}));
  executor->Submit(Job("c", w, {"touch c-ran"}, {"b"}));
  auto results = WaitFor(*executor, 3, 120s);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_FALSE(results["a"].ok);
  EXPECT_EQ(results["a"].exit_code, 3);
  EXPECT_EQ(results["a"].message, "exit code 3");
  for (const std::string job : {"b", "c"}) {
    EXPECT_FALSE(results[job].ok) << job;
    EXPECT_EQ(results[job].message, "upstream failed") << job;
    EXPECT_EQ(State(IdOf(job)), "CANCELLED") << job << " was submitted and cancelled by Slurm";
  }
  EXPECT_FALSE(std::filesystem::exists(w + "/never"));
  EXPECT_FALSE(std::filesystem::exists(w + "/b-ran"));
  EXPECT_FALSE(std::filesystem::exists(w + "/c-ran"));

  // A job submitted after its dependency is known to have failed is not
  // sent to Slurm at all.
  executor->Submit(Job("d", w, {"touch d-ran"}, {"a"}));
  auto late = WaitFor(*executor, 1, 30s);
  EXPECT_EQ(late["d"].message, "upstream failed");
  EXPECT_TRUE(IdOf("d").empty());
}

TEST_F(SlurmExecutorTest, OutputLinesArriveTaggedPerStream) {
  auto executor = MakeSlurmExecutor(sink_, options_);
  executor->Submit(
      Job("out", dir_.path(),
          {"printf 'one\\ntw'; sleep 1; printf 'o\\n'; echo warn >&2; printf 'last'"}));
  auto results = WaitFor(*executor, 1, 120s);
  ASSERT_TRUE(results["out"].ok) << results["out"].message;
  EXPECT_EQ(sink_.Lines("out", false), (std::vector<std::string>{"one", "two", "last"}));
  EXPECT_EQ(sink_.Lines("out", true), (std::vector<std::string>{"warn"}));
}

TEST_F(SlurmExecutorTest, CancelAllCancelsRunningAndPendingJobs) {
  auto executor = MakeSlurmExecutor(sink_, options_);
  executor->Submit(Job("long", dir_.path(), {"echo started", "sleep 1000"}));
  executor->Submit(Job("next", dir_.path(), {"touch next-ran"}, {"long"}));
  // Wait (bounded) until the first job runs: its line has come through.
  auto deadline = std::chrono::steady_clock::now() + 120s;
  while (sink_.Lines("long", false).empty() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  ASSERT_EQ(sink_.Lines("long", false), (std::vector<std::string>{"started"}));
  executor->CancelAll();
  auto results = WaitFor(*executor, 2, 30s);
  ASSERT_EQ(results.size(), 2u);
  for (const std::string job : {"long", "next"}) {
    EXPECT_FALSE(results[job].ok) << job;
    EXPECT_EQ(results[job].message, "cancelled") << job;
    EXPECT_EQ(State(IdOf(job)), "CANCELLED") << job;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/next-ran"));
}

TEST_F(SlurmExecutorTest, DestructorCancelsOutstandingJobs) {
  std::string id;
  {
    auto executor = MakeSlurmExecutor(sink_, options_);
    executor->Submit(Job("long", dir_.path(), {"sleep 1000"}));
    id = IdOf("long");
  }
  EXPECT_EQ(State(id), "CANCELLED");
}

TEST_F(SlurmExecutorTest, UnknownDependencyIsAnInternalError) {
  auto executor = MakeSlurmExecutor(sink_, options_);
  try {
    executor->Submit(Job("b", dir_.path(), {"true"}, {"never-submitted"}));
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInternal);
    EXPECT_NE(std::string(e.what()).find("never-submitted"), std::string::npos) << e.what();
  }
}

TEST_F(SlurmExecutorTest, SbatchFailureIsAnIOErrorWithItsMessage) {
  options_.partition = "no-such-partition";
  auto executor = MakeSlurmExecutor(sink_, options_);
  try {
    executor->Submit(Job("a", dir_.path(), {"true"}));
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIO);
    EXPECT_NE(std::string(e.what()).find("invalid partition"), std::string::npos) << e.what();
  }
  EXPECT_EQ(executor->outstanding(), 0u);
}

}  // namespace
}  // namespace leanops
