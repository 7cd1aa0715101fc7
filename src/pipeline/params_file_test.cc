// Tests of parameter files: YAML typed as DVC's ruamel loader types it,
// JSON and TOML in file order, dotted lookups, flattening, Python's float
// and repr text, and YAML emission that reads back to the same values.
//
// Expected values come from the Python side where one is available: the
// float texts and the TOML structure are recomputed with python3 (repr,
// tomllib) by the tests themselves; the YAML typing rules are ruamel's
// YAML 1.2 resolver (PyYAML, a YAML 1.1 loader, would type them
// differently, so it is no oracle for them).
#include "pipeline/params_file.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/strings.h"
#include "core/subprocess.h"

namespace leanops {
namespace {

bool HavePython() { return RunCapture({"python3", "-c", "import tomllib"}, ".").exit_code == 0; }

// A python3 that can import ruamel.yaml (DVC's YAML library), or "".
std::string RuamelPython() {
  for (const char* python : {"python3", "/usr/bin/python3"})
    if (RunCapture({python, "-c", "import ruamel.yaml"}, ".").exit_code == 0) return python;
  return "";
}

// Runs `program` with `input` on stdin and parses its standard output as JSON.
Json PythonJson(const std::string& python, const std::string& program, const std::string& input) {
  ProcessResult r = RunCapture({python, "-c", program}, ".", input);
  EXPECT_EQ(r.exit_code, 0) << program;
  return r.exit_code == 0 ? Json::parse(r.out) : Json::array();
}

Json Yaml(const std::string& text) { return ParseParamsText(text, "params.yaml"); }

// The kData message of parsing `text` as `name`, or "" when it parses.
std::string ParseError(const std::string& text, const std::string& name) {
  try {
    ParseParamsText(text, name);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    return e.what();
  }
  return "";
}

TEST(ParamsFileTest, YamlPlainScalarsAreTypedAsRuamelDoes) {
  Json p = Yaml(
      "t1: true\nt2: True\nt3: TRUE\nf1: false\n"
      "yes_: yes\non_: on\ntitle: tRuE\n"
      "n1: null\nn2: ~\nn3:\nn4: Null\n"
      "i1: 42\ni2: -7\ni3: 0x1F\ni4: 0o17\ni5: 017\ni6: 1_000\ni7: 0b101\ni8: +3\n"
      "f2: 0.1\nf3: 1e-5\nf4: .5\nf5: 1.\nf6: -.inf\nf7: .nan\nf8: 1.5E+3\nf9: 6.02e23\n"
      "s1: 1e\ns2: 1.2.3\ns3: 2024-01-02\ns4: 0b12\ns5: .5e5\ns6: abc\n");
  EXPECT_EQ(p["t1"], Json(true));
  EXPECT_EQ(p["t2"], Json(true));
  EXPECT_EQ(p["t3"], Json(true));
  EXPECT_EQ(p["f1"], Json(false));
  // YAML 1.1 booleans and mixed case are strings in 1.2.
  EXPECT_EQ(p["yes_"], Json("yes"));
  EXPECT_EQ(p["on_"], Json("on"));
  EXPECT_EQ(p["title"], Json("tRuE"));
  for (const char* k : {"n1", "n2", "n3", "n4"}) EXPECT_TRUE(p[k].is_null()) << k;
  EXPECT_EQ(p["i1"], Json(42));
  EXPECT_EQ(p["i2"], Json(-7));
  EXPECT_EQ(p["i3"], Json(31));
  EXPECT_EQ(p["i4"], Json(15));
  EXPECT_EQ(p["i5"], Json(17));  // YAML 1.2: not octal
  EXPECT_EQ(p["i6"], Json(1000));
  EXPECT_EQ(p["i7"], Json(5));
  EXPECT_EQ(p["i8"], Json(3));
  for (const char* k : {"i1", "i3", "i5"}) EXPECT_TRUE(p[k].is_number_integer()) << k;
  EXPECT_TRUE(p["f2"].is_number_float());
  EXPECT_DOUBLE_EQ(p["f2"].get<double>(), 0.1);
  EXPECT_TRUE(p["f3"].is_number_float());
  EXPECT_DOUBLE_EQ(p["f3"].get<double>(), 1e-5);
  EXPECT_DOUBLE_EQ(p["f4"].get<double>(), 0.5);
  EXPECT_TRUE(p["f5"].is_number_float());
  EXPECT_DOUBLE_EQ(p["f5"].get<double>(), 1.0);
  EXPECT_EQ(p["f6"].get<double>(), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(p["f7"].get<double>()));
  EXPECT_DOUBLE_EQ(p["f8"].get<double>(), 1500.0);
  EXPECT_DOUBLE_EQ(p["f9"].get<double>(), 6.02e23);
  EXPECT_EQ(p["s1"], Json("1e"));
  EXPECT_EQ(p["s2"], Json("1.2.3"));
  EXPECT_EQ(p["s3"], Json("2024-01-02"));
  EXPECT_EQ(p["s4"], Json("0b12"));
  EXPECT_EQ(p["s5"], Json(".5e5"));  // ruamel's third float form needs a signed exponent
  EXPECT_EQ(p["s6"], Json("abc"));
}

TEST(ParamsFileTest, YamlIntegersBeyond64BitsKeepTheirMagnitude) {
  Json p = Yaml("big: 123456789012345678901234\nneg: -0x1_0000_0000_0000_0000\n");
  EXPECT_DOUBLE_EQ(p["big"].get<double>(), 1.23456789012345678901234e23);
  EXPECT_DOUBLE_EQ(p["neg"].get<double>(), -18446744073709551616.0);
}

// Plain scalars typed as DVC's loader (ruamel's safe YAML 1.2 loader)
// types them, checked against ruamel itself where it is installed.
TEST(ParamsFileTest, YamlTypingMatchesRuamel) {
  std::string python = RuamelPython();
  if (python.empty()) GTEST_SKIP() << "no python3 with ruamel.yaml";
  std::vector<std::string> texts = {"true",
                                    "True",
                                    "TRUE",
                                    "tRuE",
                                    "false",
                                    "yes",
                                    "No",
                                    "on",
                                    "OFF",
                                    "y",
                                    "null",
                                    "Null",
                                    "NULL",
                                    "~",
                                    "nUll",
                                    "",
                                    "0",
                                    "-0",
                                    "42",
                                    "+3",
                                    "-7",
                                    "017",
                                    "08",
                                    "0o17",
                                    "0o8",
                                    "0x1F",
                                    "0xg",
                                    "0b101",
                                    "0b2",
                                    "1_000",
                                    "1__0",
                                    "0.1",
                                    "1.",
                                    ".5",
                                    "-.5",
                                    "+.5",
                                    "1e5",
                                    "1E-5",
                                    "1.5e+3",
                                    ".5e5",
                                    ".5e+5",
                                    "1e",
                                    "1.2.3",
                                    ".inf",
                                    "-.Inf",
                                    "+.INF",
                                    ".nan",
                                    ".NaN",
                                    "nan",
                                    "inf",
                                    "1_0.5",
                                    "6.02e23",
                                    "123456789012345678",
                                    "abc",
                                    "a b",
                                    "1 2",
                                    "0x",
                                    "+",
                                    ".",
                                    "._5",
                                    "1:30",
                                    "12:30:45",
                                    "0.1.2"};
  Json input = Json::array();
  for (const std::string& t : texts) input.push_back("k: " + t + "\n");
  // [type name, Python str of the value] per text.
  Json theirs = PythonJson(python,
                           "import json, sys\n"
                           "from ruamel.yaml import YAML\n"
                           "y = YAML(typ='safe')\n"
                           "out = []\n"
                           "for doc in json.load(sys.stdin):\n"
                           "    v = y.load(doc)['k']\n"
                           "    out.append([type(v).__name__, repr(v) if isinstance(v, float) "
                           "else str(v)])\n"
                           "print(json.dumps(out))\n",
                           input.dump());
  ASSERT_EQ(theirs.size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    Json v = Yaml("k: " + texts[i] + "\n")["k"];
    std::string type = v.is_boolean()          ? "bool"
                       : v.is_number_integer() ? "int"
                       : v.is_number_float()   ? "float"
                       : v.is_null()           ? "NoneType"
                                               : "str";
    EXPECT_EQ(Json::array({type, PythonStr(v)}), theirs[i]) << "text '" << texts[i] << "'";
  }
}

TEST(ParamsFileTest, YamlQuotedAndBlockScalarsAreStrings) {
  Json p = Yaml("a: '1'\nb: \"true\"\nc: ''\nd: |\n  12\ne: !!str 5\nf: !!float 3\ng: !!int '7'\n");
  EXPECT_EQ(p["a"], Json("1"));
  EXPECT_EQ(p["b"], Json("true"));
  EXPECT_EQ(p["c"], Json(""));
  EXPECT_EQ(p["d"], Json("12\n"));
  EXPECT_EQ(p["e"], Json("5"));
  EXPECT_TRUE(p["f"].is_number_float());
  EXPECT_DOUBLE_EQ(p["f"].get<double>(), 3.0);
  EXPECT_EQ(p["g"], Json(7));
}

TEST(ParamsFileTest, YamlKeepsFileOrderAndNesting) {
  Json p = Yaml("z: 1\na:\n  y: [1, two, 3.5]\n  b: {c: x}\nm: 2\n");
  std::vector<std::string> keys;
  for (const auto& [k, v] : p.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"z", "a", "m"}));
  EXPECT_EQ(p["a"]["y"], Json::parse("[1, \"two\", 3.5]"));
  EXPECT_EQ(p["a"]["b"]["c"], Json("x"));
}

TEST(ParamsFileTest, YamlMergeKeysAndAnchors) {
  Json p = Yaml("base: &b {lr: 0.1, epochs: 3}\ntrain:\n  <<: *b\n  epochs: 5\n");
  EXPECT_EQ(p["train"]["lr"], Json(0.1));
  EXPECT_EQ(p["train"]["epochs"], Json(5));
  EXPECT_FALSE(p["train"].contains("<<"));
}

TEST(ParamsFileTest, EmptyYamlIsNull) { EXPECT_TRUE(Yaml("").is_null()); }

TEST(ParamsFileTest, YamlErrorsNameFileAndLine) {
  std::string e = ParseError("a: 1\nb: [1, 2\n", "conf/params.yaml");
  EXPECT_EQ(e.rfind("conf/params.yaml:", 0), 0u) << e;
  EXPECT_NE(e.find("invalid YAML"), std::string::npos) << e;
  e = ParseError("a: 1\nb:\n  c: 1\n  c: 2\n", "p.yml");
  EXPECT_EQ(e, "p.yml:4: duplicate key 'c'");
}

TEST(ParamsFileTest, SuffixPicksTheFormat) {
  // A .json file is JSON even when its text is also YAML, and vice versa.
  Json j = ParseParamsText("{\"a\": 1, \"b\": 1.0, \"c\": \"x\"}", "m.json");
  EXPECT_TRUE(j["a"].is_number_integer());
  EXPECT_TRUE(j["b"].is_number_float());
  Json y = ParseParamsText("a: 1\n", "m");  // no suffix: YAML
  EXPECT_EQ(y["a"], Json(1));
  Json upper = ParseParamsText("{\"a\": 2}", "M.JSON");
  EXPECT_EQ(upper["a"], Json(2));
}

TEST(ParamsFileTest, JsonKeepsOrderAndReportsLine) {
  Json j = ParseParamsText("{\"z\": 1, \"a\": {\"y\": 2, \"b\": 3}}", "m.json");
  EXPECT_EQ(j.dump(), "{\"z\":1,\"a\":{\"y\":2,\"b\":3}}");
  std::string e = ParseError("{\n  \"a\": 1,\n  \"b\": oops\n}\n", "eval/m.json");
  EXPECT_EQ(e.rfind("eval/m.json:3:", 0), 0u) << e;
  EXPECT_NE(e.find("invalid JSON"), std::string::npos) << e;
}

TEST(ParamsFileTest, TomlMatchesTomllib) {
  const std::string text =
      "title = \"run\"\n"
      "lr = 0.001\n"
      "epochs = 10\n"
      "flags = [true, false]\n"
      "[model]\n"
      "name = \"resnet\"\n"
      "layers = [64, 128]\n"
      "dropout = 5e-1\n"
      "[model.head]\n"
      "units = 3\n"
      "[data]\n"
      "path = 'a/b'\n"
      "inline = { b = 2, a = 1 }\n";
  Json parsed = ParseParamsText(text, "params.toml");
  if (!HavePython()) GTEST_SKIP() << "python3 with tomllib not available";
  ProcessResult r =
      RunCapture({"python3", "-c",
                  "import json,sys,tomllib; print(json.dumps(tomllib.loads(sys.stdin.read())))"},
                 ".", text);
  ASSERT_EQ(r.exit_code, 0);
  Json expected = Json::parse(r.out);
  EXPECT_EQ(parsed, expected);
  // Same order too (ordered_json compares entries in order).
  EXPECT_EQ(parsed.dump(), expected.dump());
}

TEST(ParamsFileTest, TomlErrorsNameFileAndLine) {
  std::string e = ParseError("a = 1\nb = = 2\n", "cfg/params.toml");
  EXPECT_EQ(e.rfind("cfg/params.toml:2: invalid TOML", 0), 0u) << e;
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;
}

TEST(ParamsFileTest, LoadParamsFileMissingIsNullopt) {
  EXPECT_EQ(LoadParamsFile(RealFs(), "/nonexistent/leanops/params.yaml", "params.yaml"),
            std::nullopt);
}

TEST(ParamsFileTest, FindDotted) {
  Json p = Yaml("train:\n  lr: 0.1\n  layers: [8, {units: 4}]\n\"a.b\": 1\nx:\n  \"y.z\": 2\n");
  ASSERT_NE(FindDotted(p, "train.lr"), nullptr);
  EXPECT_EQ(*FindDotted(p, "train.lr"), Json(0.1));
  EXPECT_EQ(*FindDotted(p, "train.layers.0"), Json(8));
  EXPECT_EQ(*FindDotted(p, "train.layers.1.units"), Json(4));
  EXPECT_EQ(*FindDotted(p, "a.b"), Json(1));
  EXPECT_EQ(*FindDotted(p, "x.y.z"), Json(2));
  EXPECT_EQ(*FindDotted(p, "train"), p["train"]);
  EXPECT_EQ(FindDotted(p, "train.missing"), nullptr);
  EXPECT_EQ(FindDotted(p, "train.layers.5"), nullptr);
  EXPECT_EQ(FindDotted(p, "train.lr.x"), nullptr);
}

TEST(ParamsFileTest, FlattenParams) {
  Json p = Yaml("a: 1\nb:\n  c: [1, 2]\n  d:\n    e: x\n  empty: {}\nf: null\n");
  auto flat = FlattenParams(p);
  ASSERT_EQ(flat.size(), 4u);
  EXPECT_EQ(flat[0].first, "a");
  EXPECT_EQ(flat[1].first, "b.c");
  EXPECT_EQ(flat[1].second, Json::parse("[1, 2]"));
  EXPECT_EQ(flat[2].first, "b.d.e");
  EXPECT_EQ(flat[3].first, "f");
  EXPECT_TRUE(flat[3].second.is_null());
  // A whole-file scalar is one leaf with an empty name.
  auto scalar = FlattenParams(Json(0.5));
  ASSERT_EQ(scalar.size(), 1u);
  EXPECT_EQ(scalar[0].first, "");
}

TEST(ParamsFileTest, PythonFloatTextMatchesRepr) {
  std::vector<double> values = {0.1,
                                1e-05,
                                1e-4,
                                1e16,
                                1e15,
                                123456789012345678.0,
                                1.0,
                                100.0,
                                -0.0,
                                0.0,
                                5e-324,
                                1.7976931348623157e308,
                                2.5e-7,
                                -3.75,
                                1.0 / 3,
                                2.0 / 3,
                                123.456,
                                9007199254740993.0,
                                0.30000000000000004,
                                1e22,
                                12345.678e10};
  // Known answers, independent of python3 being installed.
  EXPECT_EQ(FormatPythonFloat(0.1), "0.1");
  EXPECT_EQ(FormatPythonFloat(1e-05), "1e-05");
  EXPECT_EQ(FormatPythonFloat(1e16), "1e+16");
  EXPECT_EQ(FormatPythonFloat(1e15), "1000000000000000.0");
  EXPECT_EQ(FormatPythonFloat(100.0), "100.0");
  EXPECT_EQ(FormatPythonFloat(-0.0), "-0.0");
  EXPECT_EQ(FormatPythonFloat(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(FormatYamlFloat(-std::numeric_limits<double>::infinity()), "-.inf");
  EXPECT_EQ(FormatYamlFloat(std::numeric_limits<double>::quiet_NaN()), ".nan");
  if (!HavePython()) GTEST_SKIP() << "python3 not available";
  std::string input;
  for (double v : values) input += fmt::format("{:a}\n", v);  // exact hex floats
  ProcessResult r = RunCapture(
      {"python3", "-c",
       "import sys\nfor line in sys.stdin.read().split():\n    print(repr(float.fromhex(line)))"},
      ".", input);
  ASSERT_EQ(r.exit_code, 0);
  std::vector<std::string> expected = Split(r.out, '\n', false);
  ASSERT_EQ(expected.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i)
    EXPECT_EQ(FormatPythonFloat(values[i]), expected[i]) << fmt::format("{:a}", values[i]);
}

TEST(ParamsFileTest, PythonRepr) {
  EXPECT_EQ(PythonRepr(Json::parse("[1, \"a\", 0.5, true, null, {\"k\": [2]}]")),
            "[1, 'a', 0.5, True, None, {'k': [2]}]");
  EXPECT_EQ(PythonRepr(Json("it's")), "\"it's\"");
  EXPECT_EQ(PythonRepr(Json("a'b\"c")), "'a\\'b\"c'");
  EXPECT_EQ(PythonStr(Json("plain")), "plain");
  EXPECT_EQ(PythonStr(Json(2.0)), "2.0");
}

std::string Emit(const Json& value) {
  YAML::Emitter emitter;
  EmitYamlValue(emitter, value);
  return emitter.c_str();
}

TEST(ParamsFileTest, EmitYamlQuotesWhatWouldReadAsAnotherType) {
  EXPECT_EQ(Emit(Json("true")), "'true'");
  EXPECT_EQ(Emit(Json("1.0")), "'1.0'");
  EXPECT_EQ(Emit(Json("017")), "'017'");
  EXPECT_EQ(Emit(Json("")), "''");
  EXPECT_EQ(Emit(Json("null")), "'null'");
  EXPECT_EQ(Emit(Json("yes")), "yes");  // a string in YAML 1.2
  EXPECT_EQ(Emit(Json("abc")), "abc");
  EXPECT_EQ(Emit(Json("a: b")), "'a: b'");
  EXPECT_EQ(Emit(Json("it's: x")), "\"it's: x\"");
  EXPECT_EQ(Emit(Json(1e-05)), "1e-05");
  EXPECT_EQ(Emit(Json(0.1)), "0.1");
  EXPECT_EQ(Emit(Json(3.0)), "3.0");
  EXPECT_EQ(Emit(Json(7)), "7");
  EXPECT_EQ(Emit(Json(true)), "true");
  // ruamel writes None as "null" at the top level and as an empty value in
  // a mapping, which yaml-cpp cannot emit; "null" reads back the same.
  EXPECT_EQ(Emit(Json(nullptr)), "null");
}

// Scalars written as DVC's dumper (ruamel's round-trip YAML()) writes
// them, checked against ruamel itself where it is installed.
TEST(ParamsFileTest, EmitYamlMatchesRuamel) {
  std::string python = RuamelPython();
  if (python.empty()) GTEST_SKIP() << "no python3 with ruamel.yaml";
  Json values = Json::array({"true",
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
                             "2024-01-02 10:00:00",
                             "#x",
                             "a #b",
                             "x: y",
                             "x:",
                             "- x",
                             "-",
                             "-x",
                             ":x",
                             "a:b",
                             "?",
                             "?x",
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
                             "`x",
                             "a: b: c",
                             "tab\there",
                             "a\x01"
                             "b",
                             "plain text",
                             "data/x.csv",
                             "a'b\"c",
                             "<<",
                             "=",
                             "12:30",
                             "0b101",
                             "1.",
                             "1e",
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
                             false});
  Json theirs = PythonJson(python,
                           "import io, json, sys\n"
                           "from ruamel.yaml import YAML\n"
                           "y = YAML()\n"
                           "y.default_flow_style = False\n"
                           "out = []\n"
                           "for v in json.load(sys.stdin):\n"
                           "    s = io.StringIO()\n"
                           "    y.dump({'k': v}, s)\n"
                           "    out.append(s.getvalue())\n"
                           "print(json.dumps(out))\n",
                           values.dump());
  ASSERT_EQ(theirs.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    YAML::Emitter emitter;
    emitter << YAML::BeginMap << YAML::Key << "k" << YAML::Value;
    EmitYamlValue(emitter, values[i]);
    emitter << YAML::EndMap;
    EXPECT_EQ(std::string(emitter.c_str()) + "\n", theirs[i].get<std::string>())
        << values[i].dump();
  }
}

TEST(ParamsFileTest, EmitYamlRoundTrips) {
  Json value = Json::parse(
      "{\"lr\": 1e-05, \"n\": 3, \"f\": 2.0, \"s\": \"0.5\", \"b\": \"false\", \"e\": \"\","
      " \"list\": [1, \"2\", 3.5, null, true], \"nested\": {\"k\": \"v: w\", \"empty\": {}},"
      " \"big\": 1e+16}");
  value["inf"] = -std::numeric_limits<double>::infinity();
  std::string text = Emit(value);
  Json back = Yaml(text);
  EXPECT_EQ(back, value) << text;
  EXPECT_EQ(back.dump(), value.dump()) << text;  // types too: 2.0 stays a float
  EXPECT_TRUE(back["f"].is_number_float()) << text;
}

}  // namespace
}  // namespace leanops
