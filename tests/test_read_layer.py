"""The read side costs a fixed number of SQL statements, whatever the page
size and however many meetings there are: a list that asks once per row is
an N+1 that grows with the country (issue: a read layer that scales)."""
from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import event, select

from meetings.extensions import db
from decimal import Decimal

from meetings.proposals.models import BudgetCategory, BudgetLine, Meeting, Status
from meetings.questions.models import Question, QuestionStatus
from meetings.scale import seed_scale
from tests.conftest import PASSWORD

# Statements are counted as production sends them: real transactions, not the
# savepoints of a test's rolled-back one (tests/conftest.py)
pytestmark = pytest.mark.real_commits

MOST = 15  # statements a list may cost at all (SPEC-sized pages of up to 500)
API_LISTS = ["/meetings", "/followups", "/questions", "/users", "/regions", "/provinces",
             "/hospitals", "/departments", "/doctors", "/notifications"]
PAGES = ["/meetings", "/meetings/inbox", "/followups", "/questions"]


@contextlib.contextmanager
def counting():
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def with_questions():
    for meeting_id in db.session.scalars(select(Meeting.id).where(Meeting.status == Status.summarized)):
        db.session.add(Question(meeting_id=meeting_id, text="能和阿司匹林合用吗?", status=QuestionStatus.open))
    db.session.commit()


@pytest.mark.parametrize("path", API_LISTS)
def test_an_api_list_costs_the_same_statements_for_1_50_or_500_rows(app, make_user, api_as, path):
    seed_scale(60)
    with_questions()
    api = api_as(make_user("admin"))
    assert api.get(path).status_code == 200  # the connection's first BEGIN is not the list's
    counts, rows = {}, {}
    for size in (1, 50, 500):
        db.session.expire_all()
        with counting() as seen:
            response = api.get(f"{path}?page_size={size}")
        assert response.status_code == 200, response.json
        counts[size], rows[size] = len(seen), len(response.json)
    # a full page also asks for the total (X-Pagination): one statement more than a page that
    # is not, whose length tells it (rest.SelectPage)
    assert max(counts.values()) - min(counts.values()) <= 1 and counts[1] <= MOST, (counts, rows)
    if path != "/notifications":  # nothing tells an admin anything here
        assert rows[1] == 1 <= rows[500], rows


@pytest.mark.parametrize("role", ["rep", "provincial_manager", "regional_manager", "marketing"])
def test_the_meeting_list_costs_the_same_for_every_role(app, make_user, api_as, role):
    seed_scale(40)
    meeting = db.session.scalars(select(Meeting)).first()
    owner = db.session.get(type(meeting.owner), meeting.owner_id)
    if role == "rep":
        owner.set_password(PASSWORD)
        db.session.commit()
        user = owner
    else:
        user = make_user(role, province=meeting.province)
    api = api_as(user)
    counts = {}
    for size in (1, 500):
        with counting() as seen:
            response = api.get(f"/meetings?page_size={size}")
        assert response.status_code == 200 and response.json
        counts[size] = len(seen)
    assert counts[500] <= counts[1] <= MOST, counts


@pytest.mark.parametrize("path", PAGES)
def test_a_list_page_costs_the_same_with_ten_times_the_meetings(app, make_user, client, path):
    admin = make_user("admin")
    client.post("/login", data={"username": admin.username, "password": PASSWORD})
    counts = {}
    for added in (6, 54):
        seed_scale(added)
        with_questions()
        with counting() as seen:
            response = client.get(path)
        assert response.status_code == 200
        counts[added] = len(seen)
    assert counts[54] <= counts[6], counts  # more meetings never cost more statements


# ---------------------------------------------------------------- sign-in

SIGN_IN_MOST = 6  # statements of one QR or staff sign-in (issue 14), whatever the list's length


def statements(seen: list[str]) -> int:
    """A transaction's BEGIN is left out: psycopg sends it itself (the
    listener never sees it), SQLite's BEGIN IMMEDIATE comes through."""
    return sum(not s.lstrip().upper().startswith("BEGIN") for s in seen)


@pytest.mark.parametrize("case", ["invitee", "walk-in", "repeat", "retry"])
def test_a_qr_sign_in_costs_at_most_six_statements(app, client, org, make_doctor, make_meeting, case):
    invited = [make_doctor(org.hospital, grade="C", title="attending") for _ in range(30)]
    meeting = make_meeting("in_progress", primaries=invited)
    path = f"/checkin/{meeting.checkin_token}"
    first = {"doctor_id": str(invited[0].id), "nonce": "form-nonce-first", "meal_opt_in": "y"}
    forms = {"invitee": (first, 303),
             "walk-in": ({"doctor_id": "walk-in", "name": "进修医生", "title": "resident",
                          "nonce": "form-nonce-walkin"}, 303),
             "repeat": ({**first, "nonce": "form-nonce-again"}, 422),  # "this name has already signed in"
             "retry": (first, 303)}  # the same form again: the first record
    if case in ("repeat", "retry"):
        assert client.post(path, data=first).status_code == 303
    form, status = forms[case]
    db.session.expire_all()
    with counting() as seen:
        response = client.post(path, data=form)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert statements(seen) <= SIGN_IN_MOST, seen


def test_a_staff_sign_in_costs_at_most_six_statements(app, org, make_doctor, make_meeting, api_as):
    invited = [make_doctor(org.hospital, grade="C", title="attending") for _ in range(30)]
    meeting = make_meeting("in_progress", primaries=invited)
    staff, path = api_as(org.staff), f"/meetings/{meeting.id}/checkins"
    for doctor_id, status in ((invited[0].id, 201), (invited[0].id, 200), (invited[1].id, 201)):
        db.session.expire_all()
        with counting() as seen:
            response = staff.post(path, {"doctor_id": doctor_id})
        assert response.status_code == status, response.json
        assert statements(seen) <= SIGN_IN_MOST, "\n".join(s[:70] for s in seen)


def test_a_full_page_of_500_meetings_costs_what_a_page_of_one_does(app, make_user, api_as):
    """At 500 meetings a page's invitees run into thousands: their doctors come
    joined to them, not in a statement of their own that SQLAlchemy splits per
    500 ids (at 20,000 meetings a page of 500 cost 18 statements)."""
    seed_scale(510)
    api = api_as(make_user("admin"))
    counts = {}
    for size in (1, 500):
        with counting() as seen:
            response = api.get(f"/meetings?page_size={size}")
        assert response.status_code == 200 and len(response.json) == size
        counts[size] = len(seen)
        assert not [s for s in seen if s.lstrip().startswith("SELECT doctors.")], seen
    assert counts[500] <= counts[1] <= MOST, counts


ITEM_ONLY = {"warnings", "history", "to_reconfirm"}


@pytest.mark.parametrize("role", ["admin", "staff"])
def test_a_list_item_is_the_meeting_as_its_own_page_shows_it_but_the_item_only_fields(
        app, make_user, api_as, role):
    """The list's items are built from rows (dossier/meeting_list.py), the
    item by MeetingSchema: both must say the same of every meeting — staff of
    the province also get its checkin_url."""
    seed_scale(40)
    meetings = db.session.scalars(select(Meeting).order_by(Meeting.id)).all()
    staff = make_user("staff", province=meetings[0].province)
    later = make_user("staff", province=meetings[0].province)
    meetings[0].staff.append(later)  # shown in id order, not the order added
    for meeting in meetings[:3]:
        meeting.staff.append(staff)
    meetings[0].product, meetings[1].needs = "阿托伐他汀", "投影仪一台"
    meetings[1].drawn_amount = Decimal("987.65")
    # cents, a note JSON must escape, lines in id order behind the seeded ones
    meetings[0].budget_lines += [
        BudgetLine(category=BudgetCategory.materials, amount=Decimal("1234.56"), note='资料 "A4" \\ 彩印'),
        BudgetLine(category=BudgetCategory.other, amount=Decimal("0.10"), note="\n")]
    db.session.commit()
    api = api_as(staff if role == "staff" else make_user(role))
    listed = api.get("/meetings?page_size=500").json
    assert len(listed) >= 10 and any(item["budget"]["lines"] for item in listed)
    for field in ("drawn_amount", "staff_ids", "product", "needs", "speaker_id"):
        assert any(item[field] for item in listed), field
    if role == "staff":
        assert any(item["checkin_url"] for item in listed)
        from meetings.links import external_url
        tokens = dict(db.session.execute(select(Meeting.id, Meeting.checkin_token)).all())
        with app.test_request_context():  # the address url_for gives, each token in it
            assert all(item["checkin_url"] == external_url("checkin.self_checkin", token=tokens[item["id"]])
                       for item in listed if item["checkin_url"])
    for item in listed:
        shown = api.get(f"/meetings/{item['id']}").json
        assert set(shown) >= ITEM_ONLY
        assert item == {k: v for k, v in shown.items() if k not in ITEM_ONLY}


PAGES = [  # page, page size, items shown, whether the page alone cannot tell the total
    (1, 50, 7, False),  # the whole list on its first page: its length is the total
    (2, 4, 3, False),  # the last page, not full: 4 before it and 3 on it
    (1, 7, 7, True),  # a full page: more may follow, so the total is counted
    (1, 4, 4, True),
    (3, 4, 0, True),  # past the end: nothing on the page tells the total
]


@pytest.mark.parametrize(("page", "size", "shown", "counted"), PAGES)
def test_the_total_is_counted_only_when_the_page_cannot_tell_it(app, make_user, api_as,
                                                                page, size, shown, counted):
    import json
    admin = make_user("admin")
    for _ in range(6):
        make_user("rep")
    api = api_as(admin)
    with counting() as seen:
        response = api.get(f"/users?page={page}&page_size={size}")
    assert response.status_code == 200 and len(response.json) == shown
    assert json.loads(response.headers["X-Pagination"])["total"] == 7
    assert any("count(" in s.lower() for s in seen) is counted, seen


@pytest.mark.parametrize(("page", "size", "shown", "counted"), PAGES)
def test_the_meeting_list_counts_in_the_pages_own_statement(app, make_user, make_meeting, api_as,
                                                            page, size, shown, counted):
    """The token's statement and the page's, the total counted inside the
    latter; only a page past the end counts on its own."""
    import json
    for _ in range(7):
        make_meeting()
    api = api_as(make_user("admin"))
    with counting() as seen:
        response = api.get(f"/meetings?page={page}&page_size={size}")
    assert response.status_code == 200 and len(response.json) == shown
    assert json.loads(response.headers["X-Pagination"])["total"] == 7
    statements = [s for s in seen if s != "BEGIN"]  # SQLite's, which PostgreSQL's driver sends itself
    assert len(statements) == (3 if shown == 0 else 2), statements


def test_a_search_of_one_shape_shows_each_user_their_own(app, org, make_user, make_province,
                                                         make_meeting, api_as):
    """The list's statement has one shape per kind of search (who asks,
    which filters) and runs with each user's values: two reps, two provincial
    managers share a compiled statement, never their meetings; a statement
    run without the values fails instead of showing anyone's."""
    import sqlalchemy.exc

    from meetings.proposals.services import meeting_search

    other_rep = make_user("rep", province=org.province)
    mine, theirs = make_meeting(), make_meeting(owner=other_rep)
    elsewhere = make_province(region=org.region)
    far_pm = make_user("provincial_manager", province=elsewhere)
    shape = lambda search: str(search.statement)  # noqa: E731
    assert shape(meeting_search(org.rep)) == shape(meeting_search(other_rep))
    assert shape(meeting_search(org.pm)) == shape(meeting_search(far_pm))
    assert shape(meeting_search(org.rep)) != shape(meeting_search(org.rep, province_id=1))
    for user, expected in ((org.rep, [mine.id]), (other_rep, [theirs.id]),
                           (org.pm, [mine.id, theirs.id]), (far_pm, [])):
        listed = api_as(user).get("/meetings").json
        assert sorted(item["id"] for item in listed) == sorted(expected), user.username
    with pytest.raises(sqlalchemy.exc.StatementError, match="scope_owner_id"):
        db.session.execute(meeting_search(org.rep).statement)


def test_each_filter_of_the_list_and_all_of_them_together_select_what_they_say(app, make_user, api_as):
    """The search is built once per set of filters given (meeting_search),
    and for the call with its values bound (search_meetings, the pages and
    exports): each set selects the meetings a plain reading of the filters
    would, through the API and through search_meetings."""
    from datetime import datetime, timedelta, timezone

    from meetings.proposals.services import search_meetings

    seed_scale(60)
    meetings = sorted(db.session.scalars(select(Meeting)).all(), key=lambda m: (m.starts_at, m.id))
    lo, hi = meetings[10].starts_at, meetings[45].starts_at
    province, status = meetings[20].province_id, meetings[20].status
    filters = {"status": (status.value, lambda m: m.status == status),
               "province_id": (province, lambda m: m.province_id == province),
               # in another zone than the stored UTC: the column's type converts them
               "from": (lo.astimezone(timezone(timedelta(hours=8))).isoformat(), lambda m: m.starts_at >= lo),
               "to": (hi.astimezone(timezone(timedelta(hours=-5))).isoformat(), lambda m: m.starts_at <= hi)}
    admin = make_user("admin")
    api = api_as(admin)
    parsed = {"status": status, "province_id": province, "from": datetime.fromisoformat(filters["from"][0]),
              "to": datetime.fromisoformat(filters["to"][0])}
    for given in ([], ["status"], ["province_id"], ["from"], ["to"], ["from", "to"], list(filters)):
        listed = api.get("/meetings", query_string={"page_size": 500, **{k: filters[k][0] for k in given}})
        expected = [m.id for m in meetings if all(filters[k][1](m) for k in given)]
        assert expected and [item["id"] for item in listed.json] == expected, given
        bound = search_meetings(admin, **{("from_" if k == "from" else k): parsed[k] for k in given})
        assert db.session.scalars(bound).all() == [db.session.get(Meeting, i) for i in expected], given


def test_searches_combined_in_one_statement_keep_their_own_values(app, org, make_user, make_meeting):
    """The searches share their statements' shapes (meeting_search), so their
    parameters share names: bound as unique parameters, two of them in one
    statement keep their own values instead of one taking the other's."""
    from sqlalchemy import or_

    from meetings.proposals.services import search_meetings, visible_meetings

    other_rep = make_user("rep", province=org.province)
    mine, theirs = make_meeting(status="approved"), make_meeting(owner=other_rep)
    def ids(*searches):
        return set(db.session.scalars(select(Meeting.id).where(
            or_(*(Meeting.id.in_(s.with_only_columns(Meeting.id).order_by(None)) for s in searches)))))
    assert ids(visible_meetings(org.rep), visible_meetings(other_rep)) == {mine.id, theirs.id}
    admin = make_user("admin")
    assert ids(search_meetings(admin, status=Status.approved),
               search_meetings(admin, status=Status.draft)) == {mine.id, theirs.id}
