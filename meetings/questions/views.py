"""Pages: marketing's inbox of doctors' questions, with the answer form."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..auth.models import Role
from ..extensions import db
from ..web.forms import attempt, form_dict
from ..web.nav import nav_item
from . import services
from .models import QuestionStatus
from .schemas import AnswerArgs

bp = Blueprint("questions_web", __name__, url_prefix="/questions")
nav_item("questions_web.inbox", _l("Questions"), roles={Role.marketing, Role.admin}, order=40)

PAGE_SIZE = 50


def _user():
    return current_user._get_current_object()


@bp.route("")
@login_required
def inbox():
    status = request.args.get("status", "open")
    status = QuestionStatus(status) if status in QuestionStatus.__members__ else None
    page = max(request.args.get("page", 1, type=int), 1)
    questions = db.session.scalars(services.visible_questions(_user(), status=status)
                                   .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    return render_template("questions/inbox.html", questions=questions[:PAGE_SIZE], status=status,
                           page=page, more=len(questions) > PAGE_SIZE)


@bp.route("/<int:question_id>", methods=["GET", "POST"])
@login_required
def show(question_id):
    user = _user()
    question = services.get_question(user, question_id, for_update=request.method == "POST")
    errors, status, answer = {}, 200, ""
    if request.method == "POST":
        answer = request.form.get("answer", "")
        _done, errors = attempt(AnswerArgs(), form_dict(request.form),
                                lambda args: services.answer(user, question, **args))
        if not errors:
            flash(_("Answer sent; the rep has a follow-up task to relay it."), "success")
            return redirect(url_for("questions_web.inbox"))
        status = 422
        question = services.get_question(user, question_id)
    return render_template("questions/show.html", question=question, errors=errors, answer=answer,
                           may_answer=user.role in services.ANSWERERS
                           and question.status in services.ANSWERABLE), status
