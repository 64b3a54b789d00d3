"""The administrators' user pages: who can sign in, with which role, linked to whom."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.accounts import invitations
from app.accounts import service as accounts
from app.accounts.api import UserChanges, UserCreate
from app.accounts.deps import Admin
from app.accounts.models import User
from app.db import SessionDep
from app.enums import Role
from app.pages.common import by_id, options, page_from
from app.pages.flow import done
from app.pages.forms import FormInput, PostedForm
from app.pages.rendering import render
from app.people import service as people
from app.people.models import Person
from app.venues import service as venues

router = APIRouter(tags=["pages"], include_in_schema=False)


def _user_form(
    request: Request, session: Session, form: FormInput, user: User | None, status: int = 200
) -> Response:
    form.values.pop("password", None)
    context = {
        "form": form,
        "user": user,
        "roles": options(Role),
        "venue_options": [(v.id, f"{v.name} ({v.town})") for v in venues.all_venues(session=session)],
    }
    return render(request, "users/form.html", context, status=status)


def parse_user(session: Session, form: FormInput, *, new: bool) -> dict[str, Any]:
    """The user's form: the fields' rules are the API's (``UserCreate``, ``UserChanges``);
    the person is found by staff number, and the checks that depend on the role come first,
    in the form's words."""
    role = form.raw("role")
    if not form.raw("full_name"):
        # The API lets a script leave the name out; a person adding a user is asked for it.
        form.error("full_name", "Enter their name")
    staff_number = form.text("staff_number", "the staff number", max_length=40)
    person_id = None
    if staff_number:
        person = people.find_by_staff_number(session=session, staff_number=staff_number)
        if person is None:
            form.error("staff_number", f"No person has the staff number {staff_number}")
        person_id = person.id if person else None
    elif role == Role.staff:
        form.error("staff_number", "Enter the staff number of the person this sign-in is for")
    if role == Role.partner and not form.values.getlist("venue_ids"):
        form.error("venue_ids", "Select the venues this partner speaks for")
    fields = ["role", "full_name"] + (["venue_ids"] if role == Role.partner else [])
    if new:
        fields += ["email", "password"]
    else:
        fields += ["active"] + (["password"] if form.values.text("password") else [])
    extra: dict[str, Any] = {"person_id": person_id} | ({} if role == Role.partner else {"venue_ids": []})
    return form.parse(UserCreate if new else UserChanges, fields=fields, extra=extra)


@router.get("/admin/users", response_class=HTMLResponse)
def user_list(request: Request, session: SessionDep, principal: Admin) -> Response:
    page = page_from(request)
    never = request.query_params.get("signed_in") == "never"
    rows, total = invitations.list_users(
        session=session, never_signed_in=never, limit=page.size, offset=page.offset
    )
    context = {
        "rows": rows,
        "page": page.with_total(total),
        "people": by_id(session, Person, {u.person_id for u in rows if u.person_id}),
        "user_venues": accounts.venue_names_by_user(session=session, user_ids=[u.id for u in rows if u.id]),
        "never": never,
        "sign_ins": invitations.sign_in_states(session, rows),
    }
    return render(request, "users/list.html", context)


@router.get("/admin/users/new", response_class=HTMLResponse)
def new_user(request: Request, session: SessionDep, principal: Admin) -> Response:
    form = FormInput()
    form.values.update({"role": "staff"})
    return _user_form(request, session, form, None)


@router.post("/admin/users/new", response_class=HTMLResponse)
def create_user(request: Request, session: SessionDep, principal: Admin, form: PostedForm) -> Response:
    data = parse_user(session, form, new=True)
    user = form.submit(session, lambda: accounts.create_user(session=session, actor=principal.actor, **data))
    if user is None:
        return _user_form(request, session, form, None, status=400)
    return done(
        request,
        "/admin/users",
        f"Created the sign-in for {user.email}. Give them the password in person or by phone.",
    )


@router.get("/admin/users/{user_id:id}", response_class=HTMLResponse)
def edit_user(request: Request, session: SessionDep, principal: Admin, user_id: int) -> Response:
    user = accounts.get_user(session=session, user_id=user_id)
    person = people.get_person(session=session, person_id=user.person_id) if user.person_id else None
    form = FormInput()
    form.values.update(
        {
            "full_name": user.full_name,
            "role": str(user.role),
            "staff_number": person.staff_number if person else "",
            "active": "yes" if user.active else "",
            "venue_ids": [str(v) for v in sorted(accounts.venue_ids_of(session=session, user_id=user_id))],
        }
    )
    return _user_form(request, session, form, user)


@router.post("/admin/users/{user_id:id}", response_class=HTMLResponse)
def update_user(
    request: Request, session: SessionDep, principal: Admin, user_id: int, form: PostedForm
) -> Response:
    user = accounts.get_user(session=session, user_id=user_id)
    data = parse_user(session, form, new=False)
    if user_id == principal.user_id and (form.raw("role") != Role.admin or not form.flag("active")):
        form.error("role", "You cannot take away your own administrator access or deactivate yourself")
    saved = form.submit(
        session,
        lambda: accounts.update_user(session=session, actor=principal.actor, user_id=user_id, changes=data),
    )
    if saved is None:
        return _user_form(request, session, form, user, status=400)
    return done(request, "/admin/users", f"Saved {user.email}.")
