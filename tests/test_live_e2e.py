"""``voicecoach run`` end to end: real voice, real recognizer, real (virtual) devices.

The person's commands are Piper speech played into the room at moments chosen
from the coach's own event log; the assertions are on the order of events.
"""

from __future__ import annotations

import time

import pytest

from tests.live_harness import Coach, typed
from tests.pulse import HAVE_PULSE, PulseRoom
from tests.speech_fixtures import EN_MODEL_DIR

pytestmark = [
    pytest.mark.audio,
    pytest.mark.slow,
    pytest.mark.skipif(not HAVE_PULSE, reason="PulseAudio is not installed"),
]


def index_of(events, match, start=0):
    for i in range(start, len(events)):
        if match(events[i]):
            return i
    return None


#: The English engines: PocketSphinx (what ``auto`` picks with no Vosk model
#: installed) and Vosk with the catalog's npm-packaged model.
ENGINES = {
    "sphinx": ("--engine", "sphinx"),
    "vosk": ("--engine", "vosk", "--model", str(EN_MODEL_DIR)),
}


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_pause_resume_pain_and_finish_by_voice(tmp_path, engine):
    if engine == "vosk" and not EN_MODEL_DIR.is_dir():
        pytest.skip(f"{EN_MODEL_DIR.name} is not installed: run tools/setup.sh --test")
    with PulseRoom(loopback=False) as room:
        coach = Coach(room, tmp_path, "try-it", *ENGINES[engine])
        try:
            coach.wait_for(typed("state", to="waiting_ready"))
            coach.say_until("I'm ready", typed("heard", intent="ready"))
            # The breathing instruction is speaking: say pause over it.
            coach.wait_for(typed("speech_started", text="Rest your hands"))
            coach.say_until("wait", typed("state", to="paused"))
            time.sleep(2.0)
            coach.say_until("continue", typed("heard", intent="resume"))
            coach.wait_for(typed("speech_started"))
            coach.say_until("it hurts", typed("pain"))
            coach.wait_for(typed("state", to="pain_dialog"))
            coach.say_until("end session", typed("session_ended"))
            assert coach.wait_exit() == 0
        finally:
            coach.terminate()

    events = coach.events()
    assert {e["engine"] for e in events if e["type"] == "heard"} == {engine}
    paused = index_of(events, typed("state", to="paused"))
    resumed = index_of(events, typed("heard", intent="resume"))
    assert paused is not None and resumed is not None and paused < resumed
    # The coach fell silent at the command: the stop was the engine's first action,
    # playback was cut, and nothing new was said while paused but the answer.
    t_pause = events[paused]["t"]
    same_moment = [e["type"] for e in events[:paused] if e["t"] == t_pause]
    assert same_moment[0] == "stop_speaking"
    cut = index_of(events, typed("speech_stopped", interrupted=True), paused - len(same_moment))
    assert cut is not None and cut < resumed
    started_while_paused = [
        e["text"] for e in events[paused:resumed] if e["type"] == "speech_started"
    ]
    assert all(text.startswith("Paused.") for text in started_while_paused)
    # "It hurts" silenced the coach first, and the session ended after "finish".
    pain = index_of(events, typed("pain"))
    t_pain = events[pain]["t"]
    assert [e["type"] for e in events if e["t"] == t_pain][0] == "stop_speaking"
    assert index_of(events, typed("session_ended", reason="finished"), pain) is not None
    assert events[-1]["type"] == "loop_ended"


def test_sigterm_ends_cleanly_and_the_session_is_recorded(tmp_path):
    from voicecoach.adapters.history import SQLiteHistory

    with PulseRoom(loopback=False) as room:
        coach = Coach(room, tmp_path, "try-it")
        try:
            coach.wait_for(typed("state", to="waiting_ready"))
            coach.proc.send_signal(15)
            assert coach.wait_exit() == 130
        finally:
            coach.terminate()
    events = coach.events()
    assert index_of(events, typed("shutdown", reason="sigterm")) is not None
    assert index_of(events, typed("session_ended", reason="interrupted")) is not None
    with SQLiteHistory(coach.history) as store:
        last = store.recent_sessions(1)[0]
        assert last.outcome.value == "interrupted"
        assert store.integrity_check() in ("ok", True, ["ok"])


QUIET_ROOM_ROUTINE = """\
title: Command words, nobody there
language: en
rest_between_exercises: 3s
exercises:
  - name: Knee lift
    setup: Lie on your back. If it hurts, stop and say so.
    safety:
      - You can say pause at any time, or next, or go back.
    reps: 2
    steps:
      - inhale: Inhale, and lift your knee. Hold on to it.
      - hold: 3s
      - exhale: Exhale, and lower it. Next, we repeat that.
  - name: Rest
    steps:
      - say: Pause for a breath. When you are ready, we finish. That is all.
"""


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_the_coach_does_not_obey_its_own_voice(tmp_path, engine):
    if engine == "vosk" and not EN_MODEL_DIR.is_dir():
        pytest.skip(f"{EN_MODEL_DIR.name} is not installed: run tools/setup.sh --test")
    routine = tmp_path / "quiet.yaml"
    routine.write_text(QUIET_ROOM_ROUTINE, encoding="utf-8")
    # The loopback carries the coach's voice, full of command words, into the room.
    with PulseRoom(loopback=True) as room:
        coach = Coach(room, tmp_path, str(routine), *ENGINES[engine])
        try:
            coach.wait_for(typed("session_ended"), timeout=240)
            assert coach.wait_exit() == 0
        finally:
            coach.terminate()
    events = coach.events()
    heard = [e for e in events if e["type"] == "heard"]
    # An answer to a question the coach never asked ("yes", "ready") is logged
    # as ignored and changes nothing; anything else heard is a command obeyed.
    obeyed = [e for e in heard if not e.get("ignored")]
    assert obeyed == [], f"the coach obeyed its own voice: {obeyed}"
    assert {e["intent"] for e in heard} <= {"yes", "no", "ready", "resume"}, heard
    # Nothing cut the coach: every line it started was said to its end.
    assert index_of(events, typed("stop_speaking")) is None
    assert index_of(events, typed("speech_stopped", interrupted=True)) is None
    assert index_of(events, typed("session_ended", reason="completed")) is not None
    # Each 3 s hold counts from when its "Hold" line reached the speaker, not
    # from when it was queued (the log's times are rounded to the millisecond).
    sounded = {e["id"]: e["audio_time"] for e in events if e["type"] == "speech_started"}
    holds = [sounded[e["id"]] for e in events
             if e["type"] == "speak" and e.get("cue") == "hold_start"]
    done = [e["t"] for e in events if e["type"] == "hold_done"]
    assert len(holds) == len(done) == 2
    for start, end in zip(holds, done, strict=True):
        assert end - start >= 3.0 - 0.002


USB_MIC = 'pcm.usbmic {\n  type pulse\n  device "usb.monitor"\n}\nctl.usbmic { type pulse }\n'


def test_a_usb_microphone_unplugged_and_replugged_is_found_again(tmp_path):
    """The named microphone vanishes from the device list and comes back.

    As ALSA sees a USB microphone: its PCM (here an ~/.asoundrc entry routed
    to a null sink the person speaks into) goes away with the device and
    returns with it. PortAudio only sees it again after re-reading its list.
    """
    home = tmp_path / "home"
    home.mkdir()
    asoundrc = home / ".asoundrc"
    with PulseRoom(loopback=False) as room:
        plug = room.pactl("load-module", "module-null-sink", "sink_name=usb")
        asoundrc.write_text(USB_MIC, encoding="utf-8")
        coach = Coach(room, tmp_path, "try-it", "--input-device", "usbmic",
                      env={"HOME": str(home)})
        coach.person_sink = "usb"
        try:
            coach.wait_for(typed("state", to="waiting_ready"))
            # Unplug: the device stops delivering (PulseAudio would move a stream
            # whose source vanished elsewhere, so suspend it first), then the sound
            # server loses it and ALSA its PCM.
            room.pactl("suspend-sink", "usb", "1")
            coach.wait_for(typed("microphone", ok=False), timeout=30)
            room.pactl("unload-module", plug)
            asoundrc.unlink()
            coach.wait_for(typed("microphone", detail="audio devices re-read"), timeout=30)
            # Plug it back in: only a fresh device list has it.
            room.pactl("load-module", "module-null-sink", "sink_name=usb")
            asoundrc.write_text(USB_MIC, encoding="utf-8")
            coach.wait_for(typed("microphone", ok=True), timeout=40)
            coach.say_until("I'm ready", typed("heard", intent="ready"))
        finally:
            coach.terminate()
    events = coach.events()
    assert index_of(events, typed("session_ended", reason="interrupted")) is not None


def test_microphone_unplugged_mid_session_and_back(tmp_path):
    with PulseRoom(loopback=False) as room:
        coach = Coach(room, tmp_path, "try-it")
        try:
            coach.wait_for(typed("state", to="waiting_ready"))
            # Unplug: the microphone stops delivering audio (PulseAudio would move a
            # stream whose device vanished elsewhere, so suspend the device instead:
            # from the program's side it is a USB microphone that stopped calling back).
            room.pactl("suspend-sink", "room", "1")
            coach.wait_for(typed("microphone", ok=False), timeout=30)
            coach.wait_for(typed("speech_started", text="can't hear the microphone"))
            # Plug it back in: hearing resumes by itself and commands work again.
            room.pactl("suspend-sink", "room", "0")
            coach.wait_for(typed("microphone", ok=True), timeout=30)
            coach.wait_for(typed("speech_stopped", text="can hear you again"), timeout=30)
            coach.say_until("I'm ready", typed("heard", intent="ready"))
        finally:
            coach.terminate()
    events = coach.events()
    assert index_of(events, typed("session_ended", reason="interrupted")) is not None
