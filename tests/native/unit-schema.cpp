// unit-schema.cpp: schema.sql declares exactly the columns the core writes, in the same order,
// plus the one column the shim derives at insert (worker/storage.js INSERT_COLUMNS), which 0.4's
// migration placed before ci and sample_rate.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "phonehome/core.h"

namespace phonehome {
namespace {

// EventsColumns() reads the column names of `CREATE TABLE IF NOT EXISTS events (...)`.
std::vector<std::string> EventsColumns() {
  std::ifstream in(PHONEHOME_SCHEMA_SQL);
  std::stringstream text;
  text << in.rdbuf();
  const std::string sql = text.str();
  const size_t table = sql.find("CREATE TABLE IF NOT EXISTS events (");
  if (table == std::string::npos) return {};
  const size_t end = sql.find(") WITHOUT ROWID;", table);
  std::istringstream body(sql.substr(table, end - table));
  std::vector<std::string> columns;
  std::string line;
  std::getline(body, line);  // the CREATE line
  while (std::getline(body, line)) {
    // A column line: an indented name, then its type.
    std::istringstream words(line);
    std::string name;
    std::string type;
    if (!line.empty() && line[0] == ' ' && (words >> name >> type)) {
      if (!type.empty() && type.back() == ',') type.pop_back();
      if (type != "TEXT" && type != "INTEGER" && type != "REAL") continue;
      columns.push_back(name);
    }
  }
  return columns;
}

// `day` is occurred_at's UTC day, computed by the insert so the rollup can read a day through a
// covering index; the core never writes it (schema.sql's CHECK keeps the two in step).
constexpr const char* kDerivedColumns[] = {"day"};

TEST(Schema, EventsTableMatchesTheCoreRowColumns) {
  // The table's columns without the derived ones are the row's, in order; the derived ones exist.
  std::vector<std::string> columns = EventsColumns();
  ASSERT_EQ(columns.size(), std::size(kRowColumns) + std::size(kDerivedColumns));
  for (const char* derived : kDerivedColumns) {
    const auto at = std::find(columns.begin(), columns.end(), derived);
    ASSERT_NE(at, columns.end()) << derived;
    columns.erase(at);
  }
  for (size_t i = 0; i < std::size(kRowColumns); ++i) EXPECT_EQ(columns[i], kRowColumns[i]);
}

}  // namespace
}  // namespace phonehome
