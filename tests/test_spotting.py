"""The partial-result spotter: stability, isolation (the garbage check), once only."""

from voicecoach.core.intents import Intent
from voicecoach.core.phrases import phrase_table
from voicecoach.core.spotting import PartialSpotter, SpotterConfig

EN = phrase_table("en")


def test_fires_once_after_stable_partials():
    s = PartialSpotter(EN, SpotterConfig(stable_seconds=0.15))
    assert s.feed(["next"], 1.0) == []
    assert s.feed(["next"], 1.1) == []
    [cmd] = s.feed(["next"], 1.15)
    assert (cmd.intent, cmd.time, cmd.text) == (Intent.NEXT, 1.15, "next")
    assert 0 < cmd.confidence < 1
    assert s.feed(["next"], 1.3) == [] and s.feed(["next"], 1.4, final=True) == []


def test_flicker_restarts_the_clock():
    s = PartialSpotter(EN, SpotterConfig(stable_seconds=0.15))
    s.feed(["next"], 1.0)
    s.feed(["repeat"], 1.1)
    assert s.feed(["next"], 1.2) == []
    assert [c.intent for c in s.feed(["next"], 1.35)] == [Intent.NEXT]


def test_garbage_around_a_command_is_conversation():
    s = PartialSpotter(EN)
    for t in (1.0, 1.5, 2.0):
        assert s.feed(["[unk]", "next"], t) == []
    assert s.feed(["next", "[unk]"], 2.0, final=True) == []


def test_safety_phrases_fire_fast_and_may_follow_an_interjection():
    s = PartialSpotter(EN)
    [cmd] = s.feed(["oh", "it", "hurts"], 1.0)  # the first partial that holds it
    assert cmd.intent is Intent.PAIN
    assert s.feed(["oh", "it", "hurts"], 1.05) == []  # once


def test_safety_phrases_inside_conversation_need_isolation_switched_off():
    strict = PartialSpotter(EN)
    loose = PartialSpotter(EN, SpotterConfig(isolate_safety=False))
    words = ["the", "[unk]", "it", "hurts"]
    assert strict.feed(words, 1.0) == [] and strict.feed(words, 1.05) == []
    assert [c.intent for c in loose.feed(words, 1.0)] == [Intent.PAIN]


def test_final_result_fires_what_partials_did_not():
    s = PartialSpotter(EN)
    [cmd] = s.feed(["pause"], 2.0, final=True, confidence=0.7)
    assert (cmd.intent, cmd.confidence) == (Intent.PAUSE, 0.7)
    # the utterance is over: the same words again are a new command
    assert [c.intent for c in s.feed(["pause"], 3.0, final=True)] == [Intent.PAUSE]


def test_isolation_can_be_switched_off_to_measure_it():
    s = PartialSpotter(EN, SpotterConfig(isolate=False))
    s.feed(["[unk]", "next"], 1.0)
    assert [c.intent for c in s.feed(["[unk]", "next"], 1.2)] == [Intent.NEXT]


def test_a_final_result_with_word_times_says_when_the_phrase_was_said():
    s = PartialSpotter(EN)
    [cmd] = s.feed(["go", "back"], 5.0, final=True, ends=[3.5, 3.9])
    assert (cmd.intent, cmd.time, cmd.said_until) == (Intent.PREVIOUS, 5.0, 3.9)
    [final] = PartialSpotter(EN).feed(["go", "back"], 5.0, final=True)
    assert final.said_until is None  # no word times: shortly before its time


def test_a_command_held_for_stability_says_when_its_phrase_first_appeared():
    """Partial results carry no word times, but a phrase in them has been said:
    the hold for stability must not move the command (and the echo canceller's
    evidence for it) past the person's words."""
    s = PartialSpotter(EN, SpotterConfig(stable_seconds=0.25))
    assert s.feed(["next"], 1.0) == [] and s.feed(["next"], 1.1) == []
    [cmd] = s.feed(["next"], 1.25)
    assert (cmd.time, cmd.said_until) == (1.25, 1.0)


def test_english_holds_a_phrase_longer_than_the_default_and_safety_phrases_do_not_wait():
    english, other = SpotterConfig.for_language("en"), SpotterConfig.for_language("ko")
    assert other == SpotterConfig()
    assert english.stable_seconds > other.stable_seconds
    assert english.safety_stable_seconds == other.safety_stable_seconds == 0.0
    s = PartialSpotter(EN, english)
    assert s.feed(["hold", "on"], 1.0) == []
    assert s.feed(["hold", "on"], 1.0 + other.stable_seconds) == []
    [fired] = s.feed(["hold", "on"], 1.0 + english.stable_seconds)
    assert fired.intent is Intent.PAUSE
    [hurts] = PartialSpotter(EN, english).feed(["it", "hurts"], 1.0)
    assert hurts.intent is Intent.PAIN


def test_a_phrase_fires_before_its_hold_once_the_talker_has_fallen_silent():
    """The hold waits for words that follow a command word in conversation;
    after a pause there are none to wait for."""
    config = SpotterConfig(stable_seconds=0.25, quiet_seconds=0.15)
    s = PartialSpotter(EN, config)
    assert s.feed(["wait"], 1.0, quiet_for=0.08) == []
    [cmd] = s.feed(["wait"], 1.06, quiet_for=0.15)
    assert (cmd.intent, cmd.time, cmd.said_until) == (Intent.PAUSE, 1.06, 1.0)
    # Still talking: the hold alone decides.
    talking = PartialSpotter(EN, config)
    assert talking.feed(["hold", "on"], 1.0, quiet_for=0.0) == []
    assert talking.feed(["hold", "on"], 1.2, quiet_for=0.02) == []
    assert [c.intent for c in talking.feed(["hold", "on"], 1.25, quiet_for=0.0)] == [Intent.PAUSE]
    # Silence never lets garbage around a phrase through, nor a recognizer
    # that measures none, nor a configuration without the rule.
    assert PartialSpotter(EN, config).feed(["[unk]", "next"], 1.0, quiet_for=1.0) == []
    assert PartialSpotter(EN, config).feed(["next"], 1.0) == []
    assert PartialSpotter(EN, SpotterConfig(stable_seconds=0.25)).feed(
        ["next"], 1.0, quiet_for=1.0) == []
