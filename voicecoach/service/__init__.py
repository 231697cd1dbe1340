"""The systemd user service: start the waiting coach at boot, for one user, with their audio.

``voicecoach service install`` fills in :file:`voicecoach.service` (shipped
in this package) and writes it to ``~/.config/systemd/user``, then enables
it with ``systemctl --user``. A *user* unit runs in the person's own
session, beside their sound server (PipeWire or PulseAudio), with their
config, models and history; ``loginctl enable-linger`` makes that session
start at boot without anyone logging in.

Every action is a :class:`Step`; ``--dry-run`` prints the steps instead of
running them, which is also how the tests look at them.
"""

from voicecoach.service.audio import AudioStack, audio_notes, detect_audio_stack
from voicecoach.service.install import (
    Step,
    StepKind,
    install_steps,
    run_steps,
    status_lines,
    uninstall_steps,
)
from voicecoach.service.unit import (
    SERVICE_NAME,
    render_unit,
    unit_path,
)

__all__ = [
    "SERVICE_NAME",
    "AudioStack",
    "Step",
    "StepKind",
    "audio_notes",
    "detect_audio_stack",
    "install_steps",
    "render_unit",
    "run_steps",
    "status_lines",
    "uninstall_steps",
    "unit_path",
]
