"""The session engine speaks a routine as a coach would, on exact seconds."""

from __future__ import annotations

import copy

import pytest

from tests.session_util import (
    BASE,
    driver,
    emitted_at,
    emitted_records,
    finish,
    reach,
    reach_kind,
    routine,
    said,
    speaks,
    timeline_actions,
)
from voicecoach.core.actions import (
    Cue,
    Priority,
    RecordKind,
    SetRate,
    SetVolume,
    Speak,
    StopSpeaking,
)
from voicecoach.core.intents import Intent
from voicecoach.core.routine import Routine
from voicecoach.core.session import Session, SessionOptions, SessionState
from voicecoach.core.session.flow import TICK_GRACE
from voicecoach.core.session.wording import Wording, english_number


def test_whole_routine_in_order_with_counts_sides_and_cues():
    d = driver()
    finish(d)
    assert d.session.finished
    texts = [a.text for a in timeline_actions(d) if isinstance(a, Speak)]
    joined = " | ".join(texts)
    # Opening: doctor and pain reminders, always.
    assert "consult a doctor or physiotherapist" in texts[1].lower()
    assert "it hurts" in texts[1]
    assert texts.index("Exercise one of two: Knee to chest.") > 1
    assert "Three repetitions on each side." in texts
    assert "Start with the left side." in texts
    assert "Now the right side." in texts
    assert "Inhale, lift your left knee toward your chest." in texts
    assert "Inhale, lift your right knee toward your chest." in texts
    assert texts.count("One of three.") == 2 and texts.count("Last one.") >= 2
    assert "Hold for ten seconds. Keep the knee lifted." in texts
    assert "Rest for twenty seconds. | Next: Pelvic tilt." in joined
    assert "Say ready when you are in position." in texts
    assert "Set two of two." in texts and "Next: set two of two." in texts
    assert "That was the last exercise. Well done." in texts[-1]
    assert "two of two exercises and ten repetitions" in texts[-1]
    cues = {s.cue for s in speaks(timeline_actions(d))}
    assert {Cue.INHALE, Cue.EXHALE, Cue.HOLD_START, Cue.HOLD_END} <= cues


def test_speak_ids_are_unique_and_increasing():
    d = driver()
    finish(d)
    ids = [e.action.id for e in d.emitted if isinstance(e.action, Speak)]
    assert ids == sorted(ids) and len(ids) == len(set(ids))


def test_opening_sets_volume_and_rate_and_reminds_even_with_screening():
    d = driver(SessionOptions(screening_due=True, volume=0.5, rate=1.1))
    first = [e.action for e in d.emitted]
    assert SetVolume(0.5) in first and SetRate(1.1) in first
    assert "consult a doctor" in said(first).lower() and "it hurts" in said(first)
    safety = [s for s in speaks(first) if s.priority is Priority.SAFETY]
    assert safety and not safety[0].interruptible


def test_hold_countdown_on_exact_seconds():
    d = driver()
    reach(d, SessionState.HOLDING)
    start = d.t
    reach(d, SessionState.SPEAKING)
    words = ["Five.", "Four.", "Three.", "Two.", "One."]
    assert [emitted_at(d, w)[0] - start for w in words] == [5.0, 6.0, 7.0, 8.0, 9.0]
    done = emitted_records(d, RecordKind.HOLD_DONE)[0]
    assert done.t == start + 10.0 and done.data["held"] == 10.0
    assert done.exercise == "Knee to chest" and done.side == "left" and done.rep == 1


def _hold_line(d) -> Speak:
    return next(e.action for e in d.emitted if isinstance(e.action, Speak)
                and e.action.text.startswith("Hold"))


def _long_cue_routine() -> Routine:
    data = copy.deepcopy(BASE)
    data["exercises"][0]["steps"][1]["cue"] = (
        "Keep the knee up, knee and hip bent at a right angle.")
    return Routine.model_validate(data)


def test_a_countdown_word_due_while_the_coach_talks_is_left_out_not_said_late():
    # The hold line is longer than the five seconds before "Five." (as a
    # physiotherapist's cue often is): "Five" would come seconds late with
    # "Four" right behind it. It is left out; every word said is on its second.
    d = driver(r=_long_cue_routine())
    reach(d, SessionState.HOLDING)
    start = d.t
    reach(d, SessionState.SPEAKING)
    line = d.duration(_hold_line(d))
    assert line > 6.5
    said_any = False
    for n, word in enumerate(["Five.", "Four.", "Three.", "Two.", "One."]):
        due = start + 5.0 + n
        times = emitted_at(d, word)
        if due + TICK_GRACE < start + line:
            assert times == []
        elif due >= start + line:
            assert times == [pytest.approx(due, abs=1e-9)]
            said_any = True
    assert said_any and emitted_records(d, RecordKind.HOLD_DONE)[0].t == start + 10.0


def test_a_countdown_word_just_behind_a_line_is_said_when_the_line_ends():
    # A virtual speaker slow enough that the hold line ends 0.1 s after
    # "Five." was due: the word follows the line at once, the rest keep time.
    probe = driver()
    reach(probe, SessionState.HOLDING)
    d = driver()
    d.words_per_second = probe.words_per_second * probe.duration(_hold_line(probe)) / 5.1
    reach(d, SessionState.HOLDING)
    start = d.t
    assert d.duration(_hold_line(d)) == pytest.approx(5.1)
    reach(d, SessionState.SPEAKING)
    assert emitted_at(d, "Five.") == [pytest.approx(start + 5.1, abs=1e-6)]
    four = emitted_at(d, "Four.")[0]  # as soon as the (slow) "Five." has ended
    assert 0.0 <= four - (start + 6.0) <= TICK_GRACE


def _hold_paused_at(seconds: float):
    """A driver whose first hold was paused ``seconds`` in; and when the hold started."""
    d = driver()
    reach(d, SessionState.HOLDING)
    start = d.t
    d.t = start + seconds
    d.say(Intent.PAUSE)
    return d, start


def test_pause_freezes_a_hold_to_the_millisecond():
    d, start = _hold_paused_at(3.25)
    assert d.session.state is SessionState.PAUSED
    assert d.session.next_deadline is None
    assert d.session.status().countdown == pytest.approx(6.75, abs=1e-9)
    d.t = start + 3.25 + 100.0
    resumed_at = d.t
    out = d.say(Intent.RESUME)
    assert "Keep the knee lifted. Seven seconds left." in said(out)
    assert d.session.state is SessionState.HOLDING
    reach(d, SessionState.SPEAKING)
    done = emitted_records(d, RecordKind.HOLD_DONE)[0]
    assert done.t - resumed_at == pytest.approx(6.75, abs=1e-9)
    # "Five" and "Four" fall 1.75 and 2.75 s after resume, while the coach still
    # says the resume line: left out rather than said late; the rest keep time.
    assert emitted_at(d, "Five.") == emitted_at(d, "Four.") == []
    three = emitted_at(d, "Three.")[0]
    assert three - resumed_at == pytest.approx(3.75, abs=1e-9)
    paused = emitted_records(d, RecordKind.PAUSED)[0]
    resumed = emitted_records(d, RecordKind.RESUMED)[0]
    assert resumed.data["paused_for"] == 100.0 and paused.t == start + 3.25


def test_pause_twice_and_long_pauses_keep_exact_time():
    d = driver()
    reach(d, SessionState.HOLDING)
    start = d.t
    for offset, gap in ((1.5, 40.0), (2.0, 3600.0)):
        d.t += offset
        d.say(Intent.PAUSE)
        d.t += gap
        d.say(Intent.RESUME)
    last_resume = d.t
    reach(d, SessionState.SPEAKING)
    done = emitted_records(d, RecordKind.HOLD_DONE)[0]
    assert done.t - last_resume == pytest.approx(10.0 - 3.5, abs=1e-9)
    assert start < last_resume


def test_pause_during_speech_resumes_from_the_cut_sentence():
    d = driver()
    reach_kind(d, SessionState.SPEAKING, "intro")
    while d.playing is None or not d.playing.text.startswith("Three repetitions"):
        d.step()
    out = d.say(Intent.PAUSE)
    assert isinstance(out[0], StopSpeaking)
    out = d.say(Intent.RESUME)
    assert said(out).startswith("Three repetitions on each side.")


def test_a_command_never_loses_the_safety_reminder():
    d = driver()
    out = d.say(Intent.LOUDER)
    assert isinstance(out[0], StopSpeaking)
    assert "consult a doctor" in said(out).lower()


def test_rest_countdown_and_resume_recue():
    d = driver()
    reach_kind(d, SessionState.RESTING, "exercise_rest")
    start = d.t
    d.t += 4.0
    d.say(Intent.PAUSE)
    d.t += 30
    out = d.say(Intent.RESUME)
    assert "Sixteen seconds of rest left." in said(out)
    resumed = d.t
    reach(d, SessionState.SPEAKING)
    assert emitted_at(d, "Ten seconds.")[0] - resumed == pytest.approx(6.0)
    assert emitted_at(d, "One.")[-1] - resumed == pytest.approx(15.0)
    assert start < resumed


def test_movement_time_follows_speech_done_and_pace():
    slow = driver(SessionOptions(pace=0.5))
    reach(slow, SessionState.MOVING)
    assert slow.session.next_deadline - slow.t == pytest.approx(6.0)
    normal = driver()
    reach(normal, SessionState.MOVING)
    assert normal.session.next_deadline - normal.t == pytest.approx(3.0)


def test_breaths_and_ready_steps():
    r = routine(
        exercises=[
            {
                "name": "Breathing",
                "reps": 1,
                "steps": [{"ready": "Say ready when you lie flat."}, {"breaths": 2}],
            }
        ]
    )
    d = driver(r=r)
    reach(d, SessionState.WAITING_READY)
    assert d.session.next_deadline is None
    assert "Say ready when you lie flat." in said([e.action for e in d.emitted])
    finish(d)
    texts = [s.text for s in speaks(timeline_actions(d))]
    assert texts.count("Breathe in.") == 2 and texts.count("And out.") == 2
    assert "Take two slow breaths." in texts
    assert texts[-1].startswith("That was the last exercise.")


def test_records_prescribed_versus_done():
    d = driver()
    finish(d)
    started = emitted_records(d, RecordKind.SESSION_STARTED)
    ended = emitted_records(d, RecordKind.SESSION_ENDED)
    assert len(started) == 1 and len(ended) == 1
    assert ended[0].data["reason"] == "completed" and ended[0].data["reps_done"] == 10
    ex_end = emitted_records(d, RecordKind.EXERCISE_ENDED)
    assert [r.data["done_reps"] for r in ex_end] == [6, 4]
    assert [r.data["prescribed_reps"] for r in ex_end] == [6, 4]
    assert ex_end[0].data["done_holds"] == 6 and ex_end[0].data["prescribed_holds"] == 6
    reps = emitted_records(d, RecordKind.REP_DONE)
    assert len(reps) == 10 and {r.side for r in reps[:6]} == {"left", "right"}


def test_status_snapshot_for_a_terminal_view():
    d = driver()
    reach(d, SessionState.HOLDING)
    d.t += 2.5
    status = d.session.status(d.t)
    assert status.exercise == "Knee to chest" and status.exercise_index == 0
    assert status.exercise_count == 2 and status.side == "left"
    assert (status.rep, status.reps, status.set, status.sets) == (1, 3, 1, 1)
    assert status.countdown == pytest.approx(7.5) and not status.paused
    assert status.step == "Keep the knee lifted."


def test_wording_numbers_and_fallback():
    assert english_number(0) == "zero" and english_number(21) == "twenty-one"
    assert english_number(115) == "one hundred and fifteen"
    w = Wording("de-DE")
    assert w.language == "en" and w("last_one") == "Last one."
    assert w.seconds(90) == "one minute thirty seconds" and w.seconds(1) == "one second"
    assert w.breath("inhale", "Lift the knee.") == "Inhale, lift the knee."
    assert w.breath("inhale", "I lift.") == "Inhale, I lift."
    assert w.breath("exhale", "Exhale and lower.") == "Exhale and lower."


def test_routine_in_another_language_falls_back_to_english_wording():
    s = Session(routine(language="de"))
    out = s.start(0.0)
    assert "consult a doctor" in said(out).lower()


def test_command_before_start_is_an_error():
    from voicecoach.core.intents import Command

    with pytest.raises(RuntimeError):
        Session(routine()).command(Command(Intent.PAUSE, 0.0))


@pytest.mark.parametrize("delay", [0.03, 1.5])
def test_a_hold_counts_from_when_its_line_is_heard(delay):
    # On a busy machine a queued line can sound a second or more late; the
    # person holds from "Hold", so the countdown and the end move with it.
    d = driver()
    reach(d, SessionState.MOVING)
    d.start_delay = delay  # only the hold line is late
    reach(d, SessionState.HOLDING)
    heard = d.t + delay
    d.start_delay = 0.0
    reach(d, SessionState.SPEAKING)
    words = ["Five.", "Four.", "Three.", "Two.", "One."]
    assert [emitted_at(d, w)[0] - heard for w in words] == pytest.approx([5, 6, 7, 8, 9])
    done = emitted_records(d, RecordKind.HOLD_DONE)[0]
    assert done.t == pytest.approx(heard + 10.0)


def test_a_resumed_hold_counts_its_seconds_left_from_the_reminder():
    d, start = _hold_paused_at(3.25)
    d.t = start + 100.0
    d.start_delay = 0.8
    out = d.say(Intent.RESUME)
    assert "Seven seconds left." in said(out)
    d.start_delay = 0.0
    reach(d, SessionState.SPEAKING)
    done = emitted_records(d, RecordKind.HOLD_DONE)[0]
    assert done.t - (start + 100.0 + 0.8) == pytest.approx(6.75, abs=1e-9)
