"""0140 — 补报说明: a tenure-change report whose effective date lies more than 30 days before its filing
says why it comes late, and the office sees it flagged: how many days after the effective date it was filed
is stored with it (a fact of the filing, judged on the portal's day, not the machine's clock)."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('tenure_report', 'late_note', TextField(default='')),
                     migrator.add_column('tenure_report', 'days_backdated', IntegerField(default=0)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('tenure_report', 'days_backdated'),
                     migrator.drop_column('tenure_report', 'late_note'))
