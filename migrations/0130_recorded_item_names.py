"""0130 — 历史记录保留当时的事项名称: a ledger matter, a joint matter (its lead item) and each joint-matter
part keep the item's name as it was when the record was made, so that renaming a 办理项 does not rewrite
history. Existing records take the names the items have now (the best the portal knows of the past)."""
from peewee import *

LABEL = ("CASE WHEN s.sub_item_name <> '' AND s.sub_item_name <> s.item_name "
         "THEN s.item_name || '（' || s.sub_item_name || '）' ELSE s.item_name END")


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('matter', 'item_name', CharField(max_length=420, default='')),
        migrator.add_column('joint_matter', 'lead_item_name', CharField(max_length=420, default='')),
        migrator.add_column('joint_part', 'item_name', CharField(max_length=420, default='')))
    for table, name, key in (('matter', 'item_name', 'item_id'), ('joint_matter', 'lead_item_name', 'lead_item_id'),
                             ('joint_part', 'item_name', 'item_id')):
        db.execute_sql(f"UPDATE {table} SET {name} = (SELECT {LABEL} FROM service_item s WHERE s.id = {table}.{key}) "
                       f"WHERE {key} IS NOT NULL")


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column('joint_part', 'item_name'),
        migrator.drop_column('joint_matter', 'lead_item_name'),
        migrator.drop_column('matter', 'item_name'))
