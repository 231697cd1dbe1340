"""Everything the coach itself says, per language, in one place.

Routine texts come from the routine file; everything else the engine says
(greetings, counts, answers, safety advice, screening questions) lives in the
tables below so a new language is one new table. Keys missing from a language
fall back to English, so a half-translated table still gives a working coach.

Numbers are spoken as words ("three of ten"): speech engines read digits
inconsistently ("10s" becomes "ten ess"), and words are what a person hears
from a human coach.
"""

from __future__ import annotations

from collections.abc import Callable

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def english_number(n: int) -> str:
    """Spell a whole number (0 to 9999) in English words; larger ones stay digits."""
    if n < 0 or n > 9999:
        return str(n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = f"{_ONES[hundreds]} hundred"
        return head + (f" and {english_number(rest)}" if rest else "")
    thousands, rest = divmod(n, 1000)
    head = f"{english_number(thousands)} thousand"
    return head + (f" {english_number(rest)}" if rest else "")


EN: dict[str, str] = {
    # Opening and closing.
    "welcome": "Welcome. Today's routine: {title}.",
    "disclaimer": (
        "This coach does not replace a doctor. Consult a doctor or physiotherapist before "
        "you start these exercises. If anything hurts, stop and say: it hurts."
    ),
    "closing_done": "That was the last exercise. Well done.",
    "closing_stopped": "We end the session here.",
    "summary": "You did {exercises} of {total} exercises and {reps} repetitions in {duration}.",
    "summary_none": "No exercises were done this time.",
    "summary_pain": "You reported pain {times}.",
    "goodbye": "Take a moment and breathe before you get up slowly.",
    # Exercise structure.
    "exercise_intro": "Exercise {n} of {total}: {name}.",
    "exercise_intro_single": "{name}.",
    "prescription": "{sets}{reps}{each_side}.",
    "prescription_sets": "{sets} sets of ",
    "prescription_reps": "{reps} repetitions",
    "prescription_rep": "one repetition",
    "each_side": " on each side",
    "ready_prompt": "Say ready when you are in position.",
    "set_header": "Set {n} of {total}.",
    "first_side": "Start with the {side} side.",
    "next_side": "Now the {side} side.",
    "count": "{n} of {total}.",
    "last_one": "Last one.",
    "inhale": "Inhale",
    "exhale": "Exhale",
    "hold": "Hold for {seconds}.",
    "hold_end": "And release.",
    "breaths_intro": "Take {n} slow breaths.",
    "breaths_intro_one": "Take one slow breath.",
    "breath_in": "Breathe in.",
    "breath_out": "And out.",
    "rest": "Rest for {seconds}.",
    "rest_left": "{seconds} of rest left.",
    "ten_seconds": "Ten seconds.",
    "next_preview": "Next: {what}.",
    "next_set": "set {n} of {total}",
    "seconds_left": "{seconds} left.",
    # Answers to commands.
    "paused": "Paused. Say resume when you are ready.",
    "still_paused": "Still paused. Say resume when you are ready.",
    "resuming": "Resuming.",
    "not_paused": "We are not paused.",
    "skip_exercise": "Skipping to the next exercise.",
    "skip_last": "That was the last exercise.",
    "skip_timer": "Okay, moving on.",
    "back_rep": "Back to repetition {n}.",
    "back_exercise": "Back to the start of {name}.",
    "nothing_back": "There is nothing to go back to.",
    "nothing_repeat": "There is nothing to repeat yet.",
    "slower": "Slower.",
    "faster": "Faster.",
    "slowest": "This is already the slowest pace.",
    "fastest": "This is already the fastest pace.",
    "louder": "Louder.",
    "quieter": "Quieter.",
    "loudest": "This is already the loudest I can speak.",
    "quietest": "This is already the quietest I can speak.",
    "ended": "The session has ended.",
    "already_ended": "The session has already ended.",
    "ready_ack": "Good.",
    "not_waiting_ready": "Good. We are already going.",
    "yes_no_only": "Please answer yes or no.",
    "take_your_time": "Take your time.",
    # Status.
    "status_exercise": "Exercise {n} of {total}: {name}.",
    "status_side": "{side} side.",
    "status_set": "Set {n} of {total}.",
    "status_rep": "Repetition {n} of {total}, {left} left after this one.",
    "status_rep_last": "Repetition {n} of {total}, the last one.",
    "status_holding": "Holding, {seconds} left.",
    "status_resting": "Resting, {seconds} left.",
    "status_session_left": "About {minutes} left in the session.",
    "status_paused": "We are paused.",
    "status_question": "Question {n} of {total}.",
    "status_before": "We have not started the exercises yet.",
    # Help, per situation.
    "help_running": (
        "You can say: pause, next, go back, repeat, slower, faster, louder, quieter, "
        "how many left, stop, or it hurts."
    ),
    "help_ready": (
        "Say ready when you are in position. You can also say skip, go back, repeat, "
        "pause, or it hurts."
    ),
    "help_paused": (
        "Say resume to go on, next or go back to move, finish to end the session, or it hurts."
    ),
    "help_stop": "Say continue to go on, or finish to end the session.",
    "help_pain": "Say continue to go on more gently, skip to skip this exercise, or finish.",
    "help_pain_pre": "Say continue to go on more gently, or finish.",
    "help_symptom_check": "Say yes if you feel it, and we stop for today. Say no to go on.",
    "help_question": "Answer yes or no. You can also say repeat, go back, or finish.",
    "help_offer": "Answer yes or no. You can also say repeat or finish.",
    "help_finished": "The session has ended. Start a new session to exercise again.",
    # Dialogs.
    "stop_question": "Stopped. Do you want to continue, or finish the session?",
    "continue_or_finish": "Please say continue or finish.",
    "pain_first": "Stop. Return gently to the starting position, and breathe slowly.",
    "pain_question": (
        "When you are ready, say continue to go on more gently, skip to skip this "
        "exercise, or finish to end the session."
    ),
    "pain_question_pre": (
        "When you are ready, say continue to go on more gently, or finish to end the session."
    ),
    "pain_second": (
        "Stop here for today. Return gently to a comfortable position and rest. "
        "You reported pain twice, so please consult a doctor or physiotherapist "
        "before you exercise again."
    ),
    "pain_after_end": (
        "Lie comfortably and breathe slowly. If the pain does not ease, consult a doctor "
        "or physiotherapist."
    ),
    "gentler": "We will go more gently from now on: {changes}.",
    "gentler_reps": "{new} repetitions instead of {old}",
    "gentler_hold": "holds of {new} instead of {old}",
    "gentler_pace": "slower movements",
    "and": " and ",
    "symptom": (
        "You reported {symptom}. That is a warning sign, so we stop the exercises now. "
        "Lie down comfortably and rest. Consult a doctor, and if it is severe or does not "
        "pass, get medical help at once."
    ),
    "symptom.headache": "a headache",
    "symptom.nausea": "nausea",
    "symptom.weakness": "weakness",
    "symptom.dizziness": "dizziness",
    "symptom.numbness": "numbness",
    "symptom.leg pain": "pain running into your leg",
    "symptom.unknown": "a warning symptom",
    "symptom_check": "I may have heard {symptom}. Is that right? Please say yes or no.",
    "yes_or_no": "Please say yes or no.",
    # Screening (questions and reasons; keys in voicecoach.core.screening).
    "screening_intro": (
        "First, a few questions about your health, so we know these exercises suit you. "
        "Answer yes or no."
    ),
    "screening_passed": "Thank you. Nothing you said rules out these exercises.",
    "screening_failed": (
        "Thank you for telling me. {why} So these exercises are not advised for you "
        "without a doctor. Please talk to your doctor or physiotherapist first. "
        "The session ends here."
    ),
    "screening.pregnancy": "Are you pregnant?",
    "screening.tuberculosis": "Do you have tuberculosis?",
    "screening.tumour": "Do you have a malignant tumour, or are you being treated for cancer?",
    "screening.gastrointestinal": (
        "Do you have an acute flare-up of a stomach or bowel disease right now?"
    ),
    "screening.spinal_injury": "Have you ever injured your spine?",
    "screening.kidney": "Do you have a kidney disease?",
    "screening.leg_pain": "Does your back pain spread down into a leg?",
    "screening.exhaustion": "Do you feel generally exhausted?",
    "screening.blood_pressure": "Do you have high blood pressure?",
    "screening.heart_failure": "Do you have heart failure?",
    "screening.diabetes": "Do you have diabetes?",
    "screening.bleeding": "Do you bleed easily, or have a bleeding disorder?",
    "why.contraindicated": (
        "With {condition}, exercises for back pain are not allowed: they can do harm, and "
        "the back pain may have another cause that a doctor has to find."
    ),
    "why.not_advised": (
        "With {condition}, therapeutic exercises are not recommended without a doctor's "
        "advice, because the effort can strain the body."
    ),
    "condition.pregnancy": "pregnancy",
    "condition.tuberculosis": "tuberculosis",
    "condition.tumour": "a malignant tumour",
    "condition.gastrointestinal": "an acute stomach or bowel disease",
    "condition.spinal_injury": "a spinal injury",
    "condition.kidney": "kidney disease",
    "condition.leg_pain": "back pain that spreads into the leg",
    "condition.exhaustion": "general exhaustion",
    "condition.blood_pressure": "high blood pressure",
    "condition.heart_failure": "heart failure",
    "condition.diabetes": "diabetes",
    "condition.bleeding": "a tendency to bleed",
    # Offers.
    "offer_resume": "Last time you stopped at exercise {n}, {name}. Continue where you stopped?",
    "offer_step_up": (
        "Your last sessions went without pain. Would you like a small step up today: {what}?"
    ),
    "step_up_more_reps": "a few more repetitions",
    "step_up_longer_holds": "slightly longer holds",
    "step_up_more_sets": "one more set",
    "step_up_generic": "a slightly harder version of this routine",
    "offer_yes": "Good.",
    "offer_no": "Fine, as usual then.",
    "lets_begin": "Let's begin.",
    # Units.
    "second": "one second",
    "seconds": "{n} seconds",
    "minute": "one minute",
    "minutes": "{n} minutes",
    "once": "once",
    "times": "{n} times",
}

#: Per-language tables. Add a language by adding a table (keys missing from it
#: fall back to English) and, if it needs one, a number speller below.
TABLES: dict[str, dict[str, str]] = {"en": EN}
NUMBERS: dict[str, Callable[[int], str]] = {"en": english_number}


class Wording:
    """The coach's phrases in one language, with English as the fallback."""

    def __init__(self, language: str = "en") -> None:
        base = language.split("-")[0].lower()
        self.language = base if base in TABLES else "en"
        self._table = TABLES[self.language]
        self._number = NUMBERS.get(self.language, english_number)

    def __call__(self, key: str, **fields: object) -> str:
        """The phrase ``key`` with ``fields`` filled in."""
        template = self._table.get(key)
        if template is None:
            template = EN[key]
        return template.format(**fields)

    def has(self, key: str) -> bool:
        """Whether ``key`` exists (in this language or English)."""
        return key in self._table or key in EN

    def number(self, n: int) -> str:
        """A whole number as words."""
        return self._number(n)

    def seconds(self, seconds: float) -> str:
        """A duration as a coach says it: "ten seconds", "one minute thirty seconds"."""
        total = max(0, int(round(seconds)))
        minutes, secs = divmod(total, 60)
        parts = []
        if minutes:
            parts.append(
                self("minute") if minutes == 1 else self("minutes", n=self.number(minutes))
            )
        if secs or not minutes:
            parts.append(self("second") if secs == 1 else self("seconds", n=self.number(secs)))
        return " ".join(parts)

    def minutes(self, seconds: float) -> str:
        """A longer duration rounded to whole minutes ("one minute" at least)."""
        n = max(1, int(round(seconds / 60.0)))
        return self("minute") if n == 1 else self("minutes", n=self.number(n))

    def times(self, n: int) -> str:
        """ "once", "two times"."""
        return self("once") if n == 1 else self("times", n=self.number(n))

    def hold(self, seconds: float, cue: str | None = None) -> str:
        """The line that starts a hold: "Hold for five seconds." and its cue, if any.

        One place for it, because the routine lint estimates how long it takes to
        say (a line longer than its hold delays "And release.").
        """
        said = self("hold", seconds=self.seconds(seconds))
        return f"{said} {cue}" if cue else said

    def capital(self, text: str) -> str:
        """Capitalise the first letter (for numbers starting a sentence)."""
        return text[:1].upper() + text[1:]

    def breath(self, key: str, text: str) -> str:
        """Join a breath word and a movement: "Inhale, pull your knee up."

        The movement keeps its own capital letter when it starts with "I" or an
        acronym; if it already names the breath it is said as written.
        """
        word = self(key)
        if text.lower().startswith((word.lower(), "breathe", "inhale", "exhale")):
            return text
        first = text.split(" ", 1)[0]
        keep = first == "I" or first.startswith("I'") or (len(first) > 1 and first.isupper())
        body = text if keep else text[:1].lower() + text[1:]
        return f"{word}, {body}"
