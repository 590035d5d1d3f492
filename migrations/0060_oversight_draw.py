"""0060 — 抽查: the draw as it was made (each department's pool of finished matters and its sample), so
that 复核抽样 can repeat it from the recorded seed even after the ledger has changed."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('oversight_review', 'draw', TextField(default='')))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('oversight_review', 'draw'))
