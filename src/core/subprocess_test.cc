// Tests of RunCaptureAll: both streams captured apart, exit codes, a program
// that cannot start, and large output on both streams at once.
#include "core/subprocess.h"

#include <gtest/gtest.h>

#include <string>

namespace leanops {
namespace {

TEST(RunCaptureAllTest, CapturesStdoutStderrAndExitCode) {
  ProcessOutput run = RunCaptureAll({"sh", "-c", "echo out; echo err >&2; pwd; exit 7"}, "/tmp");
  EXPECT_EQ(run.exit_code, 7);
  EXPECT_EQ(run.out, "out\n/tmp\n");
  EXPECT_EQ(run.err, "err\n");
}

TEST(RunCaptureAllTest, StdinIsEmptyAndSignalsGive128PlusN) {
  ProcessOutput run = RunCaptureAll({"sh", "-c", "cat; kill -TERM $$"}, "/");
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.exit_code, 128 + 15);
}

TEST(RunCaptureAllTest, MissingProgramSaysWhy) {
  ProcessOutput run = RunCaptureAll({"leanops-no-such-program"}, "/");
  EXPECT_EQ(run.exit_code, -1);
  EXPECT_NE(run.err.find("cannot run 'leanops-no-such-program'"), std::string::npos) << run.err;
}

TEST(RunCaptureAllTest, LargeOutputOnBothStreamsDoesNotStall) {
  // Far more than a pipe holds on each stream: reading one stream to its
  // end before the other would deadlock.
  ProcessOutput run = RunCaptureAll(
      {"sh", "-c",
       "i=0; while [ $i -lt 20000 ]; do echo 0123456789012345678901234567890123456789; "
       "echo abcdefghijabcdefghijabcdefghijabcdefghij >&2; i=$((i+1)); done"},
      "/");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out.size(), 20000u * 41);
  EXPECT_EQ(run.err.size(), 20000u * 41);
}

}  // namespace
}  // namespace leanops
