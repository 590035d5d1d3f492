"""0120 — 考核: assessment periods (考核周期) with their scoring, and the stored results of a locked
(定稿) period, one row per department."""
from peewee import *


def up(migrator, db):
    # Stand-ins for the tables the new ones point at (already created by 0001).
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Department(Model):
        class Meta:
            database = db
            table_name = 'department'

    class AssessmentPeriod(Model):
        name = CharField(max_length=40, unique=True)
        start_date = DateField()
        end_date = DateField()
        cutoff = DateField()
        scoring = TextField(default='')
        closing = TextField(default='')
        preview = TextField(default='')
        city = TextField(default='')
        locked_at = DateTimeField(null=True)
        locked_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'assessment_period'
            constraints = [Check('start_date <= end_date'), Check('end_date <= cutoff')]

    class AssessmentResult(Model):
        period = ForeignKeyField(AssessmentPeriod, on_delete='CASCADE')
        department = ForeignKeyField(Department, on_delete='RESTRICT')
        rank = IntegerField()
        score = FloatField()
        figures = TextField()

        class Meta:
            database = db
            table_name = 'assessment_result'
            indexes = ((('period', 'department'), True),)

    db.create_tables([AssessmentPeriod, AssessmentResult])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('assessment_result'), migrator.drop_table('assessment_period'))
