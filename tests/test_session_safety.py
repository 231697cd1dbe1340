"""Safety paths: pain, a second pain, warning symptoms, screening."""

from __future__ import annotations

import pytest

from tests.session_util import (
    driver,
    emitted_records,
    finish,
    first_is_stop,
    put_in,
    reach,
    said,
    speaks,
)
from voicecoach.core.actions import Priority, RecordKind
from voicecoach.core.intents import Command, Intent, Source, Symptom
from voicecoach.core.screening import SCREENING_QUESTIONS, Severity, screening_due
from voicecoach.core.session import SessionOptions, SessionState

S = SessionState


def pain_in_hold():
    d = driver()
    reach(d, S.HOLDING)
    reach(d, S.SPEAKING)
    reach(d, S.HOLDING)  # rep 2, left
    d.t += 2.0
    return d, d.say(Intent.PAIN, text="it hurts")


def test_pain_silences_instructs_records_and_asks():
    d, out = pain_in_hold()
    assert first_is_stop(out)
    first = speaks(out)[0]
    assert first.priority is Priority.SAFETY and not first.interruptible
    assert "Return gently to the starting position" in first.text and "breathe" in first.text
    pain = emitted_records(d, RecordKind.PAIN)[-1]
    assert (pain.exercise, pain.side, pain.set, pain.rep) == ("Knee to chest", "left", 1, 2)
    assert pain.t == d.t and pain.data["count"] == 1
    assert d.session.state is S.PAIN_DIALOG and d.session.next_deadline is None
    assert "more gently" in said(out) and "skip" in said(out) and "finish" in said(out)


@pytest.mark.parametrize("answer", [Intent.RESUME, Intent.YES, Intent.READY])
def test_pain_then_continue_goes_gentler_and_says_what_changes(answer):
    d, _ = pain_in_hold()
    out = d.say(answer)
    text = said(out)
    assert "two repetitions instead of three" in text
    assert "holds of five seconds instead of ten seconds" in text and "slower movements" in text
    assert "Two of two." in text or "Last one." in text
    gentler = emitted_records(d, RecordKind.GENTLER)[-1]
    assert "instead of" in str(gentler.data["changes"])
    finish(d)
    assert d.session.finished
    assert "Hold for five seconds. Keep the knee lifted." in said([e.action for e in d.emitted])
    ended = emitted_records(d, RecordKind.SESSION_ENDED)[-1]
    assert ended.data["gentle"] is True and ended.data["pains"] == 1


@pytest.mark.parametrize("answer", [Intent.NEXT])
def test_pain_then_skip_moves_to_the_next_exercise(answer):
    d, _ = pain_in_hold()
    out = d.say(answer, text="skip")
    assert "Exercise two of two: Pelvic tilt." in said(out)
    assert emitted_records(d, RecordKind.SKIPPED)


@pytest.mark.parametrize("answer", [Intent.FINISH, Intent.STOP, Intent.NO])
def test_pain_then_finish_ends_with_summary(answer):
    d, _ = pain_in_hold()
    out = d.say(answer)
    assert d.session.finished and "You reported pain once." in said(out)


def test_other_words_in_the_pain_dialog_ask_again():
    d, _ = pain_in_hold()
    out = d.say(Intent.PREVIOUS)
    assert "more gently" in said(out) and d.session.state is S.PAIN_DIALOG
    out = d.say(Intent.PAUSE)
    assert "Take your time." in said(out)


def test_second_pain_ends_with_advice_to_see_a_doctor():
    d, _ = pain_in_hold()
    d.say(Intent.RESUME)
    reach(d, S.HOLDING)
    out = d.say(Intent.PAIN)
    assert first_is_stop(out) and d.session.finished
    assert "consult a doctor or physiotherapist" in said(out) and "rest" in said(out)
    assert emitted_records(d, RecordKind.SESSION_ENDED)[-1].data["reason"] == "pain"
    assert len(emitted_records(d, RecordKind.PAIN)) == 2


def test_pain_while_the_pain_message_plays_counts_as_second():
    d, _ = pain_in_hold()
    out = d.say(Intent.PAIN)
    assert first_is_stop(out) and d.session.finished


def test_pain_after_the_end_still_advises():
    d = put_in(S.FINISHED)
    out = d.say(Intent.PAIN)
    assert first_is_stop(out) and "consult a doctor" in said(out)


@pytest.mark.parametrize("symptom", list(Symptom), ids=str)
def test_each_warning_symptom_ends_the_session(symptom):
    d = driver()
    reach(d, S.MOVING)
    out = d.say(Intent.SYMPTOM, detail=symptom.value)
    assert first_is_stop(out) and d.session.finished
    assert "warning sign" in said(out) and "doctor" in said(out)
    rec = emitted_records(d, RecordKind.SYMPTOM)[-1]
    assert rec.data["symptom"] == symptom.value and rec.exercise == "Knee to chest"
    assert emitted_records(d, RecordKind.SESSION_ENDED)[-1].data["reason"] == "symptom"


def doubted(d, symptom=Symptom.DIZZINESS, text="i feel dizzy"):
    """A symptom heard over the coach's voice that the echo canceller could not vouch for."""
    out = d.session.command(Command(Intent.SYMPTOM, d.t, text, source=Source.VOICE,
                                    detail=symptom.value, unconfirmed=True))
    d.apply(out)
    return out


def test_a_doubted_symptom_halts_at_once_and_asks_before_ending():
    d = driver()
    reach(d, S.SPEAKING)
    reach(d, S.HOLDING)
    d.t += 2.0
    out = doubted(d)
    assert first_is_stop(out) and not d.session.finished
    assert d.session.state is S.SYMPTOM_CHECK and d.session.next_deadline is None
    assert said(out) == "I may have heard dizziness. Is that right? Please say yes or no."
    assert not emitted_records(d, RecordKind.SYMPTOM)
    assert emitted_records(d, RecordKind.COMMAND)[-1].data["unconfirmed"] is True
    # Anything but an answer asks again; the routine stays halted.
    assert said(d.say(Intent.NEXT)) == "Please say yes or no."
    assert said(d.say(Intent.HELP)).endswith("Is that right? Please say yes or no.")
    assert d.session.state is S.SYMPTOM_CHECK
    out = d.say(Intent.YES)
    assert d.session.finished and "You reported dizziness" in said(out)
    assert emitted_records(d, RecordKind.SYMPTOM)[-1].data["text"] == "i feel dizzy"
    assert emitted_records(d, RecordKind.SESSION_ENDED)[-1].data["reason"] == "symptom"


@pytest.mark.parametrize("answer", [Intent.NO, Intent.RESUME])
def test_a_doubted_symptom_denied_goes_on_where_the_hold_was(answer):
    d = driver()
    reach(d, S.SPEAKING)
    reach(d, S.HOLDING)
    d.t += 2.0
    left = d.session.next_deadline - d.t
    doubted(d)
    d.t += 5.0
    out = d.say(answer)
    assert d.session.state is S.HOLDING and not emitted_records(d, RecordKind.SYMPTOM)
    assert d.session.next_deadline is not None and "seconds" in said(out)
    assert d.session.next_deadline - d.t <= left + 1e-9
    finish(d)
    assert emitted_records(d, RecordKind.SESSION_ENDED)[-1].data["reason"] == "completed"


def test_a_second_symptom_or_pain_during_the_question_is_believed():
    d = driver()
    reach(d, S.MOVING)
    doubted(d)
    # Unless the canceller cannot vouch for it either: the question names the
    # symptom, and its echo must neither end the session nor cut the question.
    out = doubted(d, text="i'm dizzy")
    assert d.session.state is S.SYMPTOM_CHECK and not first_is_stop(out)
    assert emitted_records(d, RecordKind.COMMAND)[-1].data["ignored"] is True
    out = d.say(Intent.SYMPTOM, detail=Symptom.NAUSEA.value)
    assert d.session.finished and "You reported nausea" in said(out)
    d = driver()
    reach(d, S.MOVING)
    doubted(d)
    d.say(Intent.PAIN, text="it hurts")
    assert d.session.state is S.PAIN_DIALOG


def test_a_doubted_symptom_outside_a_running_routine_ends_it_as_before():
    """Paused or in a dialog the coach is not talking over the person."""
    d = put_in(S.PAUSED)
    out = doubted(d)
    assert d.session.finished and "You reported dizziness" in said(out)


def test_unknown_symptom_still_ends_safely():
    d = driver()
    out = d.say(Intent.SYMPTOM, detail="something odd")
    assert d.session.finished and "a warning symptom" in said(out)


def test_screening_all_no_passes_and_starts():
    d = driver(SessionOptions(screening_due=True))
    for _ in SCREENING_QUESTIONS:
        reach(d, S.SCREENING)
        d.say(Intent.NO)
    assert d.session.state is S.SPEAKING
    answers = emitted_records(d, RecordKind.SCREENING_ANSWER)
    assert [a.data["key"] for a in answers] == [q.key for q in SCREENING_QUESTIONS]
    assert emitted_records(d, RecordKind.SCREENING_PASSED)


@pytest.mark.parametrize("index", [0, 6, 7, 11])
def test_screening_yes_explains_and_ends(index):
    d = driver(SessionOptions(screening_due=True))
    for _ in range(index):
        d.say(Intent.NO)
    out = d.say(Intent.YES)
    question = SCREENING_QUESTIONS[index]
    assert d.session.finished
    text = said(out)
    assert "not advised" in text and "doctor" in text
    if question.severity is Severity.CONTRAINDICATED:
        assert "not allowed" in text
    else:
        assert "not recommended" in text
    failed = emitted_records(d, RecordKind.SCREENING_FAILED)[-1]
    assert failed.data["key"] == question.key
    assert emitted_records(d, RecordKind.SESSION_ENDED)[-1].data["reason"] == "screening"


def test_screening_questions_cover_the_seeds():
    keys = {q.key for q in SCREENING_QUESTIONS}
    assert {
        "pregnancy",
        "tuberculosis",
        "tumour",
        "gastrointestinal",
        "spinal_injury",
        "kidney",
        "leg_pain",
        "exhaustion",
        "blood_pressure",
        "heart_failure",
        "diabetes",
        "bleeding",
    } == keys


def test_screening_interval():
    day = 86400.0
    assert screening_due(None, 0.0)
    assert not screening_due(1000.0, 1000.0 + 89 * day)
    assert screening_due(1000.0, 1000.0 + 90 * day)
    assert screening_due(1000.0, 1000.0 + day, version=0)
    assert screening_due(1000.0, 10.0)


def test_screening_go_back_and_repeat():
    d = driver(SessionOptions(screening_due=True))
    out = d.say(Intent.PREVIOUS)
    assert "nothing to go back to" in said(out)
    d.say(Intent.NO)
    out = d.say(Intent.PREVIOUS)
    assert "Are you pregnant?" in said(out)
    out = d.say(Intent.REPEAT)
    assert "Are you pregnant?" in said(out)
    out = d.say(Intent.READY)
    assert "Please answer yes or no." in said(out)
