// Tests of dvc.lock reading and writing. The expected bytes are what DVC 3
// writes for the same content: dvc/stage/serialize.py
// to_single_stage_lockfile (path, hash, md5, size, nfiles, isexec; deps and
// outs sorted by path; params.yaml first, then the other files by name, keys
// sorted but not recursively) dumped by dvc/utils/serialize/_yaml.py
// (ruamel.yaml YAML(), default_flow_style=False). The literal below was
// produced by running that dump with ruamel.yaml 0.17.21; the test
// `ScalarsMatchRuamel` recomputes it for many tricky values when a python3
// with ruamel.yaml is available.
#include "pipeline/dvc_lock.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "core/file_system.h"
#include "pipeline/test_util.h"

namespace leanops {
namespace {

using pipeline_test::DataError;
using pipeline_test::TempDir;

LockedEntry Entry(const std::string& path, const std::string& md5, std::optional<uint64_t> size,
                  std::optional<uint64_t> nfiles = std::nullopt, bool isexec = false) {
  LockedEntry e;
  e.path = path;
  e.md5 = md5;
  e.size = size;
  e.nfiles = nfiles;
  e.isexec = isexec;
  return e;
}

constexpr char kFeaturesMd5[] = "0c2f6a3e4d2b1a0f9e8d7c6b5a493827.dir";

// A lock as leanops builds it: entries, files and keys in no particular order.
LockFile RepresentativeLock() {
  LockFile lock;
  LockedStage prepare;
  prepare.cmd = "python prep.py --sep \": \"";
  prepare.deps = {Entry("prep.py", "5d41402abc4b2a76b9719d911017c592", 5, std::nullopt, true),
                  Entry("data/raw.csv", "22a1a2931c8370d3aeedd7183606fd7f", 14445097)};
  prepare.params = Json::object();
  prepare.params["other.json"] = Json::object();
  prepare.params["other.json"]["nested"] = Json{{"z", 1}, {"a", 2}};
  prepare.params["other.json"]["list"] = Json{1, 2.5, "x"};
  prepare.params["params.yaml"] = Json::object();
  prepare.params["params.yaml"]["version"] = "1.0";
  prepare.params["params.yaml"]["lr"] = 0.1;
  prepare.params["params.yaml"]["tiny"] = 1e-05;
  prepare.params["params.yaml"]["flag"] = "true";
  prepare.outs = {Entry("data/features", kFeaturesMd5, 1234, 3)};
  lock.Set("prepare", prepare);

  LockedStage train;
  train.cmd = Json{"python train.py", "echo done"};
  train.deps = {Entry("data/features", kFeaturesMd5, 1234, 3)};
  train.outs = {Entry("model.bin", "acbd18db4cc2f85cedef654fccc4a4d8", 3)};
  lock.Set("train", train);
  return lock;
}

// ruamel.yaml 0.17.21, DVC's dumper, for the lock above.
constexpr char kRepresentativeText[] =
    "schema: '2.0'\n"
    "stages:\n"
    "  prepare:\n"
    "    cmd: 'python prep.py --sep \": \"'\n"
    "    deps:\n"
    "    - path: data/raw.csv\n"
    "      hash: md5\n"
    "      md5: 22a1a2931c8370d3aeedd7183606fd7f\n"
    "      size: 14445097\n"
    "    - path: prep.py\n"
    "      hash: md5\n"
    "      md5: 5d41402abc4b2a76b9719d911017c592\n"
    "      size: 5\n"
    "      isexec: true\n"
    "    params:\n"
    "      params.yaml:\n"
    "        flag: 'true'\n"
    "        lr: 0.1\n"
    "        tiny: 1e-05\n"
    "        version: '1.0'\n"
    "      other.json:\n"
    "        list:\n"
    "        - 1\n"
    "        - 2.5\n"
    "        - x\n"
    "        nested:\n"
    "          z: 1\n"
    "          a: 2\n"
    "    outs:\n"
    "    - path: data/features\n"
    "      hash: md5\n"
    "      md5: 0c2f6a3e4d2b1a0f9e8d7c6b5a493827.dir\n"
    "      size: 1234\n"
    "      nfiles: 3\n"
    "  train:\n"
    "    cmd:\n"
    "    - python train.py\n"
    "    - echo done\n"
    "    deps:\n"
    "    - path: data/features\n"
    "      hash: md5\n"
    "      md5: 0c2f6a3e4d2b1a0f9e8d7c6b5a493827.dir\n"
    "      size: 1234\n"
    "      nfiles: 3\n"
    "    outs:\n"
    "    - path: model.bin\n"
    "      hash: md5\n"
    "      md5: acbd18db4cc2f85cedef654fccc4a4d8\n"
    "      size: 3\n";

TEST(DvcLockTest, SerializesExactlyAsDvc) {
  EXPECT_EQ(SerializeLockFile(RepresentativeLock()), kRepresentativeText);
}

TEST(DvcLockTest, ParsesEveryField) {
  LockFile lock = ParseLockFile(kRepresentativeText, "dvc.lock");
  ASSERT_EQ(lock.stages.size(), 2u);
  EXPECT_EQ(lock.stages[0].first, "prepare");
  EXPECT_EQ(lock.stages[1].first, "train");
  const LockedStage* prepare = lock.Find("prepare");
  ASSERT_NE(prepare, nullptr);
  EXPECT_EQ(prepare->cmd, Json("python prep.py --sep \": \""));
  ASSERT_EQ(prepare->deps.size(), 2u);
  EXPECT_EQ(prepare->deps[0], Entry("data/raw.csv", "22a1a2931c8370d3aeedd7183606fd7f", 14445097));
  EXPECT_EQ(prepare->deps[1],
            Entry("prep.py", "5d41402abc4b2a76b9719d911017c592", 5, std::nullopt, true));
  ASSERT_EQ(prepare->outs.size(), 1u);
  EXPECT_EQ(prepare->outs[0], Entry("data/features", kFeaturesMd5, 1234, 3));
  const Json& p = prepare->params["params.yaml"];
  EXPECT_EQ(p["flag"], Json("true"));
  EXPECT_EQ(p["lr"], Json(0.1));
  EXPECT_EQ(p["tiny"], Json(1e-05));
  EXPECT_EQ(p["version"], Json("1.0"));
  EXPECT_EQ(prepare->params["other.json"]["list"], (Json{1, 2.5, "x"}));
  EXPECT_EQ(prepare->params["other.json"]["nested"], (Json{{"z", 1}, {"a", 2}}));
  const LockedStage* train = lock.Find("train");
  ASSERT_NE(train, nullptr);
  EXPECT_EQ(train->cmd, (Json{"python train.py", "echo done"}));
  EXPECT_EQ(lock.Find("nothing"), nullptr);
}

TEST(DvcLockTest, RoundTripIsIdentity) {
  EXPECT_EQ(SerializeLockFile(ParseLockFile(kRepresentativeText, "dvc.lock")), kRepresentativeText);
}

TEST(DvcLockTest, DepsAndOutsSortedByPath) {
  LockFile lock;
  LockedStage s;
  s.cmd = "c";
  s.deps = {Entry("z.txt", "acbd18db4cc2f85cedef654fccc4a4d8", 3),
            Entry("a/b.txt", "900150983cd24fb0d6963f7d28e17f72", 3),
            Entry("a.txt", "37b51d194a7513e45b56f6524f2d51f2", 3)};
  s.outs = {Entry("out2", "acbd18db4cc2f85cedef654fccc4a4d8", 3),
            Entry("out1", "900150983cd24fb0d6963f7d28e17f72", 3)};
  lock.Set("s", s);
  std::string text = SerializeLockFile(lock);
  // Python sorts str by code point: "a.txt" < "a/b.txt" < "z.txt".
  size_t a = text.find("path: a.txt"), ab = text.find("path: a/b.txt"),
         z = text.find("path: z.txt");
  ASSERT_NE(a, std::string::npos);
  EXPECT_LT(a, ab);
  EXPECT_LT(ab, z);
  EXPECT_LT(text.find("path: out1"), text.find("path: out2"));
  EXPECT_LT(z, text.find("outs:"));
}

TEST(DvcLockTest, ParamsYamlFirstThenFilesByNameKeysSortedNotRecursively) {
  LockFile lock;
  LockedStage s;
  s.cmd = "c";
  s.params = Json::object();
  s.params["z.yaml"] = Json{{"b", 1}, {"a", 2}};
  s.params["params.yaml"] = Json{{"y", Json{{"q", 1}, {"p", 2}}}, {"x", 3}};
  s.params["b.toml"] = Json{{"k", "v"}};
  s.params["a.json"] = Json::object();  // a whole file that is empty
  lock.Set("s", s);
  EXPECT_EQ(SerializeLockFile(lock),
            "schema: '2.0'\n"
            "stages:\n"
            "  s:\n"
            "    cmd: c\n"
            "    params:\n"
            "      params.yaml:\n"
            "        x: 3\n"
            "        y:\n"
            "          q: 1\n"
            "          p: 2\n"
            "      a.json: {}\n"
            "      b.toml:\n"
            "        k: v\n"
            "      z.yaml:\n"
            "        a: 2\n"
            "        b: 1\n");
}

TEST(DvcLockTest, LegacyEntriesWithoutHashAreKept) {
  const std::string text =
      "schema: '2.0'\n"
      "stages:\n"
      "  old:\n"
      "    cmd: python old.py\n"
      "    deps:\n"
      "    - path: in.txt\n"
      "      md5: acbd18db4cc2f85cedef654fccc4a4d8\n"
      "      size: 3\n"
      "    outs:\n"
      "    - path: out.txt\n"
      "      md5: 37b51d194a7513e45b56f6524f2d51f2\n"
      "      size: 3\n"
      "  new:\n"
      "    cmd: python new.py\n"
      "    outs:\n"
      "    - path: o\n"
      "      hash: md5\n"
      "      md5: 37b51d194a7513e45b56f6524f2d51f2\n"
      "      size: 3\n";
  LockFile lock = ParseLockFile(text, "dvc.lock");
  ASSERT_NE(lock.Find("old"), nullptr);
  EXPECT_TRUE(lock.Find("old")->deps[0].legacy_hash);
  EXPECT_TRUE(lock.Find("old")->outs[0].legacy_hash);
  EXPECT_FALSE(lock.Find("new")->outs[0].legacy_hash);
  EXPECT_EQ(SerializeLockFile(lock), text);
}

TEST(DvcLockTest, SetKeepsPositionEraseRemoves) {
  LockFile lock = ParseLockFile(kRepresentativeText, "dvc.lock");
  LockedStage replaced;
  replaced.cmd = "new command";
  lock.Set("prepare", replaced);
  lock.Set("evaluate", replaced);
  ASSERT_EQ(lock.stages.size(), 3u);
  EXPECT_EQ(lock.stages[0].first, "prepare");
  EXPECT_EQ(lock.stages[0].second.cmd, Json("new command"));
  EXPECT_TRUE(lock.stages[0].second.deps.empty());
  EXPECT_EQ(lock.stages[1].first, "train");
  EXPECT_EQ(lock.stages[2].first, "evaluate");
  lock.Erase("train");
  ASSERT_EQ(lock.stages.size(), 2u);
  EXPECT_EQ(lock.stages[1].first, "evaluate");
  lock.Erase("absent");
  EXPECT_EQ(lock.stages.size(), 2u);
}

TEST(DvcLockTest, StageNamesOfForeachInstances) {
  LockFile lock;
  LockedStage s;
  s.cmd = "echo a";
  lock.Set("build@a", s);
  lock.Set("train@cnn-0.1", s);
  std::string text = SerializeLockFile(lock);
  EXPECT_EQ(text,
            "schema: '2.0'\n"
            "stages:\n"
            "  build@a:\n"
            "    cmd: echo a\n"
            "  train@cnn-0.1:\n"
            "    cmd: echo a\n");
  EXPECT_EQ(SerializeLockFile(ParseLockFile(text, "dvc.lock")), text);
}

TEST(DvcLockTest, SerializeLockedStageHasNoWrapper) {
  const LockFile lock = RepresentativeLock();
  EXPECT_EQ(SerializeLockedStage(*lock.Find("train")),
            "cmd:\n"
            "- python train.py\n"
            "- echo done\n"
            "deps:\n"
            "- path: data/features\n"
            "  hash: md5\n"
            "  md5: 0c2f6a3e4d2b1a0f9e8d7c6b5a493827.dir\n"
            "  size: 1234\n"
            "  nfiles: 3\n"
            "outs:\n"
            "- path: model.bin\n"
            "  hash: md5\n"
            "  md5: acbd18db4cc2f85cedef654fccc4a4d8\n"
            "  size: 3\n");
}

TEST(DvcLockTest, LongCommandIsFoldedAsRuamelDoes) {
  // ruamel's emitter (best_width 80) folds a long plain scalar at a space;
  // DVC's dvc.lock files show such commands on two lines.
  LockFile lock;
  LockedStage s;
  s.cmd =
      "python src/train.py --input data/features --output models/model.bin --epochs 10 "
      "--seed 42";
  lock.Set("train", s);
  EXPECT_EQ(SerializeLockFile(lock),
            "schema: '2.0'\n"
            "stages:\n"
            "  train:\n"
            "    cmd: python src/train.py --input data/features --output models/model.bin "
            "--epochs\n"
            "      10 --seed 42\n");
}

TEST(DvcLockTest, SchemaIsRequired) {
  std::string message = DataError([] { ParseLockFile("stages:\n  a:\n    cmd: x\n", "dvc.lock"); });
  EXPECT_NE(message.find("dvc.lock"), std::string::npos) << message;
  EXPECT_NE(message.find("schema"), std::string::npos) << message;
  message = DataError([] { ParseLockFile("schema: '1.0'\nstages: {}\n", "sub/dvc.lock"); });
  EXPECT_NE(message.find("sub/dvc.lock"), std::string::npos) << message;
  // DVC 1's layout: stage names at the top level.
  DataError([] { ParseLockFile("train:\n  cmd: x\n", "dvc.lock"); });
}

TEST(DvcLockTest, MalformedContentNamesTheLine) {
  std::string message =
      DataError([] { ParseLockFile("schema: '2.0'\nstages:\n  a:\n    deps: []\n", "dvc.lock"); });
  EXPECT_NE(message.find("dvc.lock:"), std::string::npos) << message;
  message = DataError([] {
    ParseLockFile("schema: '2.0'\nstages:\n  a:\n    cmd: x\n    deps:\n    - md5: abc\n",
                  "dvc.lock");
  });
  EXPECT_NE(message.find("dvc.lock:6"), std::string::npos) << message;
  message = DataError([] {
    ParseLockFile(
        "schema: '2.0'\nstages:\n  a:\n    cmd: x\n    outs:\n    - path: o\n"
        "      size: big\n",
        "dvc.lock");
  });
  EXPECT_NE(message.find("dvc.lock:6"), std::string::npos) << message;
  message = DataError([] { ParseLockFile("schema: '2.0'\nstages: [\n", "dvc.lock"); });
  EXPECT_NE(message.find("dvc.lock:"), std::string::npos) << message;
}

TEST(DvcLockTest, EmptyTextIsAnEmptyLock) {
  EXPECT_TRUE(ParseLockFile("", "dvc.lock").stages.empty());
  EXPECT_TRUE(ParseLockFile("schema: '2.0'\n", "dvc.lock").stages.empty());
}

TEST(DvcLockTest, SaveLoadAndRemoveWhenEmpty) {
  TempDir dir;
  std::string path = dir / "dvc.lock";
  EXPECT_TRUE(LoadLockFile(RealFs(), path, "dvc.lock").stages.empty());
  SaveLockFile(RealFs(), path, RepresentativeLock());
  EXPECT_EQ(pipeline_test::ReadText(path), kRepresentativeText);
  LockFile loaded = LoadLockFile(RealFs(), path, "dvc.lock");
  EXPECT_EQ(loaded.stages.size(), 2u);
  SaveLockFile(RealFs(), path, LockFile{});
  EXPECT_FALSE(pipeline_test::Exists(path));
  // No temp files left behind.
  EXPECT_TRUE(RealFs().ListDir(dir.path()).empty());
}

// ---------------------------------------------------------------- ruamel oracle

// A python3 that can import ruamel.yaml, or "".
std::string RuamelPython() {
  for (const char* python : {"python3", "/usr/bin/python3"})
    if (RunCapture({python, "-c", "import ruamel.yaml"}, ".").exit_code == 0) return python;
  return "";
}

// DVC's dump_yaml over each document of a JSON list; returns the texts.
std::vector<std::string> RuamelDump(const std::string& python, const Json& docs) {
  const char* program =
      "import sys, io, json\n"
      "from collections import OrderedDict\n"
      "from ruamel.yaml import YAML\n"
      "yaml = YAML()\n"
      "yaml.default_flow_style = False\n"
      "r = yaml.Representer\n"
      "r.add_representer(OrderedDict, r.represent_dict)\n"
      "out = []\n"
      "for d in json.loads(sys.stdin.read(), object_pairs_hook=OrderedDict):\n"
      "    s = io.StringIO()\n"
      "    yaml.dump(d, s)\n"
      "    out.append(s.getvalue())\n"
      "print(json.dumps(out))\n";
  ProcessResult r = RunCapture({python, "-c", program}, ".", docs.dump());
  EXPECT_EQ(r.exit_code, 0);
  std::vector<std::string> texts;
  for (const Json& t : Json::parse(r.out)) texts.push_back(t.get<std::string>());
  return texts;
}

TEST(DvcLockTest, ScalarsMatchRuamel) {
  std::string python = RuamelPython();
  if (python.empty()) GTEST_SKIP() << "no python3 with ruamel.yaml";
  std::vector<Json> values = {
      "true",
      "True",
      "false",
      "1.0",
      "1",
      "1e5",
      "null",
      "~",
      "",
      "yes",
      "on",
      "NO",
      "0x1F",
      "0o17",
      "1_000",
      "+1",
      ".5",
      ".inf",
      "2024-01-02",
      "#x",
      "a #b",
      "x: y",
      "x:",
      "- x",
      "-",
      "@x",
      "*x",
      "&x",
      "!x",
      "%x",
      "|x",
      ">x",
      "{x}",
      "[x]",
      "a,b",
      "it's",
      "a\"b",
      "  lead",
      "trail ",
      "caf\u00e9",
      "multi\nline",
      "?x",
      "`x",
      "a: b: c",
      "tab\there",
      "plain text",
      "data/x.csv",
      "a'b\"c",
      0.1,
      1e-05,
      1e16,
      1e15,
      100.0,
      -1.5,
      1.5e-07,
      0.0001,
      2.5e+300,
      3,
      -7,
      0,
      true,
      false,
      nullptr,
      Json::object(),
      Json::array(),
      Json{1, "two", 3.5},
      Json::array({Json{{"units", 64}, {"act", "relu"}}, Json{{"units", 32}}}),
      Json::array({Json{1, 2}, Json{3}}),
      Json{{"deep", {{"x", Json{1, Json{{"y", nullptr}}}}}}}};
  Json docs = Json::array();
  std::vector<std::string> ours;
  for (const Json& v : values) {
    LockFile lock;
    LockedStage s;
    s.cmd = "c";
    s.params = Json{{"params.yaml", Json{{"k", v}}}};
    lock.Set("s", s);
    ours.push_back(SerializeLockFile(lock));
    docs.push_back(
        Json{{"schema", "2.0"}, {"stages", {{"s", {{"cmd", "c"}, {"params", s.params}}}}}});
  }
  std::vector<std::string> theirs = RuamelDump(python, docs);
  ASSERT_EQ(theirs.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(ours[i], theirs[i]) << "value " << values[i].dump();
    // And whatever is written reads back as the same value.
    LockFile back = ParseLockFile(ours[i], "dvc.lock");
    ASSERT_NE(back.Find("s"), nullptr);
    EXPECT_EQ(back.Find("s")->params["params.yaml"]["k"], values[i]) << values[i].dump();
  }
}

TEST(DvcLockTest, CommandsMatchRuamel) {
  std::string python = RuamelPython();
  if (python.empty()) GTEST_SKIP() << "no python3 with ruamel.yaml";
  std::vector<Json> cmds = {
      "python train.py",
      "python prep.py --sep \": \"",
      "echo 'quoted' && cat x | grep -v '#'",
      "echo a # not a comment for the shell? yes it is",
      "python -c \"print(1)\"",
      "sh -c 'exit 0'",
      Json{"echo 1", "echo 'two'", "true"},
  };
  Json docs = Json::array();
  std::vector<std::string> ours;
  for (const Json& c : cmds) {
    LockFile lock;
    LockedStage s;
    s.cmd = c;
    lock.Set("s", s);
    ours.push_back(SerializeLockFile(lock));
    docs.push_back(Json{{"schema", "2.0"}, {"stages", {{"s", {{"cmd", c}}}}}});
  }
  std::vector<std::string> theirs = RuamelDump(python, docs);
  ASSERT_EQ(theirs.size(), cmds.size());
  for (size_t i = 0; i < cmds.size(); ++i) {
    EXPECT_EQ(ours[i], theirs[i]) << "cmd " << cmds[i].dump();
    EXPECT_EQ(ParseLockFile(ours[i], "dvc.lock").Find("s")->cmd, cmds[i]);
  }
}

}  // namespace
}  // namespace leanops
