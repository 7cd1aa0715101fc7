// Tests of `stage add`: the stage text in DVC's layout (key order and
// sorted lists of dvc/stage/serialize.py to_pipeline_file, as ruamel.yaml
// 0.17.21 dumps it with DVC's settings), and insertion into an existing
// dvc.yaml that keeps everything else of the file as it was.
#include "pipeline/stage_add.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "core/file_system.h"
#include "pipeline/test_util.h"

namespace leanops {
namespace {

using pipeline_test::ErrorOf;
using pipeline_test::ReadText;
using pipeline_test::TempDir;
using pipeline_test::WriteText;
using Strings = std::vector<std::string>;

OutDecl Out(const std::string& path, OutKind kind = OutKind::kOut, bool cache = true,
            bool persist = false) {
  OutDecl o;
  o.path = path;
  o.kind = kind;
  o.cache = cache;
  o.persist = persist;
  return o;
}

NewStage FullStage() {
  NewStage s;
  s.name = "train";
  s.desc = "Train it";
  s.cmd = "python train.py";
  s.wdir = "src";
  s.deps = {"train.py", "data/features"};
  s.params = {ParamsDecl{"whole.json", {}}, ParamsDecl{"other.yaml", {"b", "a"}},
              ParamsDecl{"params.yaml", {"lr", "epochs"}}};
  s.outs = {Out("model.bin"), Out("scores.json", OutKind::kMetric, /*cache=*/false),
            Out("tmp", OutKind::kOut, /*cache=*/false, /*persist=*/true),
            Out("roc.csv", OutKind::kPlot),
            Out("big", OutKind::kOut, /*cache=*/true, /*persist=*/true)};
  s.always_changed = true;
  return s;
}

NewStage SimpleStage(const std::string& name, const std::string& cmd) {
  NewStage s;
  s.name = name;
  s.cmd = cmd;
  s.deps = {"model.bin"};
  return s;
}

// ruamel.yaml's dump of the same stage under `stages:`.
constexpr char kFullStageText[] =
    "  train:\n"
    "    desc: Train it\n"
    "    cmd: python train.py\n"
    "    wdir: src\n"
    "    deps:\n"
    "    - data/features\n"
    "    - train.py\n"
    "    params:\n"
    "    - epochs\n"
    "    - lr\n"
    "    - other.yaml:\n"
    "      - a\n"
    "      - b\n"
    "    - whole.json:\n"
    "    outs:\n"
    "    - big:\n"
    "        persist: true\n"
    "    - model.bin\n"
    "    - tmp:\n"
    "        cache: false\n"
    "        persist: true\n"
    "    metrics:\n"
    "    - scores.json:\n"
    "        cache: false\n"
    "    plots:\n"
    "    - roc.csv\n"
    "    always_changed: true\n";

class StageAddTest : public testing::Test {
 protected:
  std::string Path() const { return dir_ / "dvc.yaml"; }
  void Add(const NewStage& stage, bool force = false) {
    AddStageToFile(RealFs(), Path(), "dvc.yaml", stage, force);
  }
  Pipeline Load() { return LoadPipeline(RealFs(), Path(), "dvc.yaml"); }
  Strings Names() {
    Strings names;
    for (const StageDef& s : Load().stages) names.push_back(s.name);
    return names;
  }

  TempDir dir_;
};

TEST(RenderStageTest, MatchesDvcLayout) { EXPECT_EQ(RenderStage(FullStage(), 2), kFullStageText); }

TEST(RenderStageTest, MinimalStage) {
  NewStage s;
  s.name = "hello";
  s.cmd = "echo hello";
  s.wdir = ".";
  EXPECT_EQ(RenderStage(s, 2), "  hello:\n    cmd: echo hello\n");
}

TEST(RenderStageTest, QuotesWhatYamlWouldMisread) {
  NewStage s;
  s.name = "q";
  s.cmd = "python prep.py --sep \": \"";
  s.deps = {"#notacomment", "true"};
  // As ruamel.yaml writes these strings.
  EXPECT_EQ(RenderStage(s, 2),
            "  q:\n"
            "    cmd: 'python prep.py --sep \": \"'\n"
            "    deps:\n"
            "    - '#notacomment'\n"
            "    - 'true'\n");
}

TEST(RenderStageTest, FollowsTheIndentation) {
  NewStage s = SimpleStage("ev", "python eval.py");
  s.outs = {Out("m", OutKind::kOut, false)};
  std::string text = RenderStage(s, 4);
  EXPECT_EQ(text.rfind("    ev:\n        cmd: python eval.py\n", 0), 0u) << text;
  // Whatever the indentation, the text parses as the same stage.
  TempDir dir;
  Pipeline p = ParsePipeline(RealFs(), "stages:\n" + text, dir / "dvc.yaml", "dvc.yaml");
  ASSERT_EQ(p.stages.size(), 1u);
  EXPECT_EQ(p.stages[0].deps, Strings{"model.bin"});
  ASSERT_EQ(p.stages[0].outs.size(), 1u);
  EXPECT_FALSE(p.stages[0].outs[0].cache);
}

TEST(RenderStageTest, RenderedStageParsesBack) {
  TempDir dir;
  Pipeline p = ParsePipeline(RealFs(), "stages:\n" + RenderStage(FullStage(), 2), dir / "dvc.yaml",
                             "dvc.yaml");
  ASSERT_EQ(p.stages.size(), 1u);
  const StageDef& s = p.stages[0];
  EXPECT_EQ(s.name, "train");
  EXPECT_EQ(s.desc, "Train it");
  EXPECT_EQ(s.cmd, Strings{"python train.py"});
  EXPECT_EQ(s.wdir, dir / "src");
  EXPECT_EQ(s.deps, (Strings{"data/features", "train.py"}));
  ASSERT_EQ(s.params.size(), 3u);
  EXPECT_EQ(s.params[0].file, "params.yaml");
  EXPECT_EQ(s.params[0].keys, (Strings{"epochs", "lr"}));
  EXPECT_EQ(s.params[1].file, "other.yaml");
  EXPECT_EQ(s.params[1].keys, (Strings{"a", "b"}));
  EXPECT_EQ(s.params[2].file, "whole.json");
  EXPECT_TRUE(s.params[2].keys.empty());
  ASSERT_EQ(s.outs.size(), 5u);
  EXPECT_TRUE(s.always_changed);
}

TEST(StageNameTest, Validity) {
  EXPECT_TRUE(IsValidStageName("train"));
  EXPECT_TRUE(IsValidStageName("train-v1.2_x"));
  EXPECT_FALSE(IsValidStageName(""));
  EXPECT_FALSE(IsValidStageName("a/b"));
  EXPECT_FALSE(IsValidStageName("a:b"));
  EXPECT_FALSE(IsValidStageName("a@b"));
  EXPECT_FALSE(IsValidStageName("a\\b"));
}

TEST_F(StageAddTest, CreatesAMissingFile) {
  Add(SimpleStage("ev", "python eval.py"));
  EXPECT_EQ(ReadText(Path()),
            "stages:\n"
            "  ev:\n"
            "    cmd: python eval.py\n"
            "    deps:\n"
            "    - model.bin\n");
  EXPECT_EQ(Names(), Strings{"ev"});
}

constexpr char kCommented[] =
    "# Pipeline of the churn model\n"
    "stages:\n"
    "  # first step\n"
    "  prepare:\n"
    "    cmd: python prep.py   # inline comment\n"
    "    outs:\n"
    "      - data.csv\n"
    "\n"
    "  # training\n"
    "  train:\n"
    "    cmd: python train.py\n"
    "    deps:\n"
    "      - data.csv\n"
    "    outs:\n"
    "      - model.bin\n"
    "\n"
    "metrics:\n"
    "  - scores.json   # the summary\n";

TEST_F(StageAddTest, AppendsKeepingCommentsAndLayout) {
  WriteText(Path(), kCommented);
  NewStage ev = SimpleStage("evaluate", "python eval.py");
  Add(ev);
  std::string text = ReadText(Path());
  const std::string head(kCommented, std::string(kCommented).find("\nmetrics:"));
  // Everything before the end of the stages block is unchanged, the new
  // stage follows the last one at the file's indentation, and what comes
  // after the block is unchanged.
  const std::string& before_blank = head;  // up to the blank line ending the last stage
  EXPECT_EQ(text.rfind(before_blank, 0), 0u) << text;
  EXPECT_NE(text.find(before_blank + RenderStage(ev, 2)), std::string::npos) << text;
  EXPECT_TRUE(text.ends_with("\nmetrics:\n  - scores.json   # the summary\n")) << text;
  EXPECT_EQ(Names(), (Strings{"prepare", "train", "evaluate"}));
  EXPECT_EQ(Load().metrics, Strings{"scores.json"});
}

TEST_F(StageAddTest, UsesTheFilesIndentation) {
  WriteText(Path(),
            "stages:\n"
            "    prepare:\n"
            "        cmd: python prep.py\n");
  Add(SimpleStage("ev", "python eval.py"));
  EXPECT_EQ(ReadText(Path()),
            "stages:\n"
            "    prepare:\n"
            "        cmd: python prep.py\n"
            "    ev:\n"
            "        cmd: python eval.py\n"
            "        deps:\n"
            "        - model.bin\n");
  EXPECT_EQ(Names(), (Strings{"prepare", "ev"}));
}

TEST_F(StageAddTest, AddsStagesToAFileWithoutThem) {
  WriteText(Path(), "# plots only\nplots:\n- loss.csv\n");
  Add(SimpleStage("ev", "python eval.py"));
  EXPECT_EQ(ReadText(Path()),
            "# plots only\n"
            "plots:\n"
            "- loss.csv\n"
            "stages:\n"
            "  ev:\n"
            "    cmd: python eval.py\n"
            "    deps:\n"
            "    - model.bin\n");

  WriteText(Path(), "stages: {}\n");
  Add(SimpleStage("ev", "python eval.py"));
  EXPECT_EQ(Names(), Strings{"ev"});
}

TEST_F(StageAddTest, FileWithoutTrailingNewline) {
  WriteText(Path(), "stages:\n  a:\n    cmd: x");
  Add(SimpleStage("ev", "python eval.py"));
  EXPECT_EQ(ReadText(Path()),
            "stages:\n"
            "  a:\n"
            "    cmd: x\n"
            "  ev:\n"
            "    cmd: python eval.py\n"
            "    deps:\n"
            "    - model.bin\n");
}

TEST_F(StageAddTest, DuplicateNameIsAnError) {
  WriteText(Path(), kCommented);
  std::string message;
  EXPECT_EQ(ErrorOf([&] { Add(SimpleStage("train", "other")); }, &message), ErrorKind::kData);
  EXPECT_NE(message.find("'train'"), std::string::npos) << message;
  EXPECT_NE(message.find("force"), std::string::npos) << message;
  EXPECT_EQ(ReadText(Path()), kCommented);
}

TEST_F(StageAddTest, ForceReplacesInPlace) {
  WriteText(Path(), kCommented);
  NewStage replacement = SimpleStage("prepare", "python prep.py --v2");
  Add(replacement, /*force=*/true);
  std::string text = ReadText(Path());
  // The stage keeps its position; the other stages and every comment stay.
  EXPECT_EQ(Names(), (Strings{"prepare", "train"})) << text;
  EXPECT_EQ(Load().stages[0].cmd, Strings{"python prep.py --v2"});
  EXPECT_EQ(Load().stages[1].cmd, Strings{"python train.py"});
  for (const char* kept :
       {"# Pipeline of the churn model\n", "  # first step\n", "  # training\n",
        "  train:\n    cmd: python train.py\n", "metrics:\n  - scores.json   # the summary\n"})
    EXPECT_NE(text.find(kept), std::string::npos) << "lost: " << kept << "\n" << text;
  EXPECT_EQ(text.find("inline comment"), std::string::npos) << text;  // the old definition
  EXPECT_LT(text.find("  prepare:"), text.find("  train:")) << text;
}

TEST_F(StageAddTest, ForceReplacesTheLastStage) {
  WriteText(Path(), kCommented);
  Add(SimpleStage("train", "python train.py --v2"), /*force=*/true);
  EXPECT_EQ(Names(), (Strings{"prepare", "train"}));
  EXPECT_EQ(Load().stages[1].cmd, Strings{"python train.py --v2"});
  std::string text = ReadText(Path());
  EXPECT_NE(text.find("  # training\n"), std::string::npos) << text;
  EXPECT_TRUE(text.ends_with("\nmetrics:\n  - scores.json   # the summary\n")) << text;
}

TEST_F(StageAddTest, InvalidNameIsAUsageError) {
  EXPECT_EQ(ErrorOf([&] { Add(SimpleStage("a/b", "x")); }), ErrorKind::kUsage);
  EXPECT_FALSE(pipeline_test::Exists(Path()));
}

TEST_F(StageAddTest, NeverWritesAFileThatDoesNotParse) {
  WriteText(Path(), kCommented);
  NewStage bad = SimpleStage("bad", "echo ${undefined_variable}");
  EXPECT_EQ(ErrorOf([&] { Add(bad); }), ErrorKind::kData);
  EXPECT_EQ(ReadText(Path()), kCommented);
}

TEST_F(StageAddTest, ExistingFileThatDoesNotParseIsAnError) {
  WriteText(Path(), "stages:\n  a:\n    cmd: x\n    bogus: 1\n");
  EXPECT_EQ(ErrorOf([&] { Add(SimpleStage("b", "y")); }), ErrorKind::kData);
  EXPECT_EQ(ReadText(Path()), "stages:\n  a:\n    cmd: x\n    bogus: 1\n");
}

}  // namespace
}  // namespace leanops
