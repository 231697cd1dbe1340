"""Random routines, random commands at random times: the engine always copes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voicecoach.core.actions import Record, RecordKind, StopSpeaking
from voicecoach.core.intents import Intent, Symptom
from voicecoach.core.routine import Routine
from voicecoach.core.session import Session, SessionOptions
from voicecoach.core.session.simulate import TimedCommand, VirtualDriver

step = st.one_of(
    st.builds(lambda t: {"say": t}, st.sampled_from(["Relax.", "Good, keep going."])),
    st.builds(lambda: {"inhale": "Lift your knee."}),
    st.builds(lambda: {"exhale": "Lower it slowly."}),
    st.builds(lambda s: {"hold": s, "cue": "Keep it lifted."}, st.integers(1, 10)),
    st.builds(lambda s: {"rest": s}, st.integers(1, 15)),
    st.builds(lambda n: {"breaths": n}, st.integers(1, 3)),
    st.just({"ready": True}),
    st.builds(lambda d: {"inhale": "Arch your back.", "duration": d}, st.floats(0, 5)),
)

exercise = st.builds(
    lambda name, sides, reps, sets, steps, ready, rest: {
        "name": name,
        "sides": sides,
        "reps": reps,
        "sets": sets,
        "steps": steps,
        "ready": ready,
        "rest_between_sets": rest,
    },
    st.sampled_from(["Knee lift", "Pelvic tilt", "Bridge"]),
    st.sampled_from([[], ["left", "right"]]),
    st.integers(1, 4),
    st.integers(1, 2),
    st.lists(step, min_size=1, max_size=4),
    st.booleans(),
    st.integers(0, 12),
)

routines = st.builds(
    lambda exs, rest: Routine.model_validate(
        {"title": "Random", "rest_between_exercises": rest, "exercises": exs}
    ),
    st.lists(exercise, min_size=1, max_size=3),
    st.integers(0, 20),
)

commands = st.lists(
    st.builds(
        lambda t, intent, text, doubted: TimedCommand(
            t, intent, Symptom.NAUSEA.value if intent is Intent.SYMPTOM else None, text,
            unconfirmed=doubted,
        ),
        st.floats(0, 400, allow_nan=False),
        st.sampled_from(list(Intent)),
        st.sampled_from(["", "next exercise", "previous exercise"]),
        st.booleans(),
    ),
    max_size=25,
)

options = st.builds(
    SessionOptions,
    screening_due=st.booleans(),
    resume_from=st.one_of(st.none(), st.integers(0, 3)),
    pace=st.floats(0.3, 2.0),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(routine=routines, script=commands, opts=options)
def test_random_sessions_never_break(routine, script, opts):
    d = VirtualDriver(Session(routine, opts))
    result = d.run(script)
    session = d.session
    # Time never goes backwards.
    times = [e.t for e in result.timeline]
    assert times == sorted(times)
    emitted = [e.t for e in d.emitted]
    assert emitted == sorted(emitted)
    records = [e.action for e in d.emitted if isinstance(e.action, Record)]
    assert [r.t for r in records] == sorted(r.t for r in records)
    # Ends, or waits for the person with nothing scheduled.
    assert session.finished or (session.next_deadline is None and d.playing is None)
    # "It hurts" silences the coach first, in the same step.
    for i, entry in enumerate(d.emitted):
        action = entry.action
        safety = (Intent.PAIN.value, Intent.SYMPTOM.value)
        if (
            isinstance(action, Record)
            and action.kind is RecordKind.COMMAND
            and (action.data["intent"] in safety)
        ):
            assert isinstance(d.emitted[i - 1].action, StopSpeaking)
    ended = [r for r in records if r.kind is RecordKind.SESSION_ENDED]
    assert len(ended) == (1 if session.finished else 0)
