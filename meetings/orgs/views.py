"""Admin pages for regions, provinces and budget pools; managers read the
budgets of their province or region."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from ..roles import Role
from ..extensions import db
from ..web.nav import nav_item
from ..web.pages import or_404, register_template_helpers, roles_required, submit
from . import services
from .models import BudgetPool, Province, Region
from .schemas import BudgetArgs, BudgetPatchArgs, ProvinceArgs, ProvincePatchArgs, RegionArgs

bp = Blueprint("orgs_web", __name__, url_prefix="/admin")
register_template_helpers(bp)
nav_item("orgs_web.list_regions", _l("Regions & provinces"), roles={Role.admin}, order=70)
nav_item("orgs_web.budgets", _l("Budgets"), order=75,
         roles={Role.admin, Role.marketing, Role.provincial_manager, Role.regional_manager})

admin_only = roles_required(Role.admin)


def _regions_page(values=None, errors=None):
    regions = db.session.scalars(select(Region).order_by(Region.name)).all()
    return render_template("orgs/regions.html", regions=regions, values=values or {},
                           errors=errors or {})


@bp.route("/regions")
@admin_only
def list_regions():
    return _regions_page()


@bp.route("/regions", methods=["POST"])
@admin_only
def create_region():
    def done(region):
        flash(_("Region %(name)s created.", name=region.name), "success")
        return redirect(url_for(".list_regions"))

    return submit(RegionArgs(), lambda args: services.create_region(current_user, **args), done,
                  lambda errors: _regions_page(request.form, errors))


# ---------------------------------------------------------------- provinces

def _province_form(values, errors=None, province=None):
    regions = db.session.execute(select(Region.id, Region.name).order_by(Region.name)).all()
    return render_template("orgs/province_form.html", values=values, errors=errors or {},
                           province=province, region_options=[tuple(r) for r in regions])


def _to_province(province):
    flash(_("Province %(name)s saved.", name=province.name), "success")
    return redirect(url_for(".province", province_id=province.id))


@bp.route("/provinces/new", methods=["GET", "POST"])
@admin_only
def create_province():
    if request.method == "GET":
        return _province_form({"region_id": request.args.get("region_id", "")})
    return submit(ProvinceArgs(), lambda args: services.create_province(current_user, **args),
                  _to_province, lambda errors: _province_form(request.form, errors))


@bp.route("/provinces/<int:province_id>/edit", methods=["GET", "POST"])
@admin_only
def edit_province(province_id):
    province = or_404(services.get_province, province_id)
    if request.method == "GET":
        values = {"name": province.name, "region_id": province.region_id,
                  "approval_limit": province.approval_limit}
        return _province_form(values, province=province)
    return submit(ProvincePatchArgs(),
                  lambda args: services.update_province(current_user, province, **args), _to_province,
                  lambda errors: _province_form(request.form, errors,
                                                or_404(services.get_province, province_id)))


# ---------------------------------------------------------------- budgets

def _readable(province_id: int) -> Province:
    province = or_404(services.get_province, province_id)
    if not services.can_read_budgets(current_user, province):
        abort(403)
    return province


def _province_page(province_id, allocate_values=None, allocate_errors=None, pool_id=None,
                   pool_values=None, pool_errors=None):
    return render_template("orgs/province.html", province=_readable(province_id),
                           allocate_values=allocate_values or {}, allocate_errors=allocate_errors or {},
                           pool_id=pool_id, pool_values=pool_values or {}, pool_errors=pool_errors or {})


@bp.route("/budgets")
@roles_required(Role.admin, Role.marketing, Role.provincial_manager, Role.regional_manager)
def budgets():
    provinces = db.session.scalars(
        select(Province).where(Province.id.in_(services.visible_provinces(current_user)))
        .order_by(Province.name)).all()
    return render_template("orgs/budgets.html", provinces=provinces)


@bp.route("/provinces/<int:province_id>")
@login_required
def province(province_id):
    return _province_page(province_id)


@bp.route("/provinces/<int:province_id>/budgets", methods=["POST"])
@admin_only
def allocate_budget(province_id):
    province = or_404(services.get_province, province_id)

    def done(pool):
        flash(_("Budget %(period)s allocated.", period=pool.period), "success")
        return redirect(url_for(".province", province_id=province_id))

    return submit(BudgetArgs(), lambda args: services.allocate_budget(current_user, province, **args),
                  done, lambda errors: _province_page(province_id, request.form, errors))


@bp.route("/provinces/<int:province_id>/budgets/<int:budget_id>", methods=["POST"])
@admin_only
def set_budget(province_id, budget_id):
    pool = db.session.get(BudgetPool, budget_id)
    if pool is None or pool.province_id != province_id:
        abort(404)

    def done(changed):
        flash(_("Budget %(period)s is now %(amount)s.", period=changed.period, amount=changed.amount),
              "success")
        return redirect(url_for(".province", province_id=province_id))

    return submit(BudgetPatchArgs(),
                  lambda args: services.set_budget_amount(current_user, pool, args["amount"]), done,
                  lambda errors: _province_page(province_id, pool_id=budget_id, pool_values=request.form,
                                                pool_errors=errors))
