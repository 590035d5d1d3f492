"""0090 — a covering index for the dashboard's ledger figures (看板·服务台账).

metrics.compute reads every matter once, grouped by department, for its counts (open, overdue, on time,
最多跑一次, 网上办, 代办, 上门办). With only narrower indexes SQLite walks the department index and
fetches each row from the table: 200,000 random reads for a province. With every column the figures
need in one index, the same GROUP BY reads the index alone, in order (EXPLAIN QUERY PLAN: SCAN matter
USING COVERING INDEX). It starts with the columns of the index it replaces (department, status,
promised date), so the ledger's own lookups use it as before."""
from peewee import *
from playhouse.migrate import make_index_name

OLD = 'matter_department_id_status_promised_date'
NEW_COLUMNS = ('department_id', 'status', 'promised_date', 'completed_date', 'visits', 'handling')


def up(migrator, db):
    migrator.migrate(
        migrator.add_index('matter', NEW_COLUMNS, False),
        migrator.drop_index('matter', OLD))


def down(migrator, db):
    migrator.migrate(
        migrator.add_index('matter', NEW_COLUMNS[:3], False),
        migrator.drop_index('matter', make_index_name('matter', NEW_COLUMNS)))
