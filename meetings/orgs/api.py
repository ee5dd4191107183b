from sqlalchemy import select

from flask_babel import gettext as _
from ..errors import Forbidden, NotFound
from ..extensions import db
from ..rest import Blueprint, SelectPage, current_user
from . import services
from .models import BudgetPool, Province, Region
from .schemas import (BudgetArgs, BudgetPatchArgs, BudgetSchema, ProvinceArgs, ProvincePatchArgs,
                      ProvinceSchema, RegionArgs, RegionSchema)

regions = Blueprint("regions", __name__, url_prefix="/api/v1/regions", description="Regions (大区)")
provinces = Blueprint("provinces", __name__, url_prefix="/api/v1/provinces",
                      description="Provinces (省区) and their quarterly budget pools")


@regions.route("")
@regions.response(200, RegionSchema(many=True))
@regions.paginate(SelectPage)
def list_regions():
    return select(Region).order_by(Region.id)


@regions.route("", methods=["POST"])
@regions.arguments(RegionArgs)
@regions.response(201, RegionSchema)
def create_region(args):
    region = services.create_region(current_user(), **args)
    return region


@regions.route("/<int:region_id>")
@regions.response(200, RegionSchema)
def get_region(region_id):
    region = db.session.get(Region, region_id)
    if region is None:
        raise NotFound(_("region not found"))
    return region


@provinces.route("")
@provinces.response(200, ProvinceSchema(many=True))
@provinces.paginate(SelectPage)
def list_provinces():
    return select(Province).order_by(Province.id)


@provinces.route("", methods=["POST"])
@provinces.arguments(ProvinceArgs)
@provinces.response(201, ProvinceSchema)
def create_province(args):
    province = services.create_province(current_user(), **args)
    return province


@provinces.route("/<int:province_id>")
@provinces.response(200, ProvinceSchema)
def get_province(province_id):
    return services.get_province(province_id)


@provinces.route("/<int:province_id>", methods=["PATCH"])
@provinces.arguments(ProvincePatchArgs)
@provinces.response(200, ProvinceSchema)
def update_province(args, province_id):
    province = services.update_province(current_user(), services.get_province(province_id), **args)
    return province


def _budget_reader(province: Province):
    """Budgets are seen by admins, marketing, the province's managers and the region's."""
    if not services.can_read_budgets(current_user(), province):
        raise Forbidden(_("you may not see this province's budget"))


@provinces.route("/<int:province_id>/budgets")
@provinces.response(200, BudgetSchema(many=True))
@provinces.paginate(SelectPage)
def list_budgets(province_id):
    province = services.get_province(province_id)
    _budget_reader(province)
    return select(BudgetPool).where(BudgetPool.province_id == province.id).order_by(BudgetPool.period)


@provinces.route("/<int:province_id>/budgets", methods=["POST"])
@provinces.arguments(BudgetArgs)
@provinces.response(201, BudgetSchema)
def allocate_budget(args, province_id):
    pool = services.allocate_budget(current_user(), services.get_province(province_id), **args)
    return pool


def _pool(province_id: int, budget_id: int) -> BudgetPool:
    pool = db.session.get(BudgetPool, budget_id)
    if pool is None or pool.province_id != province_id:
        raise NotFound(_("budget not found"))
    return pool


@provinces.route("/<int:province_id>/budgets/<int:budget_id>")
@provinces.response(200, BudgetSchema)
def get_budget(province_id, budget_id):
    _budget_reader(services.get_province(province_id))
    return _pool(province_id, budget_id)


@provinces.route("/<int:province_id>/budgets/<int:budget_id>", methods=["PATCH"])
@provinces.arguments(BudgetPatchArgs)
@provinces.response(200, BudgetSchema)
def set_budget(args, province_id, budget_id):
    pool = services.set_budget_amount(current_user(), _pool(province_id, budget_id), args["amount"])
    return pool
