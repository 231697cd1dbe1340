"""Settings: a TOML config file, environment variables and command-line options, merged.

The one call most code needs::

    from voicecoach.config import load_settings
    settings = load_settings({"rate": args.rate, "routine": args.routine},
                             config_path=args.config)
    settings.rate, settings.source("speech.rate")   # 1.2, command line (--rate)

Importing this package reads nothing; :func:`load_settings` reads the file.
"""

from voicecoach.config.fields import FIELDS, Engine, Field, Kind
from voicecoach.config.settings import (
    CONFIG_ENV,
    ConfigError,
    ConfigProblem,
    Origin,
    Settings,
    Source,
    default_config_path,
    load_settings,
    resolve_config_path,
)
from voicecoach.config.template import default_file_text, write_default_file

__all__ = [
    "CONFIG_ENV",
    "FIELDS",
    "ConfigError",
    "ConfigProblem",
    "Engine",
    "Field",
    "Kind",
    "Origin",
    "Settings",
    "Source",
    "default_config_path",
    "default_file_text",
    "load_settings",
    "resolve_config_path",
    "write_default_file",
]
