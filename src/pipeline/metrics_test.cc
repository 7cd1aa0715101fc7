// Tests of metrics and params collection and diffs (DVC 3 semantics) on
// temp repositories: pipelines built in code for the collection rules, and
// git repositories for reading at revisions. The expected tables follow
// tabulate's "plain" layout DVC prints (dvc/compare.py, dvc/ui/table.py).
#include "pipeline/metrics.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/subprocess.h"
#include "pipeline/revision_fs.h"

namespace leanops {
namespace {

namespace stdfs = std::filesystem;

class MetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/leanops-metrics-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = stdfs::canonical(tmpl).string();
  }
  void TearDown() override { stdfs::remove_all(root_); }

  void Put(const std::string& rel, const std::string& data) {
    stdfs::path p = stdfs::path(root_) / rel;
    stdfs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << data;
  }

  void Git(const std::vector<std::string>& args) {
    std::vector<std::string> argv{
        "git", "-c", "user.name=t", "-c", "user.email=t@t.invalid", "-c", "commit.gpgsign=false"};
    argv.insert(argv.end(), args.begin(), args.end());
    ASSERT_EQ(RunCapture(argv, root_).exit_code, 0) << args[0];
  }

  bool HaveGit() { return RunCapture({"git", "--version"}, root_).exit_code == 0; }

  // A view with one pipeline at the root, built by hand.
  RevisionView View(Pipeline pipeline) {
    RevisionView view;
    view.rev = kWorkspace;
    view.root = root_;
    view.fs = &RealFs();
    pipeline.path = root_ + "/dvc.yaml";
    pipeline.display = "dvc.yaml";
    view.pipelines.push_back(std::move(pipeline));
    return view;
  }

  static StageDef Stage(const std::string& wdir) {
    StageDef stage;
    stage.name = "train";
    stage.wdir = wdir;
    return stage;
  }
  static OutDecl Out(const std::string& path, OutKind kind) {
    OutDecl out;
    out.path = path;
    out.kind = kind;
    return out;
  }

  std::string root_;
};

TEST_F(MetricsTest, CollectsStageMetricsThenTopLevelWithoutRepeats) {
  Pipeline p;
  StageDef stage = Stage(root_ + "/sub");
  stage.outs = {Out("model.bin", OutKind::kOut), Out("eval/m.json", OutKind::kMetric),
                Out("../summary.json", OutKind::kMetric)};
  p.stages.push_back(stage);
  p.metrics = {"top.yaml", "summary.json", "../outside.json"};
  EXPECT_EQ(CollectMetricsFiles(View(p)),
            (std::vector<std::string>{"sub/eval/m.json", "summary.json", "top.yaml"}));
}

TEST_F(MetricsTest, ReadsMetricsKeepingNumbersStringsAndBools) {
  Put("m.json", R"({"acc": 0.9, "n": 3, "name": "rf", "ok": true, "hist": [1, 2],
                   "none": null, "nested": {"f1": 0.5, "empty": {}, "l": []}})");
  Put("dir/a.yaml", "loss: 0.25\n");
  Put("dir/b.toml", "auc = 0.75\n");
  Pipeline p;
  p.metrics = {"m.json", "dir", "missing.json"};
  std::vector<FileData> files = ReadMetrics(View(p));
  ASSERT_EQ(files.size(), 3u);  // the missing file is left out
  EXPECT_EQ(files[0].path, "m.json");
  EXPECT_EQ(
      files[0].data,
      Json::parse(R"({"acc": 0.9, "n": 3, "name": "rf", "ok": true, "nested": {"f1": 0.5}})"));
  EXPECT_EQ(files[1].path, "dir/a.yaml");
  EXPECT_EQ(files[2].path, "dir/b.toml");
  EXPECT_EQ(files[2].data, Json::parse(R"({"auc": 0.75})"));
}

TEST_F(MetricsTest, MalformedMetricsFileIsADataErrorNamingIt) {
  Put("m.json", "{\"acc\": 0.9,\n oops}\n");
  Pipeline p;
  p.metrics = {"m.json"};
  try {
    ReadMetrics(View(p));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    EXPECT_EQ(std::string(e.what()).rfind("m.json:2:", 0), 0u) << e.what();
  }
}

TEST_F(MetricsTest, ParamsAreMergedAsDvcMergesThem) {
  Put("params.yaml", "lr: 0.1\nepochs: 3\nunused: x\n");
  Put("sub/cfg.toml", "[model]\ndepth = 4\nwidth = 8\n");
  Put("extra.json", "{\"seed\": 1}");
  Pipeline p;
  StageDef a = Stage(root_ + "/sub");
  a.params = {{"cfg.toml", {"model.depth"}}, {"../params.yaml", {"lr"}}};
  StageDef b = Stage(root_);
  b.params = {{"sub/cfg.toml", {"model.width", "model.depth"}}};
  p.stages = {a, b};
  p.params = {"extra.json"};
  std::vector<ParamsFileSpec> specs = CollectParamsFiles(View(p));
  ASSERT_EQ(specs.size(), 3u);
  EXPECT_EQ(specs[0].path, "sub/cfg.toml");
  EXPECT_EQ(specs[0].keys, (std::vector<std::string>{"model.depth", "model.width"}));
  // params.yaml is tracked whole: `dvc params diff` shows all of it.
  EXPECT_EQ(specs[1].path, "params.yaml");
  EXPECT_TRUE(specs[1].keys.empty());
  EXPECT_EQ(specs[2].path, "extra.json");

  std::vector<FileData> data = ReadParams(View(p));
  ASSERT_EQ(data.size(), 3u);
  EXPECT_EQ(data[0].data, Json::parse(R"({"model.depth": 4, "model.width": 8})"));
  EXPECT_EQ(data[1].data, Json::parse(R"({"lr": 0.1, "epochs": 3, "unused": "x"})"));
  EXPECT_EQ(data[2].data, Json::parse(R"({"seed": 1})"));
}

TEST_F(MetricsTest, ParamsListsAreComparedAsPythonText) {
  Put("params.yaml", "layers: [64, 32]\nopt:\n  names: [a, b]\n  beta: 0.9\n");
  std::vector<FileData> data = ReadParams(View(Pipeline{}));
  ASSERT_EQ(data.size(), 1u);
  EXPECT_EQ(data[0].data,
            Json::parse(R"({"layers": "[64, 32]", "opt.names": "['a', 'b']", "opt.beta": 0.9})"));
}

TEST_F(MetricsTest, DiffRowsFollowDvcDiff) {
  std::vector<FileData> old_files = {
      {"m.json", Json::parse(R"({"acc": 0.9, "n": 3, "same": 1, "gone": 2, "s": "a"})")},
      {"old_only.json", Json::parse(R"({"x": 1})")}};
  std::vector<FileData> new_files = {
      {"m.json", Json::parse(R"({"acc": 0.95, "n": 5, "same": 1.0, "new": 7, "s": "b"})")}};
  std::vector<DiffRow> rows = DiffFileData(old_files, new_files, false);
  ASSERT_EQ(rows.size(), 6u);
  // Files then keys sorted; 1 == 1.0 as in Python, so "same" is unchanged.
  EXPECT_EQ(rows[0].key, "acc");
  EXPECT_DOUBLE_EQ(rows[0].change->get<double>(), 0.95 - 0.9);
  EXPECT_EQ(rows[1].key, "gone");
  EXPECT_TRUE(rows[1].new_value.is_null());
  EXPECT_FALSE(rows[1].change.has_value());
  EXPECT_EQ(rows[2].key, "n");
  EXPECT_EQ(*rows[2].change, Json(2));
  EXPECT_TRUE(rows[2].change->is_number_integer());  // int - int stays an int
  EXPECT_EQ(rows[3].key, "new");
  EXPECT_EQ(rows[4].key, "s");
  EXPECT_FALSE(rows[4].change.has_value());
  EXPECT_EQ(rows[5].path, "old_only.json");

  std::vector<DiffRow> all = DiffFileData(old_files, new_files, true);
  EXPECT_EQ(all.size(), 7u);
  EXPECT_EQ(all[5].key, "same");
  EXPECT_EQ(*all[5].change, Json(0.0));

  EXPECT_EQ(DumpJsonLikePython(DiffJson(rows)),
            "{\n"
            "  \"m.json\": {\n"
            "    \"acc\": {\n"
            "      \"old\": 0.9,\n"
            "      \"new\": 0.95,\n"
            "      \"diff\": 0.04999999999999993\n"
            "    },\n"
            "    \"gone\": {\n"
            "      \"old\": 2,\n"
            "      \"new\": null\n"
            "    },\n"
            "    \"n\": {\n"
            "      \"old\": 3,\n"
            "      \"new\": 5,\n"
            "      \"diff\": 2\n"
            "    },\n"
            "    \"new\": {\n"
            "      \"old\": null,\n"
            "      \"new\": 7\n"
            "    },\n"
            "    \"s\": {\n"
            "      \"old\": \"a\",\n"
            "      \"new\": \"b\"\n"
            "    }\n"
            "  },\n"
            "  \"old_only.json\": {\n"
            "    \"x\": {\n"
            "      \"old\": 1,\n"
            "      \"new\": null\n"
            "    }\n"
            "  }\n"
            "}");
}

TEST(MetricsTableTest, DiffTableAsDvcPrintsIt) {
  std::vector<DiffRow> rows = {
      {"metrics.json", "acc", Json(0.9), Json(0.95), Json(0.95 - 0.9)},
      {"metrics.json", "loss", Json(0.123456789), Json(nullptr), std::nullopt},
  };
  // python3: round(0.95 - 0.9, 5) == 0.05; round(0.123456789, 5) == 0.12346
  EXPECT_EQ(RenderTable(DiffTable(rows, "HEAD", "workspace", true)),
            "Path          Metric    HEAD     workspace    Change\n"
            "metrics.json  acc       0.9      0.95         0.05\n"
            "metrics.json  loss      0.12346  -            -\n");
  // Params: no Change column, values as Python's str, no rounding.
  std::vector<DiffRow> params = {
      {"params.yaml", "lr", Json(0.123456789), Json(1e-05), Json(1e-05 - 0.123456789)},
      {"params.yaml", "use_bn", Json(true), Json(false), Json(-1)}};
  EXPECT_EQ(RenderTable(DiffTable(params, "v1", "v2", false)),
            "Path         Param    v1           v2\n"
            "params.yaml  lr       0.123456789  1e-05\n"
            "params.yaml  use_bn   True         False\n");
  EXPECT_EQ(RenderTable(DiffTable({}, "HEAD", "workspace", true)), "");
}

TEST(MetricsTableTest, ShowTableHasOneRowPerFile) {
  std::vector<FileData> files = {
      {"eval/m.json", Json::parse(R"({"acc": 0.987654321, "train": {"loss": 2}})")},
      {"other.yaml", Json::parse(R"({"acc": 1e-07, "ok": true})")}};
  EXPECT_EQ(RenderTable(MetricsShowTable({{kWorkspace, files}}, false)),
            "Path         acc      ok    train.loss\n"
            "eval/m.json  0.98765  -     2\n"
            "other.yaml   0.0      True  -\n");
  EXPECT_EQ(RenderTable(MetricsShowTable({{"main", {files[1]}}, {"v1,v2", {files[0]}}}, true)),
            "Revision    Path         acc      ok    train.loss\n"
            "main        other.yaml   0.0      True  -\n"
            "v1,v2       eval/m.json  0.98765  -     2\n");
  EXPECT_EQ(DumpJsonLikePython(MetricsShowJson({{kWorkspace, {files[0]}}})),
            "{\n  \"workspace\": {\n    \"data\": {\n      \"eval/m.json\": {\n"
            "        \"data\": {\n          \"acc\": 0.987654321,\n          \"train\": {\n"
            "            \"loss\": 2\n          }\n        }\n      }\n    }\n  }\n}");
}

TEST(MetricsTableTest, RoundedFloatTextIsPythonRound) {
  EXPECT_EQ(RoundedFloatText(0.123456789, 5), "0.12346");
  EXPECT_EQ(RoundedFloatText(2.5, 0), "2.0");  // half to even
  EXPECT_EQ(RoundedFloatText(1e-07, 5), "0.0");
  EXPECT_EQ(RoundedFloatText(-0.000001, 5), "-0.0");
  EXPECT_EQ(RoundedFloatText(1e20, 5), "1e+20");
  EXPECT_EQ(RoundedFloatText(0.04999999999999993, 5), "0.05");
}

TEST_F(MetricsTest, RevisionFsReadsTheCommittedTree) {
  if (!HaveGit()) GTEST_SKIP() << "git not available";
  Git({"init", "-q"});
  Put("a.txt", "one");
  Put("d/e/f.json", "{}");
  Git({"add", "."});
  Git({"commit", "-q", "-m", "c1"});
  Put("a.txt", "two");
  Put("new.txt", "n");
  std::unique_ptr<RevisionFs> fs = RevisionFs::Open(root_, "HEAD");
  EXPECT_EQ(fs->ReadFile(root_ + "/a.txt"), "one");
  EXPECT_TRUE(fs->Stat(root_ + "/d/e").is_dir());
  EXPECT_TRUE(fs->Stat(root_ + "/d/e/f.json").is_file());
  EXPECT_EQ(fs->Stat(root_ + "/d/e/f.json").size, 2u);
  EXPECT_FALSE(fs->Stat(root_ + "/new.txt").exists());
  EXPECT_EQ(fs->ListDir(root_), (std::vector<std::string>{"a.txt", "d"}));
  auto walk = fs->Walk(root_ + "/d", {});
  ASSERT_EQ(walk.size(), 1u);
  EXPECT_EQ(walk[0].relpath, "e/f.json");
  EXPECT_THROW(fs->WriteFileAtomic(root_ + "/a.txt", "x", 0644), Error);
  try {
    RevisionFs::Open(root_, "no-such-branch");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    EXPECT_NE(std::string(e.what()).find("no-such-branch"), std::string::npos);
  }
}

TEST_F(MetricsTest, DiffBetweenCommitAndWorkspaceReadsDvcYamlAtEachRevision) {
  if (!HaveGit()) GTEST_SKIP() << "git not available";
  Git({"init", "-q"});
  // No commit yet: DVC returns an empty diff.
  EXPECT_TRUE(DiffMetrics(RealFs(), root_, "HEAD", kWorkspace, false).empty());
  Put("dvc.yaml", "metrics:\n  - m.json\nparams:\n  - p.json\n");
  Put("m.json", "{\"acc\": 0.5}");
  Put("p.json", "{\"lr\": 0.1}");
  Git({"add", "."});
  Git({"commit", "-q", "-m", "c1"});
  // The workspace declares another metrics file the commit does not know.
  Put("dvc.yaml", "metrics:\n  - m.json\n  - n.json\nparams:\n  - p.json\n");
  Put("m.json", "{\"acc\": 0.75}");
  Put("n.json", "{\"f1\": 1}");
  Put("p.json", "{\"lr\": 0.01}");
  std::vector<DiffRow> rows = DiffMetrics(RealFs(), root_, "HEAD", kWorkspace, false);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].path, "m.json");
  EXPECT_EQ(rows[0].old_value, Json(0.5));
  EXPECT_EQ(rows[0].new_value, Json(0.75));
  EXPECT_EQ(rows[1].path, "n.json");
  EXPECT_TRUE(rows[1].old_value.is_null());
  std::vector<DiffRow> params = DiffParams(RealFs(), root_, "HEAD", kWorkspace, false);
  ASSERT_EQ(params.size(), 1u);
  EXPECT_EQ(params[0].key, "lr");
  EXPECT_EQ(*params[0].change, Json(0.01 - 0.1));
  // The same revision on both sides: nothing changed, everything with --all.
  EXPECT_TRUE(DiffMetrics(RealFs(), root_, "HEAD", "HEAD", false).empty());
  EXPECT_EQ(DiffMetrics(RealFs(), root_, "HEAD", "HEAD", true).size(), 1u);
  // A malformed file at a revision is named with the revision.
  Put("m.json", "{oops");
  Git({"commit", "-q", "-am", "c2"});
  try {
    DiffMetrics(RealFs(), root_, "HEAD", kWorkspace, false);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("HEAD:m.json:1:", 0), 0u) << e.what();
  }
}

}  // namespace
}  // namespace leanops
