"""From a question to a quoted answer (no platform code here)."""

from bot.answer.answerer import Answerer
from bot.answer.models import Answer, Quote
from bot.answer.question import Question, QuestionProblem, parse_question

__all__ = ["Answer", "Answerer", "Question", "QuestionProblem", "Quote",
           "parse_question"]
