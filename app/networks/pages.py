"""The coordinator's network pages: the list with the form to add one, and the change form."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.accounts.deps import Planner
from app.db import SessionDep
from app.networks import service as networks
from app.networks.models import Network
from app.networks.schemas import NetworkCreate
from app.pages.flow import done
from app.pages.forms import FormInput, PostedForm
from app.pages.rendering import render

router = APIRouter(tags=["pages"], include_in_schema=False)


def _networks_page(request: Request, session: Session, form: FormInput, status: int = 200) -> Response:
    context = {
        "rows": networks.all_networks(session=session),
        "counts": networks.representative_counts(session=session),
        "form": form,
    }
    return render(request, "networks/list.html", context, status=status)


def _network_form(request: Request, form: FormInput, network: Network, status: int = 200) -> Response:
    return render(request, "networks/form.html", {"form": form, "network": network}, status=status)


@router.get("/plan/networks", response_class=HTMLResponse)
def network_list(request: Request, session: SessionDep, principal: Planner) -> Response:
    return _networks_page(request, session, FormInput())


@router.post("/plan/networks", response_class=HTMLResponse)
def create_network(request: Request, session: SessionDep, principal: Planner, form: PostedForm) -> Response:
    data = form.parse(NetworkCreate)
    created = form.submit(
        session,
        lambda: networks.create_network(session=session, actor=principal.actor, data=data),
        field="name",
    )
    if created is None:
        return _networks_page(request, session, form, status=400)
    return done(request, "/plan/networks", f"Added the {created.name}.")


@router.get("/plan/networks/{network_id:id}/edit", response_class=HTMLResponse)
def edit_network(request: Request, session: SessionDep, principal: Planner, network_id: int) -> Response:
    network = networks.get_network(session=session, network_id=network_id)
    return _network_form(request, FormInput.opened_on(network), network)


@router.post("/plan/networks/{network_id:id}/edit", response_class=HTMLResponse)
def update_network(
    request: Request, session: SessionDep, principal: Planner, network_id: int, form: PostedForm
) -> Response:
    network = networks.get_network(session=session, network_id=network_id)
    data = form.parse(NetworkCreate)
    saved = form.submit(
        session,
        lambda: networks.update_network(
            session=session, actor=principal.actor, network_id=network_id, changes=data
        ),
        field="name",
    )
    if saved is None:
        return _network_form(request, form, network, status=400)
    return done(request, "/plan/networks", "Saved the network.")
