// Tests of DVC's run cache: Python's json.dumps(sort_keys=True) text, the
// run-cache key and value digests (dvc/stage/cache.py _get_cache_hash over
// dvc/utils dict_sha256), and saving and finding a run in a repository.
//
// The oracle is python3 itself: the tests hand it the same values and DVC's
// algorithm, written out independently below, and compare.
#include "pipeline/run_cache.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/file_system.h"
#include "pipeline/stage_state.h"
#include "pipeline/test_util.h"

namespace leanops {
namespace {

using pipeline_test::ByPath;
using pipeline_test::HavePython;
using pipeline_test::Python;
using pipeline_test::ReadText;
using pipeline_test::TempDir;
using pipeline_test::WriteText;

// python3: json.dumps(v, sort_keys=True) for every value of a JSON list,
// one per line (json.dumps never writes a raw newline).
std::vector<std::string> PythonDumps(const Json& values) {
  std::string out = Python(
      "import json, sys\n"
      "for v in json.loads(sys.stdin.buffer.read().decode('utf-8')):\n"
      "    print(json.dumps(v, sort_keys=True))\n",
      values.dump());
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos <= out.size()) {
    size_t end = out.find('\n', pos);
    if (end == std::string::npos) end = out.size();
    lines.push_back(out.substr(pos, end - pos));
    pos = end + 1;
  }
  return lines;
}

// DVC's algorithm, from dvc/utils/__init__.py and dvc/stage/cache.py:
//   dict_filter, dict_sha256(d, exclude=[size, nfiles]) over
//   json.dumps(sort_keys=True); the key replaces outs by their paths.
constexpr char kDvcDigests[] =
    "import hashlib, json, sys\n"
    "def dict_filter(d, exclude=()):\n"
    "    if not exclude or not isinstance(d, (list, dict)):\n"
    "        return d\n"
    "    if isinstance(d, list):\n"
    "        return [dict_filter(e, exclude) for e in d]\n"
    "    return {k: dict_filter(v, exclude) for k, v in d.items() if k not in exclude}\n"
    "def dict_sha256(d, exclude=()):\n"
    "    byts = json.dumps(dict_filter(d, exclude), sort_keys=True).encode('utf-8')\n"
    "    return hashlib.sha256(byts).hexdigest()\n"
    "def get_cache_hash(cache, key=False):\n"
    "    if key:\n"
    "        cache['outs'] = [out['path'] for out in cache.get('outs', [])]\n"
    "    return dict_sha256(cache, exclude=['size', 'nfiles'])\n"
    "entry = json.loads(sys.stdin.read())\n"
    "print(get_cache_hash(json.loads(json.dumps(entry)), key=True))\n"
    "print(get_cache_hash(entry))\n";

struct DvcDigests {
  std::string key;
  std::string value;
};

// `entry` is the stage's lock entry exactly as DVC's
// to_single_stage_lockfile builds it (deps and outs sorted by path).
DvcDigests DvcDigestsOf(const Json& entry) {
  std::string out = Python(kDvcDigests, entry.dump());
  size_t nl = out.find('\n');
  if (nl == std::string::npos) return {};
  return {out.substr(0, nl), out.substr(nl + 1)};
}

TEST(PythonJsonDumpsTest, KnownAnswers) {
  EXPECT_EQ(PythonJsonDumps(Json{{"b", 1}, {"a", Json{1, "x"}}}), "{\"a\": [1, \"x\"], \"b\": 1}");
  EXPECT_EQ(PythonJsonDumps(Json("caf\u00e9")), "\"caf\\u00e9\"");
  EXPECT_EQ(PythonJsonDumps(Json("\U0001F600")), "\"\\ud83d\\ude00\"");
  EXPECT_EQ(PythonJsonDumps(Json(nullptr)), "null");
  EXPECT_EQ(PythonJsonDumps(Json::object()), "{}");
  EXPECT_EQ(PythonJsonDumps(Json::array()), "[]");
}

TEST(PythonJsonDumpsTest, EqualsPythonForTrickyValues) {
  if (!HavePython()) GTEST_SKIP() << "python3 not available";
  Json values = Json::array({
      "plain",
      "caf\u00e9 na\u00efve \u4e2d\u6587",
      "\U0001F600 emoji \U0001F468\u200D\U0001F469",
      std::string("ctl \x01\x02\x1f end", 11),
      "\x7f del",
      "esc \" \\ / \n \r \t \b \f",
      "\u2028 \u2029 \uFEFF",
      0.1,
      1e-05,
      0.0001,
      1e15,
      1e16,
      100.0,
      -0.0,
      1.5e300,
      5e-324,
      123456789.123,
      2.5,
      9007199254740993LL,
      -42,
      0,
      true,
      false,
      nullptr,
      Json::object(),
      Json::array(),
      Json{{"z", 1}, {"a", Json{{"y", 2}, {"b", Json::array({Json{{"d", 1}, {"c", 2}}})}}}},
      Json{{"\u00e9", 1}, {"z", 2}, {"Z", 3}, {"a b", 4}, {"", 5}},
      Json{{"cmd", "python train.py"},
           {"deps", Json::array({Json{{"path", "data"}, {"hash", "md5"}, {"md5", "x.dir"}}})}},
  });
  std::vector<std::string> expected = PythonDumps(values);
  ASSERT_EQ(expected.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i)
    EXPECT_EQ(PythonJsonDumps(values[i]), expected[i]) << "value #" << i << " " << values[i].dump();
}

// A stage definition parsed from dvc.yaml text (no files needed).
Pipeline ParseIn(const TempDir& dir, const std::string& text) {
  return ParsePipeline(RealFs(), text, dir / "dvc.yaml", "dvc.yaml");
}

LockedEntry Dep(const std::string& path, const std::string& md5, uint64_t size,
                std::optional<uint64_t> nfiles = std::nullopt) {
  LockedEntry e;
  e.path = path;
  e.md5 = md5;
  e.size = size;
  e.nfiles = nfiles;
  return e;
}

TEST(RunCacheKeyTest, EqualsDvcAlgorithm) {
  if (!HavePython()) GTEST_SKIP() << "python3 not available";
  TempDir dir;
  Pipeline p = ParseIn(dir,
                       "stages:\n"
                       "  train:\n"
                       "    cmd: python train.py --x \"caf\u00e9\"\n"
                       "    deps: [train.py, data/features]\n"
                       "    params: [lr, size, {other.json: [nested]}]\n"
                       "    outs: [model.bin, eval]\n"
                       "    metrics: [{scores.json: {cache: false}}]\n");
  const StageDef& def = p.stages[0];
  LockedStage inputs;
  inputs.cmd = "python train.py --x \"caf\u00e9\"";
  inputs.deps = {Dep("train.py", "acbd18db4cc2f85cedef654fccc4a4d8", 3),
                 Dep("data/features", "555b9a5ce9849cc00013f1cd547bccfd.dir", 6, 2)};
  inputs.params = Json::object();
  inputs.params["params.yaml"] = Json{{"lr", 0.1}, {"size", 128}};
  inputs.params["other.json"] = Json{{"nested", Json{{"b", 1e-05}, {"a", "x"}}}};

  // What DVC's to_single_stage_lockfile gives for this stage before it runs.
  Json entry = {{"cmd", inputs.cmd},
                {"deps", Json::array({Json{{"path", "data/features"},
                                           {"hash", "md5"},
                                           {"md5", "555b9a5ce9849cc00013f1cd547bccfd.dir"},
                                           {"size", 6},
                                           {"nfiles", 2}},
                                      Json{{"path", "train.py"},
                                           {"hash", "md5"},
                                           {"md5", "acbd18db4cc2f85cedef654fccc4a4d8"},
                                           {"size", 3}}})},
                {"params",
                 {{"params.yaml", {{"lr", 0.1}, {"size", 128}}},
                  {"other.json", {{"nested", {{"b", 1e-05}, {"a", "x"}}}}}}},
                {"outs", Json::array({Json{{"path", "eval"}, {"hash", "md5"}},
                                      Json{{"path", "model.bin"}, {"hash", "md5"}},
                                      Json{{"path", "scores.json"}, {"hash", "md5"}}})}};
  DvcDigests dvc = DvcDigestsOf(entry);
  ASSERT_EQ(dvc.key.size(), 64u);
  std::optional<std::string> key = RunCacheKey(def, inputs);
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(*key, dvc.key);
}

TEST(RunCacheKeyTest, StageWithOnlyParamsIsCachedAsDvcDoes) {
  // DVC's _can_hash checks stage.deps, which holds the params dependencies
  // too: a stage with params and no file deps has a run-cache key.
  if (!HavePython()) GTEST_SKIP() << "python3 not available";
  TempDir dir;
  Pipeline p = ParseIn(dir,
                       "stages:\n"
                       "  gen:\n"
                       "    cmd: python gen.py\n"
                       "    params: [seed]\n"
                       "    outs: [data.csv]\n");
  LockedStage inputs;
  inputs.cmd = "python gen.py";
  inputs.params = Json{{"params.yaml", Json{{"seed", 7}}}};
  Json entry = {{"cmd", "python gen.py"},
                {"params", {{"params.yaml", {{"seed", 7}}}}},
                {"outs", Json::array({Json{{"path", "data.csv"}, {"hash", "md5"}}})}};
  std::optional<std::string> key = RunCacheKey(p.stages[0], inputs);
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(*key, DvcDigestsOf(entry).key);
}

TEST(RunCacheKeyTest, NoKeyWhereDvcDoesNotCache) {
  TempDir dir;
  LockedStage inputs;
  inputs.cmd = "c";
  inputs.deps = {Dep("in", "acbd18db4cc2f85cedef654fccc4a4d8", 3)};
  auto key_for = [&](const std::string& stage_body, const LockedStage& in) {
    Pipeline p = ParseIn(dir, "stages:\n  s:\n    cmd: c\n" + stage_body);
    return RunCacheKey(p.stages[0], in);
  };
  EXPECT_TRUE(key_for("    deps: [in]\n    outs: [out]\n", inputs).has_value());
  EXPECT_FALSE(key_for("    deps: [in]\n    outs: [out]\n    always_changed: true\n", inputs));
  EXPECT_FALSE(key_for("    deps: [in]\n", inputs));  // no outs
  EXPECT_FALSE(key_for("    deps: [in]\n    outs: [{out: {persist: true}}]\n", inputs));
  LockedStage no_deps;
  no_deps.cmd = "c";
  EXPECT_FALSE(key_for("    outs: [out]\n", no_deps));
  LockedStage missing = inputs;
  missing.deps[0].md5.clear();
  missing.deps[0].size.reset();
  EXPECT_FALSE(key_for("    deps: [in]\n    outs: [out]\n", missing));
}

TEST(RunCacheKeyTest, KeyIgnoresSizesAndOutputHashes) {
  TempDir dir;
  Pipeline p = ParseIn(dir, "stages:\n  s:\n    cmd: c\n    deps: [in]\n    outs: [out]\n");
  LockedStage a;
  a.cmd = "c";
  a.deps = {Dep("in", "acbd18db4cc2f85cedef654fccc4a4d8", 3)};
  LockedStage b = a;
  b.deps[0].size = 999;
  b.outs = {Dep("out", "37b51d194a7513e45b56f6524f2d51f2", 3)};
  EXPECT_EQ(RunCacheKey(p.stages[0], a), RunCacheKey(p.stages[0], b));
  LockedStage c = a;
  c.deps[0].md5 = "37b51d194a7513e45b56f6524f2d51f2";
  EXPECT_NE(RunCacheKey(p.stages[0], a), RunCacheKey(p.stages[0], c));
  LockedStage d = a;
  d.cmd = "c2";
  EXPECT_NE(RunCacheKey(p.stages[0], a), RunCacheKey(p.stages[0], d));
}

// ---------------------------------------------------------------- in a repository

class RunCacheRepoTest : public testing::Test {
 protected:
  void SetUp() override {
    Repo::Init(RealFs(), dir_.path(), /*no_scm=*/true, /*force=*/false);
    repo_ = Repo::Open(RealFs(), RealClock(), dir_.path());
    WriteText(dir_ / "in.txt", "input one");
    WriteText(dir_ / "params.yaml", "lr: 0.1\n");
    pipeline_ = ParseIn(dir_,
                        "stages:\n"
                        "  s:\n"
                        "    cmd: make-out\n"
                        "    deps: [in.txt]\n"
                        "    params: [lr]\n"
                        "    outs: [out.txt, outdir]\n"
                        "    metrics: [{m.json: {cache: false}}]\n");
  }
  void TearDown() override { repo_.reset(); }
  const StageDef& def() { return pipeline_.stages[0]; }

  // Produces the outputs, as a run of the stage would, and commits them.
  LockedStage Run(const std::string& text) {
    WriteText(dir_ / "out.txt", text);
    WriteText(dir_ / "outdir/a", "a-" + text);
    WriteText(dir_ / "outdir/sub/b", "b-" + text);
    WriteText(dir_ / "m.json", "{\"acc\": 1}");
    LockedStage entry = MeasureInputs(*repo_, def(), 1);
    CommitOutputs(*repo_, def(), entry, 1, /*store_uncached=*/true);
    SaveRunCache(*repo_, def(), entry);
    return entry;
  }

  TempDir dir_;
  std::unique_ptr<Repo> repo_;
  Pipeline pipeline_;
};

TEST_F(RunCacheRepoTest, SaveWritesDvcLayout) {
  LockedStage entry = Run("first");
  std::optional<std::string> key = RunCacheKey(def(), entry);
  ASSERT_TRUE(key.has_value());
  std::string key_dir = dir_ / (".dvc/cache/runs/" + key->substr(0, 2) + "/" + *key);
  std::vector<std::string> names = RealFs().ListDir(key_dir);
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(ReadText(key_dir + "/" + names[0]), SerializeLockedStage(entry));
  EXPECT_EQ(names[0].size(), 64u);

  if (!HavePython()) return;
  // Both names are DVC's digests of the entry as written.
  Json doc = Json::object();
  doc["cmd"] = entry.cmd;
  auto entries = [](const std::vector<LockedEntry>& list) {
    std::vector<LockedEntry> sorted = list;
    std::sort(sorted.begin(), sorted.end(),
              [](const LockedEntry& a, const LockedEntry& b) { return a.path < b.path; });
    Json out = Json::array();
    for (const LockedEntry& e : sorted) {
      Json j = {{"path", e.path}, {"hash", "md5"}, {"md5", e.md5}};
      if (e.size) j["size"] = *e.size;
      if (e.nfiles) j["nfiles"] = *e.nfiles;
      out.push_back(j);
    }
    return out;
  };
  doc["deps"] = entries(entry.deps);
  doc["params"] = entry.params;
  doc["outs"] = entries(entry.outs);
  DvcDigests dvc = DvcDigestsOf(doc);
  EXPECT_EQ(*key, dvc.key);
  EXPECT_EQ(names[0], dvc.value);
}

TEST_F(RunCacheRepoTest, LookupFindsTheRunForTheSameInputs) {
  LockedStage first = Run("first");
  LockedStage inputs = MeasureInputs(*repo_, def(), 1);
  std::optional<LockedStage> found = LookupRunCache(*repo_, def(), inputs);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->cmd, first.cmd);
  EXPECT_EQ(found->outs, ByPath(first.outs));
  EXPECT_EQ(found->deps, ByPath(first.deps));
  EXPECT_EQ(found->params, first.params);
  // The uncached metric was stored too, so the run can be restored whole.
  EXPECT_EQ(found->outs.size(), 3u);
  for (const LockedEntry& out : found->outs) EXPECT_TRUE(repo_->cache().Has(out.md5)) << out.path;
}

TEST_F(RunCacheRepoTest, LookupMissesForOtherInputs) {
  Run("first");
  WriteText(dir_ / "params.yaml", "lr: 0.2\n");
  EXPECT_FALSE(LookupRunCache(*repo_, def(), MeasureInputs(*repo_, def(), 1)).has_value());
  WriteText(dir_ / "params.yaml", "lr: 0.1\n");
  EXPECT_TRUE(LookupRunCache(*repo_, def(), MeasureInputs(*repo_, def(), 1)).has_value());
  WriteText(dir_ / "in.txt", "input two, longer");
  EXPECT_FALSE(LookupRunCache(*repo_, def(), MeasureInputs(*repo_, def(), 1)).has_value());
}

TEST_F(RunCacheRepoTest, TwoRunsOfDifferentInputsAreBothKept) {
  LockedStage first = Run("first");
  WriteText(dir_ / "in.txt", "input two, longer");
  LockedStage second = Run("second");
  WriteText(dir_ / "in.txt", "input one");
  std::optional<LockedStage> found = LookupRunCache(*repo_, def(), MeasureInputs(*repo_, def(), 1));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->outs, ByPath(first.outs));
  WriteText(dir_ / "in.txt", "input two, longer");
  found = LookupRunCache(*repo_, def(), MeasureInputs(*repo_, def(), 1));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->outs, ByPath(second.outs));
}

TEST_F(RunCacheRepoTest, LookupMissesWhenAnOutputLeftTheCache) {
  LockedStage entry = Run("first");
  for (const LockedEntry& out : entry.outs)
    if (out.path == "out.txt") RealFs().RemoveFile(repo_->cache().ObjectPath(out.md5));
  EXPECT_FALSE(LookupRunCache(*repo_, def(), MeasureInputs(*repo_, def(), 1)).has_value());
}

TEST_F(RunCacheRepoTest, DamagedEntryIsSkipped) {
  LockedStage entry = Run("first");
  std::string key = *RunCacheKey(def(), entry);
  std::string key_dir = dir_ / (".dvc/cache/runs/" + key.substr(0, 2) + "/" + key);
  std::vector<std::string> names = RealFs().ListDir(key_dir);
  ASSERT_EQ(names.size(), 1u);
  WriteText(key_dir + "/" + names[0], "cmd: [unterminated\n");
  EXPECT_FALSE(LookupRunCache(*repo_, def(), MeasureInputs(*repo_, def(), 1)).has_value());
}

TEST_F(RunCacheRepoTest, SavingTheSameRunTwiceWritesOneEntry) {
  LockedStage entry = Run("first");
  SaveRunCache(*repo_, def(), entry);
  std::string key = *RunCacheKey(def(), entry);
  EXPECT_EQ(RealFs().ListDir(dir_ / (".dvc/cache/runs/" + key.substr(0, 2) + "/" + key)).size(),
            1u);
}

}  // namespace
}  // namespace leanops
