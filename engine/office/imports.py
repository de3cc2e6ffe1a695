"""Importing staff and delegates from a spreadsheet (.xlsx) or a UTF-8 .csv file.

The first non-empty row is the header: each column is named in English or Chinese (``username``/``用户名``,
``display_name``/``姓名``, ``email``/``邮箱``, ``groups``/``用户组``, ``unit``/``单位``, ``password``/``密码``, and
for delegates ``delegation``/``代表团``). Every row is checked before anything is written, and every problem is
reported with its row number (as the spreadsheet numbers it) and column; the import itself is all or nothing.
Existing users are updated: a non-empty cell replaces the name, e-mail, unit or password, and the groups named
are added (an import never takes a group away).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor
from engine.errors import Invalid
from engine.models import Group, User
from engine.passwords import hash_password
from engine.users import create_user

from .audit import audit, require_admin
from .models import Unit
from .staff import MIN_PASSWORD, user_json

COLUMNS = {
    "username": ("username", "用户名", "账号", "工号"),
    "display_name": ("display_name", "姓名", "name"),
    "email": ("email", "邮箱", "电子邮箱"),
    "groups": ("groups", "用户组", "组"),
    "unit": ("unit", "单位", "部门"),
    "password": ("password", "密码", "初始密码"),
}
DELEGATE_COLUMNS = {**COLUMNS, "delegation": ("delegation", "代表团")}
MAX_ROWS = 5000
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
SEPARATORS = re.compile(r"[,，、;；]")


@dataclass
class Table:
    """The rows of a file (spreadsheet row number, {column: text}) and the problems of the file itself."""

    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do)."""

    rows: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    delegates: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rows": self.rows, "created": self.created, "updated": self.updated,
                               "errors": self.errors}
        return out


def _error(row: int, column: str, message: str) -> dict[str, Any]:
    return {"row": row, "column": column, "message": message}


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _raw_rows(filename: str, data: bytes) -> tuple[list[tuple[int, list[str]]], list[dict[str, Any]]]:
    suffix = PurePath(filename or "").suffix.lower()
    if suffix == ".xlsx" or data[:2] == b"PK":
        return _xlsx_rows(data)
    if suffix in (".csv", ".txt", ""):
        return _csv_rows(data)
    return [], [_error(0, "", f"'{filename}' is neither an Excel workbook (.xlsx) nor a CSV file (.csv)")]


def _xlsx_rows(data: bytes) -> tuple[list[tuple[int, list[str]]], list[dict[str, Any]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        return [], [_error(0, "", f"the file is not a readable Excel workbook (.xlsx): {exc}")]
    try:
        sheet = book.worksheets[0]
        rows = [(n, [_text(v) for v in values]) for n, values in enumerate(sheet.iter_rows(values_only=True), 1)]
    finally:
        book.close()
    return rows, []


def _csv_rows(data: bytes) -> tuple[list[tuple[int, list[str]]], list[dict[str, Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return [], [_error(line, "", "the file is not UTF-8 text (it looks like GBK or another encoding): in Excel "
                           "use 'Save as' → 'CSV UTF-8', or upload the .xlsx file itself")]
    try:
        rows = [(n, [c.strip() for c in cells]) for n, cells in enumerate(csv.reader(io.StringIO(text)), 1)]
    except csv.Error as exc:
        return [], [_error(0, "", f"the CSV file cannot be read: {exc}")]
    return rows, []


def read_table(filename: str, data: bytes, columns: dict[str, tuple[str, ...]]) -> Table:
    """The file's rows by column; wrong or repeated headers and unreadable files are errors of the table."""
    raw, errors = _raw_rows(filename, data)
    table = Table(errors=errors)
    raw = [(n, cells) for n, cells in raw if any(cells)]
    if errors:
        return table
    if not raw:
        table.errors.append(_error(0, "", "the file is empty: the first row must name the columns"))
        return table
    header_row, header = raw[0]
    names = {alias.lower(): key for key, aliases in columns.items() for alias in aliases}
    index: dict[int, str] = {}
    for i, cell in enumerate(header):
        if not cell:
            continue
        key = names.get(cell.strip().lower())
        if key is None:
            allowed = "、".join(f"{a[0]}/{a[1]}" for a in columns.values())
            table.errors.append(_error(header_row, cell, f"unknown column '{cell}' (known: {allowed})"))
        elif key in index.values():
            table.errors.append(_error(header_row, cell, f"column '{cell}' appears twice"))
        else:
            index[i] = key
    if "username" not in index.values():
        table.errors.append(_error(header_row, "username", "the header has no username (用户名) column"))
    if len(raw) - 1 > MAX_ROWS:
        table.errors.append(_error(0, "", f"at most {MAX_ROWS} rows may be imported at once"))
    if table.errors:
        return table
    for number, cells in raw[1:]:
        row = {key: (cells[i] if i < len(cells) else "") for i, key in index.items()}
        extra = [c for i, c in enumerate(cells) if i not in index and c]
        if extra:
            table.errors.append(_error(number, "", f"a value outside the named columns: {extra[0]!r}"))
        table.rows.append((number, row))
    return table


@dataclass
class _Planned:
    row: int
    username: str
    user: User | None
    values: dict[str, Any]


def _check_rows(session: so.Session, table: Table, header: dict[str, str]) -> tuple[list[_Planned], list[dict]]:
    errors = list(table.errors)
    groups = set(session.scalars(sa.select(Group.key)))
    units = {k: k for k in session.scalars(sa.select(Unit.key))}
    units.update({name: key for key, name in session.execute(sa.select(Unit.key, Unit.name))})
    seen: dict[str, int] = {}
    planned: list[_Planned] = []
    for number, row in table.rows:
        def bad(column: str, message: str, number: int = number) -> None:
            errors.append(_error(number, header.get(column, column), message))

        username = row.get("username", "")
        user = None
        if not username:
            bad("username", "is empty (required)")
        elif not USERNAME.match(username):
            bad("username", f"'{username}' is not a valid username (letters, digits and . _ @ -)")
        elif username in seen:
            bad("username", f"'{username}' appears twice (first in row {seen[username]})")
        else:
            seen[username] = number
            user = session.scalar(sa.select(User).where(User.username == username)
                                  .options(so.selectinload(User.groups)))
        values: dict[str, Any] = {}
        name = row.get("display_name", "")
        if name:
            if len(name) > 128:
                bad("display_name", "is longer than 128 characters")
            values["display_name"] = name
        elif user is None and username:
            bad("display_name", "is empty (required for a new user)")
        email = row.get("email", "")
        if email:
            if "@" not in email or len(email) > 256:
                bad("email", f"'{email}' is not an e-mail address")
            values["email"] = email
        wanted = [g.strip() for g in SEPARATORS.split(row.get("groups", "")) if g.strip()]
        for g in wanted:
            if g not in groups:
                bad("groups", f"unknown group '{g}'")
        values["groups"] = wanted
        unit = row.get("unit", "")
        if unit:
            if unit not in units:
                bad("unit", f"unknown unit '{unit}'")
            values["unit"] = units.get(unit)
        password = row.get("password", "")
        if password:
            if len(password) < MIN_PASSWORD:
                bad("password", f"is shorter than {MIN_PASSWORD} characters")
            values["password"] = password
        elif user is None and username:
            bad("password", "is empty (required for a new user)")
        values["delegation"] = row.get("delegation", "")
        planned.append(_Planned(number, username, user, values))
    return planned, errors


def _apply(session: so.Session, planned: list[_Planned], result: ImportResult) -> dict[str, User]:
    users: dict[str, User] = {}
    all_groups = {g.key: g for g in session.scalars(sa.select(Group))}
    for item in planned:
        values = item.values
        if item.user is None:
            user = create_user(session, item.username, values["password"], values.get("display_name"),
                               values["groups"], values.get("email"))
            user.unit = values.get("unit")
            result.created.append(item.username)
        else:
            user = item.user
            before = user_json(user)
            if values.get("display_name"):
                user.display_name = values["display_name"]
            if values.get("email"):
                user.email = values["email"]
            if values.get("unit"):
                user.unit = values["unit"]
            for key in values["groups"]:
                if all_groups[key] not in user.groups:
                    user.groups.append(all_groups[key])
            if values.get("password"):
                user.password_hash = hash_password(values["password"])
            if user_json(user) != before or values.get("password"):
                result.updated.append(item.username)
        users[item.username] = user
    session.flush()
    return users


def _header_names(filename: str, data: bytes, columns: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """column key -> the header text the file used (errors name columns as the file does)."""
    raw, _ = _raw_rows(filename, data)
    raw = [cells for _, cells in raw if any(cells)]
    names = {alias.lower(): key for key, aliases in columns.items() for alias in aliases}
    return {names[c.strip().lower()]: c for c in (raw[0] if raw else []) if c and c.strip().lower() in names}


def import_users(session: so.Session, actor: Actor, filename: str, data: bytes, dry_run: bool = False,
                 columns: dict[str, tuple[str, ...]] = COLUMNS) -> tuple[ImportResult, dict[str, tuple[User, str]]]:
    """Check every row; unless ``dry_run`` or a row has an error, create and update the users (in the caller's
    transaction, audited as one event). Returns the result and, after a real run, username -> (user, the row's
    ``delegation`` cell).

    :raises Forbidden: unless ``actor`` is an administrator.
    :raises Invalid: on a real run with any error; ``details`` lists every row and column.
    """
    require_admin(actor, "import users")
    table = read_table(filename, data, columns)
    planned, errors = _check_rows(session, table, _header_names(filename, data, columns) if not table.errors else {})
    result = ImportResult(rows=len(table.rows), errors=errors)
    if dry_run:
        result.created = list(dict.fromkeys(p.username for p in planned if p.user is None and p.username))
        result.updated = list(dict.fromkeys(p.username for p in planned if p.user is not None))
        return result, {}
    if errors:
        raise Invalid(f"{len(errors)} problem(s) in {filename or 'the file'}; nothing was imported", errors,
                      reason="import_problems", params={"count": len(errors), "file": filename})
    users = _apply(session, planned, result)
    audit(session, actor, "users_imported", f"file:{PurePath(filename or 'import').name}", None,
          {"rows": result.rows, "created": result.created, "updated": result.updated})
    return result, {p.username: (users[p.username], p.values.get("delegation", "")) for p in planned}

