from ..rest import Blueprint, SelectPage, current_user
from . import services
from .schemas import AnswerArgs, QuestionFilter, QuestionSchema

blp = Blueprint("questions", __name__, url_prefix="/api/v1/questions",
                description="Doctors' questions from meeting summaries, answered by marketing")


@blp.route("")
@blp.arguments(QuestionFilter, location="query")
@blp.response(200, QuestionSchema(many=True))
@blp.paginate(SelectPage)
def list_questions(args):
    return services.visible_questions(current_user(), **args)


@blp.route("/<int:question_id>")
@blp.response(200, QuestionSchema)
def get_question(question_id):
    return services.get_question(current_user(), question_id)


@blp.route("/<int:question_id>/answer", methods=["POST"])
@blp.arguments(AnswerArgs)
@blp.response(200, QuestionSchema)
def answer_question(args, question_id):
    user = current_user()
    question = services.answer(user, services.get_question(user, question_id, for_update=True), **args)
    return question
