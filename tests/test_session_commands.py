"""Every intent in every state gets a sensible answer, and the session goes on."""

from __future__ import annotations

import pytest

from tests.session_util import (
    driver,
    emitted_records,
    finish,
    first_is_stop,
    put_in,
    reach,
    reach_kind,
    said,
    speaks,
)
from voicecoach.core.actions import RecordKind, SetRate, SetVolume, StopSpeaking
from voicecoach.core.intents import SAFETY_INTENTS, Intent
from voicecoach.core.session import SessionOptions, SessionState

S = SessionState
STATES = [
    S.SPEAKING,
    S.MOVING,
    S.HOLDING,
    S.RESTING,
    S.WAITING_READY,
    S.PAUSED,
    S.STOP_DIALOG,
    S.PAIN_DIALOG,
    S.SCREENING,
    S.OFFER,
    S.FINISHED,
]
#: Words that mean nothing while the routine runs: the coach just carries on.
QUIET_IN_RUNNING = {Intent.YES, Intent.NO, Intent.READY, Intent.RESUME}


@pytest.mark.parametrize("intent", list(Intent), ids=str)
@pytest.mark.parametrize("state", STATES, ids=str)
def test_every_intent_in_every_state(state, intent):
    d = put_in(state)
    detail = "dizziness" if intent is Intent.SYMPTOM else None
    out = d.say(intent, detail=detail)
    session = d.session
    # A command record, always.
    assert emitted_records(d, RecordKind.COMMAND)[-1].data["intent"] == intent.value
    if intent in SAFETY_INTENTS:
        assert first_is_stop(out), "safety intents silence the coach first"
    stops = [i for i, a in enumerate(out) if isinstance(a, StopSpeaking)]
    assert stops in ([], [0]), "StopSpeaking comes first, once"
    answered = (
        speaks(out)
        or session.state is not state
        or any(isinstance(a, (SetVolume, SetRate)) for a in out)
    )
    running = state in (S.SPEAKING, S.MOVING, S.HOLDING, S.RESTING)
    not_yet = state is S.WAITING_READY and intent is Intent.NO  # keep waiting
    quiet = (running and intent in QUIET_IN_RUNNING) or not_yet
    assert answered or quiet, f"no answer: {out}"
    if quiet:
        assert not out[:-1] and out[-1].data.get("ignored") is True, "nothing cut, nothing said"
    finish(d)
    assert session.finished or (session.next_deadline is None and d.playing is None), (
        "ends or waits for the person"
    )


def test_nothing_to_go_back_to_at_the_first_exercise():
    d = driver()
    reach_kind(d, S.SPEAKING, "intro")
    out = d.say(Intent.PREVIOUS)
    assert "There is nothing to go back to." in said(out)
    assert d.session.state is S.SPEAKING


def test_go_back_restarts_the_repetition_then_the_previous_one():
    d = driver()
    reach(d, S.HOLDING)
    reach(d, S.SPEAKING)  # exhale of rep 1
    reach(d, S.HOLDING)  # hold of rep 2
    out = d.say(Intent.PREVIOUS)
    assert "Back to repetition two." in said(out) and "Two of three." in said(out)
    out = d.say(Intent.PREVIOUS)
    assert "Back to repetition one." in said(out) and "One of three." in said(out)


def test_go_back_from_the_second_exercise_intro_and_previous_exercise_words():
    d = driver()
    reach_kind(d, S.RESTING, "exercise_rest")
    out = d.say(Intent.PREVIOUS)
    assert "Back to repetition three." in said(out)
    d2 = driver()
    reach_kind(d2, S.SPEAKING, "intro")
    reach_kind(d2, S.WAITING_READY, "ready")
    out = d2.say(Intent.PREVIOUS)
    assert "Back to the start of Knee to chest." in said(out)
    d3 = driver()
    reach(d3, S.HOLDING)
    out = d3.say(Intent.PREVIOUS, text="previous exercise")
    assert "nothing to go back to" in said(out)


def test_next_ends_a_hold_early_and_skips_an_exercise_otherwise():
    d = driver()
    reach(d, S.HOLDING)
    d.t += 4.0
    out = d.say(Intent.NEXT)
    assert "Okay, moving on." in said(out) and "Exhale, lower the leg slowly." in said(out)
    assert emitted_records(d, RecordKind.HOLD_DONE)[-1].data["held"] == 4.0
    out = d.say(Intent.NEXT)
    assert "Skipping to the next exercise." in said(out)
    assert "Exercise two of two: Pelvic tilt." in said(out)
    skipped = emitted_records(d, RecordKind.SKIPPED)[-1]
    assert skipped.data["skipped"] == "Knee to chest"
    ended = emitted_records(d, RecordKind.EXERCISE_ENDED)[-1]
    assert ended.data["skipped"] is True and ended.data["done_reps"] == 0


def test_next_exercise_words_skip_even_during_a_hold_and_the_last_one_ends():
    d = driver()
    reach(d, S.HOLDING)
    out = d.say(Intent.NEXT, text="next exercise")
    assert "Skipping to the next exercise." in said(out)
    reach(d, S.WAITING_READY)
    out = d.say(Intent.NEXT)
    assert "That was the last exercise." in said(out) and d.session.finished


def test_next_in_a_rest_ends_the_rest():
    d = driver()
    reach_kind(d, S.RESTING, "exercise_rest")
    out = d.say(Intent.NEXT)
    assert "Exercise two of two: Pelvic tilt." in said(out)


def test_repeat_in_a_hold_recues_without_touching_the_timer():
    d = driver()
    reach(d, S.HOLDING)
    deadline_end = d.session._timer.end
    d.t += 3.0
    out = d.say(Intent.REPEAT)
    assert "Keep the knee lifted. Seven seconds left." in said(out)
    assert d.session._timer.end == deadline_end


def test_repeat_while_speaking_says_the_instruction_again():
    d = driver()
    reach(d, S.MOVING)
    out = d.say(Intent.REPEAT)
    assert said(out) == "Inhale, lift your left knee toward your chest."
    assert d.session.state is S.SPEAKING


def test_stop_halts_and_asks_then_continue_or_finish():
    d = driver()
    reach(d, S.HOLDING)
    d.t += 2.0
    out = d.say(Intent.STOP)
    assert isinstance(out[0], StopSpeaking) and d.session.next_deadline is None
    assert "continue, or finish" in said(out)
    d.t += 60
    out = d.say(Intent.RESUME)
    assert "Eight seconds left." in said(out) and d.session.state is S.HOLDING
    out = d.say(Intent.STOP)
    out = d.say(Intent.STOP)
    assert d.session.finished and "We end the session here." in said(out)
    assert emitted_records(d, RecordKind.SESSION_ENDED)[-1].data["reason"] == "finished"


def test_finish_ends_with_a_summary():
    d = driver()
    reach(d, S.HOLDING)
    reach(d, S.RESTING)
    out = d.say(Intent.FINISH)
    assert "You did one of two exercises and six repetitions" in said(out)
    assert d.session.finished and d.session.next_deadline is None
    out = d.say(Intent.REPEAT)
    assert "You did one of two exercises" in said(out)


def test_slower_and_faster_within_bounds():
    d = driver()
    reach(d, S.MOVING)
    before = d.session.next_deadline - d.t
    out = d.say(Intent.SLOWER)
    assert SetRate(0.9) in out and "Slower." in said(out)
    assert d.session.next_deadline - d.t == pytest.approx(before * 1.2)  # the running movement
    for _ in range(10):
        out = d.say(Intent.SLOWER)
    assert "already the slowest" in said(out) and d.session.status().rate == 0.7
    assert d.session.status().pace == 0.5
    reach(d, S.MOVING)
    assert d.session.next_deadline - d.t == pytest.approx(before * 2)
    for _ in range(20):
        out = d.say(Intent.FASTER)
    assert "already the fastest" in said(out) and d.session.status().rate == 1.3


def test_louder_and_quieter_within_bounds():
    d = driver(SessionOptions(volume=0.8))
    out = d.say(Intent.LOUDER)
    assert SetVolume(0.9) in out
    d.say(Intent.LOUDER)
    out = d.say(Intent.LOUDER)
    assert "already the loudest" in said(out) and d.session.status().volume == 1.0
    for _ in range(20):
        out = d.say(Intent.QUIETER)
    assert "already the quietest" in said(out) and d.session.status().volume == 0.2


def test_status_says_where_and_what_is_left():
    d = driver()
    reach(d, S.HOLDING)
    d.t += 4.0
    text = said(d.say(Intent.STATUS))
    assert "Exercise one of two: Knee to chest." in text
    assert "Left side." in text and "Repetition one of three, two left after this one." in text
    assert "Holding, six seconds left." in text and "left in the session" in text


def test_help_lists_what_can_be_said_now():
    assert "pause" in said(put_in(S.HOLDING).say(Intent.HELP))
    assert "Say resume" in said(put_in(S.PAUSED).say(Intent.HELP))
    assert "Say ready" in said(put_in(S.WAITING_READY).say(Intent.HELP))
    assert "continue" in said(put_in(S.PAIN_DIALOG).say(Intent.HELP))
    assert "yes or no" in said(put_in(S.SCREENING).say(Intent.HELP))
    assert "has ended" in said(put_in(S.FINISHED).say(Intent.HELP))


def test_ready_moves_on_only_when_waiting():
    d = put_in(S.WAITING_READY)
    out = d.say(Intent.READY)
    assert "Good." in said(out) and d.session.state is S.SPEAKING


def test_paused_navigation_resumes_at_the_new_place():
    d = put_in(S.PAUSED)
    out = d.say(Intent.NEXT, text="next exercise")
    assert "Pelvic tilt" in said(out) and d.session.state is S.SPEAKING
    assert emitted_records(d, RecordKind.RESUMED)


def test_offers_resume_and_step_up():
    from tests.session_util import routine

    d = driver(SessionOptions(resume_from=1))
    reach(d, S.OFFER)
    assert "Continue where you stopped?" in said([e.action for e in d.emitted])
    out = d.say(Intent.YES)
    assert "Exercise two of two: Pelvic tilt." in said(out)
    offer = emitted_records(d, RecordKind.OFFER)[-1]
    assert offer.data == {"offer": "resume", "answer": True, "exercise_index": 1}

    harder = routine(
        title="Harder",
        exercises=[
            {
                "name": "Knee to chest",
                "reps": 5,
                "steps": [{"inhale": "Lift."}, {"exhale": "Lower."}],
            }
        ],
    )
    d = driver(SessionOptions(step_up=harder))
    reach(d, S.OFFER)
    assert "a few more repetitions" in said([e.action for e in d.emitted])
    out = d.say(Intent.YES)
    assert "Knee to chest." in said(out) and "Five repetitions." in said(out)
    assert d.session.routine.title == "Harder"
    finish(d)
    assert emitted_records(d, RecordKind.SESSION_ENDED)[-1].data["title"] == "Harder"


@pytest.mark.parametrize("intent", sorted(QUIET_IN_RUNNING), ids=str)
def test_an_answer_with_no_question_does_not_cut_the_coach(intent):
    # "Go on, tell me" or "I'm ready to go" said in the room while the coach
    # gives an instruction: heard as resume / ready, it must not cut the line
    # and start it again, as it did. It is kept in the history as ignored.
    d = put_in(S.SPEAKING)
    playing = d.playing
    assert playing is not None
    out = d.say(intent)
    assert not any(isinstance(a, StopSpeaking) for a in out) and not speaks(out)
    assert d.playing is playing and d.session.state is S.SPEAKING
    record = emitted_records(d, RecordKind.COMMAND)[-1]
    assert record.data["intent"] == intent.value and record.data["ignored"] is True
