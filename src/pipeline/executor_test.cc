// Tests of the local executor against real processes: command order,
// failure, output lines, parallelism, cancellation of whole process groups,
// wdir, signals, and what the children inherit.
#include "pipeline/executor.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/executor_test_util.h"
#include "pipeline/job_output.h"

namespace leanops {
namespace {

using namespace std::chrono_literals;
using testing_util::ReadText;
using testing_util::RecordingSink;
using testing_util::ScratchDir;
using testing_util::WaitFor;
using testing_util::WaitForFile;

StageJob Job(const std::string& name, const std::string& wdir, std::vector<std::string> commands) {
  StageJob job;
  job.name = name;
  job.wdir = wdir;
  job.commands = std::move(commands);
  return job;
}

// True when the process no longer runs: gone, or a zombie waiting for its
// parent (init here, once its shell died) to reap it.
bool Ended(pid_t pid) {
  if (::kill(pid, 0) != 0) return errno == ESRCH;
  std::string stat = ReadText("/proc/" + std::to_string(pid) + "/stat");
  size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z';
}

// Ended within a few seconds: a process that got its signal may still be
// tearing down (its pipes already closed) when the job is reported.
bool EndsSoon(pid_t pid) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!Ended(pid)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

pid_t ReadPid(const std::string& path) { return static_cast<pid_t>(std::stol(ReadText(path))); }

class LocalExecutorTest : public testing::Test {
 protected:
  ScratchDir dir_;
  RecordingSink sink_;
  std::unique_ptr<Executor> executor_ = MakeLocalExecutor(sink_);
};

TEST_F(LocalExecutorTest, RunsCommandsInOrder) {
  EXPECT_FALSE(executor_->chains());
  executor_->Submit(
      Job("s", dir_.path(),
          {"echo 1; echo 1 >> log", "echo 2 >> log; echo 2", "echo 3 >> log; echo 3"}));
  EXPECT_EQ(executor_->outstanding(), 1u);
  auto results = WaitFor(*executor_, 1, 30s);
  ASSERT_EQ(results.count("s"), 1u);
  EXPECT_TRUE(results["s"].ok) << results["s"].message;
  EXPECT_EQ(results["s"].exit_code, 0);
  EXPECT_EQ(ReadText(dir_.path() + "/log"), "1\n2\n3\n");
  EXPECT_EQ(sink_.Lines("s", false), (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(executor_->outstanding(), 0u);
}

TEST_F(LocalExecutorTest, StopsAtFirstFailureWithItsExitCode) {
  executor_->Submit(
      Job("s", dir_.path(), {"touch first", "echo about to fail; exit 3", "touch never"}));
  auto results = WaitFor(*executor_, 1, 30s);
  ASSERT_EQ(results.count("s"), 1u);
  EXPECT_FALSE(results["s"].ok);
  EXPECT_EQ(results["s"].exit_code, 3);
  EXPECT_EQ(results["s"].message, "exit code 3");
  EXPECT_TRUE(std::filesystem::exists(dir_.path() + "/first"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/never"));
}

TEST_F(LocalExecutorTest, DeliversWholeLinesPerStreamIncludingAPartialLastLine) {
  // "beta" is written in two pieces with a pause between, and the last
  // stdout line has no newline.
  executor_->Submit(Job("lines", dir_.path(),
                        {"printf 'alpha\\nbe'; sleep 0.1; printf 'ta\\n\\n'; echo oops >&2; "
                         "printf 'gamma'"}));
  auto results = WaitFor(*executor_, 1, 30s);
  ASSERT_TRUE(results["lines"].ok) << results["lines"].message;
  EXPECT_EQ(sink_.Lines("lines", false), (std::vector<std::string>{"alpha", "beta", "", "gamma"}));
  EXPECT_EQ(sink_.Lines("lines", true), (std::vector<std::string>{"oops"}));
}

TEST_F(LocalExecutorTest, InterleavedStreamsOfParallelJobsKeepTheirLinesAndTags) {
  // Long lines written alternately to stdout and stderr by two jobs at
  // once: each line must arrive whole, in order, under its job and stream.
  std::string loop =
      "i=0; pad=$(printf '%0500d' 0); while [ $i -lt 300 ]; do echo \"out $i $pad\"; "
      "echo \"err $i $pad\" >&2; i=$((i+1)); done";
  executor_->Submit(Job("a", dir_.path(), {loop}));
  executor_->Submit(Job("b", dir_.path(), {loop}));
  auto results = WaitFor(*executor_, 2, 60s);
  ASSERT_EQ(results.size(), 2u);
  std::string pad(500, '0');
  for (const std::string job : {"a", "b"}) {
    EXPECT_TRUE(results[job].ok) << results[job].message;
    std::vector<std::string> out = sink_.Lines(job, false);
    std::vector<std::string> err = sink_.Lines(job, true);
    ASSERT_EQ(out.size(), 300u) << job;
    ASSERT_EQ(err.size(), 300u) << job;
    for (int i = 0; i < 300; ++i) {
      EXPECT_EQ(out[i], "out " + std::to_string(i) + " " + pad);
      EXPECT_EQ(err[i], "err " + std::to_string(i) + " " + pad);
    }
  }
}

TEST_F(LocalExecutorTest, JobsRunInParallel) {
  // Each job waits (bounded) for the other's marker: this only succeeds
  // when both run at the same time.
  auto waiter = [](const std::string& mine, const std::string& other) {
    return "touch " + mine + "; i=0; while [ ! -e " + other +
           " ] && [ $i -lt 1000 ]; do sleep 0.02; i=$((i+1)); done; [ -e " + other + " ]";
  };
  executor_->Submit(Job("a", dir_.path(), {waiter("a.started", "b.started")}));
  executor_->Submit(Job("b", dir_.path(), {waiter("b.started", "a.started")}));
  auto results = WaitFor(*executor_, 2, 60s);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results["a"].ok) << results["a"].message;
  EXPECT_TRUE(results["b"].ok) << results["b"].message;
}

TEST_F(LocalExecutorTest, CancelAllEndsTheWholeProcessGroup) {
  // A background child and a foreground one (a nested shell that execs
  // sleep, so its pid is known), both in the command's group.
  executor_->Submit(
      Job("s", dir_.path(),
          {"sleep 1000 & echo $! > bg.pid; sh -c 'echo $$ > fg.pid; exec sleep 1000'; "
           "wait"}));
  executor_->Submit(Job("t", dir_.path(), {"sleep 1000"}));
  ASSERT_TRUE(WaitForFile(dir_.path() + "/bg.pid", 30s));
  ASSERT_TRUE(WaitForFile(dir_.path() + "/fg.pid", 30s));
  pid_t bg = ReadPid(dir_.path() + "/bg.pid");
  pid_t fg = ReadPid(dir_.path() + "/fg.pid");
  ASSERT_FALSE(Ended(bg));
  ASSERT_FALSE(Ended(fg));
  executor_->CancelAll();
  auto results = WaitFor(*executor_, 2, 30s);
  ASSERT_EQ(results.size(), 2u);
  for (const std::string job : {"s", "t"}) {
    EXPECT_FALSE(results[job].ok);
    EXPECT_EQ(results[job].message, "cancelled");
  }
  EXPECT_TRUE(EndsSoon(bg));
  EXPECT_TRUE(EndsSoon(fg));
  EXPECT_EQ(executor_->outstanding(), 0u);
}

TEST_F(LocalExecutorTest, CancelAllKillsWhatIgnoresSigterm) {
  // Ignoring SIGTERM is inherited by sleep; only the SIGKILL after the
  // grace period ends them (this test takes that long, about 5 s).
  executor_->Submit(
      Job("s", dir_.path(),
          {"trap '' TERM; sh -c 'echo $$ > fg.pid; exec sleep 1000'", "touch never"}));
  ASSERT_TRUE(WaitForFile(dir_.path() + "/fg.pid", 30s));
  pid_t fg = ReadPid(dir_.path() + "/fg.pid");
  executor_->CancelAll();
  auto results = WaitFor(*executor_, 1, 30s);
  ASSERT_EQ(results.count("s"), 1u);
  EXPECT_FALSE(results["s"].ok);
  EXPECT_EQ(results["s"].message, "cancelled");
  EXPECT_EQ(results["s"].exit_code, 128 + SIGKILL);
  EXPECT_TRUE(EndsSoon(fg));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/never"));
}

TEST_F(LocalExecutorTest, BackgroundProcessLeftByACommandIsEnded) {
  // The command's shell exits at once; the sleep it leaves behind still
  // holds the output pipe. The job ends (ok) and takes the sleep with it.
  executor_->Submit(Job("s", dir_.path(), {"sleep 1000 & echo $! > bg.pid; echo done"}));
  auto results = WaitFor(*executor_, 1, 30s);
  ASSERT_EQ(results.count("s"), 1u);
  EXPECT_TRUE(results["s"].ok) << results["s"].message;
  EXPECT_EQ(sink_.Lines("s", false), (std::vector<std::string>{"done"}));
  EXPECT_TRUE(EndsSoon(ReadPid(dir_.path() + "/bg.pid")));
}

TEST_F(LocalExecutorTest, ProcessThatLeftTheGroupDoesNotHoldTheJob) {
  // setsid puts the sleep out of reach of the group's signals while it
  // keeps the output pipe open: the job still ends, after the grace
  // period and a short drain (about 6 s).
  executor_->Submit(Job("s", dir_.path(), {"setsid sleep 1000 & echo $! > bg.pid; echo done"}));
  auto results = WaitFor(*executor_, 1, 60s);
  ASSERT_TRUE(WaitForFile(dir_.path() + "/bg.pid", 1s));
  pid_t bg = ReadPid(dir_.path() + "/bg.pid");
  ::kill(bg, SIGKILL);  // not the executor's to end
  ASSERT_EQ(results.count("s"), 1u);
  EXPECT_TRUE(results["s"].ok) << results["s"].message;
  EXPECT_EQ(sink_.Lines("s", false), (std::vector<std::string>{"done"}));
}

TEST_F(LocalExecutorTest, DestructorCancelsRunningJobs) {
  executor_->Submit(Job("s", dir_.path(), {"echo $$ > sh.pid; sleep 1000"}));
  ASSERT_TRUE(WaitForFile(dir_.path() + "/sh.pid", 30s));
  pid_t sh = ReadPid(dir_.path() + "/sh.pid");
  executor_.reset();
  EXPECT_TRUE(EndsSoon(sh));
}

TEST_F(LocalExecutorTest, RunsInTheJobsWdir) {
  std::string sub = dir_.path() + "/sub dir";
  std::filesystem::create_directories(sub);
  executor_->Submit(Job("s", sub, {"pwd", "touch here"}));
  auto results = WaitFor(*executor_, 1, 30s);
  ASSERT_TRUE(results["s"].ok) << results["s"].message;
  EXPECT_EQ(sink_.Lines("s", false),
            (std::vector<std::string>{std::filesystem::canonical(sub).string()}));
  EXPECT_TRUE(std::filesystem::exists(sub + "/here"));
}

TEST_F(LocalExecutorTest, MissingWdirFailsTheJob) {
  executor_->Submit(Job("s", dir_.path() + "/missing", {"true"}));
  auto results = WaitFor(*executor_, 1, 30s);
  ASSERT_EQ(results.count("s"), 1u);
  EXPECT_FALSE(results["s"].ok);
  EXPECT_EQ(results["s"].exit_code, -1);
  EXPECT_NE(results["s"].message.find(dir_.path() + "/missing"), std::string::npos)
      << results["s"].message;
}

TEST_F(LocalExecutorTest, SignalGivesExitCode128PlusNAndNamesIt) {
  executor_->Submit(Job("term", dir_.path(), {"kill -TERM $$"}));
  executor_->Submit(Job("kill", dir_.path(), {"kill -KILL $$"}));
  auto results = WaitFor(*executor_, 2, 30s);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_FALSE(results["term"].ok);
  EXPECT_EQ(results["term"].exit_code, 143);
  EXPECT_EQ(results["term"].message, "killed by signal 15 (SIGTERM)");
  EXPECT_EQ(results["kill"].exit_code, 137);
  EXPECT_EQ(results["kill"].message, "killed by signal 9 (SIGKILL)");
}

TEST_F(LocalExecutorTest, ChildrenGetDefaultSignalsNoLeakedFdsAndNullStdin) {
  // What the engine does: ignore or handle signals, block some in threads,
  // and hold descriptors opened without O_CLOEXEC by some library.
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction old_int {};
  ASSERT_EQ(::sigaction(SIGINT, &ignore, &old_int), 0);
  sigset_t block;
  sigset_t old_mask;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGUSR1);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &block, &old_mask), 0);
  int leaky = ::open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
  ASSERT_GE(leaky, 3);

  // grep reports its own state: the shell's own would be caught blocking
  // all signals while it forks. Only the standard signals are compared:
  // glibc's posix_spawn leaves its two internal real-time ones ignored.
  // The descriptor check uses only shell builtins: `ls` of the fd dir would
  // list the descriptor it reads the directory with.
  std::string fd_check =
      "for n in 3 4 5 6 7 8 9 " + std::to_string(leaky) +
      "; do [ -e /proc/$$/fd/$n ] && echo \"fd $n open\"; done; echo fds checked";
  executor_->Submit(Job("s", dir_.path(),
                        {"grep -E '^Sig(Blk|Ign):' /proc/self/status | cut -f2", fd_check,
                         "readlink /proc/$$/fd/0"}));
  auto results = WaitFor(*executor_, 1, 30s);

  ::close(leaky);
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ::sigaction(SIGINT, &old_int, nullptr);

  ASSERT_TRUE(results["s"].ok) << results["s"].message;
  std::vector<std::string> lines = sink_.Lines("s", false);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(std::stoull(lines[0], nullptr, 16) & 0x7fffffffu, 0u) << "blocked: " << lines[0];
  EXPECT_EQ(std::stoull(lines[1], nullptr, 16) & 0x7fffffffu, 0u) << "ignored: " << lines[1];
  EXPECT_EQ(lines[2], "fds checked");
  EXPECT_EQ(lines[3], "/dev/null");
}

TEST_F(LocalExecutorTest, WaitAnyWithNothingOutstandingReturnsAtOnce) {
  EXPECT_EQ(executor_->outstanding(), 0u);
  EXPECT_FALSE(executor_->WaitAny(std::chrono::hours(1)).has_value());
  executor_->Submit(Job("s", dir_.path(), {"sleep 1000"}));
  EXPECT_FALSE(executor_->WaitAny(10ms).has_value()) << "timed out without a result";
  EXPECT_EQ(executor_->outstanding(), 1u);
  executor_->CancelAll();
  EXPECT_TRUE(executor_->WaitAny(30s).has_value());
  EXPECT_EQ(executor_->outstanding(), 0u);
}

TEST_F(LocalExecutorTest, JobWithoutCommandsSucceeds) {
  executor_->Submit(Job("empty", dir_.path(), {}));
  auto results = WaitFor(*executor_, 1, 30s);
  ASSERT_EQ(results.count("empty"), 1u);
  EXPECT_TRUE(results["empty"].ok);
}

std::vector<std::string> Split(const std::vector<std::string>& chunks, bool flush) {
  LineBuffer buffer;
  std::vector<std::string> lines;
  auto emit = [&](std::string_view line) { lines.emplace_back(line); };
  for (const std::string& chunk : chunks) buffer.Append(chunk, emit);
  if (flush) buffer.Flush(emit);
  return lines;
}

TEST(LineBufferTest, JoinsPiecesAndKeepsEmptyLines) {
  EXPECT_EQ(Split({"a\n\nb", "c\n", "d"}, false), (std::vector<std::string>{"a", "", "bc"}));
  EXPECT_EQ(Split({"a\n\nb", "c\n", "d"}, true), (std::vector<std::string>{"a", "", "bc", "d"}));
  EXPECT_EQ(Split({"x\n"}, true), (std::vector<std::string>{"x"}));
  EXPECT_EQ(Split({"", "\n"}, true), (std::vector<std::string>{""}));
}

TEST(LineBufferTest, HandsOutOverlongLinesInPieces) {
  std::string big(LineBuffer::kMaxLine + 10, 'x');
  std::vector<std::string> lines = Split({big, "y\n"}, true);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].size(), LineBuffer::kMaxLine);
  EXPECT_EQ(lines[1], std::string(10, 'x') + "y");
}

TEST(DescribeExitTest, NamesSignals) {
  EXPECT_EQ(DescribeExit(3, 0), "exit code 3");
  EXPECT_EQ(DescribeExit(0, SIGINT), "killed by signal 2 (SIGINT)");
  JobResult r = CommandResult("x", 0, SIGSEGV);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.exit_code, 128 + SIGSEGV);
  EXPECT_TRUE(CommandResult("x", 0, 0).ok);
}

}  // namespace
}  // namespace leanops
