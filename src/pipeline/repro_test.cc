// Library-level tests of the repro engine in a temp repository, with the
// local executor running real shell commands. Every command appends its
// stage's name to runs.log, so a test sees exactly which stages ran.
#include "pipeline/repro.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/file_system.h"
#include "core/md5.h"
#include "core/strings.h"
#include "pipeline/dvc_lock.h"
#include "pipeline/pipeline_status.h"
#include "pipeline/test_util.h"

namespace leanops {
namespace {

using pipeline_test::ErrorOf;
using pipeline_test::Exists;
using pipeline_test::ReadText;
using pipeline_test::TempDir;
using pipeline_test::WriteText;
using Strings = std::vector<std::string>;

class QuietSink : public OutputSink {
 public:
  void Line(const std::string& job, bool is_stderr, std::string_view line) override {
    std::lock_guard<std::mutex> lock(mutex_);
    lines_.push_back(job + (is_stderr ? " !! " : " | ") + std::string(line));
  }
  void Note(const std::string&, const std::string&) override {}
  std::string All() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string out;
    for (const std::string& l : lines_) out += l + "\n";
    return out;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> lines_;
};

struct Event {
  std::string address;
  StageEvent event;
  std::string detail;
};

class RecordingListener : public ReproListener {
 public:
  void OnStage(const std::string& address, StageEvent event, const std::string& detail) override {
    events.push_back({address, event, detail});
  }
  // The stages that got `event`, in order.
  Strings With(StageEvent event) const {
    Strings out;
    for (const Event& e : events)
      if (e.event == event) out.push_back(e.address);
    return out;
  }
  std::string DetailOf(const std::string& address, StageEvent event) const {
    for (const Event& e : events)
      if (e.address == address && e.event == event) return e.detail;
    return "";
  }
  std::vector<Event> events;
};

// a -> b -> c, and d on its own. b reads a parameter; a fails while
// fail-a.flag exists, b while fail-b.flag exists.
constexpr char kPipeline[] =
    "stages:\n"
    "  a:\n"
    "    cmd: echo a >> runs.log && test ! -e fail-a.flag && cat in.txt > a.out\n"
    "    deps: [in.txt]\n"
    "    outs: [a.out]\n"
    "  b:\n"
    "    cmd: echo b >> runs.log && test ! -e fail-b.flag && (cat a.out; echo ${b_param}) > b.out\n"
    "    deps: [a.out]\n"
    "    params: [b_param]\n"
    "    outs: [b.out]\n"
    "  c:\n"
    "    cmd: echo c >> runs.log && cat b.out b.out > c.out\n"
    "    deps: [b.out]\n"
    "    outs: [c.out]\n"
    "  d:\n"
    "    cmd: echo d >> runs.log && cat other.txt > d.out\n"
    "    deps: [other.txt]\n"
    "    outs: [d.out]\n";

class ReproTest : public testing::Test {
 protected:
  void SetUp() override {
    InterruptFlag().store(false);
    Repo::Init(RealFs(), dir_.path(), /*no_scm=*/true, /*force=*/false);
    repo_ = Repo::Open(RealFs(), RealClock(), dir_.path());
  }
  void TearDown() override { repo_.reset(); }

  std::string P(const std::string& rel) const { return dir_ / rel; }

  void WriteChain() {
    WriteText(P("dvc.yaml"), kPipeline);
    WriteText(P("params.yaml"), "b_param: 1\n");
    WriteText(P("in.txt"), "foo\n");
    WriteText(P("other.txt"), "other\n");
  }

  // Runs the pipeline; a kFailed error is returned in `*failure` (and the
  // summary is then empty) when `failure` is given.
  ReproSummary Repro(ReproOptions options = {}, std::string* failure = nullptr) {
    RemoveLog();
    listener_ = RecordingListener();
    QuietSink sink;
    std::unique_ptr<Executor> executor = MakeLocalExecutor(sink);
    try {
      ReproSummary summary = Reproduce(*repo_, options, *executor, listener_);
      if (failure) ADD_FAILURE() << "expected the run to fail";
      return summary;
    } catch (const Error& e) {
      if (!failure || e.kind() != ErrorKind::kFailed) {
        ADD_FAILURE() << "unexpected error: " << e.what() << "\noutput:\n" << sink.All();
        return {};
      }
      *failure = e.what();
      return {};
    }
  }

  // Stages that ran since the last Repro() started, in the order they ran.
  Strings Ran() {
    if (!Exists(P("runs.log"))) return {};
    return Split(ReadText(P("runs.log")), '\n', false);
  }
  static Strings Sorted(Strings s) {
    std::sort(s.begin(), s.end());
    return s;
  }
  void RemoveLog() { RealFs().RemoveFile(P("runs.log")); }

  LockFile Lock() { return LoadLockFile(RealFs(), P("dvc.lock"), "dvc.lock"); }
  Strings LockedNames() {
    Strings names;
    for (const auto& [name, stage] : Lock().stages) names.push_back(name);
    return Sorted(names);
  }

  TempDir dir_;
  std::unique_ptr<Repo> repo_;
  RecordingListener listener_;
};

TEST_F(ReproTest, FirstRunRunsEverythingAndWritesTheLock) {
  WriteChain();
  ReproSummary s = Repro();
  EXPECT_EQ(s.ran, 4);
  EXPECT_EQ(s.unchanged, 0);
  EXPECT_EQ(s.failed, 0);
  Strings ran = Ran();
  EXPECT_EQ(Sorted(ran), (Strings{"a", "b", "c", "d"}));
  // Dependencies ran first.
  auto pos = [&](const std::string& x) {
    return std::find(ran.begin(), ran.end(), x) - ran.begin();
  };
  EXPECT_LT(pos("a"), pos("b"));
  EXPECT_LT(pos("b"), pos("c"));
  EXPECT_EQ(ReadText(P("c.out")), "foo\n1\nfoo\n1\n");
  EXPECT_EQ(Sorted(listener_.With(StageEvent::kSucceeded)), (Strings{"a", "b", "c", "d"}));

  LockFile lock = Lock();
  EXPECT_EQ(LockedNames(), (Strings{"a", "b", "c", "d"}));
  const LockedStage* a = lock.Find("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->cmd, Json("echo a >> runs.log && test ! -e fail-a.flag && cat in.txt > a.out"));
  ASSERT_EQ(a->deps.size(), 1u);
  EXPECT_EQ(a->deps[0].path, "in.txt");
  EXPECT_EQ(a->deps[0].md5, Md5Hex("foo\n"));
  EXPECT_EQ(a->deps[0].size, 4u);
  ASSERT_EQ(a->outs.size(), 1u);
  EXPECT_EQ(a->outs[0].path, "a.out");
  EXPECT_EQ(a->outs[0].md5, Md5Hex("foo\n"));
  const LockedStage* b = lock.Find("b");
  ASSERT_NE(b, nullptr);
  // The lock records the command after interpolation, as DVC does.
  EXPECT_EQ(b->cmd,
            Json("echo b >> runs.log && test ! -e fail-b.flag && (cat a.out; echo 1) > b.out"));
  EXPECT_EQ(b->params, (Json{{"params.yaml", {{"b_param", 1}}}}));
  ASSERT_EQ(b->outs.size(), 1u);
  EXPECT_EQ(b->outs[0].md5, Md5Hex("foo\n1\n"));
  EXPECT_TRUE(repo_->cache().Has(Md5Hex("foo\n1\n")));
  EXPECT_TRUE(repo_->cache().Has(Md5Hex("foo\n1\nfoo\n1\n")));
  // The lock is what DVC would read back byte for byte.
  EXPECT_EQ(SerializeLockFile(lock), ReadText(P("dvc.lock")));
}

TEST_F(ReproTest, SecondRunChangesNothing) {
  WriteChain();
  Repro();
  std::string lock_before = ReadText(P("dvc.lock"));
  ReproSummary s = Repro();
  EXPECT_EQ(s.ran, 0);
  EXPECT_EQ(s.unchanged, 4);
  EXPECT_EQ(s.checked_out, 0);
  EXPECT_TRUE(Ran().empty());
  EXPECT_EQ(ReadText(P("dvc.lock")), lock_before);
  EXPECT_EQ(Sorted(listener_.With(StageEvent::kUnchanged)), (Strings{"a", "b", "c", "d"}));
  EXPECT_TRUE(listener_.With(StageEvent::kLockUpdated).empty());
}

TEST_F(ReproTest, ChangedDepRerunsExactlyTheStagesDownstream) {
  WriteChain();
  Repro();
  WriteText(P("in.txt"), "foo, changed\n");
  ReproSummary s = Repro();
  EXPECT_EQ(Ran(), (Strings{"a", "b", "c"}));
  EXPECT_EQ(s.ran, 3);
  EXPECT_EQ(s.unchanged, 1);
  EXPECT_EQ(ReadText(P("c.out")), "foo, changed\n1\nfoo, changed\n1\n");
  EXPECT_EQ(Lock().Find("a")->deps[0].md5, Md5Hex("foo, changed\n"));

  WriteText(P("other.txt"), "other, changed\n");
  Repro();
  EXPECT_EQ(Ran(), Strings{"d"});
}

TEST_F(ReproTest, UnchangedOutputStopsThePropagation) {
  WriteChain();
  Repro();
  // a reruns (its dep changed) but writes the same a.out: b and c are up to date.
  WriteText(P("dvc.yaml"),
            std::string(kPipeline).replace(std::string(kPipeline).find("cat in.txt > a.out"), 18,
                                           "head -n1 in.txt > a.out"));
  WriteText(P("in.txt"), "foo\nsecond line\n");
  ReproSummary s = Repro();
  EXPECT_EQ(Ran(), Strings{"a"});
  EXPECT_EQ(s.ran, 1);
  EXPECT_EQ(s.unchanged, 3);
}

TEST_F(ReproTest, ChangedParamRerunsItsStageAndDownstream) {
  WriteChain();
  Repro();
  WriteText(P("params.yaml"), "b_param: 22\n");
  ReproSummary s = Repro();
  EXPECT_EQ(Ran(), (Strings{"b", "c"}));
  EXPECT_EQ(s.ran, 2);
  EXPECT_EQ(ReadText(P("b.out")), "foo\n22\n");
  EXPECT_EQ(Lock().Find("b")->params, (Json{{"params.yaml", {{"b_param", 22}}}}));
  EXPECT_NE(listener_.DetailOf("b", StageEvent::kStarting).find("echo 22"), std::string::npos);
}

TEST_F(ReproTest, ChangedCommandReruns) {
  WriteChain();
  Repro();
  WriteText(P("dvc.yaml"), std::string(kPipeline) + "    desc: unrelated\n");
  Repro();
  EXPECT_TRUE(Ran().empty());  // desc is not part of the lock
  std::string text = kPipeline;
  text.replace(text.find("cat other.txt > d.out"), 21, "cat other.txt other.txt > d.out");
  WriteText(P("dvc.yaml"), text);
  Repro();
  EXPECT_EQ(Ran(), Strings{"d"});
  EXPECT_EQ(ReadText(P("d.out")), "other\nother\n");
}

TEST_F(ReproTest, DeletedOutputIsCheckedOutWithoutRunning) {
  WriteChain();
  Repro();
  std::string lock_before = ReadText(P("dvc.lock"));
  RealFs().RemoveFile(P("c.out"));
  WriteText(P("b.out"), "damaged, and longer than before\n");
  ReproSummary s = Repro();
  EXPECT_TRUE(Ran().empty());
  EXPECT_EQ(s.ran, 0);
  EXPECT_EQ(s.checked_out, 2);
  EXPECT_EQ(ReadText(P("c.out")), "foo\n1\nfoo\n1\n");
  EXPECT_EQ(ReadText(P("b.out")), "foo\n1\n");
  EXPECT_EQ(Sorted(listener_.With(StageEvent::kCheckedOut)), (Strings{"b", "c"}));
  EXPECT_EQ(ReadText(P("dvc.lock")), lock_before);
}

TEST_F(ReproTest, OutputMissingFromTheCacheIsRebuilt) {
  WriteChain();
  Repro();
  RealFs().RemoveFile(P("d.out"));
  RealFs().RemoveFile(repo_->cache().ObjectPath(Md5Hex("other\n")));
  ReproSummary s = Repro();
  EXPECT_EQ(Ran(), Strings{"d"});
  EXPECT_EQ(s.ran, 1);
  EXPECT_EQ(ReadText(P("d.out")), "other\n");
}

TEST_F(ReproTest, RunCacheRestoresARunSeenBefore) {
  WriteChain();
  Repro();
  std::string lock_v1 = ReadText(P("dvc.lock"));
  WriteText(P("params.yaml"), "b_param: 22\n");
  Repro();
  EXPECT_EQ(Ran(), (Strings{"b", "c"}));
  WriteText(P("params.yaml"), "b_param: 1\n");
  ReproSummary s = Repro();
  EXPECT_TRUE(Ran().empty());
  EXPECT_EQ(s.ran, 0);
  EXPECT_EQ(s.checked_out, 2);
  EXPECT_EQ(Sorted(listener_.With(StageEvent::kCheckedOut)), (Strings{"b", "c"}));
  EXPECT_EQ(ReadText(P("b.out")), "foo\n1\n");
  EXPECT_EQ(ReadText(P("c.out")), "foo\n1\nfoo\n1\n");
  EXPECT_EQ(ReadText(P("dvc.lock")), lock_v1);
  // Runs saved under DVC's layout.
  EXPECT_FALSE(RealFs().ListDir(P(".dvc/cache/runs")).empty());
}

TEST_F(ReproTest, RunCacheCanBeTurnedOff) {
  WriteChain();
  Repro();
  WriteText(P("params.yaml"), "b_param: 22\n");
  Repro();
  WriteText(P("params.yaml"), "b_param: 1\n");
  ReproOptions options;
  options.run_cache = false;
  Repro(options);
  EXPECT_EQ(Ran(), (Strings{"b", "c"}));
}

TEST_F(ReproTest, FailingStageStopsItsDependentsAndKeepsCompletedOnes) {
  WriteChain();
  WriteText(P("fail-b.flag"), "");
  std::string failure;
  Repro({}, &failure);
  EXPECT_NE(failure.find("'b'"), std::string::npos) << failure;
  Strings ran = Ran();
  EXPECT_NE(std::find(ran.begin(), ran.end(), "a"), ran.end());
  EXPECT_NE(std::find(ran.begin(), ran.end(), "b"), ran.end());
  EXPECT_EQ(std::find(ran.begin(), ran.end(), "c"), ran.end());
  EXPECT_EQ(listener_.With(StageEvent::kFailed), Strings{"b"});
  EXPECT_FALSE(listener_.DetailOf("b", StageEvent::kFailed).empty());
  Strings skipped = listener_.With(StageEvent::kSkippedUpstream);
  EXPECT_NE(std::find(skipped.begin(), skipped.end(), "c"), skipped.end());
  EXPECT_FALSE(Exists(P("c.out")));
  // a completed and keeps its entry; b and c have none.
  LockFile lock = Lock();
  EXPECT_NE(lock.Find("a"), nullptr);
  EXPECT_EQ(lock.Find("b"), nullptr);
  EXPECT_EQ(lock.Find("c"), nullptr);

  // Fixed: the next run does only what is left.
  RealFs().RemoveFile(P("fail-b.flag"));
  Repro();
  Strings next = Ran();
  EXPECT_EQ(std::find(next.begin(), next.end(), "a"), next.end());
  EXPECT_NE(std::find(next.begin(), next.end(), "b"), next.end());
  EXPECT_NE(std::find(next.begin(), next.end(), "c"), next.end());
  EXPECT_EQ(LockedNames(), (Strings{"a", "b", "c", "d"}));
}

TEST_F(ReproTest, FailureKeepsTheOldLockEntry) {
  WriteChain();
  Repro();
  LockedStage b_before = *Lock().Find("b");
  WriteText(P("params.yaml"), "b_param: 22\n");
  WriteText(P("fail-b.flag"), "");
  std::string failure;
  Repro({}, &failure);
  EXPECT_EQ(Lock().Find("b")->params, b_before.params);
  EXPECT_EQ(Lock().Find("b")->outs, b_before.outs);
}

TEST_F(ReproTest, KeepGoingRunsTheIndependentBranch) {
  WriteChain();
  WriteText(P("fail-a.flag"), "");
  ReproOptions options;
  options.keep_going = true;
  std::string failure;
  Repro(options, &failure);
  EXPECT_NE(failure.find("'a'"), std::string::npos) << failure;
  EXPECT_EQ(Sorted(Ran()), (Strings{"a", "d"}));
  EXPECT_EQ(listener_.With(StageEvent::kFailed), Strings{"a"});
  EXPECT_EQ(Sorted(listener_.With(StageEvent::kSkippedUpstream)), (Strings{"b", "c"}));
  EXPECT_EQ(ReadText(P("d.out")), "other\n");
  EXPECT_EQ(LockedNames(), Strings{"d"});
}

TEST_F(ReproTest, WithoutKeepGoingNothingStartsAfterAFailure) {
  WriteChain();
  WriteText(P("fail-a.flag"), "");
  std::string failure;
  Repro({}, &failure);
  EXPECT_EQ(Ran(), Strings{"a"});
  EXPECT_FALSE(Exists(P("dvc.lock")));
}

TEST_F(ReproTest, MissingDeclaredOutputFailsTheStage) {
  WriteText(P("dvc.yaml"),
            "stages:\n"
            "  lazy:\n"
            "    cmd: echo lazy >> runs.log && echo x > made.txt\n"
            "    outs: [made.txt, forgotten.txt]\n"
            "  after:\n"
            "    cmd: echo after >> runs.log\n"
            "    deps: [forgotten.txt]\n");
  std::string failure;
  Repro({}, &failure);
  EXPECT_NE(failure.find("forgotten.txt"), std::string::npos) << failure;
  EXPECT_EQ(listener_.With(StageEvent::kFailed), Strings{"lazy"});
  EXPECT_EQ(Ran(), Strings{"lazy"});
  EXPECT_FALSE(Exists(P("dvc.lock")));
}

TEST_F(ReproTest, MissingDependencyFailsTheStage) {
  WriteText(P("dvc.yaml"),
            "stages:\n"
            "  s:\n"
            "    cmd: echo s >> runs.log && cat absent.txt > o\n"
            "    deps: [absent.txt]\n"
            "    outs: [o]\n");
  std::string failure;
  Repro({}, &failure);
  EXPECT_NE(failure.find("absent.txt"), std::string::npos) << failure;
  EXPECT_TRUE(Ran().empty());
}

TEST_F(ReproTest, PersistOutputsAreNotDeletedBeforeARun) {
  WriteText(P("dvc.yaml"),
            "stages:\n"
            "  s:\n"
            "    cmd: echo s >> runs.log && echo run >> kept.txt && echo run >> fresh.txt\n"
            "    deps: [in.txt]\n"
            "    outs:\n"
            "    - kept.txt:\n"
            "        persist: true\n"
            "    - fresh.txt\n");
  WriteText(P("in.txt"), "1\n");
  Repro();
  EXPECT_EQ(ReadText(P("kept.txt")), "run\n");
  WriteText(P("in.txt"), "22\n");
  Repro();
  EXPECT_EQ(Ran(), Strings{"s"});
  EXPECT_EQ(ReadText(P("kept.txt")), "run\nrun\n");
  EXPECT_EQ(ReadText(P("fresh.txt")), "run\n");
}

TEST_F(ReproTest, FrozenStagesAreNotRun) {
  WriteChain();
  Repro();
  std::string text = kPipeline;
  text.replace(text.find("    outs: [a.out]\n"), 18, "    outs: [a.out]\n    frozen: true\n");
  WriteText(P("dvc.yaml"), text);
  WriteText(P("in.txt"), "foo, changed\n");
  ReproSummary s = Repro();
  EXPECT_TRUE(Ran().empty());
  EXPECT_EQ(s.ran, 0);
  EXPECT_EQ(listener_.With(StageEvent::kFrozen), Strings{"a"});
  EXPECT_EQ(ReadText(P("a.out")), "foo\n");
}

TEST_F(ReproTest, FrozenStageThatNeverRanIsNotRun) {
  WriteText(P("dvc.yaml"),
            "stages:\n"
            "  s:\n"
            "    cmd: echo s >> runs.log && echo x > o\n"
            "    outs: [o]\n"
            "    frozen: true\n");
  Repro();
  EXPECT_TRUE(Ran().empty());
  EXPECT_EQ(listener_.With(StageEvent::kFrozen), Strings{"s"});
}

TEST_F(ReproTest, DryRunChangesNothing) {
  WriteChain();
  ReproOptions dry;
  dry.dry = true;
  Repro(dry);
  EXPECT_TRUE(Ran().empty());
  EXPECT_FALSE(Exists(P("dvc.lock")));
  EXPECT_FALSE(Exists(P("a.out")));
  EXPECT_EQ(Sorted(listener_.With(StageEvent::kWouldRun)), (Strings{"a", "b", "c", "d"}));
  EXPECT_TRUE(listener_.With(StageEvent::kStarting).empty());

  Repro();
  std::string lock_before = ReadText(P("dvc.lock"));
  WriteText(P("in.txt"), "foo, changed\n");
  RealFs().RemoveFile(P("d.out"));
  Repro(dry);
  EXPECT_TRUE(Ran().empty());
  EXPECT_EQ(ReadText(P("dvc.lock")), lock_before);
  EXPECT_EQ(ReadText(P("a.out")), "foo\n");
  EXPECT_FALSE(Exists(P("d.out")));
  Strings would = Sorted(listener_.With(StageEvent::kWouldRun));
  EXPECT_NE(std::find(would.begin(), would.end(), "a"), would.end());
  EXPECT_NE(std::find(would.begin(), would.end(), "b"), would.end());
  EXPECT_NE(std::find(would.begin(), would.end(), "c"), would.end());
  EXPECT_NE(listener_.DetailOf("a", StageEvent::kWouldRun).find("in.txt"), std::string::npos);
}

TEST_F(ReproTest, ForceRunsUpToDateStages) {
  WriteChain();
  Repro();
  ReproOptions options;
  options.force = true;
  ReproSummary s = Repro(options);
  EXPECT_EQ(Sorted(Ran()), (Strings{"a", "b", "c", "d"}));
  EXPECT_EQ(s.ran, 4);
}

TEST_F(ReproTest, TargetsSingleItemAndDownstream) {
  WriteChain();
  ReproOptions options;
  options.targets = {"b"};
  Repro(options);
  EXPECT_EQ(Ran(), (Strings{"a", "b"}));
  EXPECT_EQ(LockedNames(), (Strings{"a", "b"}));

  Repro();
  // Only the target runs, though a is out of date too.
  WriteText(P("in.txt"), "foo, changed\n");
  WriteText(P("params.yaml"), "b_param: 22\n");
  options.single_item = true;
  Repro(options);
  EXPECT_EQ(Ran(), Strings{"b"});
  EXPECT_EQ(ReadText(P("b.out")), "foo\n22\n");

  // Downstream of c: only c (stale since b ran), not a.
  options.single_item = false;
  options.downstream = true;
  options.targets = {"c"};
  Repro(options);
  EXPECT_EQ(Ran(), Strings{"c"});

  // Downstream of a: a and everything after it, not d.
  WriteText(P("other.txt"), "other, changed\n");
  options.targets = {"a"};
  Repro(options);
  EXPECT_EQ(Ran(), (Strings{"a", "b", "c"}));
}

TEST_F(ReproTest, TwoJobsRunIndependentStagesTogether) {
  // Each stage waits (bounded) for the other to have started: both can only
  // succeed when they run at the same time.
  const char* wait_for =
      "touch %s.started; i=0; while [ ! -e %s.started ] && [ $i -lt 400 ]; do sleep 0.05; "
      "i=$((i+1)); done; test -e %s.started && echo %s >> runs.log && echo %s > %s.out";
  auto cmd = [&](const std::string& me, const std::string& other) {
    std::string c = wait_for;
    for (const std::string& v : {me, other, other, me, me, me}) c.replace(c.find("%s"), 2, v);
    return c;
  };
  WriteText(P("dvc.yaml"),
            "stages:\n"
            "  x:\n"
            "    cmd: " +
                cmd("x", "y") +
                "\n"
                "    outs: [x.out]\n"
                "  y:\n"
                "    cmd: " +
                cmd("y", "x") +
                "\n"
                "    outs: [y.out]\n");
  ReproOptions options;
  options.jobs = 2;
  ReproSummary s = Repro(options);
  EXPECT_EQ(s.ran, 2);
  EXPECT_EQ(Sorted(Ran()), (Strings{"x", "y"}));
  EXPECT_EQ(LockedNames(), (Strings{"x", "y"}));
}

TEST_F(ReproTest, ForeachStagesRunAndLockByInstanceName) {
  WriteText(P("dvc.yaml"),
            "stages:\n"
            "  gen:\n"
            "    foreach: [one, two]\n"
            "    do:\n"
            "      cmd: echo gen@${item} >> runs.log && echo ${item} > ${item}.txt\n"
            "      outs:\n"
            "      - ${item}.txt\n");
  Repro();
  EXPECT_EQ(Sorted(Ran()), (Strings{"gen@one", "gen@two"}));
  EXPECT_EQ(LockedNames(), (Strings{"gen@one", "gen@two"}));
  EXPECT_EQ(ReadText(P("two.txt")), "two\n");
}

TEST_F(ReproTest, ListCommandsRunInOrderAndStopAtTheFirstFailure) {
  WriteText(P("dvc.yaml"),
            "stages:\n"
            "  s:\n"
            "    cmd:\n"
            "    - echo first >> runs.log\n"
            "    - echo second >> runs.log && echo x > o\n"
            "    outs: [o]\n"
            "  t:\n"
            "    cmd:\n"
            "    - echo t1 >> runs.log && false\n"
            "    - echo t2 >> runs.log\n"
            "    outs: [p]\n");
  std::string failure;
  Repro({}, &failure);
  EXPECT_EQ(Ran(), (Strings{"first", "second", "t1"}));
  ASSERT_NE(Lock().Find("s"), nullptr);
  EXPECT_EQ(Lock().Find("s")->cmd,
            (Json{"echo first >> runs.log", "echo second >> runs.log && echo x > o"}));
}

TEST_F(ReproTest, StagesInSubdirectoryPipelines) {
  WriteText(P("sub/dvc.yaml"),
            "stages:\n"
            "  gen:\n"
            "    cmd: echo gen >> ../runs.log && echo sub > made.txt\n"
            "    outs: [made.txt]\n");
  WriteText(P("dvc.yaml"),
            "stages:\n"
            "  use:\n"
            "    cmd: echo use >> runs.log && cat sub/made.txt > used.txt\n"
            "    deps: [sub/made.txt]\n"
            "    outs: [used.txt]\n");
  Repro();
  EXPECT_EQ(Ran(), (Strings{"gen", "use"}));
  EXPECT_EQ(ReadText(P("used.txt")), "sub\n");
  EXPECT_NE(LoadLockFile(RealFs(), P("sub/dvc.lock"), "sub/dvc.lock").Find("gen"), nullptr);
  EXPECT_NE(Lock().Find("use"), nullptr);
  EXPECT_EQ(Lock().Find("gen"), nullptr);
}

TEST_F(ReproTest, DirectoryOutputsAreRecordedAndRestored) {
  WriteText(P("dvc.yaml"),
            "stages:\n"
            "  dir:\n"
            "    cmd: echo dir >> runs.log && mkdir -p out/sub && echo 1 > out/a && echo 22 > "
            "out/sub/b\n"
            "    outs: [out]\n"
            "  use:\n"
            "    cmd: echo use >> runs.log && cat out/sub/b > used\n"
            "    deps: [out/sub/b]\n"
            "    outs: [used]\n");
  Repro();
  EXPECT_EQ(Ran(), (Strings{"dir", "use"}));
  LockFile lock = Lock();
  const LockedStage* dir = lock.Find("dir");
  ASSERT_NE(dir, nullptr);
  ASSERT_EQ(dir->outs.size(), 1u);
  EXPECT_TRUE(dir->outs[0].md5.ends_with(".dir")) << dir->outs[0].md5;
  EXPECT_EQ(dir->outs[0].nfiles, 2u);
  EXPECT_EQ(dir->outs[0].size, 5u);
  RealFs().RemoveFile(P("out/a"));
  WriteText(P("out/extra"), "not part of the output");
  ReproSummary s = Repro();
  EXPECT_TRUE(Ran().empty());
  EXPECT_EQ(s.checked_out, 1);
  EXPECT_EQ(ReadText(P("out/a")), "1\n");
  EXPECT_EQ(ReadText(P("out/sub/b")), "22\n");
  EXPECT_FALSE(Exists(P("out/extra")));
}

TEST_F(ReproTest, ExecutableOutputKeepsItsModeWhenRestored) {
  WriteText(P("dvc.yaml"),
            "stages:\n"
            "  tool:\n"
            "    cmd: echo tool >> runs.log && printf '#!/bin/sh\\necho hi\\n' > tool.sh && "
            "chmod +x tool.sh\n"
            "    outs: [tool.sh]\n");
  Repro();
  ASSERT_NE(Lock().Find("tool"), nullptr);
  EXPECT_TRUE(Lock().Find("tool")->outs[0].isexec);
  EXPECT_NE(ReadText(P("dvc.lock")).find("      isexec: true\n"), std::string::npos);
  RealFs().RemoveFile(P("tool.sh"));
  Repro();
  EXPECT_TRUE(Ran().empty());
  struct stat st {};
  ASSERT_EQ(::stat(P("tool.sh").c_str(), &st), 0);
  EXPECT_NE(st.st_mode & S_IXUSR, 0u);
}

TEST_F(ReproTest, UncachedOutputComesBackWithARunCacheHit) {
  WriteText(P("dvc.yaml"),
            "stages:\n"
            "  eval:\n"
            "    cmd: echo eval >> runs.log && echo score=${score} > m.json\n"
            "    deps: [in.txt]\n"
            "    params: [score]\n"
            "    metrics:\n"
            "    - m.json:\n"
            "        cache: false\n");
  WriteText(P("in.txt"), "x\n");
  WriteText(P("params.yaml"), "score: 1\n");
  Repro();
  WriteText(P("params.yaml"), "score: 22\n");
  Repro();
  EXPECT_EQ(ReadText(P("m.json")), "score=22\n");
  WriteText(P("params.yaml"), "score: 1\n");
  Repro();
  EXPECT_TRUE(Ran().empty());
  EXPECT_EQ(ReadText(P("m.json")), "score=1\n");
}

TEST_F(ReproTest, AlwaysChangedStageRunsEveryTime) {
  WriteText(P("dvc.yaml"),
            "stages:\n"
            "  fetch:\n"
            "    cmd: echo fetch >> runs.log && echo same > fetched\n"
            "    outs: [fetched]\n"
            "    always_changed: true\n"
            "  use:\n"
            "    cmd: echo use >> runs.log && cat fetched > used\n"
            "    deps: [fetched]\n"
            "    outs: [used]\n");
  Repro();
  EXPECT_EQ(Ran(), (Strings{"fetch", "use"}));
  Repro();
  // It runs again; its output came out the same, so `use` is up to date.
  EXPECT_EQ(Ran(), Strings{"fetch"});
}

TEST_F(ReproTest, StageRunsInItsWdir) {
  WriteText(P("dvc.yaml"),
            "stages:\n"
            "  s:\n"
            "    cmd: echo s >> ../runs.log && cat in.txt > out.txt\n"
            "    wdir: work\n"
            "    deps: [in.txt]\n"
            "    outs: [out.txt]\n");
  WriteText(P("work/in.txt"), "w\n");
  Repro();
  EXPECT_EQ(Ran(), Strings{"s"});
  EXPECT_EQ(ReadText(P("work/out.txt")), "w\n");
  LockFile lock = Lock();
  const LockedStage* s = lock.Find("s");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->deps[0].path, "in.txt");
  EXPECT_EQ(s->outs[0].path, "out.txt");
}

TEST_F(ReproTest, MissingParamFailsTheStage) {
  WriteText(P("dvc.yaml"),
            "stages:\n"
            "  s:\n"
            "    cmd: echo s >> runs.log && echo x > o\n"
            "    params: [lr, train.epochs]\n"
            "    outs: [o]\n"
            "  t:\n"
            "    cmd: echo t >> runs.log && echo y > p\n"
            "    params: [{other.yaml: [k]}]\n"
            "    outs: [p]\n");
  WriteText(P("params.yaml"), "lr: 1\ntrain:\n  batch: 2\n");
  ReproOptions options;
  options.keep_going = true;
  std::string failure;
  Repro(options, &failure);
  EXPECT_NE(failure.find("train.epochs"), std::string::npos) << failure;
  EXPECT_NE(failure.find("other.yaml"), std::string::npos) << failure;
  EXPECT_EQ(listener_.With(StageEvent::kFailed), (Strings{"s", "t"}));
  EXPECT_TRUE(Ran().empty());
}

TEST_F(ReproTest, InterruptedBeforeStartingRunsNothing) {
  WriteChain();
  InterruptFlag().store(true);
  QuietSink sink;
  std::unique_ptr<Executor> executor = MakeLocalExecutor(sink);
  EXPECT_EQ(ErrorOf([&] { Reproduce(*repo_, {}, *executor, listener_); }), ErrorKind::kInterrupted);
  InterruptFlag().store(false);
  EXPECT_TRUE(Ran().empty());
  EXPECT_FALSE(Exists(P("dvc.lock")));
}

TEST_F(ReproTest, StatusReportsTheStagesThatDiffer) {
  WriteChain();
  std::vector<StageReport> before = PipelineStatus(*repo_, {}, 1);
  ASSERT_EQ(before.size(), 4u);
  for (const StageReport& r : before) EXPECT_TRUE(r.status.never_run) << r.address;
  Repro();
  EXPECT_TRUE(PipelineStatus(*repo_, {}, 1).empty());

  WriteText(P("in.txt"), "foo, changed\n");
  WriteText(P("params.yaml"), "b_param: 22\n");
  RealFs().RemoveFile(P("d.out"));
  std::vector<StageReport> after = PipelineStatus(*repo_, {}, 1);
  ASSERT_EQ(after.size(), 3u);
  EXPECT_EQ(after[0].address, "a");
  ASSERT_EQ(after[0].status.deps.size(), 1u);
  EXPECT_EQ(after[0].status.deps[0].path, "in.txt");
  EXPECT_EQ(after[0].status.deps[0].state, "modified");
  EXPECT_EQ(after[1].address, "b");
  ASSERT_EQ(after[1].status.params.size(), 1u);
  EXPECT_EQ(after[1].status.params[0].key, "b_param");
  EXPECT_EQ(after[1].status.params[0].state, "modified");
  EXPECT_EQ(after[2].address, "d");
  ASSERT_EQ(after[2].status.outs.size(), 1u);
  EXPECT_EQ(after[2].status.outs[0].state, "deleted");
  EXPECT_TRUE(after[2].status.only_outs_changed());
  // Targets narrow it to those stages, without their upstream (as
  // `dvc status STAGE` without --with-deps).
  std::vector<StageReport> targeted = PipelineStatus(*repo_, {"b"}, 1);
  ASSERT_EQ(targeted.size(), 1u);
  EXPECT_EQ(targeted[0].address, "b");
  targeted = PipelineStatus(*repo_, {"d", "a", "c"}, 1);
  ASSERT_EQ(targeted.size(), 2u);
  EXPECT_EQ(targeted[0].address, "a");
  EXPECT_EQ(targeted[1].address, "d");
}

TEST_F(ReproTest, NewlyDeclaredOutputIsRecorded) {
  // The command already writes extra.out; declaring it makes the stage
  // changed (the lock has no entry for it): DVC reruns it, and its lock
  // entry then lists the new output.
  const std::string before =
      "stages:\n"
      "  s:\n"
      "    cmd: echo s >> runs.log && echo x > o && echo extra > extra.out\n"
      "    deps: [in.txt]\n"
      "    outs: [o]\n";
  WriteText(P("dvc.yaml"), before);
  WriteText(P("in.txt"), "1\n");
  Repro();
  std::string after = before;
  after.replace(after.find("outs: [o]"), 9, "outs: [o, extra.out]");
  WriteText(P("dvc.yaml"), after);
  Repro();
  {
    LockFile lock = Lock();
    ASSERT_NE(lock.Find("s"), nullptr);
    Strings paths;
    for (const LockedEntry& e : lock.Find("s")->outs) paths.push_back(e.path);
    EXPECT_EQ(Sorted(paths), (Strings{"extra.out", "o"}));
  }
  Repro();
  EXPECT_EQ(listener_.With(StageEvent::kUnchanged), Strings{"s"});
  EXPECT_TRUE(PipelineStatus(*repo_, {}, 1).empty());
}

TEST_F(ReproTest, OutputNoLongerDeclaredLeavesTheLock) {
  const std::string before =
      "stages:\n"
      "  s:\n"
      "    cmd: echo s >> runs.log && echo x > o && echo extra > extra.out\n"
      "    deps: [in.txt]\n"
      "    outs: [o, extra.out]\n";
  WriteText(P("dvc.yaml"), before);
  WriteText(P("in.txt"), "1\n");
  Repro();
  std::string after = before;
  after.replace(after.find("outs: [o, extra.out]"), 20, "outs: [o]");
  WriteText(P("dvc.yaml"), after);
  Repro();
  {
    LockFile lock = Lock();
    ASSERT_NE(lock.Find("s"), nullptr);
    Strings paths;
    for (const LockedEntry& e : lock.Find("s")->outs) paths.push_back(e.path);
    EXPECT_EQ(paths, Strings{"o"});
  }
  Repro();
  EXPECT_EQ(listener_.With(StageEvent::kUnchanged), Strings{"s"});
}

TEST_F(ReproTest, NoPipelineIsAnError) {
  ReproOptions options;
  QuietSink sink;
  std::unique_ptr<Executor> executor = MakeLocalExecutor(sink);
  EXPECT_EQ(ErrorOf([&] { Reproduce(*repo_, options, *executor, listener_); }), ErrorKind::kData);
}

}  // namespace
}  // namespace leanops
