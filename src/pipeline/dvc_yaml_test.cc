// Tests of dvc.yaml parsing: every accepted form of a stage, `vars`,
// `${...}` interpolation, foreach/matrix expansion, and errors that name
// "dvc.yaml:LINE:COL". The expected forms and names follow DVC 3
// (dvc/schema.py, dvc/parsing/__init__.py, dvc/parsing/interpolate.py);
// Python's float text is recomputed with python3 where used.
#include "pipeline/dvc_yaml.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "core/strings.h"
#include "pipeline/interpolate.h"
#include "pipeline/test_util.h"

namespace leanops {
namespace {

using pipeline_test::DataError;
using pipeline_test::TempDir;
using pipeline_test::WriteText;

class DvcYamlTest : public testing::Test {
 protected:
  Pipeline Parse(const std::string& text) {
    return ParsePipeline(RealFs(), text, dir_ / "dvc.yaml", "dvc.yaml");
  }
  // The kData message of parsing `text`.
  std::string Error(const std::string& text) {
    return DataError([&] { Parse(text); });
  }
  std::vector<std::string> Names(const Pipeline& p) {
    std::vector<std::string> names;
    for (const StageDef& s : p.stages) names.push_back(s.name);
    return names;
  }
  const StageDef& Stage(const Pipeline& p, const std::string& name) {
    for (const StageDef& s : p.stages)
      if (s.name == name) return s;
    ADD_FAILURE() << "no stage " << name;
    return p.stages.front();
  }

  TempDir dir_;
};

using Strings = std::vector<std::string>;

// ---------------------------------------------------------------- stage forms

TEST_F(DvcYamlTest, EmptyFileHasNoStages) {
  Pipeline p = Parse("");
  EXPECT_TRUE(p.stages.empty());
  EXPECT_EQ(p.path, dir_ / "dvc.yaml");
  EXPECT_EQ(p.display, "dvc.yaml");
  EXPECT_TRUE(Parse("# only a comment\n").stages.empty());
}

TEST_F(DvcYamlTest, CmdAsStringAndAsList) {
  Pipeline p = Parse(
      "stages:\n"
      "  one:\n"
      "    cmd: python a.py --x 1\n"
      "  many:\n"
      "    cmd:\n"
      "    - echo first\n"
      "    - echo second\n");
  ASSERT_EQ(p.stages.size(), 2u);
  EXPECT_EQ(p.stages[0].name, "one");
  EXPECT_EQ(p.stages[0].cmd, Strings{"python a.py --x 1"});
  EXPECT_FALSE(p.stages[0].cmd_is_list);
  EXPECT_EQ(p.stages[0].line, 2);
  EXPECT_EQ(p.stages[1].name, "many");
  EXPECT_EQ(p.stages[1].cmd, (Strings{"echo first", "echo second"}));
  EXPECT_TRUE(p.stages[1].cmd_is_list);
  EXPECT_EQ(p.stages[1].line, 4);
}

TEST_F(DvcYamlTest, StagesKeepFileOrder) {
  Pipeline p = Parse("stages:\n  z:\n    cmd: a\n  a:\n    cmd: b\n  m:\n    cmd: c\n");
  EXPECT_EQ(Names(p), (Strings{"z", "a", "m"}));
}

TEST_F(DvcYamlTest, WdirIsAbsoluteAndNormalised) {
  Pipeline p = Parse(
      "stages:\n"
      "  here:\n"
      "    cmd: a\n"
      "  sub:\n"
      "    cmd: b\n"
      "    wdir: sub/./deeper/..\n"
      "  up:\n"
      "    cmd: c\n"
      "    wdir: ..\n");
  EXPECT_EQ(Stage(p, "here").wdir, dir_.path());
  EXPECT_EQ(Stage(p, "sub").wdir, dir_ / "sub");
  EXPECT_EQ(Stage(p, "up").wdir, NormalizePath(dir_.path() + "/.."));
}

TEST_F(DvcYamlTest, DepsAsWritten) {
  Pipeline p = Parse(
      "stages:\n"
      "  s:\n"
      "    cmd: a\n"
      "    deps:\n"
      "    - src/b.py\n"
      "    - data/a\n"
      "    - ../outside.txt\n");
  EXPECT_EQ(p.stages[0].deps, (Strings{"src/b.py", "data/a", "../outside.txt"}));
  // Flow style is the same list.
  EXPECT_EQ(Parse("stages:\n  s:\n    cmd: a\n    deps: [x, y]\n").stages[0].deps,
            (Strings{"x", "y"}));
}

TEST_F(DvcYamlTest, ParamsEveryForm) {
  Pipeline p = Parse(
      "stages:\n"
      "  s:\n"
      "    cmd: a\n"
      "    params:\n"
      "    - lr\n"
      "    - train.epochs\n"
      "    - other.yaml:\n"
      "      - a.b\n"
      "      - c\n"
      "    - whole.toml:\n"
      "    - empty.json: []\n"
      "    - seed\n");
  const std::vector<ParamsDecl>& params = p.stages[0].params;
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(params[0].file, "params.yaml");
  EXPECT_EQ(params[0].keys, (Strings{"lr", "train.epochs", "seed"}));
  EXPECT_EQ(params[1].file, "other.yaml");
  EXPECT_EQ(params[1].keys, (Strings{"a.b", "c"}));
  EXPECT_EQ(params[2].file, "whole.toml");
  EXPECT_TRUE(params[2].keys.empty());  // the whole file
  EXPECT_EQ(params[3].file, "empty.json");
  EXPECT_TRUE(params[3].keys.empty());  // an empty list also tracks the whole file
}

TEST_F(DvcYamlTest, ParamsFileNamedExplicitlyMergesWithBareKeys) {
  Pipeline p = Parse(
      "stages:\n"
      "  s:\n"
      "    cmd: a\n"
      "    params:\n"
      "    - lr\n"
      "    - params.yaml:\n"
      "      - seed\n");
  ASSERT_EQ(p.stages[0].params.size(), 1u);
  EXPECT_EQ(p.stages[0].params[0].file, "params.yaml");
  EXPECT_EQ(p.stages[0].params[0].keys, (Strings{"lr", "seed"}));
}

TEST_F(DvcYamlTest, OutsMetricsPlotsWithFlags) {
  Pipeline p = Parse(
      "stages:\n"
      "  s:\n"
      "    cmd: a\n"
      "    outs:\n"
      "    - model.bin\n"
      "    - big:\n"
      "        cache: false\n"
      "        persist: true\n"
      "        push: false\n"
      "        remote: store\n"
      "        desc: the big one\n"
      "        type: model\n"
      "        labels: [a, b]\n"
      "        meta: {k: v}\n"
      "    metrics:\n"
      "    - scores.json:\n"
      "        cache: false\n"
      "    - other.json\n"
      "    plots:\n"
      "    - roc.csv:\n"
      "        x: fpr\n"
      "        y: tpr\n"
      "        title: ROC\n"
      "        template: linear\n"
      "        x_label: FPR\n"
      "        y_label: TPR\n"
      "        header: true\n"
      "        cache: false\n"
      "    - loss.csv\n");
  const std::vector<OutDecl>& outs = p.stages[0].outs;
  ASSERT_EQ(outs.size(), 6u);

  EXPECT_EQ(outs[0].path, "model.bin");
  EXPECT_EQ(outs[0].kind, OutKind::kOut);
  EXPECT_TRUE(outs[0].cache);
  EXPECT_FALSE(outs[0].persist);
  EXPECT_TRUE(outs[0].push);
  EXPECT_EQ(outs[0].remote, "");

  EXPECT_EQ(outs[1].path, "big");
  EXPECT_EQ(outs[1].kind, OutKind::kOut);
  EXPECT_FALSE(outs[1].cache);
  EXPECT_TRUE(outs[1].persist);
  EXPECT_FALSE(outs[1].push);
  EXPECT_EQ(outs[1].remote, "store");
  EXPECT_EQ(outs[1].desc, "the big one");
  EXPECT_TRUE(outs[1].plot_props.empty());

  EXPECT_EQ(outs[2].path, "scores.json");
  EXPECT_EQ(outs[2].kind, OutKind::kMetric);
  EXPECT_FALSE(outs[2].cache);
  EXPECT_EQ(outs[3].path, "other.json");
  EXPECT_EQ(outs[3].kind, OutKind::kMetric);
  EXPECT_TRUE(outs[3].cache);

  EXPECT_EQ(outs[4].path, "roc.csv");
  EXPECT_EQ(outs[4].kind, OutKind::kPlot);
  EXPECT_FALSE(outs[4].cache);
  EXPECT_EQ(outs[4].plot_props, (Json{{"x", "fpr"},
                                      {"y", "tpr"},
                                      {"title", "ROC"},
                                      {"template", "linear"},
                                      {"x_label", "FPR"},
                                      {"y_label", "TPR"},
                                      {"header", true}}));
  EXPECT_EQ(outs[5].path, "loss.csv");
  EXPECT_EQ(outs[5].kind, OutKind::kPlot);
  EXPECT_TRUE(outs[5].plot_props.empty());
}

TEST_F(DvcYamlTest, OutWithNullFlagsIsPlain) {
  Pipeline p = Parse("stages:\n  s:\n    cmd: a\n    outs:\n    - model.bin:\n");
  ASSERT_EQ(p.stages[0].outs.size(), 1u);
  EXPECT_EQ(p.stages[0].outs[0].path, "model.bin");
  EXPECT_TRUE(p.stages[0].outs[0].cache);
}

TEST_F(DvcYamlTest, FrozenAlwaysChangedDescMeta) {
  Pipeline p = Parse(
      "stages:\n"
      "  s:\n"
      "    cmd: a\n"
      "    frozen: true\n"
      "    always_changed: true\n"
      "    desc: does things\n"
      "    meta:\n"
      "      owner: me\n"
      "      tags: [x]\n"
      "  t:\n"
      "    cmd: b\n"
      "    frozen: false\n");
  EXPECT_TRUE(Stage(p, "s").frozen);
  EXPECT_TRUE(Stage(p, "s").always_changed);
  EXPECT_EQ(Stage(p, "s").desc, "does things");
  EXPECT_FALSE(Stage(p, "t").frozen);
  EXPECT_FALSE(Stage(p, "t").always_changed);
}

TEST_F(DvcYamlTest, TopLevelMetricsParamsPlots) {
  Pipeline p = Parse(
      "metrics:\n"
      "- summary.json\n"
      "- eval/more.json\n"
      "params:\n"
      "- extra.yaml\n"
      "plots:\n"
      "- loss.csv\n"
      "- roc:\n"
      "    x: fpr\n"
      "    y:\n"
      "      roc.csv: tpr\n"
      "- conf.json:\n"
      "artifacts:\n"
      "  model:\n"
      "    path: model.bin\n"
      "stages:\n"
      "  s:\n"
      "    cmd: a\n");
  EXPECT_EQ(p.metrics, (Strings{"summary.json", "eval/more.json"}));
  EXPECT_EQ(p.params, (Strings{"extra.yaml"}));
  ASSERT_EQ(p.plots.size(), 3u);
  EXPECT_EQ(p.plots[0].id, "loss.csv");
  EXPECT_TRUE(p.plots[0].props.empty());
  EXPECT_EQ(p.plots[1].id, "roc");
  EXPECT_EQ(p.plots[1].props, (Json{{"x", "fpr"}, {"y", {{"roc.csv", "tpr"}}}}));
  EXPECT_EQ(p.plots[2].id, "conf.json");
  EXPECT_TRUE(p.plots[2].props.empty());
  EXPECT_EQ(Names(p), Strings{"s"});
}

TEST_F(DvcYamlTest, LockPathIsBesideTheFile) {
  Pipeline p = Parse("stages:\n  s:\n    cmd: a\n");
  EXPECT_EQ(LockPathFor(p), dir_ / "dvc.lock");
}

TEST_F(DvcYamlTest, LoadPipelineReadsTheFile) {
  WriteText(dir_ / "sub/dvc.yaml", "stages:\n  s:\n    cmd: a\n");
  Pipeline p = LoadPipeline(RealFs(), dir_ / "sub/dvc.yaml", "sub/dvc.yaml");
  EXPECT_EQ(p.display, "sub/dvc.yaml");
  ASSERT_EQ(p.stages.size(), 1u);
  EXPECT_EQ(p.stages[0].wdir, dir_ / "sub");
  EXPECT_EQ(LockPathFor(p), dir_ / "sub/dvc.lock");
}

// ---------------------------------------------------------------- vars

TEST_F(DvcYamlTest, ParamsYamlIsLoadedByDefault) {
  WriteText(dir_ / "params.yaml",
            "lr: 0.1\n"
            "model:\n"
            "  name: resnet\n"
            "  layers: [3, 4, 6]\n"
            "flag: true\n");
  Pipeline p = Parse(
      "stages:\n"
      "  s:\n"
      "    cmd: train --lr ${lr} --model ${model.name} --l ${model.layers[1]} "
      "--m ${model.layers.2} --f ${flag}\n");
  EXPECT_EQ(p.stages[0].cmd, Strings{"train --lr 0.1 --model resnet --l 4 --m 6 --f true"});
}

TEST_F(DvcYamlTest, VarsFilesWithSelectedKeysAndDicts) {
  WriteText(dir_ / "config.yaml", "a: 1\nb: two\nc: 3\n");
  WriteText(dir_ / "more.json", "{\"j\": \"json\"}");
  Pipeline p = Parse(
      "vars:\n"
      "- config.yaml:a,b\n"
      "- more.json\n"
      "- local: 5\n"
      "  nested:\n"
      "    deep: x\n"
      "stages:\n"
      "  s:\n"
      "    cmd: echo ${a} ${b} ${j} ${local} ${nested.deep}\n");
  EXPECT_EQ(p.stages[0].cmd, Strings{"echo 1 two json 5 x"});

  // `c` was not selected from config.yaml.
  std::string message = Error(
      "vars:\n"
      "- config.yaml:a\n"
      "stages:\n"
      "  s:\n"
      "    cmd: echo ${c}\n");
  EXPECT_NE(message.find("dvc.yaml:5:10"), std::string::npos) << message;
  EXPECT_NE(message.find("'c'"), std::string::npos) << message;
}

TEST_F(DvcYamlTest, VarsFileMissingOrKeyMissingIsAnError) {
  std::string message = Error("vars:\n- nothere.yaml\nstages:\n  s:\n    cmd: a\n");
  EXPECT_NE(message.find("dvc.yaml:2:3"), std::string::npos) << message;
  EXPECT_NE(message.find("nothere.yaml"), std::string::npos) << message;

  WriteText(dir_ / "config.yaml", "a: 1\n");
  message = Error("vars:\n- config.yaml:zz\nstages:\n  s:\n    cmd: a\n");
  EXPECT_NE(message.find("zz"), std::string::npos) << message;
}

TEST_F(DvcYamlTest, RedefiningAVariableIsAnError) {
  WriteText(dir_ / "params.yaml", "lr: 0.1\n");
  std::string message = Error(
      "vars:\n"
      "- lr: 0.2\n"
      "stages:\n"
      "  s:\n"
      "    cmd: echo ${lr}\n");
  EXPECT_NE(message.find("redefine"), std::string::npos) << message;
  EXPECT_NE(message.find("'lr'"), std::string::npos) << message;

  WriteText(dir_ / "a.yaml", "x: 1\n");
  WriteText(dir_ / "b.yaml", "x: 2\n");
  message = Error("vars:\n- a.yaml\n- b.yaml\nstages:\n  s:\n    cmd: echo ${x}\n");
  EXPECT_NE(message.find("redefine"), std::string::npos) << message;
  EXPECT_NE(message.find("'x'"), std::string::npos) << message;
}

TEST_F(DvcYamlTest, ListingParamsYamlInVarsIsNotARedefinition) {
  WriteText(dir_ / "params.yaml", "lr: 0.1\n");
  Pipeline p = Parse("vars:\n- params.yaml\nstages:\n  s:\n    cmd: echo ${lr}\n");
  EXPECT_EQ(p.stages[0].cmd, Strings{"echo 0.1"});
}

TEST_F(DvcYamlTest, StageLevelVarsAreLocal) {
  Pipeline p = Parse(
      "stages:\n"
      "  s:\n"
      "    vars:\n"
      "    - x: 1\n"
      "    cmd: echo ${x}\n");
  EXPECT_EQ(p.stages[0].cmd, Strings{"echo 1"});
  std::string message = Error(
      "stages:\n"
      "  s:\n"
      "    vars:\n"
      "    - x: 1\n"
      "    cmd: echo ${x}\n"
      "  t:\n"
      "    cmd: echo ${x}\n");
  EXPECT_NE(message.find("dvc.yaml:7:10"), std::string::npos) << message;
}

// ---------------------------------------------------------------- interpolation

TEST_F(DvcYamlTest, InterpolationInEveryField) {
  WriteText(dir_ / "params.yaml",
            "dir: work\n"
            "data: raw.csv\n"
            "key: alpha\n"
            "pfile: other.yaml\n"
            "out: model.bin\n"
            "metric: m.json\n"
            "plot: p.csv\n"
            "text: hello\n");
  Pipeline p = Parse(
      "stages:\n"
      "  s:\n"
      "    cmd: run ${key}\n"
      "    wdir: ${dir}\n"
      "    deps:\n"
      "    - data/${data}\n"
      "    params:\n"
      "    - ${key}\n"
      "    - ${pfile}:\n"
      "      - ${key}.beta\n"
      "    outs:\n"
      "    - ${out}\n"
      "    - ${out}.extra:\n"
      "        cache: false\n"
      "    metrics:\n"
      "    - ${metric}\n"
      "    plots:\n"
      "    - ${plot}\n"
      "    desc: say ${text}\n");
  const StageDef& s = p.stages[0];
  EXPECT_EQ(s.cmd, Strings{"run alpha"});
  EXPECT_EQ(s.wdir, dir_ / "work");
  EXPECT_EQ(s.deps, Strings{"data/raw.csv"});
  ASSERT_EQ(s.params.size(), 2u);
  EXPECT_EQ(s.params[0].file, "params.yaml");
  EXPECT_EQ(s.params[0].keys, Strings{"alpha"});
  EXPECT_EQ(s.params[1].file, "other.yaml");
  EXPECT_EQ(s.params[1].keys, Strings{"alpha.beta"});
  ASSERT_EQ(s.outs.size(), 4u);
  EXPECT_EQ(s.outs[0].path, "model.bin");
  EXPECT_EQ(s.outs[1].path, "model.bin.extra");
  EXPECT_FALSE(s.outs[1].cache);
  EXPECT_EQ(s.outs[2].path, "m.json");
  EXPECT_EQ(s.outs[3].path, "p.csv");
  EXPECT_EQ(s.desc, "say hello");
}

TEST_F(DvcYamlTest, WholeValueListIsSplicedIntoLists) {
  WriteText(dir_ / "params.yaml", "files: [a.txt, b.txt]\nouts: [x, y]\n");
  Pipeline p = Parse(
      "stages:\n"
      "  s:\n"
      "    cmd: cat\n"
      "    deps:\n"
      "    - ${files}\n"
      "    - c.txt\n"
      "    outs: ${outs}\n");
  EXPECT_EQ(p.stages[0].deps, (Strings{"a.txt", "b.txt", "c.txt"}));
  ASSERT_EQ(p.stages[0].outs.size(), 2u);
  EXPECT_EQ(p.stages[0].outs[0].path, "x");
  EXPECT_EQ(p.stages[0].outs[1].path, "y");
}

TEST_F(DvcYamlTest, EscapedInterpolationIsLiteral) {
  WriteText(dir_ / "params.yaml", "lr: 0.1\n");
  Pipeline p = Parse("stages:\n  s:\n    cmd: echo \\${HOME} ${lr}\n");
  EXPECT_EQ(p.stages[0].cmd, Strings{"echo ${HOME} 0.1"});
}

TEST_F(DvcYamlTest, UnknownNameIsAnErrorWithPosition) {
  std::string message = Error(
      "stages:\n"
      "  s:\n"
      "    cmd: echo ${nope}\n");
  EXPECT_NE(message.find("dvc.yaml:3:10"), std::string::npos) << message;
  EXPECT_NE(message.find("nope"), std::string::npos) << message;

  WriteText(dir_ / "params.yaml", "m:\n  a: 1\nl: [1]\n");
  message = Error("stages:\n  s:\n    cmd: a\n    deps:\n    - ${m.b}\n");
  EXPECT_NE(message.find("dvc.yaml:5:7"), std::string::npos) << message;
  message = Error("stages:\n  s:\n    cmd: echo ${l[3]}\n");
  EXPECT_NE(message.find("dvc.yaml:3:10"), std::string::npos) << message;
}

TEST_F(DvcYamlTest, DictOrListInsideAPathIsAnError) {
  // DVC: "Cannot interpolate data of type 'dict'" outside `cmd`.
  WriteText(dir_ / "params.yaml", "m:\n  a: 1\nl: [1, 2]\n");
  std::string message = Error("stages:\n  s:\n    cmd: x\n    deps:\n    - data/${m}\n");
  EXPECT_NE(message.find("dvc.yaml:5:7"), std::string::npos) << message;
  message = Error("stages:\n  s:\n    cmd: x\n    outs:\n    - out-${l}\n");
  EXPECT_NE(message.find("dvc.yaml:5:7"), std::string::npos) << message;
}

TEST(InterpolateTest, WholeValueKeepsItsType) {
  Json ctx = {{"n", 3},     {"f", 0.5},        {"b", true},
              {"s", "txt"}, {"l", {1, "two"}}, {"d", {{"k", "v"}}}};
  EXPECT_EQ(Interpolate("${n}", ctx, "w"), Json(3));
  EXPECT_EQ(Interpolate("${f}", ctx, "w"), Json(0.5));
  EXPECT_EQ(Interpolate("${b}", ctx, "w"), Json(true));
  EXPECT_EQ(Interpolate("${ s }", ctx, "w"), Json("txt"));
  EXPECT_EQ(Interpolate("${l}", ctx, "w"), (Json{1, "two"}));
  EXPECT_EQ(Interpolate("${d}", ctx, "w"), (Json{{"k", "v"}}));
  EXPECT_EQ(Interpolate("${l[1]}", ctx, "w"), Json("two"));
  EXPECT_EQ(Interpolate("${d.k}", ctx, "w"), Json("v"));
  // Inside a longer string the values are text.
  EXPECT_EQ(Interpolate("x${n}", ctx, "w"), Json("x3"));
  EXPECT_EQ(Interpolate("${b}-${f}-${s}", ctx, "w"), Json("true-0.5-txt"));
  EXPECT_EQ(Interpolate("plain", ctx, "w"), Json("plain"));
  EXPECT_EQ(InterpolateString("${n}", ctx, "w"), "3");
  EXPECT_EQ(InterpolateString("${b}", ctx, "w"), "true");
}

TEST(InterpolateTest, ErrorsNameTheLocation) {
  Json ctx = {{"l", {1, 2}}, {"d", {{"k", "v"}}}};
  std::string message = DataError([&] { Interpolate("a ${l}", ctx, "dvc.yaml:4:9"); });
  EXPECT_EQ(message.rfind("dvc.yaml:4:9", 0), 0u) << message;
  message = DataError([&] { InterpolateString("${d}", ctx, "dvc.yaml:1:2"); });
  EXPECT_EQ(message.rfind("dvc.yaml:1:2", 0), 0u) << message;
  message = DataError([&] { Interpolate("${missing}", ctx, "dvc.yaml:7:1"); });
  EXPECT_EQ(message.rfind("dvc.yaml:7:1", 0), 0u) << message;
  message = DataError([&] { Interpolate("${unterminated", ctx, "dvc.yaml:7:1"); });
  EXPECT_EQ(message.rfind("dvc.yaml:7:1", 0), 0u) << message;
  message = DataError([&] { Interpolate("${}", ctx, "dvc.yaml:7:1"); });
  EXPECT_EQ(message.rfind("dvc.yaml:7:1", 0), 0u) << message;
}

TEST(InterpolateTest, EscapesAndDetection) {
  Json ctx = {{"x", 1}};
  EXPECT_TRUE(HasInterpolation("a ${x}"));
  EXPECT_FALSE(HasInterpolation("a \\${x}"));
  EXPECT_FALSE(HasInterpolation("a $x {y}"));
  EXPECT_EQ(Interpolate("\\${x}", ctx, "w"), Json("${x}"));
  EXPECT_EQ(Interpolate("\\${x} ${x}", ctx, "w"), Json("${x} 1"));
}

TEST(InterpolateTest, FormatScalarAsPythonStr) {
  EXPECT_EQ(FormatScalar(Json("abc")), "abc");
  EXPECT_EQ(FormatScalar(Json(true)), "true");
  EXPECT_EQ(FormatScalar(Json(false)), "false");
  EXPECT_EQ(FormatScalar(Json(3)), "3");
  EXPECT_EQ(FormatScalar(Json(-7)), "-7");
  // DVC formats floats with str(): check against python3.
  if (!pipeline_test::HavePython()) GTEST_SKIP() << "python3 not available";
  const std::vector<double> values = {0.1,  1e-05, 0.0001, 100.0,         2.5,
                                      1e16, 1e15,  1e-4,   123456789.125, -0.0};
  Json list = Json::array();
  for (double d : values) list.push_back(fmt::format("{:a}", d));
  // One python3 run: str() of each float, given exactly as hex.
  std::string out = pipeline_test::Python(
      "import json, sys\n"
      "for h in json.loads(sys.stdin.read()): print(str(float.fromhex(h)))\n",
      list.dump());
  std::vector<std::string> expected = Split(out, '\n', false);
  ASSERT_EQ(expected.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i)
    EXPECT_EQ(FormatScalar(Json(values[i])), expected[i]) << list[i];
}

TEST(InterpolateTest, MergeVarsRefusesRedefinition) {
  Json ctx = {{"a", 1}};
  MergeVars(ctx, Json{{"b", 2}}, "vars[0]");
  EXPECT_EQ(ctx, (Json{{"a", 1}, {"b", 2}}));
  std::string message = DataError([&] { MergeVars(ctx, Json{{"a", 5}}, "more.yaml"); });
  EXPECT_NE(message.find("more.yaml"), std::string::npos) << message;
  EXPECT_NE(message.find("'a'"), std::string::npos) << message;
}

// ---------------------------------------------------------------- foreach / matrix

TEST_F(DvcYamlTest, ForeachOverScalarsNamesByValue) {
  Pipeline p = Parse(
      "stages:\n"
      "  build:\n"
      "    foreach: [a, b, 3]\n"
      "    do:\n"
      "      cmd: echo ${item}\n"
      "      outs:\n"
      "      - out-${item}.txt\n"
      "  after:\n"
      "    cmd: x\n");
  EXPECT_EQ(Names(p), (Strings{"build@a", "build@b", "build@3", "after"}));
  EXPECT_EQ(Stage(p, "build@a").cmd, Strings{"echo a"});
  EXPECT_EQ(Stage(p, "build@3").cmd, Strings{"echo 3"});
  ASSERT_EQ(Stage(p, "build@b").outs.size(), 1u);
  EXPECT_EQ(Stage(p, "build@b").outs[0].path, "out-b.txt");
  EXPECT_EQ(Stage(p, "build@a").line, 2);
  EXPECT_EQ(Stage(p, "after").line, 8);
}

TEST_F(DvcYamlTest, ForeachOverDictsNamesByIndex) {
  Pipeline p = Parse(
      "stages:\n"
      "  build:\n"
      "    foreach:\n"
      "    - {name: x, n: 1}\n"
      "    - {name: y, n: 2}\n"
      "    do:\n"
      "      cmd: echo ${item.name} ${item.n}\n");
  EXPECT_EQ(Names(p), (Strings{"build@0", "build@1"}));
  EXPECT_EQ(Stage(p, "build@0").cmd, Strings{"echo x 1"});
  EXPECT_EQ(Stage(p, "build@1").cmd, Strings{"echo y 2"});
}

TEST_F(DvcYamlTest, ForeachOverADictUsesKeyAndItem) {
  Pipeline p = Parse(
      "stages:\n"
      "  build:\n"
      "    foreach:\n"
      "      us:\n"
      "        rate: 1\n"
      "      eu:\n"
      "        rate: 2\n"
      "    do:\n"
      "      cmd: echo ${key} ${item.rate}\n"
      "      deps:\n"
      "      - ${key}.csv\n");
  EXPECT_EQ(Names(p), (Strings{"build@us", "build@eu"}));
  EXPECT_EQ(Stage(p, "build@us").cmd, Strings{"echo us 1"});
  EXPECT_EQ(Stage(p, "build@eu").cmd, Strings{"echo eu 2"});
  EXPECT_EQ(Stage(p, "build@eu").deps, Strings{"eu.csv"});
}

TEST_F(DvcYamlTest, ForeachOverAnInterpolatedList) {
  WriteText(dir_ / "params.yaml", "models: [cnn, rnn]\n");
  Pipeline p = Parse(
      "stages:\n"
      "  train:\n"
      "    foreach: ${models}\n"
      "    do:\n"
      "      cmd: train ${item}\n");
  EXPECT_EQ(Names(p), (Strings{"train@cnn", "train@rnn"}));
  EXPECT_EQ(Stage(p, "train@rnn").cmd, Strings{"train rnn"});
}

TEST_F(DvcYamlTest, ForeachErrors) {
  std::string message = Error("stages:\n  b:\n    foreach: [a]\n");
  EXPECT_NE(message.find("do"), std::string::npos) << message;
  message = Error("stages:\n  b:\n    foreach: 5\n    do:\n      cmd: x\n");
  EXPECT_NE(message.find("dvc.yaml:3:14"), std::string::npos) << message;
  message = Error("stages:\n  b:\n    cmd: x\n    do:\n      cmd: x\n");
  EXPECT_EQ(message.rfind("dvc.yaml:", 0), 0u) << message;
  EXPECT_NE(message.find("'do'"), std::string::npos) << message;
}

TEST_F(DvcYamlTest, UnknownKeyInsideForeachDoIsAnError) {
  // `do:` holds a stage definition and is checked like one (DVC validates it
  // against the same schema).
  std::string message = Error(
      "stages:\n"
      "  b:\n"
      "    foreach: [a]\n"
      "    do:\n"
      "      cmd: echo ${item}\n"
      "      outz: [x]\n");
  EXPECT_NE(message.find("dvc.yaml:6:7"), std::string::npos) << message;
  EXPECT_NE(message.find("outz"), std::string::npos) << message;
}

TEST_F(DvcYamlTest, KeysBesideForeachAreAnError) {
  // DVC validates a foreach entry against {foreach, do} only.
  std::string message = Error(
      "stages:\n"
      "  b:\n"
      "    foreach: [a]\n"
      "    do:\n"
      "      cmd: echo ${item}\n"
      "    outs: [x]\n");
  EXPECT_NE(message.find("dvc.yaml:6:5"), std::string::npos) << message;
  EXPECT_NE(message.find("outs"), std::string::npos) << message;
}

TEST_F(DvcYamlTest, MatrixOfScalars) {
  Pipeline p = Parse(
      "stages:\n"
      "  train:\n"
      "    matrix:\n"
      "      model: [cnn, rnn]\n"
      "      lr: [0.1, 1]\n"
      "    cmd: train ${item.model} ${item.lr}\n"
      "    outs:\n"
      "    - ${item.model}-${item.lr}.bin\n");
  EXPECT_EQ(Names(p), (Strings{"train@cnn-0.1", "train@cnn-1", "train@rnn-0.1", "train@rnn-1"}));
  EXPECT_EQ(Stage(p, "train@rnn-0.1").cmd, Strings{"train rnn 0.1"});
  ASSERT_EQ(Stage(p, "train@cnn-1").outs.size(), 1u);
  EXPECT_EQ(Stage(p, "train@cnn-1").outs[0].path, "cnn-1.bin");
}

TEST_F(DvcYamlTest, MatrixWithNonScalarValuesNamesByAxisAndIndex) {
  Pipeline p = Parse(
      "stages:\n"
      "  train:\n"
      "    matrix:\n"
      "      cfg:\n"
      "      - {a: 1}\n"
      "      - {a: 2}\n"
      "      seed: [7]\n"
      "      dims: [[1, 2]]\n"
      "    cmd: train ${item.cfg.a} ${item.seed} ${item.dims[1]}\n");
  EXPECT_EQ(Names(p), (Strings{"train@cfg0-7-dims0", "train@cfg1-7-dims0"}));
  EXPECT_EQ(Stage(p, "train@cfg1-7-dims0").cmd, Strings{"train 2 7 2"});
}

TEST_F(DvcYamlTest, MatrixAxisFromVariables) {
  WriteText(dir_ / "params.yaml", "seeds: [1, 2]\n");
  Pipeline p = Parse(
      "stages:\n"
      "  train:\n"
      "    matrix:\n"
      "      seed: ${seeds}\n"
      "    cmd: train ${item.seed}\n");
  EXPECT_EQ(Names(p), (Strings{"train@1", "train@2"}));
}

TEST_F(DvcYamlTest, MatrixErrors) {
  std::string message = Error("stages:\n  t:\n    matrix:\n      a: 5\n    cmd: x\n");
  EXPECT_NE(message.find("dvc.yaml:4:10"), std::string::npos) << message;
  message = Error("stages:\n  t:\n    matrix: [1]\n    cmd: x\n");
  EXPECT_NE(message.find("dvc.yaml:3:13"), std::string::npos) << message;
}

// ---------------------------------------------------------------- errors

TEST_F(DvcYamlTest, UnknownTopLevelKey) {
  std::string message = Error("stage:\n  s:\n    cmd: a\n");
  EXPECT_EQ(message.rfind("dvc.yaml:1:1:", 0), 0u) << message;
  EXPECT_NE(message.find("'stage'"), std::string::npos) << message;
}

TEST_F(DvcYamlTest, UnknownStageKey) {
  std::string message = Error(
      "stages:\n"
      "  s:\n"
      "    cmd: a\n"
      "    dep: [x]\n");
  EXPECT_EQ(message.rfind("dvc.yaml:4:5:", 0), 0u) << message;
  EXPECT_NE(message.find("'dep'"), std::string::npos) << message;
}

TEST_F(DvcYamlTest, UnknownOutFlag) {
  std::string message = Error(
      "stages:\n"
      "  s:\n"
      "    cmd: a\n"
      "    outs:\n"
      "    - model.bin:\n"
      "        cach: false\n");
  EXPECT_EQ(message.rfind("dvc.yaml:6:9:", 0), 0u) << message;
  EXPECT_NE(message.find("'cach'"), std::string::npos) << message;
  // Plot properties are flags of plots only.
  message = Error(
      "stages:\n"
      "  s:\n"
      "    cmd: a\n"
      "    metrics:\n"
      "    - m.json:\n"
      "        x: step\n");
  EXPECT_EQ(message.rfind("dvc.yaml:6:9:", 0), 0u) << message;
}

TEST_F(DvcYamlTest, UnknownTopLevelPlotProperty) {
  std::string message = Error(
      "plots:\n"
      "- roc.csv:\n"
      "    colour: red\n");
  EXPECT_EQ(message.rfind("dvc.yaml:3:5:", 0), 0u) << message;
}

TEST_F(DvcYamlTest, WrongTypes) {
  std::string message = Error("stages:\n  s:\n    cmd: a\n    frozen: maybe\n");
  EXPECT_EQ(message.rfind("dvc.yaml:4:13:", 0), 0u) << message;
  message = Error("stages:\n  s:\n    cmd: a\n    deps: {a: b}\n");
  EXPECT_EQ(message.rfind("dvc.yaml:4:11:", 0), 0u) << message;
  message = Error("stages:\n  s:\n    cmd: {a: b}\n");
  EXPECT_EQ(message.rfind("dvc.yaml:3:10:", 0), 0u) << message;
  message = Error("stages:\n  s: echo\n");
  EXPECT_EQ(message.rfind("dvc.yaml:2:6:", 0), 0u) << message;
  message = Error("stages: [a]\n");
  EXPECT_EQ(message.rfind("dvc.yaml:1:9:", 0), 0u) << message;
  message = Error("- a\n- b\n");
  EXPECT_NE(message.find("dvc.yaml"), std::string::npos) << message;
  message = Error("stages:\n  s:\n    cmd: a\n    outs:\n    - a: {cache: false}\n      b: {}\n");
  EXPECT_EQ(message.rfind("dvc.yaml:5:7:", 0), 0u) << message;
}

TEST_F(DvcYamlTest, MissingCmd) {
  std::string message = Error("stages:\n  s:\n    deps: [a]\n");
  EXPECT_EQ(message.rfind("dvc.yaml:2:3:", 0), 0u) << message;
  EXPECT_NE(message.find("cmd"), std::string::npos) << message;
  message = Error("stages:\n  s:\n    cmd: []\n");
  EXPECT_EQ(message.rfind("dvc.yaml:3:10:", 0), 0u) << message;
}

TEST_F(DvcYamlTest, InvalidYamlNamesThePosition) {
  std::string message = Error("stages:\n  s:\n    cmd: [a\n");
  EXPECT_EQ(message.rfind("dvc.yaml:", 0), 0u) << message;
  EXPECT_NE(message.find("invalid YAML"), std::string::npos) << message;
}

TEST_F(DvcYamlTest, InvalidStageNames) {
  for (const char* name : {"a/b", "a@b", "a\\b", "'a:b'"}) {
    std::string message = Error(std::string("stages:\n  ") + name + ":\n    cmd: x\n");
    EXPECT_EQ(message.rfind("dvc.yaml:2:3:", 0), 0u) << name << ": " << message;
    EXPECT_NE(message.find("invalid stage name"), std::string::npos) << message;
  }
  // Dashes, dots and digits are fine.
  EXPECT_EQ(Names(Parse("stages:\n  train-v1.2_x:\n    cmd: x\n")), Strings{"train-v1.2_x"});
}

TEST_F(DvcYamlTest, DuplicateStageName) {
  std::string message = Error("stages:\n  s:\n    cmd: a\n  s:\n    cmd: b\n");
  EXPECT_NE(message.find("'s'"), std::string::npos) << message;
  EXPECT_EQ(message.rfind("dvc.yaml:4:3:", 0), 0u) << message;
}

}  // namespace
}  // namespace leanops
