// SqlStore: run search and loading the data of runs.
//
// A filter becomes one EXISTS subquery per comparison on params, tags and
// latest_metrics (each answered from a primary key), so a run without the key
// never matches, as in MLflow. An order_by on a metric, param or tag is a LEFT
// JOIN on that key (a leading metric is split in parts, see SearchRuns); NaN
// metrics, then missing values, sort last in both directions; ties are broken by start_time DESC,
// then run id. A NaN metric is stored as value 0 (is_nan = 1), so filters compare it as 0, exactly
// as MLflow's SQL store does.
#include <cmath>
#include <deque>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "track/api_error.h"
#include "track/sql_store_internal.h"

namespace leanops::track {
namespace {

constexpr int64_t kSearchLimit = 50000;

// Bound values must outlive Exec; a deque keeps their addresses stable.
struct Binder {
  std::deque<std::string> texts;
  std::vector<SqlValue> values;
  void Text(const std::string& text) {
    texts.push_back(text);
    values.emplace_back(std::string_view(texts.back()));
  }
  void Number(double number) { values.emplace_back(number); }
};

std::string AttributeColumn(const std::string& key) {
  if (key == "run_id") return "r.run_uuid";
  if (key == "run_name") return "r.name";
  return "r." + key;  // status, user_id, artifact_uri, lifecycle_stage, start_time, end_time
}

std::string StringCondition(SqlDialect dialect, const std::string& column, const Comparison& c,
                            Binder& bind) {
  switch (c.op) {
    case Comparator::kLike:
    case Comparator::kILike:
      bind.Text(std::get<std::string>(c.value));
      return LikeSql(dialect, column, c.op);
    case Comparator::kIn:
    case Comparator::kNotIn: {
      const auto& list = std::get<std::vector<std::string>>(c.value);
      if (list.empty()) return c.op == Comparator::kIn ? "1 = 0" : "1 = 1";
      std::string sql = column + (c.op == Comparator::kIn ? " IN (" : " NOT IN (");
      for (size_t i = 0; i < list.size(); ++i) {
        sql += i ? ", ?" : "?";
        bind.Text(list[i]);
      }
      return sql + ")";
    }
    default:
      bind.Text(std::get<std::string>(c.value));
      return column + " " + SqlOperator(c.op) + " ?";
  }
}

std::string ConditionSql(SqlDialect dialect, const Comparison& c, Binder& bind) {
  switch (c.type) {
    case EntityType::kMetric:
      bind.Text(c.key);
      bind.Number(std::get<double>(c.value));
      return std::string(
                 "EXISTS (SELECT 1 FROM latest_metrics m WHERE m.run = r.id AND m.key = ? "
                 "AND m.value ") +
             SqlOperator(c.op) + " ?)";
    case EntityType::kParam:
    case EntityType::kTag: {
      const char* table = c.type == EntityType::kParam ? "params" : "tags";
      bind.Text(c.key);
      return std::string("EXISTS (SELECT 1 FROM ") + table +
             " p WHERE p.run = r.id AND p.key = ? AND " +
             StringCondition(dialect, "p.value", c, bind) + ")";
    }
    case EntityType::kDataset: {
      const std::string column = c.key == "context" ? "i.context" : "d." + c.key;
      return "EXISTS (SELECT 1 FROM inputs i JOIN datasets d ON d.id = i.dataset WHERE i.run = "
             "r.id AND " +
             StringCondition(dialect, column, c, bind) + ")";
    }
    case EntityType::kAttribute:
      if (IsNumericRunAttribute(c.key)) {
        bind.Number(std::get<double>(c.value));
        return AttributeColumn(c.key) + " " + SqlOperator(c.op) + " ?";
      }
      return StringCondition(dialect, AttributeColumn(c.key), c, bind);
  }
  return "1 = 1";
}

}  // namespace

Page<Run> SqlStore::SearchRuns(const RunQuery& query) {
  CheckMaxResults(query.max_results, kSearchLimit);
  const std::vector<Comparison> filter = ParseRunFilter(query.filter);
  std::vector<OrderBy> order;
  for (const std::string& clause : query.order_by) order.push_back(ParseRunOrderBy(clause));
  const int64_t offset = ParsePageToken(query.page_token);

  // A leading order by metric is answered in three parts, one after the
  // other: runs with a number (in the index order of latest_metrics_by_key,
  // so the database reads only the page it returns), then NaNs, then runs
  // without the metric. One ORDER BY with the group as its first key would
  // make the database sort every match first.
  const bool split_by_metric = !order.empty() && order[0].type == EntityType::kMetric;

  Binder bind;
  std::string joins;
  std::string order_sql;
  std::string lead_dir;
  for (size_t i = 0; i < order.size(); ++i) {
    const OrderBy& o = order[i];
    const std::string dir = o.ascending ? " ASC" : " DESC";
    if (o.type == EntityType::kAttribute) {
      const std::string column = AttributeColumn(o.key);
      order_sql += "(" + column + " IS NULL), " +
                   (IsNumericRunAttribute(o.key) ? column : TextOrder(dialect_, column)) + dir +
                   ", ";
      continue;
    }
    const std::string alias = "o" + std::to_string(i);
    const char* table = o.type == EntityType::kMetric  ? "latest_metrics"
                        : o.type == EntityType::kParam ? "params"
                                                       : "tags";
    bind.Text(o.key);
    if (i == 0 && split_by_metric) {
      // Filled in per part below.
      joins += " {lead_join}";
      lead_dir = dir;
      continue;
    }
    joins +=
        fmt::format(" LEFT JOIN {} {} ON {}.run = r.id AND {}.key = ?", table, alias, alias, alias);
    if (o.type == EntityType::kMetric) {
      order_sql += fmt::format(
          "(CASE WHEN {0}.run IS NULL THEN 2 WHEN {0}.is_nan = 1 THEN 1 ELSE 0 END), "
          "{0}.value{1}, ",
          alias, dir);
    } else {
      order_sql += fmt::format("({0}.run IS NULL), {1}{2}, ", alias,
                               TextOrder(dialect_, alias + ".value"), dir);
    }
  }
  order_sql += "r.start_time DESC, " + TextOrder(dialect_, "r.run_uuid");

  std::string where;
  if (query.view == ViewType::kActiveOnly) where += " AND r.lifecycle_stage = 'active'";
  if (query.view == ViewType::kDeletedOnly) where += " AND r.lifecycle_stage = 'deleted'";
  std::vector<int64_t> experiment_ids;
  for (const std::string& id : query.experiment_ids) {
    if (auto parsed = ParseId(id)) experiment_ids.push_back(*parsed);
  }
  where += " AND r.experiment_id IN (";
  if (experiment_ids.empty()) where += "NULL";
  for (size_t i = 0; i < experiment_ids.size(); ++i) where += i ? ", ?" : "?";
  where += ")";
  // The join's parameters come first in the text, so they are bound first.
  for (int64_t id : experiment_ids) bind.values.emplace_back(id);
  for (const Comparison& c : filter) where += " AND " + ConditionSql(dialect_, c, bind);

  struct Part {
    std::string lead_join;
    std::string where;
    std::string order;
    std::vector<SqlValue> values;
  };
  std::vector<Part> parts;
  if (split_by_metric) {
    const std::string on = "o0.run = r.id AND o0.key = ?";
    // The filter's comparisons on the same metric, repeated on the joined
    // row, bound the index range the numbers are read from.
    std::string range;
    std::vector<SqlValue> range_values;
    for (const Comparison& c : filter) {
      if (c.type == EntityType::kMetric && c.key == order[0].key) {
        range += std::string(" AND o0.value ") + SqlOperator(c.op) + " ?";
        range_values.emplace_back(std::get<double>(c.value));
      }
    }
    std::vector<SqlValue> numbers = bind.values;
    numbers.insert(numbers.begin() + 1, range_values.begin(), range_values.end());
    parts.push_back({"JOIN latest_metrics o0 ON " + on + " AND o0.is_nan = 0" + range, "",
                     "o0.value" + lead_dir + ", " + order_sql, std::move(numbers)});
    parts.push_back(
        {"JOIN latest_metrics o0 ON " + on + " AND o0.is_nan = 1", "", order_sql, bind.values});
    parts.push_back(
        {"LEFT JOIN latest_metrics o0 ON " + on, " AND o0.run IS NULL", order_sql, bind.values});
  } else {
    parts.push_back({"", "", order_sql, bind.values});
  }

  auto db = Connect();
  return InReadTransaction(*db, [&] {
    Page<Run> page;
    std::vector<int64_t> ids;
    // Rows still wanted (one more than a page tells whether another follows)
    // and rows still to skip, across the parts in order.
    int64_t wanted = query.max_results + 1;
    int64_t skip = offset;
    for (const Part& part : parts) {
      if (wanted == 0) break;
      std::string from = " FROM runs r" + joins;
      if (size_t at = from.find("{lead_join}"); at != std::string::npos) {
        from.replace(at, 11, part.lead_join);
      }
      const std::string condition = " WHERE 1 = 1" + where + part.where;
      std::vector<SqlValue> values = part.values;
      values.emplace_back(wanted);
      values.emplace_back(skip);
      const size_t before = ids.size();
      db->Exec(std::string("SELECT r.id, ") + kRunColumns + from + condition + " ORDER BY " +
                   part.order + " LIMIT ? OFFSET ?",
               values, [&](const SqlRow& row) {
                 ids.push_back(row.Int(0));
                 Run run;
                 run.info = ReadRunInfo(row, 1);
                 page.items.push_back(std::move(run));
               });
      const auto got = static_cast<int64_t>(ids.size() - before);
      if (got == 0 && skip > 0 && parts.size() > 1) {
        // The whole part lies before the page: skip past it.
        db->Exec("SELECT COUNT(*)" + from + condition, part.values,
                 [&](const SqlRow& row) { skip -= row.Int(0); });
        continue;
      }
      skip = 0;
      wanted -= got;
    }
    if (static_cast<int64_t>(ids.size()) > query.max_results) {
      ids.pop_back();
      page.items.pop_back();
      page.next_page_token = MakePageToken(offset + query.max_results);
    }
    std::vector<Run*> runs;
    for (Run& run : page.items) runs.push_back(&run);
    LoadRunData(*db, ids, runs);
    return page;
  });
}

void LoadRunData(SqlDb& db, std::span<const int64_t> ids, std::span<Run*> runs) {
  constexpr size_t kChunk = 500;
  std::unordered_map<int64_t, Run*> by_id;
  for (size_t i = 0; i < ids.size(); ++i) by_id[ids[i]] = runs[i];
  for (size_t start = 0; start < ids.size(); start += kChunk) {
    const size_t end = std::min(ids.size(), start + kChunk);
    std::string in = "(";
    std::vector<SqlValue> params;
    for (size_t i = start; i < end; ++i) {
      in += i > start ? ", ?" : "?";
      params.emplace_back(ids[i]);
    }
    in += ")";
    db.Exec(
        "SELECT run, key, value FROM params WHERE run IN " + in + " ORDER BY run, key", params,
        [&](const SqlRow& row) {
          by_id[row.Int(0)]->params.push_back({std::string(row.Text(1)), std::string(row.Text(2))});
        });
    db.Exec(
        "SELECT run, key, value FROM tags WHERE run IN " + in + " ORDER BY run, key", params,
        [&](const SqlRow& row) {
          by_id[row.Int(0)]->tags.push_back({std::string(row.Text(1)), std::string(row.Text(2))});
        });
    db.Exec("SELECT run, key, value, is_nan, timestamp, step FROM latest_metrics WHERE run IN " +
                in + " ORDER BY run, key",
            params, [&](const SqlRow& row) {
              Metric m;
              m.key = std::string(row.Text(1));
              m.value = row.Int(3) ? std::nan("") : row.Double(2);
              m.timestamp = row.Int(4);
              m.step = row.Int(5);
              by_id[row.Int(0)]->metrics.push_back(std::move(m));
            });
    db.Exec(
        "SELECT i.run, i.tags_json, d.name, d.digest, d.source_type, d.source, d.schema, "
        "d.profile FROM inputs i JOIN datasets d ON d.id = i.dataset WHERE i.run IN " +
            in + " ORDER BY i.run, d.id",
        params, [&](const SqlRow& row) {
          DatasetInput input;
          for (const auto& tag : nlohmann::json::parse(row.Text(1))) {
            input.tags.push_back(
                {tag.at("key").get<std::string>(), tag.at("value").get<std::string>()});
          }
          input.dataset = {std::string(row.Text(2)), std::string(row.Text(3)),
                           std::string(row.Text(4)), std::string(row.Text(5)),
                           std::string(row.Text(6)), std::string(row.Text(7))};
          by_id[row.Int(0)]->inputs.push_back(std::move(input));
        });
  }
}

}  // namespace leanops::track
