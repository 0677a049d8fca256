// unit-schema.cpp: schema.sql declares exactly the columns the core writes, in the same order.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
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
  const std::regex column(R"(^\s+([a-z_]+)\s+(TEXT|INTEGER))");
  while (std::getline(body, line)) {
    std::smatch m;
    if (std::regex_search(line, m, column)) columns.push_back(m[1]);
  }
  return columns;
}

TEST(Schema, EventsTableMatchesTheCoreRowColumns) {
  const std::vector<std::string> columns = EventsColumns();
  ASSERT_EQ(columns.size(), std::size(kRowColumns));
  for (size_t i = 0; i < columns.size(); ++i) EXPECT_EQ(columns[i], kRowColumns[i]);
}

}  // namespace
}  // namespace phonehome
