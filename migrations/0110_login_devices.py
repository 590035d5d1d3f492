"""0110 — 登录限制按浏览器: each login attempt names the device cookie it carried (a random nonce, empty
for a browser the account has not logged in from), so that a browser the owner has used before is
throttled on its own failures only, and a stranger's guessing cannot lock the owner out of it."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('login_attempt', 'device', CharField(max_length=32, default='')),
        migrator.add_index('login_attempt', ('device',), False))


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('login_attempt', 'login_attempt_device'),
        migrator.drop_column('login_attempt', 'device'))
