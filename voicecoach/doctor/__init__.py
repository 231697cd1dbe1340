"""``voicecoach doctor``: is this machine ready to coach? One checklist, with fixes.

:func:`run_doctor` runs every check in order and returns the results;
:func:`~voicecoach.doctor.checks.format_checklist` prints them. Each check
is also a plain function (``check_history(path)``, ``check_microphone(device,
seconds)``...) so ``serve`` and the installer can run the ones they need.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from voicecoach.doctor.checks import CheckResult, Status, all_passed, format_checklist

__all__ = [
    "CheckResult",
    "DoctorOptions",
    "Status",
    "all_passed",
    "format_checklist",
    "run_doctor",
]


@dataclass(frozen=True, slots=True)
class DoctorOptions:
    """What the doctor does beyond the quiet checks."""

    seconds: float = 5.0
    """How long the microphone level meter runs."""
    speak: bool = True
    """Speak the test phrase through the output device."""
    listen: bool = True
    """Run the microphone level meter."""
    load_engine: bool = True
    """Really load the recognizer (a second or more for a big model)."""


def run_doctor(overrides: Mapping[str, object] | None = None, config_path: str | None = None,
               options: DoctorOptions | None = None,
               on_level: Callable[[float, float], None] | None = None,
               on_result: Callable[[CheckResult], None] | None = None) -> list[CheckResult]:
    """Run every check with the effective settings; a broken config still checks the rest.

    ``on_result`` sees each result as soon as it is known (the CLI prints
    progress); ``on_level`` gets the microphone meter's (rms, peak) dBFS.
    """
    import os

    from voicecoach.adapters.history import resolve_history_path
    from voicecoach.config import ConfigError, load_settings
    from voicecoach.doctor.audio_out import check_espeak, check_speech_output
    from voicecoach.doctor.engine import check_model, check_recognizer
    from voicecoach.doctor.microphone import check_microphone
    from voicecoach.doctor.system import check_config, check_disk, check_history
    from voicecoach.models import default_install_dir

    opts = options or DoctorOptions()
    results: list[CheckResult] = []

    def add(result: CheckResult) -> None:
        results.append(result)
        if on_result is not None:
            on_result(result)

    try:
        settings = load_settings(overrides or {}, config_path=config_path)
        add(check_config(settings, None))
    except ConfigError as exc:
        add(check_config(None, exc.message))
        settings = load_settings({}, config_path=os.devnull, env={})  # defaults, to go on

    espeak = check_espeak()
    add(espeak)
    if not opts.speak:
        add(CheckResult("speech output", Status.SKIP, "not asked (--no-speak)"))
    elif espeak.status is Status.FAIL:
        add(CheckResult("speech output", Status.SKIP, "needs espeak-ng"))
    else:
        add(check_speech_output(settings.output_device, settings.voice, settings.rate,
                                settings.volume, language=settings.language))
    if opts.listen:
        add(check_microphone(settings.input_device, opts.seconds, on_level))
    else:
        add(CheckResult("microphone", Status.SKIP, "not asked (--no-listen)"))
    model_result, _path = check_model(settings.engine, settings.language, settings.model)
    add(model_result)
    if not opts.load_engine:
        add(CheckResult("recognizer", Status.SKIP, "not asked"))
    elif model_result.status is Status.FAIL:
        add(CheckResult("recognizer", Status.SKIP, "needs the speech model above"))
    else:  # the very selection a session makes, from the same settings
        add(check_recognizer(settings.engine, settings.language, settings.model))
    history = resolve_history_path(settings.history)
    add(check_disk([history.parent, default_install_dir()]))
    add(check_history(history))
    return results
