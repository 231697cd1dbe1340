"""The echo guard: the coach's own words are not commands, the person's are."""

from __future__ import annotations

import pytest

from voicecoach.core.echo_guard import (
    EchoEvidence,
    EchoGuard,
    MatchStrength,
    Utterance,
    word_timings,
    words_of,
)
from voicecoach.core.intents import Command, Intent

ECHO = EchoEvidence(mic_db=-25.0, out_db=-55.0, reference_db=-20.0)  # 30 dB removed
PERSON = EchoEvidence(mic_db=-25.0, out_db=-27.0, reference_db=-20.0)  # 2 dB removed
MIXED = EchoEvidence(mic_db=-25.0, out_db=-32.0, reference_db=-20.0)  # 7 dB removed
SILENT = EchoEvidence(mic_db=-60.0, out_db=-61.0, reference_db=-120.0)  # nothing played

LINE = "If it hurts, stop, and return slowly to the starting position."


def guard_with(text: str = LINE, start: float = 10.0, duration: float = 4.0) -> EchoGuard:
    guard = EchoGuard()
    guard.spoke(Utterance(text, start, duration))
    return guard


def when(guard: EchoGuard, word: str) -> float:
    """The estimated end of ``word`` in the last utterance, plus the recognizer's latency."""
    utterance = guard._utterances[-1]
    end = next(e for w, _, e in word_timings(utterance) if w == word)
    return end + guard.options.latency_s


def test_words_are_normalized() -> None:
    assert words_of("It HURTS!  I\u2019m ready.") == ["it", "hurts", "i'm", "ready"]


def test_word_timings_cover_the_utterance_in_order() -> None:
    timings = word_timings(Utterance(LINE, 10.0, 4.0))
    assert [w for w, _, _ in timings][:4] == ["if", "it", "hurts", "stop"]
    assert timings[0][1] == pytest.approx(10.0)
    assert timings[-1][2] <= 14.0 + 1e-9
    assert all(a[2] <= b[1] + 1e-9 for a, b in zip(timings, timings[1:], strict=False))


def test_unknown_duration_is_estimated_from_the_text() -> None:
    utterance = Utterance("Pause for a breath.", 0.0)
    assert 0.8 < utterance.planned_duration(14.0) < 2.5


def test_the_coach_saying_stop_is_dropped_even_though_stop_is_a_safety_command() -> None:
    guard = guard_with()
    command = Command(Intent.STOP, when(guard, "stop"), "stop")
    verdict = guard.judge(command, ECHO)
    assert verdict.drop
    assert verdict.match is MatchStrength.STRONG


def test_the_coach_saying_it_hurts_is_dropped_without_any_canceller() -> None:
    guard = guard_with()
    verdict = guard.judge(Command(Intent.PAIN, when(guard, "hurts"), "it hurts"), None)
    assert verdict.drop


def test_the_person_saying_it_hurts_while_the_coach_says_other_words_is_kept() -> None:
    guard = guard_with("Inhale, and lift the bent knee toward your chest.", 10.0, 3.0)
    verdict = guard.judge(Command(Intent.PAIN, 11.5, "it hurts"), PERSON)
    assert not verdict.drop
    assert verdict.match is MatchStrength.NONE


def test_a_safety_command_is_kept_when_the_words_match_but_at_another_moment() -> None:
    # The coach said "it hurts" at the start of the line; the person says it
    # three seconds later, over the end of the same line.
    guard = guard_with(LINE, 10.0, 4.0)
    verdict = guard.judge(Command(Intent.PAIN, 13.9, "it hurts"), MIXED)
    assert verdict.match is MatchStrength.WEAK
    assert not verdict.drop


def test_the_same_words_are_kept_if_the_converged_canceller_heard_a_person() -> None:
    guard = guard_with()
    verdict = guard.judge(Command(Intent.PAIN, when(guard, "hurts"), "it hurts"), PERSON)
    assert verdict.match is MatchStrength.STRONG
    assert not verdict.drop
    assert not guard.judge(Command(Intent.STOP, when(guard, "stop"), "stop"), PERSON).drop


def test_an_unconverged_canceller_is_not_trusted_to_tell_the_person_from_echo() -> None:
    guard = guard_with()
    learning = EchoEvidence(mic_db=-25.0, out_db=-27.0, reference_db=-20.0, converged=False)
    assert guard.judge(Command(Intent.STOP, when(guard, "stop"), "stop"), learning).drop
    # Words the coach is not saying: safety commands pass, others wait.
    other = Command(Intent.PAIN, when(guard, "stop"), "ouch")
    assert not guard.judge(other, learning).drop
    assert guard.judge(Command(Intent.NEXT, when(guard, "stop"), "next"), learning).drop
    # Kept on words and timing alone: marked, so the session asks before a
    # warning symptom ends it. A canceller that can vouch marks nothing.
    dizzy = Command(Intent.SYMPTOM, when(guard, "stop"), "dizzy", detail="dizziness")
    verdict = guard.judge(dizzy, learning)
    assert not verdict.drop and verdict.unsure
    assert not guard.judge(dizzy, PERSON).unsure
    assert not guard.judge(dizzy, None).unsure


def test_a_weakly_matching_ordinary_command_is_dropped_only_if_it_sounds_like_echo() -> None:
    line = "Pause for a breath, then continue when you are ready to go on."
    guard = guard_with(line, 10.0, 4.0)
    late = Command(Intent.PAUSE, 14.5, "pause")  # "pause" was said at 10.0
    assert guard.match(late) is MatchStrength.WEAK
    assert guard.judge(late, ECHO).drop
    assert not guard.judge(late, PERSON).drop


def test_nothing_is_dropped_while_the_coach_is_silent() -> None:
    guard = guard_with(LINE, 10.0, 4.0)
    for evidence in (SILENT, None):
        verdict = guard.judge(Command(Intent.STOP, 20.0, "stop"), evidence)
        assert not verdict.drop
        assert verdict.reason == "the coach was silent"


def test_the_coachs_voice_in_the_reference_outweighs_a_log_that_says_it_was_silent() -> None:
    """Re-lived live runs on a loaded machine (the canceller had lost the echo,
    0.2-0.6 dB removed): "status", "slow down", "next" and "finish" heard in the
    coach's voice 1.0-2.9 s after the log said its line had ended, and kept as
    said in a pause. The sound came later than the speaker's clock said; the
    canceller's reference, the sound itself, held the coach's voice then."""
    guard = guard_with(LINE, 10.0, 4.0)
    late = 14.0 + guard.options.tail_s + guard.options.latency_s + 1.2
    lost = EchoEvidence(mic_db=-23.0, out_db=-23.4, reference_db=-21.6, converged=False)
    assert guard.judge(Command(Intent.STATUS, late, "status"), SILENT).reason == (
        "the coach was silent")
    verdict = guard.judge(Command(Intent.STATUS, late, "status"), lost)
    assert verdict.drop and verdict.reason == "the canceller is still learning the room"
    # Safety commands are still heard, by words and timing, as everywhere else.
    assert not guard.judge(Command(Intent.PAIN, late, "it hurts"), lost).drop
    # With a canceller that works, the person talking over a late line is kept.
    assert not guard.judge(Command(Intent.PAUSE, late, "pause"), PERSON).drop
    assert guard.judge(Command(Intent.PAUSE, late, "pause"), ECHO).drop


def test_pure_echo_with_no_word_match_drops_ordinary_and_only_very_pure_echo_drops_safety() -> None:
    guard = guard_with("Lie on your back on a firm surface, knees bent.", 10.0, 3.0)
    pure_echo = EchoEvidence(mic_db=-25.0, out_db=-45.0, reference_db=-20.0)  # 20 dB
    assert guard.judge(Command(Intent.SLOWER, 11.0, "slower"), pure_echo).drop
    assert not guard.judge(Command(Intent.PAIN, 11.0, "pain"), pure_echo).drop
    residue = EchoEvidence(mic_db=-25.0, out_db=-53.0, reference_db=-20.0)  # 28 dB
    assert guard.judge(Command(Intent.SYMPTOM, 11.0, "numb"), residue).drop
    # The person 6 dB below the coach: about 7 dB removed; kept.
    assert not guard.judge(Command(Intent.PAIN, 11.0, "it hurts"), MIXED).drop


def test_a_cut_utterance_no_longer_counts_for_the_words_it_never_said() -> None:
    guard = guard_with(LINE, 10.0, 4.0)
    guard.stopped(10.3)  # cut before "stop"
    command = Command(Intent.STOP, 11.0, "stop")
    assert guard.match(command) is MatchStrength.NONE
    assert not guard.judge(command, MIXED).drop


def test_old_utterances_are_forgotten() -> None:
    guard = EchoGuard()
    for k in range(100):
        guard.spoke(Utterance(f"line {k}", 5.0 * k, 3.0))
    guard.judge(Command(Intent.NEXT, 500.0, "next"), None)
    assert len(guard._utterances) < 10


def test_removed_db_is_mic_minus_output() -> None:
    assert ECHO.removed_db == pytest.approx(30.0)


def test_a_learning_canceller_does_not_silence_the_person_when_the_coach_played_nothing():
    from voicecoach.core.echo_guard import EchoEvidence, EchoGuard, Utterance
    from voicecoach.core.intents import Command, Intent

    guard = EchoGuard()
    guard.spoke(Utterance("Paused. Say resume when you are ready.", 10.0, duration=2.3))
    # Just after the prompt ended: the guard still counts the coach as (echo-)active,
    # the canceller has not converged, but nothing was played during the phrase.
    quiet = EchoEvidence(mic_db=-20.0, out_db=-21.0, reference_db=-120.0, converged=False)
    verdict = guard.judge(Command(Intent.RESUME, 13.3, "continue"), quiet)
    assert not verdict.drop and not verdict.unsure
    # While the coach's voice did reach the microphone, the learning rule still holds.
    loud = EchoEvidence(mic_db=-20.0, out_db=-21.0, reference_db=-25.0, converged=False)
    assert guard.judge(Command(Intent.NEXT, 11.0, "next"), loud).drop


def test_stop_misheard_in_the_coachs_own_line_is_dropped_but_pain_is_not():
    from voicecoach.core.echo_guard import EchoEvidence, EchoGuard, Utterance
    from voicecoach.core.intents import Command, Intent

    line = (
        "This coach does not replace a doctor. Consult a doctor or physiotherapist before "
        "you start these exercises. If anything hurts, stop and say: it hurts."
    )
    guard = EchoGuard()
    guard.spoke(Utterance(line, 4.13, duration=15.9))
    # Heard three seconds in, ten seconds before the coach says "stop": residual echo.
    echo = EchoEvidence(mic_db=-23.7, out_db=-37.2, reference_db=-23.6, converged=True)
    assert guard.judge(Command(Intent.STOP, 7.09, "stop"), echo).drop
    # The same evidence never silences a pain report.
    assert not guard.judge(Command(Intent.PAIN, 7.09, "it hurts"), echo).drop
    # A person saying "stop" over the coach (little removed) is obeyed.
    person = EchoEvidence(mic_db=-20.0, out_db=-22.0, reference_db=-23.6, converged=True)
    assert not guard.judge(Command(Intent.STOP, 7.09, "stop"), person).drop


def test_a_large_removal_is_echo_even_while_the_canceller_learns():
    """Seen live: "stop" heard in "Start with the left side." right after a re-learn."""
    guard = EchoGuard()
    guard.spoke(Utterance("Start with the left side.", 36.06, duration=1.4))
    residue = EchoEvidence(mic_db=-21.7, out_db=-40.4, reference_db=-21.7, converged=False)
    assert guard.judge(Command(Intent.STOP, 37.46, "stop"), residue).drop
    # Pain and symptoms keep the stricter bar (22 dB) while learning too.
    assert not guard.judge(Command(Intent.SYMPTOM, 37.46, "numb"), residue).drop
    # The person saying "stop" over the coach while it learns: little removed, obeyed.
    person = EchoEvidence(mic_db=-19.0, out_db=-22.0, reference_db=-21.7, converged=False)
    assert not guard.judge(Command(Intent.STOP, 37.46, "stop"), person).drop


def test_residue_heard_as_an_ordinary_command_is_dropped_at_the_gate_level():
    """Seen live: "repeat" heard in "Hold for three seconds.", 16 dB removed."""
    guard = EchoGuard()
    guard.spoke(Utterance("Hold for three seconds.", 31.3, duration=2.0))
    residue = EchoEvidence(mic_db=-22.9, out_db=-39.3, reference_db=-22.8, converged=True)
    assert guard.judge(Command(Intent.REPEAT, 32.89, "repeat"), residue).drop
    person = EchoEvidence(mic_db=-20.0, out_db=-27.5, reference_db=-22.8, converged=True)
    assert not guard.judge(Command(Intent.REPEAT, 32.89, "repeat"), person).drop


def test_a_symptom_heard_in_the_coachs_own_voice_is_dropped_when_even_its_loudest_part_was_echo():
    """Seen live (the own-voice end-to-end test, loaded machine): "dizzy" heard in
    the coach's line, 17.9 dB removed over the phrase and 13.8 dB over its loudest
    quarter; the session ended for it. The person's word is the loudest part of
    what comes out and little of it is removed (at most 9 dB in the kept runs)."""
    guard = EchoGuard()
    guard.spoke(Utterance("Inhale, and lift your knee. Hold on to it.", 30.0, duration=3.0))
    residue = EchoEvidence(mic_db=-23.9, out_db=-41.8, reference_db=-23.8, peak_removed_db=13.8)
    verdict = guard.judge(Command(Intent.SYMPTOM, 31.5, "dizzy"), residue)
    assert verdict.drop and "loudest" in verdict.reason
    assert guard.judge(Command(Intent.PAIN, 31.5, "it hurts"), residue).drop
    # The person saying it over the coach: their word is loud in the output.
    person = EchoEvidence(mic_db=-23.9, out_db=-39.0, reference_db=-23.8, peak_removed_db=6.0)
    assert not guard.judge(Command(Intent.SYMPTOM, 31.5, "dizzy"), person).drop
    # Under the ordinary pure-echo bar, the loudest part does not decide.
    middling = EchoEvidence(mic_db=-23.9, out_db=-37.0, reference_db=-23.8, peak_removed_db=13.0)
    assert not guard.judge(Command(Intent.PAIN, 31.5, "it hurts"), middling).drop


HOLD = "Inhale, and lift your knee. Hold on to it."


def test_a_command_that_sounds_like_the_coach_then_is_echo() -> None:
    """Live: residual echo of "Hold on to it" heard as "go on" (9.8 dB removed)."""
    guard = guard_with(HOLD, start=10.0, duration=3.0)
    go_on = Command(Intent.RESUME, when(guard, "on"), "go on")
    assert guard.match(go_on) is MatchStrength.SIMILAR
    assert guard.judge(go_on, MIXED).drop
    assert not guard.judge(go_on, PERSON).drop  # a person clearly spoke
    early = Command(Intent.RESUME, 10.3, "go on")  # the coach was not at "on" yet
    assert guard.match(early) is MatchStrength.NONE
    assert not guard.judge(early, MIXED).drop


def test_a_safety_command_is_not_dropped_on_a_partial_match() -> None:
    guard = guard_with("Lie on your back, and it will pass.", start=10.0, duration=3.0)
    hurts = Command(Intent.PAIN, when(guard, "it"), "it hurts")
    assert guard.match(hurts) is MatchStrength.SIMILAR
    assert not guard.judge(hurts, MIXED).drop


def test_a_lost_echo_leaves_the_coach_words_to_words_and_timing() -> None:
    """Live, the canceller lost the echo (0.4 dB removed) while the coach said
    "If anything hurts, stop": the guard took it for a person and stopped. The
    canceller now reports such spans as not converged."""
    guard = guard_with()
    lost = EchoEvidence(mic_db=-22.5, out_db=-22.9, reference_db=-22.2, converged=False)
    stop = Command(Intent.STOP, when(guard, "stop"), "stop")
    assert not guard.judge(stop, PERSON).drop  # a working canceller: a person said it
    assert guard.judge(stop, lost).drop
    pause = Command(Intent.PAUSE, when(guard, "slowly"), "pause")  # no match: not safety
    assert guard.judge(pause, lost).drop
    hurts = Command(Intent.PAIN, when(guard, "slowly"), "it hurts")  # the person, surely
    assert not guard.judge(hurts, lost).drop


def test_a_late_command_is_judged_by_when_its_words_were_said() -> None:
    """Vosk's end-of-utterance result fired "next" 1.3 s after the coach said
    "Next: set two of three." (a kept live run): by its firing time the coach
    was silent, by its word times it is the coach's own word."""
    guard = guard_with("Next: set two of three.", start=10.0, duration=1.6)
    said = when(guard, "next") - guard.options.latency_s
    late = 10.0 + 1.6 + guard.options.tail_s + guard.options.latency_s + 1.3
    # Judged at its firing time, it fell in the endpoint's silence after the line.
    assert guard.judge(Command(Intent.NEXT, late, "next"), SILENT).reason == "the coach was silent"
    verdict = guard.judge(Command(Intent.NEXT, late, "next", said_until=said), ECHO)
    assert verdict.drop and verdict.match is MatchStrength.STRONG


def test_the_person_under_a_louder_coach_is_kept_when_their_word_was_the_loudest_part():
    """Re-lived kept runs with Vosk, the person 6 dB below the coach: their
    "wait" and "repeat" lost 16.3-17.2 dB over the phrase, as pure echo does,
    but 8.7-10.5 dB at its loudest quarter, where residue heard as "stop",
    "next" or "tingling" lost 15-20 dB even there."""
    guard = guard_with("Lie on your back on a firm surface, knees bent.", 10.0, 3.0)
    person = EchoEvidence(mic_db=-25.0, out_db=-41.5, reference_db=-20.0, peak_removed_db=9.0)
    assert not guard.judge(Command(Intent.PAUSE, 11.0, "wait"), person).drop
    residue = EchoEvidence(mic_db=-25.0, out_db=-44.8, reference_db=-20.0, peak_removed_db=15.7)
    verdict = guard.judge(Command(Intent.NEXT, 11.0, "next"), residue)
    assert verdict.drop and verdict.reason == "only the coach's voice was heard"
    # Not known where the phrase was loudest: the whole phrase decides, as before.
    unknown = EchoEvidence(mic_db=-25.0, out_db=-41.5, reference_db=-20.0)
    assert guard.judge(Command(Intent.PAUSE, 11.0, "wait"), unknown).drop
    # Far past the bar for pain and symptoms, nothing of a person is left.
    deep = EchoEvidence(mic_db=-25.0, out_db=-48.0, reference_db=-20.0, peak_removed_db=9.0)
    assert guard.judge(Command(Intent.PAUSE, 11.0, "wait"), deep).drop
