"""0001 — every record of DESIGN.md: the initial schema (a frozen copy of the models)."""
from peewee import *

def up(migrator, db):
    class Department(Model):
        code = CharField(unique=True, max_length=32)
        name = CharField(unique=True, max_length=100)
        short_name = CharField(max_length=40, default='')
        has_window = BooleanField(default=True)
        several_officers = BooleanField(default=False)
        active = BooleanField(default=True)
        sort_order = IntegerField(default=0)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'department'
    db.create_tables([Department])

    class User(Model):
        username = CharField(unique=True, max_length=64)
        display_name = CharField(max_length=64, default='')
        password_hash = CharField()
        role = CharField(max_length=16, constraints=[Check("role IN ('department', 'office', 'leader')")])
        department = ForeignKeyField(Department, null=True, on_delete='RESTRICT')
        active = BooleanField(default=True)
        created_at = DateTimeField()
        password_changed_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'user'
            constraints = [Check("(role = 'department') = (department_id IS NOT NULL)")]
    db.create_tables([User])

    class AuditLog(Model):
        at = DateTimeField(index=True)
        user = ForeignKeyField(User, null=True, on_delete='SET NULL')
        username = CharField(max_length=64, default='')
        department = ForeignKeyField(Department, null=True, on_delete='SET NULL')
        action = CharField(max_length=32)
        table = CharField(max_length=64)
        record_id = IntegerField(null=True)
        before = TextField(null=True)
        after = TextField(null=True)
        address = CharField(max_length=64, default='')
        class Meta:
            database = db
            table_name = 'audit_log'
            indexes = ((('table', 'record_id'), False),)
    db.create_tables([AuditLog])

    class DailySnapshot(Model):
        day = DateField(unique=True)
        figures = TextField()
        class Meta:
            database = db
            table_name = 'daily_snapshot'
    db.create_tables([DailySnapshot])

    class DataVersion(Model):
        version = IntegerField(default=0)
        changed_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'data_version'
    db.create_tables([DataVersion])

    class Evaluation(Model):
        department = ForeignKeyField(Department, on_delete='RESTRICT')
        level = IntegerField(constraints=[Check('level BETWEEN 1 AND 5')])
        comment = TextField(default='')
        matter_ref = CharField(max_length=100, default='')
        created_at = DateTimeField(index=True)
        address_hash = CharField(index=True, max_length=64, default='')
        deadline = DateField(null=True)
        verified = TextField(default='')
        remedy = TextField(default='')
        callback = TextField(default='')
        answered_at = DateTimeField(null=True)
        answered_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'evaluation'
            indexes = ((('department', 'level'), False),)
    db.create_tables([Evaluation])

    class HighlightCase(Model):
        department = ForeignKeyField(Department, on_delete='RESTRICT')
        title = CharField(max_length=200)
        body = TextField()
        case_date = DateField()
        photo = BlobField(null=True)
        photo_type = CharField(max_length=32, default='')
        state = CharField(max_length=8, default='待审核', constraints=[Check("state IN ('待审核', '已发布', '已退回')")])
        review_comment = TextField(default='')
        submitted_at = DateTimeField()
        submitted_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        reviewed_at = DateTimeField(null=True)
        reviewed_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'highlight_case'
    db.create_tables([HighlightCase])

    class Holiday(Model):
        day = DateField(unique=True)
        is_workday = BooleanField(default=False)
        name = CharField(max_length=40, default='')
        class Meta:
            database = db
            table_name = 'holiday'
    db.create_tables([Holiday])

    class Investor(Model):
        department = ForeignKeyField(Department, on_delete='RESTRICT')
        name = CharField(max_length=200)
        credit_code = CharField(max_length=18)
        contact = CharField(max_length=40, default='')
        phone = CharField(max_length=40, default='')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'investor'
            indexes = ((('department', 'credit_code'), True),)
    db.create_tables([Investor])

    class ItemList(Model):
        department = ForeignKeyField(Department, on_delete='RESTRICT')
        revision = IntegerField()
        year = IntegerField()
        state = CharField(max_length=8, default='草稿', constraints=[Check("state IN ('草稿', '已报送', '已通过', '已退回')")])
        created_at = DateTimeField()
        submitted_at = DateTimeField(null=True)
        submitted_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        deadline = DateField(null=True)
        on_time = BooleanField(null=True)
        reviewed_at = DateTimeField(null=True)
        reviewed_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        review_comment = TextField(default='')
        published = BooleanField(default=False)
        class Meta:
            database = db
            table_name = 'item_list'
            indexes = ((('department', 'revision'), True),)
    db.create_tables([ItemList])

    class Officer(Model):
        department = ForeignKeyField(Department, on_delete='RESTRICT')
        name = CharField(max_length=40)
        gender = CharField(max_length=2, constraints=[Check("gender IN ('男', '女')")])
        birth_date = DateField(null=True)
        position = CharField(max_length=100, default='')
        work_phone = CharField(max_length=40, default='')
        mobile = CharField(max_length=40, default='')
        note = CharField(max_length=200, default='')
        term_start = DateField()
        term_end = DateField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'officer'
            indexes = ((('department', 'term_start'), False),)
            constraints = [Check('term_end IS NULL OR term_end >= term_start')]
    db.create_tables([Officer])

    class ServiceItem(Model):
        department = ForeignKeyField(Department, on_delete='RESTRICT')
        seq = IntegerField(default=0)
        code = CharField(max_length=64, default='')
        item_name = CharField(max_length=200)
        sub_item_name = CharField(max_length=200)
        item_type = CharField(max_length=16, constraints=[Check("item_type IN ('公共服务', '行政裁决', '行政给付', '行政奖励', '行政确认', '行政许可', '其他行政权力')")])
        inclusion = CharField(max_length=8, default='待定', constraints=[Check("inclusion IN ('纳入', '未纳入', '待定')")])
        reason = CharField(null=True, max_length=16, constraints=[Check("reason IS NULL OR reason IN ('涉密', '涉及重大公共安全', '涉及公民生命财产安全', '其他')")])
        reason_note = TextField(default='')
        officer = ForeignKeyField(Officer, null=True, on_delete='SET NULL')
        mode = CharField(null=True, max_length=4, constraints=[Check("mode IS NULL OR mode IN ('终审', '初审')")])
        basis = TextField(default='')
        legal_days = IntegerField(null=True)
        promised_days = IntegerField(null=True)
        kind = CharField(max_length=8, default='', constraints=[Check("kind IN ('', '即办件', '承诺件')")])
        visits = IntegerField(null=True)
        materials = TextField(default='')
        location = CharField(max_length=200, default='')
        retired = BooleanField(default=False)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'service_item'
            indexes = ((('department', 'item_name', 'sub_item_name'), True), (('department', 'retired', 'inclusion'), False))
            constraints = [Check('promised_days IS NULL OR legal_days IS NULL OR promised_days <= legal_days')]
    db.create_tables([ServiceItem])

    class JointMatter(Model):
        lead = ForeignKeyField(Department, on_delete='RESTRICT')
        investor = ForeignKeyField(Investor, on_delete='RESTRICT')
        project = CharField(max_length=200)
        lead_item = ForeignKeyField(ServiceItem, null=True, on_delete='SET NULL')
        opened_on = DateField()
        finished_on = DateField(null=True)
        visits = IntegerField(default=0, constraints=[Check('visits >= 0')])
        notes = TextField(default='')
        created_at = DateTimeField()
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'joint_matter'
    db.create_tables([JointMatter])

    class JointPart(Model):
        joint = ForeignKeyField(JointMatter, on_delete='CASCADE')
        department = ForeignKeyField(Department, on_delete='RESTRICT')
        item = ForeignKeyField(ServiceItem, null=True, on_delete='SET NULL')
        deadline_days = IntegerField(default=5)
        deadline = DateField()
        decision = CharField(null=True, max_length=4, constraints=[Check("decision IS NULL OR decision IN ('同意', '不同意', '补正')")])
        missing = TextField(default='')
        opinion = TextField(default='')
        signed_on = DateField(null=True)
        officer = ForeignKeyField(Officer, null=True, on_delete='SET NULL')
        internal_note = TextField(default='')
        class Meta:
            database = db
            table_name = 'joint_part'
            indexes = ((('joint', 'department'), True),)
    db.create_tables([JointPart])

    class Letter(Model):
        number = CharField(unique=True, max_length=40)
        year = IntegerField()
        seq = IntegerField()
        department = ForeignKeyField(Department, on_delete='RESTRICT')
        officer = ForeignKeyField(Officer, on_delete='RESTRICT')
        state = CharField(max_length=8, default='草稿', constraints=[Check("state IN ('草稿', '已签发', '已替换', '已终止')")])
        issue_date = DateField(null=True)
        end_date = DateField(null=True)
        replaces = ForeignKeyField('self', null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        issued_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'letter'
            indexes = ((('year', 'seq'), True), (('officer', 'state'), False))
    db.create_tables([Letter])

    class LetterItem(Model):
        letter = ForeignKeyField(Letter, on_delete='CASCADE')
        item = ForeignKeyField(ServiceItem, null=True, on_delete='SET NULL')
        mode = CharField(max_length=4, constraints=[Check("mode IN ('终审', '初审')")])
        label = CharField(max_length=420)
        seq = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'letter_item'
            indexes = ((('letter', 'item'), True),)
    db.create_tables([LetterItem])

    class ListRow(Model):
        item_list = ForeignKeyField(ItemList, on_delete='CASCADE')
        item = ForeignKeyField(ServiceItem, null=True, on_delete='SET NULL')
        seq = IntegerField(default=0)
        code = CharField(max_length=64, default='')
        item_name = CharField(max_length=200)
        sub_item_name = CharField(max_length=200)
        item_type = CharField(max_length=16)
        inclusion = CharField(max_length=8)
        reason = CharField(null=True, max_length=16)
        reason_note = TextField(default='')
        officer = ForeignKeyField(Officer, null=True, on_delete='SET NULL')
        officer_name = CharField(max_length=40, default='')
        mode = CharField(null=True, max_length=4)
        basis = TextField(default='')
        legal_days = IntegerField(null=True)
        promised_days = IntegerField(null=True)
        kind = CharField(max_length=8, default='')
        visits = IntegerField(null=True)
        materials = TextField(default='')
        location = CharField(max_length=200, default='')
        class Meta:
            database = db
            table_name = 'list_row'
            indexes = ((('item_list', 'seq'), False),)
    db.create_tables([ListRow])

    class LoginAttempt(Model):
        username = CharField(index=True, max_length=64)
        address = CharField(index=True, max_length=64)
        at = DateTimeField(index=True)
        success = BooleanField(default=False)
        class Meta:
            database = db
            table_name = 'login_attempt'
    db.create_tables([LoginAttempt])

    class LoginSession(Model):
        token = CharField(unique=True, max_length=64)
        user = ForeignKeyField(User, on_delete='CASCADE')
        created_at = DateTimeField()
        last_seen_at = DateTimeField()
        revoked_at = DateTimeField(null=True)
        address = CharField(max_length=64, default='')
        class Meta:
            database = db
            table_name = 'login_session'
    db.create_tables([LoginSession])

    class Matter(Model):
        department = ForeignKeyField(Department, on_delete='RESTRICT')
        investor = ForeignKeyField(Investor, on_delete='RESTRICT')
        project = CharField(max_length=200)
        item = ForeignKeyField(ServiceItem, null=True, on_delete='RESTRICT')
        officer = ForeignKeyField(Officer, null=True, on_delete='RESTRICT')
        received_date = DateField()
        promised_date = DateField(null=True)
        status = CharField(max_length=8, default='已受理', constraints=[Check("status IN ('已受理', '办理中', '已办结', '已退回')")])
        completed_date = DateField(null=True)
        visits = IntegerField(default=0, constraints=[Check('visits >= 0')])
        handling = CharField(max_length=8, default='窗口办', constraints=[Check("handling IN ('窗口办', '网上办', '代办', '上门办')")])
        notes = TextField(default='')
        created_at = DateTimeField()
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'matter'
            indexes = ((('department', 'status', 'promised_date'), False),)
    db.create_tables([Matter])

    class OversightReview(Model):
        title = CharField(max_length=200)
        period_start = DateField()
        period_end = DateField()
        rate = FloatField()
        minimum = IntegerField()
        seed = IntegerField()
        deadline = DateField()
        created_at = DateTimeField()
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'oversight_review'
    db.create_tables([OversightReview])

    class ReviewFinding(Model):
        review = ForeignKeyField(OversightReview, on_delete='CASCADE')
        department = ForeignKeyField(Department, on_delete='RESTRICT')
        matter = ForeignKeyField(Matter, on_delete='RESTRICT')
        finding = CharField(null=True, max_length=4, constraints=[Check("finding IS NULL OR finding IN ('规范', '需整改')")])
        requirement = TextField(default='')
        answer = TextField(default='')
        answered_on = DateField(null=True)
        closed = BooleanField(default=False)
        return_comment = TextField(default='')
        class Meta:
            database = db
            table_name = 'review_finding'
            indexes = ((('review', 'matter'), True),)
    db.create_tables([ReviewFinding])

    class RuleDocument(Model):
        department = ForeignKeyField(Department, on_delete='RESTRICT')
        kind = CharField(max_length=8, constraints=[Check("kind IN ('实施方案', '管理办法', '审批事项清单', '监管工作机制', '其他')")])
        title = CharField(max_length=200)
        number = CharField(max_length=60, default='')
        doc_date = DateField()
        filename = CharField(max_length=200)
        content_type = CharField(max_length=100)
        size = IntegerField()
        sha256 = CharField(max_length=64)
        data = BlobField()
        replaced_by = ForeignKeyField('self', null=True, on_delete='SET NULL')
        uploaded_at = DateTimeField()
        uploaded_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'rule_document'
    db.create_tables([RuleDocument])

    class Setting(Model):
        key = CharField(primary_key=True, max_length=64)
        value = TextField()
        class Meta:
            database = db
            table_name = 'setting'
    db.create_tables([Setting])

    class TenureReport(Model):
        department = ForeignKeyField(Department, on_delete='RESTRICT')
        outgoing = ForeignKeyField(Officer, null=True, on_delete='RESTRICT')
        incoming = ForeignKeyField(Officer, null=True, on_delete='RESTRICT')
        effective_date = DateField()
        reason = TextField(default='')
        handover = TextField(default='')
        early = BooleanField(default=False)
        state = CharField(max_length=8, default='待确认', constraints=[Check("state IN ('待确认', '已确认', '已退回')")])
        filed_at = DateTimeField()
        filed_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        reviewed_at = DateTimeField(null=True)
        reviewed_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        review_comment = TextField(default='')
        class Meta:
            database = db
            table_name = 'tenure_report'
    db.create_tables([TenureReport])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('tenure_report'))
    migrator.migrate(migrator.drop_table('setting'))
    migrator.migrate(migrator.drop_table('rule_document'))
    migrator.migrate(migrator.drop_table('review_finding'))
    migrator.migrate(migrator.drop_table('oversight_review'))
    migrator.migrate(migrator.drop_table('matter'))
    migrator.migrate(migrator.drop_table('login_session'))
    migrator.migrate(migrator.drop_table('login_attempt'))
    migrator.migrate(migrator.drop_table('list_row'))
    migrator.migrate(migrator.drop_table('letter_item'))
    migrator.migrate(migrator.drop_table('letter'))
    migrator.migrate(migrator.drop_table('joint_part'))
    migrator.migrate(migrator.drop_table('joint_matter'))
    migrator.migrate(migrator.drop_table('service_item'))
    migrator.migrate(migrator.drop_table('officer'))
    migrator.migrate(migrator.drop_table('item_list'))
    migrator.migrate(migrator.drop_table('investor'))
    migrator.migrate(migrator.drop_table('holiday'))
    migrator.migrate(migrator.drop_table('highlight_case'))
    migrator.migrate(migrator.drop_table('evaluation'))
    migrator.migrate(migrator.drop_table('data_version'))
    migrator.migrate(migrator.drop_table('daily_snapshot'))
    migrator.migrate(migrator.drop_table('audit_log'))
    migrator.migrate(migrator.drop_table('user'))
    migrator.migrate(migrator.drop_table('department'))
