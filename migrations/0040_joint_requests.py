"""0040 — 一事联办 补正记录: each request for missing material a department makes in its countersignature,
kept after the material arrives and the part is signed again."""
from peewee import *


def up(migrator, db):
    # Stand-ins for the tables the new one points at (already created by 0001).
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Officer(Model):
        class Meta:
            database = db
            table_name = 'officer'

    class JointPart(Model):
        class Meta:
            database = db
            table_name = 'joint_part'

    class JointRequest(Model):
        part = ForeignKeyField(JointPart, on_delete='CASCADE')
        asked_on = DateField()
        missing = TextField()
        opinion = TextField(default='')
        officer = ForeignKeyField(Officer, null=True, on_delete='SET NULL')
        received_on = DateField(null=True)
        created_at = DateTimeField()
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')

        class Meta:
            database = db
            table_name = 'joint_request'
            indexes = ((('part', 'asked_on'), False),)

    db.create_tables([JointRequest])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('joint_request'))
